//! Domain events for other agencies (F23, 一次录入，多方共享): what the publisher makes of each
//! committed change on the tables' streams. Each event is a CloudEvents 1.0 envelope
//! (`envelope.rs`) of one type and version (`catalog.rs`), published only as the minimized views
//! agencies' duties need (`views.rs`), to the consumers configured for them (`consumers.rs`,
//! `shared/events/consumers.yaml`), each with ids of its own in the minimized views
//! (`pseudonyms.rs`). The event itself: `event.rs`; the item kinds translated:
//! `registrations.rs`, `permits.rs`, `house_links.rs`.
//! The publisher (`publisher.rs`) reads the tables' streams (`stream.rs`: which record is which
//! kind) and puts each consumer's copy on the EventBridge bus, from which the consumer's rule
//! delivers it to its queue (`template.yaml`, `docs/events.md`).

pub mod catalog;
pub mod consumers;
pub mod envelope;
pub mod event;
pub mod house_links;
pub mod permits;
pub mod pseudonyms;
pub mod publisher;
pub mod registrations;
pub mod schemas;
pub mod stream;
pub mod views;
