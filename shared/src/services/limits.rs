//! Rate limits as the caller meets them: a refused hit is `RATE_LIMITED` with `Retry-After`.

use crate::context::AppContext;
use crate::error::{ApiError, LimitPolicy};
use crate::store::rate_limits::{self, Hit, Window};

/// Where a caller stands against one limit after a counted hit: what the `RateLimit-Policy` and
/// `RateLimit` headers of its answer say (IETF RateLimit header fields, structured-field form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quota {
    /// The policy's name (`public-read`, …).
    pub policy: String,
    /// Hits allowed per window.
    pub limit: u32,
    /// The window's length, in seconds.
    pub window: i64,
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
    match rate_limits::hit(&ctx.db, scope, subject, window, limit).await? {
        Hit::Counted { hits, resets_in } => Ok(Quota {
            policy: scope.to_owned(),
            limit,
            window: window.length,
            remaining: limit.saturating_sub(hits),
            reset: resets_in,
        }),
        Hit::Refused { retry_after } => Err(ApiError::RateLimited {
            retry_after,
            policy: Some(Box::new(LimitPolicy {
                name: scope.to_owned(),
                limit,
                window: window.length,
            })),
        }),
    }
}
