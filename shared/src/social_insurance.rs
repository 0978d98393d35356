//! The one port the permit rules read social-insurance months through. Today it answers from the
//! records the operator imports from the bureau's files (`rpctl social-insurance load`, the
//! table `SocialInsuranceTable`); a live query of the bureau's service can replace it here
//! without touching the rules.

use crate::context::AppContext;
use crate::domain::eligibility::INSURANCE_WINDOW_MONTHS;
use crate::domain::eligibility::insurance::{PaidMonths, YearMonth};
use crate::store::StoreResult;

/// The paid months of the person with this ID document over the window the rules look at (the
/// two years before the month of `today`, and since).
pub async fn paid_months(
    ctx: &AppContext,
    person_key: &str,
    today: chrono::NaiveDate,
) -> StoreResult<PaidMonths> {
    let since = YearMonth::of(today)
        .months_before(INSURANCE_WINDOW_MONTHS)
        .last()
        .unwrap_or(YearMonth::of(today));
    crate::store::social_insurance::paid_months(&ctx.db, person_key, since).await
}
