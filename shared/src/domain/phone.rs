//! Mainland China mobile numbers.

use crate::invalid::Invalid;

/// An 11-digit mainland mobile number (`^1[3-9]\d{9}$`).
#[derive(Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

super::string_newtype!(PhoneNumber);

impl PhoneNumber {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let value = input.trim();
        let digits = value.strip_prefix("+86").unwrap_or(value);
        let b = digits.as_bytes();
        let valid = b.len() == 11
            && b[0] == b'1'
            && (b'3'..=b'9').contains(&b[1])
            && b.iter().all(u8::is_ascii_digit);
        if valid {
            Ok(Self(digits.to_owned()))
        } else {
            Err(Invalid::new("INVALID_PHONE", "请输入11位中国大陆手机号码"))
        }
    }

    /// The 11 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number as SNS wants it: E.164 with the +86 country code.
    pub fn e164(&self) -> String {
        format!("+86{}", self.0)
    }

    /// What a user may be shown: 139****5678.
    pub fn masked(&self) -> String {
        super::mask::phone(&self.0)
    }
}

impl std::fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PhoneNumber({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_mainland_mobiles_with_or_without_country_code() {
        assert_eq!(
            PhoneNumber::parse("13912345678").unwrap().e164(),
            "+8613912345678"
        );
        assert_eq!(
            PhoneNumber::parse("+8619912345678").unwrap().as_str(),
            "19912345678"
        );
    }

    #[test]
    fn rejects_everything_else() {
        for bad in [
            "12912345678",
            "1391234567",
            "139123456789",
            "1391234567a",
            "",
            "+85291234567",
        ] {
            assert_eq!(
                PhoneNumber::parse(bad).unwrap_err().code,
                "INVALID_PHONE",
                "{bad}"
            );
        }
    }

    #[test]
    fn debug_is_masked() {
        assert_eq!(
            format!("{:?}", PhoneNumber::parse("13912345678").unwrap()),
            "PhoneNumber(139****5678)"
        );
    }
}
