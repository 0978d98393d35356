//! `DELETE /v1/sessions/current`: logout.

use lambda_http::Request;
use shared::AppContext;
use shared::auth::{Gate, authenticate_with};
use shared::http::response::{ApiResult, no_content};
use shared::services::sessions;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate_with(ctx, &req, Gate::AllowPasswordChange).await?;
    sessions::logout(ctx, &principal).await?;
    no_content()
}
