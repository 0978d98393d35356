//! Counts the AWS operations clients issue, by kind: the local stack installs a counter on its
//! clients (never the deployed functions) so that the end-to-end tests and benchmarks can prove,
//! by observation, that no request path runs a Scan, that none calls SNS (messages are only
//! enqueued), and what each route costs. Each counter is its own: two stacks in one process, or
//! the API and the SMS sender of one stack, count apart.
//!
//! Each counter also records what every call needed as an IAM grant ([`Access`]: the function
//! that made it, the action, the table, index or queue), so that a test can hold `template.yaml`'s
//! policies against what the functions really do.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::operation::batch_get_item::BatchGetItemInput;
use aws_sdk_dynamodb::operation::batch_write_item::BatchWriteItemInput;
use aws_sdk_dynamodb::operation::delete_item::DeleteItemInput;
use aws_sdk_dynamodb::operation::get_item::GetItemInput;
use aws_sdk_dynamodb::operation::put_item::PutItemInput;
use aws_sdk_dynamodb::operation::transact_get_items::TransactGetItemsInput;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsInput;
use aws_sdk_dynamodb::operation::update_item::UpdateItemInput;
use aws_sdk_sqs::operation::change_message_visibility::ChangeMessageVisibilityInput;
use aws_sdk_sqs::operation::delete_message::DeleteMessageInput;
use aws_sdk_sqs::operation::delete_message_batch::DeleteMessageBatchInput;
use aws_sdk_sqs::operation::get_queue_attributes::GetQueueAttributesInput;
use aws_sdk_sqs::operation::receive_message::ReceiveMessageInput;
use aws_smithy_runtime_api::client::interceptors::context::Input;
use aws_smithy_runtime_api::client::orchestrator::Metadata;

use aws_sdk_dynamodb::config::interceptors::BeforeSerializationInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use aws_sdk_dynamodb::operation::query::QueryInput;
use aws_sdk_dynamodb::operation::scan::ScanInput;
use aws_sdk_eventbridge::operation::put_events::PutEventsInput;
use aws_sdk_kms::operation::sign::SignInput;
use aws_sdk_sns::operation::publish::PublishInput;
use aws_sdk_sqs::operation::send_message::SendMessageInput;
use aws_sdk_sqs::operation::send_message_batch::SendMessageBatchInput;

/// How many operations of each kind were issued so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationCounts {
    /// DynamoDB operations of any kind.
    pub calls: u64,
    pub queries: u64,
    pub scans: u64,
    /// SNS `Publish` calls (an SMS each).
    pub sns_publishes: u64,
    /// SQS send calls (`SendMessage`, or `SendMessageBatch` of up to ten).
    pub sqs_sends: u64,
    /// The messages those calls carried (an SMS enqueued each).
    pub sqs_messages: u64,
    /// EventBridge `PutEvents` calls.
    pub event_puts: u64,
    /// The events those calls carried (one view of one domain event each).
    pub events_put: u64,
    /// KMS `Sign` calls (a document signed each).
    pub kms_signs: u64,
}

#[derive(Debug, Default)]
struct Counters {
    calls: AtomicU64,
    queries: AtomicU64,
    scans: AtomicU64,
    sns_publishes: AtomicU64,
    sqs_sends: AtomicU64,
    sqs_messages: AtomicU64,
    event_puts: AtomicU64,
    events_put: AtomicU64,
    kms_signs: AtomicU64,
    accesses: Mutex<BTreeSet<Access>>,
    /// Where each access is also written when first seen (one JSON line each), so that what the
    /// test processes of a whole run saw can be put together.
    record: Option<std::path::PathBuf>,
}

/// What one call needed: `action` (IAM's name, e.g. `dynamodb:UpdateItem`) on `resource`, by the
/// function of the template named `function` (empty for contexts that are no function's, such as
/// the tests' own reads).
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Access {
    pub function: String,
    pub action: String,
    pub resource: Resource,
}

/// The resource an action was taken on, by the names the calls carry.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Resource {
    Table(String),
    Index {
        table: String,
        index: String,
    },
    /// By its URL.
    Queue(String),
    /// An SMS published straight to a phone number (no topic).
    PhoneNumber,
    /// An EventBridge bus, by name.
    EventBus(String),
    /// A KMS key, by the id, ARN or alias the call named.
    Key(String),
    /// A call whose resource this record does not know (an operation no function should make).
    Unknown,
}

/// The counts of one stack (or one part of it); clones share their counts.
#[derive(Debug, Clone, Default)]
pub struct OperationCounter(Arc<Counters>);

/// The client an interceptor sits on.
#[derive(Debug, Clone, Copy)]
pub enum Service {
    DynamoDb,
    Sns,
    Sqs,
    EventBridge,
    Kms,
}

/// The interceptor installed on one client: counts into its [`OperationCounter`].
#[derive(Debug, Clone)]
pub struct CountingInterceptor {
    counters: Arc<Counters>,
    service: Service,
    function: Arc<str>,
}

impl OperationCounter {
    /// A counter that also appends every access it sees for the first time to `file` (JSON
    /// lines; see [`read_accesses`]).
    pub fn recording_to(file: std::path::PathBuf) -> Self {
        Self(Arc::new(Counters {
            record: Some(file),
            ..Default::default()
        }))
    }

    pub fn counts(&self) -> OperationCounts {
        OperationCounts {
            calls: self.0.calls.load(Ordering::SeqCst),
            queries: self.0.queries.load(Ordering::SeqCst),
            scans: self.0.scans.load(Ordering::SeqCst),
            sns_publishes: self.0.sns_publishes.load(Ordering::SeqCst),
            sqs_sends: self.0.sqs_sends.load(Ordering::SeqCst),
            sqs_messages: self.0.sqs_messages.load(Ordering::SeqCst),
            event_puts: self.0.event_puts.load(Ordering::SeqCst),
            events_put: self.0.events_put.load(Ordering::SeqCst),
            kms_signs: self.0.kms_signs.load(Ordering::SeqCst),
        }
    }

    /// Everything the calls so far needed, by function.
    pub fn accesses(&self) -> BTreeSet<Access> {
        self.0.accesses.lock().expect("access record").clone()
    }

    /// The interceptor for a client of `service` used by `function` (the template's
    /// `PLATFORM_FUNCTION`, or empty).
    pub fn interceptor(&self, service: Service, function: &str) -> CountingInterceptor {
        CountingInterceptor {
            counters: self.0.clone(),
            service,
            function: function.into(),
        }
    }
}

/// Appends `accesses` to `file`, one JSON line each.
fn append_accesses(file: &std::path::Path, accesses: &[Access]) -> Result<(), BoxError> {
    use std::io::Write;
    let mut lines = String::new();
    for access in accesses {
        lines.push_str(&serde_json::to_string(access)?);
        lines.push('\n');
    }
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)?
        .write_all(lines.as_bytes())?;
    Ok(())
}

/// Every access recorded in the `.jsonl` files of `dir` (see [`OperationCounter::recording_to`]).
pub fn read_accesses(dir: &std::path::Path) -> std::io::Result<BTreeSet<Access>> {
    let mut accesses = BTreeSet::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "jsonl") {
            for line in std::fs::read_to_string(&path)?.lines() {
                let access = serde_json::from_str(line).map_err(std::io::Error::other)?;
                accesses.insert(access);
            }
        }
    }
    Ok(accesses)
}

/// The queue an SQS call is about.
fn sqs_queue(input: &Input) -> Option<&str> {
    if let Some(send) = input.downcast_ref::<SendMessageInput>() {
        return send.queue_url();
    }
    if let Some(batch) = input.downcast_ref::<SendMessageBatchInput>() {
        return batch.queue_url();
    }
    if let Some(receive) = input.downcast_ref::<ReceiveMessageInput>() {
        return receive.queue_url();
    }
    if let Some(delete) = input.downcast_ref::<DeleteMessageInput>() {
        return delete.queue_url();
    }
    if let Some(batch) = input.downcast_ref::<DeleteMessageBatchInput>() {
        return batch.queue_url();
    }
    if let Some(change) = input.downcast_ref::<ChangeMessageVisibilityInput>() {
        return change.queue_url();
    }
    input
        .downcast_ref::<GetQueueAttributesInput>()
        .and_then(|attributes| attributes.queue_url())
}

/// The (action, resource) pairs a DynamoDB call needs: a transaction or a batch needs its action
/// on every table it touches (a transaction: each item's own action, as IAM authorizes it).
fn dynamodb_needs(operation: &str, input: &Input) -> Vec<(String, Resource)> {
    let table = |name: Option<&str>| Resource::Table(name.unwrap_or_default().to_owned());
    let action = |name: &str| format!("dynamodb:{name}");
    let single = |resource| vec![(action(operation), resource)];
    if let Some(query) = input.downcast_ref::<QueryInput>() {
        let table_name = query.table_name().unwrap_or_default().to_owned();
        return single(match query.index_name() {
            Some(index) => Resource::Index {
                table: table_name,
                index: index.to_owned(),
            },
            None => Resource::Table(table_name),
        });
    }
    if let Some(scan) = input.downcast_ref::<ScanInput>() {
        return single(table(scan.table_name()));
    }
    if let Some(get) = input.downcast_ref::<GetItemInput>() {
        return single(table(get.table_name()));
    }
    if let Some(put) = input.downcast_ref::<PutItemInput>() {
        return single(table(put.table_name()));
    }
    if let Some(update) = input.downcast_ref::<UpdateItemInput>() {
        return single(table(update.table_name()));
    }
    if let Some(delete) = input.downcast_ref::<DeleteItemInput>() {
        return single(table(delete.table_name()));
    }
    // A batch: its action on each table it names.
    let on_each_table = |tables: Vec<&String>| {
        tables
            .into_iter()
            .map(|name| (action(operation), Resource::Table(name.clone())))
            .collect()
    };
    if let Some(batch) = input.downcast_ref::<BatchGetItemInput>() {
        return on_each_table(
            batch
                .request_items()
                .into_iter()
                .flat_map(|i| i.keys())
                .collect(),
        );
    }
    if let Some(batch) = input.downcast_ref::<BatchWriteItemInput>() {
        return on_each_table(
            batch
                .request_items()
                .into_iter()
                .flat_map(|i| i.keys())
                .collect(),
        );
    }
    if let Some(transaction) = input.downcast_ref::<TransactWriteItemsInput>() {
        return transaction
            .transact_items()
            .iter()
            .flat_map(|item| {
                [
                    item.condition_check()
                        .map(|c| ("ConditionCheckItem", c.table_name())),
                    item.put().map(|p| ("PutItem", p.table_name())),
                    item.update().map(|u| ("UpdateItem", u.table_name())),
                    item.delete().map(|d| ("DeleteItem", d.table_name())),
                ]
            })
            .flatten()
            .map(|(name, table_name)| (action(name), Resource::Table(table_name.to_owned())))
            .collect();
    }
    if let Some(transaction) = input.downcast_ref::<TransactGetItemsInput>() {
        return transaction
            .transact_items()
            .iter()
            .filter_map(|item| item.get())
            .map(|get| {
                (
                    action("GetItem"),
                    Resource::Table(get.table_name().to_owned()),
                )
            })
            .collect();
    }
    single(Resource::Unknown)
}

impl CountingInterceptor {
    /// Records what `needs` needed as grants of this interceptor's function (each new one also
    /// written to the record file).
    fn record(&self, needs: Vec<(String, Resource)>) -> Result<(), BoxError> {
        let mut seen = self.counters.accesses.lock().expect("access record");
        let new: Vec<Access> = needs
            .into_iter()
            .map(|(action, resource)| Access {
                function: self.function.to_string(),
                action,
                resource,
            })
            .filter(|access| seen.insert(access.clone()))
            .collect();
        drop(seen);
        if let (Some(file), false) = (&self.counters.record, new.is_empty()) {
            append_accesses(file, &new)?;
        }
        Ok(())
    }

    /// Records a call a local stand-in made in place of the AWS service (the document signer's
    /// SM2 key in place of KMS's): the grant the deployed function needs for it, counted like
    /// the call.
    pub fn stand_in_call(&self, action: &str, resource: Resource) {
        if let Err(error) = self.record(vec![(action.to_owned(), resource)]) {
            tracing::warn!(%error, "stand-in call not recorded");
        }
        if action == "kms:Sign" {
            self.counters.kms_signs.fetch_add(1, Ordering::SeqCst);
        }
    }
}

impl Intercept for CountingInterceptor {
    fn name(&self) -> &'static str {
        "CountingInterceptor"
    }

    // Not `read_before_execution`: a client interceptor sees that before the operation's own
    // configuration (its `Metadata`, the name) is in the bag.
    fn read_before_serialization(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let input = context.input();
        let count = |counter: &AtomicU64| counter.fetch_add(1, Ordering::SeqCst);
        let operation = cfg
            .load::<Metadata>()
            .map(|m| m.name())
            .unwrap_or("Unknown");
        let needs: Vec<(String, Resource)> = match self.service {
            Service::DynamoDb => dynamodb_needs(operation, input),
            Service::Sns => match input.downcast_ref::<PublishInput>() {
                Some(publish) if publish.phone_number().is_some() => {
                    vec![("sns:Publish".to_owned(), Resource::PhoneNumber)]
                }
                _ => vec![(format!("sns:{operation}"), Resource::Unknown)],
            },
            Service::Sqs => match sqs_queue(input) {
                // A batch is authorized as its single form.
                Some(url) => vec![(
                    format!("sqs:{}", operation.trim_end_matches("Batch")),
                    Resource::Queue(url.to_owned()),
                )],
                None => vec![(format!("sqs:{operation}"), Resource::Unknown)],
            },
            Service::EventBridge => match input.downcast_ref::<PutEventsInput>() {
                // One grant per bus the entries name.
                Some(put) => put
                    .entries()
                    .iter()
                    .map(|entry| entry.event_bus_name().unwrap_or("default").to_owned())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .map(|bus| ("events:PutEvents".to_owned(), Resource::EventBus(bus)))
                    .collect(),
                None => vec![(format!("events:{operation}"), Resource::Unknown)],
            },
            Service::Kms => match input.downcast_ref::<SignInput>() {
                Some(sign) => vec![(
                    "kms:Sign".to_owned(),
                    Resource::Key(sign.key_id().unwrap_or_default().to_owned()),
                )],
                None => vec![(format!("kms:{operation}"), Resource::Unknown)],
            },
        };
        self.record(needs)?;
        match self.service {
            Service::DynamoDb => {
                count(&self.counters.calls);
                if input.downcast_ref::<ScanInput>().is_some() {
                    count(&self.counters.scans);
                } else if input.downcast_ref::<QueryInput>().is_some() {
                    count(&self.counters.queries);
                }
            }
            Service::Sns => {
                if input.downcast_ref::<PublishInput>().is_some() {
                    count(&self.counters.sns_publishes);
                }
            }
            Service::Sqs => {
                let messages = match (
                    input.downcast_ref::<SendMessageInput>(),
                    input.downcast_ref::<SendMessageBatchInput>(),
                ) {
                    (Some(_), _) => 1,
                    (None, Some(batch)) => batch.entries().len() as u64,
                    (None, None) => 0,
                };
                if messages > 0 {
                    count(&self.counters.sqs_sends);
                    self.counters
                        .sqs_messages
                        .fetch_add(messages, Ordering::SeqCst);
                }
            }
            Service::EventBridge => {
                if let Some(put) = input.downcast_ref::<PutEventsInput>() {
                    count(&self.counters.event_puts);
                    self.counters
                        .events_put
                        .fetch_add(put.entries().len() as u64, Ordering::SeqCst);
                }
            }
            Service::Kms => {
                if input.downcast_ref::<SignInput>().is_some() {
                    count(&self.counters.kms_signs);
                }
            }
        }
        Ok(())
    }
}
