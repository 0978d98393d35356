//! Rate limits as the caller meets them: a refused hit is `RATE_LIMITED` with `Retry-After`.

use crate::context::AppContext;
use crate::error::{ApiError, LimitPolicy};
use crate::store::rate_limits::{self, Hit, Window};

/// Where a caller stands against one limit after a counted hit: what the `RateLimit-Policy` and
/// `RateLimit` headers of its answer say (IETF RateLimit header fields, structured-field form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quota {
    /// The limit counted against.
    pub policy: LimitPolicy,
    /// Hits left in this window.
    pub remaining: u32,
    /// Seconds until the window ends.
    pub reset: u64,
}

/// Counts one hit of `subject` under `scope` in the current `window`, refusing it once `limit`
/// were counted; where the caller stands after it.
pub async fn hit(
    ctx: &AppContext,
    scope: &str,
    subject: &str,
    window: Window,
    limit: u32,
) -> Result<Quota, ApiError> {
    let policy = LimitPolicy {
        name: scope.to_owned(),
        limit,
        window: window.length,
    };
    match rate_limits::hit(&ctx.db, scope, subject, window, limit).await? {
        Hit::Counted { hits, resets_in } => Ok(Quota {
            policy,
            remaining: limit.saturating_sub(hits),
            reset: resets_in,
        }),
        Hit::Refused { retry_after } => Err(ApiError::RateLimited {
            retry_after,
            policy: Some(Box::new(policy)),
        }),
    }
}
