//! Items and attribute values: typed records to and from DynamoDB items, and the key shapes of
//! the tables (`pk`, or `pk` + `sk`).

use aws_sdk_dynamodb::types::AttributeValue;

use super::error::{StoreError, StoreResult};

pub type Item = std::collections::HashMap<String, AttributeValue>;

pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// A list of strings.
pub fn strings<T: AsRef<str>>(values: &[T]) -> AttributeValue {
    AttributeValue::L(values.iter().map(|v| s(v.as_ref())).collect())
}

/// The primary key of a table keyed by `pk` alone.
pub fn pk(value: impl Into<String>) -> Item {
    Item::from([("pk".to_owned(), s(value))])
}

/// The primary key of a table keyed by `pk` + `sk`.
pub fn pk_sk(pk: impl Into<String>, sk: impl Into<String>) -> Item {
    Item::from([("pk".to_owned(), s(pk)), ("sk".to_owned(), s(sk))])
}

/// A string attribute of an item.
pub fn string_of<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    item.get(name)?.as_s().ok().map(String::as_str)
}

/// Reads a typed record from an item.
pub fn from_item<T: serde::de::DeserializeOwned>(item: Item) -> StoreResult<T> {
    serde_dynamo::from_item(item).map_err(|_| {
        // The error text can quote a stored value (personal data): name only the record type.
        tracing::error!(
            record = std::any::type_name::<T>(),
            "stored item has an unexpected shape"
        );
        StoreError::Corrupt
    })
}

/// Writes a typed value into one attribute (a map for a struct, a string for a unit enum).
pub fn to_attribute<T: serde::Serialize>(value: &T) -> StoreResult<AttributeValue> {
    serde_dynamo::to_attribute_value(value).map_err(|_| serialization_failed::<T>())
}

/// Writes a typed record into an item.
pub fn to_item<T: serde::Serialize>(record: &T) -> StoreResult<Item> {
    serde_dynamo::to_item(record).map_err(|_| serialization_failed::<T>())
}

fn serialization_failed<T>() -> StoreError {
    tracing::error!(
        record = std::any::type_name::<T>(),
        "record does not serialize into a DynamoDB item"
    );
    StoreError::Corrupt
}
