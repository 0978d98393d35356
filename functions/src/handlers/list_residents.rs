//! `GET /v1/me/houses/{link_id}/residents`: the residents declared under one's house link (F18).

use lambda_http::Request;
use shared::AppContext;
use shared::http::response::ApiResult;
use shared::services::registrations::Via;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    super::residents::list(ctx, req, Via::Own).await
}
