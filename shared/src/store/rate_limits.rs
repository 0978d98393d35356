//! Fixed-window rate limits: one counter item per key and window, expiring by TTL.

use crate::context::AppContext;
use crate::error::ApiError;

use super::{is_condition_failure, n, pk, unavailable};

/// A counting window: `length` seconds, starting where epoch time + `offset` is a multiple of
/// `length` (an offset of 8 h makes day windows start at midnight in China).
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub length: i64,
    pub offset: i64,
}

impl Window {
    pub const MINUTE: Window = Window {
        length: 60,
        offset: 0,
    };
    pub const HOUR: Window = Window {
        length: 3600,
        offset: 0,
    };
    pub const CHINA_DAY: Window = Window {
        length: 86_400,
        offset: 8 * 3600,
    };

    /// The start and end (epoch seconds) of the window that `now` falls in.
    pub fn bounds(self, now: i64) -> (i64, i64) {
        let start = now - (now + self.offset).rem_euclid(self.length);
        (start, start + self.length)
    }
}

/// Counts one hit of `key` in the current `window`; refuses it when `limit` hits were already
/// counted, answering how long until the window ends.
pub async fn hit(ctx: &AppContext, key: &str, window: Window, limit: u32) -> Result<(), ApiError> {
    let now = crate::clock::epoch_seconds();
    let (window_start, window_end) = window.bounds(now);
    if limit == 0 {
        // A limit of zero refuses everything (the condition below lets a window's first hit in).
        return Err(ApiError::RateLimited {
            retry_after: (window_end - now).max(1) as u64,
        });
    }
    let result = ctx
        .dynamo
        .update_item()
        .table_name(&ctx.config.tables.rate_limits)
        .set_key(Some(pk(format!("{key}#{window_start}"))))
        .update_expression("ADD hits :one SET expires_at = if_not_exists(expires_at, :expires)")
        .condition_expression("attribute_not_exists(hits) OR hits < :limit")
        .expression_attribute_values(":one", n(1))
        .expression_attribute_values(":limit", n(limit))
        // Keep the item a little past its window so late readers see it; TTL removes it later.
        .expression_attribute_values(":expires", n(window_end + 60))
        .send()
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(error) if is_condition_failure(&error) => Err(ApiError::RateLimited {
            retry_after: (window_end - now).max(1) as u64,
        }),
        Err(error) => Err(unavailable("rate_limits.hit", error)),
    }
}

/// A key that names what is limited and for whom, e.g. `sms-ip#203.0.113.9`.
pub fn key(scope: &str, subject: &str) -> String {
    format!("{scope}#{subject}")
}

#[cfg(test)]
mod tests {
    use super::Window;

    #[test]
    fn china_days_start_at_midnight_beijing_time() {
        // 2026-11-27T15:59:59Z is 23:59:59 in Beijing; one second later a new day starts there.
        let before = 1_795_795_199;
        let (start, end) = Window::CHINA_DAY.bounds(before);
        assert_eq!(end, before + 1);
        assert_eq!(end - start, 86_400);
        assert_eq!(Window::CHINA_DAY.bounds(before + 1).0, before + 1);
        assert_eq!(Window::HOUR.bounds(7_200), (7_200, 10_800));
    }
}
