//! `POST /v1/permit-applications/{application_id}/withdrawal`: the applicant withdraws an
//! application before approval.

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::http::Fields;
use shared::http::request::path_id;
use shared::http::response::{ApiResult, json};
use shared::services::permit_applications;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    let application_id = path_id(&req, "application_id")?;
    let record = permit_applications::withdrawable(ctx, &principal, &application_id).await?;
    Fields::from_optional_request(&req)?.finish()?;
    json(
        200,
        &permit_applications::withdraw(ctx, &principal, record).await?,
    )
}
