//! Writing responses: JSON, PDF, empty, and `application/problem+json` errors.

use std::future::Future;

use lambda_http::{Body, Request, Response};
use serde::Serialize;
use tracing::Instrument;

use crate::error::{ApiError, LimitPolicy};

pub type ApiResult = Result<Response<Body>, ApiError>;

pub fn json(status: u16, value: &impl Serialize) -> ApiResult {
    let body = serde_json::to_string(value).map_err(|_| ApiError::ServiceUnavailable)?;
    Ok(Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("cache-control", "no-store")
        .body(Body::Text(body))
        .expect("static response parts are valid"))
}

/// The entity tag of version `version` of an object (a registration): what its reads answer in
/// `ETag` and what a change takes in `If-Match`.
pub fn version_tag(version: u32) -> String {
    format!("\"v{version}\"")
}

/// `answer` with the entity tag of `version` (instead of a hash of its body).
pub fn tagged(answer: ApiResult, version: u32) -> ApiResult {
    let mut response = answer?;
    if let Ok(value) = http::HeaderValue::from_str(&version_tag(version)) {
        response.headers_mut().insert(http::header::ETAG, value);
    }
    Ok(response)
}

/// `answer` with where its caller stands against the route's limit ([`rate_limit_headers`]).
pub fn with_quota(answer: ApiResult, quota: &crate::services::limits::Quota) -> ApiResult {
    let mut response = answer?;
    rate_limit_headers(&mut response, &quota.policy, quota.remaining, quota.reset);
    Ok(response)
}

/// `RateLimit-Policy` (the policy: its hits per window `q` and the window `w` in seconds) and
/// `RateLimit` (what is left, `r`, and the seconds until the window ends, `t`), in the
/// structured-field form of the IETF RateLimit header fields draft; a client paces itself by
/// them.
fn rate_limit_headers(
    response: &mut Response<Body>,
    policy: &LimitPolicy,
    remaining: u32,
    reset: u64,
) {
    let LimitPolicy {
        name,
        limit,
        window,
    } = policy;
    let policy = format!("\"{name}\";q={limit};w={window}");
    let state = format!("\"{name}\";r={remaining};t={reset}");
    for (header, value) in [("ratelimit-policy", policy), ("ratelimit", state)] {
        if let Ok(value) = http::HeaderValue::from_str(&value) {
            response.headers_mut().insert(header, value);
        }
    }
}

/// How long a client or a shared cache may keep an answer of reference data (districts, streets,
/// buildings, houses: changed only when the operator loads new data), in seconds.
pub const REFERENCE_MAX_AGE: u32 = 3600;

/// `answer` of public reference data, cacheable for [`REFERENCE_MAX_AGE`] (with its `ETag`,
/// [`respond`], a client revalidates for a 304 after that).
pub fn reference_data(answer: ApiResult) -> ApiResult {
    let mut response = answer?;
    let value = format!("public, max-age={REFERENCE_MAX_AGE}");
    if let Ok(value) = http::HeaderValue::from_str(&value) {
        response
            .headers_mut()
            .insert(http::header::CACHE_CONTROL, value);
    }
    Ok(response)
}

/// A PDF document, shown inline (printable from the app's viewer) under `filename`.
pub fn pdf(document: Vec<u8>, filename: &str) -> ApiResult {
    Response::builder()
        .status(200)
        .header("content-type", "application/pdf")
        .header(
            "content-disposition",
            format!("inline; filename=\"{filename}\""),
        )
        .header("cache-control", "no-store")
        .body(Body::Binary(document))
        .map_err(|_| ApiError::Internal)
}

pub fn no_content() -> ApiResult {
    Ok(Response::builder()
        .status(204)
        .header("cache-control", "no-store")
        .body(Body::Empty)
        .expect("static response parts are valid"))
}

/// The problem+json answer for an error of the request `request_id` (its `instance`, and the
/// `X-Request-Id` header), with `Retry-After` where it has one.
pub fn problem(error: &ApiError, request_id: &str) -> Response<Body> {
    let mut builder = Response::builder()
        .status(error.status())
        .header("content-type", "application/problem+json")
        .header("cache-control", "no-store");
    if let Some(seconds) = error.retry_after() {
        builder = builder.header("retry-after", seconds.to_string());
    }
    if let ApiError::Exists { existing, .. } = error
        && let Some(location) = &existing.location
    {
        builder = builder.header("location", location.as_str());
    }
    if matches!(
        error,
        ApiError::Unauthenticated(_) | ApiError::SessionReplaced
    ) {
        builder = builder.header("www-authenticate", "Bearer");
    }
    let mut body = error.problem();
    let limit = match error {
        ApiError::RateLimited {
            retry_after,
            policy: Some(policy),
        } => Some((policy, *retry_after)),
        _ => None,
    };
    body["instance"] = serde_json::Value::String(request_id.to_owned());
    let mut response = builder
        .body(Body::Text(body.to_string()))
        .expect("static response parts are valid");
    with_request_id(&mut response, request_id);
    if let Some((policy, retry_after)) = limit {
        rate_limit_headers(&mut response, policy, 0, retry_after.max(1));
    }
    response
}

/// Sets the answer's `X-Request-Id`.
pub fn with_request_id(response: &mut Response<Body>, request_id: &str) {
    if let Ok(value) = http::HeaderValue::from_str(request_id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
}

/// The header every answer carries its request's id in.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Handles `request` with `handle` inside a span that carries its request id (so every log line
/// written meanwhile names it), then answers: the outcome, an error as problem+json, with the
/// `X-Request-Id` header either way. A successful answer with a body gets an `ETag` (a hash of
/// the body); a GET or HEAD whose `If-None-Match` names it gets 304 without the body; a HEAD gets
/// the GET's headers without its body (RFC 9110).
pub async fn respond<F, Fut>(request: Request, handle: F) -> Response<Body>
where
    F: FnOnce(Request) -> Fut,
    Fut: Future<Output = ApiResult>,
{
    let request_id = crate::http::request::request_id(&request);
    let method = request.method().clone();
    let if_none_match = request
        .headers()
        .get(http::header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let span = tracing::info_span!("request", request_id = %request_id);
    let mut response = match handle(request).instrument(span).await {
        Ok(response) => response,
        Err(error) => problem(&error, &request_id),
    };
    with_request_id(&mut response, &request_id);
    let tag = match response.headers().get(http::header::ETAG) {
        Some(given) => given.to_str().ok().map(str::to_owned),
        None => entity_tag(response.body()),
    };
    if response.status().is_success()
        && let Some(tag) = tag
    {
        let reading = method == http::Method::GET || method == http::Method::HEAD;
        if reading && if_none_match.is_some_and(|tags| none_match_fails(&tags, &tag)) {
            *response.status_mut() = http::StatusCode::NOT_MODIFIED;
            *response.body_mut() = Body::Empty;
            response.headers_mut().remove(http::header::CONTENT_TYPE);
        }
        if let Ok(value) = http::HeaderValue::from_str(&tag) {
            response.headers_mut().insert(http::header::ETAG, value);
        }
    }
    if method == http::Method::HEAD {
        *response.body_mut() = Body::Empty;
    }
    response
}

/// A strong entity tag of an answer's body: a hash of its bytes; none for an empty body.
fn entity_tag(body: &Body) -> Option<String> {
    let bytes: &[u8] = match body {
        Body::Text(text) => text.as_bytes(),
        Body::Binary(bytes) => bytes,
        _ => return None,
    };
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    use base64::Engine;
    let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16]);
    Some(format!("\"{encoded}\""))
}

/// Whether `If-None-Match` (a list of entity tags, or `*`) names `tag`: then the condition
/// fails and a GET answers 304 (weak comparison, RFC 9110 13.1.2).
fn none_match_fails(tags: &str, tag: &str) -> bool {
    tags.split(',').map(str::trim).any(|candidate| {
        candidate == "*" || candidate.strip_prefix("W/").unwrap_or(candidate) == tag
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer of log lines into a shared buffer.
    #[derive(Clone, Default)]
    struct Lines(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Lines {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// Issue 30: every log line written while a request is handled names its request id, in the
    /// JSON lines Lambda's log format gives (the subscriber `lambda_http::tracing` sets up for
    /// `AWS_LAMBDA_LOG_FORMAT=JSON`, built here without its global state).
    #[test]
    fn every_log_line_of_a_request_names_its_request_id() {
        use lambda_http::tracing::subscriber;
        let lines = Lines::default();
        let writer = lines.clone();
        let collector = subscriber::fmt()
            .with_target(false)
            .without_time()
            .with_writer(move || writer.clone())
            .json()
            .finish();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let response = tracing::subscriber::with_default(collector, || {
            runtime.block_on(respond(Request::default(), |_| async {
                tracing::info!("the handler at work");
                tracing::warn!(code = "X", "and in trouble");
                Err(ApiError::NotFound)
            }))
        });
        let id = header(&response);
        let text = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
        let logged: Vec<serde_json::Value> = text
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(logged.len(), 2, "{text}");
        for line in &logged {
            assert_eq!(line["span"]["request_id"], id.as_str(), "{line}");
        }
    }

    fn header(response: &Response<Body>) -> String {
        response.headers()[REQUEST_ID_HEADER]
            .to_str()
            .unwrap()
            .to_owned()
    }

    #[tokio::test]
    async fn every_answer_names_its_request_and_a_problem_repeats_it_as_its_instance() {
        let ok = respond(Request::default(), |_| async { no_content() }).await;
        assert_eq!(ok.status(), 204);
        assert!(!header(&ok).is_empty());

        let failed = respond(Request::default(), |_| async { Err(ApiError::NotFound) }).await;
        assert_eq!(failed.status(), 404);
        let Body::Text(body) = failed.body() else {
            panic!("a problem body is text")
        };
        let body: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(body["instance"], header(&failed));
        assert_eq!(body["code"], "NOT_FOUND");
    }

    fn get(method: &str, if_none_match: Option<&str>) -> Request {
        let mut request = http::Request::builder().method(method).uri("/v1/districts");
        if let Some(tags) = if_none_match {
            request = request.header("if-none-match", tags);
        }
        request.body(Body::Empty).unwrap()
    }

    async fn districts(request: Request) -> Response<Body> {
        respond(request, |_| async {
            json(200, &serde_json::json!({"items": [1, 2]}))
        })
        .await
    }

    #[tokio::test]
    async fn a_read_carries_its_entity_tag_and_a_matching_if_none_match_gets_304() {
        let first = districts(get("GET", None)).await;
        assert_eq!(first.status(), 200);
        let tag = first.headers()["etag"].to_str().unwrap().to_owned();
        assert!(
            tag.starts_with('"') && tag.ends_with('"') && tag.len() > 10,
            "{tag}"
        );
        assert!(matches!(first.body(), Body::Text(text) if text.contains("items")));

        for tags in [
            tag.clone(),
            format!("W/{tag}"),
            format!("\"other\", {tag}"),
            "*".into(),
        ] {
            let again = districts(get("GET", Some(&tags))).await;
            assert_eq!(again.status(), 304, "{tags}");
            assert!(matches!(again.body(), Body::Empty));
            assert_eq!(again.headers()["etag"], tag.as_str());
        }
        let changed = districts(get("GET", Some("\"other\""))).await;
        assert_eq!(changed.status(), 200);
    }

    #[tokio::test]
    async fn a_head_gets_the_gets_headers_without_its_body() {
        let head = districts(get("HEAD", None)).await;
        let full = districts(get("GET", None)).await;
        assert_eq!(head.status(), 200);
        assert!(matches!(head.body(), Body::Empty));
        assert_eq!(head.headers()["etag"], full.headers()["etag"]);
        assert_eq!(head.headers()["content-type"], "application/json");
    }
}
