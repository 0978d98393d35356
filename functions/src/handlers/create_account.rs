//! `POST /v1/accounts`: self-registration of a residence-registration or residence-permit account.

use lambda_http::Request;
use shared::AppContext;
use shared::http::Fields;
use shared::http::bodies;
use shared::http::fields::checked;
use shared::http::response::{ApiResult, json};
use shared::services::account_registration;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let mut f = Fields::from_request(&req)?;
    let registration =
        bodies::accounts::registration(&mut f, None, ctx.config.houses.max_houses_at_registration);
    f.finish()?;
    let registration = checked(registration)?;
    json(
        201,
        &account_registration::register(ctx, registration).await?,
    )
}
