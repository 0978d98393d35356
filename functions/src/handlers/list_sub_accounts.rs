//! `GET /v1/unit/sub-accounts`: the unit administrator's sub-accounts (F8).

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::http::pagination::{self, list_response};
use shared::http::response::ApiResult;
use shared::services::sub_accounts;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    let scope = format!("sub-accounts|{}", principal.account_id);
    let page = pagination::page_request(ctx, &req, &scope)?;
    let members = sub_accounts::list(ctx, &principal, &page).await?;
    list_response(ctx, &scope, &members)
}
