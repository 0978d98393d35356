//! `POST /v1/staff/accounts`: counter staff open an individual account for a person who cannot
//! register online (F4).

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::http::Fields;
use shared::http::bodies;
use shared::http::fields::checked;
use shared::http::response::{ApiResult, json};
use shared::services::account_registration;
use shared::services::authorization::require_staff;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    require_staff(&principal)?;
    let mut f = Fields::from_request(&req)?;
    let registration = bodies::accounts::registration(
        &mut f,
        Some(&principal.account_id),
        ctx.config.houses.max_houses_at_registration,
    );
    f.finish()?;
    let registration = checked(registration)?;
    json(
        201,
        &account_registration::register(ctx, registration).await?,
    )
}
