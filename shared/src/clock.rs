//! Time: UTC instants for storage, China's calendar date for legal deadlines and birth dates.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// China Standard Time (UTC+8, no daylight saving).
pub fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

pub fn now() -> DateTime<Utc> {
    Utc::now()
}

/// Seconds since the Unix epoch, as DynamoDB TTL attributes want them.
pub fn epoch_seconds() -> i64 {
    now().timestamp()
}

pub fn today_in_china() -> NaiveDate {
    now().with_timezone(&china()).date_naive()
}

/// RFC 3339 in UTC with second precision, as the API returns times.
pub fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
