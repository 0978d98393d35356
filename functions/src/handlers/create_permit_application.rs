//! `POST /v1/me/permit-applications` (a verified residence-permit holder): apply for a residence
//! permit; accepted at once when the records prove every condition, `submitted` for staff on a
//! direct basis, 422 `NOT_ELIGIBLE` naming each unmet condition, 409 `APPLICATION_PENDING`.

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::http::Fields;
use shared::http::bodies;
use shared::http::fields::checked;
use shared::http::response::{ApiResult, json};
use shared::services::permit_applications;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    permit_applications::require_applicant(&principal)?;
    let mut f = Fields::from_request(&req)?;
    let request = bodies::permits::application_request(&mut f);
    f.finish()?;
    json(
        201,
        &permit_applications::apply(ctx, &principal, checked(request)?).await?,
    )
}
