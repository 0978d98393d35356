//! Registered residence as a timeline of days: each registration counts from the day it was
//! declared (or its move-in, when later) up to its move-out, or through today while current;
//! overlapping registrations count once (the union), and a move keeps its continuity across a
//! gap of at most [`MAX_GAP_DAYS`].

use chrono::{Days, NaiveDate};

/// The longest gap between one registration's end and the next one's start that keeps the
/// residence continuous (police guidance on moving house; `docs/spec/permits.md`, "How records
/// count").
pub const MAX_GAP_DAYS: i64 = 30;

/// The days `[start, end)`: `start` counts, `end` does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Span {
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days()
    }

    /// The days this span shares with `[from, to)`.
    pub fn days_within(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        let start = self.start.max(from);
        let end = self.end.min(to);
        (end - start).num_days().max(0)
    }
}

/// One registration as it counts toward residence (voided ones are left out by the caller).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Registration {
    /// The China date it was declared (a late declaration counts from then, never backdated).
    pub declared_on: NaiveDate,
    pub moved_in_on: NaiveDate,
    /// `None` while current.
    pub moved_out_on: Option<NaiveDate>,
}

impl Registration {
    /// The days it counts as of `today`: from the later of declaration and move-in, to the
    /// move-out (not counted) or through today. `None` when it counts no day (moved out before it
    /// was declared, or declared in the future).
    pub fn span(&self, today: NaiveDate) -> Option<Span> {
        let start = self.declared_on.max(self.moved_in_on);
        let end = match self.moved_out_on {
            Some(out) => out.min(next_day(today)),
            None => next_day(today),
        };
        (start < end).then_some(Span { start, end })
    }

    pub fn is_current(&self) -> bool {
        self.moved_out_on.is_none()
    }
}

fn next_day(day: NaiveDate) -> NaiveDate {
    day.checked_add_days(Days::new(1)).unwrap_or(day)
}

/// The union of the registrations' days as of `today`: disjoint, non-adjacent spans in order.
pub fn union(registrations: &[Registration], today: NaiveDate) -> Vec<Span> {
    merge(
        registrations.iter().filter_map(|r| r.span(today)).collect(),
        0,
    )
}

/// Spans merged where they overlap or where the gap between them is at most `gap` days.
fn merge(mut spans: Vec<Span>, gap: i64) -> Vec<Span> {
    spans.sort();
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for span in spans {
        match merged.last_mut() {
            Some(last) if (span.start - last.end).num_days() <= gap => {
                last.end = last.end.max(span.end);
            }
            _ => merged.push(span),
        }
    }
    merged
}

/// The continuous residence that reaches today: the chain of registered spans whose gaps are at
/// most [`MAX_GAP_DAYS`] and whose last span covers today (a current registration). `None` when
/// the person is not registered today.
pub fn continuous_run(registrations: &[Registration], today: NaiveDate) -> Option<Span> {
    let covered_today = registrations
        .iter()
        .filter_map(|r| r.span(today))
        .any(|s| s.start <= today && today < s.end);
    if !covered_today {
        return None;
    }
    merge(union(registrations, today), MAX_GAP_DAYS)
        .into_iter()
        .find(|run| run.start <= today && today < run.end)
}

/// Registered days within `[from, to)` (overlaps counted once; gaps not counted).
pub fn days_within(registrations: &[Registration], from: NaiveDate, to: NaiveDate) -> i64 {
    union(registrations, to)
        .iter()
        .map(|s| s.days_within(from, to))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn reg(declared: &str, moved_in: &str, out: Option<&str>) -> Registration {
        Registration {
            declared_on: day(declared),
            moved_in_on: day(moved_in),
            moved_out_on: out.map(day),
        }
    }

    #[test]
    fn a_late_declaration_counts_from_the_day_it_was_made() {
        let late = reg("2026-03-10", "2026-01-01", None);
        assert_eq!(
            late.span(day("2026-03-12")).unwrap().start,
            day("2026-03-10")
        );
        // Declared ahead of a move-in: from the move-in.
        let early = reg("2026-01-01", "2026-01-05", None);
        assert_eq!(
            early.span(day("2026-02-01")).unwrap().start,
            day("2026-01-05")
        );
        // Current: today counts.
        assert_eq!(early.span(day("2026-01-05")).unwrap().days(), 1);
        // Moved out before it was declared: nothing counts.
        assert!(
            reg("2026-03-10", "2026-01-01", Some("2026-02-01"))
                .span(day("2026-04-01"))
                .is_none()
        );
    }

    #[test]
    fn a_move_on_the_last_day_of_a_month_keeps_the_residence_continuous() {
        let first = reg("2025-01-31", "2025-01-31", Some("2025-08-31"));
        let second = reg("2025-08-31", "2025-08-31", None);
        let run = continuous_run(&[first, second], day("2026-01-31")).unwrap();
        assert_eq!(run.start, day("2025-01-31"));
        // 31 days apart restarts the count.
        let later = reg("2025-10-01", "2025-10-01", None);
        let run = continuous_run(&[first, later], day("2026-01-31")).unwrap();
        assert_eq!(run.start, day("2025-10-01"));
        // A 30-day gap is bridged.
        let bridged = reg("2025-09-30", "2025-09-30", None);
        let run = continuous_run(&[first, bridged], day("2026-01-31")).unwrap();
        assert_eq!(run.start, day("2025-01-31"));
    }

    #[test]
    fn without_a_current_registration_there_is_no_run() {
        let ended = reg("2025-01-01", "2025-01-01", Some("2026-01-01"));
        assert!(continuous_run(&[ended], day("2026-01-05")).is_none());
    }

    /// A registration from generated offsets around a base day.
    fn registration() -> impl Strategy<Value = Registration> {
        (
            0i64..800,
            0i64..800,
            proptest::option::of(0i64..400),
            0i64..60,
        )
            .prop_map(|(moved_in, declared_delay, stay, declared_early)| {
                let base = day("2024-01-01");
                let moved_in_on = base + chrono::Duration::days(moved_in);
                let declared_on = moved_in_on + chrono::Duration::days(declared_delay % 90)
                    - chrono::Duration::days(declared_early % 3);
                Registration {
                    declared_on,
                    moved_in_on,
                    moved_out_on: stay.map(|d| moved_in_on + chrono::Duration::days(d + 1)),
                }
            })
    }

    /// Whether `d` is a registered day, by brute force.
    fn registered(registrations: &[Registration], today: NaiveDate, d: NaiveDate) -> bool {
        registrations
            .iter()
            .filter_map(|r| r.span(today))
            .any(|s| s.start <= d && d < s.end)
    }

    proptest! {
        #[test]
        fn the_union_holds_exactly_the_registered_days(
            registrations in proptest::collection::vec(registration(), 0..6),
            today in 0i64..1200,
        ) {
            let today = day("2024-01-01") + chrono::Duration::days(today);
            let spans = union(&registrations, today);
            for pair in spans.windows(2) {
                prop_assert!(pair[0].end < pair[1].start, "disjoint and not adjacent");
            }
            let mut d = day("2023-12-01");
            while d <= today + chrono::Duration::days(2) {
                let in_union = spans.iter().any(|s| s.start <= d && d < s.end);
                prop_assert_eq!(in_union, registered(&registrations, today, d), "day {}", d);
                d = d.succ_opt().unwrap();
            }
            // Order does not matter.
            let mut reversed = registrations.clone();
            reversed.reverse();
            prop_assert_eq!(union(&reversed, today), spans);
        }

        #[test]
        fn the_run_reaching_today_is_broken_only_by_gaps_over_thirty_days(
            registrations in proptest::collection::vec(registration(), 1..6),
            today in 0i64..1200,
        ) {
            let today = day("2024-01-01") + chrono::Duration::days(today);
            let Some(run) = continuous_run(&registrations, today) else {
                prop_assert!(!registered(&registrations, today, today));
                return Ok(());
            };
            prop_assert!(registered(&registrations, today, today));
            prop_assert!(registered(&registrations, today, run.start));
            // Walking back from today, no gap inside the run is longer than 30 days, and the day
            // before the run starts a gap longer than that.
            let mut gap = 0;
            let mut d = today;
            while d >= run.start {
                if registered(&registrations, today, d) { gap = 0 } else { gap += 1 }
                prop_assert!(gap <= MAX_GAP_DAYS);
                d = d.pred_opt().unwrap();
            }
            let mut before = 0;
            let mut d = run.start.pred_opt().unwrap();
            while before <= MAX_GAP_DAYS && !registered(&registrations, today, d) {
                before += 1;
                d = d.pred_opt().unwrap();
            }
            prop_assert!(before > MAX_GAP_DAYS, "the run would reach further back");
        }

        #[test]
        fn days_within_a_window_count_each_registered_day_once(
            registrations in proptest::collection::vec(registration(), 0..6),
            from in 0i64..1000,
            length in 0i64..400,
        ) {
            let from = day("2024-01-01") + chrono::Duration::days(from);
            let to = from + chrono::Duration::days(length);
            let mut brute = 0;
            let mut d = from;
            while d < to {
                if registered(&registrations, to, d) { brute += 1 }
                d = d.succ_opt().unwrap();
            }
            prop_assert_eq!(days_within(&registrations, from, to), brute);
        }
    }
}
