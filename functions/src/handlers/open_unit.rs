//! `POST /v1/staff/units`: counter staff open a unit account (F3): the organization, its
//! administrator with an initial password, and its houses, approved at once.

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::http::Fields;
use shared::http::bodies;
use shared::http::fields::checked;
use shared::http::response::{ApiResult, json};
use shared::services::authorization::require_staff;
use shared::services::units;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    require_staff(&principal)?;
    let mut f = Fields::from_request(&req)?;
    let opening =
        bodies::units::unit_opening(&mut f, ctx.config.houses.max_houses_per_unit_opening);
    f.finish()?;
    json(201, &units::open(ctx, &principal, checked(opening)?).await?)
}
