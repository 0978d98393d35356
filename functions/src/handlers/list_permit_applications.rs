//! `GET /v1/me/permit-applications`: the caller's residence-permit applications, oldest first.

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::http::pagination::{self, list_response};
use shared::http::response::ApiResult;
use shared::services::permit_applications;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    let scope = format!("permit-applications|{}", principal.account_id);
    let page = pagination::page_request(ctx, &req, &scope)?;
    let applications = permit_applications::list_mine(ctx, &principal, &page).await?;
    list_response(ctx, &scope, &applications)
}
