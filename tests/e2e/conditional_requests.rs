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
