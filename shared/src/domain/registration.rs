//! What a registration's life consists of: its status, why it ended, through which channel and
//! by what action it changed. Stored and sent as the snake_case names; shown with the Chinese
//! labels.

use serde::{Deserialize, Serialize};
use strum::{EnumMessage, EnumString, IntoStaticStr, VariantArray};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
#[derive(IntoStaticStr, EnumString, VariantArray, EnumMessage)]
#[strum(serialize_all = "snake_case")]
pub enum RegistrationStatus {
    /// The resident lives there.
    #[strum(message = "在住")]
    Current,
    /// The resident moved out (`moved_out_on`), or the house was deregistered with its residents.
    #[strum(message = "已搬离")]
    MovedOut,
    /// Deregistered because the information was wrong: never counts toward a residence permit.
    #[strum(message = "已作废（信息有误）")]
    Voided,
}

super::code_enum!(
    RegistrationStatus,
    "INVALID_STATUS",
    "登记状态须为在住、已搬离或已作废"
);

/// Why a registration ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
#[derive(IntoStaticStr, EnumString, VariantArray, EnumMessage)]
#[strum(serialize_all = "snake_case")]
pub enum EndReason {
    /// 搬离: the resident moved out.
    #[strum(message = "搬离")]
    MovedOut,
    /// 信息错误: the registration was wrong and is void.
    #[strum(message = "信息错误")]
    InfoError,
    /// The declarant deregistered the house with its residents (F15).
    #[strum(message = "房屋注销")]
    HouseDeregistered,
}

super::code_enum!(EndReason);

/// Through which channel a change was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
#[derive(IntoStaticStr, EnumString, VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Channel {
    /// The declarant's own account (mobile app).
    Online,
    /// Counter staff on the declarant's behalf (F21).
    Counter,
}

super::code_enum!(Channel);

/// What a history entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
#[derive(IntoStaticStr, EnumString, VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Action {
    Declared,
    Changed,
    Deregistered,
}

super::code_enum!(Action);

impl RegistrationStatus {
    pub fn label(self) -> &'static str {
        self.get_message().expect("every status has a label")
    }
}

impl EndReason {
    pub fn label(self) -> &'static str {
        self.get_message().expect("every end reason has a label")
    }

    pub fn status(self) -> RegistrationStatus {
        match self {
            Self::InfoError => RegistrationStatus::Voided,
            Self::MovedOut | Self::HouseDeregistered => RegistrationStatus::MovedOut,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::assert_code_enum;
    use super::*;

    #[test]
    fn the_names_are_the_contract_and_every_value_has_a_label() {
        assert_code_enum(
            RegistrationStatus::ALL,
            &["current", "moved_out", "voided"],
            RegistrationStatus::as_str,
            |s| RegistrationStatus::parse(s).ok(),
        );
        assert_code_enum(
            EndReason::ALL,
            &["moved_out", "info_error", "house_deregistered"],
            EndReason::as_str,
            |s| s.parse().ok(),
        );
        assert_code_enum(Channel::ALL, &["online", "counter"], Channel::as_str, |s| {
            s.parse().ok()
        });
        assert_code_enum(
            Action::ALL,
            &["declared", "changed", "deregistered"],
            Action::as_str,
            |s| s.parse().ok(),
        );
        assert!(
            RegistrationStatus::ALL
                .iter()
                .all(|s| !s.label().is_empty())
        );
        assert!(EndReason::ALL.iter().all(|r| !r.label().is_empty()));
    }
}
