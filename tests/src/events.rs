//! The test consumers (F23): for a stack that runs the event publisher, a thread that drains
//! every consumer's queue (as an agency's system would), keeps what it received in an inbox for
//! the tests to look up by subject, and, when `make test` sets `EVENT_RECORD_DIR`, appends each
//! to a file there so that `tests/e2e/event_schemas.rs` can validate every event the whole suite
//! produced.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use shared::context::local::LocalEndpoints;

/// Where the test processes record the events their consumers received (set by `make test`).
pub const EVENT_RECORD_DIR: &str = "EVENT_RECORD_DIR";

/// One event as a consumer received it.
#[derive(Debug, Clone)]
pub struct Delivered {
    pub consumer: String,
    /// The CloudEvent (the `detail` of the EventBridge event the queue holds).
    pub event: Value,
    /// The whole EventBridge event (the message body).
    pub envelope: Value,
    /// When the event reached the consumer's queue (its `SentTimestamp`, Unix milliseconds).
    pub queued_at_ms: Option<u64>,
}

/// How long a consumer waits after its queue had nothing.
const IDLE: Duration = Duration::from_millis(100);

/// What the consumers of one stack received so far.
#[derive(Default)]
pub struct Inbox {
    delivered: Mutex<Vec<Delivered>>,
}

impl Inbox {
    /// Starts draining the consumers' queues of `endpoints` (the stack's suffix) on a thread of
    /// its own.
    pub fn start(endpoints: &LocalEndpoints) -> Arc<Self> {
        let inbox = Arc::new(Self::default());
        let filling = inbox.clone();
        let endpoints = endpoints.clone();
        let record = std::env::var_os(EVENT_RECORD_DIR).map(|dir| {
            std::path::PathBuf::from(dir).join(format!(
                "{}-{}.jsonl",
                std::process::id(),
                uuid::Uuid::new_v4().simple()
            ))
        });
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(filling.drain(endpoints, record));
        });
        inbox
    }

    async fn drain(&self, endpoints: LocalEndpoints, record: Option<std::path::PathBuf>) {
        use aws_sdk_sqs::config::{BehaviorVersion, Credentials, Region};
        let sqs = aws_sdk_sqs::Client::from_conf(
            aws_sdk_sqs::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(Region::new(endpoints.region.clone()))
                .endpoint_url(&endpoints.sqs)
                .credentials_provider(Credentials::new("local", "local", None, None, "local"))
                .build(),
        );
        // Each queue drained on its own, as each agency reads its own.
        let queues = shared::events::consumers::routes().iter().map(|r| {
            let id = r.consumer.id.clone();
            let logical = infra::local::event_bus::consumer_resource(&id, "Queue");
            let url = infra::local::env::queue_url(&endpoints, &logical);
            self.drain_queue(&sqs, id, url, record.as_deref())
        });
        futures::future::join_all(queues).await;
    }

    /// Receives from one consumer's queue until the runtime stops: at once again while it has
    /// messages, after [`IDLE`] when it had none.
    async fn drain_queue(
        &self,
        sqs: &aws_sdk_sqs::Client,
        consumer: String,
        url: String,
        record: Option<&std::path::Path>,
    ) {
        use aws_sdk_sqs::types::{DeleteMessageBatchRequestEntry, MessageSystemAttributeName};
        loop {
            let messages = sqs
                .receive_message()
                .queue_url(&url)
                .max_number_of_messages(10)
                .message_system_attribute_names(MessageSystemAttributeName::SentTimestamp)
                .wait_time_seconds(0)
                .send()
                .await
                .map(|r| r.messages.unwrap_or_default())
                .unwrap_or_default();
            if messages.is_empty() {
                tokio::time::sleep(IDLE).await;
                continue;
            }
            let mut done = Vec::with_capacity(messages.len());
            for (i, message) in messages.iter().enumerate() {
                let envelope: Value =
                    serde_json::from_str(message.body().unwrap_or("")).unwrap_or(Value::Null);
                let event = envelope["detail"].clone();
                if let Some(path) = record {
                    use std::io::Write;
                    let line = json!({"consumer": consumer, "event": event}).to_string();
                    let mut file = std::fs::OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(path)
                        .expect("the event record opens");
                    writeln!(file, "{line}").expect("the event record is written");
                }
                let queued_at_ms = message
                    .attributes()
                    .and_then(|a| a.get(&MessageSystemAttributeName::SentTimestamp))
                    .and_then(|t| t.parse().ok());
                self.delivered.lock().expect("inbox").push(Delivered {
                    consumer: consumer.clone(),
                    event,
                    envelope,
                    queued_at_ms,
                });
                if let Some(handle) = message.receipt_handle() {
                    done.push(
                        DeleteMessageBatchRequestEntry::builder()
                            .id(i.to_string())
                            .receipt_handle(handle)
                            .build()
                            .expect("id and receipt handle are set"),
                    );
                }
            }
            let _ = sqs
                .delete_message_batch()
                .queue_url(&url)
                .set_entries(Some(done))
                .send()
                .await;
        }
    }

    /// How many of the events received so far satisfy `which`.
    pub fn count(&self, which: impl Fn(&Delivered) -> bool) -> usize {
        self.delivered
            .lock()
            .expect("inbox")
            .iter()
            .filter(|d| which(d))
            .count()
    }

    /// Everything received so far, in the order it arrived.
    pub fn delivered(&self) -> Vec<Delivered> {
        self.delivered.lock().expect("inbox").clone()
    }

    /// The events about `subject` that `consumer` received, in the order they arrived, once
    /// `enough` holds of them (or `within` has passed).
    pub async fn about(
        &self,
        consumer: &str,
        subject: &str,
        enough: impl Fn(&[Value]) -> bool,
        within: Duration,
    ) -> Vec<Value> {
        let deadline = Instant::now() + within;
        loop {
            let events: Vec<Value> = self
                .delivered
                .lock()
                .expect("inbox")
                .iter()
                .filter(|d| d.consumer == consumer && d.event["subject"] == subject)
                .map(|d| d.event.clone())
                .collect();
            if enough(&events) || Instant::now() >= deadline {
                return events;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// The `type` names (without prefix and version) of `events`, in order, each once per id (what
/// a consumer that deduplicates applies).
pub fn applied_types(events: &[Value]) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    events
        .iter()
        .filter(|e| seen.insert(e["id"].as_str().unwrap_or("").to_owned()))
        .map(|e| {
            e["type"]
                .as_str()
                .unwrap_or("")
                .trim_start_matches("cn.gov.sz.residence.")
                .rsplit_once('.')
                .map(|(name, _version)| name.to_owned())
                .unwrap_or_default()
        })
        .collect()
}

/// What is wrong with `event` by its schema in `docs/events/` (named by its type and view):
/// nothing when it is valid.
pub fn schema_errors(event: &Value) -> Vec<String> {
    let name = event["type"]
        .as_str()
        .unwrap_or("")
        .trim_start_matches("cn.gov.sz.residence.")
        .rsplit_once('.')
        .map(|(name, _)| name.to_owned())
        .unwrap_or_default();
    let view = event["view"].as_str().unwrap_or("");
    let path = infra::template::repo_root()
        .join("docs/events")
        .join(format!("{name}.{view}.schema.json"));
    let Ok(text) = std::fs::read_to_string(&path) else {
        return vec![format!("no schema {}", path.display())];
    };
    let schema: Value = serde_json::from_str(&text).expect("a schema is JSON");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("a schema compiles");
    validator
        .iter_errors(event)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}
