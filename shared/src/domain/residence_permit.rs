//! A residence permit (F22, 《深圳经济特区居住证条例》 Art. 23–25): its public number and check
//! code, and the rules of its validity over time.
//!
//! A permit is endorsed (签注) once a year in the [`WINDOW_DAYS`] before each anniversary of its
//! issue. Missed, its use is suspended from the anniversary; endorsed again within
//! [`SUSPENSION_YEARS`] it is restored from that day, and its anniversaries count from that day;
//! suspended that long, it is cancelled. Staff may cancel it at any time with a reason. Pure: the
//! day is passed in (a China date).

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use strum::{EnumMessage, EnumString, IntoStaticStr, VariantArray};

use super::public_code;
use crate::invalid::Invalid;

/// Art. 23: the endorsement is made within the 60 days before each anniversary of issue
/// (自签发之日起每满一年前六十日内).
pub const WINDOW_DAYS: u64 = 60;
/// Art. 25: a permit suspended this many years without endorsement is cancelled (注销).
pub const SUSPENSION_YEARS: u32 = 2;
/// The second reminder: this many days before the window closes (`docs/spec/permits.md`,
/// "Reminders").
pub const CLOSING_REMINDER_DAYS: u64 = 7;

/// The prefix of every permit number: Shenzhen's administrative division code.
const PREFIX: &str = "440300";
const RANDOM_CHARS: usize = 10;
const CHECK_CHARS: usize = 8;

/// A permit's public number (not the holder's ID number): `440300-` and 10 random characters
/// (random, not counted, like receipt numbers: issuing must not serialize on a counter).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PermitNo(String);

impl PermitNo {
    pub fn generate() -> Self {
        Self(format!("{PREFIX}-{}", public_code::random(RANDOM_CHARS)))
    }

    /// Reads a number as people type it (case and look-alikes forgiven).
    pub fn parse(value: &str) -> Result<Self, Invalid> {
        let normalized = public_code::normalize(value);
        match normalized.split_once('-') {
            Some((PREFIX, random)) if public_code::is_code(random, RANDOM_CHARS) => {
                Ok(Self(normalized))
            }
            _ => Err(Invalid::new(
                "INVALID_PERMIT_NO",
                "居住证编号格式不正确（如 440300-7K3M9QXA2B）",
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The check code printed on the card beside the number.
    pub fn check_code(&self, key: &[u8]) -> String {
        public_code::check_code(key, "permit-check-code", &self.0, CHECK_CHARS)
    }

    /// Whether `code` (case forgiven) is this permit's check code.
    pub fn verify(&self, key: &[u8], code: &str) -> bool {
        public_code::matches(&self.check_code(key), code)
    }
}

super::string_newtype!(PermitNo);

/// What a permit is worth on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
#[derive(IntoStaticStr, EnumString, VariantArray, EnumMessage)]
#[strum(serialize_all = "snake_case")]
pub enum PermitStatus {
    #[strum(message = "有效")]
    Active,
    /// Not endorsed by its anniversary (使用功能中止): restored by a late endorsement.
    #[strum(message = "已中止使用（逾期未签注）")]
    Suspended,
    #[strum(message = "已注销")]
    Cancelled,
}

super::code_enum!(PermitStatus);

impl PermitStatus {
    pub fn label(self) -> &'static str {
        self.get_message().expect("every status has a label")
    }
}

/// A span of days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Window {
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
}

impl Window {
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.opens_on <= day && day <= self.closes_on
    }
}

/// Why an endorsement cannot be made on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotDue {
    /// Before the window opens (the window is given).
    TooEarly(Window),
    /// The permit is cancelled: the person applies anew.
    Cancelled,
}

/// When a permit's anniversaries fall: every `years`-th anniversary of `anchor` (the issue day, or
/// the day a suspended permit was restored). `years` counts the anniversaries its endorsements
/// have reached: the next one falls `years` years after the anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validity {
    pub anchor: NaiveDate,
    pub years: u32,
}

impl Validity {
    /// A permit issued on `day`: its first anniversary a year later.
    pub fn issued(day: NaiveDate) -> Self {
        Self {
            anchor: day,
            years: 1,
        }
    }

    /// `years` years after `day` (29 February goes to 28 February in a common year).
    fn years_after(day: NaiveDate, years: u32) -> NaiveDate {
        day.checked_add_months(Months::new(12 * years))
            .expect("dates stay in range")
    }

    /// The next anniversary: endorsed by then, or suspended from that day.
    pub fn anniversary(&self) -> NaiveDate {
        Self::years_after(self.anchor, self.years)
    }

    /// The endorsement window before the next anniversary.
    pub fn window(&self) -> Window {
        let anniversary = self.anniversary();
        Window {
            opens_on: anniversary - Days::new(WINDOW_DAYS),
            closes_on: anniversary - Days::new(1),
        }
    }

    /// The day a permit left unendorsed is cancelled.
    pub fn cancelled_from(&self) -> NaiveDate {
        Self::years_after(self.anniversary(), SUSPENSION_YEARS)
    }

    /// The status on `day` (a permit staff cancelled is cancelled whatever the day).
    pub fn status_on(&self, day: NaiveDate) -> PermitStatus {
        if day < self.anniversary() {
            PermitStatus::Active
        } else if day < self.cancelled_from() {
            PermitStatus::Suspended
        } else {
            PermitStatus::Cancelled
        }
    }

    /// The days an endorsement may be made in next: the window while active, the days until
    /// cancellation while suspended; none once cancelled.
    pub fn next_window(&self, day: NaiveDate) -> Option<Window> {
        match self.status_on(day) {
            PermitStatus::Active => Some(self.window()),
            PermitStatus::Suspended => Some(Window {
                opens_on: self.anniversary(),
                closes_on: self.cancelled_from() - Days::new(1),
            }),
            PermitStatus::Cancelled => None,
        }
    }

    /// The validity after an endorsement on `day`: in the window, the next anniversary a year on;
    /// while suspended, restored from `day` (the anniversaries count from it).
    pub fn endorsed(&self, day: NaiveDate) -> Result<Self, NotDue> {
        match self.status_on(day) {
            PermitStatus::Active if self.window().contains(day) => Ok(Self {
                anchor: self.anchor,
                years: self.years + 1,
            }),
            PermitStatus::Active => Err(NotDue::TooEarly(self.window())),
            PermitStatus::Suspended => Ok(Self::issued(day)),
            PermitStatus::Cancelled => Err(NotDue::Cancelled),
        }
    }
}

/// A day in a permit's year that the daily run acts on: the two reminders, and the days its
/// status changes by itself (written down so that the change is recorded and told).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
#[derive(IntoStaticStr, EnumString, VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Milestone {
    /// The endorsement window opens: remind the holder.
    WindowOpens,
    /// [`CLOSING_REMINDER_DAYS`] before the window closes: remind the holder again.
    WindowClosing,
    /// The anniversary passed unendorsed: the permit is suspended.
    Suspension,
    /// Suspended [`SUSPENSION_YEARS`]: the permit is cancelled.
    Cancellation,
}

super::code_enum!(Milestone);

impl Validity {
    /// Every milestone of the current year, in order.
    pub fn milestones(&self) -> [(NaiveDate, Milestone); 4] {
        let window = self.window();
        [
            (window.opens_on, Milestone::WindowOpens),
            (
                window.closes_on - Days::new(CLOSING_REMINDER_DAYS),
                Milestone::WindowClosing,
            ),
            (self.anniversary(), Milestone::Suspension),
            (self.cancelled_from(), Milestone::Cancellation),
        ]
    }

    /// The first milestone on or after `from` (none after cancellation).
    pub fn next_milestone(&self, from: NaiveDate) -> Option<(NaiveDate, Milestone)> {
        self.milestones().into_iter().find(|(day, _)| *day >= from)
    }
}

#[cfg(test)]
mod tests {
    use super::super::assert_code_enum;
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn permit_numbers_are_random_and_parse_back_forgivingly() {
        let no = PermitNo::generate();
        assert!(no.as_str().starts_with("440300-"), "{}", no.as_str());
        assert_eq!(PermitNo::parse(&no.as_str().to_lowercase()).unwrap(), no);
        assert_eq!(
            PermitNo::parse("440300-oi23456789").unwrap().as_str(),
            "440300-0123456789"
        );
        for bad in ["440300", "440301-0123456789", "440300-012345678U", "x-y"] {
            assert!(PermitNo::parse(bad).is_err(), "{bad}");
        }
        let drawn: std::collections::HashSet<PermitNo> =
            (0..10_000).map(|_| PermitNo::generate()).collect();
        assert_eq!(drawn.len(), 10_000);
        let code = no.check_code(KEY);
        assert!(no.verify(KEY, &code.to_lowercase()));
        assert!(!PermitNo::generate().verify(KEY, &code));
    }

    #[test]
    fn statuses_have_their_wire_names() {
        assert_code_enum(
            PermitStatus::ALL,
            &["active", "suspended", "cancelled"],
            PermitStatus::as_str,
            |s| s.parse().ok(),
        );
    }

    #[test]
    fn a_year_of_validity_then_the_window_then_suspension_then_cancellation() {
        let v = Validity::issued(d("2026-03-10"));
        assert_eq!(v.anniversary(), d("2027-03-10"));
        assert_eq!(
            v.window(),
            Window {
                opens_on: d("2027-01-09"),
                closes_on: d("2027-03-09")
            }
        );
        assert_eq!(v.status_on(d("2027-03-09")), PermitStatus::Active);
        assert_eq!(v.status_on(d("2027-03-10")), PermitStatus::Suspended);
        assert_eq!(v.cancelled_from(), d("2029-03-10"));
        assert_eq!(v.status_on(d("2029-03-09")), PermitStatus::Suspended);
        assert_eq!(v.status_on(d("2029-03-10")), PermitStatus::Cancelled);
        assert_eq!(
            v.endorsed(d("2027-01-08")),
            Err(NotDue::TooEarly(v.window()))
        );
        let endorsed = v.endorsed(d("2027-01-09")).unwrap();
        assert_eq!(endorsed.anniversary(), d("2028-03-10"));
        assert_eq!(v.endorsed(d("2029-03-10")), Err(NotDue::Cancelled));
    }

    #[test]
    fn a_late_endorsement_restores_and_counts_from_its_day() {
        let v = Validity::issued(d("2026-03-10"));
        let restored = v.endorsed(d("2028-07-01")).unwrap();
        assert_eq!(restored.status_on(d("2028-07-01")), PermitStatus::Active);
        assert_eq!(restored.anniversary(), d("2029-07-01"));
        assert_eq!(restored.window().opens_on, d("2029-05-02"));
    }

    #[test]
    fn a_leap_day_issue_has_its_anniversary_on_28_february() {
        let v = Validity::issued(d("2028-02-29"));
        assert_eq!(v.anniversary(), d("2029-02-28"));
        let endorsed = v.endorsed(d("2029-02-01")).unwrap();
        assert_eq!(endorsed.anniversary(), d("2030-02-28"));
        let four_years = Validity {
            anchor: d("2028-02-29"),
            years: 4,
        };
        assert_eq!(four_years.anniversary(), d("2032-02-29"));
    }

    #[test]
    fn milestones_follow_each_other_and_an_endorsement_starts_a_new_year() {
        let v = Validity::issued(d("2026-03-10"));
        assert_eq!(
            v.next_milestone(d("2026-03-10")),
            Some((d("2027-01-09"), Milestone::WindowOpens))
        );
        assert_eq!(
            v.next_milestone(d("2027-01-10")),
            Some((d("2027-03-02"), Milestone::WindowClosing))
        );
        assert_eq!(
            v.next_milestone(d("2027-03-03")),
            Some((d("2027-03-10"), Milestone::Suspension))
        );
        assert_eq!(
            v.next_milestone(d("2027-03-11")),
            Some((d("2029-03-10"), Milestone::Cancellation))
        );
        assert_eq!(v.next_milestone(d("2029-03-11")), None);
        // Endorsed after the closing reminder: the next is the next year's opening.
        let endorsed = v.endorsed(d("2027-03-05")).unwrap();
        assert_eq!(
            endorsed.next_milestone(d("2027-03-06")),
            Some((d("2028-01-10"), Milestone::WindowOpens))
        );
    }

    fn day() -> impl Strategy<Value = NaiveDate> {
        (0u64..20_000).prop_map(|n| d("2000-01-01") + Days::new(n))
    }

    proptest! {
        /// Endorsed on time every year, a permit never leaves `active`; each endorsement moves the
        /// anniversary exactly one year on the anchor's calendar.
        #[test]
        fn endorsed_in_every_window_it_stays_active(issued in day(), years in 1u32..12, offset in 0u64..WINDOW_DAYS) {
            let mut v = Validity::issued(issued);
            for _ in 0..years {
                let on = v.window().opens_on + Days::new(offset);
                prop_assert_eq!(v.status_on(on), PermitStatus::Active);
                let next = v.endorsed(on).unwrap();
                prop_assert_eq!(next.anniversary(), Validity::years_after(issued, next.years));
                v = next;
            }
        }

        /// The status only ever moves forward in time: active, then suspended, then cancelled.
        #[test]
        fn the_status_is_monotonic_in_time(issued in day(), a in 0u64..2_000, b in 0u64..2_000) {
            let v = Validity::issued(issued);
            let rank = |s: PermitStatus| s as u8;
            let (early, late) = (a.min(b), a.max(b));
            prop_assert!(rank(v.status_on(issued + Days::new(early))) <= rank(v.status_on(issued + Days::new(late))));
        }

        /// The window is 60 days and ends the day before the anniversary; a late endorsement any
        /// day of the suspension restores from that day.
        #[test]
        fn windows_and_restorations(issued in day(), late in 0u64..730) {
            let v = Validity::issued(issued);
            let w = v.window();
            prop_assert_eq!((w.closes_on - w.opens_on).num_days() + 1, WINDOW_DAYS as i64);
            prop_assert_eq!(w.closes_on + Days::new(1), v.anniversary());
            let on = v.anniversary() + Days::new(late);
            if on < v.cancelled_from() {
                let restored = v.endorsed(on).unwrap();
                prop_assert_eq!(restored.anchor, on);
                prop_assert_eq!(restored.status_on(on), PermitStatus::Active);
            } else {
                prop_assert_eq!(v.endorsed(on), Err(NotDue::Cancelled));
            }
        }
    }
}
