//! `POST /v1/staff/house-links/{link_id}/residents`: counter staff declare a move-in on the
//! declarant's behalf (F21).

use lambda_http::Request;
use shared::AppContext;
use shared::http::response::ApiResult;
use shared::services::registrations::Via;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    super::residents::declare(ctx, req, Via::Counter).await
}
