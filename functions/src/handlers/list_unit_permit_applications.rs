//! `GET /v1/unit/permit-applications` (a permit-platform unit's administrator): the applications
//! the unit filed for its employees, oldest first.

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::http::pagination::{self, list_response};
use shared::http::response::ApiResult;
use shared::services::unit_permits;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    let scope = format!("unit-permit-applications|{}", principal.account_id);
    let page = pagination::page_request(ctx, &req, &scope)?;
    let applications = unit_permits::list(ctx, &principal, &page).await?;
    list_response(ctx, &scope, &applications)
}
