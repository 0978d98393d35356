//! The life of a house link (F12–F15): pending until staff decide, then approved or rejected;
//! deregistered by its account.

use serde::{Deserialize, Serialize};
use strum::{EnumString, IntoStaticStr, VariantArray};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
#[derive(IntoStaticStr, EnumString, VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum LinkStatus {
    Pending,
    Approved,
    Rejected,
    Deregistered,
}

super::code_enum!(LinkStatus);

impl LinkStatus {
    /// Whether the link holds its claim on the house (pending or approved).
    pub fn is_active(self) -> bool {
        matches!(self, Self::Pending | Self::Approved)
    }
}

#[cfg(test)]
mod tests {
    use super::super::assert_code_enum;
    use super::*;

    #[test]
    fn the_names_are_the_contract() {
        assert_code_enum(
            LinkStatus::ALL,
            &["pending", "approved", "rejected", "deregistered"],
            LinkStatus::as_str,
            |s| s.parse().ok(),
        );
    }
}
