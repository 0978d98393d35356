//! `POST /v1/permit-applications/{application_id}/consent` `{consent}` (the employee a unit's
//! filing names, in their own verified account): confirm the filing, which is then decided from
//! their records as their own application, or refuse it (F25).

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::http::Fields;
use shared::http::bodies;
use shared::http::fields::checked;
use shared::http::request::path_id;
use shared::http::response::{ApiResult, json};
use shared::services::unit_permits;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    let application_id = path_id(&req, "application_id")?;
    let (account, record) = unit_permits::consentable(ctx, &principal, &application_id).await?;
    let mut f = Fields::from_request(&req)?;
    let consent = bodies::permits::consent(&mut f);
    f.finish()?;
    json(
        200,
        &unit_permits::consent(ctx, &account, record, checked(consent)?).await?,
    )
}
