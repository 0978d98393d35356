//! `GET /v1/me/houses`: the caller's house links with their review status.

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::http::pagination::{self, list_response};
use shared::http::response::ApiResult;
use shared::services::house_links;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    let scope = format!("my-houses|{}", principal.account_id);
    let page = pagination::page_request(ctx, &req, &scope)?;
    let links = house_links::list(ctx, &principal, &page).await?;
    list_response(ctx, &scope, &links)
}
