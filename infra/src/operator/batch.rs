//! Bulk writes for the operator tool: BatchWriteItem in chunks of 25, several chunks in flight at
//! once, retrying what DynamoDB leaves unprocessed (throttling) with exponential back-off.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{DeleteRequest, PutRequest, WriteRequest};
use futures::stream::{self, StreamExt, TryStreamExt};
use shared::store::Item;

#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("DynamoDB refused a batch write: {0}")]
    Dynamo(String),
    #[error("{0} items were still unprocessed after {1} retries")]
    Unprocessed(usize, u32),
    #[error("a record does not make an item: {0}")]
    Record(#[from] shared::store::StoreError),
}

/// The most requests one BatchWriteItem call may carry.
pub const CHUNK: usize = 25;

/// How many BatchWriteItem calls bulk loads keep in flight.
pub const DEFAULT_CONCURRENCY: usize = 8;

const MAX_RETRIES: u32 = 8;

/// A request that puts `item` (overwriting any item with the same key).
pub fn put(item: Item) -> WriteRequest {
    let put = PutRequest::builder()
        .set_item(Some(item))
        .build()
        .expect("item is set");
    WriteRequest::builder().put_request(put).build()
}

/// A request that deletes the item with this key (nothing happens if there is none).
pub fn delete(key: Item) -> WriteRequest {
    let delete = DeleteRequest::builder()
        .set_key(Some(key))
        .build()
        .expect("key is set");
    WriteRequest::builder().delete_request(delete).build()
}

/// Puts every item into `table` (overwriting items with the same key, so re-runs are idempotent).
pub async fn put_all(client: &Client, table: &str, items: Vec<Item>) -> Result<usize, BatchError> {
    write_all(
        client,
        table,
        items.into_iter().map(put).collect(),
        DEFAULT_CONCURRENCY,
    )
    .await
}

/// Sends every request, [`CHUNK`] per call with up to `concurrency` calls in flight. The requests
/// must not name one key twice (DynamoDB refuses such a chunk, and the order of chunks is not
/// kept). Returns how many requests were written.
pub async fn write_all(
    client: &Client,
    table: &str,
    requests: Vec<WriteRequest>,
    concurrency: usize,
) -> Result<usize, BatchError> {
    let chunks: Vec<Vec<WriteRequest>> = requests.chunks(CHUNK).map(<[_]>::to_vec).collect();
    stream::iter(chunks)
        .map(|chunk| async move {
            let len = chunk.len();
            write_chunk(client, table, chunk).await.map(|()| len)
        })
        .buffer_unordered(concurrency.max(1))
        .try_fold(0, |written, len| async move { Ok(written + len) })
        .await
}

/// One BatchWriteItem call (at most [`CHUNK`] requests), retried until nothing is left
/// unprocessed.
pub async fn write_chunk(
    client: &Client,
    table: &str,
    mut pending: Vec<WriteRequest>,
) -> Result<(), BatchError> {
    debug_assert!(pending.len() <= CHUNK);
    let mut backoff = shared::store::retry::Backoff::throttling();
    for attempt in 0..=MAX_RETRIES {
        if attempt > 0 {
            backoff.wait().await;
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
