//! Social-insurance months from the bureau (人社局): the operator's import of its CSV files
//! (`id_type,id_number,month,status`, month `YYYY-MM`, status `paid | unpaid`). A file is checked row by row first:
//! any refused row (named by its line) loads nothing; the writes are idempotent puts, so a load
//! that fails midway (DynamoDB unavailable) is completed by running it again.

use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};
use shared::AppContext;
use shared::domain::eligibility::insurance::{Contribution, YearMonth};
use shared::domain::id_document::{IdDocument, IdType};
use shared::store::keys::person_key;
use shared::store::social_insurance::MonthRecord;

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
    Batch(#[from] crate::operator::batch::BatchError),
}

/// A checked row.
#[derive(Debug, Clone, Copy)]
pub struct Checked<'a> {
    pub id_type: IdType,
    pub id_number: &'a str,
    pub month: YearMonth,
    pub status: Contribution,
}

/// The row's values, or why the bureau's file is refused at it.
pub fn check(row: &MonthRow) -> Result<Checked<'_>, String> {
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
            items.push(
                record
                    .item()
                    .map_err(crate::operator::batch::BatchError::from)?,
            );
        }
        written += crate::operator::batch::put_all(
            &ctx.db.client,
            &ctx.config.tables.social_insurance,
            items,
        )
        .await?;
        bar.inc(chunk.len() as u64);
    }
    bar.finish_and_clear();
    Ok(written)
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
    fn one_bad_row_refuses_the_file_and_names_its_line() {
        let dir = std::env::temp_dir().join(format!("insurance-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("months.csv");
        let first17 = "44030419900101001";
        let check_char = shared::domain::id_number::check_char(first17.as_bytes()) as char;
        let month = |month: &str| MonthRow {
            id_type: IdType::ResidentId.as_str().to_owned(),
            id_number: format!("{first17}{check_char}"),
            month: month.to_owned(),
            status: Contribution::Paid.as_str().to_owned(),
        };
        let mut rows = vec![month("2026-09"), month("2026-10"), month("2026-11")];
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
