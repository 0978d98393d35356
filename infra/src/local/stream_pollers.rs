//! The local stand-in for Lambda's DynamoDB stream event source mapping: for each table stream of
//! each stream worker in the template (the event publisher), a poller that reads DynamoDB Local's
//! stream shard by shard and hands the records, in stream order and at most `BatchSize` at a
//! time, to the very same handler the Lambda binary runs (as the DynamoDB event a deployed
//! function receives). Like the mapping:
//! - a batch answer naming a record (`ReportBatchItemFailures`) sends the batch again from that
//!   record, after a short wait; records before it are done;
//! - a handler that fails as a whole (a panic) is retried, the batch halved first when
//!   `BisectBatchOnFunctionError` is on;
//! - after `MaximumRetryAttempts` retries (-1: until it succeeds) the batch's coordinates go to
//!   the `OnFailure` destination queue, and the shard moves on;
//! - `ParallelizationFactor` batches of a shard are handled at once, the records split among
//!   them by item key (partition and sort key), so each item's records stay in order as Lambda
//!   keeps them; the next records are read once every batch is done.
//!
//! A poller publishes the changes made from its start on (the tables are shared by every stack
//! on the emulator): each open shard is positioned at its end before the stack serves, by one
//! read of a `LATEST` iterator. DynamoDB Local answers that read on a new table's shard with
//! `TrimmedDataAccessException`; such a shard is read from its beginning to its end instead (it
//! holds little). A record's `ApproximateCreationDateTime` is rounded down to the minute, so the
//! time cannot tell a stack's own changes from older ones.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use aws_lambda_events::event::dynamodb::Event;
use aws_sdk_dynamodbstreams::error::ProvideErrorMetadata;
use aws_sdk_dynamodbstreams::types::{Record, ShardIteratorType};
use functions::WorkerHandler;
use serde_json::{Value, json};
use shared::AppContext;
use shared::context::local::LocalEndpoints;

use crate::local::api::LocalApiError;
use crate::local::env::queue_url;
use crate::template::{StreamSource, Template};

/// How long a poller waits when its shards had nothing new.
const IDLE: Duration = Duration::from_millis(200);
/// How often a poller looks for new shards (a shard is closed and succeeded by another).
const SHARD_REFRESH: Duration = Duration::from_secs(5);

type Handler = fn(Arc<AppContext>, Event) -> functions::StreamFuture;

/// The mapping's settings, from the template.
#[derive(Debug, Clone)]
struct Mapping {
    batch_size: i32,
    /// Batches of one shard handled at once.
    parallelization: usize,
    /// `None`: retry until the batch succeeds.
    max_retries: Option<u32>,
    bisect: bool,
    /// The `OnFailure` destination's local queue URL.
    on_failure: Option<String>,
    /// `FilterCriteria` patterns: a record is handed over when it matches one (or there are
    /// none); the others are passed over, as Lambda drops them.
    filters: Vec<Value>,
}

impl Mapping {
    fn of(template: &Template, endpoints: &LocalEndpoints, source: &StreamSource) -> Self {
        let props = &source.properties;
        let on_failure = props["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0]
            .as_str()
            .filter(|q| template.queue(q).is_some())
            .map(|q| queue_url(endpoints, q));
        Self {
            batch_size: props["BatchSize"].as_i64().unwrap_or(100).clamp(1, 1000) as i32,
            parallelization: number(template, &props["ParallelizationFactor"])
                .unwrap_or(1)
                .clamp(1, 10) as usize,
            max_retries: props["MaximumRetryAttempts"]
                .as_i64()
                .and_then(|n| u32::try_from(n).ok()),
            bisect: props["BisectBatchOnFunctionError"]
                .as_bool()
                .unwrap_or(false),
            on_failure,
            filters: filters(props),
        }
    }

    /// Records one read of a shard takes: a batch for each of the batches handled at once
    /// (GetRecords answers at most 1000).
    fn read_limit(&self) -> i32 {
        (self.batch_size * self.parallelization as i32).min(1000)
    }

    /// `records` split among the batches handled at once, by item key, each in stream order.
    fn split(&self, records: Vec<Record>) -> Vec<Vec<Record>> {
        use std::hash::{Hash, Hasher};
        let mut groups: Vec<Vec<Record>> = vec![Vec::new(); self.parallelization];
        for record in records {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            let keys: BTreeMap<String, String> = record
                .dynamodb()
                .and_then(|d| d.keys())
                .map(|keys| {
                    keys.iter()
                        .map(|(name, value)| (name.clone(), format!("{value:?}")))
                        .collect()
                })
                .unwrap_or_default();
            keys.hash(&mut hasher);
            groups[hasher.finish() as usize % self.parallelization].push(record);
        }
        groups.retain(|g| !g.is_empty());
        groups
    }

    /// Whether `record` (as Lambda's event holds it) passes the filters.
    fn passes(&self, record: &Value) -> bool {
        self.filters.is_empty() || self.filters.iter().any(|p| matches_pattern(p, record))
    }
}

/// A mapping's `FilterCriteria` patterns.
fn filters(props: &Value) -> Vec<Value> {
    props["FilterCriteria"]["Filters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| serde_json::from_str(f["Pattern"].as_str()?).ok())
        .collect()
}

/// A whole number of the template: a literal, or a parameter's default (`!Ref`).
fn number(template: &Template, value: &Value) -> Option<i64> {
    let value = match value["Ref"].as_str() {
        Some(parameter) => template.parameters.get(parameter)?,
        None => value,
    };
    value
        .as_i64()
        .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
}

/// The part of EventBridge's pattern syntax that stream filters use here: an object matches when
/// each of its fields matches the value's field; a list, when the value equals one of its
/// literals or starts with one of its `{"prefix": …}`.
fn matches_pattern(pattern: &Value, value: &Value) -> bool {
    match pattern {
        Value::Object(fields) => fields
            .iter()
            .all(|(name, p)| value.get(name).is_some_and(|v| matches_pattern(p, v))),
        Value::Array(choices) => choices.iter().any(|choice| match choice {
            Value::Object(rule) => match (rule.get("prefix"), value) {
                (Some(Value::String(prefix)), Value::String(text)) => text.starts_with(prefix),
                _ => false,
            },
            literal => literal == value,
        }),
        _ => false,
    }
}

/// One stream being polled.
struct Poller {
    ctx: Arc<AppContext>,
    handler: Handler,
    streams: aws_sdk_dynamodbstreams::Client,
    stream_arn: String,
    region: String,
    mapping: Mapping,
    /// Open shards: their iterator, and the last sequence number handed over.
    shards: BTreeMap<String, ShardPosition>,
    /// Every shard seen (closed ones stay here, so that they are not read again).
    seen: BTreeSet<String>,
}

struct ShardPosition {
    iterator: Option<String>,
    last: Option<String>,
}

/// Starts a poller for every table stream of every stream worker in the template, each
/// positioned at its stream's end before this returns (so that no change made afterwards is
/// missed); each runs until the runtime stops.
pub async fn spawn_all(
    template: &Template,
    endpoints: &LocalEndpoints,
    overrides: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<tokio::task::JoinHandle<()>>, LocalApiError> {
    let mut pollers = Vec::new();
    for function in template.functions.iter().filter(|f| !f.streams.is_empty()) {
        let Some(WorkerHandler::Stream(handler)) =
            functions::worker(&function.name).map(|w| w.handler)
        else {
            return Err(LocalApiError::UnknownFunction(function.name.clone()));
        };
        let ctx = crate::local::api::function_context(template, function, endpoints, overrides)?;
        for source in &function.streams {
            let mut poller = Poller {
                ctx: ctx.clone(),
                handler,
                streams: streams_client(endpoints),
                stream_arn: String::new(),
                region: endpoints.region.clone(),
                mapping: Mapping::of(template, endpoints, source),
                shards: BTreeMap::new(),
                seen: BTreeSet::new(),
            };
            poller
                .start(&source.table)
                .await
                .map_err(|code| LocalApiError::Stream {
                    table: source.table.clone(),
                    code,
                })?;
            pollers.push(tokio::spawn(poller.run()));
        }
    }
    Ok(pollers)
}

fn streams_client(endpoints: &LocalEndpoints) -> aws_sdk_dynamodbstreams::Client {
    use aws_sdk_dynamodbstreams::config::{BehaviorVersion, Credentials, Region};
    aws_sdk_dynamodbstreams::Client::from_conf(
        aws_sdk_dynamodbstreams::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(endpoints.region.clone()))
            .endpoint_url(&endpoints.dynamodb)
            .credentials_provider(Credentials::new("local", "local", None, None, "local"))
            .build(),
    )
}

fn code(error: &dyn ProvideErrorMetadata) -> String {
    error.code().unwrap_or("unreachable").to_owned()
}

impl Poller {
    /// Finds the table's stream and positions every open shard at its beginning.
    async fn start(&mut self, table: &str) -> Result<(), String> {
        let listed = self
            .streams
            .list_streams()
            .table_name(table)
            .send()
            .await
            .map_err(|e| code(&e))?;
        self.stream_arn = listed
            .streams()
            .last()
            .and_then(|s| s.stream_arn())
            .ok_or_else(|| format!("{table} has no stream"))?
            .to_owned();
        self.refresh_shards(true).await
    }

    /// Adds the shards not seen yet, each from its beginning; at the start, not those closed
    /// already (all they hold is older).
    async fn refresh_shards(&mut self, at_start: bool) -> Result<(), String> {
        let described = self
            .streams
            .describe_stream()
            .stream_arn(&self.stream_arn)
            .send()
            .await
            .map_err(|e| code(&e))?;
        let shards = described
            .stream_description()
            .map(|d| d.shards().to_vec())
            .unwrap_or_default();
        for shard in shards {
            let Some(id) = shard.shard_id().map(str::to_owned) else {
                continue;
            };
            let closed = shard
                .sequence_number_range()
                .and_then(|r| r.ending_sequence_number())
                .is_some();
            // A child is read once its parent is done (stream order across a split).
            let parent_open = shard
                .parent_shard_id()
                .is_some_and(|parent| self.shards.contains_key(parent));
            if self.seen.contains(&id) || parent_open {
                continue;
            }
            self.seen.insert(id.clone());
            if at_start && closed {
                continue;
            }
            let position = match at_start {
                true => self.end_of(&id).await?,
                false => ShardPosition {
                    iterator: self
                        .iterator(&id, ShardIteratorType::TrimHorizon, None)
                        .await?,
                    last: None,
                },
            };
            self.shards.insert(id, position);
        }
        Ok(())
    }

    /// A shard positioned after its last record.
    async fn end_of(&self, shard: &str) -> Result<ShardPosition, String> {
        let latest = self
            .iterator(shard, ShardIteratorType::Latest, None)
            .await?;
        let mut position = ShardPosition {
            iterator: latest,
            last: None,
        };
        let mut from_beginning = false;
        loop {
            let Some(iterator) = position.iterator.clone() else {
                return Ok(position);
            };
            let page = self
                .streams
                .get_records()
                .shard_iterator(iterator)
                .limit(1000)
                .send()
                .await;
            match page {
                Ok(page) => {
                    let records = page.records();
                    if let Some(last) = records.last().and_then(sequence_number) {
                        position.last = Some(last);
                    }
                    let at_end = records.is_empty() || !from_beginning;
                    position.iterator = page.next_shard_iterator;
                    if at_end {
                        return Ok(position);
                    }
                }
                Err(error) if code(&error) == "TrimmedDataAccessException" => {
                    // An empty shard answers so from its beginning too: all it will hold is new.
                    position.iterator = self.resume(shard, position.last.as_deref()).await?;
                    if from_beginning {
                        return Ok(position);
                    }
                    from_beginning = true;
                }
                Err(error) => return Err(code(&error)),
            }
        }
    }

    /// An iterator after `last`, the last record handed over (none yet: the shard's beginning).
    async fn resume(&self, shard: &str, last: Option<&str>) -> Result<Option<String>, String> {
        match last {
            Some(seq) => {
                self.iterator(shard, ShardIteratorType::AfterSequenceNumber, Some(seq))
                    .await
            }
            None => {
                self.iterator(shard, ShardIteratorType::TrimHorizon, None)
                    .await
            }
        }
    }

    async fn iterator(
        &self,
        shard: &str,
        position: ShardIteratorType,
        sequence_number: Option<&str>,
    ) -> Result<Option<String>, String> {
        Ok(self
            .streams
            .get_shard_iterator()
            .stream_arn(&self.stream_arn)
            .shard_id(shard)
            .shard_iterator_type(position)
            .set_sequence_number(sequence_number.map(str::to_owned))
            .send()
            .await
            .map_err(|e| code(&e))?
            .shard_iterator)
    }

    async fn run(mut self) {
        let mut refreshed = tokio::time::Instant::now();
        loop {
            let mut read_any = false;
            let ids: Vec<String> = self.shards.keys().cloned().collect();
            for id in ids {
                read_any |= self.read_shard(&id).await;
            }
            if refreshed.elapsed() >= SHARD_REFRESH {
                refreshed = tokio::time::Instant::now();
                if let Err(code) = self.refresh_shards(false).await {
                    tracing::warn!(stream = %self.stream_arn, %code, "stream not described");
                }
            }
            if !read_any {
                tokio::time::sleep(IDLE).await;
            }
        }
    }

    /// Reads one page of a shard and delivers it; whether it had records.
    async fn read_shard(&mut self, id: &str) -> bool {
        let Some(position) = self.shards.get(id) else {
            return false;
        };
        let Some(iterator) = position.iterator.clone() else {
            // Closed and read to its end.
            self.shards.remove(id);
            return false;
        };
        let page = self
            .streams
            .get_records()
            .shard_iterator(iterator)
            .limit(self.mapping.read_limit())
            .send()
            .await;
        let page = match page {
            Ok(page) => page,
            Err(error) => {
                // An expired iterator is renewed after the last record handed over (or, before
                // any, from the shard's beginning: DynamoDB Local answers the first read of an
                // empty shard with `TrimmedDataAccessException`).
                let last = self.shards.get(id).and_then(|p| p.last.clone());
                let renewed = self.resume(id, last.as_deref()).await;
                match (&last, code(&error).as_str()) {
                    (None, "TrimmedDataAccessException") => {
                        tracing::debug!(shard = id, "empty shard read again from its beginning")
                    }
                    (_, code) => tracing::warn!(shard = id, code, "stream read failed"),
                }
                if let (Ok(iterator), Some(position)) = (renewed, self.shards.get_mut(id)) {
                    position.iterator = iterator;
                }
                return false;
            }
        };
        let records = page.records().to_vec();
        let passing: Vec<Record> = records
            .iter()
            .filter(|r| self.mapping.passes(&self.lambda_record(r)))
            .cloned()
            .collect();
        let batches = self.mapping.split(passing);
        futures::future::join_all(batches.into_iter().map(|batch| self.deliver(id, batch))).await;
        if let Some(position) = self.shards.get_mut(id) {
            position.iterator = page.next_shard_iterator;
            if let Some(last) = records.last().and_then(sequence_number) {
                position.last = Some(last);
            }
        }
        !records.is_empty()
    }

    /// Hands `records` to the handler as the mapping would, until each is done or given up.
    async fn deliver(&self, shard: &str, mut pending: Vec<Record>) {
        let full = |pending: &[Record]| pending.len().min(self.mapping.batch_size as usize);
        let mut size = full(&pending);
        let mut attempts = 0u32;
        while !pending.is_empty() {
            let batch: Vec<Record> = pending[..size.min(pending.len())].to_vec();
            let event = self.event(&batch);
            let handler = self.handler;
            let ctx = self.ctx.clone();
            let answer = tokio::spawn(async move { handler(ctx, event).await }).await;
            match answer {
                Ok(response) => {
                    let failed = response
                        .batch_item_failures
                        .first()
                        .and_then(|f| f.item_identifier.clone());
                    let Some(failed) = failed else {
                        pending.drain(..batch.len());
                        size = full(&pending);
                        attempts = 0;
                        continue;
                    };
                    // Done up to the failed record; the rest again from it.
                    let at = pending
                        .iter()
                        .position(|r| sequence_number(r).as_deref() == Some(failed.as_str()))
                        .unwrap_or(0);
                    pending.drain(..at);
                    size = full(&pending);
                }
                Err(_) => {
                    tracing::warn!(shard, records = batch.len(), "stream worker failed");
                    if self.mapping.bisect && size > 1 {
                        size /= 2;
                    }
                }
            }
            attempts += 1;
            if self.mapping.max_retries.is_some_and(|max| attempts > max) {
                let given_up = size.min(pending.len());
                self.give_up(shard, &pending[..given_up]).await;
                pending.drain(..given_up);
                size = full(&pending);
                attempts = 0;
                continue;
            }
            tokio::time::sleep(Duration::from_millis(100 * u64::from(attempts.min(10)))).await;
        }
    }

    /// The batch's coordinates to the `OnFailure` destination, as Lambda sends them.
    async fn give_up(&self, shard: &str, batch: &[Record]) {
        tracing::error!(shard, records = batch.len(), "stream batch given up");
        let Some(url) = &self.mapping.on_failure else {
            return;
        };
        let info = json!({
            "requestContext": { "condition": "RetryAttemptsExhausted" },
            "DDBStreamBatchInfo": {
                "shardId": shard,
                "startSequenceNumber": batch.first().and_then(sequence_number),
                "endSequenceNumber": batch.last().and_then(sequence_number),
                "batchSize": batch.len(),
                "streamArn": self.stream_arn,
            }
        });
        let sent = self
            .ctx
            .sqs
            .send_message()
            .queue_url(url)
            .message_body(info.to_string())
            .send()
            .await;
        if let Err(error) = sent {
            tracing::error!(code = %error.code().unwrap_or("unreachable"), "OnFailure destination refused");
        }
    }

    /// The DynamoDB event Lambda would hand the function for these records.
    fn event(&self, records: &[Record]) -> Event {
        let records: Vec<Value> = records
            .iter()
            .map(|record| self.lambda_record(record))
            .collect();
        serde_json::from_value(json!({ "Records": records })).expect("a DynamoDB stream event")
    }
}

impl Poller {
    fn lambda_record(&self, record: &Record) -> Value {
        lambda_record(record, &self.stream_arn, &self.region)
    }
}

fn sequence_number(record: &Record) -> Option<String> {
    record
        .dynamodb()
        .and_then(|d| d.sequence_number())
        .map(str::to_owned)
}

/// A stream record in the shape of Lambda's DynamoDB event (images in DynamoDB JSON).
fn lambda_record(record: &Record, stream_arn: &str, region: &str) -> Value {
    let change = record.dynamodb();
    let image = |image: Option<
        &std::collections::HashMap<String, aws_sdk_dynamodbstreams::types::AttributeValue>,
    >| {
        image.map(|item| {
            let item: serde_dynamo::Item = item.clone().into();
            serde_json::to_value(item).unwrap_or(Value::Null)
        })
    };
    let mut dynamodb = json!({
        "ApproximateCreationDateTime": change
            .and_then(|c| c.approximate_creation_date_time())
            .map(|t| t.as_secs_f64())
            .unwrap_or_default(),
        "SequenceNumber": change.and_then(|c| c.sequence_number()),
        "SizeBytes": change.and_then(|c| c.size_bytes()).unwrap_or_default(),
        "StreamViewType": change.and_then(|c| c.stream_view_type()).map(|t| t.as_str()),
    });
    for (name, value) in [
        ("Keys", image(change.and_then(|c| c.keys()))),
        ("NewImage", image(change.and_then(|c| c.new_image()))),
        ("OldImage", image(change.and_then(|c| c.old_image()))),
    ] {
        if let Some(value) = value {
            dynamodb[name] = value;
        }
    }
    json!({
        "eventID": record.event_id(),
        "eventName": record.event_name().map(|n| n.as_str()),
        "eventVersion": record.event_version(),
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_match_prefixes_and_literals_field_by_field() {
        let pattern: Value = serde_json::from_str(
            r#"{"dynamodb": {"Keys": {"pk": {"S": [{"prefix": "ACCOUNT#"}]}, "sk": {"S": [{"prefix": "LINK#"}, "PROFILE"]}}}}"#,
        )
        .unwrap();
        let record =
            |pk: &str, sk: &str| json!({"dynamodb": {"Keys": {"pk": {"S": pk}, "sk": {"S": sk}}}});
        assert!(matches_pattern(&pattern, &record("ACCOUNT#a", "LINK#l")));
        assert!(matches_pattern(&pattern, &record("ACCOUNT#a", "PROFILE")));
        assert!(!matches_pattern(&pattern, &record("ACCOUNT#a", "SESSION")));
        assert!(!matches_pattern(&pattern, &record("LINKID#l", "LINK#l")));
        assert!(!matches_pattern(&pattern, &json!({"dynamodb": {}})));
    }

    #[test]
    fn the_templates_filters_pass_exactly_the_items_that_make_events() {
        use shared::store::{Item, keys, permits};
        let template = Template::load_default().expect("template.yaml loads");
        let filters_of = |table: &str| {
            let source = template
                .functions
                .iter()
                .flat_map(|f| &f.streams)
                .find(|s| s.table == table)
                .unwrap_or_else(|| panic!("{table} feeds no function"));
            filters(&source.properties)
        };
        let passes = |filters: &[Value], pk: &str, sk: &str| {
            let record = json!({"dynamodb": {"Keys": {"pk": {"S": pk}, "sk": {"S": sk}}}});
            filters.iter().any(|p| matches_pattern(p, &record))
        };
        let key = |item: Item| {
            let text = |name: &str| item[name].as_s().expect("a string key").clone();
            (text("pk"), text("sk"))
        };

        let registrations = filters_of("RegistrationsTable");
        let (pk, sk) = key(keys::registration_key("l1", "r1"));
        assert!(passes(&registrations, &pk, &sk));
        for (pk, sk) in [
            (keys::registrations_pk("l1"), keys::history_sk("r1", 1)),
            key(keys::presence_key("h1", "p1")),
            key(keys::registration_pointer_key("r1")),
            key(keys::receipt_key("R1")),
        ] {
            assert!(!passes(&registrations, &pk, &sk), "{pk} / {sk}");
        }

        let permit_records = filters_of("PermitsTable");
        let application = permits::application_pk("a1");
        for (pk, sk) in [
            (application.as_str(), "APP"),
            (application.as_str(), "HIST#000001"),
            ("PERMIT#440300202600001", "PERMIT"),
            ("PERMIT#440300202600001", "HOLDER"),
            ("HOLDER#p1", "PERMIT"),
            ("HOLDER#p1", "OPEN_APPLICATION"),
        ] {
            assert_eq!(
                passes(&permit_records, pk, sk),
                permits::is_application_key(pk, sk) || permits::is_permit_key(pk, sk),
                "{pk} / {sk}"
            );
        }
    }

    fn mapping(parallelization: usize) -> Mapping {
        Mapping {
            batch_size: 100,
            parallelization,
            max_retries: None,
            bisect: false,
            on_failure: None,
            filters: Vec::new(),
        }
    }

    fn record(pk: &str, sk: &str, sequence: u32) -> Record {
        use aws_sdk_dynamodbstreams::types::{AttributeValue, StreamRecord};
        let change = StreamRecord::builder()
            .keys("pk", AttributeValue::S(pk.into()))
            .keys("sk", AttributeValue::S(sk.into()))
            .sequence_number(format!("{sequence:021}"))
            .build();
        Record::builder().dynamodb(change).build()
    }

    #[test]
    fn parallel_batches_keep_each_items_records_together_and_in_order() {
        let records: Vec<Record> = (0..200)
            .map(|i| record(&format!("LINK#{}", i % 7), &format!("REG#{}", i % 13), i))
            .collect();
        let batches = mapping(4).split(records.clone());
        assert!(batches.len() > 1 && batches.len() <= 4, "{}", batches.len());
        assert_eq!(batches.iter().map(Vec::len).sum::<usize>(), records.len());
        let item = |r: &Record| format!("{:?}", r.dynamodb().and_then(|d| d.keys()));
        for (i, batch) in batches.iter().enumerate() {
            let sequences: Vec<String> = batch.iter().filter_map(sequence_number).collect();
            assert!(sequences.windows(2).all(|w| w[0] < w[1]), "in stream order");
            for other in &batches[i + 1..] {
                assert!(
                    batch
                        .iter()
                        .all(|r| other.iter().all(|o| item(o) != item(r))),
                    "an item's records are in one batch"
                );
            }
        }
        assert_eq!(mapping(1).split(records.clone()), vec![records]);
        assert!(mapping(4).split(Vec::new()).is_empty());
    }

    #[test]
    fn the_parallelization_is_read_from_a_literal_or_a_parameters_default() {
        let template =
            Template::parse("Parameters:\n  Factor: { Type: Number, Default: 4 }\nResources: {}\n")
                .unwrap();
        assert_eq!(number(&template, &json!({"Ref": "Factor"})), Some(4));
        assert_eq!(number(&template, &json!(3)), Some(3));
        assert_eq!(number(&template, &json!("2")), Some(2));
        assert_eq!(number(&template, &json!({"Ref": "Unknown"})), None);
        assert_eq!(mapping(4).read_limit(), 400);
        assert_eq!(mapping(10).read_limit(), 1000);
    }
}
