//! A sharded, oldest-first review queue: a sparse GSI keyed `review_queue` (`<queue>#<shard>`,
//! see [`super::keys::review_slot`]) and `review_key` (`<epoch ms>#<id>`). Staff read it with one
//! Query per shard, merged oldest first. A page's position is, per shard, the last review key
//! handed out (absent: from the start), and the shards known to be exhausted.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::types::ReturnConsumedCapacity;
use serde::de::DeserializeOwned;
use serde_json::json;

use super::Db;

use super::error::{StoreResult, unavailable};
use super::item::{from_item, s, string_of};
use super::page::{Page, PageRequest};

/// One review queue: where it is and how many shards it has.
pub struct ReviewQueue<'a> {
    pub table: &'a str,
    pub index: &'static str,
    /// The queue's name, before `#<shard>` (e.g. `pending`).
    pub queue: &'static str,
    pub shards: u32,
    /// The operation's name in logs and metrics.
    pub operation: &'static str,
}

/// One page of the queue, oldest first.
pub async fn oldest_first<T: DeserializeOwned>(
    db: &Db,
    queue: &ReviewQueue<'_>,
    page: &PageRequest,
) -> StoreResult<Page<T>> {
    let mut after: BTreeMap<String, String> = page
        .after
        .as_ref()
        .and_then(|p| serde_json::from_value(p["after"].clone()).ok())
        .unwrap_or_default();
    let mut done: Vec<u32> = page
        .after
        .as_ref()
        .and_then(|p| serde_json::from_value(p["done"].clone()).ok())
        .unwrap_or_default();
    let shards: Vec<u32> = (0..queue.shards).filter(|s| !done.contains(s)).collect();
    let queries = shards.iter().map(|&shard| {
        let mut query = db
            .client
            .query()
            .table_name(queue.table)
            .index_name(queue.index)
            .expression_attribute_values(":queue", s(format!("{}#{shard}", queue.queue)))
            .limit(page.limit as i32)
            .return_consumed_capacity(ReturnConsumedCapacity::Total);
        query = match after.get(&shard.to_string()) {
            Some(key) => query
                .key_condition_expression("review_queue = :queue AND review_key > :after")
                .expression_attribute_values(":after", s(key.clone())),
            None => query.key_condition_expression("review_queue = :queue"),
        };
        async move { (shard, query.send().await) }
    });
    let mut read_units = 0.0;
    // (shard, review key, record)
    let mut candidates: Vec<(u32, String, T)> = Vec::new();
    let mut more = BTreeMap::new();
    for (shard, result) in futures::future::join_all(queries).await {
        let output = result.map_err(|e| unavailable(queue.operation, e))?;
        read_units += output
            .consumed_capacity()
            .and_then(|c| c.capacity_units())
            .unwrap_or(0.0);
        more.insert(shard, output.last_evaluated_key.is_some());
        for item in output.items.unwrap_or_default() {
            let key = string_of(&item, "review_key")
                .unwrap_or_default()
                .to_owned();
            candidates.push((shard, key, from_item::<T>(item)?));
        }
    }
    candidates.sort_by(|a, b| a.1.cmp(&b.1));
    let returned_per_shard = |candidates: &[(u32, String, T)], shard: u32| {
        candidates.iter().filter(|(s, _, _)| *s == shard).count()
    };
    let fetched: BTreeMap<u32, usize> = shards
        .iter()
        .map(|&shard| (shard, returned_per_shard(&candidates, shard)))
        .collect();
    candidates.truncate(page.limit as usize);
    for (shard, key, _) in &candidates {
        after.insert(shard.to_string(), key.clone());
    }
    for &shard in &shards {
        let taken = returned_per_shard(&candidates, shard);
        if !more[&shard] && taken == fetched[&shard] {
            done.push(shard);
        }
    }
    let next = (done.len() < queue.shards as usize).then(|| json!({"after": after, "done": done}));
    Ok(Page {
        items: candidates
            .into_iter()
            .map(|(_, _, record)| record)
            .collect(),
        next,
        read_units,
    })
}
