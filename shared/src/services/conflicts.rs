//! What the store's answers mean to the caller: [`StoreError`] to [`ApiError`], with the request
//! field each clash concerns and its Chinese message. The one place for these texts.

use crate::error::{ApiError, FieldError};
use crate::store::{Clash, StoreError};

/// The title of every answer about unique values another account holds.
pub const TAKEN_TITLE: &str = "账号信息与已有账号冲突";
/// The answer to a deactivated account, wherever it shows up.
pub const ACCOUNT_DEACTIVATED: &str = "该账号已停用";
/// The answer to a suspended account (its ID document was reclaimed by its holder).
pub const ACCOUNT_SUSPENDED: &str = "该账号已被受理点暂停使用，如有疑问请携带身份证件到受理点咨询";

/// Clashes answered in this order when several conditions failed at once (the unique values
/// taken come first, all listed together).
const PRECEDENCE: [Clash; 17] = [
    Clash::KeyOvertaken,
    Clash::SessionReplaced,
    Clash::AccountDeactivated,
    Clash::AccountNotActive,
    Clash::LinkNotApproved,
    Clash::LinkChanged,
    Clash::MemberChanged,
    Clash::PasswordChanged,
    Clash::CodeSpent,
    Clash::PhoneChanged,
    Clash::PersonAlreadyRegistered,
    Clash::RegistrationChanged,
    Clash::HouseAlreadyLinked,
    Clash::HouseCodeTaken,
    Clash::ApplicationPending,
    Clash::ApplicationChanged,
    Clash::PermitChanged,
];

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        answer(error, "")
    }
}

/// The answer to a store error, the fields of unique values named under `prefix` (`""`,
/// `admin.`: where the account sat in the request).
pub fn answer(error: StoreError, prefix: &str) -> ApiError {
    match error {
        StoreError::Unavailable => ApiError::ServiceUnavailable,
        StoreError::Corrupt => ApiError::Internal,
        StoreError::Conflict(clashes) => conflict(&clashes, prefix),
    }
}

fn conflict(clashes: &[Clash], prefix: &str) -> ApiError {
    let taken: Vec<FieldError> = clashes
        .iter()
        .filter_map(|clash| taken_field(*clash, prefix))
        .collect();
    if !taken.is_empty() {
        return values_taken(taken);
    }
    match PRECEDENCE.iter().find(|c| clashes.contains(c)) {
        Some(clash) => single(*clash),
        // Only a receipt number clash is left, which the store redraws: reaching here is a bug.
        None => ApiError::Internal,
    }
}

/// The field error for a unique value another account (or unit) holds.
fn taken_field(clash: Clash, prefix: &str) -> Option<FieldError> {
    let (field, code, message) = match clash {
        Clash::UsernameTaken => ("username", "USERNAME_TAKEN", "该用户名已被使用"),
        Clash::PhoneTaken => return Some(phone_taken(&format!("{prefix}phone"))),
        Clash::IdDocumentTaken => ("id_number", "ID_TAKEN", "该证件已注册同类型的账号"),
        Clash::UsccTaken => {
            return Some(FieldError::new(
                "uscc",
                "USCC_TAKEN",
                "该统一社会信用代码已开通单位账号",
            ));
        }
        _ => return None,
    };
    Some(FieldError::new(format!("{prefix}{field}"), code, message))
}

/// `PHONE_TAKEN` at `field`.
pub fn phone_taken(field: &str) -> FieldError {
    FieldError::new(field, "PHONE_TAKEN", "该手机号码已绑定同类型的其他账号")
}

/// The conflict answer for unique values other accounts hold.
pub fn values_taken(errors: Vec<FieldError>) -> ApiError {
    ApiError::Conflict {
        title: TAKEN_TITLE,
        errors,
    }
}

/// The answer to one clash.
fn single(clash: Clash) -> ApiError {
    let changed = |title| ApiError::Conflict {
        title,
        errors: Vec::new(),
    };
    match clash {
        Clash::KeyOvertaken => ApiError::RequestInProgress { retry_after: 1 },
        Clash::SessionReplaced => ApiError::SessionReplaced,
        Clash::AccountDeactivated => ApiError::Forbidden(ACCOUNT_DEACTIVATED),
        Clash::LinkNotApproved => ApiError::LinkNotApproved,
        Clash::CodeSpent => ApiError::SmsCodeInvalid,
        Clash::LinkChanged => changed_link(),
        Clash::MemberChanged => changed("子账号已停用或已被修改，请刷新后重试"),
        Clash::AccountNotActive => changed("该账号已停用或已暂停使用"),
        Clash::ApplicationPending => ApiError::ApplicationPending,
        Clash::ApplicationChanged => changed("该申请的状态已变化，请刷新后重试"),
        Clash::PermitChanged => changed("该居住证的状态已变化，请刷新后重试"),
        Clash::PasswordChanged => changed("密码已被修改，请重新操作"),
        Clash::PhoneChanged => changed("手机号码已被修改，请重新操作"),
        Clash::PersonAlreadyRegistered => already_registered(),
        // Its version now is read by the registration services (`write_failed`).
        Clash::RegistrationChanged => changed("该住户信息已被修改，请刷新后重试"),
        Clash::HouseAlreadyLinked => already_linked(),
        Clash::HouseCodeTaken => ApiError::conflict(
            "new_house.house_code",
            "HOUSE_EXISTS",
            "该房屋已存在，请直接选择这套房屋",
        ),
        Clash::UsernameTaken
        | Clash::PhoneTaken
        | Clash::IdDocumentTaken
        | Clash::UsccTaken
        | Clash::ReceiptNumberTaken
        | Clash::PermitNumberTaken => ApiError::Internal,
    }
}

/// A link that changed under a request (decided or deregistered meanwhile).
pub fn changed_link() -> ApiError {
    ApiError::Conflict {
        title: "该房屋关联的状态已变化，请刷新后重试",
        errors: Vec::new(),
    }
}

/// The account already has an active link to the house.
pub fn already_linked() -> ApiError {
    ApiError::Conflict {
        title: "该房屋已关联到当前账号",
        errors: Vec::new(),
    }
}

/// The account already has an active link to the house named at `field` (a staff decision
/// placing a link on it).
pub fn already_linked_at(field: &str) -> ApiError {
    ApiError::conflict(field, "ALREADY_LINKED", "该账号已有此房屋的有效关联")
}

/// A registration that changed since the caller read it: its version now.
pub fn stale_version(current_version: u32) -> ApiError {
    ApiError::StaleVersion {
        current_version,
        error: FieldError::new(
            "version",
            "STALE_VERSION",
            "该住户信息已被修改，请刷新后重试",
        ),
    }
}

/// The person is already registered in the house.
pub fn already_registered() -> ApiError {
    ApiError::conflict(
        "id_number",
        "ALREADY_REGISTERED",
        "此人已登记居住在该房屋，无需重复申报",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_taken_is_listed_under_its_prefix() {
        let error = StoreError::Conflict(vec![Clash::UsernameTaken, Clash::PhoneTaken]);
        let ApiError::Conflict { title, errors } = answer(error, "admin.") else {
            panic!("a conflict");
        };
        assert_eq!(title, TAKEN_TITLE);
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["admin.username", "admin.phone"]);
    }

    #[test]
    fn a_replaced_session_outranks_the_other_clashes() {
        let error = StoreError::Conflict(vec![Clash::PasswordChanged, Clash::SessionReplaced]);
        assert_eq!(ApiError::from(error), ApiError::SessionReplaced);
        let error = StoreError::Conflict(vec![Clash::CodeSpent, Clash::PasswordChanged]);
        assert_eq!(ApiError::from(error).code(), "CONFLICT");
    }

    #[test]
    fn outages_and_corrupt_items_are_503_and_500() {
        assert_eq!(ApiError::from(StoreError::Unavailable).status(), 503);
        assert_eq!(ApiError::from(StoreError::Corrupt).status(), 500);
        assert_eq!(
            ApiError::from(StoreError::conflict(Clash::ReceiptNumberTaken)).status(),
            500
        );
    }
}
