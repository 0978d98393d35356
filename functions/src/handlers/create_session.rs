//! `POST /v1/sessions`: login, by username or the account's phone. A new session replaces the
//! account's previous one. A device is trusted (no SMS code) only with the `device_secret` its
//! SMS-verified login answered.

use lambda_http::Request;
use shared::AppContext;
use shared::domain::account::{AccountType, DeviceId, DeviceSecret, Role};
use shared::domain::password::Password;
use shared::domain::phone::PhoneNumber;
use shared::domain::sms::parse_code;
use shared::http::fields::checked;
use shared::http::response::{ApiResult, json};
use shared::http::{Fields, bodies};
use shared::services::login::{self, Login};

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let mut f = Fields::from_request(&req)?;
    let platform = f.required("platform", AccountType::parse_platform);
    let username = f.required("username", bodies::accounts::typed_username);
    let password = f.required("password", Password::any);
    let device_id = f.required("device_id", DeviceId::parse);
    let device_secret = f.optional("device_secret", DeviceSecret::parse);
    let phone = f.optional("phone", PhoneNumber::parse);
    let sms_code = f.optional("sms_code", parse_code);
    let role = f.optional("role", Role::parse_unit_role);
    f.finish()?;

    let login = Login {
        platform: checked(platform)?,
        username: checked(username)?,
        password: checked(password)?,
        device_id: checked(device_id)?,
        device_secret,
        phone,
        sms_code,
        role,
    };
    let session = login::login(ctx, login).await?;
    json(201, &session)
}
