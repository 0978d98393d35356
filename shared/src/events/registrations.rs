//! Registration items of the registrations table's stream → `registration.*` events.
//!
//! One committed write of a `registration` item is one event (the `history` item written in the
//! same transaction says nothing its registration's images do not): an insert is a declaration,
//! a change keeping the registration current a change, and the move to `moved_out` or `voided`
//! its deregistration. The item's `version` is the event's sequence.

use chrono::{Datelike, NaiveDate};
use serde_json::{Map, Value, json};

use crate::domain::registration::RegistrationStatus;
use crate::domain::resident::Resident;
use crate::store::registrations::RegistrationRecord;

use super::catalog::EventType;
use super::event::{Change, DomainEvent, TranslateError, commit_day};

/// The item kind this module translates.
pub const KIND: &str = "registration";

/// The event of one change of a registration item.
pub fn translate(
    change: &Change<RegistrationRecord>,
) -> Result<Option<DomainEvent>, TranslateError> {
    let (event_type, old, new) = match (&change.old, &change.new) {
        (None, Some(new)) => (EventType::RegistrationDeclared, None, new),
        (Some(old), Some(new)) if new.status == RegistrationStatus::Current => {
            (EventType::RegistrationChanged, Some(old), new)
        }
        (Some(old), Some(new)) if old.status == RegistrationStatus::Current => {
            (EventType::RegistrationDeregistered, Some(old), new)
        }
        // A registration that ended is never written again; its removal is not a domain event.
        _ => return Ok(None),
    };
    let day = commit_day(&new.updated_at)?;
    let mut facts = vec![
        ("registration_id", json!(new.registration_id)),
        ("status", json!(new.status)),
        ("moved_in_on", json!(new.moved_in_on)),
        ("moved_out_on", json!(new.moved_out_on)),
        ("end_reason", json!(new.end_reason)),
        ("street_code", json!(new.house.street_code)),
        ("district_code", json!(new.house.street_code.get(..6))),
        ("declarant_type", json!(new.declarant.declarant_type)),
        ("channel", json!(new.declared_by.channel)),
        ("late", json!(new.late)),
        ("house_id", json!(new.house.house_id)),
        ("house_code", json!(new.house.house_code)),
        ("room", json!(new.house.room)),
        ("building_id", json!(new.house.building_id)),
        ("address", json!(new.house.address)),
        ("declarant_account_id", json!(new.declarant.account_id)),
        ("declarant_name", json!(new.declarant.name)),
        ("declared_at", json!(new.declared_at)),
        ("resident", resident(&new.resident)),
        ("age_band", json!(age_band(new.resident.birth_date, day))),
        ("sex", json!(new.resident.sex)),
        ("id_type", json!(new.resident.document.id_type())),
    ];
    if let (EventType::RegistrationChanged, Some(old)) = (event_type, old) {
        let changes = changes(&old.resident, &new.resident);
        let names: Vec<&str> = changes.iter().filter_map(|c| c["field"].as_str()).collect();
        facts.push(("changed_fields", json!(names)));
        facts.push(("changes", Value::Array(changes)));
    }
    Ok(Some(DomainEvent::of_write(
        event_type,
        &new.registration_id,
        new.version,
        &new.updated_at,
        Some((&new.person_key, new.resident.name.as_str())),
        facts,
    )))
}

/// The resident as published in the full view.
fn resident(r: &Resident) -> Value {
    serde_json::to_value(r).unwrap_or(Value::Null)
}

/// Each field of the resident that differs: `{field, from, to}` (absent values omitted).
fn changes(old: &Resident, new: &Resident) -> Vec<Value> {
    let (Ok(Value::Object(old)), Ok(Value::Object(new))) =
        (serde_json::to_value(old), serde_json::to_value(new))
    else {
        return Vec::new();
    };
    let mut fields: Vec<&String> = old.keys().chain(new.keys()).collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .filter(|f| old.get(*f) != new.get(*f))
        .map(|f| {
            let mut change = Map::new();
            change.insert("field".into(), json!(f));
            if let Some(v) = old.get(f) {
                change.insert("from".into(), v.clone());
            }
            if let Some(v) = new.get(f) {
                change.insert("to".into(), v.clone());
            }
            Value::Object(change)
        })
        .collect()
}

/// The age band of someone born on `birth` on `day`: `0-13` (a child, whose data is sensitive),
/// `14-17`, `18-29`, then by decade to `60+`.
pub fn age_band(birth: NaiveDate, day: NaiveDate) -> &'static str {
    let mut age = day.year() - birth.year();
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    match age {
        ..=13 => "0-13",
        14..=17 => "14-17",
        18..=29 => "18-29",
        30..=39 => "30-39",
        40..=49 => "40-49",
        50..=59 => "50-59",
        _ => "60+",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// A registration as stored (invented personal data).
    fn record(version: u32, status: &str, workplace: &str) -> RegistrationRecord {
        serde_json::from_value(json!({
            "pk": "LINK#l1", "sk": "REG#r1", "kind": "registration",
            "registration_id": "r1", "link_id": "l1",
            "declarant": {"account_id": "a1", "name": "张三", "declarant_type": "lessor"},
            "house": {"house_id": "h1", "house_code": "4403030010021600001000301", "room": "301",
                      "building_id": "b1", "building_name": "翠竹花园 3栋",
                      "address": "罗湖区桂园街道翠竹路8号", "street_code": "440303001"},
            "resident": {"name": "李四", "sex": "2", "ethnicity": "01", "birth_date": "1990-03-07",
                         "id_type": "resident_id", "id_number": "11010119900307002X",
                         "household_address": "北京市朝阳区建国路1号", "marital_status": "20",
                         "education": "20", "occupation": "教师", "workplace": workplace,
                         "relationship": "租客"},
            "moved_in_on": "2026-11-20", "person_key": "pk1", "person_moves": "2026-11-20#r1",
            "status": status, "late": false, "deadline_days": 7,
            "receipt_no": "20261127-7K3M9QXA2B", "declared_at": "2026-11-27T02:15:04Z",
            "declared_by": {"account_id": "a1", "channel": "online"},
            "version": version, "updated_at": "2026-11-28T03:00:00Z"
        }))
        .unwrap()
    }

    fn event_of(
        old: Option<RegistrationRecord>,
        new: Option<RegistrationRecord>,
    ) -> Option<DomainEvent> {
        translate(&Change { old, new }).unwrap()
    }

    #[test]
    fn a_declaration_a_change_and_a_deregistration() {
        let declared = event_of(None, Some(record(1, "current", "甲公司"))).unwrap();
        assert_eq!(declared.event_type, EventType::RegistrationDeclared);
        assert_eq!((declared.subject.as_str(), declared.sequence), ("r1", 1));
        assert_eq!(declared.facts["district_code"], "440303");
        assert_eq!(declared.facts["age_band"], "30-39");
        assert_eq!(
            declared.facts["resident"]["id_number"],
            "11010119900307002X"
        );
        assert!(declared.facts.get("changes").is_none());

        let changed = event_of(
            Some(record(1, "current", "甲公司")),
            Some(record(2, "current", "乙公司")),
        )
        .unwrap();
        assert_eq!(changed.event_type, EventType::RegistrationChanged);
        assert_eq!(changed.sequence, 2);
        assert_eq!(changed.facts["changed_fields"], json!(["workplace"]));
        assert_eq!(
            changed.facts["changes"],
            json!([{"field": "workplace", "from": "甲公司", "to": "乙公司"}])
        );

        let gone = event_of(
            Some(record(2, "current", "乙公司")),
            Some(record(3, "moved_out", "乙公司")),
        )
        .unwrap();
        assert_eq!(gone.event_type, EventType::RegistrationDeregistered);
        assert_eq!(gone.facts["status"], "moved_out");
    }

    #[test]
    fn writes_after_the_end_and_removals_are_no_events() {
        let ended = || Some(record(3, "moved_out", "乙公司"));
        assert!(event_of(ended(), ended()).is_none());
        assert!(event_of(ended(), None).is_none());
    }

    #[test]
    fn the_band_turns_on_the_birthday() {
        assert_eq!(age_band(d("2012-12-02"), d("2026-12-01")), "0-13");
        assert_eq!(age_band(d("2012-12-02"), d("2026-12-02")), "14-17");
        assert_eq!(age_band(d("2008-02-29"), d("2026-02-28")), "14-17");
        assert_eq!(age_band(d("2008-02-29"), d("2026-03-01")), "18-29");
        assert_eq!(age_band(d("1966-01-01"), d("2026-01-01")), "60+");
    }

    proptest! {
        #[test]
        fn bands_never_go_down_with_time(days in 0u64..40_000, later in 0u64..800) {
            let birth = d("1950-01-01");
            let rank = |b: &str| ["0-13", "14-17", "18-29", "30-39", "40-49", "50-59", "60+"]
                .iter().position(|x| *x == b).unwrap();
            let a = birth + chrono::Days::new(days);
            let b = a + chrono::Days::new(later);
            prop_assert!(rank(age_band(birth, a)) <= rank(age_band(birth, b)));
        }
    }
}
