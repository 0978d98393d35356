//! Writing responses: JSON, PDF, empty, and `application/problem+json` errors.

use std::future::Future;

use lambda_http::{Body, Request, Response};
use serde::Serialize;
use tracing::Instrument;

use crate::error::ApiError;

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
    if matches!(
        error,
        ApiError::Unauthenticated(_) | ApiError::SessionReplaced
    ) {
        builder = builder.header("www-authenticate", "Bearer");
    }
    let mut body = error.problem();
    body["instance"] = serde_json::Value::String(request_id.to_owned());
    let mut response = builder
        .body(Body::Text(body.to_string()))
        .expect("static response parts are valid");
    with_request_id(&mut response, request_id);
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
/// `X-Request-Id` header either way.
pub async fn respond<F, Fut>(request: Request, handle: F) -> Response<Body>
where
    F: FnOnce(Request) -> Fut,
    Fut: Future<Output = ApiResult>,
{
    let request_id = crate::http::request::request_id(&request);
    let span = tracing::info_span!("request", request_id = %request_id);
    match handle(request).instrument(span).await {
        Ok(mut response) => {
            with_request_id(&mut response, &request_id);
            response
        }
        Err(error) => problem(&error, &request_id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
