//! Pages of a list: where a page starts and how long it may be, what it holds and where the next
//! starts. A position is plain JSON (DynamoDB's `LastEvaluatedKey`, or the positions of several
//! queries); the HTTP side signs it into an opaque cursor.

use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnConsumedCapacity};
use serde_json::Value;

use super::error::{StoreError, StoreResult, unavailable};
use super::item::{Item, from_item, s};

/// Where a page starts and how long it may be.
#[derive(Debug, Clone)]
pub struct PageRequest {
    pub limit: u32,
    /// The position after which this page starts (`None`: the first page).
    pub after: Option<Value>,
}

impl PageRequest {
    /// The first page of `limit` items.
    pub fn first(limit: u32) -> Self {
        Self { limit, after: None }
    }
}

/// A page of results and where the next one starts.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<Value>,
    /// DynamoDB read capacity the page consumed (for logs and benchmarks).
    pub read_units: f64,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
            read_units: self.read_units,
        }
    }

    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Page<U>, E> {
        Ok(Page {
            items: self.items.into_iter().map(f).collect::<Result<_, _>>()?,
            next: self.next,
            read_units: self.read_units,
        })
    }

    /// The page of `items` (already read) that starts at `page.after`, an index into `items`: for
    /// short lists held whole.
    pub fn of_slice(items: &[T], page: &PageRequest) -> Self
    where
        T: Clone,
    {
        let start = page
            .after
            .as_ref()
            .and_then(Value::as_u64)
            .map_or(0, |i| i as usize)
            .min(items.len());
        let end = (start + page.limit as usize).min(items.len());
        Self {
            items: items[start..end].to_vec(),
            next: (end < items.len()).then(|| Value::from(end as u64)),
            read_units: 0.0,
        }
    }
}

/// The most Query calls one page of a filtered list may take before answering with what it has
/// (and a cursor): bounds the cost of a search whose matches are sparse.
const MAX_ROUNDS_PER_PAGE: usize = 8;

/// [`query_page`], each item read as a `T`.
pub async fn query_records<T: serde::de::DeserializeOwned>(
    page: &PageRequest,
    operation: &'static str,
    build: impl Fn() -> QueryFluentBuilder,
) -> StoreResult<Page<T>> {
    query_page(page, operation, build).await?.try_map(from_item)
}

/// Runs a Query page by page until `page.limit` items are collected, the results end, or the
/// round budget is spent. Each round asks DynamoDB to evaluate at most the items still wanted, so
/// a filtered page never overshoots and its cursor is DynamoDB's own position.
pub async fn query_page(
    page: &PageRequest,
    operation: &'static str,
    build: impl Fn() -> QueryFluentBuilder,
) -> StoreResult<Page<Item>> {
    let mut items = Vec::new();
    let mut start = match &page.after {
        // The HTTP side only hands over positions it signed: one that is not a key is a bug.
        Some(position) => Some(key_from_json(position).ok_or(StoreError::Corrupt)?),
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
    use crate::store::item::pk_sk;

    #[test]
    fn cursor_keys_round_trip() {
        let key = pk_sk("BUILDING#1", "HOUSE#2");
        assert_eq!(key_from_json(&key_to_json(&key)).unwrap(), key);
        assert!(key_from_json(&serde_json::json!({"pk": 1})).is_none());
    }

    #[test]
    fn slices_page_through_a_list_held_whole() {
        let items: Vec<u32> = (0..5).collect();
        let first = Page::of_slice(&items, &PageRequest::first(2));
        assert_eq!(first.items, [0, 1]);
        let second = Page::of_slice(
            &items,
            &PageRequest {
                limit: 2,
                after: first.next,
            },
        );
        assert_eq!(second.items, [2, 3]);
        let last = Page::of_slice(
            &items,
            &PageRequest {
                limit: 2,
                after: second.next,
            },
        );
        assert_eq!(last.items, [4]);
        assert!(last.next.is_none());
    }
}
