//! Accounts: their types, roles, and the values a user chooses when registering.

use serde::{Deserialize, Serialize};
use strum::{EnumMessage, EnumString, IntoStaticStr, VariantArray};

use crate::invalid::Invalid;

/// The two platforms a citizen account belongs to (F1): one type cannot use the other's operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
#[derive(IntoStaticStr, EnumString, VariantArray, EnumMessage)]
#[strum(serialize_all = "snake_case")]
pub enum AccountType {
    /// Declares residents of the houses the account manages.
    #[strum(message = "居住登记")]
    ResidenceRegistration,
    /// Residence permit and endorsement applications.
    #[strum(message = "居住证")]
    ResidencePermit,
    /// Counter staff; created only by the operator tool.
    #[strum(message = "受理点")]
    Staff,
}

super::code_enum!(AccountType);

impl AccountType {
    pub fn from_str_opt(value: &str) -> Option<Self> {
        value.parse().ok()
    }

    /// The types a citizen may register by themselves (staff accounts come from the operator tool).
    pub fn parse_self_service(value: &str) -> Result<Self, Invalid> {
        match Self::from_str_opt(value) {
            Some(t) if t != Self::Staff => Ok(t),
            _ => Err(Invalid::new(
                "INVALID_ACCOUNT_TYPE",
                "账号类型须为居住登记账号或居住证账号",
            )),
        }
    }

    /// The platform a unit is opened on (`platform` of `POST /v1/staff/units`): its
    /// administrator's account type.
    pub fn parse_unit_platform(value: &str) -> Result<Self, Invalid> {
        match Self::from_str_opt(value) {
            Some(t) if t != Self::Staff => Ok(t),
            _ => Err(Invalid::new(
                "INVALID_PLATFORM",
                "单位账号的平台须为居住登记或居住证代办",
            )),
        }
    }

    /// The login platform (`platform` of `POST /v1/sessions`), which names an account type.
    pub fn parse_platform(value: &str) -> Result<Self, Invalid> {
        Self::from_str_opt(value)
            .ok_or_else(|| Invalid::new("INVALID_PLATFORM", "登录平台须为居住登记、居住证或受理点"))
    }

    /// The name in Chinese.
    pub fn label(self) -> &'static str {
        self.get_message()
            .expect("every account type has a message")
    }
}

/// Whether an account may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
#[derive(IntoStaticStr, EnumString, VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum AccountStatus {
    Active,
    /// Deactivated by its unit's administrator: no login, no session.
    Deactivated,
    /// Suspended by counter staff because it holds someone else's ID document (a reclaim): no
    /// login, no session; its data is kept, marked with who suspended it, when and why.
    Suspended,
}

super::code_enum!(AccountStatus);

/// What an account is within its organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
#[derive(IntoStaticStr, EnumString, VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Role {
    /// A citizen's own account.
    Individual,
    /// A unit's administrator (管理员).
    Admin,
    /// A unit's sub-account (子账号).
    SubAccount,
    /// Counter staff.
    Staff,
}

super::code_enum!(Role);

impl Role {
    pub fn from_str_opt(value: &str) -> Option<Self> {
        value.parse().ok()
    }

    /// The role a unit login states (`role` of `POST /v1/sessions`).
    pub fn parse_unit_role(value: &str) -> Result<Self, Invalid> {
        match Self::from_str_opt(value) {
            Some(r) if r.is_unit() => Ok(r),
            _ => Err(Invalid::new(
                "INVALID_ROLE",
                "单位账号角色须为管理员或子账号",
            )),
        }
    }

    pub fn is_unit(self) -> bool {
        matches!(self, Self::Admin | Self::SubAccount)
    }
}

/// Among which accounts a phone number is unique: each account type on its own, and unit accounts
/// (administrators and sub-accounts of every unit) as a group of their own, so that a unit's
/// employee keeps their personal account on the same phone.
pub fn phone_scope(account_type: AccountType, role: Role) -> &'static str {
    if role.is_unit() {
        "unit"
    } else {
        account_type.as_str()
    }
}

/// Every value [`phone_scope`] answers.
pub const PHONE_SCOPES: [&str; 4] = [
    "residence_registration",
    "residence_permit",
    "staff",
    "unit",
];

/// A login name: 4–32 characters of letters, digits, `_`, `.` and `-`, starting with a letter or digit.
/// Unique regardless of case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let value = input.trim();
        let len = value.chars().count();
        if !(4..=32).contains(&len) {
            return Err(Invalid::new("INVALID_LENGTH", "用户名长度须为4至32个字符"));
        }
        let mut chars = value.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
        if !first_ok || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')) {
            return Err(Invalid::new(
                "INVALID_FORMAT",
                "用户名只能包含字母、数字、下划线、点和连字符，且须以字母或数字开头",
            ));
        }
        Ok(Self(value.to_owned()))
    }

    /// As the user typed it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The case-insensitive form that uniqueness is decided on.
    pub fn key(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

/// A person's real name as on their ID document: 2–50 characters of letters in any script
/// (Chinese characters, rare ones included), spaces and the name separators `·` `・` `.` `-` `'`;
/// no digits, symbols, emoji or invisible format characters.
///
/// Stored as its text, and checked again when read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RealName(String);

impl TryFrom<String> for RealName {
    type Error = Invalid;

    fn try_from(value: String) -> Result<Self, Invalid> {
        Self::parse(&value)
    }
}

impl From<RealName> for String {
    fn from(name: RealName) -> String {
        name.0
    }
}

impl RealName {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let value = super::text::text(input, 2, 50, "INVALID_LENGTH", "姓名长度须为2至50个字符")?;
        let allowed =
            |c: char| c.is_alphabetic() || matches!(c, ' ' | '·' | '・' | '.' | '-' | '\'');
        if !value.chars().all(allowed) {
            return Err(Invalid::new(
                "INVALID_FORMAT",
                "姓名只能包含文字、空格和间隔号（·），不能包含数字或符号",
            ));
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The client's stable identifier of the device: a random install id (a UUID or longer) made once
/// per installation, 16–128 URL-safe characters. It is the "something you have" of an
/// SMS-free login, so clients must not derive it from guessable data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceId(String);

impl DeviceId {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let ok = (16..=128).contains(&input.len())
            && input
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
        if ok {
            Ok(Self(input.to_owned()))
        } else {
            Err(Invalid::new(
                "INVALID_DEVICE_ID",
                "设备标识须为16至128个字母、数字或 - _ . : 字符",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// How the device is known for `account_id` wherever it is stored (trusted devices, the
    /// session): a keyed hash under `key`, per account, so the id the client chose is never kept.
    pub fn keyed_hash(&self, key: &[u8], account_id: &str) -> String {
        crate::crypto::keyed_hash(key, "device", &[account_id, &self.0])
    }
}

/// The secret that proves a device the account verified by SMS: drawn at that login (256 bits
/// from the OS CSPRNG, base64url), answered once as `device_secret`, kept by the app and sent
/// with the same `device_id` on later logins. Only a keyed hash of it is stored. Unlike the
/// device id, which the client chooses and may leak, nobody has it but the app it was given to.
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceSecret(String);

impl DeviceSecret {
    /// Bytes of randomness in a new secret.
    const BYTES: usize = 32;

    pub fn generate() -> Self {
        Self(crate::crypto::random_token(Self::BYTES))
    }

    /// A secret as the client sends it back. Any other shape cannot be one the service issued:
    /// it is refused as bad input rather than silently treated as a wrong secret.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let ok = (16..=128).contains(&input.len())
            && input
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'));
        if ok {
            Ok(Self(input.to_owned()))
        } else {
            Err(Invalid::new(
                "INVALID_DEVICE_SECRET",
                "设备密钥格式不正确，请在本设备重新登录",
            ))
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for DeviceSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeviceSecret(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_checked_and_keyed_case_insensitively() {
        assert_eq!(Username::parse("Zhang_San.1").unwrap().key(), "zhang_san.1");
        assert_eq!(Username::parse("abc").unwrap_err().code, "INVALID_LENGTH");
        assert_eq!(
            Username::parse(&"a".repeat(33)).unwrap_err().code,
            "INVALID_LENGTH"
        );
        assert_eq!(Username::parse("_abcd").unwrap_err().code, "INVALID_FORMAT");
        assert_eq!(
            Username::parse("张三张三").unwrap_err().code,
            "INVALID_FORMAT"
        );
        assert_eq!(Username::parse("ab cd").unwrap_err().code, "INVALID_FORMAT");
    }

    #[test]
    fn real_names_allow_chinese_and_foreign_names() {
        assert!(RealName::parse("张三").is_ok());
        assert!(RealName::parse("阿依古丽·买买提").is_ok());
        assert!(RealName::parse("John Smith").is_ok());
        assert_eq!(RealName::parse("张").unwrap_err().code, "INVALID_LENGTH");
        assert_eq!(RealName::parse("张3").unwrap_err().code, "INVALID_FORMAT");
        assert!(
            RealName::parse("𠮷田").is_ok(),
            "rare characters are names too"
        );
        assert!(RealName::parse("O'Brien-Smith").is_ok());
        for bad in ["李😀", "张#三"] {
            assert_eq!(
                RealName::parse(bad).unwrap_err().code,
                "INVALID_FORMAT",
                "{bad}"
            );
        }
        // Invisible characters, and names made of Hangul fillers (letters every font draws blank).
        for bad in [
            "王\u{200b}明",
            "\u{3164}\u{3164}",
            "\u{FFA0}\u{FFA0}",
            "\u{115F}\u{115F}",
        ] {
            assert_eq!(
                RealName::parse(bad).unwrap_err().code,
                "INVISIBLE_CHARACTER",
                "{bad:?}"
            );
        }
        // Normalized to NFC: the same name typed with a combining accent is one value.
        assert_eq!(
            RealName::parse("Jose\u{301} Li").unwrap().as_str(),
            "Jos\u{e9} Li"
        );
        assert_eq!(
            RealName::parse(&"名".repeat(51)).unwrap_err().code,
            "INVALID_LENGTH"
        );
    }

    #[test]
    fn platforms_and_account_types() {
        assert_eq!(
            AccountType::parse_self_service("residence_permit").unwrap(),
            AccountType::ResidencePermit
        );
        assert!(AccountType::parse_self_service("staff").is_err());
        assert_eq!(
            AccountType::parse_platform("staff").unwrap(),
            AccountType::Staff
        );
        assert!(AccountType::parse_platform("admin").is_err());
    }

    #[test]
    fn phone_scopes_separate_unit_accounts_from_personal_ones() {
        let rr = AccountType::ResidenceRegistration;
        assert_eq!(phone_scope(rr, Role::Individual), "residence_registration");
        assert_eq!(phone_scope(rr, Role::Admin), "unit");
        assert_eq!(phone_scope(rr, Role::SubAccount), "unit");
        for &t in AccountType::ALL {
            for &r in Role::ALL {
                assert!(PHONE_SCOPES.contains(&phone_scope(t, r)));
            }
        }
    }

    #[test]
    fn device_ids() {
        assert!(DeviceId::parse("7f3a9c2b-1234-4c1e-9a7d-0b6f2e8d4c11").is_ok());
        assert!(DeviceId::parse("short-id-1234").is_err());
        assert!(DeviceId::parse("has space in it").is_err());
    }

    #[test]
    fn device_secrets_are_256_random_bits_and_parse_back() {
        let secret = DeviceSecret::generate();
        assert_eq!(
            crate::crypto::base64url_decode(secret.expose())
                .unwrap()
                .len(),
            32
        );
        assert_ne!(secret, DeviceSecret::generate());
        assert_eq!(DeviceSecret::parse(secret.expose()).unwrap(), secret);
        assert!(DeviceSecret::parse("short").is_err());
        assert!(DeviceSecret::parse("not a secret with spaces").is_err());
        assert_eq!(format!("{secret:?}"), "DeviceSecret(<redacted>)");
    }

    #[test]
    fn account_types_round_trip() {
        crate::domain::assert_code_enum(
            AccountType::ALL,
            &["residence_registration", "residence_permit", "staff"],
            AccountType::as_str,
            AccountType::from_str_opt,
        );
        let labels: Vec<&str> = AccountType::ALL.iter().map(|t| t.label()).collect();
        assert_eq!(labels, ["居住登记", "居住证", "受理点"]);
    }

    #[test]
    fn roles_round_trip() {
        crate::domain::assert_code_enum(
            Role::ALL,
            &["individual", "admin", "sub_account", "staff"],
            Role::as_str,
            Role::from_str_opt,
        );
        assert_eq!(
            Role::parse_unit_role("sub_account").unwrap(),
            Role::SubAccount
        );
        assert_eq!(
            Role::parse_unit_role("individual").unwrap_err().code,
            "INVALID_ROLE"
        );
    }
}
