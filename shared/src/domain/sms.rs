//! SMS verification codes: purposes, the code itself, and the message text.

use serde::{Deserialize, Serialize};
use strum::{EnumMessage, EnumString, IntoStaticStr, VariantArray};

use crate::invalid::Invalid;

/// What a code may be used for; a code of one purpose is useless for another. Its message is
/// the action the SMS text names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
#[derive(IntoStaticStr, EnumString, VariantArray, EnumMessage)]
#[strum(serialize_all = "snake_case")]
pub enum SmsPurpose {
    #[strum(message = "注册账号")]
    Register,
    #[strum(message = "登录")]
    Login,
    #[strum(message = "更换手机号码")]
    ChangePhone,
    #[strum(message = "修改密码")]
    ChangePassword,
    /// Sent to the phone a unit administrator gives a sub-account: the code, typed into the
    /// sub-account's creation or phone change, proves the phone's holder agreed.
    #[strum(message = "验证单位子账号手机号码")]
    SubAccountPhone,
    /// A forgotten password (忘记密码): asked for by platform, username and ID number, sent to
    /// the account's phone when they match.
    #[strum(message = "找回密码")]
    ResetPassword,
}

super::code_enum!(
    SmsPurpose,
    "INVALID_PURPOSE",
    "验证码用途须为注册账号、登录、更换手机号码、修改密码、验证单位子账号手机号码或找回密码"
);

impl SmsPurpose {
    /// Whether asking for a code of this purpose needs a logged-in caller.
    pub fn needs_session(self) -> bool {
        matches!(
            self,
            Self::ChangePhone | Self::ChangePassword | Self::SubAccountPhone
        )
    }

    fn action(self) -> &'static str {
        self.get_message().expect("every purpose has a message")
    }
}

/// A freshly drawn 6-digit code; it lives only long enough to be hashed and sent.
pub struct SmsCode(String);

impl SmsCode {
    /// Six digits, uniform, from the operating system's CSPRNG.
    pub fn generate() -> Self {
        // Rejection sampling keeps every code equally likely.
        const LIMIT: u32 = u32::MAX - (u32::MAX % 1_000_000);
        loop {
            let n = crate::crypto::random_u32();
            if n < LIMIT {
                return Self(format!("{:06}", n % 1_000_000));
            }
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The SMS text: a 【signature】, then exactly one 6-digit number, the code.
    pub fn message(&self, signature: &str, purpose: SmsPurpose, valid_minutes: u64) -> String {
        format!(
            "【{signature}】您正在{action}，验证码为{code}，{valid_minutes}分钟内有效。如非本人操作，请忽略本短信。",
            action = purpose.action(),
            code = self.0,
        )
    }
}

/// The notice of a change of a residence-permit application (every decision is told, with its
/// reason where it has one).
/// An application a unit filed names the unit (单位代办: the employee learns who applied).
pub fn permit_application_notice(
    signature: &str,
    reference: &str,
    unit: Option<&str>,
    status_label: &str,
    reason: Option<&str>,
) -> String {
    let whose = match unit {
        Some(unit) => format!("{unit}为您代办的居住证申请"),
        None => "您的居住证申请".to_owned(),
    };
    match reason {
        Some(reason) => {
            format!("【{signature}】{whose}（编号{reference}）：{status_label}。原因：{reason}")
        }
        None => format!("【{signature}】{whose}（编号{reference}）：{status_label}。"),
    }
}

/// The invitation to confirm or refuse a unit's filing (单位代办, F25) in one's own account: it
/// names the unit and the deadline, and nothing of the person (no code, no link: the person
/// acts only after logging in).
pub fn unit_filing_invitation(signature: &str, unit: &str, days: i64) -> String {
    format!(
        "【{signature}】{unit}申请为您代办居住证。请在{days}日内登录本人居住证账号，在“我的居住证申请”中确认或拒绝；未经您确认，不会查询您的记录或办理。如您未委托该单位，请选择拒绝。"
    )
}

/// A notice about the holder's residence permit: `what` happened to it (issued, endorsed, the
/// window opening or closing, suspended, cancelled).
pub fn permit_notice(signature: &str, permit_no: &str, what: &str) -> String {
    format!("【{signature}】您的深圳经济特区居住证（编号{permit_no}）{what}")
}

/// The notice a phone gets when its account's password was reset with a code (no code in it).
pub fn password_reset_notice(signature: &str) -> String {
    format!(
        "【{signature}】您的账号已通过“忘记密码”重置密码，原登录已失效。如非本人操作，请立即联系客服。"
    )
}

/// The notice a phone gets when its account's password was changed (no code in it).
pub fn password_changed_notice(signature: &str) -> String {
    format!(
        "【{signature}】您的账号密码已修改，其他设备需经短信验证后才能登录。如非本人操作，请立即联系客服。"
    )
}

/// The notice the old phone gets when its account moved to another phone (`masked_new` shows
/// only its first three and last four digits; no code in it).
pub fn phone_changed_notice(signature: &str, masked_new: &str) -> String {
    format!("【{signature}】您的账号已改绑手机号码{masked_new}。如非本人操作，请立即联系客服。")
}

/// Checks the shape of a code the user typed (not whether it is right).
pub fn parse_code(input: &str) -> Result<String, Invalid> {
    let value = input.trim();
    if value.len() == 6 && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(value.to_owned())
    } else {
        Err(Invalid::new("INVALID_FORMAT", "短信验证码为6位数字"))
    }
}

impl std::fmt::Debug for SmsCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SmsCode(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_and_vary() {
        let codes: std::collections::HashSet<String> = (0..200)
            .map(|_| SmsCode::generate().expose().to_owned())
            .collect();
        assert!(
            codes
                .iter()
                .all(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit()))
        );
        assert!(codes.len() > 190, "200 draws should be nearly all distinct");
    }

    #[test]
    fn message_has_signature_and_exactly_one_six_digit_number() {
        let code = SmsCode("042917".into());
        let text = code.message("深圳居住登记", SmsPurpose::Register, 5);
        assert!(text.starts_with("【深圳居住登记】"));
        let runs: Vec<&str> = text
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty())
            .collect();
        assert_eq!(runs, vec!["042917", "5"]);
    }

    #[test]
    fn purposes_and_code_shapes() {
        assert_eq!(
            SmsPurpose::parse("change_phone").unwrap(),
            SmsPurpose::ChangePhone
        );
        assert!(SmsPurpose::parse("reset").is_err());
        assert!(SmsPurpose::ChangePassword.needs_session() && !SmsPurpose::Login.needs_session());
        assert_eq!(parse_code(" 123456 ").unwrap(), "123456");
        assert!(parse_code("12345").is_err() && parse_code("12345a").is_err());
    }

    #[test]
    fn purposes_round_trip() {
        crate::domain::assert_code_enum(
            SmsPurpose::ALL,
            &[
                "register",
                "login",
                "change_phone",
                "change_password",
                "sub_account_phone",
                "reset_password",
            ],
            SmsPurpose::as_str,
            |name| SmsPurpose::parse(name).ok(),
        );
        assert!(SmsPurpose::ALL.iter().all(|p| !p.action().is_empty()));
        assert_eq!(
            SmsPurpose::parse("reset").unwrap_err().code,
            "INVALID_PURPOSE"
        );
    }

    #[test]
    fn a_filing_invitation_names_the_unit_and_deadline_and_nothing_of_the_person() {
        let text = unit_filing_invitation("深圳居住登记", "深圳某某科技有限公司", 7);
        assert!(text.starts_with("【深圳居住登记】深圳某某科技有限公司"));
        assert!(text.contains("7日内") && text.contains("确认或拒绝"));
        assert!(!text.contains("http") && !text.bytes().any(|b| b.is_ascii_digit() && b != b'7'));
    }
}
