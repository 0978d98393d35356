//! Fixed-window rate limits: one counter item per key and window, expiring by TTL.

use super::Db;

use super::error::StoreResult;
use super::item::n;
use super::keys::rate_limit_key;
use super::update::ItemUpdate;

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

/// Whether a hit was counted, or refused because the window's limit was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hit {
    /// Counted: `hits` in this window so far (this one included); it ends in `resets_in`
    /// seconds (at least 1).
    Counted { hits: u32, resets_in: u64 },
    /// Refused: the window ends in `retry_after` seconds (at least 1).
    Refused { retry_after: u64 },
}

/// Counts one hit of `subject` under `scope` (what is limited: `sms-ip`, …) in the current
/// `window`; refuses it when `limit` hits were already counted.
pub async fn hit(
    db: &Db,
    scope: &str,
    subject: &str,
    window: Window,
    limit: u32,
) -> StoreResult<Hit> {
    let now = crate::clock::epoch_seconds();
    let (window_start, window_end) = window.bounds(now);
    let refused = Hit::Refused {
        retry_after: (window_end - now).max(1) as u64,
    };
    if limit == 0 {
        // A limit of zero refuses everything (the condition below lets a window's first hit in).
        return Ok(refused);
    }
    let counted = ItemUpdate::new(
        &db.tables.rate_limits,
        rate_limit_key(scope, subject, window_start),
    )
    .add("hits", n(1))
    // Keep the item a little past its window so late readers see it; TTL removes it later.
    .set_if_absent("expires_at", n(window_end + 60))
    .condition(
        "attribute_not_exists(#hits) OR #hits < :limit",
        vec![(":limit", n(limit))],
    )
    .apply_returning_new(db, "rate_limits.hit")
    .await?;
    Ok(match counted {
        Some(item) => Hit::Counted {
            hits: item
                .get("hits")
                .and_then(|v| v.as_n().ok())
                .and_then(|n| n.parse().ok())
                .unwrap_or(limit),
            resets_in: (window_end - now).max(1) as u64,
        },
        None => refused,
    })
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
