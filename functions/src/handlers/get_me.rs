//! `GET /v1/me`: the caller's account, personal numbers masked.

use lambda_http::Request;
use shared::AppContext;
use shared::auth::{Gate, authenticate_with};
use shared::http::response::{ApiResult, json};
use shared::services::account_settings;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate_with(ctx, &req, Gate::AllowPasswordChange).await?;
    json(200, &account_settings::me(ctx, &principal).await?)
}
