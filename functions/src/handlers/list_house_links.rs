//! `GET /v1/staff/house-links?status=pending` (staff): links waiting for review, oldest first.

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::error::{ApiError, FieldError};
use shared::http::pagination::{self, list_response};
use shared::http::request::query_param;
use shared::http::response::ApiResult;
use shared::services::house_links;

const SCOPE: &str = "staff-pending-links";

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    let status = query_param(&req, "status").unwrap_or_else(|| "pending".into());
    if status != "pending" {
        return Err(ApiError::validation(FieldError::new(
            "status",
            "UNSUPPORTED_STATUS",
            "目前只能查询待审核的房屋关联",
        )));
    }
    let page = pagination::page_request(ctx, &req, SCOPE)?;
    let links = house_links::pending(ctx, &principal, &page).await?;
    list_response(ctx, SCOPE, &links)
}
