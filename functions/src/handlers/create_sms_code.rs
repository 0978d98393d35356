//! `POST /v1/sms-codes` `{phone, purpose}` → 202 `{expires_in, resend_after}`.
//! `change_phone` and `change_password` codes need a logged-in caller.

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::domain::phone::PhoneNumber;
use shared::domain::sms::SmsPurpose;
use shared::error::{ApiError, FieldError};
use shared::http::Fields;
use shared::http::fields::checked;
use shared::http::request::client_ip;
use shared::http::response::{ApiResult, json};
use shared::services::sms_codes;
use shared::store::accounts;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let mut f = Fields::from_request(&req)?;
    let phone = f.required("phone", PhoneNumber::parse);
    let purpose = f.required("purpose", SmsPurpose::parse);
    f.finish()?;
    let (phone, purpose) = (checked(phone)?, checked(purpose)?);

    if purpose.needs_session() {
        let principal = authenticate(ctx, &req).await?;
        if purpose == SmsPurpose::ChangePassword {
            let account = accounts::find_by_id(ctx, &principal.account_id)
                .await?
                .ok_or(ApiError::NotFound)?;
            if account.phone != phone.as_str() {
                return Err(ApiError::validation(FieldError::new(
                    "phone",
                    "NOT_ACCOUNT_PHONE",
                    "修改密码的验证码只能发送到账号绑定的手机号码",
                )));
            }
        }
    }
    let issued = sms_codes::issue(ctx, &phone, purpose, &client_ip(&req)).await?;
    json(202, &issued)
}
