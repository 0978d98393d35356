//! Paginated lists: `limit` and an opaque `cursor` in, `{"items": [...], "next_cursor": …}` out.
//!
//! A cursor is the list's position (a JSON value: DynamoDB's `LastEvaluatedKey`, or the positions
//! of several queries) signed with the data key and bound to its list's *scope* (the query it
//! continues). A cursor that was tampered with, or that belongs to another list or another
//! caller's list, is refused as `INVALID_CURSOR` instead of reaching DynamoDB.

use lambda_http::Request;
use serde::Serialize;
use serde_json::Value;

use crate::context::AppContext;
use crate::error::{ApiError, FieldError};
use crate::http::request::query_param;
use crate::http::response::{ApiResult, json};

pub const DEFAULT_LIMIT: u32 = 20;
pub const MAX_LIMIT: u32 = 100;

pub use crate::store::page::{Page, PageRequest};

#[derive(Serialize)]
struct ListBody<'a, T> {
    items: &'a [T],
    next_cursor: Option<String>,
}

fn signature(ctx: &AppContext, scope: &str, payload: &str) -> String {
    crate::crypto::keyed_hash(&ctx.config.hash_key, "cursor", &[scope, payload])[..32].to_owned()
}

/// The opaque text of a position in the list named by `scope`.
pub fn encode_cursor(ctx: &AppContext, scope: &str, position: &Value) -> String {
    let payload = crate::crypto::base64url(position.to_string().as_bytes());
    let signature = signature(ctx, scope, &payload);
    format!("{payload}.{signature}")
}

/// The position a cursor of the list `scope` names, if it is genuine.
pub fn decode_cursor(ctx: &AppContext, scope: &str, cursor: &str) -> Option<Value> {
    let (payload, signature_text) = cursor.split_once('.')?;
    let expected = signature(ctx, scope, payload);
    if !crate::crypto::constant_time_eq(&expected, signature_text) {
        return None;
    }
    let bytes = crate::crypto::base64url_decode(payload)?;
    serde_json::from_slice(&bytes).ok()
}

/// Reads `limit` (1–100, default 20) and `cursor` (a genuine cursor of the list `scope`) from the
/// query string.
pub fn page_request(ctx: &AppContext, req: &Request, scope: &str) -> Result<PageRequest, ApiError> {
    let mut errors = Vec::new();
    let limit = match query_param(req, "limit") {
        None => DEFAULT_LIMIT,
        Some(text) => match text.trim().parse::<u32>() {
            Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => limit,
            _ => {
                errors.push(FieldError::new(
                    "limit",
                    "INVALID_LIMIT",
                    format!("每页条数须为1至{MAX_LIMIT}的整数"),
                ));
                DEFAULT_LIMIT
            }
        },
    };
    let after = match query_param(req, "cursor").filter(|c| !c.is_empty()) {
        None => None,
        Some(text) => {
            let position = decode_cursor(ctx, scope, &text);
            if position.is_none() {
                errors.push(FieldError::new(
                    "cursor",
                    "INVALID_CURSOR",
                    "翻页标记无效，请从第一页重新查询",
                ));
            }
            position
        }
    };
    if errors.is_empty() {
        Ok(PageRequest { limit, after })
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// The list answer: `{"items": [...], "next_cursor": "<opaque>" | null}`.
pub fn list_response<T: Serialize>(ctx: &AppContext, scope: &str, page: &Page<T>) -> ApiResult {
    json(
        200,
        &ListBody {
            items: &page.items,
            next_cursor: page.next.as_ref().map(|p| encode_cursor(ctx, scope, p)),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ctx() -> std::sync::Arc<AppContext> {
        AppContext::for_tests()
    }

    #[test]
    fn cursors_round_trip_only_within_their_scope() {
        let ctx = ctx();
        let position = json!({"pk": "BUILDING#1", "sk": "HOUSE#2"});
        let cursor = encode_cursor(&ctx, "houses:1", &position);
        assert_eq!(decode_cursor(&ctx, "houses:1", &cursor), Some(position));
        assert_eq!(decode_cursor(&ctx, "houses:2", &cursor), None);
        let (payload, sig) = cursor.split_once('.').unwrap();
        let forged = crate::crypto::base64url(br#"{"pk":"ACCOUNT#x"}"#);
        assert_eq!(
            decode_cursor(&ctx, "houses:1", &format!("{forged}.{sig}")),
            None
        );
        assert_eq!(decode_cursor(&ctx, "houses:1", payload), None);
        assert_eq!(decode_cursor(&ctx, "houses:1", "garbage"), None);
    }
}
