//! `GET /v1/me/permit` (residence-permit accounts, a verified identity): the holder's permit, its
//! status today, the next endorsement window and its endorsements; 404 when they have none.

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::http::response::{ApiResult, json};
use shared::services::residence_permits;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    json(200, &residence_permits::my_permit(ctx, &principal).await?)
}
