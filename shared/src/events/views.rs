//! The views of each event type: which facts each carries. An event is published only as views,
//! each the projection of the event's facts onto the fields listed here, so a field no view lists
//! cannot reach any consumer. Which consumer receives which view is configuration
//! (`consumers.rs`), with the legal basis of each.

use serde_json::{Map, Value};
use strum::{AsRefStr, EnumIter, EnumString};

use super::catalog::{EventType, SubjectKind};

/// A minimized view of events.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, AsRefStr, EnumIter, EnumString,
)]
#[strum(serialize_all = "snake_case")]
pub enum View {
    /// Everything the record holds about the change, the person's identity included: for the
    /// public security organs' population system, which keeps the registration register.
    Full,
    /// The house and its occupancy, without the resident's identity: for housing rental
    /// management.
    Housing,
    /// Counts and categories only (district, street, dates, age band, sex): no name, ID number,
    /// phone or address. For planning and statistics (education, social insurance, statistics).
    Statistical,
}

impl View {
    /// Whether the view carries the real ids of registrations, links and applications, and the
    /// commit's exact time: only the full view, whose consumer receives the person's identity
    /// anyway. The minimized views carry each consumer's own pseudonyms
    /// ([`super::pseudonyms`]) and the commit's day, so that two consumers cannot join them.
    pub fn keeps_real_ids(self) -> bool {
        self == Self::Full
    }
}

/// Facts of a registration every view may carry (pseudonymous ids, dates, places, categories).
const REGISTRATION_COMMON: &[&str] = &[
    "registration_id",
    "status",
    "moved_in_on",
    "moved_out_on",
    "end_reason",
    "district_code",
    "street_code",
    "declarant_type",
    "channel",
    "late",
];
const APPLICATION_COMMON: &[&str] = &[
    "application_id",
    "status",
    "basis",
    "applied_at",
    "filed_by_unit",
];
const HOUSE_LINK_COMMON: &[&str] = &[
    "link_id",
    "status",
    "declarant_type",
    "requested_at",
    "decided_at",
    "deregistered_on",
    "street_code",
    "district_code",
    "house_id",
    "house_code",
    "room",
    "building_id",
    "manual_address",
];
const PERMIT_COMMON: &[&str] = &[
    "application_id",
    "status",
    "basis",
    "issued_on",
    "next_anniversary",
    "endorsements",
];

/// The fields of `view` of `event_type`, sorted, or `None` when the type has no such view.
pub fn fields(event_type: EventType, view: View) -> Option<Vec<&'static str>> {
    use SubjectKind::*;
    let (common, extra): (&[&str], &[&str]) = match (event_type.subject_kind(), view) {
        (Registration, View::Full) => (
            REGISTRATION_COMMON,
            &[
                "house_id",
                "house_code",
                "room",
                "building_id",
                "address",
                "declarant_account_id",
                "declarant_name",
                "declared_at",
                "resident",
                "changes",
            ],
        ),
        (Registration, View::Housing) => (
            REGISTRATION_COMMON,
            &[
                "house_id",
                "house_code",
                "room",
                "building_id",
                "changed_fields",
            ],
        ),
        (Registration, View::Statistical) => (
            REGISTRATION_COMMON,
            &["age_band", "sex", "id_type", "changed_fields"],
        ),
        (PermitApplication, View::Full) => (
            APPLICATION_COMMON,
            &["applicant_account_id", "holder_name", "delivery", "unit_id"],
        ),
        (PermitApplication, View::Statistical) => (APPLICATION_COMMON, &[]),
        (Permit, View::Full) => (
            PERMIT_COMMON,
            &["permit_no", "holder_account_id", "card", "cancellation"],
        ),
        (Permit, View::Statistical) => (PERMIT_COMMON, &["age_band", "sex", "id_type"]),
        (HouseLink, View::Full) => (HOUSE_LINK_COMMON, &["account_id", "address", "reason"]),
        (HouseLink, View::Housing) => (HOUSE_LINK_COMMON, &[]),
        (PermitApplication | Permit | HouseLink, _) => return None,
    };
    let mut all: Vec<&'static str> = common.iter().chain(extra).copied().collect();
    all.sort_unstable();
    Some(all)
}

/// `facts` reduced to the fields of `view` (absent facts stay absent).
pub fn project(event_type: EventType, view: View, facts: &Map<String, Value>) -> Option<Value> {
    let fields = fields(event_type, view)?;
    let data: Map<String, Value> = fields
        .into_iter()
        .filter_map(|f| facts.get(f).map(|v| (f.to_owned(), v.clone())))
        .collect();
    Some(Value::Object(data))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_projection_carries_only_the_listed_fields() {
        let facts = json!({
            "registration_id": "r1", "status": "current", "age_band": "30-39",
            "resident": {"name": "张三", "id_number": "110101199003070012"},
            "unlisted": "never published"
        });
        let facts = facts.as_object().unwrap();
        let stats = project(EventType::RegistrationDeclared, View::Statistical, facts).unwrap();
        assert_eq!(
            stats,
            json!({"registration_id": "r1", "status": "current", "age_band": "30-39"})
        );
        let full = project(EventType::RegistrationDeclared, View::Full, facts).unwrap();
        assert!(full.get("resident").is_some());
        assert!(full.get("unlisted").is_none());
    }

    #[test]
    fn only_the_full_view_names_the_person() {
        for view in [View::Housing, View::Statistical] {
            let fields = fields(EventType::RegistrationChanged, view).unwrap();
            for personal in ["resident", "declarant_name", "address", "changes"] {
                assert!(!fields.contains(&personal), "{view:?} lists {personal}");
            }
        }
    }
}
