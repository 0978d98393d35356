//! `GET /v1/permit-applications/{application_id}`: one application with its history (its
//! applicant and staff; anyone else 404).

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::http::request::path_id;
use shared::http::response::{ApiResult, json};
use shared::services::permit_applications;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    let application_id = path_id(&req, "application_id")?;
    json(
        200,
        &permit_applications::get(ctx, &principal, &application_id).await?,
    )
}
