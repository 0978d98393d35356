//! Rate limits as the caller meets them: a refused hit is `RATE_LIMITED` with `Retry-After`.

use crate::context::AppContext;
use crate::error::ApiError;
use crate::store::rate_limits::{self, Hit, Window};

/// Counts one hit of `subject` under `scope` in the current `window`, refusing it once `limit`
/// were counted.
pub async fn hit(
    ctx: &AppContext,
    scope: &str,
    subject: &str,
    window: Window,
    limit: u32,
) -> Result<(), ApiError> {
    match rate_limits::hit(&ctx.db, scope, subject, window, limit).await? {
        Hit::Counted => Ok(()),
        Hit::Refused { retry_after } => Err(ApiError::RateLimited { retry_after }),
    }
}
