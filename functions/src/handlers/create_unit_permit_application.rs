//! `POST /v1/unit/permit-applications` (the administrator of a unit on the residence-permit
//! platform): file for an employee (F25), stored awaiting the employee's consent.

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::http::Fields;
use shared::http::bodies;
use shared::http::fields::checked;
use shared::http::response::{ApiResult, json, with_quota};
use shared::services::unit_permits;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    unit_permits::require_permit_unit(&principal)?;
    let mut f = Fields::from_request(&req)?;
    let request = bodies::permits::unit_application(&mut f);
    f.finish()?;
    let (filed, quota) = unit_permits::file(ctx, &principal, checked(request)?).await?;
    with_quota(json(201, &filed), &quota)
}
