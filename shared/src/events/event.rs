//! A domain event before it is put in views, the change it is made of, and why a change cannot
//! be one.

use chrono::NaiveDate;
use serde_json::{Map, Value};

use crate::clock::china_date_of;

use super::catalog::EventType;

/// One committed write of an item, as its stream record carries it: the item before (absent for
/// an insert) and after (absent for a removal).
#[derive(Clone)]
pub struct Change<T> {
    pub old: Option<T>,
    pub new: Option<T>,
}

/// A domain event before it is put in views: every fact any view may carry.
#[derive(Clone)]
pub struct DomainEvent {
    pub event_type: EventType,
    /// The id of what the event is about (a registration id, an application id: never a
    /// document number).
    pub subject: String,
    /// Increases with every event of the subject (the item's version): consumers order by it and
    /// drop what they have already applied.
    pub sequence: u64,
    /// When the change was committed (RFC 3339, UTC).
    pub time: String,
    /// Whose data the event carries, for the processing record of its deliveries (never
    /// published).
    pub person: Option<Person>,
    pub facts: Map<String, Value>,
}

/// The data subject of an event ([`crate::store::keys::subject_key`]): the keyed hash of the
/// ID document and the name its record is in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub person_key: String,
    pub name: String,
}

/// A record that cannot be turned into an event (its item does not read as its kind).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot make an event of the record: {0}")]
pub struct TranslateError(pub String);

impl DomainEvent {
    /// The event a write of an item at `version`, committed at `updated_at`, makes. `facts` are
    /// (name, value) pairs; a null value is a fact the item does not have, and is left out.
    pub fn of_write(
        event_type: EventType,
        subject: &str,
        version: u32,
        updated_at: &str,
        person: Option<(&str, &str)>,
        facts: Vec<(&str, Value)>,
    ) -> Self {
        Self {
            event_type,
            subject: subject.to_owned(),
            sequence: u64::from(version),
            time: updated_at.to_owned(),
            person: person.map(|(person_key, name)| Person {
                person_key: person_key.to_owned(),
                name: name.to_owned(),
            }),
            facts: facts
                .into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        }
    }
}

/// The China date of an item's `updated_at` (what an age band is counted on).
pub fn commit_day(updated_at: &str) -> Result<NaiveDate, TranslateError> {
    china_date_of(updated_at)
        .ok_or_else(|| TranslateError(format!("updated_at {updated_at:?} is not a time")))
}
