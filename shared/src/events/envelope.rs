//! The CloudEvents 1.0 envelope (structured JSON mode) of a view of a domain event.
//!
//! Attributes: the required `specversion`, `id`, `source`, `type`; `subject`, `time`,
//! `datacontenttype`, `dataschema`; and two extensions: `sequence` (the subject's sequence,
//! zero-padded so that text order is number order, as the CloudEvents sequence extension asks)
//! and `view` (which minimized view `data` is).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::event::DomainEvent;
use super::views::{View, project};

pub const SPEC_VERSION: &str = "1.0";
/// The prefix of every `dataschema`: followed by `:<type>:<view>`, it names one schema.
pub const SCHEMA_BASE: &str = "urn:cn:gov:sz:residence:events:schema";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CloudEvent {
    pub specversion: String,
    /// Stable for a given change and view: the same on every retry and replay, so consumers
    /// deduplicate on it.
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
    pub data: Value,
}

impl CloudEvent {
    /// `event` as `view`, or `None` when its type has no such view.
    pub fn of(event: &DomainEvent, view: View) -> Option<Self> {
        let data = project(event.event_type, view, &event.facts)?;
        let kind: &str = event.event_type.subject_kind().into();
        let sequence = format!("{:012}", event.sequence);
        let type_name = event.event_type.wire_name();
        Some(CloudEvent {
            specversion: SPEC_VERSION.into(),
            id: format!("{kind}/{}/{sequence}/{}", event.subject, view.as_ref()),
            source: format!("/residence-platform/{kind}"),
            dataschema: format!("{SCHEMA_BASE}:{type_name}:{}", view.as_ref()),
            event_type: type_name,
            subject: event.subject.clone(),
            time: event.time.clone(),
            datacontenttype: "application/json".into(),
            sequence,
            view: view.as_ref().into(),
            data,
        })
    }
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
            person_key: Some("pk".into()),
            facts: json!({"registration_id": "r-1", "status": "current"})
                .as_object()
                .unwrap()
                .clone(),
        }
    }

    #[test]
    fn ids_are_stable_and_sequences_sort_as_text() {
        let a = CloudEvent::of(&event(9), View::Statistical).unwrap();
        assert_eq!(a, CloudEvent::of(&event(9), View::Statistical).unwrap());
        assert_eq!(a.id, "registration/r-1/000000000009/statistical");
        assert_ne!(a.id, CloudEvent::of(&event(9), View::Full).unwrap().id);
        assert!(
            a.sequence
                < CloudEvent::of(&event(10), View::Statistical)
                    .unwrap()
                    .sequence
        );
        let wire = serde_json::to_value(&a).unwrap();
        assert_eq!(wire["type"], "cn.gov.sz.residence.registration.changed.v1");
        assert_eq!(wire["specversion"], "1.0");
        assert!(wire.get("person_key").is_none() && wire["data"].get("person_key").is_none());
    }
}
