//! Failed-login state per username (existing or not, so that lock-outs tell nobody which
//! usernames exist), in the accounts table ([`super::keys::login_guard_key`]).
//!
//! Each attempt is counted *before* the password is checked, with a compare-and-set on the
//! previous state, so parallel guesses cannot outrun the lock.

use serde::{Deserialize, Serialize};

use super::Db;

use super::error::{StoreResult, unavailable, written};
use super::item::{from_item, n, to_item};
use super::keys::login_guard_key;

/// Consecutive failures, the lock they caused, and the attempts whose password is being checked
/// right now (times in epoch milliseconds). `version` counts the writes: each replaces the state
/// it read, or nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginGuard {
    pub failures: u32,
    pub last_failed_ms: i64,
    pub locked_until_ms: i64,
    /// Attempts counted in but not yet decided; they lapse at `pending_until_ms` (a function that
    /// died midway leaves none behind for long).
    #[serde(default)]
    pub pending: u32,
    #[serde(default)]
    pub pending_until_ms: i64,
    #[serde(default)]
    pub version: u64,
}

impl LoginGuard {
    /// The attempts still being decided at `now_ms`.
    pub fn pending_at(&self, now_ms: i64) -> u32 {
        if self.pending_until_ms > now_ms {
            self.pending
        } else {
            0
        }
    }
}

/// Which count an attempt goes to: logins from a device the account has verified by SMS are
/// counted apart from all others, so failures from elsewhere cannot lock that device out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    Untrusted,
    TrustedDevice,
}

#[derive(Serialize, Deserialize)]
struct GuardItem {
    #[serde(flatten)]
    guard: LoginGuard,
    /// TTL (epoch seconds): once the failures are forgotten the item is useless.
    expires_at: i64,
}

/// The current state (default when there is none), read consistently.
pub async fn get(db: &Db, username_key: &str, lane: Lane) -> StoreResult<Option<LoginGuard>> {
    let item = super::accounts::get(db, key(username_key, lane), "login_guard.get").await?;
    Ok(item
        .map(from_item::<GuardItem>)
        .transpose()?
        .map(|item| item.guard))
}

fn key(username_key: &str, lane: Lane) -> crate::store::Item {
    login_guard_key(username_key, lane == Lane::TrustedDevice)
}

/// Replaces `old` by `new` (its `version` is set to the next one) if nobody changed it meanwhile;
/// `false` if somebody did.
pub async fn replace(
    db: &Db,
    username_key: &str,
    lane: Lane,
    old: Option<&LoginGuard>,
    new: &LoginGuard,
    expires_at: i64,
) -> StoreResult<bool> {
    let guard = LoginGuard {
        version: old.map_or(1, |old| old.version + 1),
        ..*new
    };
    let mut item = to_item(&GuardItem { guard, expires_at })?;
    item.extend(key(username_key, lane));
    let mut request = db
        .client
        .put_item()
        .table_name(&db.tables.accounts)
        .set_item(Some(item));
    request = match old {
        None => request.condition_expression("attribute_not_exists(pk)"),
        // Items written before guards had versions read as version 0: they match "absent".
        Some(old) if old.version == 0 => {
            request.condition_expression("attribute_not_exists(version)")
        }
        Some(old) => request
            .condition_expression("version = :version")
            .expression_attribute_values(":version", n(old.version)),
    };
    written("login_guard.replace", request.send().await)
}

/// Forgets the failures of `lane` (after a successful login).
pub async fn clear(db: &Db, username_key: &str, lane: Lane) -> StoreResult<()> {
    db.client
        .delete_item()
        .table_name(&db.tables.accounts)
        .set_key(Some(key(username_key, lane)))
        .send()
        .await
        .map_err(|e| unavailable("login_guard.clear", e))?;
    Ok(())
}
