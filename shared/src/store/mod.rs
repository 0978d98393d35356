//! DynamoDB access, in storage terms: records and keys in, records or a [`StoreError`] out (no
//! HTTP, no user messages). Every request path uses keyed reads and writes (GetItem, Query,
//! conditional writes, transactions): never a Scan.
//!
//! Every function takes the [`Db`] handle (client, tables, key hashing), never the whole
//! context: the store cannot reach SMS, events or configuration it has no business with.
//!
//! | module | what |
//! |---|---|
//! | [`db`] | [`Db`]: the handle every store function takes |
//! | [`error`] | [`StoreError`] and the [`Clash`]es a failed condition stands for |
//! | [`item`], [`keys`] | attribute values, typed records ↔ items; every key format |
//! | [`reads`], [`page`] | keyed reads, reading all pages, paged Queries |
//! | [`transaction`], [`update`] | transactions whose items carry their conflict meaning; update expressions |
//! | [`retry`] | the one back-off policy |
//! | the rest | one module per aggregate: its records and operations |

pub mod accounts;
pub mod address;
pub mod audit;
pub mod db;
pub mod document_keys;
pub mod error;
pub mod house_links;
pub mod idempotency;
pub mod item;
pub mod keys;
pub mod login_guard;
pub mod page;
pub mod permits;
pub mod processing_records;
pub mod rate_limits;
pub mod reads;
pub mod registrations;
pub mod retry;
pub mod review_queue;
pub mod social_insurance;
pub mod transaction;
pub mod units;
pub mod update;
pub mod verification_codes;

pub use db::Db;
pub use error::{Clash, StoreError, StoreResult};
pub use item::{Item, from_item, n, pk, pk_sk, s, to_attribute, to_item};
pub use page::{Page, PageRequest};
pub use reads::batch_get;
pub use transaction::Transaction;
