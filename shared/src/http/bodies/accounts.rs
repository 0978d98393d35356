//! The bodies of account registration (`POST /v1/accounts`, `POST /v1/staff/accounts`), of the
//! password change (`PUT /v1/me/password`) and of a forgotten password (a `reset_password` code,
//! `POST /v1/password-resets`).

use crate::domain::account::{AccountType, RealName, Username};
use crate::domain::id_document::IdDocument;
use crate::domain::password::Password;
use crate::domain::phone::PhoneNumber;
use crate::domain::sms::parse_code;
use crate::http::Fields;
use crate::invalid::Invalid;
use crate::services::account_registration::{Opening, Registration};
use crate::services::account_settings::{PasswordChange, PhoneChange};
use crate::services::password_reset::{Claimed, PasswordReset};

/// The body of `POST /v1/accounts` (`staff_id` absent: the citizen, who proves the phone with
/// `sms_code`), or of `POST /v1/staff/accounts` (opened by staff member `staff_id`: the same
/// without `sms_code`, with `initial_password` for `password`).
pub fn registration(
    f: &mut Fields,
    staff_id: Option<&str>,
    max_houses: usize,
) -> Option<Registration> {
    let counter = staff_id.is_some();
    let account_type = f.required("account_type", AccountType::parse_self_service);
    let username = f.required("username", Username::parse);
    let password_field = if counter {
        "initial_password"
    } else {
        "password"
    };
    let password_raw = f.required_raw(password_field);
    let real_name = f.required("real_name", RealName::parse);
    let id_type = f.required_raw("id_type");
    let id_number = f.required_raw("id_number");
    let phone = f.required("phone", PhoneNumber::parse);
    let sms_code = match counter {
        true => None,
        false => Some(f.required("sms_code", parse_code)),
    };
    let houses = f.optional_objects("houses", max_houses, |item| {
        let prefix = format!("{}.", item.prefix());
        super::houses::link_request(item, &prefix)
    });
    let password =
        password_raw.and_then(|raw| new_password(f, password_field, &raw, username.as_ref()));
    let document = match (id_type, id_number) {
        (Some(t), Some(n)) => IdDocument::parse_fields(&t, &n).map_err(|e| f.push(e)).ok(),
        _ => None,
    };
    let opening = match (staff_id, sms_code) {
        (Some(staff_id), _) => Opening::Counter {
            staff_id: staff_id.to_owned(),
        },
        (None, Some(code)) => Opening::Online { sms_code: code? },
        (None, None) => return None,
    };
    Some(Registration {
        account_type: account_type?,
        username: username?,
        password: password?,
        real_name: real_name?,
        document: document?,
        phone: phone?,
        houses: houses.unwrap_or_default(),
        opening,
    })
}

/// A password someone chooses for an account, under the registration policy (it must not be the
/// username); a refusal is recorded at `field`.
pub fn new_password(
    f: &mut Fields,
    field: &str,
    raw: &str,
    username: Option<&Username>,
) -> Option<Password> {
    Password::new_checked(raw, username.map(Username::as_str))
        .map_err(|e| f.push(e.at(field)))
        .ok()
}

pub fn password_change(f: &mut Fields) -> Option<PasswordChange> {
    let old_password = f.required("old_password", Password::any);
    let new_password = f.required_raw("new_password");
    let sms_code = f.required("sms_code", crate::domain::sms::parse_code);
    Some(PasswordChange {
        old_password: old_password?,
        new_password: new_password?,
        sms_code: sms_code?,
    })
}

/// A username (or the account's phone) as typed to log in or reset a password: not the
/// registration rules, since an impossible name is simply one no account has.
pub fn typed_username(input: &str) -> Result<String, Invalid> {
    if input.trim().is_empty() || input.chars().count() > 64 {
        return Err(Invalid::new("INVALID_LENGTH", "请输入用户名"));
    }
    Ok(input.trim().to_owned())
}

/// An ID number as typed to reset a password: compared with the account's, not checked (its
/// kind is not asked).
fn typed_id_number(input: &str) -> Result<String, Invalid> {
    let value = input.trim();
    let fits = (1..=32).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '(' | ')'));
    match fits {
        true => Ok(value.to_owned()),
        false => Err(Invalid::new(
            "INVALID_FORMAT",
            "请输入注册账号时填写的证件号码",
        )),
    }
}

/// `{platform, username, id_number}`: who asks for a `reset_password` code or resets.
pub fn reset_claim(f: &mut Fields) -> Option<Claimed> {
    let platform = f.required("platform", AccountType::parse_platform);
    let username = f.required("username", typed_username);
    let id_number = f.required("id_number", typed_id_number);
    Some(Claimed {
        platform: platform?,
        username: username?,
        id_number: id_number?,
    })
}

/// The body of `POST /v1/password-resets`.
pub fn password_reset(f: &mut Fields) -> Option<PasswordReset> {
    let claimed = reset_claim(f);
    let sms_code = f.required("sms_code", parse_code);
    let new_password = f.required_raw("new_password");
    Some(PasswordReset {
        claimed: claimed?,
        sms_code: sms_code?,
        new_password: new_password?,
    })
}

/// The body of `PUT /v1/me/phone`.
pub fn phone_change(f: &mut Fields) -> Option<PhoneChange> {
    let new_phone = f.required("new_phone", PhoneNumber::parse);
    let current_password = f.required("current_password", Password::any);
    let sms_code = f.required("sms_code", parse_code);
    Some(PhoneChange {
        new_phone: new_phone?,
        current_password: current_password?,
        sms_code: sms_code?,
    })
}

/// `{reason}` of a suspension (staff, a reclaim): 2 to 200 characters, kept with the account.
pub fn suspension_reason(f: &mut Fields) -> Option<String> {
    f.required("reason", |v| {
        crate::domain::text::text(v, 2, 200, "INVALID_REASON", "暂停原因须为2至200个字符")
    })
}

/// The body of `POST /v1/me/identity-verification` (optional): `{}` or `{"method": "carrier"}`
/// asks the carrier; `{"method": "face"}` opens a face check; `{"method": "face",
/// "face_check_id": …}` reads the one opened.
pub fn identity_check(f: &mut Fields) -> Option<crate::services::identity::OnlineCheck> {
    use crate::domain::identity::OnlineMethod;
    use crate::services::identity::OnlineCheck;
    let method = f.optional("method", OnlineMethod::parse);
    let check_id = f.optional(
        "face_check_id",
        |v| match crate::identity::face_https::is_check_id(v) {
            true => Ok(v.to_owned()),
            false => Err(crate::invalid::Invalid::new(
                "INVALID_FACE_CHECK_ID",
                "人脸核验编号无效，请重新发起人脸核验",
            )),
        },
    );
    match (method.unwrap_or_default(), check_id) {
        (OnlineMethod::Carrier, None) => Some(OnlineCheck::Carrier),
        (OnlineMethod::Carrier, Some(_)) => {
            f.push(crate::invalid::FieldError::new(
                "face_check_id",
                "NOT_ALLOWED",
                "只有选择人脸核验时才提交人脸核验编号",
            ));
            None
        }
        (OnlineMethod::Face, None) => Some(OnlineCheck::StartFace),
        (OnlineMethod::Face, Some(face_check_id)) => {
            Some(OnlineCheck::FaceResult { face_check_id })
        }
    }
}
