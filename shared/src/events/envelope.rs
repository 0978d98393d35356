//! The CloudEvents 1.0 envelope (structured JSON mode) of a view of a domain event, as one
//! consumer receives it.
//!
//! Attributes: the required `specversion`, `id`, `source`, `type`; `subject`, `time`,
//! `datacontenttype`, `dataschema`; and three extensions: `sequence` (the subject's sequence,
//! zero-padded so that text order is number order, as the CloudEvents sequence extension asks),
//! `view` (which minimized view `data` is) and `consumer` (whom this copy is for: the bus's rules
//! route on it).
//!
//! In a minimized view (all but `full`, [`View::keeps_real_ids`]) the subject, the `id` and
//! every id in `data` are the consumer's pseudonyms ([`super::pseudonyms`]), and `time` is the
//! start of the commit's day (China time, written in UTC): an exact commit time would join two
//! consumers' copies of an event as well as a shared id.

use chrono::{Duration, NaiveTime};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::consumers::Consumer;
use super::event::{DomainEvent, TranslateError, commit_day};
use super::pseudonyms::{as_received, pseudonymize};
use super::views::{View, project};

pub const SPEC_VERSION: &str = "1.0";
/// The prefix of every `dataschema`: followed by `:<type>:<view>`, it names one schema.
pub const SCHEMA_BASE: &str = "urn:cn:gov:sz:residence:events:schema";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CloudEvent {
    pub specversion: String,
    /// `<subject kind>/<subject>/<sequence>/<view>`: stable for a given change and consumer (the
    /// subject is the consumer's own in a minimized view), the same on every retry and replay, so
    /// consumers deduplicate on it.
    pub id: String,
    pub source: String,
    #[serde(rename = "type")]
    pub event_type: String,
    pub subject: String,
    pub time: String,
    pub datacontenttype: String,
    pub dataschema: String,
    pub sequence: String,
    pub view: String,
    /// The consumer this copy is for (its id in `shared/events/consumers.yaml`).
    pub consumer: String,
    pub data: Value,
}

impl CloudEvent {
    /// `event` as `consumer` receives it in `view` (its pseudonyms made with `key`, the
    /// platform's hash key), `None` when the type has no such view, or why it cannot be made.
    pub fn for_consumer(
        event: &DomainEvent,
        view: View,
        consumer: &Consumer,
        key: &[u8],
    ) -> Result<Option<Self>, TranslateError> {
        let Some(mut data) = project(event.event_type, view, &event.facts) else {
            return Ok(None);
        };
        let subject = as_received(key, consumer, view, &event.subject);
        let time = if view.keeps_real_ids() {
            event.time.clone()
        } else {
            pseudonymize(key, consumer, &mut data);
            day_of(&event.time)?
        };
        let kind: &str = event.event_type.subject_kind().into();
        let sequence = format!("{:012}", event.sequence);
        let type_name = event.event_type.wire_name();
        Ok(Some(CloudEvent {
            specversion: SPEC_VERSION.into(),
            id: format!("{kind}/{subject}/{sequence}/{}", view.as_ref()),
            source: format!("/residence-platform/{kind}"),
            dataschema: format!("{SCHEMA_BASE}:{type_name}:{}", view.as_ref()),
            event_type: type_name,
            subject,
            time,
            datacontenttype: "application/json".into(),
            sequence,
            view: view.as_ref().into(),
            consumer: consumer.id.clone(),
            data,
        }))
    }
}

/// The start of the China day of a commit at `time`, in UTC (`2026-12-03T02:15:04Z` →
/// `2026-12-02T16:00:00Z`).
fn day_of(time: &str) -> Result<String, TranslateError> {
    let start = commit_day(time)?.and_time(NaiveTime::MIN) - Duration::hours(8);
    Ok(start.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::catalog::EventType;
    use serde_json::json;

    fn event(sequence: u64) -> DomainEvent {
        DomainEvent {
            event_type: EventType::RegistrationChanged,
            subject: "r-1".into(),
            sequence,
            time: "2026-12-02T01:02:03Z".into(),
            person: None,
            facts: json!({"registration_id": "r-1", "status": "current"})
                .as_object()
                .unwrap()
                .clone(),
        }
    }

    fn consumer(id: &str) -> Consumer {
        Consumer {
            id: id.into(),
            name: "n".into(),
            basis: "b".into(),
            pseudonym_epoch: 1,
            receives: Vec::new(),
        }
    }

    fn copy(sequence: u64, view: View, to: &str) -> CloudEvent {
        CloudEvent::for_consumer(&event(sequence), view, &consumer(to), b"k")
            .unwrap()
            .unwrap()
    }

    #[test]
    fn ids_are_stable_and_sequences_sort_as_text() {
        let a = copy(9, View::Statistical, "stats");
        assert_eq!(a, copy(9, View::Statistical, "stats"));
        let pseudonym = crate::events::pseudonyms::pseudonym(b"k", &consumer("stats"), "r-1");
        assert_eq!(
            a.id,
            format!("registration/{pseudonym}/000000000009/statistical")
        );
        assert_eq!(a.consumer, "stats");
        assert_ne!(a.id, copy(9, View::Full, "police").id);
        assert!(a.sequence < copy(10, View::Statistical, "stats").sequence);
        let wire = serde_json::to_value(&a).unwrap();
        assert_eq!(wire["type"], "cn.gov.sz.residence.registration.changed.v1");
        assert_eq!(wire["specversion"], "1.0");
        assert!(wire.get("person").is_none() && wire["data"].get("person").is_none());
    }

    #[test]
    fn minimized_copies_share_no_id_and_no_exact_time() {
        let housing = copy(1, View::Housing, "housing");
        let stats = copy(1, View::Statistical, "stats");
        let other_stats = copy(1, View::Statistical, "stats-2");
        for (a, b) in [(&housing, &stats), (&stats, &other_stats)] {
            assert_ne!(a.subject, b.subject);
            assert_ne!(a.id, b.id);
            assert_ne!(a.data["registration_id"], b.data["registration_id"]);
        }
        assert_eq!(stats.subject, stats.data["registration_id"]);
        assert!(!stats.subject.contains("r-1") && !stats.id.contains("r-1"));
        // 01:02:03 UTC is 09:02:03 on 2 December in China: the day starts at 16:00 UTC before.
        assert_eq!(stats.time, "2026-12-01T16:00:00Z");
        assert_eq!(housing.time, stats.time);
        // The full view keeps the real id and time.
        let full = copy(1, View::Full, "police");
        assert_eq!(
            (full.subject.as_str(), full.time.as_str()),
            ("r-1", "2026-12-02T01:02:03Z")
        );
        assert_eq!(full.data["registration_id"], "r-1");
        assert_eq!(full.id, "registration/r-1/000000000001/full");
    }

    #[test]
    fn a_time_that_is_no_time_cannot_be_published_minimized() {
        let mut bad = event(1);
        bad.time = "yesterday".into();
        assert!(CloudEvent::for_consumer(&bad, View::Statistical, &consumer("s"), b"k").is_err());
    }
}
