//! A domain event before it is put in views, the change it is made of, and why a change cannot
//! be one.

use serde_json::{Map, Value};

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
    /// The id of what the event is about (a registration id, a permit number, …).
    pub subject: String,
    /// Increases with every event of the subject (the item's version): consumers order by it and
    /// drop what they have already applied.
    pub sequence: u64,
    /// When the change was committed (RFC 3339, UTC).
    pub time: String,
    /// The keyed hash of the person the event is about, for the processing record (never
    /// published).
    pub person_key: Option<String>,
    pub facts: Map<String, Value>,
}

/// A record that cannot be turned into an event (its item does not read as its kind).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot make an event of the record: {0}")]
pub struct TranslateError(pub String);
