//! `GET /v1/me/data-access`: who read or received the caller's personal data (PIPL processing
//! records), newest first, for a citizen's own account with a verified identity.

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::http::pagination::{self, list_response};
use shared::http::response::ApiResult;
use shared::services::data_access;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    let scope = format!("data-access|{}", principal.account_id);
    let page = pagination::page_request(ctx, &req, &scope)?;
    let records = data_access::my_data_access(ctx, &principal, &page).await?;
    list_response(ctx, &scope, &records)
}
