//! Units (单位): organizations whose accounts counter staff open (F3).

use crate::invalid::Invalid;

/// An organization's registered name: 2–100 characters of printable text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationName(String);

impl OrganizationName {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        super::text::text(
            input,
            2,
            100,
            "INVALID_ORGANIZATION_NAME",
            "单位名称须为2至100个字符",
        )
        .map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organization_names() {
        assert_eq!(
            OrganizationName::parse("  深圳市某某科技有限公司 ")
                .unwrap()
                .as_str(),
            "深圳市某某科技有限公司"
        );
        assert_eq!(
            OrganizationName::parse("公司\u{0007}名").unwrap_err().code,
            "INVISIBLE_CHARACTER"
        );
        for bad in ["某", "", &"名".repeat(101)] {
            assert_eq!(
                OrganizationName::parse(bad).unwrap_err().code,
                "INVALID_ORGANIZATION_NAME",
                "{bad:?}"
            );
        }
    }
}
