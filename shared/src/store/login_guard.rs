//! Failed-login state per username (existing or not, so that lock-outs tell nobody which
//! usernames exist), in the accounts table: `pk = LOGIN#<lower-case username>`, `sk = GUARD`.
//!
//! Each attempt is counted *before* the password is checked, with a compare-and-set on the
//! previous state, so parallel guesses cannot outrun the lock.

use serde::{Deserialize, Serialize};

use crate::context::AppContext;
use crate::error::ApiError;

use super::{from_item, is_condition_failure, n, pk_sk, to_item, unavailable};

const GUARD: &str = "GUARD";

/// Consecutive failures and the lock they caused (times in epoch milliseconds).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginGuard {
    pub failures: u32,
    pub last_failed_ms: i64,
    pub locked_until_ms: i64,
}

#[derive(Serialize, Deserialize)]
struct GuardItem {
    pk: String,
    sk: String,
    #[serde(flatten)]
    guard: LoginGuard,
    /// TTL (epoch seconds): once the failures are forgotten the item is useless.
    expires_at: i64,
}

fn guard_pk(username_key: &str) -> String {
    format!("LOGIN#{username_key}")
}

/// The current state (default when there is none), read consistently.
pub async fn get(ctx: &AppContext, username_key: &str) -> Result<Option<LoginGuard>, ApiError> {
    let key = pk_sk(guard_pk(username_key), GUARD);
    let item = super::accounts::get(ctx, key, "login_guard.get").await?;
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
) -> Result<bool, ApiError> {
    let item = GuardItem {
        pk: guard_pk(username_key),
        sk: GUARD.to_owned(),
        guard: *new,
        expires_at,
    };
    let mut request = ctx
        .dynamo
        .put_item()
        .table_name(&ctx.config.tables.accounts)
        .set_item(Some(to_item(&item)));
    request = match old {
        None => request.condition_expression("attribute_not_exists(pk)"),
        Some(old) => request
            .condition_expression("failures = :failures AND last_failed_ms = :last")
            .expression_attribute_values(":failures", n(old.failures))
            .expression_attribute_values(":last", n(old.last_failed_ms)),
    };
    match request.send().await {
        Ok(_) => Ok(true),
        Err(error) if is_condition_failure(&error) => Ok(false),
        Err(error) => Err(unavailable("login_guard.replace", error)),
    }
}

/// Forgets the failures (after a successful login).
pub async fn clear(ctx: &AppContext, username_key: &str) -> Result<(), ApiError> {
    ctx.dynamo
        .delete_item()
        .table_name(&ctx.config.tables.accounts)
        .set_key(Some(pk_sk(guard_pk(username_key), GUARD)))
        .send()
        .await
        .map_err(|e| unavailable("login_guard.clear", e))?;
    Ok(())
}
