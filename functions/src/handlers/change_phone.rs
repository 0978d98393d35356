//! `PUT /v1/me/phone`: move the account to a new phone, proven by a code sent to it and by the
//! current password (F9).

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::http::Fields;
use shared::http::bodies;
use shared::http::fields::checked;
use shared::http::response::{ApiResult, json};
use shared::services::account_settings;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    let mut f = Fields::from_request(&req)?;
    let change = bodies::accounts::phone_change(&mut f);
    f.finish()?;
    let account = account_settings::change_phone(ctx, &principal, checked(change)?).await?;
    json(200, &account)
}
