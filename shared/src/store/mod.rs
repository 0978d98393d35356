//! DynamoDB access. Every request path uses keyed reads and writes (GetItem, Query, conditional
//! writes, transactions): never a Scan.

pub mod accounts;
pub mod login_guard;
pub mod rate_limits;
pub mod verification_codes;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::AttributeValue;

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

/// Writes a typed record into an item.
pub fn to_item<T: serde::Serialize>(record: &T) -> Item {
    serde_dynamo::to_item(record).expect("records serialize into DynamoDB items")
}
