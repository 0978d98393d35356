//! `POST /v1/accounts`: self-registration of a residence-registration or residence-permit account.

use lambda_http::Request;
use shared::AppContext;
use shared::domain::account::{AccountType, RealName, Username};
use shared::domain::id_document::IdDocument;
use shared::domain::password::Password;
use shared::domain::phone::PhoneNumber;
use shared::domain::sms::parse_code;
use shared::http::Fields;
use shared::http::fields::checked;
use shared::http::response::{ApiResult, json};
use shared::services::account_registration::{self, Registration};
use shared::services::house_links::LinkRequest;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let mut f = Fields::from_request(&req)?;
    let account_type = f.required("account_type", AccountType::parse_self_service);
    let username = f.required("username", Username::parse);
    let password_raw = f.required_raw("password");
    let real_name = f.required("real_name", RealName::parse);
    let id_type = f.required_raw("id_type");
    let id_number = f.required_raw("id_number");
    let phone = f.required("phone", PhoneNumber::parse);
    let sms_code = f.required("sms_code", parse_code);
    let max_houses = ctx.config.houses.max_houses_at_registration;
    let houses = f.optional_objects("houses", max_houses, |item| {
        let prefix = format!("{}.", item.prefix());
        LinkRequest::from_fields(item, &prefix)
    });

    let password = password_raw.and_then(|raw| {
        let name = username.as_ref().map(Username::as_str);
        Password::new_checked(&raw, name)
            .map_err(|e| f.push(e.at("password")))
            .ok()
    });
    let document = match (id_type, id_number) {
        (Some(t), Some(n)) => IdDocument::parse_fields(&t, &n).map_err(|e| f.push(e)).ok(),
        _ => None,
    };
    f.finish()?;

    let registration = Registration {
        account_type: checked(account_type)?,
        username: checked(username)?,
        password: checked(password)?,
        real_name: checked(real_name)?,
        document: checked(document)?,
        phone: checked(phone)?,
        sms_code: checked(sms_code)?,
        houses: houses.unwrap_or_default(),
    };
    let account = account_registration::register(ctx, registration).await?;
    json(201, &account)
}
