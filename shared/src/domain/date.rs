//! Days as the API writes them (`YYYY-MM-DD`, ISO 8601), with messages a citizen understands:
//! a day that does not exist (2026-02-30) is told apart from text that is no date at all.

use chrono::NaiveDate;

use crate::invalid::Invalid;

/// A day written `YYYY-MM-DD`.
pub fn parse_day(value: &str) -> Result<NaiveDate, Invalid> {
    let value = value.trim();
    if let Ok(day) = NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        return Ok(day);
    }
    let shaped = value.len() == 10
        && value.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    Err(match shaped {
        true => Invalid::new("INVALID_DATE", format!("没有{value}这一天，请检查日期")),
        false => Invalid::new("INVALID_DATE", "请填写日期，如 2026-01-31"),
    })
}

/// A day as documents print it: `2026年12月07日` (one format on every receipt, card and page).
pub fn printed(day: NaiveDate) -> String {
    day.format("%Y年%m月%d日").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_that_does_not_exist_is_told_apart_from_no_date() {
        assert_eq!(
            parse_day(" 2026-02-28 ").unwrap(),
            NaiveDate::from_ymd_opt(2026, 2, 28).unwrap()
        );
        let missing_day = parse_day("2026-02-30").unwrap_err();
        assert_eq!(missing_day.code, "INVALID_DATE");
        assert!(
            missing_day.message.contains("没有2026-02-30这一天"),
            "{missing_day:?}"
        );
        for text in ["2026/02/28", "yesterday", "20260228", ""] {
            let error = parse_day(text).unwrap_err();
            assert_eq!(error.code, "INVALID_DATE");
            assert!(!error.message.contains("这一天"), "{text}: {error:?}");
        }
    }
}
