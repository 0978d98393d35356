//! `POST /v1/sms-codes` `{phone, purpose}` → 202 `{expires_in, resend_after}`.
//! `change_phone` and `change_password` codes need a logged-in caller.

use lambda_http::Request;
use shared::AppContext;
use shared::auth::{Gate, authenticate_with};
use shared::domain::phone::PhoneNumber;
use shared::domain::sms::SmsPurpose;
use shared::http::Fields;
use shared::http::fields::checked;
use shared::http::request::client_ip;
use shared::http::response::{ApiResult, json};
use shared::services::sms_codes;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let mut f = Fields::from_request(&req)?;
    let phone = f.required("phone", PhoneNumber::parse);
    let purpose = f.required("purpose", SmsPurpose::parse);
    f.finish()?;
    let (phone, purpose) = (checked(phone)?, checked(purpose)?);

    // A session that must still replace its initial password may ask for the code that does
    // so, and for nothing else.
    let gate = match purpose {
        SmsPurpose::ChangePassword => Gate::AllowPasswordChange,
        _ => Gate::PasswordChanged,
    };
    let caller = match purpose.needs_session() {
        true => Some(authenticate_with(ctx, &req, gate).await?),
        false => None,
    };
    let issued = sms_codes::issue(ctx, &phone, purpose, caller.as_ref(), &client_ip(&req)).await?;
    json(202, &issued)
}
