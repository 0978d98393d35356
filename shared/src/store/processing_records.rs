//! Processing records (PIPL Art. 55–56): who read or received a person's data, when, what and
//! why. One partition per data subject (by [`super::keys::subject_key`]: the keyed hash of the
//! ID document and the name the record read is in, never the number or the name), newest first;
//! never changed by the services, kept three years (Art. 56) and then expired by TTL.
//!
//! A record is filed under the subject of the record read (the registration's resident, the
//! application's holder), so a registration whose ID number is a person's but whose name is not
//! (someone else, or a declarant's typo) is not listed as theirs, as their residence records do
//! not list it either.
//!
//! Table (`pk`, `sk`): `SUBJECT#<subject key>` / `<at>#<record id>`. (Records written before the
//! subject key, under `PERSON#<person key>`, are no longer listed: whose they are cannot be told.)

use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
use serde::{Deserialize, Serialize};

use super::Db;

use super::error::{StoreError, StoreResult, unavailable};
use super::item::{s, to_item};
use super::keys::{processing_pk, processing_sk};
use super::page::{Page, PageRequest, query_records};
use super::retry::Backoff;

/// How long a record is kept: three years (PIPL Art. 56) and a month of margin.
pub const RETENTION_DAYS: i64 = 3 * 366 + 31;

/// Items one BatchWriteItem call takes at most.
const BATCH_WRITE_ITEMS: usize = 25;
/// Calls one chunk may take while DynamoDB leaves items unprocessed.
const BATCH_WRITE_ATTEMPTS: u32 = 8;

/// Who processed the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Processor {
    /// A member of the counter staff (by account id; the person is shown their office only).
    Staff,
    /// An agency receiving events (by its consumer id, `shared/events/consumers.yaml`).
    Agency,
    /// A unit filing on the person's behalf (单位代办, F25; by its unit id, its name kept).
    Unit,
    /// Whoever opened the verification page of the person's document from its QR code (an
    /// officer, a landlord): not identified, so recorded by the page.
    DocumentCheck,
}

/// What was done with the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Processing {
    /// Shown to a member of staff.
    Read,
    /// Sent to an agency as an event.
    Delivered,
    /// Named in a unit's filing on the person's behalf (their name, ID document and phone).
    Filed,
    /// Shown, masked, on the verification page of the person's document.
    Verified,
}

/// The kind of record the data was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    Registration,
    PermitApplication,
    Permit,
}

/// One processing of one person's data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProcessingRecord {
    pub pk: String,
    pub sk: String,
    /// Unique per record; the same for the same delivery sent again (so a retry rewrites it).
    pub record_id: String,
    /// When it happened (RFC 3339, UTC).
    pub at: String,
    pub processor: Processor,
    /// The staff account id, the consumer id, or the unit id (kept for audit; a staff member's
    /// is never shown to the person).
    pub processor_id: String,
    /// For staff: the office (受理点) they worked at when they read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office: Option<String>,
    /// A unit's name as it was when it processed the data (units only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processor_name: Option<String>,
    pub processing: Processing,
    /// Why (the duty it serves), as shown to the person.
    pub purpose: String,
    pub subject_kind: SubjectKind,
    pub subject_id: String,
    /// For a delivery: the event's type and view, and its CloudEvents id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    /// Epoch seconds after which DynamoDB's TTL removes the record.
    pub expires_at: i64,
}

/// What a record is about, and who did what and why.
pub struct Processed<'a> {
    /// Whose data it is ([`super::keys::subject_key`]).
    pub subject_key: &'a str,
    pub subject_kind: SubjectKind,
    pub subject_id: &'a str,
    pub processor: Processor,
    pub processor_id: &'a str,
    pub processing: Processing,
    pub purpose: &'a str,
}

impl ProcessingRecord {
    /// A record at `at` (RFC 3339) whose id is `record_id`; the sort key orders by `sort_at`
    /// (the same as `at`, or for a delivery the event's commit time, which a retry keeps).
    pub fn new(processed: Processed<'_>, at: &str, sort_at: &str, record_id: String) -> Self {
        let expires_at = chrono::DateTime::parse_from_rfc3339(at)
            .map_or_else(|_| crate::clock::now().timestamp(), |t| t.timestamp())
            + RETENTION_DAYS * 24 * 3600;
        Self {
            pk: processing_pk(processed.subject_key),
            sk: processing_sk(sort_at, &record_id),
            record_id,
            at: at.to_owned(),
            processor: processed.processor,
            processor_id: processed.processor_id.to_owned(),
            office: None,
            processor_name: None,
            processing: processed.processing,
            purpose: processed.purpose.to_owned(),
            subject_kind: processed.subject_kind,
            subject_id: processed.subject_id.to_owned(),
            event_type: None,
            view: None,
            event_id: None,
            expires_at,
        }
    }
}

/// Writes every record (BatchWriteItem in chunks of 25, writing again what DynamoDB leaves
/// unprocessed, with back-off). Writing a record again rewrites it: a retried delivery keeps one
/// record.
pub async fn put_all(db: &Db, records: &[ProcessingRecord]) -> StoreResult<()> {
    let table = &db.tables.processing_records;
    // One BatchWriteItem may not name a key twice; a record's key names
    // exactly one processing act, so a repeat is the same record again.
    let mut seen = std::collections::HashSet::new();
    let records: Vec<&ProcessingRecord> = records
        .iter()
        .filter(|record| seen.insert((record.pk.as_str(), record.sk.as_str())))
        .collect();
    for chunk in records.chunks(BATCH_WRITE_ITEMS) {
        let mut pending = chunk
            .iter()
            .map(|&record| {
                let put = PutRequest::builder()
                    .set_item(Some(to_item(record)?))
                    .build()
                    .map_err(|_| StoreError::Corrupt)?;
                Ok(WriteRequest::builder().put_request(put).build())
            })
            .collect::<StoreResult<Vec<_>>>()?;
        let mut backoff = Backoff::throttling();
        while !pending.is_empty() {
            let output = db
                .client
                .batch_write_item()
                .request_items(table, std::mem::take(&mut pending))
                .send()
                .await
                .map_err(|e| unavailable("processing_records.put_all", e))?;
            pending = output
                .unprocessed_items
                .and_then(|mut left| left.remove(table))
                .unwrap_or_default();
            if !pending.is_empty() {
                if backoff.attempts() + 1 >= BATCH_WRITE_ATTEMPTS {
                    tracing::error!("processing records left unprocessed");
                    return Err(StoreError::Unavailable);
                }
                backoff.wait().await;
            }
        }
    }
    Ok(())
}

/// A page of a data subject's processing records, newest first.
pub async fn page_of_subject(
    db: &Db,
    subject_key: &str,
    page: &PageRequest,
) -> StoreResult<Page<ProcessingRecord>> {
    query_records(page, "processing_records.of_subject", || {
        db.client
            .query()
            .table_name(&db.tables.processing_records)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", s(processing_pk(subject_key)))
            .scan_index_forward(false)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::item::from_item;

    #[test]
    fn a_record_is_kept_three_years_and_sorted_by_its_time() {
        let record = ProcessingRecord::new(
            Processed {
                subject_key: "abc",
                subject_kind: SubjectKind::Registration,
                subject_id: "r1",
                processor: Processor::Staff,
                processor_id: "s1",
                processing: Processing::Read,
                purpose: "p",
            },
            "2026-01-01T00:00:00Z",
            "2026-01-01T00:00:00Z",
            "id1".into(),
        );
        assert_eq!(record.pk, "SUBJECT#abc");
        assert_eq!(record.sk, "2026-01-01T00:00:00Z#id1");
        let kept_days = (record.expires_at - 1_767_225_600) / 86_400;
        assert!(kept_days >= 3 * 365, "{kept_days}");
        let item = to_item(&record).unwrap();
        assert_eq!(from_item::<ProcessingRecord>(item).unwrap(), record);
    }
}
