//! Residence-permit eligibility (F22), decided from two timelines: registered residence
//! ([`residence`]) and paid social-insurance months ([`insurance`]). Pure: the day of the
//! decision is passed in (a China date), nothing is read here.
//!
//! The rules (《深圳经济特区居住证条例》 as amended 2019, Art. 19 and 23–25; how records count is
//! this platform's decision, `docs/spec/permits.md`):
//! - apply on the `standard` basis: registered continuously for [`RESIDENCE_MONTHS`] up to the
//!   day, and insurance paid for the [`INSURANCE_CONTINUOUS_MONTHS`] calendar months before the
//!   month of the day, or for [`INSURANCE_TOTAL_MONTHS`] of the [`INSURANCE_WINDOW_MONTHS`]
//!   before it;
//! - the direct bases (`talent`, `student`) need only a current registration;
//! - endorse: in the year before the day, [`ENDORSEMENT_RESIDENCE_DAYS`] registered days and
//!   [`ENDORSEMENT_INSURANCE_MONTHS`] paid months (direct bases: endorsed directly).

pub mod insurance;
pub mod residence;

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use strum::{IntoStaticStr, VariantArray};

use insurance::{PaidMonths, YearMonth};
use residence::Registration;

/// Art. 19 (1): registered residence, continuous, in months up to the application day.
pub const RESIDENCE_MONTHS: u32 = 12;
/// Art. 19 (2): social insurance paid for this many continuous months up to the application…
pub const INSURANCE_CONTINUOUS_MONTHS: usize = 12;
/// …or this many months in total…
pub const INSURANCE_TOTAL_MONTHS: usize = 18;
/// …within the two years (in months) before it.
pub const INSURANCE_WINDOW_MONTHS: usize = 24;
/// Art. 24: the endorsement's residence test, 8 months in the year before, counted in days (eight
/// 30-day months: the regulation does not say how long a month is).
pub const ENDORSEMENT_RESIDENCE_DAYS: i64 = 8 * 30;
/// Art. 24: the endorsement's insurance test, 8 paid months of the 12 before the request month.
pub const ENDORSEMENT_INSURANCE_MONTHS: usize = 8;
/// The year before an endorsement request, in months.
const ENDORSEMENT_YEAR_MONTHS: usize = 12;

/// What an application rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
#[derive(IntoStaticStr, strum::EnumString, VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Basis {
    /// Residence and insurance, proven by the records.
    Standard,
    /// Meets Shenzhen's talent-introduction rules (staff check the certificate).
    Talent,
    /// In full-time secondary or higher education in Shenzhen (staff check the school).
    Student,
}

super::code_enum!(
    Basis,
    "INVALID_BASIS",
    "申请类别须为普通、人才引进或在校学生"
);

impl Basis {
    /// Whether the basis is decided by staff from evidence rather than by the records.
    pub fn is_direct(self) -> bool {
        self != Self::Standard
    }
}

/// The conditions, by stable name (the same in the JSON and in `NOT_ELIGIBLE`'s `errors`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ConditionName {
    /// Registered as resident today (every basis).
    CurrentRegistration,
    /// 12 months of continuous registered residence.
    ContinuousResidence,
    /// 12 continuous or 18 of 24 months of social insurance.
    SocialInsurance,
    /// Endorsement: 240 registered days in the year before.
    ResidenceInYear,
    /// Endorsement: 8 paid months in the year before.
    InsuranceInYear,
}

/// One condition: whether it holds on the day, what was counted, and the earliest day it would
/// hold if nothing changes (registrations stay as they are, insurance is paid on as it is now).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Condition {
    pub condition: ConditionName,
    pub met: bool,
    /// Days (residence) or months (insurance) counted.
    pub counted: i64,
    pub required: i64,
    pub unit: Unit,
    /// The first day counted (residence), where it applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<NaiveDate>,
    /// `None`: not without a change (a new registration, insurance paid again).
    pub eligible_from: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Days,
    Months,
}

/// Every condition of a basis, and when all of them would hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    pub basis: Basis,
    pub eligible: bool,
    /// The earliest day every condition holds if nothing changes; `None` if that day never comes.
    pub eligible_from: Option<NaiveDate>,
    pub conditions: Vec<Condition>,
}

impl Assessment {
    fn of(basis: Basis, conditions: Vec<Condition>) -> Self {
        let eligible = conditions.iter().all(|c| c.met);
        let eligible_from = conditions
            .iter()
            .map(|c| c.eligible_from)
            .collect::<Option<Vec<_>>>()
            .and_then(|days| days.into_iter().max());
        Self {
            basis,
            eligible,
            eligible_from,
            conditions,
        }
    }

    /// The conditions not met (the reasons of a refusal).
    pub fn unmet(&self) -> impl Iterator<Item = &Condition> {
        self.conditions.iter().filter(|c| !c.met)
    }
}

/// Whether an application on `basis` would be accepted from the records on `today`.
pub fn assess_application(
    basis: Basis,
    registrations: &[Registration],
    paid: &PaidMonths,
    today: NaiveDate,
) -> Assessment {
    let mut conditions = vec![current_registration(registrations, today)];
    if !basis.is_direct() {
        conditions.push(continuous_residence(registrations, today));
        conditions.push(social_insurance(paid, today));
    }
    Assessment::of(basis, conditions)
}

/// Whether an endorsement requested on `today` is earned by the year before it (direct bases are
/// endorsed directly: no condition).
pub fn assess_endorsement(
    basis: Basis,
    registrations: &[Registration],
    paid: &PaidMonths,
    today: NaiveDate,
) -> Assessment {
    if basis.is_direct() {
        return Assessment::of(basis, Vec::new());
    }
    let year_ago = today
        .checked_sub_months(Months::new(ENDORSEMENT_YEAR_MONTHS as u32))
        .unwrap_or(today);
    let days = residence::days_within(registrations, year_ago, today);
    let residence_met = days >= ENDORSEMENT_RESIDENCE_DAYS;
    let months = paid.paid_within(YearMonth::of(today), ENDORSEMENT_YEAR_MONTHS) as i64;
    let insurance_met = months >= ENDORSEMENT_INSURANCE_MONTHS as i64;
    let conditions = vec![
        Condition {
            condition: ConditionName::ResidenceInYear,
            met: residence_met,
            counted: days,
            required: ENDORSEMENT_RESIDENCE_DAYS,
            unit: Unit::Days,
            since: Some(year_ago),
            eligible_from: residence_met.then_some(today),
        },
        Condition {
            condition: ConditionName::InsuranceInYear,
            met: insurance_met,
            counted: months,
            required: ENDORSEMENT_INSURANCE_MONTHS as i64,
            unit: Unit::Months,
            since: None,
            eligible_from: insurance_met.then_some(today),
        },
    ];
    Assessment::of(basis, conditions)
}

fn current_registration(registrations: &[Registration], today: NaiveDate) -> Condition {
    let registered = registrations
        .iter()
        .filter(|r| r.is_current())
        .filter_map(|r| r.span(today))
        .any(|span| span.start <= today);
    Condition {
        condition: ConditionName::CurrentRegistration,
        met: registered,
        counted: i64::from(registered),
        required: 1,
        unit: Unit::Days,
        since: None,
        eligible_from: registered.then_some(today),
    }
}

fn continuous_residence(registrations: &[Registration], today: NaiveDate) -> Condition {
    let run = residence::continuous_run(registrations, today);
    let since = run.map(|r| r.start);
    let counted = run.map_or(0, |r| (today - r.start).num_days() + 1);
    // From the run's first day, 12 calendar months on (a month end lands on the shorter month's
    // last day: chrono's rule, so 29 February + 12 months = 28 February).
    let due = since.and_then(|start| start.checked_add_months(Months::new(RESIDENCE_MONTHS)));
    let required = match (since, due) {
        (Some(start), Some(due)) => (due - start).num_days(),
        _ => 365,
    };
    let met = due.is_some_and(|due| due <= today);
    Condition {
        condition: ConditionName::ContinuousResidence,
        met,
        counted,
        required,
        unit: Unit::Days,
        since,
        eligible_from: if met { Some(today) } else { due },
    }
}

fn insurance_met(paid: &PaidMonths, month: YearMonth) -> bool {
    paid.consecutive_before(month, INSURANCE_CONTINUOUS_MONTHS) == INSURANCE_CONTINUOUS_MONTHS
        || paid.paid_within(month, INSURANCE_WINDOW_MONTHS) >= INSURANCE_TOTAL_MONTHS
}

fn social_insurance(paid: &PaidMonths, today: NaiveDate) -> Condition {
    let month = YearMonth::of(today);
    let met = insurance_met(paid, month);
    let counted = paid
        .consecutive_before(month, INSURANCE_CONTINUOUS_MONTHS)
        .max(paid.paid_within(month, INSURANCE_WINDOW_MONTHS)) as i64;
    let eligible_from = if met {
        Some(today)
    } else {
        // If nothing changes: someone paying now (last month paid) goes on paying every month,
        // this one included; someone who is not paying never qualifies without a change.
        paid.latest()
            .filter(|latest| *latest >= month.previous())
            .and_then(|_| {
                let mut assumed = paid.clone();
                let mut candidate = month;
                (0..=INSURANCE_WINDOW_MONTHS).find_map(|_| {
                    assumed.insert(candidate);
                    candidate = candidate.next();
                    insurance_met(&assumed, candidate).then(|| candidate.first_day())
                })
            })
    };
    Condition {
        condition: ConditionName::SocialInsurance,
        met,
        counted,
        required: INSURANCE_CONTINUOUS_MONTHS as i64,
        unit: Unit::Months,
        since: None,
        eligible_from,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn months(from: &str, count: usize) -> PaidMonths {
        let first = YearMonth::parse(from).unwrap();
        PaidMonths::new(std::iter::successors(Some(first), |m| Some(m.next())).take(count))
    }

    fn current(since: &str) -> Registration {
        Registration {
            declared_on: day(since),
            moved_in_on: day(since),
            moved_out_on: None,
        }
    }

    #[test]
    fn condition_names_are_the_same_in_json_and_in_errors() {
        use ConditionName::*;
        for name in [
            CurrentRegistration,
            ContinuousResidence,
            SocialInsurance,
            ResidenceInYear,
            InsuranceInYear,
        ] {
            let json = serde_json::to_value(name).unwrap();
            assert_eq!(json.as_str(), Some(<&'static str>::from(name)));
        }
    }

    #[test]
    fn twelve_months_of_both_make_a_standard_application_eligible() {
        let registrations = [current("2025-03-15")];
        let paid = months("2025-03", 12); // 2025-03 … 2026-02: the 12 months before March
        let on = assess_application(Basis::Standard, &registrations, &paid, day("2026-03-15"));
        assert!(on.eligible, "{on:#?}");
        assert_eq!(on.eligible_from, Some(day("2026-03-15")));
        let before = assess_application(Basis::Standard, &registrations, &paid, day("2026-03-14"));
        assert!(!before.eligible);
        let unmet: Vec<_> = before.unmet().map(|c| c.condition).collect();
        assert_eq!(unmet, [ConditionName::ContinuousResidence]);
        assert_eq!(before.eligible_from, Some(day("2026-03-15")));
    }

    #[test]
    fn eighteen_of_twenty_four_months_also_count() {
        // 2024-03 … 2025-02 paid (12), a gap, then 2025-06 … 2025-11 (6): 18 of the 24 months
        // before 2026-03 (2024-03 … 2026-02), none of the last three.
        let mut all: Vec<YearMonth> = Vec::new();
        let first = YearMonth::parse("2024-03").unwrap();
        let mut m = first;
        for _ in 0..12 {
            all.push(m);
            m = m.next();
        }
        let mut m = YearMonth::parse("2025-06").unwrap();
        for _ in 0..6 {
            all.push(m);
            m = m.next();
        }
        let paid = PaidMonths::new(all);
        let condition = social_insurance(&paid, day("2026-03-01"));
        assert_eq!(condition.counted, 18);
        assert!(condition.met);
    }

    #[test]
    fn a_leap_day_start_is_due_on_the_last_day_of_february() {
        let registrations = [current("2024-02-29")];
        let condition = continuous_residence(&registrations, day("2025-02-27"));
        assert!(!condition.met);
        assert_eq!(condition.eligible_from, Some(day("2025-02-28")));
        assert!(continuous_residence(&registrations, day("2025-02-28")).met);
    }

    #[test]
    fn direct_bases_need_only_a_current_registration() {
        let none = PaidMonths::default();
        let assessed = assess_application(
            Basis::Talent,
            &[current("2026-11-30")],
            &none,
            day("2026-12-01"),
        );
        assert!(assessed.eligible);
        let ended = Registration {
            moved_out_on: Some(day("2026-11-30")),
            ..current("2026-01-01")
        };
        let assessed = assess_application(Basis::Student, &[ended], &none, day("2026-12-01"));
        assert!(!assessed.eligible);
        assert_eq!(
            assessed.eligible_from, None,
            "not without a new registration"
        );
    }

    #[test]
    fn someone_not_paying_now_never_qualifies_by_insurance_without_a_change() {
        let paid = months("2024-01", 6);
        let condition = social_insurance(&paid, day("2026-03-01"));
        assert!(!condition.met);
        assert_eq!(condition.eligible_from, None);
        // Paying since 2025-12 (last month paid): qualifies once 12 continuous months are behind.
        let paid = months("2025-12", 3); // 2025-12, 2026-01, 2026-02
        let condition = social_insurance(&paid, day("2026-03-10"));
        assert_eq!(condition.eligible_from, Some(day("2026-12-01")));
    }

    #[test]
    fn an_endorsement_needs_eight_months_of_each_in_the_year_before() {
        let registrations = [Registration {
            moved_out_on: Some(day("2026-08-01")),
            ..current("2025-12-01")
        }];
        let paid = months("2026-01", 8); // 2026-01 … 2026-08
        let assessed =
            assess_endorsement(Basis::Standard, &registrations, &paid, day("2026-12-01"));
        assert_eq!(assessed.conditions[0].counted, 243);
        assert!(assessed.conditions[0].met);
        assert_eq!(assessed.conditions[1].counted, 8);
        assert!(assessed.eligible);
        let short = PaidMonths::new(months("2026-01", 7).latest());
        let assessed =
            assess_endorsement(Basis::Standard, &registrations, &short, day("2026-12-01"));
        assert!(!assessed.eligible);
        assert!(assess_endorsement(Basis::Talent, &[], &short, day("2026-12-01")).eligible);
    }

    proptest! {
        /// The residence condition holds exactly from 12 calendar months after the run's start,
        /// whatever day of whatever month it starts (month ends, leap days).
        #[test]
        fn residence_is_due_twelve_calendar_months_after_the_run_starts(
            start in 0i64..1500,
            after in 0i64..800,
        ) {
            let start = day("2023-01-01") + chrono::Duration::days(start);
            let today = start + chrono::Duration::days(after);
            let condition = continuous_residence(&[current(&start.to_string())], today);
            let due = start.checked_add_months(Months::new(12)).unwrap();
            prop_assert_eq!(condition.met, today >= due);
            prop_assert_eq!(condition.eligible_from, Some(if today >= due { today } else { due }));
            prop_assert!(due.signed_duration_since(start).num_days() >= 365);
            prop_assert!(due.signed_duration_since(start).num_days() <= 366);
        }

        /// `eligible_from`, when given, is a day on which the application is eligible if nothing
        /// changes, and no earlier day is.
        #[test]
        fn eligible_from_is_the_first_eligible_day_if_nothing_changes(
            start in 0i64..700,
            paid_from in 0u32..30,
            today in 0i64..700,
        ) {
            let base = day("2024-01-01");
            let start = base + chrono::Duration::days(start);
            let today = base + chrono::Duration::days(today);
            let registrations = [current(&start.to_string())];
            // Paying from some month up to last month (so still paying).
            let last = YearMonth::of(today).previous();
            let first = (0..paid_from).fold(last, |m, _| m.previous());
            let paid = PaidMonths::new(
                std::iter::successors(Some(first), |m| (*m < last).then(|| m.next())),
            );
            let assessed = assess_application(Basis::Standard, &registrations, &paid, today);
            if let Some(from) = assessed.eligible_from {
                prop_assert!(from >= today);
                // On that day, with insurance paid on up to the month before it, all hold.
                let later_last = YearMonth::of(from).previous();
                let later = PaidMonths::new(
                    std::iter::successors(Some(first), |m| (*m < later_last).then(|| m.next())),
                );
                let then = assess_application(Basis::Standard, &registrations, &later, from);
                prop_assert!(then.eligible, "{:#?}", then);
                if from > today {
                    let eve = from.pred_opt().unwrap();
                    let eve_last = YearMonth::of(eve).previous();
                    let eve_paid = PaidMonths::new(
                        std::iter::successors(Some(first), |m| (*m < eve_last).then(|| m.next())),
                    );
                    prop_assert!(!assess_application(Basis::Standard, &registrations, &eve_paid, eve).eligible);
                }
            } else {
                prop_assert!(!assessed.eligible);
            }
        }
    }
}
