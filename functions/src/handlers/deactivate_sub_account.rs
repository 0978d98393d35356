//! `POST /v1/unit/sub-accounts/{account_id}/deactivation`: the unit administrator deactivates a
//! sub-account; its session ends at once (F8).

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::http::request::path_id;
use shared::http::response::{ApiResult, json};
use shared::services::sub_accounts;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    let account_id = path_id(&req, "account_id")?;
    let member = sub_accounts::managed(ctx, &principal, &account_id).await?;
    json(200, &sub_accounts::deactivate(ctx, member).await?)
}
