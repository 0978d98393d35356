//! Issue 28 (6): an id of 3,000 characters on `GET /v1/permit-applications/{id}` (and on the
//! withdrawal, the staff decision and the suspension) answered 503: DynamoDB refused the key.
//! Every route of `template.yaml` that takes a path parameter is called here by a caller who may
//! use it, with over-long and malformed values: each answers 404 (a public check, whose number
//! is a field the caller typed, may answer 400 naming it), never a 5xx.

use e2e_tests::fixtures;
use e2e_tests::houses::{staff_session, verify_at_counter};
use e2e_tests::units::{open_permit_unit, open_unit};
use e2e_tests::{Client, declared_routes, stack};
use reqwest::Method;
use serde_json::json;

/// Values no route's path parameter takes: too long, not an id, an id in another spelling.
fn hostile_values() -> Vec<String> {
    let id = uuid::Uuid::now_v7();
    vec![
        "a".repeat(3000),
        "0".repeat(2000),
        "x".repeat(65),
        id.to_string().to_ascii_uppercase(),
        id.simple().to_string(),
        format!("{{{id}}}"),
        format!("urn:uuid:{id}"),
        format!("{id}%20"),
        "..%2F..%2Fetc".into(),
        "%00".into(),
        "null".into(),
        "-1".into(),
        "%E4%BD%8F".into(),
    ]
}

#[tokio::test]
async fn every_path_parameter_is_checked_before_any_call() {
    let client = Client::new(stack());
    let (_, staff) = staff_session(&client).await;
    let (_, registration) = fixtures::logged_in(&client, "residence_registration").await;
    let (permit_holder, permit) = fixtures::logged_in(&client, "residence_permit").await;
    verify_at_counter(&client, &staff, &permit_holder.account_id).await;
    let unit = open_unit(&client, &staff, &["101"]).await;
    let (_, _, permit_unit) = open_permit_unit(&client, &staff).await;

    let mut checked = 0;
    for (method, route) in declared_routes() {
        if !route.contains('{') {
            continue;
        }
        // A caller the route is for, so that only the path parameter can refuse.
        let token = if route.starts_with("/v1/staff/") {
            Some(staff.as_str())
        } else if route.starts_with("/v1/unit/permits/") {
            Some(permit_unit.as_str())
        } else if route.starts_with("/v1/unit/") {
            Some(unit.admin_token.as_str())
        } else if route.starts_with("/v1/permit-applications/") {
            Some(permit.as_str())
        } else if route.starts_with("/v1/me/") || route.starts_with("/v1/registrations/") {
            Some(registration.as_str())
        } else {
            None
        };
        let public_check = route.starts_with("/v1/receipts/") || route.starts_with("/v1/permits/");
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let body = (method != Method::GET).then(|| json!({}));
        for value in hostile_values() {
            let start = route.find('{').unwrap();
            let end = route.find('}').unwrap();
            let path = format!("{}{}{}", &route[..start], value, &route[end + 1..]);
            let path = if public_check {
                format!("{path}?check_code=ABCD2345")
            } else {
                path
            };
            let answer = client
                .send(method.clone(), &path, token, body.as_ref())
                .await;
            let status = answer.status.as_u16();
            let allowed: &[u16] = if public_check { &[400, 404] } else { &[404] };
            assert!(
                allowed.contains(&status),
                "{method} {route} with {}…: {status} {:#}",
                &value[..value.len().min(40)],
                answer.body
            );
            // The page a QR code opens answers HTML, its errors too.
            let expected = match route.as_str() {
                "/v1/verify/{token}" => "text/html; charset=utf-8",
                _ => "application/problem+json",
            };
            assert_eq!(answer.content_type(), expected, "{route}");
            checked += 1;
        }
    }
    assert!(checked >= 20 * hostile_values().len(), "{checked} calls");

    // An id of the right form that names nothing: 404 once looked up (a changing route may
    // first refuse its empty body: 400), never a 5xx.
    for (method, route) in declared_routes() {
        if !route.contains("_id}") {
            continue;
        }
        let start = route.find('{').unwrap();
        let end = route.find('}').unwrap();
        let path = format!(
            "{}{}{}",
            &route[..start],
            uuid::Uuid::now_v7(),
            &route[end + 1..]
        );
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let body = (method != Method::GET).then(|| json!({}));
        let answer = client
            .send(method.clone(), &path, Some(staff.as_str()), body.as_ref())
            .await;
        assert!(
            answer.status.is_client_error(),
            "{method} {route}: {:#}",
            answer.body
        );
    }
}
