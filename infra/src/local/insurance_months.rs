//! LOCAL ONLY: the bureau's social-insurance months for the people of the local identity
//! registry, generated (`rpctl social-insurance generate`; the local stack loads a set of them).

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use shared::domain::eligibility::insurance::{Contribution, YearMonth};

use crate::local::identity_registry::Person;
use crate::operator::social_insurance::MonthRow;

/// Months for `people` up to the month before `this_month`: each person started paying some
/// months ago (up to `months`) and paid on, with an occasional unpaid month; a tenth never paid.
/// The same for the same seed.
pub fn generate(
    people: &[Person],
    this_month: YearMonth,
    months: usize,
    seed: u64,
) -> Vec<MonthRow> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut rows = Vec::new();
    for person in people {
        if rng.random_range(0..10) == 0 {
            continue;
        }
        let paid_for = rng.random_range(1..=months);
        for month in this_month.months_before(paid_for) {
            let status = match rng.random_range(0..20) {
                0 => Contribution::Unpaid,
                _ => Contribution::Paid,
            };
            rows.push(MonthRow {
                id_type: person.id_type.clone(),
                id_number: person.id_number.clone(),
                month: month.to_string(),
                status: status.as_str().to_owned(),
            });
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operator::social_insurance::check;

    #[test]
    fn generated_months_are_valid_and_reproducible() {
        let people = crate::local::identity_registry::generate(50, 3);
        let month = YearMonth::parse("2026-12").unwrap();
        let rows = generate(&people, month, 30, 9);
        assert_eq!(rows, generate(&people, month, 30, 9));
        assert!(!rows.is_empty());
        for row in &rows {
            check(row).unwrap();
            assert!(row.month.as_str() < "2026-12");
        }
    }
}
