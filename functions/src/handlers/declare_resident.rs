//! `POST /v1/me/houses/{link_id}/residents`: declare a resident's move-in (F16).

use lambda_http::Request;
use shared::AppContext;
use shared::http::response::ApiResult;
use shared::services::registrations::Via;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    super::residents::declare(ctx, req, Via::Own).await
}
