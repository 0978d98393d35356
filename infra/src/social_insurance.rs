//! Social-insurance months from the bureau (人社局): the operator's import of its CSV files
//! (`id_type,id_number,month,status`, month `YYYY-MM`, status `paid | unpaid`), and a generator of
//! local data for the people of the local identity registry. A file is checked row by row first:
//! any refused row (named by its line) loads nothing; the writes are idempotent puts, so a load
//! that fails midway (DynamoDB unavailable) is completed by running it again.

use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use shared::AppContext;
use shared::domain::eligibility::insurance::{Contribution, YearMonth};
use shared::domain::id_document::{IdDocument, IdType};
use shared::store::keys::person_key;
use shared::store::social_insurance::MonthRecord;

use crate::identity_registry::Person;

/// One row of a bureau file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MonthRow {
    pub id_type: String,
    pub id_number: String,
    pub month: String,
    pub status: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{count} rows refused, nothing loaded; first: line {line}: {reason}")]
    Rows {
        count: usize,
        line: u64,
        reason: String,
    },
    #[error(transparent)]
    Batch(#[from] crate::batch::BatchError),
}

/// A checked row.
#[derive(Debug, Clone, Copy)]
struct Checked<'a> {
    id_type: IdType,
    id_number: &'a str,
    month: YearMonth,
    status: Contribution,
}

fn check(row: &MonthRow) -> Result<Checked<'_>, String> {
    let id_type = IdType::parse(&row.id_type).map_err(|e| format!("id_type: {}", e.message))?;
    IdDocument::parse(id_type, &row.id_number).map_err(|e| format!("id_number: {}", e.message))?;
    let month = YearMonth::parse(&row.month).map_err(|e| format!("month: {}", e.message))?;
    let status = Contribution::parse(&row.status).map_err(|e| format!("status: {}", e.message))?;
    Ok(Checked {
        id_type,
        id_number: &row.id_number,
        month,
        status,
    })
}

/// Reads a bureau file; every row must pass (else the first refused row's line is named).
pub fn read_csv(path: &Path) -> Result<Vec<MonthRow>, ImportError> {
    let file = std::fs::File::open(path).map_err(|source| ImportError::Read {
        path: path.display().to_string(),
        source,
    })?;
    let mut reader = csv::Reader::from_reader(file);
    let mut rows = Vec::new();
    let mut refused: Vec<(u64, String)> = Vec::new();
    for (index, row) in reader.deserialize::<MonthRow>().enumerate() {
        // Line 1 is the header.
        let line = index as u64 + 2;
        match row {
            Ok(row) => match check(&row) {
                Ok(_) => rows.push(row),
                Err(reason) => refused.push((line, reason)),
            },
            Err(error) => refused.push((line, error.to_string())),
        }
    }
    if let Some((line, reason)) = refused.first() {
        return Err(ImportError::Rows {
            count: refused.len(),
            line: *line,
            reason: reason.clone(),
        });
    }
    Ok(rows)
}

/// Writes checked rows (see [`read_csv`]) to the table, with a progress bar when `progress`.
pub async fn load(
    ctx: &AppContext,
    rows: &[MonthRow],
    progress: bool,
) -> Result<usize, ImportError> {
    let bar = if progress {
        let bar = ProgressBar::new(rows.len() as u64);
        bar.set_style(
            ProgressStyle::with_template(
                "months [{bar:30}] {human_pos}/{human_len}  {per_sec}  ETA {eta}",
            )
            .expect("a valid template")
            .progress_chars("=> "),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let mut written = 0;
    for chunk in rows.chunks(1000) {
        let mut items = Vec::with_capacity(chunk.len());
        for row in chunk {
            let checked = check(row).map_err(|reason| ImportError::Rows {
                count: 1,
                line: 0,
                reason,
            })?;
            let person = person_key(&ctx.db, checked.id_type, checked.id_number);
            let record = MonthRecord::new(&person, checked.month, checked.status);
            items.push(record.item().map_err(crate::batch::BatchError::from)?);
        }
        written +=
            crate::batch::put_all(&ctx.db.client, &ctx.config.tables.social_insurance, items)
                .await?;
        bar.inc(chunk.len() as u64);
    }
    bar.finish_and_clear();
    Ok(written)
}

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

pub fn write_csv(rows: &[MonthRow], out: impl std::io::Write) -> csv::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    for row in rows {
        writer.serialize(row)?;
    }
    writer.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_months_are_valid_and_reproducible() {
        let people = crate::identity_registry::generate(50, 3);
        let month = YearMonth::parse("2026-12").unwrap();
        let rows = generate(&people, month, 30, 9);
        assert_eq!(rows, generate(&people, month, 30, 9));
        assert!(!rows.is_empty());
        for row in &rows {
            check(row).unwrap();
            assert!(row.month.as_str() < "2026-12");
        }
    }

    #[test]
    fn one_bad_row_refuses_the_file_and_names_its_line() {
        let dir = std::env::temp_dir().join(format!("insurance-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("months.csv");
        let people = crate::identity_registry::generate(2, 3);
        let mut rows = generate(&people, YearMonth::parse("2026-12").unwrap(), 6, 1);
        assert!(rows.len() >= 3, "{rows:?}");
        rows[2].month = "2026-13".into();
        write_csv(&rows, std::fs::File::create(&path).unwrap()).unwrap();
        let error = read_csv(&path).unwrap_err().to_string();
        assert!(
            error.contains("line 4") && error.contains("month"),
            "{error}"
        );
        rows[2].month = "2026-01".into();
        write_csv(&rows, std::fs::File::create(&path).unwrap()).unwrap();
        assert_eq!(read_csv(&path).unwrap(), rows);
    }
}
