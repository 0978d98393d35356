//! `GET /v1/me/residence-records`: a residence-permit account holder's own registrations, with
//! how long each lasted (F23).

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::http::pagination::{self, list_response};
use shared::http::response::ApiResult;
use shared::services::registrations;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    let scope = format!("residence-records|{}", principal.account_id);
    let page = pagination::page_request(ctx, &req, &scope)?;
    let records = registrations::residence_records(ctx, &principal, &page).await?;
    list_response(ctx, &scope, &records)
}
