//! Link items of the accounts table's stream → `house_link.*` events.
//!
//! A link item (`ACCOUNT#<id>` / `LINK#<link_id>`): its insert is `house_link.requested`; the
//! change of a pending link to approved or rejected is `house_link.decided`; the change to
//! deregistered is `house_link.deregistered`. Other writes of a link (its residents' job, its
//! review slot) are no event. A link has no version: its life is one way (pending, then decided,
//! then deregistered), so the sequence is the step it is at, without gaps: 1 requested, 2 decided,
//! and deregistered the step after the last (3 after a decision, 2 for a link deregistered while
//! pending).

use serde_json::json;

use crate::domain::house_link::LinkStatus;
use crate::store::house_links::LinkRecord;
use crate::store::keys::{LINK_PREFIX, account_pk};

use super::catalog::EventType;
use super::event::{Change, DomainEvent, TranslateError};

/// Whether an accounts-table item of these keys is a link.
pub fn is_link_key(pk: &str, sk: &str) -> bool {
    pk.starts_with(&account_pk("")) && sk.starts_with(LINK_PREFIX)
}

/// The event of one change of a link item.
pub fn translate(change: &Change<LinkRecord>) -> Result<Option<DomainEvent>, TranslateError> {
    use LinkStatus::*;
    let Some(new) = &change.new else {
        return Ok(None);
    };
    let decided = new.decided_at.is_some();
    let (event_type, sequence, time) = match (&change.old, new.status) {
        (None, _) => (EventType::HouseLinkRequested, 1, Some(&new.created_at)),
        (Some(old), _) if old.status == new.status => return Ok(None),
        (Some(_), Approved | Rejected) => (EventType::HouseLinkDecided, 2, new.decided_at.as_ref()),
        (Some(_), Deregistered) => (
            EventType::HouseLinkDeregistered,
            if decided { 3 } else { 2 },
            new.deregistered_at.as_ref(),
        ),
        (Some(_), Pending) => return Ok(None),
    };
    let house = new.house.as_ref();
    let manual = new.manual_address.as_ref();
    let street = house
        .map(|h| h.street_code.as_str())
        .or(manual.map(|m| m.street.as_str()));
    let facts = vec![
        ("link_id", json!(new.link_id)),
        ("status", json!(new.status)),
        ("declarant_type", json!(new.declarant_type)),
        ("requested_at", json!(new.created_at)),
        ("decided_at", json!(new.decided_at)),
        ("deregistered_on", json!(new.deregistered_on)),
        ("street_code", json!(street)),
        ("district_code", json!(street.and_then(|s| s.get(..6)))),
        ("house_id", json!(house.map(|h| &h.house_id))),
        ("house_code", json!(house.map(|h| &h.house_code))),
        ("room", json!(house.map(|h| &h.room))),
        ("building_id", json!(house.map(|h| &h.building_id))),
        (
            "address",
            json!(house.map(|h| &h.address).or(manual.map(|m| &m.address))),
        ),
        ("manual_address", json!(manual.is_some())),
        ("account_id", json!(new.account_id)),
        ("reason", json!(new.reason)),
    ];
    // The link is the account holder's, whose keyed hash the link does not keep.
    Ok(Some(DomainEvent::of_write(
        event_type,
        &new.link_id,
        sequence,
        time.unwrap_or(&new.created_at),
        None,
        facts,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(status: LinkStatus) -> LinkRecord {
        crate::fixtures::link(status.into(), "lessor")
    }

    fn with_house(mut record: LinkRecord) -> LinkRecord {
        record.house = Some(crate::fixtures::linked_house());
        record
    }

    fn change(old: Option<LinkRecord>, new: LinkRecord) -> Option<DomainEvent> {
        translate(&Change {
            old,
            new: Some(new),
        })
        .unwrap()
    }

    #[test]
    fn a_links_life_is_three_gapless_steps() {
        let pending = with_house(link(LinkStatus::Pending));
        let requested = change(None, pending.clone()).unwrap();
        assert_eq!(requested.event_type, EventType::HouseLinkRequested);
        assert_eq!(requested.sequence, 1);
        assert_eq!(requested.facts["district_code"], "440305");

        let mut approved = pending.clone();
        approved.status = LinkStatus::Approved;
        approved.decided_at = Some("2026-12-03T02:00:00Z".into());
        let decided = change(Some(pending.clone()), approved.clone()).unwrap();
        assert_eq!(
            (decided.event_type, decided.sequence),
            (EventType::HouseLinkDecided, 2)
        );
        assert_eq!(decided.time, "2026-12-03T02:00:00Z");

        let mut ended = approved.clone();
        ended.status = LinkStatus::Deregistered;
        ended.deregistered_at = Some("2026-12-04T02:00:00Z".into());
        let deregistered = change(Some(approved.clone()), ended).unwrap();
        assert_eq!(deregistered.sequence, 3);

        let mut withdrawn = pending.clone();
        withdrawn.status = LinkStatus::Deregistered;
        assert_eq!(
            change(Some(pending.clone()), withdrawn).unwrap().sequence,
            2
        );

        // A write that keeps the status (the residents' job, the review slot) is no event.
        assert!(change(Some(approved.clone()), approved).is_none());
    }

    #[test]
    fn only_link_keys_are_links() {
        assert!(is_link_key("ACCOUNT#a-1", "LINK#l-1"));
        assert!(!is_link_key("ACCOUNT#a-1", "SESSION"));
        assert!(!is_link_key("LINKID#l-1", "POINTER"));
    }
}
