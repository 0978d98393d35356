//! `POST /v1/password-resets` `{platform, username, id_number, sms_code, new_password}` → 204:
//! a forgotten password replaced with a `reset_password` code; the session ends.

use lambda_http::Request;
use shared::AppContext;
use shared::http::fields::checked;
use shared::http::response::{ApiResult, no_content};
use shared::http::{Fields, bodies};
use shared::services::password_reset;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let mut f = Fields::from_request(&req)?;
    let reset = bodies::accounts::password_reset(&mut f);
    f.finish()?;
    password_reset::reset(ctx, checked(reset)?).await?;
    no_content()
}
