//! Creating the DynamoDB tables exactly as `template.yaml` defines them (locally, the table name
//! is the logical id).

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType,
    LocalSecondaryIndex, Projection, ProjectionType, ScalarAttributeType, StreamSpecification,
    StreamViewType, TimeToLiveSpecification,
};
use serde_json::Value;

use crate::template::{TableDef, Template};

#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error("table {table}: {message}")]
    Definition { table: String, message: String },
    #[error("table {table}: DynamoDB refused: {message}")]
    Dynamo { table: String, message: String },
}

fn def_err(table: &str, message: impl Into<String>) -> TableError {
    TableError::Definition {
        table: table.to_owned(),
        message: message.into(),
    }
}

fn key_schema(table: &str, value: &Value) -> Result<Vec<KeySchemaElement>, TableError> {
    value
        .as_array()
        .ok_or_else(|| def_err(table, "KeySchema must be a list"))?
        .iter()
        .map(|k| {
            let name = k["AttributeName"]
                .as_str()
                .ok_or_else(|| def_err(table, "key without AttributeName"))?;
            let key_type = KeyType::from(k["KeyType"].as_str().unwrap_or_default());
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(key_type)
                .build()
                .map_err(|e| def_err(table, e.to_string()))
        })
        .collect()
}

fn projection(value: &Value) -> Projection {
    let non_key: Option<Vec<String>> = value["NonKeyAttributes"].as_array().map(|a| {
        a.iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    });
    Projection::builder()
        .projection_type(ProjectionType::from(
            value["ProjectionType"].as_str().unwrap_or("ALL"),
        ))
        .set_non_key_attributes(non_key)
        .build()
}

/// Creates one table (if absent) and turns on its TTL. Returns whether it was created.
pub async fn create_table(client: &Client, def: &TableDef, name: &str) -> Result<bool, TableError> {
    let p = &def.properties;
    let id = def.logical_id.as_str();
    let attributes = p["AttributeDefinitions"]
        .as_array()
        .ok_or_else(|| def_err(id, "AttributeDefinitions must be a list"))?
        .iter()
        .map(|a| {
            AttributeDefinition::builder()
                .attribute_name(a["AttributeName"].as_str().unwrap_or_default())
                .attribute_type(ScalarAttributeType::from(
                    a["AttributeType"].as_str().unwrap_or_default(),
                ))
                .build()
                .map_err(|e| def_err(id, e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut request = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .set_attribute_definitions(Some(attributes))
        .set_key_schema(Some(key_schema(id, &p["KeySchema"])?));
    if let Some(indexes) = p["GlobalSecondaryIndexes"].as_array() {
        for index in indexes {
            let gsi = GlobalSecondaryIndex::builder()
                .index_name(index["IndexName"].as_str().unwrap_or_default())
                .set_key_schema(Some(key_schema(id, &index["KeySchema"])?))
                .projection(projection(&index["Projection"]))
                .build()
                .map_err(|e| def_err(id, e.to_string()))?;
            request = request.global_secondary_indexes(gsi);
        }
    }
    if let Some(indexes) = p["LocalSecondaryIndexes"].as_array() {
        for index in indexes {
            let lsi = LocalSecondaryIndex::builder()
                .index_name(index["IndexName"].as_str().unwrap_or_default())
                .set_key_schema(Some(key_schema(id, &index["KeySchema"])?))
                .projection(projection(&index["Projection"]))
                .build()
                .map_err(|e| def_err(id, e.to_string()))?;
            request = request.local_secondary_indexes(lsi);
        }
    }
    if let Some(view) = p["StreamSpecification"]["StreamViewType"].as_str() {
        request = request.stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::from(view))
                .build()
                .map_err(|e| def_err(id, e.to_string()))?,
        );
    }
    let created = match request.send().await {
        Ok(_) => true,
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_in_use_exception()) =>
        {
            false
        }
        Err(e) => {
            use aws_sdk_dynamodb::error::DisplayErrorContext;
            return Err(TableError::Dynamo {
                table: id.to_owned(),
                message: DisplayErrorContext(&e).to_string(),
            });
        }
    };
    if created && let Some(ttl) = p["TimeToLiveSpecification"]["AttributeName"].as_str() {
        client
            .update_time_to_live()
            .table_name(name)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .attribute_name(ttl)
                    .enabled(true)
                    .build()
                    .map_err(|e| def_err(id, e.to_string()))?,
            )
            .send()
            .await
            .map_err(|e| TableError::Dynamo {
                table: id.to_owned(),
                message: aws_sdk_dynamodb::error::DisplayErrorContext(&e).to_string(),
            })?;
    }
    Ok(created)
}

/// Creates every table of the template that does not exist yet, named by its logical id.
pub async fn create_all(client: &Client, template: &Template) -> Result<Vec<String>, TableError> {
    let mut created = Vec::new();
    for def in &template.tables {
        if create_table(client, def, &def.logical_id).await? {
            created.push(def.logical_id.clone());
        }
    }
    Ok(created)
}
