//! `GET /v1/staff/permit-applications?status=submitted` (staff): applications waiting for a
//! decision, oldest first.

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::error::{ApiError, FieldError};
use shared::http::pagination::{self, list_response};
use shared::http::request::query_param;
use shared::http::response::ApiResult;
use shared::services::permit_decisions;

const SCOPE: &str = "staff-permit-applications";

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    let status = query_param(&req, "status").unwrap_or_else(|| "submitted".into());
    if status != "submitted" {
        return Err(ApiError::validation(FieldError::new(
            "status",
            "UNSUPPORTED_STATUS",
            "目前只能查询待审核的申请",
        )));
    }
    let page = pagination::page_request(ctx, &req, SCOPE)?;
    let applications = permit_decisions::queue(ctx, &principal, &page).await?;
    list_response(ctx, SCOPE, &applications)
}
