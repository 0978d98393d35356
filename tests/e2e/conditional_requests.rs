//! Caching and HEAD for mobile clients (issue 30): every successful answer with a body carries
//! an `ETag`; a GET whose `If-None-Match` names it gets 304 without the body; reference data is
//! cacheable; HEAD works on every GET route, with the GET's status and headers and no body.

use e2e_tests::fixtures;
use e2e_tests::{Client, stack};
use reqwest::Method;

fn header<'a>(answer: &'a e2e_tests::Answer, name: &str) -> &'a str {
    answer
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test]
async fn reference_data_is_cacheable_and_revalidates_to_304() {
    let client = Client::new(stack());
    let first = client.get("/v1/districts").await;
    assert_eq!(first.status, 200, "{:#}", first.body);
    assert_eq!(header(&first, "cache-control"), "public, max-age=3600");
    let tag = header(&first, "etag").to_owned();
    assert!(tag.starts_with('"') && tag.ends_with('"'), "{tag}");

    let again = client
        .send_with_headers(
            Method::GET,
            "/v1/districts",
            None,
            None,
            &[("if-none-match", &tag)],
        )
        .await;
    assert_eq!(again.status, 304);
    assert!(again.bytes.is_empty());
    assert_eq!(header(&again, "etag"), tag);
    let other = client
        .send_with_headers(
            Method::GET,
            "/v1/districts",
            None,
            None,
            &[("if-none-match", "\"something-else\"")],
        )
        .await;
    assert_eq!(other.status, 200);
    assert_eq!(other.body, first.body);
}

#[tokio::test]
async fn a_private_read_has_its_etag_and_stays_uncached() {
    let client = Client::new(stack());
    let user = fixtures::register(&client, "residence_registration").await;
    let token = fixtures::login(&client, &user, &fixtures::device_id()).await;
    let me = client.get_auth("/v1/me", &token).await;
    assert_eq!(me.status, 200);
    assert_eq!(header(&me, "cache-control"), "no-store");
    let tag = header(&me, "etag").to_owned();
    assert!(!tag.is_empty());
    let again = client
        .send_with_headers(
            Method::GET,
            "/v1/me",
            Some(&token),
            None,
            &[("if-none-match", &tag)],
        )
        .await;
    assert_eq!(again.status, 304);
    // Without the token the condition is never reached: 401, not 304.
    client
        .send_with_headers(
            Method::GET,
            "/v1/me",
            None,
            None,
            &[("if-none-match", &tag)],
        )
        .await
        .assert_problem(401, "UNAUTHENTICATED");
    let head = client
        .send(Method::HEAD, "/v1/me", Some(&token), None)
        .await;
    assert_eq!(head.status, 200);
    assert!(head.bytes.is_empty());
    assert_eq!(header(&head, "etag"), tag);
}

/// Every GET route of the route table answers HEAD as it answers GET (here without a token and
/// with made-up ids: the same refusal or answer), with no body; never 405.
#[tokio::test]
async fn head_works_on_every_get_route() {
    let client = Client::new(stack());
    let id = "00000000-0000-4000-8000-000000000000";
    for route in functions::ROUTES.iter().filter(|r| r.method == "GET") {
        let path = route
            .path
            .split('/')
            .map(|segment| match segment.starts_with('{') {
                true => id,
                false => segment,
            })
            .collect::<Vec<_>>()
            .join("/");
        let get = client.send(Method::GET, &path, None, None).await;
        let head = client.send(Method::HEAD, &path, None, None).await;
        assert_eq!(head.status, get.status, "HEAD {path}");
        assert_ne!(head.status, 405, "HEAD {path}");
        assert!(head.bytes.is_empty(), "HEAD {path} has a body");
        assert_eq!(
            header(&head, "content-type"),
            header(&get, "content-type"),
            "HEAD {path}"
        );
    }
}

/// A registration's reads name its version in `ETag`; a change may send it back in `If-Match`
/// instead of the body's `version`: a version that is not the registration's now answers 412
/// (409 `STALE_VERSION` from the body), both with `current_version`.
#[tokio::test]
async fn a_change_sends_the_read_etag_in_if_match_and_a_stale_one_gets_412() {
    let client = Client::new(stack());
    let declared = e2e_tests::residents::declared_under_new_link(
        &client,
        e2e_tests::residents::resident_body(),
    )
    .await;
    let path = e2e_tests::residents::registration_path(&declared.registration);
    let token = declared.token.as_str();

    let read = client.get_auth(&path, token).await;
    assert_eq!(read.status, 200);
    assert_eq!(header(&read, "etag"), "\"v1\"");
    let unchanged = client
        .send_with_headers(
            Method::GET,
            &path,
            Some(token),
            None,
            &[("if-none-match", "\"v1\"")],
        )
        .await;
    assert_eq!(unchanged.status, 304);

    let body = serde_json::json!({"workplace": "深圳湾实验室"});
    let changed = client
        .send_with_headers(
            Method::PATCH,
            &path,
            Some(token),
            Some(&body),
            &[("if-match", "\"v1\"")],
        )
        .await;
    assert_eq!(changed.status, 200, "{:#}", changed.body);
    assert_eq!(changed.body["version"], 2);
    assert_eq!(header(&changed, "etag"), "\"v2\"");

    // The same version again: 412 with the version now; nothing changed.
    let again = serde_json::json!({"workplace": "别处"});
    let stale = client
        .send_with_headers(
            Method::PATCH,
            &path,
            Some(token),
            Some(&again),
            &[("if-match", "\"v1\"")],
        )
        .await;
    stale.assert_problem(412, "PRECONDITION_FAILED");
    assert_eq!(stale.body["current_version"], 2);
    // From the body: 409 STALE_VERSION, with the version now too.
    let by_body = client
        .patch_auth(
            &path,
            token,
            &serde_json::json!({"version": 1, "workplace": "别处"}),
        )
        .await;
    by_body.assert_problem(409, "CONFLICT");
    assert!(by_body.has_field_error("version", "STALE_VERSION"));
    assert_eq!(by_body.body["current_version"], 2);
    // A tag that names no version, or both ways at once: refused before anything is read.
    for (tag, body) in [
        ("W/\"v2\"", serde_json::json!({"workplace": "别处"})),
        ("\"abc\"", serde_json::json!({"workplace": "别处"})),
        (
            "\"v2\"",
            serde_json::json!({"version": 2, "workplace": "别处"}),
        ),
    ] {
        let refused = client
            .send_with_headers(
                Method::PATCH,
                &path,
                Some(token),
                Some(&body),
                &[("if-match", tag)],
            )
            .await;
        refused.assert_problem(400, "VALIDATION_FAILED");
    }
    let now = client.get_auth(&path, token).await;
    assert_eq!(now.body["version"], 2);
    let text = now.body.to_string();
    assert!(
        text.contains("深圳湾实验室") && !text.contains("别处"),
        "{text}"
    );
}
