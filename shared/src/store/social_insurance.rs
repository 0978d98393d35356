//! Social-insurance contribution months as imported from the bureau: one item per person and
//! month, `pk` = `PERSON#<keyed hash of the ID document>` ([`super::keys::person_key`]), `sk` =
//! the month (`YYYY-MM`), so a person's months are one Query in month order.

use serde::{Deserialize, Serialize};

use super::Db;
use crate::domain::eligibility::insurance::{Contribution, PaidMonths, YearMonth};

use super::error::StoreResult;
use super::item::{Item, from_item, s, to_item};
use super::reads::query_all;

/// One month of one person.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MonthRecord {
    pub pk: String,
    /// `YYYY-MM`.
    pub sk: String,
    pub status: Contribution,
}

fn person_pk(person_key: &str) -> String {
    format!("PERSON#{person_key}")
}

impl MonthRecord {
    pub fn new(person_key: &str, month: YearMonth, status: Contribution) -> Self {
        Self {
            pk: person_pk(person_key),
            sk: month.to_string(),
            status,
        }
    }

    pub fn item(&self) -> StoreResult<Item> {
        to_item(self)
    }
}

/// The person's paid months from `since` on (one Query, in month order).
pub async fn paid_months(db: &Db, person_key: &str, since: YearMonth) -> StoreResult<PaidMonths> {
    let pk = person_pk(person_key);
    let items = query_all("social_insurance.months", || {
        db.client
            .query()
            .table_name(&db.tables.social_insurance)
            .key_condition_expression("pk = :pk AND sk >= :since")
            .expression_attribute_values(":pk", s(&pk))
            .expression_attribute_values(":since", s(since.to_string()))
    })
    .await?;
    let mut paid = PaidMonths::default();
    for item in items {
        let record: MonthRecord = from_item(item)?;
        if record.status == Contribution::Paid
            && let Ok(month) = YearMonth::parse(&record.sk)
        {
            paid.insert(month);
        }
    }
    Ok(paid)
}
