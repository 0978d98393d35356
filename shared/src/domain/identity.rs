//! Identity assurance (实名认证): an account's real name and ID document are what its holder
//! typed, and prove nothing, until they are verified: by counter staff who have seen the
//! document, or online by the real-name verification service. Only a verified identity shows
//! personal records (residence records, permits).

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
    /// The real-name verification service confirmed name and ID number.
    Online,
}

super::code_enum!(VerificationMethod);

/// What the verification service says of a name, an ID number and a phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub identity: IdentityMatch,
    /// The phone's real-name registration, where the provider can tell.
    pub phone: PhoneMatch,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityMatch {
    /// The ID number exists and belongs to that name.
    Match,
    /// The ID number exists, with another name.
    Mismatch,
    /// No such ID number.
    NotFound,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneMatch {
    /// The phone is registered to this person.
    Match,
    /// The phone is registered to someone else.
    Mismatch,
    /// The provider cannot tell.
    Unknown,
}

impl Verdict {
    /// Whether the verdict proves the identity: name and number match, and the phone is not
    /// known to be someone else's.
    pub fn proves_identity(&self) -> bool {
        self.identity == IdentityMatch::Match && self.phone != PhoneMatch::Mismatch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_matching_name_and_number_with_no_foreign_phone_prove_an_identity() {
        let verdict = |identity, phone| Verdict { identity, phone };
        assert!(verdict(IdentityMatch::Match, PhoneMatch::Match).proves_identity());
        assert!(verdict(IdentityMatch::Match, PhoneMatch::Unknown).proves_identity());
        assert!(!verdict(IdentityMatch::Match, PhoneMatch::Mismatch).proves_identity());
        assert!(!verdict(IdentityMatch::Mismatch, PhoneMatch::Match).proves_identity());
        assert!(!verdict(IdentityMatch::NotFound, PhoneMatch::Unknown).proves_identity());
    }
}
