//! `GET /v1/registrations/{registration_id}`: a registration with its history of changes.

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::http::request::path_id;
use shared::http::response::{ApiResult, json, tagged};
use shared::services::registrations;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    let registration_id = path_id(&req, "registration_id")?;
    let detail = registrations::detail(ctx, &principal, &registration_id).await?;
    // The ETag names the version: what a change sends back in If-Match.
    tagged(json(200, &detail), detail.registration.version)
}
