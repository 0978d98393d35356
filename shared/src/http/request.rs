//! Reading what a request carries besides its body.

use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt};

use crate::error::ApiError;

/// The largest JSON body any operation accepts (a registration with houses fits many times over).
pub const MAX_JSON_BODY_BYTES: usize = 64 * 1024;

/// The caller's IP as API Gateway saw the connection (never a client-supplied header).
pub fn client_ip(req: &Request) -> String {
    match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.http.source_ip.clone(),
        _ => None,
    }
    .unwrap_or_else(|| "unknown".to_owned())
}

/// The id API Gateway gave the request (`requestContext.requestId`): the `X-Request-Id` of its
/// answer, the `instance` of a problem body, and a field of every log line written while it is
/// handled. A request without one (never through API Gateway) gets a fresh one.
pub fn request_id(req: &Request) -> String {
    match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.request_id.clone(),
        _ => None,
    }
    .filter(|id| !id.is_empty())
    .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

/// The version an `If-Match` header names (a change's alternative to the body's `version`):
/// `None` without the header; one strong tag `"v<version>"` as reads answer it
/// ([`crate::http::response::version_tag`]), else 400 at `If-Match`.
pub fn if_match_version(req: &Request) -> Result<Option<u32>, ApiError> {
    let Some(value) = req.headers().get(http::header::IF_MATCH) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|tag| tag.trim().strip_prefix("\"v"))
        .and_then(|rest| rest.strip_suffix('"'))
        .and_then(|digits| digits.parse::<u32>().ok())
        .filter(|&version| version >= 1)
        .map(Some)
        .ok_or_else(|| {
            ApiError::validation(crate::error::FieldError::new(
                "If-Match",
                "INVALID_FORMAT",
                "版本标记无效，请重新读取后再修改",
            ))
        })
}

/// The longest path parameter any route takes (a receipt or permit number, a building code, an
/// id): anything longer names nothing, and is 404 before any call.
pub const MAX_PATH_PARAM_LEN: usize = 64;

/// A path parameter of the route (`{name}` in `template.yaml`); 404 when absent or longer than
/// any identifier ([`MAX_PATH_PARAM_LEN`]).
pub fn path_param(req: &Request, name: &str) -> Result<String, ApiError> {
    path_param_up_to(req, name, MAX_PATH_PARAM_LEN)
}

/// The signed token in a verification page's path (`crate::documents::seal`): longer than an
/// identifier, and 404 beyond the longest token.
pub fn path_token(req: &Request, name: &str) -> Result<String, ApiError> {
    path_param_up_to(req, name, crate::documents::seal::MAX_TOKEN_LEN)
}

fn path_param_up_to(req: &Request, name: &str, max_len: usize) -> Result<String, ApiError> {
    req.path_parameters_ref()
        .and_then(|p| p.first(name))
        .filter(|value| value.len() <= max_len)
        .map(str::to_owned)
        .ok_or(ApiError::NotFound)
}

/// A path parameter that is one of the platform's ids (`account_id`, `link_id`,
/// `registration_id`, `application_id`): a UUID in its canonical form (lower-case hex, hyphens).
/// Anything else names no object: 404 before any call.
pub fn path_id(req: &Request, name: &str) -> Result<String, ApiError> {
    let value = path_param(req, name)?;
    match is_canonical_uuid(&value) {
        true => Ok(value),
        false => Err(ApiError::NotFound),
    }
}

/// Whether `value` is a UUID as the platform writes one: 8-4-4-4-12 lower-case hex digits.
pub fn is_canonical_uuid(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_digit() || (b'a'..=b'f').contains(b),
        })
}

/// A query-string parameter, if present.
pub fn query_param(req: &Request, name: &str) -> Option<String> {
    req.query_string_parameters_ref()
        .and_then(|q| q.first(name))
        .map(str::to_owned)
}

/// The two parts of a public check (`GET /v1/receipts/{no}`, `GET /v1/permits/{no}`): the number
/// in the path `param`, read by `parse`, and the `check_code` query parameter (`REQUIRED` when
/// absent or blank, with `missing_code`); every error at once.
pub fn public_check<T>(
    req: &Request,
    param: &str,
    parse: impl FnOnce(&str) -> Result<T, crate::invalid::Invalid>,
    missing_code: &str,
) -> Result<(T, String), ApiError> {
    let mut errors = Vec::new();
    let number = parse(&path_param(req, param)?)
        .map_err(|e| errors.push(e.at(param)))
        .ok();
    let check_code = query_param(req, "check_code").filter(|c| !c.trim().is_empty());
    if check_code.is_none() {
        errors.push(crate::invalid::FieldError::new(
            "check_code",
            "REQUIRED",
            missing_code,
        ));
    }
    match (number, check_code) {
        (Some(number), Some(check_code)) => Ok((number, check_code)),
        _ => Err(ApiError::Validation(errors)),
    }
}

/// The body as bytes, refusing anything over `MAX_JSON_BODY_BYTES`.
pub fn body_bytes(req: &Request) -> Result<&[u8], ApiError> {
    let bytes: &[u8] = match req.body() {
        Body::Empty => &[],
        Body::Text(text) => text.as_bytes(),
        Body::Binary(bytes) => bytes,
        _ => &[],
    };
    if bytes.len() > MAX_JSON_BODY_BYTES {
        return Err(ApiError::PayloadTooLarge);
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversized_bodies_are_refused() {
        let big = http::Request::builder()
            .body(Body::Text("x".repeat(MAX_JSON_BODY_BYTES + 1)))
            .unwrap();
        assert_eq!(body_bytes(&big).unwrap_err(), ApiError::PayloadTooLarge);
    }
}
