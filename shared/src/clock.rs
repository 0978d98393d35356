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

/// The China date of an RFC 3339 instant (as stored), e.g. `2026-01-31T16:30:00Z` is 1 February.
pub fn china_date_of(rfc3339: &str) -> Option<NaiveDate> {
    DateTime::parse_from_rfc3339(rfc3339)
        .ok()
        .map(|at| at.with_timezone(&china()).date_naive())
}

/// RFC 3339 in UTC with second precision, as the API returns times.
pub fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_evening_in_utc_is_the_next_day_in_china() {
        assert_eq!(
            china_date_of("2026-01-31T16:30:00Z"),
            Some("2026-02-01".parse().unwrap())
        );
        assert_eq!(
            china_date_of("2026-01-31T15:59:59Z"),
            Some("2026-01-31".parse().unwrap())
        );
        assert_eq!(china_date_of("yesterday"), None);
    }

    proptest! {
        /// Whatever the instant, its China date is the UTC date eight hours later.
        #[test]
        fn the_china_date_is_the_utc_date_eight_hours_on(seconds in 0i64..4_102_444_800) {
            let at = DateTime::from_timestamp(seconds, 0).unwrap();
            let expected = (at + chrono::Duration::hours(8)).date_naive();
            prop_assert_eq!(china_date_of(&rfc3339(at)), Some(expected));
        }
    }
}
