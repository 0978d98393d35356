//! Identity assurance (实名认证): an account's real name and ID document are what its holder
//! typed, and prove nothing, until they are verified. A name and an ID number are not secrets in
//! China, so knowing them proves nothing either: a proof is possession or presence.
//!
//! - At the counter: staff have seen the document.
//! - The carrier's real-name check (运营商三要素核验): the account's phone, proven by an SMS code
//!   at registration, is registered with its carrier in exactly that name and ID number. Only a
//!   confirmed match proves; a carrier that cannot tell proves nothing.
//! - A face check (人脸核验): a live face (liveness detection) compared with the photo of the
//!   ID document held by the issuing authority.
//!
//! Only a verified identity shows personal records (residence records, permits).

use serde::{Deserialize, Serialize};
use strum::{EnumString, IntoStaticStr, VariantArray};

/// How an identity was proven.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
#[derive(IntoStaticStr, EnumString, VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum VerificationMethod {
    /// Counter staff saw the document (an account opened at the counter, or verified there).
    Counter,
    /// The carrier confirmed that the account's SMS-proven phone is registered to its name and
    /// ID number.
    Carrier,
    /// A live face matched the ID document's photo.
    Face,
    /// Before 2026-12: the name and number matched and the phone was not known to be someone
    /// else's. No longer issued (it proved knowledge, not the person); kept so that stored
    /// proofs still read, and reclaimable by staff suspension like any other.
    Online,
}

super::code_enum!(VerificationMethod);

/// The online ways a citizen proves their identity themselves (`method` of
/// `POST /v1/me/identity-verification`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, IntoStaticStr, EnumString, VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum OnlineMethod {
    /// The carrier's real-name check of the account's phone (the default).
    #[default]
    Carrier,
    /// A face check: started, then completed in the app, then read.
    Face,
}

super::code_enum!(
    OnlineMethod,
    "INVALID_METHOD",
    "核验方式须为手机号实名核验或人脸核验"
);

/// What the carrier says of a phone, a name and an ID number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CarrierVerdict {
    /// The phone is registered with the carrier in this name and ID number.
    Match,
    /// The phone is registered to someone else (or the name and number disagree).
    Mismatch,
    /// The carrier cannot tell (another carrier's number, no real-name record it can share).
    Unknown,
}

impl CarrierVerdict {
    /// Only a confirmed match proves the identity: a phone the carrier cannot confirm proves
    /// nothing, whoever typed the name and number.
    pub fn proves_identity(self) -> bool {
        self == Self::Match
    }
}

/// Where a face check stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaceVerdict {
    /// The person has not finished it in the app yet.
    Pending,
    /// A live face matched the photo of that name's ID document.
    Passed,
    /// No live face, another face, or no such document.
    Failed,
}

impl FaceVerdict {
    pub fn proves_identity(self) -> bool {
        self == Self::Passed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_confirmed_carrier_match_proves_an_identity() {
        assert!(CarrierVerdict::Match.proves_identity());
        assert!(!CarrierVerdict::Unknown.proves_identity());
        assert!(!CarrierVerdict::Mismatch.proves_identity());
    }

    #[test]
    fn only_a_passed_face_check_proves_an_identity() {
        assert!(FaceVerdict::Passed.proves_identity());
        assert!(!FaceVerdict::Pending.proves_identity());
        assert!(!FaceVerdict::Failed.proves_identity());
    }

    #[test]
    fn methods_read_as_named_and_default_to_the_carrier() {
        assert_eq!(OnlineMethod::parse("face").unwrap(), OnlineMethod::Face);
        assert_eq!(OnlineMethod::default(), OnlineMethod::Carrier);
        assert_eq!(
            OnlineMethod::parse("online").unwrap_err().code,
            "INVALID_METHOD"
        );
        assert_eq!(
            "online".parse::<VerificationMethod>().ok(),
            Some(VerificationMethod::Online)
        );
    }
}
