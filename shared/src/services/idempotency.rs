//! Safe retries (the IETF `Idempotency-Key` draft, with Stripe's semantics): a request sent again
//! with the same key gets the first one's answer instead of running again.
//!
//! A key belongs to its caller: a signed-in account's keys are its own; an anonymous caller's
//! are shared by all anonymous callers, but an answer is only given back to a request with the
//! same keyed fingerprint (method, path and body, the body holding what only its sender knows:
//! a password, an SMS code, a refresh token). The answer is kept sealed under a key derived from
//! the request itself, so the table alone reveals no answer (no token, no personal data).
//!
//! A run claims the key (a lock until [`LOCK_SECONDS`] have passed: longer than any function
//! runs), does its work (whose first transaction marks the record `committed` in the same write,
//! [`crate::store::idempotency::join`]), then keeps its answer, or frees the key when the answer
//! is one the client fixes and sends again. The window where a retry may run the request again:
//! a run that crashes after a write that was *not* a transaction (a single put or update) and
//! before keeping its answer; after its lock expires, a retry runs the request again, and the
//! request's own conditions decide (a second SMS code waits for the resend interval; an update
//! with a version sees the new one).

use std::sync::Arc;

use crate::context::AppContext;
use crate::error::ApiError;
use crate::store::idempotency::{self, Claim, Claimed, InFlight, KeptAnswer, KeyState};

/// How long a run holds its key: more than the longest function timeout (29 s, API Gateway's).
pub const LOCK_SECONDS: i64 = 60;
/// How long an answer is kept.
pub const KEPT_SECONDS: i64 = 24 * 3600;

/// A request that carries an `Idempotency-Key`.
pub struct KeyedRequest<'a> {
    /// The header's value, checked.
    pub key: &'a str,
    /// The signed-in caller's account, if any.
    pub account_id: Option<&'a str>,
    pub method: &'a str,
    /// Path and query.
    pub target: &'a str,
    pub body: &'a [u8],
}

/// An answer as kept and given back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// What the key says to do.
pub enum Begun {
    /// Run the request (under [`Run::within`]) and then [`end`] it.
    Run(Run),
    /// The first request's answer, to give back.
    Replay(Answer),
}

/// A run of a request that holds its key.
pub struct Run {
    pk: String,
    lock: String,
    seal_key: [u8; 32],
    in_flight: Arc<InFlight>,
}

impl Run {
    /// Runs `work` with the key in flight (its first transaction marks the key's record).
    pub async fn within<F: Future>(&self, work: F) -> F::Output {
        idempotency::with_key(Arc::clone(&self.in_flight), work).await
    }
}

/// Claims the key for this request, or answers what its record says: the first answer again,
/// `REQUEST_IN_PROGRESS` while the first still runs, `IDEMPOTENCY_KEY_REUSED` for another request.
pub async fn begin(ctx: &AppContext, request: &KeyedRequest<'_>) -> Result<Begun, ApiError> {
    let scope = scope(request.account_id);
    let body_digest = {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(request.body);
        crate::crypto::base64url(&digest)
    };
    let parts = [
        scope.as_str(),
        request.key,
        request.method,
        request.target,
        &body_digest,
    ];
    let hash_key = &ctx.config.hash_key;
    let pk = record_key(hash_key, request.account_id, request.key);
    let fingerprint = crate::crypto::keyed_hash(hash_key, "idempotency-request", &parts);
    let seal_key = crate::crypto::derived_key(hash_key, "idempotency-answer", &parts);
    let lock = crate::crypto::random_token(16);
    let now = crate::clock::epoch_seconds();
    let claim = Claim {
        pk: &pk,
        fingerprint: &fingerprint,
        lock: &lock,
        lock_until: now + LOCK_SECONDS,
        expires_at: now + KEPT_SECONDS,
        now,
    };
    let record = match idempotency::claim(&ctx.db, &claim).await? {
        Claimed::Ours => {
            let in_flight = InFlight::new(&pk, &lock);
            return Ok(Begun::Run(Run {
                pk,
                lock,
                seal_key,
                in_flight,
            }));
        }
        Claimed::Held(record) => record,
    };
    if !crate::crypto::constant_time_eq(&record.fingerprint, &fingerprint) {
        return Err(ApiError::IdempotencyKeyReused);
    }
    match record.state {
        KeyState::Done => {
            let body = record
                .sealed_body
                .as_deref()
                .and_then(crate::crypto::base64url_decode)
                .and_then(|sealed| crate::crypto::open(&seal_key, &sealed))
                .ok_or_else(|| {
                    tracing::error!("a kept answer does not open with its request's key");
                    ApiError::Internal
                })?;
            Ok(Begun::Replay(Answer {
                status: record.status.unwrap_or(200),
                headers: record.headers,
                body,
            }))
        }
        KeyState::Running | KeyState::Committed | KeyState::Released => {
            Err(ApiError::RequestInProgress {
                retry_after: (record.lock_until - now).max(1) as u64,
            })
        }
    }
}

/// Whose keys a request's key is among: its signed-in account's, or every anonymous caller's.
fn scope(account_id: Option<&str>) -> String {
    match account_id {
        Some(account_id) => format!("account:{account_id}"),
        None => "anonymous".to_owned(),
    }
}

/// The key of the record of `key` used by `account_id` (or anonymously).
pub fn record_key(hash_key: &[u8], account_id: Option<&str>, key: &str) -> String {
    crate::crypto::keyed_hash(hash_key, "idempotency-key", &[&scope(account_id), key])
}

/// Ends a run: keeps `answer` when `keep` says it is worth keeping or the run wrote (a written
/// request must never run again), else frees the key. A failure here is logged, never answered:
/// the request itself is done (its record heals when its lock runs out, see the module's text).
pub async fn end(ctx: &AppContext, run: Run, answer: &Answer, keep: bool) {
    let result = if keep || run.in_flight.committed() {
        let kept = KeptAnswer {
            status: answer.status,
            headers: answer.headers.clone(),
            sealed_body: crate::crypto::base64url(&crate::crypto::seal(
                &run.seal_key,
                &answer.body,
            )),
        };
        idempotency::finish(&ctx.db, &run.pk, &run.lock, &kept).await
    } else {
        idempotency::release(&ctx.db, &run.pk, &run.lock).await
    };
    match result {
        Ok(true) => {}
        Ok(false) => tracing::warn!("an idempotency key was taken over before its run ended"),
        Err(error) => tracing::warn!(?error, "an idempotency key's record was not updated"),
    }
}
