//! `POST /v1/staff/permits/{permit_no}/cancellation` (staff): `{reason}`; cancels a permit (a
//! Shenzhen hukou, or a permit obtained by fraud), the holder told by SMS.

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::http::Fields;
use shared::http::bodies;
use shared::http::fields::checked;
use shared::http::request::path_param;
use shared::http::response::{ApiResult, json};
use shared::services::residence_permits;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    let permit_no = path_param(&req, "permit_no")?;
    let permit = residence_permits::staff_permit(ctx, &principal, &permit_no).await?;
    let mut f = Fields::from_request(&req)?;
    let reason = bodies::permits::cancellation_reason(&mut f);
    f.finish()?;
    json(
        200,
        &residence_permits::cancel(ctx, &principal, permit, checked(reason)?).await?,
    )
}
