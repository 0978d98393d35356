//! Domain events for other agencies (F23, 一次录入，多方共享): what the publisher makes of each
//! committed change on the tables' streams. Each event is a CloudEvents 1.0 envelope
//! (`envelope.rs`) of one type and version (`catalog.rs`), published only as the minimized views
//! agencies' duties need (`views.rs`), to the consumers configured for them (`consumers.rs`,
//! `infra/events/consumers.yaml`). The event itself: `event.rs`; the item kinds translated:
//! `registrations.rs`, `permits.rs`.
//! Not yet published: the stream publisher, its EventBridge bus and the consumers' queues are the
//! next step of issue 15; until then `docs/events.md` (the raw streams) is the contract.

pub mod catalog;
pub mod consumers;
pub mod envelope;
pub mod event;
pub mod permits;
pub mod registrations;
pub mod views;
