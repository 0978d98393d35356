//! Keyed reads: one item, many items by key, every item of a key range. Strongly consistent,
//! since requests act on what they read (a replaced session, a changed link must show at once).

use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::KeysAndAttributes;

use super::Db;

use super::error::{StoreError, StoreResult, unavailable};
use super::item::Item;
use super::retry::Backoff;

/// Rounds of a BatchGetItem whose keys DynamoDB keeps leaving unprocessed before giving up.
const BATCH_GET_ATTEMPTS: u32 = 5;

/// One item by key (consistent read), whole (`attributes` empty) or only those attributes.
pub async fn get_item(
    db: &Db,
    table: &str,
    key: Item,
    attributes: &[&str],
    operation: &'static str,
) -> StoreResult<Option<Item>> {
    let placeholders: Vec<String> = (0..attributes.len()).map(|i| format!("#a{i}")).collect();
    let names = placeholders
        .iter()
        .zip(attributes)
        .map(|(placeholder, name)| (placeholder.clone(), (*name).to_owned()))
        .collect::<std::collections::HashMap<_, _>>();
    let output = db
        .client
        .get_item()
        .table_name(table)
        .set_key(Some(key))
        .consistent_read(true)
        .set_projection_expression((!attributes.is_empty()).then(|| placeholders.join(", ")))
        .set_expression_attribute_names((!names.is_empty()).then_some(names))
        .send()
        .await
        .map_err(|e| unavailable(operation, e))?;
    Ok(output.item)
}

/// Many items of one table by key, consistently: BatchGetItem in chunks of 100, asking again
/// (with back-off) for the keys DynamoDB leaves unprocessed. The items come back in no
/// particular order; keys without an item are left out.
pub async fn batch_get(
    db: &Db,
    table: &str,
    keys: Vec<Item>,
    operation: &'static str,
) -> StoreResult<Vec<Item>> {
    let mut found = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(100) {
        let mut pending = chunk.to_vec();
        let mut backoff = Backoff::throttling();
        while !pending.is_empty() {
            let request = KeysAndAttributes::builder()
                .set_keys(Some(std::mem::take(&mut pending)))
                .consistent_read(true)
                .build()
                .expect("keys are set");
            let output = db
                .client
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
            if !pending.is_empty() {
                if backoff.attempts() + 1 >= BATCH_GET_ATTEMPTS {
                    tracing::error!(operation, "batch read left keys unprocessed");
                    return Err(StoreError::Unavailable);
                }
                backoff.wait().await;
            }
        }
    }
    Ok(found)
}

/// Every item a Query finds, reading page after page (for short, bounded ranges: an account's
/// devices, a registration's history).
pub async fn query_all(
    operation: &'static str,
    build: impl Fn() -> QueryFluentBuilder,
) -> StoreResult<Vec<Item>> {
    let mut items = Vec::new();
    let mut start = None;
    loop {
        let output = build()
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| unavailable(operation, e))?;
        items.extend(output.items.unwrap_or_default());
        start = output.last_evaluated_key;
        if start.is_none() {
            return Ok(items);
        }
    }
}
