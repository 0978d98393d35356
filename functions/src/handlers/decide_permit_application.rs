//! `POST /v1/staff/permit-applications/{application_id}/decision` (staff): `{approve, reason?}`
//! on an application that waits; approval issues the permit, a refusal carries its reason.

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::http::Fields;
use shared::http::bodies;
use shared::http::fields::checked;
use shared::http::request::path_id;
use shared::http::response::{ApiResult, json};
use shared::services::permit_decisions;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    let application_id = path_id(&req, "application_id")?;
    let record = permit_decisions::staff_application(ctx, &principal, &application_id).await?;
    let mut f = Fields::from_request(&req)?;
    let decision = bodies::permits::decision(&mut f);
    f.finish()?;
    json(
        200,
        &permit_decisions::decide(ctx, &principal, record, checked(decision)?).await?,
    )
}
