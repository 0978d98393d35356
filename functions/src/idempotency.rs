//! The `Idempotency-Key` header of every POST, PUT and PATCH: a request sent again with the key
//! of an earlier one gets that one's answer (`Idempotent-Replayed: true`) instead of running
//! again ([`shared::services::idempotency`]).

use lambda_http::{Body, Request, Response};
use shared::AppContext;
use shared::error::{ApiError, FieldError};
use shared::http::response::{ApiResult, problem};
use shared::services::idempotency::{self, Answer, Begun, KeyedRequest};

pub const KEY_HEADER: &str = "idempotency-key";
pub const REPLAYED_HEADER: &str = "idempotent-replayed";

/// The headers of an answer that are kept with it and given back.
const KEPT_HEADERS: [&str; 5] = [
    "content-type",
    "location",
    "etag",
    "cache-control",
    "content-disposition",
];

/// Runs `handle` on `req`, under its `Idempotency-Key` when it is a change that carries one.
pub async fn idempotent<F, Fut>(ctx: &AppContext, req: Request, handle: F) -> ApiResult
where
    F: FnOnce(Request) -> Fut,
    Fut: Future<Output = ApiResult>,
{
    let changes = matches!(
        *req.method(),
        lambda_http::http::Method::POST
            | lambda_http::http::Method::PUT
            | lambda_http::http::Method::PATCH
    );
    let Some(value) = req.headers().get(KEY_HEADER).filter(|_| changes) else {
        return handle(req).await;
    };
    let key = parse_key(value.as_bytes())?;
    // Whose key it is: the account of a genuine, unexpired token (the handler then checks the
    // session as ever); anyone's otherwise.
    let account_id = shared::auth::session::bearer_token(&req)
        .and_then(|token| shared::auth::jwt::verify(&ctx.config, token).ok())
        .map(|claims| claims.sub);
    let method = req.method().as_str().to_owned();
    let target = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.uri().path().to_owned(), |p| p.as_str().to_owned());
    let body = req.body().to_vec();
    let request_id = shared::http::request::request_id(&req);
    let keyed = KeyedRequest {
        key: &key,
        account_id: account_id.as_deref(),
        method: &method,
        target: &target,
        body: &body,
    };
    let run = match idempotency::begin(ctx, &keyed).await? {
        Begun::Replay(answer) => {
            // An answer goes back to a session that is still the account's, as every answer does
            // (one consistent read; a replaced one is `SESSION_REPLACED`).
            if account_id.is_some() {
                shared::auth::authenticate_with(ctx, &req, shared::auth::Gate::AllowPasswordChange)
                    .await?;
            }
            return Ok(replayed(answer, &request_id));
        }
        Begun::Run(run) => run,
    };
    let response = match run.within(handle(req)).await {
        Ok(response) => response,
        Err(error) => problem(&error, &request_id),
    };
    let (parts, body) = response.into_parts();
    let answer = Answer {
        status: parts.status.as_u16(),
        headers: KEPT_HEADERS
            .iter()
            .filter_map(|name| {
                let value = parts.headers.get(*name)?.to_str().ok()?;
                Some(((*name).to_owned(), value.to_owned()))
            })
            .collect(),
        body: body.to_vec(),
    };
    idempotency::end(ctx, run, &answer, worth_keeping(answer.status)).await;
    Ok(Response::from_parts(parts, body))
}

/// Whether an answer is kept for the key: successes and the answers a retry would get again
/// (absent, conflicts, failed preconditions, refusals on the merits). Answers the client fixes
/// and sends again (a wrong field, no or another login, a limit, a failure) free the key.
fn worth_keeping(status: u16) -> bool {
    (200..300).contains(&status) || matches!(status, 404 | 409 | 410 | 412 | 422)
}

/// 1–255 printable ASCII characters.
fn parse_key(value: &[u8]) -> Result<String, ApiError> {
    let fits = (1..=255).contains(&value.len()) && value.iter().all(|b| (0x20..=0x7e).contains(b));
    match std::str::from_utf8(value) {
        Ok(text) if fits && !text.trim().is_empty() => Ok(text.to_owned()),
        _ => Err(ApiError::validation(FieldError::new(
            "Idempotency-Key",
            "INVALID_FORMAT",
            "请求编号须为1至255个可打印的英文字符",
        ))),
    }
}

/// The kept answer, given back: marked as a replay, and a problem's `instance` naming this
/// request (its id is in `X-Request-Id`).
fn replayed(answer: Answer, request_id: &str) -> Response<Body> {
    let is_problem = answer
        .headers
        .iter()
        .any(|(name, value)| name == "content-type" && value.starts_with("application/problem"));
    let mut body = answer.body;
    if is_problem && let Ok(mut problem) = serde_json::from_slice::<serde_json::Value>(&body) {
        problem["instance"] = serde_json::json!(request_id);
        body = serde_json::to_vec(&problem).unwrap_or(body);
    }
    let mut builder = Response::builder()
        .status(answer.status)
        .header(REPLAYED_HEADER, "true");
    for (name, value) in &answer.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let body = match body.is_empty() {
        true => Body::Empty,
        false => match String::from_utf8(body) {
            Ok(text) => Body::Text(text),
            Err(bytes) => Body::Binary(bytes.into_bytes()),
        },
    };
    builder
        .body(body)
        .unwrap_or_else(|_| problem(&ApiError::Internal, request_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_one_to_255_printable_ascii_characters() {
        assert!(parse_key(b"0196b0a4-7c2e-7a51-9d3e-5b1f2c3d4e5f").is_ok());
        assert!(parse_key(&[b'k'; 255]).is_ok());
        for bad in [
            &b""[..],
            b"   ",
            &[b'k'; 256],
            "键".as_bytes(),
            b"tab\there",
        ] {
            let error = parse_key(bad).unwrap_err();
            assert_eq!(error.problem()["errors"][0]["field"], "Idempotency-Key");
        }
    }

    #[test]
    fn answers_a_client_fixes_free_the_key() {
        for kept in [200, 201, 204, 404, 409, 412, 422] {
            assert!(worth_keeping(kept), "{kept}");
        }
        for freed in [400, 401, 403, 413, 415, 429, 500, 503] {
            assert!(!worth_keeping(freed), "{freed}");
        }
    }
}
