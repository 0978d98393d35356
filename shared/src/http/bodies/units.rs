//! The bodies of a unit opening (`POST /v1/staff/units`) and of its sub-accounts
//! (`POST /v1/unit/sub-accounts`, `PATCH /v1/unit/sub-accounts/{account_id}`).

use std::collections::HashSet;

use crate::domain::account::{AccountType, RealName, Username};
use crate::domain::credit_code::CreditCode;
use crate::domain::password::Password;
use crate::domain::phone::PhoneNumber;
use crate::domain::sms::parse_code;
use crate::domain::unit::OrganizationName;
use crate::error::FieldError;
use crate::http::Fields;
use crate::services::sub_accounts::{MAX_ASSIGNED_LINKS, NewSubAccount, SubAccountChanges};
use crate::services::units::UnitOpening;

use super::accounts::new_password;

struct AdminFields {
    username: Username,
    phone: PhoneNumber,
    password: Password,
}

/// `POST /v1/staff/units`. `platform` (default `residence_registration`): a unit opened on the
/// `residence_permit` platform files permit applications for its employees (F25) and holds no
/// houses (`houses` is `NOT_ALLOWED`).
pub fn unit_opening(f: &mut Fields, max_houses: usize) -> Option<UnitOpening> {
    let platform = match f.has("platform") {
        true => f.required("platform", AccountType::parse_unit_platform),
        false => Some(AccountType::ResidenceRegistration),
    };
    let name = f.required("name", OrganizationName::parse);
    let uscc = f.required("uscc", CreditCode::parse);
    let contact_name = f.required("contact_name", RealName::parse);
    let admin = f.required_object("admin", |a| {
        let username = a.required("username", Username::parse);
        let phone = a.required("phone", PhoneNumber::parse);
        let raw = a.required_raw("initial_password");
        let password =
            raw.and_then(|raw| new_password(a, "admin.initial_password", &raw, username.as_ref()));
        Some(AdminFields {
            username: username?,
            phone: phone?,
            password: password?,
        })
    });
    let houses = f.optional_objects("houses", max_houses, |item| {
        let prefix = format!("{}.", item.prefix());
        super::houses::link_request(item, &prefix)
    });
    let (admin, platform) = (admin?, platform?);
    if platform == AccountType::ResidencePermit && houses.as_ref().is_some_and(|h| !h.is_empty()) {
        f.push(FieldError::new(
            "houses",
            "NOT_ALLOWED",
            "居住证代办单位不关联房屋",
        ));
        return None;
    }
    Some(UnitOpening {
        platform,
        name: name?,
        uscc: uscc?,
        contact_name: contact_name?,
        admin_username: admin.username,
        admin_phone: admin.phone,
        admin_password: admin.password,
        houses: houses.unwrap_or_default(),
    })
}

/// The ids of `link_ids`, read as a list of distinct link ids.
fn link_ids_field(f: &mut Fields, required: bool) -> Option<Vec<String>> {
    let name = "link_ids";
    if !f.has(name) {
        if required {
            f.push(FieldError::new(name, "REQUIRED", "请为子账号分配房屋"));
        }
        return None;
    }
    let values = f.optional_strings(name, MAX_ASSIGNED_LINKS)?;
    let mut seen = HashSet::new();
    let mut ok = true;
    for (i, id) in values.iter().enumerate() {
        if !seen.insert(id.as_str()) {
            f.push(FieldError::new(
                format!("{name}[{i}]"),
                "DUPLICATE",
                "同一房屋只能分配一次",
            ));
            ok = false;
        }
    }
    ok.then_some(values)
}

pub fn new_sub_account(f: &mut Fields) -> Option<NewSubAccount> {
    let username = f.required("username", Username::parse);
    let real_name = f.required("real_name", RealName::parse);
    let phone = f.required("phone", PhoneNumber::parse);
    let sms_code = f.required("sms_code", parse_code);
    let raw = f.required_raw("password");
    let link_ids = link_ids_field(f, true).filter(|ids| {
        if ids.is_empty() {
            f.push(FieldError::new(
                "link_ids",
                "REQUIRED",
                "请至少为子账号分配一套房屋",
            ));
        }
        !ids.is_empty()
    });
    let password = raw.and_then(|raw| new_password(f, "password", &raw, username.as_ref()));
    Some(NewSubAccount {
        username: username?,
        real_name: real_name?,
        phone: phone?,
        password: password?,
        link_ids: link_ids?,
        sms_code: sms_code?,
    })
}

pub fn sub_account_changes(f: &mut Fields) -> Option<SubAccountChanges> {
    let given = ["real_name", "phone", "link_ids"]
        .iter()
        .any(|name| f.has(name));
    let real_name = f.optional("real_name", RealName::parse);
    let phone = f.optional("phone", PhoneNumber::parse);
    let sms_code = f.optional("sms_code", parse_code);
    let link_ids = link_ids_field(f, false);
    if !given {
        f.push(FieldError::new(
            "body",
            "NOTHING_TO_CHANGE",
            "请提供要修改的姓名、手机号码或房屋",
        ));
        return None;
    }
    Some(SubAccountChanges {
        real_name,
        phone,
        link_ids,
        sms_code,
    })
}
