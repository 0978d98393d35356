//! `POST /v1/accounts`: self-registration of a residence-registration or residence-permit account.

use lambda_http::Request;
use shared::AppContext;
use shared::http::Fields;
use shared::http::bodies;
use shared::http::fields::checked;
use shared::http::response::{ApiResult, json};
use shared::services::account_registration::{self, Registration};

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let mut f = Fields::from_request(&req)?;
    let form = bodies::accounts::registration_form(
        &mut f,
        false,
        ctx.config.houses.max_houses_at_registration,
    );
    f.finish()?;
    let registration = Registration::online(checked(form)?)?;
    json(
        201,
        &account_registration::register(ctx, registration).await?,
    )
}
