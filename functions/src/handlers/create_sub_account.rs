//! `POST /v1/unit/sub-accounts`: the unit administrator adds a sub-account with some of the
//! unit's approved houses (F8).

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::http::Fields;
use shared::http::bodies;
use shared::http::fields::checked;
use shared::http::response::{ApiResult, json};
use shared::services::authorization;
use shared::services::sub_accounts;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    authorization::require_unit_admin(&principal)?;
    let mut f = Fields::from_request(&req)?;
    let new = bodies::units::new_sub_account(&mut f);
    f.finish()?;
    json(
        201,
        &sub_accounts::create(ctx, &principal, checked(new)?).await?,
    )
}
