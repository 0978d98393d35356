//! DynamoDB access. Every request path uses keyed reads and writes (GetItem, Query, conditional
//! writes, transactions): never a Scan.

pub mod accounts;
pub mod address;
pub mod house_links;
pub mod login_guard;
pub mod operation_counts;
pub mod paged_query;
pub mod rate_limits;
pub mod registrations;
pub mod units;
pub mod verification_codes;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};

use crate::AppContext;
use crate::error::ApiError;

pub type Item = std::collections::HashMap<String, AttributeValue>;

pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// The primary key of a table keyed by `pk` alone.
pub fn pk(value: impl Into<String>) -> Item {
    Item::from([("pk".to_owned(), s(value))])
}

/// The primary key of a table keyed by `pk` + `sk`.
pub fn pk_sk(pk: impl Into<String>, sk: impl Into<String>) -> Item {
    Item::from([("pk".to_owned(), s(pk)), ("sk".to_owned(), s(sk))])
}

/// Maps a failed DynamoDB call to 503 and logs what went wrong (error code and operation only:
/// no keys or values, which may hold personal data).
pub fn unavailable<E: ProvideErrorMetadata + std::fmt::Debug, R>(
    operation: &'static str,
    error: SdkError<E, R>,
) -> ApiError {
    let code = error.code().unwrap_or("none").to_owned();
    let kind = match &error {
        SdkError::ServiceError(_) => "service",
        SdkError::TimeoutError(_) => "timeout",
        SdkError::DispatchFailure(_) => "dispatch",
        SdkError::ResponseError(_) => "response",
        SdkError::ConstructionFailure(_) => "construction",
        _ => "other",
    };
    tracing::error!(operation, kind, code, "DynamoDB call failed");
    ApiError::ServiceUnavailable
}

/// Whether a failed call was a conditional check failing (an expected outcome, not an outage).
pub fn is_condition_failure<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> bool {
    error.code() == Some("ConditionalCheckFailedException")
}

/// Waits a little, with jitter, before retrying a write that lost a race with a concurrent one.
pub async fn pause_before_retry(attempt: u32) {
    let jitter = u64::from(crate::crypto::random_u32() % 20);
    tokio::time::sleep(std::time::Duration::from_millis(
        10 * u64::from(attempt) + jitter,
    ))
    .await;
}

/// Reads many items of one table by key, consistently: BatchGetItem in chunks of 100, asking again
/// for the keys DynamoDB leaves unprocessed. The items come back in no particular order.
pub async fn batch_get(
    ctx: &AppContext,
    table: &str,
    keys: Vec<Item>,
    operation: &'static str,
) -> Result<Vec<Item>, ApiError> {
    use aws_sdk_dynamodb::types::KeysAndAttributes;
    let mut found = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(100) {
        let mut pending = chunk.to_vec();
        let mut attempt = 0;
        while !pending.is_empty() {
            let request = KeysAndAttributes::builder()
                .set_keys(Some(std::mem::take(&mut pending)))
                .consistent_read(true)
                .build()
                .expect("keys are set");
            let output = ctx
                .dynamo
                .batch_get_item()
                .request_items(table, request)
                .send()
                .await
                .map_err(|e| unavailable(operation, e))?;
            if let Some(mut responses) = output.responses {
                found.extend(responses.remove(table).unwrap_or_default());
            }
            pending = output
                .unprocessed_keys
                .and_then(|mut left| left.remove(table))
                .map(|left| left.keys)
                .unwrap_or_default();
            attempt += 1;
            if !pending.is_empty() {
                if attempt >= 5 {
                    tracing::error!(operation, "batch read left keys unprocessed");
                    return Err(ApiError::ServiceUnavailable);
                }
                pause_before_retry(attempt).await;
            }
        }
    }
    Ok(found)
}

/// Reads a typed record from an item.
pub fn from_item<T: serde::de::DeserializeOwned>(item: Item) -> Result<T, ApiError> {
    serde_dynamo::from_item(item).map_err(|_| {
        // The error text can quote a stored value (personal data): name only the record type.
        tracing::error!(
            record = std::any::type_name::<T>(),
            "stored item has an unexpected shape"
        );
        ApiError::Internal
    })
}

/// Writes a typed value into one attribute (a map for a struct).
pub fn to_attribute<T: serde::Serialize>(value: &T) -> AttributeValue {
    serde_dynamo::to_attribute_value(value).expect("records serialize into DynamoDB values")
}

/// Writes a typed record into an item.
pub fn to_item<T: serde::Serialize>(record: &T) -> Item {
    serde_dynamo::to_item(record).expect("records serialize into DynamoDB items")
}

/// A transaction item that puts `item` only where no item has its key yet.
pub fn put_if_absent(table: &str, item: Item) -> TransactWriteItem {
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(pk)")
        .build()
        .expect("table and item are set");
    TransactWriteItem::builder().put(put).build()
}

/// Runs a transaction; on a failed condition, `on_conflict` gets the indexes of the items whose
/// conditions failed. Transient conflicts with a concurrent transaction are retried.
pub async fn transact(
    ctx: &AppContext,
    items: Vec<TransactWriteItem>,
    operation: &'static str,
    on_conflict: impl Fn(&[usize]) -> ApiError,
) -> Result<(), ApiError> {
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        let result = ctx
            .dynamo
            .transact_write_items()
            .set_transact_items(Some(items.clone()))
            .send()
            .await;
        let error = match result {
            Ok(_) => return Ok(()),
            Err(error) => error,
        };
        let service_error = error.as_service_error();
        let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) = service_error
        else {
            return Err(unavailable(operation, error));
        };
        let reasons = cancelled.cancellation_reasons();
        let failed: Vec<usize> = reasons
            .iter()
            .enumerate()
            .filter(|(_, r)| r.code() == Some("ConditionalCheckFailed"))
            .map(|(i, _)| i)
            .collect();
        if !failed.is_empty() {
            return Err(on_conflict(&failed));
        }
        let contended = reasons
            .iter()
            .any(|r| r.code() == Some("TransactionConflict"));
        if contended && attempt < 4 {
            // Another transaction holds one of the items: back off briefly and look again.
            pause_before_retry(attempt).await;
            continue;
        }
        return Err(unavailable(operation, error));
    }
}
