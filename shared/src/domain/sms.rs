//! SMS verification codes: purposes, the code itself, and the message text.

use crate::error::Invalid;

/// What a code may be used for; a code of one purpose is useless for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SmsPurpose {
    Register,
    Login,
    ChangePhone,
    ChangePassword,
}

impl SmsPurpose {
    pub const ALL: [SmsPurpose; 4] = [
        Self::Register,
        Self::Login,
        Self::ChangePhone,
        Self::ChangePassword,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::Login => "login",
            Self::ChangePhone => "change_phone",
            Self::ChangePassword => "change_password",
        }
    }

    pub fn parse(value: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == value)
            .ok_or_else(|| {
                Invalid::new(
                    "INVALID_PURPOSE",
                    "用途须为 register、login、change_phone 或 change_password",
                )
            })
    }

    /// Whether asking for a code of this purpose needs a logged-in caller.
    pub fn needs_session(self) -> bool {
        matches!(self, Self::ChangePhone | Self::ChangePassword)
    }

    fn action(self) -> &'static str {
        match self {
            Self::Register => "注册账号",
            Self::Login => "登录",
            Self::ChangePhone => "更换手机号码",
            Self::ChangePassword => "修改密码",
        }
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
}
