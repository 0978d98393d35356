//! Social-insurance months: a calendar month counts when the bureau's record for it is paid.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};

use crate::invalid::Invalid;

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    year: i32,
    /// 1–12.
    month: u32,
}

impl YearMonth {
    pub fn new(year: i32, month: u32) -> Option<Self> {
        ((1..=12).contains(&month) && (1900..=2999).contains(&year)).then_some(Self { year, month })
    }

    /// `YYYY-MM`.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let invalid = || Invalid::new("INVALID_MONTH", "月份须为 YYYY-MM 格式");
        let (year, month) = input.trim().split_once('-').ok_or_else(invalid)?;
        if year.len() != 4 || month.len() != 2 {
            return Err(invalid());
        }
        let (Ok(year), Ok(month)) = (year.parse(), month.parse()) else {
            return Err(invalid());
        };
        Self::new(year, month).ok_or_else(invalid)
    }

    pub fn of(day: NaiveDate) -> Self {
        Self {
            year: day.year(),
            month: day.month(),
        }
    }

    pub fn previous(self) -> Self {
        match self.month {
            1 => Self {
                year: self.year - 1,
                month: 12,
            },
            m => Self {
                month: m - 1,
                ..self
            },
        }
    }

    pub fn next(self) -> Self {
        match self.month {
            12 => Self {
                year: self.year + 1,
                month: 1,
            },
            m => Self {
                month: m + 1,
                ..self
            },
        }
    }

    /// The first day of the month.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("a valid month")
    }

    /// The `n` months before this one (this one not included), newest first.
    pub fn months_before(self, n: usize) -> impl Iterator<Item = YearMonth> {
        std::iter::successors(Some(self.previous()), |m| Some(m.previous())).take(n)
    }
}

impl std::fmt::Display for YearMonth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// A month's record as the bureau shares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Contribution {
    /// Paid (any of the five insurances): the month counts.
    Paid,
    /// Owed or not paid: the month does not count.
    Unpaid,
}

crate::domain::code_enum!(
    Contribution,
    "INVALID_STATUS",
    "缴费状态须为 paid 或 unpaid"
);

/// The months someone's social insurance was paid.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaidMonths(BTreeSet<YearMonth>);

impl PaidMonths {
    pub fn new(months: impl IntoIterator<Item = YearMonth>) -> Self {
        Self(months.into_iter().collect())
    }

    pub fn insert(&mut self, month: YearMonth) {
        self.0.insert(month);
    }

    pub fn is_paid(&self, month: YearMonth) -> bool {
        self.0.contains(&month)
    }

    /// How many of the `n` months before `month` were all paid, counting back from the newest
    /// until the first unpaid one.
    pub fn consecutive_before(&self, month: YearMonth, n: usize) -> usize {
        month
            .months_before(n)
            .take_while(|m| self.is_paid(*m))
            .count()
    }

    /// How many of the `n` months before `month` were paid.
    pub fn paid_within(&self, month: YearMonth, n: usize) -> usize {
        month.months_before(n).filter(|m| self.is_paid(*m)).count()
    }

    /// The newest paid month, if any.
    pub fn latest(&self) -> Option<YearMonth> {
        self.0.last().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn m(s: &str) -> YearMonth {
        YearMonth::parse(s).unwrap()
    }

    #[test]
    fn months_parse_and_step_across_years() {
        assert_eq!(m("2026-01").previous(), m("2025-12"));
        assert_eq!(m("2025-12").next(), m("2026-01"));
        assert_eq!(m("2026-02").to_string(), "2026-02");
        for bad in [
            "2026-13", "2026-00", "2026-1", "26-01", "2026/01", "", "abcd-ef",
        ] {
            assert!(YearMonth::parse(bad).is_err(), "{bad}");
        }
        let before: Vec<String> = m("2026-02")
            .months_before(3)
            .map(|x| x.to_string())
            .collect();
        assert_eq!(before, ["2026-01", "2025-12", "2025-11"]);
    }

    proptest! {
        #[test]
        fn counts_agree_with_a_month_by_month_walk(
            paid in proptest::collection::btree_set(0u32..60, 0..60),
            at in 0u32..72,
            n in 0usize..30,
        ) {
            let start = m("2022-01");
            let nth = |k: u32| (0..k).fold(start, |x, _| x.next());
            let months = PaidMonths::new(paid.iter().map(|k| nth(*k)));
            let month = nth(at);
            let window: Vec<bool> = (1..=n as u32)
                .map(|back| at >= back && paid.contains(&(at - back)))
                .collect();
            prop_assert_eq!(months.paid_within(month, n), window.iter().filter(|p| **p).count());
            prop_assert_eq!(
                months.consecutive_before(month, n),
                window.iter().take_while(|p| **p).count()
            );
        }
    }
}
