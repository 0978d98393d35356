//! `POST /v1/unit/permits/{permit_no}/endorsements` (a permit-platform unit's administrator):
//! endorse a permit issued on an application the unit filed, decided from the holder's records.

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::http::Fields;
use shared::http::request::path_param;
use shared::http::response::{ApiResult, json};
use shared::services::unit_permits;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    let permit_no = path_param(&req, "permit_no")?;
    let (admin, permit) = unit_permits::unit_permit(ctx, &principal, &permit_no).await?;
    Fields::from_optional_request(&req)?.finish()?;
    json(201, &unit_permits::endorse(ctx, &admin, permit).await?)
}
