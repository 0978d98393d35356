//! The records of `Idempotency-Key`s: one item per key and caller, holding the request's keyed
//! fingerprint, who runs it now (a lock until a deadline), and once it has answered, the answer
//! (sealed: [`crate::crypto::seal`]). Expired by TTL 24 hours after the first request.
//!
//! A record goes `running` (claimed) → `committed` (the request's transaction wrote, in the same
//! transaction: [`join`]) → `done` (its answer kept), or back to `released` when the request
//! ended with an answer not worth keeping (the key may be used again).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure, Update};
use serde::{Deserialize, Serialize};

use super::Db;
use super::error::{StoreResult, is_condition_failure, unavailable};
use super::item::{self, from_item, n, s};
use super::update::ItemUpdate;

/// Where a key's request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyState {
    /// Claimed by a run that has written nothing yet (as far as the record knows).
    Running,
    /// The run's transaction committed; its answer is not kept yet.
    Committed,
    /// The answer is kept.
    Done,
    /// The run ended with an answer that is not kept: the key is free again.
    Released,
}

/// A key's record as stored.
#[derive(Debug, Clone, Deserialize)]
pub struct KeyRecord {
    pub fingerprint: String,
    pub state: KeyState,
    /// Until when its run holds it (epoch seconds).
    pub lock_until: i64,
    pub expires_at: i64,
    #[serde(default)]
    pub status: Option<u16>,
    /// The kept answer's headers a client needs (`Location`, `ETag`, `Content-Type`, …).
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// The kept answer's body, sealed, base64url.
    #[serde(default)]
    pub sealed_body: Option<String>,
}

/// An answer to keep.
pub struct KeptAnswer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// Sealed, base64url.
    pub sealed_body: String,
}

/// What claiming a key found.
#[derive(Debug)]
pub enum Claimed {
    /// The key is this run's.
    Ours,
    /// Another run holds it, or has answered: its record.
    Held(Box<KeyRecord>),
}

/// A key claimed by the run of a request.
pub struct Claim<'a> {
    pub pk: &'a str,
    pub fingerprint: &'a str,
    /// This run's random lock id.
    pub lock: &'a str,
    pub lock_until: i64,
    pub expires_at: i64,
    pub now: i64,
}

/// Claims the key for this run, when it is free: no record, an expired one, a released one, or
/// the same request's whose run outlived its lock (it crashed or timed out). Otherwise the record
/// that holds it.
pub async fn claim(db: &Db, claim: &Claim<'_>) -> StoreResult<Claimed> {
    let update = ItemUpdate::new(&db.tables.idempotency, item::pk(claim.pk))
        .set("fingerprint", s(claim.fingerprint))
        .set("lock", s(claim.lock))
        .set("lock_until", n(claim.lock_until))
        .set("expires_at", n(claim.expires_at))
        .set("state", state(KeyState::Running))
        .condition(
            "attribute_not_exists(pk) OR #expires_at < :now OR #state = :released \
             OR (#fingerprint = :fingerprint AND #state <> :done AND #lock_until < :now)",
            vec![
                (":now", n(claim.now)),
                (":released", state(KeyState::Released)),
                (":done", state(KeyState::Done)),
                (":fingerprint", s(claim.fingerprint)),
            ],
        );
    let result = update
        .request(db)
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .send()
        .await;
    match result {
        Ok(_) => Ok(Claimed::Ours),
        Err(error) if is_condition_failure(&error) => {
            let old = match error.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(failed)) => {
                    failed.item().cloned()
                }
                _ => None,
            };
            match old {
                Some(item) => Ok(Claimed::Held(Box::new(from_item(item)?))),
                // Gone between the condition and now (TTL): nobody holds it.
                None => Box::pin(self::claim(db, claim)).await,
            }
        }
        Err(error) => Err(unavailable("idempotency.claim", error)),
    }
}

/// Keeps the answer of this run (while it still holds the key): `false` when it no longer does.
pub async fn finish(db: &Db, pk: &str, lock: &str, answer: &KeptAnswer) -> StoreResult<bool> {
    let headers = AttributeValue::L(
        answer
            .headers
            .iter()
            .map(|(name, value)| AttributeValue::L(vec![s(name), s(value)]))
            .collect(),
    );
    ItemUpdate::new(&db.tables.idempotency, item::pk(pk))
        .set("state", state(KeyState::Done))
        .set("status", n(i64::from(answer.status)))
        .set("headers", headers)
        .set("sealed_body", s(&answer.sealed_body))
        .condition("#lock = :lock", vec![(":lock", s(lock))])
        .apply_if(db, "idempotency.finish")
        .await
}

/// Frees the key of this run, which wrote nothing (while it still holds it).
pub async fn release(db: &Db, pk: &str, lock: &str) -> StoreResult<bool> {
    ItemUpdate::new(&db.tables.idempotency, item::pk(pk))
        .set("state", state(KeyState::Released))
        .condition(
            "#lock = :lock AND #state = :running",
            vec![(":lock", s(lock)), (":running", state(KeyState::Running))],
        )
        .apply_if(db, "idempotency.release")
        .await
}

/// The key a request runs under, for its transaction to carry ([`join`]).
#[derive(Debug)]
pub struct InFlight {
    pk: String,
    lock: String,
    committed: AtomicBool,
}

impl InFlight {
    pub fn new(pk: &str, lock: &str) -> Arc<Self> {
        Arc::new(Self {
            pk: pk.to_owned(),
            lock: lock.to_owned(),
            committed: AtomicBool::new(false),
        })
    }

    /// Whether a transaction of the run committed (with the record marked `committed`).
    pub fn committed(&self) -> bool {
        self.committed.load(Ordering::SeqCst)
    }
}

tokio::task_local! {
    static IN_FLIGHT: Arc<InFlight>;
}

/// Runs `work` (a request's handling) with its key in flight: the first transaction it commits
/// marks the key's record `committed` in the same write.
pub async fn with_key<F: Future>(in_flight: Arc<InFlight>, work: F) -> F::Output {
    IN_FLIGHT.scope(in_flight, work).await
}

/// The mark of the key in flight for a transaction to carry, if the running request has one and
/// no earlier transaction of it carried the mark: the record becomes `committed` only while this
/// run holds it (its condition failing means [`super::Clash::KeyOvertaken`]). With the key, for
/// [`joined`] after the commit.
pub(super) fn join(db: &Db) -> Option<(Update, Arc<InFlight>)> {
    let in_flight = IN_FLIGHT.try_with(Arc::clone).ok()?;
    if in_flight.committed() {
        return None;
    }
    let mark = ItemUpdate::new(&db.tables.idempotency, item::pk(&in_flight.pk))
        .set("state", state(KeyState::Committed))
        .condition("#lock = :lock", vec![(":lock", s(&in_flight.lock))]);
    Some((mark.into_update(), in_flight))
}

/// Notes that the transaction carrying the mark of `in_flight` committed.
pub(super) fn joined(in_flight: &InFlight) {
    in_flight.committed.store(true, Ordering::SeqCst);
}

fn state(state: KeyState) -> AttributeValue {
    super::item::to_attribute(&state).expect("a state serializes")
}
