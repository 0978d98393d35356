//! The event types the platform publishes, their versions and what they are about.
//!
//! A type's name is `<subject kind>.<what happened>`; on the wire it is prefixed and versioned
//! (`cn.gov.sz.residence.registration.declared.v1`). A change that removes or retypes a field of
//! any view is a new version, published beside the old one until its consumers have moved.

use strum::{AsRefStr, EnumIter, EnumString, IntoStaticStr};

/// The reverse-DNS prefix of every type (CloudEvents `type`).
pub const TYPE_PREFIX: &str = "cn.gov.sz.residence";

/// What an event is about: the kind of its subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum SubjectKind {
    /// A resident's registration at a house (居住登记).
    Registration,
    /// An account's link to a house it manages (房屋关联).
    HouseLink,
    /// A residence-permit application (居住证申领).
    PermitApplication,
    /// A residence permit (居住证).
    Permit,
}

/// Every event type.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, AsRefStr, EnumIter, EnumString,
)]
pub enum EventType {
    #[strum(serialize = "registration.declared")]
    RegistrationDeclared,
    #[strum(serialize = "registration.changed")]
    RegistrationChanged,
    #[strum(serialize = "registration.deregistered")]
    RegistrationDeregistered,
    #[strum(serialize = "house_link.requested")]
    HouseLinkRequested,
    #[strum(serialize = "house_link.decided")]
    HouseLinkDecided,
    #[strum(serialize = "house_link.deregistered")]
    HouseLinkDeregistered,
    #[strum(serialize = "permit.applied")]
    PermitApplied,
    #[strum(serialize = "permit.decided")]
    PermitDecided,
    #[strum(serialize = "permit.withdrawn")]
    PermitWithdrawn,
    /// The card's production and hand-over after approval (produced, ready, mailed, collected).
    #[strum(serialize = "permit.progressed")]
    PermitProgressed,
    #[strum(serialize = "permit.issued")]
    PermitIssued,
    #[strum(serialize = "permit.endorsed")]
    PermitEndorsed,
    #[strum(serialize = "permit.suspended")]
    PermitSuspended,
    #[strum(serialize = "permit.cancelled")]
    PermitCancelled,
}

impl EventType {
    /// The version of the type's data (every view of it).
    pub fn version(self) -> u32 {
        1
    }

    /// The CloudEvents `type`: prefixed and versioned.
    pub fn wire_name(self) -> String {
        format!("{TYPE_PREFIX}.{}.v{}", self.as_ref(), self.version())
    }

    /// What events of this type are about.
    pub fn subject_kind(self) -> SubjectKind {
        use EventType::*;
        match self {
            RegistrationDeclared | RegistrationChanged | RegistrationDeregistered => {
                SubjectKind::Registration
            }
            HouseLinkRequested | HouseLinkDecided | HouseLinkDeregistered => SubjectKind::HouseLink,
            PermitApplied | PermitDecided | PermitWithdrawn | PermitProgressed => {
                SubjectKind::PermitApplication
            }
            PermitIssued | PermitEndorsed | PermitSuspended | PermitCancelled => {
                SubjectKind::Permit
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[test]
    fn wire_names_are_prefixed_versioned_and_distinct() {
        let names: std::collections::BTreeSet<String> =
            EventType::iter().map(EventType::wire_name).collect();
        assert_eq!(names.len(), EventType::iter().count());
        assert!(names.contains("cn.gov.sz.residence.registration.declared.v1"));
        for t in EventType::iter() {
            let subject: &str = t.subject_kind().into();
            let family = subject.split('_').next().unwrap();
            assert!(t.as_ref().starts_with(family), "{t:?} is about a {subject}");
            assert_eq!(t.as_ref().parse::<EventType>().unwrap(), t);
        }
    }
}
