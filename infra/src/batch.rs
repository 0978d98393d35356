//! Bulk writes for the operator tool: BatchWriteItem in chunks of 25, retrying what DynamoDB
//! leaves unprocessed (throttling) with exponential back-off.

use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
use shared::store::Item;

#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("DynamoDB refused a batch write: {0}")]
    Dynamo(String),
    #[error("{0} items were still unprocessed after {1} retries")]
    Unprocessed(usize, u32),
}

const MAX_RETRIES: u32 = 8;

/// Puts every item into `table` (overwriting items with the same key, so re-runs are idempotent).
pub async fn put_all(client: &Client, table: &str, items: Vec<Item>) -> Result<usize, BatchError> {
    let mut written = 0;
    let mut items = items.into_iter().peekable();
    while items.peek().is_some() {
        let chunk: Vec<WriteRequest> = items
            .by_ref()
            .take(25)
            .map(|item| {
                let put = PutRequest::builder()
                    .set_item(Some(item))
                    .build()
                    .expect("item is set");
                WriteRequest::builder().put_request(put).build()
            })
            .collect();
        written += chunk.len();
        write_chunk(client, table, chunk).await?;
    }
    Ok(written)
}

async fn write_chunk(
    client: &Client,
    table: &str,
    mut pending: Vec<WriteRequest>,
) -> Result<(), BatchError> {
    for attempt in 0..=MAX_RETRIES {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_millis(50 << attempt.min(6))).await;
        }
        let output = client
            .batch_write_item()
            .request_items(table, pending.clone())
            .send()
            .await
            .map_err(|e| {
                BatchError::Dynamo(aws_sdk_dynamodb::error::DisplayErrorContext(&e).to_string())
            })?;
        pending = output
            .unprocessed_items
            .and_then(|mut left| left.remove(table))
            .unwrap_or_default();
        if pending.is_empty() {
            return Ok(());
        }
    }
    Err(BatchError::Unprocessed(pending.len(), MAX_RETRIES))
}
