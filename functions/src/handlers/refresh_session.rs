//! `POST /v1/sessions/refresh` `{refresh_token, device_id?}` → 201, the login's shape: a new access
//! token and the next refresh token (the one shown is spent).

use lambda_http::Request;
use shared::AppContext;
use shared::auth::refresh_token::RefreshToken;
use shared::domain::account::DeviceId;
use shared::error::{ApiError, Invalid};
use shared::http::Fields;
use shared::http::fields::checked;
use shared::http::response::{ApiResult, json};
use shared::services::sessions;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let mut f = Fields::from_request(&req)?;
    let token = f.required("refresh_token", |text| {
        // Well-formed or not, a token that is no live one is simply not accepted (401 below).
        match text.is_empty() || text.len() > 512 {
            true => Err(Invalid::new("INVALID_LENGTH", "请提供登录时获得的续期凭证")),
            false => Ok(RefreshToken::parse(text)),
        }
    });
    let device_id = f.optional("device_id", DeviceId::parse);
    f.finish()?;
    let token = checked(token)?.ok_or(ApiError::Unauthenticated("登录已失效，请重新登录"))?;
    let issued = sessions::refresh(ctx, &token, device_id.as_ref()).await?;
    json(201, &issued)
}
