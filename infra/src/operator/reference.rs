//! Reference address data: Shenzhen's districts and streets with their official codes
//! (`infra/data/shenzhen_streets.csv`, from the National Bureau of Statistics' 2022 divisions).
//!
//! Stored in the address table under one small partition, `pk = STREETS`, `sk = <street code>`,
//! so that one Query returns them all.

use std::path::{Path, PathBuf};

use aws_sdk_dynamodb::Client;
pub use shared::domain::districts::Street;
use shared::store::address::street_item;
pub use shared::store::keys::STREETS_PK;

use crate::operator::batch::{self, BatchError};

/// A row that could not be loaded, with its line in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    pub line: u64,
    pub reason: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    #[error("cannot read {0}: {1}")]
    Read(PathBuf, String),
    #[error(transparent)]
    Batch(#[from] BatchError),
}

/// The file shipped with the repository.
pub fn default_streets_file() -> PathBuf {
    crate::template::repo_root().join("infra/data/shenzhen_streets.csv")
}

fn is_digits(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit())
}

fn check(row: &Street) -> Result<(), String> {
    if !is_digits(&row.district_code, 6) || !row.district_code.starts_with("4403") {
        return Err(format!(
            "district_code {:?} is not a 6-digit Shenzhen code (4403xx)",
            row.district_code
        ));
    }
    if !is_digits(&row.street_code, 9) || !row.street_code.starts_with(&row.district_code) {
        return Err(format!(
            "street_code {:?} is not 9 digits under its district",
            row.street_code
        ));
    }
    for (name, value) in [
        ("street_name", &row.street_name),
        ("district_name", &row.district_name),
        ("area_name", &row.area_name),
    ] {
        if value.trim().is_empty() {
            return Err(format!("{name} is empty"));
        }
    }
    Ok(())
}

/// Reads the streets file: good rows, and the rejected ones with their line numbers.
pub fn read_streets(path: &Path) -> Result<(Vec<Street>, Vec<RejectedRow>), ReferenceError> {
    let read_error = |e: csv::Error| ReferenceError::Read(path.to_owned(), e.to_string());
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(read_error)?;
    let headers = reader.headers().map_err(read_error)?.clone();
    let mut rows = Vec::new();
    let mut rejected = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(0, |p| p.line());
                match record.deserialize::<Street>(Some(&headers)) {
                    Ok(row) => match check(&row) {
                        Ok(()) => rows.push(row),
                        Err(reason) => rejected.push(RejectedRow { line, reason }),
                    },
                    Err(error) => rejected.push(RejectedRow {
                        line,
                        reason: error.to_string(),
                    }),
                }
            }
            Err(error) => rejected.push(RejectedRow {
                line: error.position().map_or(0, |p| p.line()),
                reason: error.to_string(),
            }),
        }
    }
    Ok((rows, rejected))
}

/// Loads the streets into the address table (idempotent: re-runs overwrite the same items).
pub async fn load_streets(
    client: &Client,
    table: &str,
    streets: &[Street],
) -> Result<usize, ReferenceError> {
    let items = streets
        .iter()
        .map(street_item)
        .collect::<Result<_, _>>()
        .map_err(BatchError::from)?;
    Ok(batch::put_all(client, table, items).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_file_has_10_areas_and_74_streets() {
        let (rows, rejected) = read_streets(&default_streets_file()).unwrap();
        assert!(rejected.is_empty(), "{rejected:?}");
        assert_eq!(rows.len(), 74);
        let areas: std::collections::BTreeSet<&str> =
            rows.iter().map(|r| r.area_name.as_str()).collect();
        assert_eq!(areas.len(), 10);
        assert!(areas.contains("大鹏新区"));
    }

    #[test]
    fn malformed_rows_are_refused_with_their_line_numbers() {
        let dir = std::env::temp_dir().join(format!("streets-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("streets.csv");
        std::fs::write(
            &path,
            "street_code,street_name,district_code,district_name,area_name\n\
             440303001,桂园街道,440303,罗湖区,罗湖区\n\
             440399001,错街道,440303,罗湖区,罗湖区\n\
             440303002,黄贝街道,440303\n\
             440303003,东门街道,440303,罗湖区,罗湖区\n",
        )
        .unwrap();
        let (rows, rejected) = read_streets(&path).unwrap();
        assert_eq!(
            rows.iter()
                .map(|r| r.street_code.as_str())
                .collect::<Vec<_>>(),
            ["440303001", "440303003"]
        );
        assert_eq!(rejected.iter().map(|r| r.line).collect::<Vec<_>>(), [3, 4]);
    }
}
