//! `PUT /v1/me/password`: change one's password with the old one and an SMS code (F10).

use lambda_http::Request;
use shared::AppContext;
use shared::auth::{Gate, authenticate_with};
use shared::http::Fields;
use shared::http::bodies;
use shared::http::fields::checked;
use shared::http::response::{ApiResult, no_content};
use shared::services::account_settings;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate_with(ctx, &req, Gate::AllowPasswordChange).await?;
    let mut f = Fields::from_request(&req)?;
    let change = bodies::accounts::password_change(&mut f);
    f.finish()?;
    account_settings::change_password(ctx, &principal, checked(change)?).await?;
    no_content()
}
