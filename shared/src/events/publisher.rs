//! The event publisher (F23): a batch of a table stream's records, in stream order, becomes
//! domain events ([`super::stream`]), each published on the EventBridge bus once per consumer
//! that receives its type ([`super::consumers`]): in the consumer's view, with the consumer's own
//! pseudonymous ids in a minimized view ([`super::pseudonyms`]), and marked with the consumer's
//! id, on which its rule alone matches.
//!
//! Delivery is at least once and in order per subject:
//! - the copies go out in `PutEvents` calls of at most [`MAX_ENTRIES`] entries, one after
//!   another, and a call never holds two sequences of one subject (the real one, whatever each
//!   consumer calls it; EventBridge does not order the entries of a call), so a subject's event
//!   `n + 1` is only sent once event `n` was accepted;
//! - the first entry EventBridge refuses (or a call that fails) ends the batch: the answer names
//!   that entry's record as the first failure (`ReportBatchItemFailures`), and the event source
//!   mapping sends the batch again from there. Entries accepted before are sent again with the
//!   same CloudEvents `id` (made of the subject as the consumer knows it, the sequence and the
//!   view: the same on every retry), which consumers deduplicate on;
//! - a record that cannot be made an event (a poison record) goes to the dead-letter queue as its
//!   coordinates only (stream, sequence number, event id, reason: no image, no personal data) and
//!   stops nothing else.
//!
//! Once EventBridge accepted a consumer's copy of an event about a person, the processing record
//! of its delivery is written (PIPL; [`crate::store::processing_records`], under the data subject
//! of the record the event is about) before the batch goes on; a record that cannot be written
//! fails the call's records like a refused entry, and the retry writes the same records again
//! (their ids are the event's id and the consumer's: one record per delivery however often it is
//! sent).

use aws_lambda_events::event::dynamodb::{Event, EventRecord};
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use aws_sdk_eventbridge::error::ProvideErrorMetadata;
use aws_sdk_eventbridge::primitives::{DateTime, DateTimeFormat};
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use serde_dynamo::Item;
use serde_json::json;

use crate::config::EventSettings;
use crate::context::AppContext;
use crate::store::keys;
use crate::store::processing_records::{
    self, Processed, Processing, ProcessingRecord, Processor, SubjectKind,
};

use super::catalog;
use super::consumers::{Consumer, recipients};
use super::envelope::CloudEvent;
use super::event::{Change, DomainEvent, TranslateError};
use super::stream::{SourceTable, translate};

/// Entries one `PutEvents` call takes at most.
pub const MAX_ENTRIES: usize = 10;
/// The size one `PutEvents` call may carry (EventBridge counts each entry's source, detail type,
/// detail and resources).
const MAX_CALL_BYTES: usize = 256 * 1024;

/// What one batch came to (logged; the tests and benchmarks read it too).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Records made into events.
    pub events: usize,
    /// Consumers' copies put on the bus (entries EventBridge accepted).
    pub entries_put: usize,
    /// Processing records written (one per delivery of an event about a person to a consumer).
    pub deliveries_recorded: usize,
    /// Records of kinds that make no event.
    pub skipped: usize,
    /// Poison records sent to the dead-letter queue.
    pub dead_lettered: usize,
    /// The stream sequence number of the first record to send again, if any.
    pub retry_from: Option<String>,
}

impl Outcome {
    /// The batch answer Lambda's event source mapping reads.
    pub fn response(&self) -> DynamoDbEventResponse {
        let mut response = DynamoDbEventResponse::default();
        if let Some(sequence_number) = &self.retry_from {
            let mut failure = DynamoDbBatchItemFailure::default();
            failure.item_identifier = Some(sequence_number.clone());
            response.batch_item_failures.push(failure);
        }
        response
    }
}

/// One consumer's copy of one event, waiting for its call.
struct Pending {
    /// Its record's position in the batch.
    record: usize,
    /// The real subject (its source, its id), whichever consumer the copy is for.
    subject: (String, String),
    sequence: String,
    size: usize,
    entry: PutEventsRequestEntry,
    /// The processing record of this delivery, written once it is accepted (none for an event
    /// about no person).
    delivery: Option<ProcessingRecord>,
}

/// Publishes one batch of stream records.
pub async fn publish(ctx: &AppContext, event: Event) -> DynamoDbEventResponse {
    let outcome = publish_records(ctx, &event.records).await;
    tracing::info!(
        records = event.records.len(),
        events = outcome.events,
        entries_put = outcome.entries_put,
        deliveries_recorded = outcome.deliveries_recorded,
        skipped = outcome.skipped,
        dead_lettered = outcome.dead_lettered,
        retry = outcome.retry_from.is_some(),
        "stream batch published"
    );
    outcome.response()
}

/// As [`publish`], answering what happened.
pub async fn publish_records(ctx: &AppContext, records: &[EventRecord]) -> Outcome {
    let mut outcome = Outcome::default();
    let Some(settings) = &ctx.config.events else {
        tracing::error!("EVENT_BUS_NAME is not set: nothing can be published");
        outcome.retry_from = records.first().map(sequence_number);
        return outcome;
    };
    let mut chunk: Vec<Pending> = Vec::new();
    for (index, record) in records.iter().enumerate() {
        let entries = match entries_of(ctx, settings, record) {
            Ok(None) => {
                outcome.skipped += 1;
                continue;
            }
            Ok(Some(entries)) => entries,
            Err(error) => {
                if dead_letter(ctx, settings, record, &error).await {
                    outcome.dead_lettered += 1;
                    continue;
                }
                // Not even dead-lettered: try again from the earliest record not yet sent.
                let from = chunk.first().map_or(index, |p| p.record);
                outcome.retry_from = Some(sequence_number(&records[from]));
                return outcome;
            }
        };
        outcome.events += 1;
        for mut pending in entries {
            pending.record = index;
            if !fits(&chunk, &pending)
                && let Err(failed) = put(ctx, &mut chunk, &mut outcome).await
            {
                outcome.retry_from = Some(sequence_number(&records[failed]));
                return outcome;
            }
            chunk.push(pending);
        }
    }
    if let Err(failed) = put(ctx, &mut chunk, &mut outcome).await {
        outcome.retry_from = Some(sequence_number(&records[failed]));
    }
    outcome
}

/// Whether `pending` may join `chunk`'s call: room left, and no other sequence of its subject.
fn fits(chunk: &[Pending], pending: &Pending) -> bool {
    chunk.len() < MAX_ENTRIES
        && chunk.iter().map(|p| p.size).sum::<usize>() + pending.size <= MAX_CALL_BYTES
        && !chunk
            .iter()
            .any(|p| p.subject == pending.subject && p.sequence != pending.sequence)
}

/// Sends `chunk` in one call and empties it; on failure, the batch position of the first record
/// whose copies were not all accepted.
async fn put(
    ctx: &AppContext,
    chunk: &mut Vec<Pending>,
    outcome: &mut Outcome,
) -> Result<(), usize> {
    if chunk.is_empty() {
        return Ok(());
    }
    let sent: Vec<Pending> = std::mem::take(chunk);
    let first = sent[0].record;
    let answer = ctx
        .events
        .put_events()
        .set_entries(Some(sent.iter().map(|p| p.entry.clone()).collect()))
        .send()
        .await;
    let output = match answer {
        Ok(output) => output,
        Err(error) => {
            tracing::warn!(
                code = error.code().unwrap_or("unreachable"),
                entries = sent.len(),
                "PutEvents failed"
            );
            return Err(first);
        }
    };
    // The answer's entries are in the request's order: an error code marks a refused one.
    let refused = output
        .entries()
        .iter()
        .position(|entry| entry.error_code().is_some());
    match refused {
        None if output.entries().len() == sent.len() => {
            outcome.entries_put += sent.len();
            record_deliveries(ctx, &sent, outcome)
                .await
                .map_err(|()| first)
        }
        None => Err(first),
        Some(position) => {
            let code = output.entries()[position].error_code().unwrap_or("");
            tracing::warn!(
                code,
                refused = output.failed_entry_count(),
                entries = sent.len(),
                "PutEvents refused entries"
            );
            let earliest = sent
                .iter()
                .zip(output.entries())
                .filter(|(_, entry)| entry.error_code().is_some())
                .map(|(pending, _)| pending.record)
                .min()
                .unwrap_or(first);
            outcome.entries_put += sent.len() - output.failed_entry_count() as usize;
            // The records before `earliest` are not sent again: their deliveries are done.
            let done: Vec<Pending> = sent.into_iter().filter(|p| p.record < earliest).collect();
            record_deliveries(ctx, &done, outcome)
                .await
                .map_err(|()| first)?;
            Err(earliest)
        }
    }
}

/// Writes the processing records of the accepted copies `sent`.
async fn record_deliveries(
    ctx: &AppContext,
    sent: &[Pending],
    outcome: &mut Outcome,
) -> Result<(), ()> {
    let records: Vec<ProcessingRecord> = sent.iter().filter_map(|p| p.delivery.clone()).collect();
    if records.is_empty() {
        return Ok(());
    }
    match processing_records::put_all(&ctx.db, &records).await {
        Ok(()) => {
            outcome.deliveries_recorded += records.len();
            Ok(())
        }
        Err(error) => {
            tracing::warn!(%error, records = records.len(), "processing records not written");
            Err(())
        }
    }
}

/// The processing record of the delivery of `cloud_event` (a copy of `event`) to `consumer`,
/// `at`, filed under the event's data subject; none for an event about no person (a house link).
fn delivery(
    ctx: &AppContext,
    event: &DomainEvent,
    cloud_event: &CloudEvent,
    consumer: &Consumer,
    at: &str,
) -> Option<ProcessingRecord> {
    let person = event.person.as_ref()?;
    let subject_kind = match event.event_type.subject_kind() {
        catalog::SubjectKind::Registration => SubjectKind::Registration,
        // A permit's events name its application.
        catalog::SubjectKind::PermitApplication | catalog::SubjectKind::Permit => {
            SubjectKind::PermitApplication
        }
        catalog::SubjectKind::HouseLink => return None,
    };
    let subject_key = keys::subject_key(&ctx.db, &person.person_key, &person.name);
    let mut record = ProcessingRecord::new(
        Processed {
            subject_key: &subject_key,
            subject_kind,
            subject_id: &event.subject,
            processor: Processor::Agency,
            processor_id: &consumer.id,
            processing: Processing::Delivered,
            purpose: &consumer.basis,
        },
        at,
        &event.time,
        format!("{}.{}", cloud_event.id, consumer.id),
    );
    record.event_type = Some(event.event_type.as_ref().to_owned());
    record.view = Some(cloud_event.view.clone());
    record.event_id = Some(cloud_event.id.clone());
    Some(record)
}

/// The entries of a record's event (one per consumer that receives its type), `None` for a record
/// of a kind that makes no event, or why it cannot be made one.
fn entries_of(
    ctx: &AppContext,
    settings: &EventSettings,
    record: &EventRecord,
) -> Result<Option<Vec<Pending>>, TranslateError> {
    let table = record
        .event_source_arn
        .as_deref()
        .and_then(|arn| SourceTable::of_stream(arn, &ctx.config.tables))
        .ok_or_else(|| TranslateError("a record of a stream the publisher does not read".into()))?;
    let change = Change {
        old: image(&record.change.old_image),
        new: image(&record.change.new_image),
    };
    let Some(event) = translate(table, &change)? else {
        return Ok(None);
    };
    let now = crate::clock::rfc3339(crate::clock::now());
    let mut entries = Vec::new();
    for (consumer, view) in recipients(event.event_type) {
        let Some(cloud_event) =
            CloudEvent::for_consumer(&event, view, consumer, &ctx.config.hash_key)?
        else {
            continue;
        };
        let detail = serde_json::to_string(&cloud_event)
            .map_err(|_| TranslateError("the event does not serialize".into()))?;
        let size = cloud_event.source.len() + cloud_event.event_type.len() + detail.len();
        if size > MAX_CALL_BYTES {
            return Err(TranslateError(
                "the event is larger than EventBridge takes".into(),
            ));
        }
        // The envelope's time is the copy's own (a minimized view's is the commit's day).
        let time = DateTime::from_str(&cloud_event.time, DateTimeFormat::DateTime).ok();
        let entry = PutEventsRequestEntry::builder()
            .event_bus_name(&settings.bus_name)
            .source(&cloud_event.source)
            .detail_type(&cloud_event.event_type)
            .detail(detail)
            .set_time(time)
            .build();
        entries.push(Pending {
            record: 0,
            subject: (cloud_event.source.clone(), event.subject.clone()),
            sequence: cloud_event.sequence.clone(),
            size,
            delivery: delivery(ctx, &event, &cloud_event, consumer, &now),
            entry,
        });
    }
    Ok(Some(entries))
}

/// An image, `None` when the record has none (an insert's old image, a removal's new one).
fn image(item: &Item) -> Option<Item> {
    (!item.is_empty()).then(|| item.clone())
}

fn sequence_number(record: &EventRecord) -> String {
    record.change.sequence_number.clone().unwrap_or_default()
}

/// Sends a poison record's coordinates to the dead-letter queue; whether it was taken.
async fn dead_letter(
    ctx: &AppContext,
    settings: &EventSettings,
    record: &EventRecord,
    error: &TranslateError,
) -> bool {
    let body = json!({
        "reason": error.0,
        "event_id": record.event_id,
        "event_name": record.event_name,
        "event_source_arn": record.event_source_arn,
        "sequence_number": record.change.sequence_number,
        "approximate_creation_time": record.change.approximate_creation_date_time.to_rfc3339(),
    });
    let sent = ctx
        .sqs
        .send_message()
        .queue_url(&settings.dead_letter_queue_url)
        .message_body(body.to_string())
        .send()
        .await;
    match sent {
        Ok(_) => {
            tracing::warn!(event_id = %record.event_id, reason = %error.0, "poison record dead-lettered");
            true
        }
        Err(failure) => {
            tracing::error!(
                event_id = %record.event_id,
                code = failure.code().unwrap_or("unreachable"),
                "poison record could not be dead-lettered"
            );
            false
        }
    }
}
