//! Items of the permits table's stream → `permit.*` events.
//!
//! An application item (`APP#<id>` / `APP`): its insert is `permit.applied`; a change of its
//! status to accepted, approved or rejected is `permit.decided`, to withdrawn `permit.withdrawn`,
//! to a step of the card's production and hand-over `permit.progressed`. A unit's filing is no
//! event until the employee consents (F25: a filing they never confirm is no application of
//! theirs): its insert (`awaiting_consent`) is none, the consent that opens it (to submitted or
//! accepted) is `permit.applied`, and its refusal, or a rejection the records make on consent,
//! none. A permit item
//! (`PERMIT#<no>` / `PERMIT`): its insert is `permit.issued`; a change that adds an endorsement is
//! `permit.endorsed`, one to `suspended` `permit.suspended`, one to `cancelled`
//! `permit.cancelled`. Writes that only move the daily run's next milestone are no event. Each
//! item's `version` is its events' sequence; the application and the permit are two subjects,
//! both named by the application id (random, meaningless outside the platform): the permit
//! number is printed on the card, so it is a field of the full view only, never a subject.

use serde_json::{Value, json};

use crate::domain::permit::ApplicationStatus;
use crate::domain::residence_permit::PermitStatus;
use crate::store::permits::{ApplicationRecord, PermitRecord};

use super::catalog::EventType;
use super::event::{Change, DomainEvent, TranslateError, commit_day};
use super::registrations::age_band;

/// The event of one change of an application item.
pub fn application(
    change: &Change<ApplicationRecord>,
) -> Result<Option<DomainEvent>, TranslateError> {
    use ApplicationStatus::*;
    let Some(new) = &change.new else {
        return Ok(None);
    };
    let event_type = match &change.old {
        None if new.status == AwaitingConsent => return Ok(None),
        None => EventType::PermitApplied,
        Some(old) if old.status == new.status => return Ok(None),
        Some(old) if old.status == AwaitingConsent => match new.status {
            Submitted | Accepted => EventType::PermitApplied,
            _ => return Ok(None),
        },
        Some(_) => match new.status {
            Accepted | Approved | Rejected => EventType::PermitDecided,
            Withdrawn => EventType::PermitWithdrawn,
            CardProduced | ReadyForPickup | Mailed | Collected => EventType::PermitProgressed,
            Submitted | AwaitingConsent | Expired => return Ok(None),
        },
    };
    let facts = vec![
        ("application_id", json!(new.application_id)),
        ("status", json!(new.status)),
        ("basis", json!(new.basis)),
        ("applied_at", json!(new.applied_at)),
        ("filed_by_unit", json!(new.agent.is_some())),
        ("applicant_account_id", json!(new.applicant)),
        ("holder_name", json!(new.holder_name)),
        ("delivery", json!(new.delivery)),
        ("unit_id", json!(new.agent.as_ref().map(|a| &a.unit_id))),
    ];
    Ok(Some(DomainEvent::of_write(
        event_type,
        &new.application_id,
        new.version,
        &new.updated_at,
        Some((&new.person_key, &new.holder_name)),
        facts,
    )))
}

/// The event of one change of a permit item.
pub fn permit(change: &Change<PermitRecord>) -> Result<Option<DomainEvent>, TranslateError> {
    let Some(new) = &change.new else {
        return Ok(None);
    };
    let event_type = match &change.old {
        None => EventType::PermitIssued,
        Some(old) if new.status == PermitStatus::Cancelled && old.status != new.status => {
            EventType::PermitCancelled
        }
        Some(old) if new.status == PermitStatus::Suspended && old.status != new.status => {
            EventType::PermitSuspended
        }
        Some(old) if new.endorsements > old.endorsements => EventType::PermitEndorsed,
        Some(_) => return Ok(None),
    };
    let day = commit_day(&new.updated_at)?;
    let facts = vec![
        ("permit_no", json!(new.permit_no.as_str())),
        ("application_id", json!(new.application_id)),
        ("status", json!(new.status)),
        ("basis", json!(new.basis)),
        ("issued_on", json!(new.issued_on)),
        ("next_anniversary", json!(new.validity.anniversary())),
        ("endorsements", json!(new.endorsements)),
        ("cancellation", json!(new.cancellation)),
        ("holder_account_id", json!(new.holder)),
        (
            "card",
            serde_json::to_value(&new.card).unwrap_or(Value::Null),
        ),
        ("age_band", json!(age_band(new.card.birth_date, day))),
        ("sex", json!(new.card.sex)),
        ("id_type", json!(new.card.id_type)),
    ];
    Ok(Some(DomainEvent::of_write(
        event_type,
        &new.application_id,
        new.version,
        &new.updated_at,
        Some((&new.person_key, &new.card.name)),
        facts,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::residence_permit::PermitNo;

    /// A permit as stored (invented personal data), serialized and read back the way the
    /// publisher reads a stream image.
    fn permit(version: u32, status: &str, endorsements: u32) -> PermitRecord {
        let no = PermitNo::generate();
        serde_json::from_value(json!({
            "pk": format!("PERMIT#{}", no.as_str()), "sk": "PERMIT",
            "permit_no": no.as_str(), "holder": "a1", "person_key": "pk1",
            "application_id": "app1", "basis": "standard",
            "card": {"name": "李四", "sex": "2", "ethnicity": "01", "birth_date": "2010-06-01",
                     "id_type": "resident_id", "id_number": "110101201006010020",
                     "household_address": "北京市朝阳区建国路1号",
                     "current_address": "罗湖区桂园街道翠竹路8号301", "photo_receipt_no": "P1"},
            "issued_on": "2025-06-01", "validity": {"anchor": "2025-06-01", "years": 1},
            "status": status, "endorsements": endorsements, "version": version,
            "updated_at": "2026-12-02T01:00:00Z"
        }))
        .unwrap()
    }

    fn event_of(old: Option<PermitRecord>, new: PermitRecord) -> Option<DomainEvent> {
        super::permit(&Change {
            old,
            new: Some(new),
        })
        .unwrap()
    }

    #[test]
    fn issue_endorsement_suspension_cancellation_and_reminders() {
        let issued = event_of(None, permit(1, "active", 0)).unwrap();
        assert_eq!(issued.event_type, EventType::PermitIssued);
        assert_eq!((issued.subject.as_str(), issued.sequence), ("app1", 1));
        assert_eq!(issued.facts["age_band"], "14-17");
        assert_eq!(issued.facts["next_anniversary"], "2026-06-01");

        let endorsed = event_of(Some(permit(1, "active", 0)), permit(2, "active", 1)).unwrap();
        assert_eq!(endorsed.event_type, EventType::PermitEndorsed);
        let suspended = event_of(Some(permit(2, "active", 1)), permit(3, "suspended", 1)).unwrap();
        assert_eq!(suspended.event_type, EventType::PermitSuspended);
        let restored = event_of(Some(permit(3, "suspended", 1)), permit(4, "active", 2)).unwrap();
        assert_eq!(restored.event_type, EventType::PermitEndorsed);
        let cancelled = event_of(Some(permit(4, "active", 2)), permit(5, "cancelled", 2)).unwrap();
        assert_eq!(cancelled.event_type, EventType::PermitCancelled);
        // A reminder only moves the next milestone: no event.
        assert!(event_of(Some(permit(5, "active", 2)), permit(6, "active", 2)).is_none());
    }

    #[test]
    fn the_permit_number_is_in_the_full_view_only() {
        use crate::events::consumers::routes;
        use crate::events::envelope::CloudEvent;
        use crate::events::pseudonyms::pseudonym;
        use crate::events::views::View;
        let issued = event_of(None, permit(1, "active", 0)).unwrap();
        let copy = |view: View| {
            let route = routes()
                .iter()
                .find(|r| r.receives.iter().any(|(_, v)| *v == view))
                .unwrap();
            let event = CloudEvent::for_consumer(&issued, view, &route.consumer, b"k");
            (event.unwrap().unwrap(), &route.consumer)
        };
        let (full, _) = copy(View::Full);
        assert!(full.data.get("permit_no").is_some() && full.data.get("card").is_some());
        assert_eq!(full.subject, "app1");
        let (stats, statistics) = copy(View::Statistical);
        assert!(stats.data.get("permit_no").is_none() && stats.data.get("card").is_none());
        // The application's pseudonym: the same in the permit's events as in the application's.
        assert_eq!(stats.subject, pseudonym(b"k", statistics, "app1"));
        assert_eq!(stats.data["application_id"], stats.subject.as_str());
    }

    /// An application as stored (invented data), at `status` and `version`, filed by a unit.
    fn filing(version: u32, status: &str) -> ApplicationRecord {
        serde_json::from_value(json!({
            "pk": "APP#app2", "sk": "APP", "application_id": "app2", "applicant": "a2",
            "applied_key": "2026-12-02T01:00:00Z#app2", "person_key": "pk2",
            "holder_name": "王五", "basis": "standard", "photo_receipt_no": "PR1234",
            "delivery": {"pickup_point": "440305001"}, "status": status,
            "applied_at": "2026-12-02T01:00:00Z", "updated_at": "2026-12-02T01:00:00Z",
            "version": version, "filed_unit": "u1",
            "agent": {"unit_id": "u1", "unit_name": "某单位", "by": "admin1",
                      "authorization_no": "WT-1"},
            "consent_expires_at": "2026-12-09T01:00:00Z"
        }))
        .unwrap()
    }

    fn application_event(
        old: Option<ApplicationRecord>,
        new: ApplicationRecord,
    ) -> Option<EventType> {
        super::application(&Change {
            old,
            new: Some(new),
        })
        .unwrap()
        .map(|e| e.event_type)
    }

    #[test]
    fn a_unit_filing_is_published_only_once_the_employee_consents() {
        let awaiting = || filing(1, "awaiting_consent");
        assert_eq!(application_event(None, awaiting()), None);
        assert_eq!(
            application_event(Some(awaiting()), filing(2, "accepted")),
            Some(EventType::PermitApplied)
        );
        assert_eq!(
            application_event(Some(awaiting()), filing(2, "submitted")),
            Some(EventType::PermitApplied)
        );
        assert_eq!(
            application_event(Some(awaiting()), filing(2, "withdrawn")),
            None
        );
        assert_eq!(
            application_event(Some(awaiting()), filing(2, "rejected")),
            None
        );
        assert_eq!(
            application_event(Some(filing(2, "accepted")), filing(3, "approved")),
            Some(EventType::PermitDecided)
        );
        assert_eq!(
            application_event(None, filing(1, "submitted")),
            Some(EventType::PermitApplied)
        );
    }
}
