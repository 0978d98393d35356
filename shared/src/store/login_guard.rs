//! Failed-login state per username (existing or not, so that lock-outs tell nobody which
//! usernames exist), in the accounts table ([`super::keys::login_guard_key`]).
//!
//! Each attempt is counted *before* the password is checked, with a compare-and-set on the
//! previous state, so parallel guesses cannot outrun the lock.

use serde::{Deserialize, Serialize};

use crate::context::AppContext;

use super::error::{StoreResult, unavailable, written};
use super::item::{from_item, n, to_item};
use super::keys::login_guard_key;

/// Consecutive failures and the lock they caused (times in epoch milliseconds).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginGuard {
    pub failures: u32,
    pub last_failed_ms: i64,
    pub locked_until_ms: i64,
}

#[derive(Serialize, Deserialize)]
struct GuardItem {
    #[serde(flatten)]
    guard: LoginGuard,
    /// TTL (epoch seconds): once the failures are forgotten the item is useless.
    expires_at: i64,
}

/// The current state (default when there is none), read consistently.
pub async fn get(ctx: &AppContext, username_key: &str) -> StoreResult<Option<LoginGuard>> {
    let item = super::accounts::get(ctx, login_guard_key(username_key), "login_guard.get").await?;
    Ok(item
        .map(from_item::<GuardItem>)
        .transpose()?
        .map(|item| item.guard))
}

/// Replaces `old` by `new` if nobody changed it meanwhile; `false` if somebody did.
pub async fn replace(
    ctx: &AppContext,
    username_key: &str,
    old: Option<&LoginGuard>,
    new: &LoginGuard,
    expires_at: i64,
) -> StoreResult<bool> {
    let mut item = to_item(&GuardItem {
        guard: *new,
        expires_at,
    })?;
    item.extend(login_guard_key(username_key));
    let mut request = ctx
        .dynamo
        .put_item()
        .table_name(&ctx.config.tables.accounts)
        .set_item(Some(item));
    request = match old {
        None => request.condition_expression("attribute_not_exists(pk)"),
        Some(old) => request
            .condition_expression("failures = :failures AND last_failed_ms = :last")
            .expression_attribute_values(":failures", n(old.failures))
            .expression_attribute_values(":last", n(old.last_failed_ms)),
    };
    written("login_guard.replace", request.send().await)
}

/// Forgets the failures (after a successful login).
pub async fn clear(ctx: &AppContext, username_key: &str) -> StoreResult<()> {
    ctx.dynamo
        .delete_item()
        .table_name(&ctx.config.tables.accounts)
        .set_key(Some(login_guard_key(username_key)))
        .send()
        .await
        .map_err(|e| unavailable("login_guard.clear", e))?;
    Ok(())
}
