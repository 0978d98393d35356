//! Paged Queries: a page of a list is one or more Query rounds, and its cursor DynamoDB's own
//! position (`LastEvaluatedKey`), carried as JSON inside the signed cursor.

use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnConsumedCapacity};
use serde_json::Value;

use crate::error::ApiError;
use crate::http::pagination::{Page, PageRequest};

use super::{Item, from_item, s, unavailable};

/// The most Query calls one page of a filtered list may take before answering with what it has
/// (and a cursor): bounds the cost of a search whose matches are sparse.
const MAX_ROUNDS_PER_PAGE: usize = 8;

/// [`query_page`], each item read as a `T`.
pub async fn query_records<T: serde::de::DeserializeOwned>(
    page: &PageRequest,
    operation: &'static str,
    build: impl Fn() -> QueryFluentBuilder,
) -> Result<Page<T>, ApiError> {
    query_page(page, operation, build).await?.try_map(from_item)
}

impl Page<Item> {
    pub(crate) fn try_map<T>(
        self,
        mut f: impl FnMut(Item) -> Result<T, ApiError>,
    ) -> Result<Page<T>, ApiError> {
        Ok(Page {
            items: self
                .items
                .into_iter()
                .map(&mut f)
                .collect::<Result<_, _>>()?,
            next: self.next,
            read_units: self.read_units,
        })
    }
}

/// Runs a Query page by page until `page.limit` items are collected, the results end, or the
/// round budget is spent. Each round asks DynamoDB to evaluate at most the items still wanted, so
/// a filtered page never overshoots and its cursor is DynamoDB's own position.
pub async fn query_page(
    page: &PageRequest,
    operation: &'static str,
    build: impl Fn() -> QueryFluentBuilder,
) -> Result<Page<Item>, ApiError> {
    let mut items = Vec::new();
    let mut start = match &page.after {
        Some(position) => Some(key_from_json(position).ok_or(ApiError::Internal)?),
        None => None,
    };
    let mut read_units = 0.0;
    for _ in 0..MAX_ROUNDS_PER_PAGE {
        let wanted = page.limit as usize - items.len();
        let output = build()
            .limit(wanted as i32)
            .set_exclusive_start_key(start.take())
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(|e| unavailable(operation, e))?;
        read_units += output
            .consumed_capacity()
            .and_then(|c| c.capacity_units())
            .unwrap_or(0.0);
        items.extend(output.items.unwrap_or_default());
        start = output.last_evaluated_key;
        if start.is_none() || items.len() >= page.limit as usize {
            break;
        }
    }
    Ok(Page {
        items,
        next: start.as_ref().map(key_to_json),
        read_units,
    })
}

/// A DynamoDB key (string attributes) as JSON, for a cursor.
pub fn key_to_json(key: &Item) -> Value {
    Value::Object(
        key.iter()
            .filter_map(|(name, value)| match value {
                AttributeValue::S(text) => Some((name.clone(), Value::String(text.clone()))),
                _ => None,
            })
            .collect(),
    )
}

/// The DynamoDB key a cursor's JSON holds.
pub fn key_from_json(value: &Value) -> Option<Item> {
    value
        .as_object()?
        .iter()
        .map(|(name, value)| Some((name.clone(), s(value.as_str()?))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::pk_sk;

    #[test]
    fn cursor_keys_round_trip() {
        let key = pk_sk("BUILDING#1", "HOUSE#2");
        assert_eq!(key_from_json(&key_to_json(&key)).unwrap(), key);
        assert!(key_from_json(&serde_json::json!({"pk": 1})).is_none());
    }
}
