//! Update expressions built from parts: each `SET` and `REMOVE` is added as an attribute path and
//! a value, names and values get their placeholders here, and the condition names its attributes
//! as `#name`. Nothing edits expression text.

use std::collections::HashMap;

use aws_sdk_dynamodb::operation::update_item::UpdateItemOutput;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, Update};

use super::Db;

use super::error::{StoreResult, is_condition_failure, unavailable, written};
use super::item::Item;

/// The change of one item: what to set and remove, on which condition.
#[derive(Debug, Clone)]
pub struct ItemUpdate {
    table: String,
    key: Item,
    adds: Vec<String>,
    sets: Vec<String>,
    removes: Vec<String>,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
    condition: Option<String>,
}

impl ItemUpdate {
    pub fn new(table: &str, key: Item) -> Self {
        Self {
            table: table.to_owned(),
            key,
            adds: Vec::new(),
            sets: Vec::new(),
            removes: Vec::new(),
            names: HashMap::new(),
            values: HashMap::new(),
            condition: None,
        }
    }

    /// `path` (`status`, `unit.link_ids`) as placeholders, each name registered.
    fn path(&mut self, path: &str) -> String {
        path.split('.')
            .map(|part| {
                let placeholder = format!("#{part}");
                self.names.insert(placeholder.clone(), part.to_owned());
                placeholder
            })
            .collect::<Vec<_>>()
            .join(".")
    }

    fn value(&mut self, value: AttributeValue) -> String {
        let placeholder = format!(":v{}", self.values.len());
        self.values.insert(placeholder.clone(), value);
        placeholder
    }

    /// `SET path = value`.
    pub fn set(mut self, path: &str, value: AttributeValue) -> Self {
        let (path, value) = (self.path(path), self.value(value));
        self.sets.push(format!("{path} = {value}"));
        self
    }

    /// `SET path = if_not_exists(path, value)`: only where it has no value yet.
    pub fn set_if_absent(mut self, path: &str, value: AttributeValue) -> Self {
        let (path, value) = (self.path(path), self.value(value));
        self.sets
            .push(format!("{path} = if_not_exists({path}, {value})"));
        self
    }

    /// `ADD path value` (a number: counts up from zero).
    pub fn add(mut self, path: &str, value: AttributeValue) -> Self {
        let (path, value) = (self.path(path), self.value(value));
        self.adds.push(format!("{path} {value}"));
        self
    }

    /// `REMOVE path`.
    pub fn remove(mut self, path: &str) -> Self {
        let path = self.path(path);
        self.removes.push(path);
        self
    }

    /// The condition the item must meet. It names attributes as `#name` (registered here) and
    /// values as the `:placeholders` given with it.
    pub fn condition(mut self, expression: &str, values: Vec<(&str, AttributeValue)>) -> Self {
        for name in placeholders(expression) {
            self.names.insert(format!("#{name}"), name.to_owned());
        }
        for (placeholder, value) in values {
            self.values.insert(placeholder.to_owned(), value);
        }
        self.condition = Some(expression.to_owned());
        self
    }

    /// The update expression: `SET … ADD … REMOVE …`.
    pub fn expression(&self) -> String {
        let mut clauses = Vec::new();
        if !self.sets.is_empty() {
            clauses.push(format!("SET {}", self.sets.join(", ")));
        }
        if !self.adds.is_empty() {
            clauses.push(format!("ADD {}", self.adds.join(", ")));
        }
        if !self.removes.is_empty() {
            clauses.push(format!("REMOVE {}", self.removes.join(", ")));
        }
        clauses.join(" ")
    }

    /// As an item of a transaction.
    pub fn into_update(self) -> Update {
        Update::builder()
            .table_name(&self.table)
            .set_key(Some(self.key.clone()))
            .update_expression(self.expression())
            .set_condition_expression(self.condition.clone())
            .set_expression_attribute_names(non_empty(self.names))
            .set_expression_attribute_values(non_empty(self.values))
            .build()
            .expect("table, key and expression are set")
    }

    /// The `UpdateItem` request of this update, for the options only a caller needs.
    pub fn request(
        self,
        db: &Db,
    ) -> aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder {
        let expression = self.expression();
        db.client
            .update_item()
            .table_name(self.table)
            .set_key(Some(self.key))
            .update_expression(expression)
            .set_condition_expression(self.condition)
            .set_expression_attribute_names(non_empty(self.names))
            .set_expression_attribute_values(non_empty(self.values))
    }

    async fn send(
        self,
        db: &Db,
        returning: ReturnValue,
    ) -> Result<
        UpdateItemOutput,
        aws_sdk_dynamodb::error::SdkError<
            aws_sdk_dynamodb::operation::update_item::UpdateItemError,
            aws_sdk_dynamodb::config::http::HttpResponse,
        >,
    > {
        self.request(db).return_values(returning).send().await
    }

    /// Applies the update on its own: `false` when its condition failed.
    pub async fn apply_if(self, db: &Db, operation: &'static str) -> StoreResult<bool> {
        written(operation, self.send(db, ReturnValue::None).await)
    }

    /// Applies the update and answers the item as it is after it (`None`: the condition failed).
    pub async fn apply_returning_new(
        self,
        db: &Db,
        operation: &'static str,
    ) -> StoreResult<Option<Item>> {
        match self.send(db, ReturnValue::AllNew).await {
            Ok(output) => Ok(output.attributes),
            Err(error) if is_condition_failure(&error) => Ok(None),
            Err(error) => Err(unavailable(operation, error)),
        }
    }
}

fn non_empty<K, V>(map: HashMap<K, V>) -> Option<HashMap<K, V>> {
    (!map.is_empty()).then_some(map)
}

/// The attribute names a condition refers to as `#name`.
fn placeholders(expression: &str) -> impl Iterator<Item = &str> {
    expression.split('#').skip(1).filter_map(|rest| {
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        (end > 0).then(|| &rest[..end])
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::item::{pk_sk, s};

    #[test]
    fn expressions_are_built_from_parts() {
        let update = ItemUpdate::new("t", pk_sk("A", "B"))
            .set("status", s("approved"))
            .set("unit.link_ids", s("x"))
            .remove("review_queue")
            .condition("#status = :expected", vec![(":expected", s("pending"))]);
        assert_eq!(
            update.expression(),
            "SET #status = :v0, #unit.#link_ids = :v1 REMOVE #review_queue"
        );
        let built = update.into_update();
        let names = built.expression_attribute_names().unwrap();
        assert_eq!(names["#status"], "status");
        assert_eq!(names["#link_ids"], "link_ids");
        assert_eq!(names.len(), 4);
        assert_eq!(built.expression_attribute_values().unwrap().len(), 3);
        assert_eq!(built.condition_expression(), Some("#status = :expected"));
    }

    #[test]
    fn condition_names_are_found_in_the_expression() {
        let names: Vec<&str> =
            placeholders("#status = :a AND (attribute_not_exists(#unit.#link_ids) OR #x=:b)")
                .collect();
        assert_eq!(names, ["status", "unit", "link_ids", "x"]);
    }
}
