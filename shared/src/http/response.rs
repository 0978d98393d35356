//! Writing responses: JSON, PDF, empty, and `application/problem+json` errors.

use lambda_http::{Body, Response};
use serde::Serialize;

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

/// The problem+json answer for an error, with `Retry-After` where it has one.
pub fn problem(error: &ApiError) -> Response<Body> {
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
    builder
        .body(Body::Text(error.problem().to_string()))
        .expect("static response parts are valid")
}

/// Turns an operation's outcome into the response, errors included.
pub fn finish(result: ApiResult) -> Response<Body> {
    result.unwrap_or_else(|error| problem(&error))
}
