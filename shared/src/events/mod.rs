//! Domain events for other agencies (F23, 一次录入，多方共享): what the publisher makes of each
//! committed change on the tables' streams. Each event is a CloudEvents 1.0 envelope
//! (`envelope.rs`) of one type and version (`catalog.rs`), published only as the minimized views
//! agencies' duties need (`views.rs`), to the consumers configured for them (`consumers.rs`,
//! `infra/events/consumers.yaml`). The item kinds translated: `registrations.rs`, `permits.rs`.
//! Not yet published: the stream publisher, its EventBridge bus and the consumers' queues are the
//! next step of issue 15; until then `docs/events.md` (the raw streams) is the contract.

pub mod catalog;
pub mod consumers;
pub mod envelope;
pub mod permits;
pub mod registrations;
pub mod views;

use serde_json::{Map, Value};

use catalog::EventType;

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
