//! `GET /v1/me`: the caller's account, personal numbers masked.

use lambda_http::Request;
use shared::AppContext;
use shared::auth::{Gate, authenticate_with};
use shared::error::ApiError;
use shared::http::response::{ApiResult, json};
use shared::services::account_view::AccountView;
use shared::store::accounts;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate_with(ctx, &req, Gate::AllowPasswordChange).await?;
    let account = accounts::find_by_id(ctx, &principal.account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    json(200, &AccountView::from(&account))
}
