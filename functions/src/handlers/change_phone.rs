//! `PUT /v1/me/phone`: move the account to a new phone, proven by a code sent to it (F9).

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::domain::phone::PhoneNumber;
use shared::http::Fields;
use shared::http::fields::checked;
use shared::http::response::{ApiResult, json};
use shared::services::account_settings;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    let mut f = Fields::from_request(&req)?;
    let new_phone = f.required("new_phone", PhoneNumber::parse);
    let sms_code = f.required("sms_code", shared::domain::sms::parse_code);
    f.finish()?;
    let account =
        account_settings::change_phone(ctx, &principal, checked(new_phone)?, &checked(sms_code)?)
            .await?;
    json(200, &account)
}
