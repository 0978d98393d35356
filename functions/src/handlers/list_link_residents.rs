//! `GET /v1/staff/house-links/{link_id}/residents`: counter staff list a house link's residents (F21).

use lambda_http::Request;
use shared::AppContext;
use shared::http::response::ApiResult;
use shared::services::registrations::Via;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    super::residents::list(ctx, req, Via::Counter).await
}
