//! Residence-permit applications (F22): their statuses and the values an application names.

use serde::{Deserialize, Serialize};
use strum::{EnumMessage, EnumString, IntoStaticStr, VariantArray};

use crate::invalid::Invalid;

/// Where an application is (`docs/spec/permits.md`): `submitted → accepted → approved →
/// card_produced → ready_for_pickup | mailed → collected`, or `rejected` (with a reason) from
/// `submitted` or `accepted`, or `withdrawn` by the applicant before approval. A unit's filing
/// (F25) starts `awaiting_consent`: nothing is decided until the employee confirms it (then as
/// the holder's own application), refuses it (`withdrawn`), or lets it lapse (`expired`, which is
/// never written: a filing read past its deadline is expired).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
#[derive(IntoStaticStr, EnumString, VariantArray, EnumMessage)]
#[strum(serialize_all = "snake_case")]
pub enum ApplicationStatus {
    /// A unit's filing waiting for the employee's consent in their own account (F25).
    #[strum(message = "待本人确认")]
    AwaitingConsent,
    /// Waiting for staff (a direct basis, or an exception).
    #[strum(message = "已提交，待审核")]
    Submitted,
    /// Accepted: at once when the records prove every condition, or by staff.
    #[strum(message = "已受理")]
    Accepted,
    #[strum(message = "已审批")]
    Approved,
    #[strum(message = "已制证")]
    CardProduced,
    #[strum(message = "待领取")]
    ReadyForPickup,
    #[strum(message = "已邮寄")]
    Mailed,
    #[strum(message = "已领取")]
    Collected,
    #[strum(message = "不予受理")]
    Rejected,
    #[strum(message = "已撤回")]
    Withdrawn,
    /// A unit's filing the employee did not confirm in time (read, never written).
    #[strum(message = "已过期")]
    Expired,
}

super::code_enum!(ApplicationStatus);

impl ApplicationStatus {
    pub fn label(self) -> &'static str {
        self.get_message().expect("every status has a label")
    }

    /// Whether the applicant may still withdraw it (before approval; a unit's filing before
    /// consent, which is refusing it).
    pub fn can_withdraw(self) -> bool {
        matches!(
            self,
            Self::AwaitingConsent | Self::Submitted | Self::Accepted
        )
    }

    /// The steps staff record after approval (`POST …/progress`).
    pub const STEPS: [Self; 4] = [
        Self::CardProduced,
        Self::ReadyForPickup,
        Self::Mailed,
        Self::Collected,
    ];

    /// A step staff may record, by its wire name.
    pub fn parse_step(value: &str) -> Option<Self> {
        value.parse().ok().filter(|s| Self::STEPS.contains(s))
    }

    /// Whether `step` is the next one after this status for a card delivered by `delivery`:
    /// approved → card produced → ready for pickup (or mailed) → collected.
    pub fn accepts_step(self, step: Self, delivery: &Delivery) -> bool {
        matches!(
            (self, step, delivery),
            (Self::Approved, Self::CardProduced, _)
                | (
                    Self::CardProduced,
                    Self::ReadyForPickup,
                    Delivery::PickupPoint(_)
                )
                | (Self::CardProduced, Self::Mailed, Delivery::MailAddress(_))
                | (Self::ReadyForPickup | Self::Mailed, Self::Collected, _)
        )
    }

    /// Whether the application is still running.
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            Self::Rejected | Self::Withdrawn | Self::Collected | Self::Expired
        )
    }

    /// Whether it holds the person's one open-application claim (it blocks another of theirs):
    /// every open status but `awaiting_consent`. A unit's filing takes the claim only when the
    /// employee consents, so a filing cannot block the person's own application.
    pub fn holds_claim(self) -> bool {
        self.is_open() && self != Self::AwaitingConsent
    }
}

/// The 图像号 of a digital photo receipt (数码相片回执) from an authorized studio: 6–32 letters and
/// digits (the platform stores the number, not a photo).
pub fn photo_receipt_no(input: &str) -> Result<String, Invalid> {
    let value = input.trim();
    if (6..=32).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(value.to_ascii_uppercase())
    } else {
        Err(Invalid::new(
            "INVALID_PHOTO_RECEIPT",
            "数码相片回执图像号须为6至32位字母或数字",
        ))
    }
}

/// Where the card goes: picked up at a street's acceptance point (受理点), or mailed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// The 9-digit code of the street whose acceptance point hands out the card.
    PickupPoint(String),
    /// A postal address in mainland China (at the applicant's cost).
    MailAddress(String),
}

#[cfg(test)]
mod tests {
    use super::super::assert_code_enum;
    use super::*;

    #[test]
    fn statuses_have_their_wire_names_and_rules() {
        assert_code_enum(
            ApplicationStatus::ALL,
            &[
                "awaiting_consent",
                "submitted",
                "accepted",
                "approved",
                "card_produced",
                "ready_for_pickup",
                "mailed",
                "collected",
                "rejected",
                "withdrawn",
                "expired",
            ],
            ApplicationStatus::as_str,
            |s| s.parse().ok(),
        );
        assert!(ApplicationStatus::Accepted.can_withdraw());
        assert!(!ApplicationStatus::Approved.can_withdraw());
        assert!(ApplicationStatus::Approved.is_open());
        assert!(!ApplicationStatus::Withdrawn.is_open());
        assert!(ApplicationStatus::AwaitingConsent.is_open());
        assert!(!ApplicationStatus::AwaitingConsent.holds_claim());
        assert!(ApplicationStatus::AwaitingConsent.can_withdraw());
        assert!(ApplicationStatus::Submitted.holds_claim());
        assert!(!ApplicationStatus::Expired.is_open());
        let pickup = Delivery::PickupPoint("440303001".into());
        let mail = Delivery::MailAddress("广东省深圳市福田区".into());
        use ApplicationStatus as S;
        assert!(S::Approved.accepts_step(S::CardProduced, &pickup));
        assert!(S::CardProduced.accepts_step(S::ReadyForPickup, &pickup));
        assert!(!S::CardProduced.accepts_step(S::Mailed, &pickup));
        assert!(S::CardProduced.accepts_step(S::Mailed, &mail));
        assert!(S::Mailed.accepts_step(S::Collected, &mail));
        assert!(!S::Accepted.accepts_step(S::CardProduced, &pickup));
        assert!(!S::Approved.accepts_step(S::Collected, &pickup));
        assert_eq!(S::parse_step("mailed"), Some(S::Mailed));
        assert_eq!(S::parse_step("approved"), None);
    }

    #[test]
    fn photo_receipt_numbers_are_letters_and_digits() {
        assert_eq!(photo_receipt_no(" ab12cd34 ").unwrap(), "AB12CD34");
        for bad in ["12345", "abc-12345", "照片回执号码123", &"1".repeat(33)] {
            assert!(photo_receipt_no(bad).is_err(), "{bad}");
        }
    }
}
