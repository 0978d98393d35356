//! What a registration's life consists of: its status, why it ended, through which channel and
//! by what action it changed. Stored as the snake_case names; shown with the Chinese labels.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationStatus {
    /// The resident lives there.
    Current,
    /// The resident moved out (`moved_out_on`), or the house was deregistered with its residents.
    MovedOut,
    /// Deregistered because the information was wrong: never counts toward a residence permit.
    Voided,
}

impl RegistrationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Current => "current",
            Self::MovedOut => "moved_out",
            Self::Voided => "voided",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Current => "在住",
            Self::MovedOut => "已搬离",
            Self::Voided => "已作废（信息有误）",
        }
    }
}

/// Why a registration ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// 搬离: the resident moved out.
    MovedOut,
    /// 信息错误: the registration was wrong and is void.
    InfoError,
    /// The declarant deregistered the house with its residents (F15).
    HouseDeregistered,
}

impl EndReason {
    pub fn label(self) -> &'static str {
        match self {
            Self::MovedOut => "搬离",
            Self::InfoError => "信息错误",
            Self::HouseDeregistered => "房屋注销",
        }
    }

    pub fn status(self) -> RegistrationStatus {
        match self {
            Self::InfoError => RegistrationStatus::Voided,
            Self::MovedOut | Self::HouseDeregistered => RegistrationStatus::MovedOut,
        }
    }
}

/// Through which channel a change was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The declarant's own account (mobile app).
    Online,
    /// Counter staff on the declarant's behalf (F21).
    Counter,
}

/// What a history entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Declared,
    Changed,
    Deregistered,
}
