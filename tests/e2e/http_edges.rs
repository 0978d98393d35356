//! What any client can throw at the API: malformed, mistyped, missing and oversized bodies, wrong
//! content types, unknown routes and methods. Always a 4xx problem+json, never a 5xx.

use e2e_tests::{Client, stack};
use reqwest::Method;

const BODY_ROUTES: [&str; 3] = ["/v1/sms-codes", "/v1/accounts", "/v1/sessions"];

#[tokio::test]
async fn malformed_json_is_a_validation_error() {
    let client = Client::new(stack());
    for path in BODY_ROUTES {
        for body in [
            &b"{\"phone\": "[..],
            b"not json",
            b"\xff\xfe",
            b"{\"a\":1}}",
        ] {
            let answer = client
                .send_raw(Method::POST, path, Some("application/json"), body.to_vec())
                .await;
            answer.assert_problem(400, "VALIDATION_FAILED");
            assert!(
                answer.has_field_error("body", "MALFORMED_JSON"),
                "{path}: {:?}",
                answer.field_errors()
            );
        }
        let array = client
            .send_raw(
                Method::POST,
                path,
                Some("application/json"),
                b"[1,2]".to_vec(),
            )
            .await;
        assert!(array.has_field_error("body", "INVALID_TYPE"));
    }
}

#[tokio::test]
async fn a_missing_body_or_wrong_content_type_is_refused() {
    let client = Client::new(stack());
    for path in BODY_ROUTES {
        let empty = client
            .send_raw(Method::POST, path, Some("application/json"), Vec::new())
            .await;
        empty.assert_problem(400, "VALIDATION_FAILED");
        assert!(empty.has_field_error("body", "REQUIRED"));
        for ct in [
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            None,
        ] {
            let answer = client
                .send_raw(Method::POST, path, ct, b"{}".to_vec())
                .await;
            answer.assert_problem(415, "UNSUPPORTED_MEDIA_TYPE");
        }
        let charset = client
            .send_raw(
                Method::POST,
                path,
                Some("application/json; charset=utf-8"),
                b"{}".to_vec(),
            )
            .await;
        charset.assert_problem(400, "VALIDATION_FAILED");
    }
}

#[tokio::test]
async fn an_oversized_body_is_refused() {
    let client = Client::new(stack());
    let big = format!("{{\"phone\": \"{}\"}}", "1".repeat(200 * 1024));
    for path in BODY_ROUTES {
        let answer = client
            .send_raw(
                Method::POST,
                path,
                Some("application/json"),
                big.clone().into_bytes(),
            )
            .await;
        answer.assert_problem(413, "PAYLOAD_TOO_LARGE");
    }
}

#[tokio::test]
async fn unknown_routes_and_methods() {
    let client = Client::new(stack());
    client
        .send(Method::GET, "/v1/nothing-here", None, None)
        .await
        .assert_problem(404, "NOT_FOUND");
    let answer = client.send(Method::GET, "/v1/accounts", None, None).await;
    answer.assert_problem(405, "METHOD_NOT_ALLOWED");
    assert_eq!(answer.headers["allow"], "POST");
}
