//! The end-to-end test harness: a local API in this process (the same handlers and router as
//! `make run`) against the DynamoDB Local and SNS emulator that `make test` starts, and an HTTP
//! client that reads SMS codes from the emulator as the contract says
//! (`docs/spec/api-contract.md`).

pub mod accepting_eventbridge;
pub mod documents;
pub mod events;
pub mod faulty_eventbridge;
pub mod fixtures;
pub mod houses;
pub mod lambda_runtime;
pub mod pdf;
pub mod permits;
pub mod refusing_sns;
pub mod residents;
pub mod stand_in_server;
pub mod sweep;
pub mod units;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::OnceLock;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use shared::config::AppConfig;
use shared::context::local::LocalEndpoints;
use shared::operation_counts::{OperationCounter, OperationCounts};

/// A running local API, its SMS sender, and where its emulators are.
#[derive(Clone)]
pub struct Stack {
    pub base_url: String,
    pub sns_url: String,
    pub config: AppConfig,
    endpoints: LocalEndpoints,
    /// The queue workers' counter (the SMS sender's SNS calls), apart from the API's.
    workers: OperationCounter,
    /// The pollers that feed the queue workers (the SMS delivery).
    pollers: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
    /// What the event consumers received (stacks that run the event publisher).
    inbox: Option<std::sync::Arc<events::Inbox>>,
}

impl Stack {
    /// A context on the stack's emulators, for checking what was stored.
    pub fn context(&self) -> std::sync::Arc<shared::AppContext> {
        shared::AppContext::local(self.config.clone(), &self.endpoints)
    }

    /// A context on the stack's emulators with its configuration changed (a queue that does not
    /// exist, say), for runs that must meet a fault.
    pub fn context_with(
        &self,
        change: impl FnOnce(&mut AppConfig),
    ) -> std::sync::Arc<shared::AppContext> {
        let mut config = self.config.clone();
        change(&mut config);
        shared::AppContext::local(config, &self.endpoints)
    }

    /// The operations this stack's HTTP functions (and contexts) issued so far.
    pub fn operation_counts(&self) -> OperationCounts {
        self.endpoints
            .counter
            .as_ref()
            .expect("test stacks count their operations")
            .counts()
    }

    /// What this stack's functions (HTTP functions and queue workers alike) have called so far,
    /// by function.
    pub fn accesses(&self) -> std::collections::BTreeSet<shared::operation_counts::Access> {
        let mut accesses = self.workers.accesses();
        if let Some(counter) = &self.endpoints.counter {
            accesses.extend(counter.accesses());
        }
        accesses
    }

    /// The context the template's function `name` (its `PLATFORM_FUNCTION`) gets on this stack,
    /// its calls recorded under its name: for running a scheduled job as its function would.
    pub fn function_context(&self, name: &str) -> std::sync::Arc<shared::AppContext> {
        let template = infra::template::Template::load_default().expect("template.yaml loads");
        let function = template
            .function(name)
            .unwrap_or_else(|| panic!("template.yaml has no function {name}"));
        infra::local::api::function_context(&template, function, &self.endpoints, &|_| None)
            .expect("the function's configuration")
    }

    /// The first message in the SMS dead-letter queue, waiting up to `within` for one.
    pub async fn first_dead_letter(&self, within: Duration) -> Option<aws_sdk_sqs::types::Message> {
        self.first_message("SmsDeadLetterQueue", within).await
    }

    /// The first message in one of the stack's queues (by the template's logical id), waiting
    /// up to `within` for one.
    pub async fn first_message(
        &self,
        logical_id: &str,
        within: Duration,
    ) -> Option<aws_sdk_sqs::types::Message> {
        let ctx = self.context();
        let url = self.queue_url(logical_id);
        let deadline = std::time::Instant::now() + within;
        while std::time::Instant::now() < deadline {
            let received = ctx
                .sqs
                .receive_message()
                .queue_url(&url)
                .wait_time_seconds(1)
                .send()
                .await
                .expect("the queue answers");
            if let Some(message) = received.messages.unwrap_or_default().into_iter().next() {
                return Some(message);
            }
        }
        None
    }

    /// The operations this stack's queue workers (the SMS sender) issued so far.
    pub fn worker_counts(&self) -> OperationCounts {
        self.workers.counts()
    }

    /// The URL of one of the stack's queues (by the template's logical id).
    pub fn queue_url(&self, logical_id: &str) -> String {
        infra::local::env::queue_url(&self.endpoints, logical_id)
    }

    /// Stops delivering the queued SMS (the queue pollers end; messages stay queued): for
    /// benchmarks that count what is queued and must not share the emulator with its delivery.
    pub fn stop_sms_delivery(&self) {
        for poller in self.pollers.lock().expect("pollers").drain(..) {
            poller.abort();
        }
    }

    /// The events about `subject` (a real id: a registration's, a link's, an application's)
    /// that `consumer` (an id of `shared/events/consumers.yaml`) received, in arrival order, once
    /// `enough` holds of them or `within` has passed. (A consumer of a minimized view knows the
    /// subject by its own pseudonym: [`Stack::subject_for`].)
    pub async fn consumer_events(
        &self,
        consumer: &str,
        subject: &str,
        enough: impl Fn(&[Value]) -> bool,
        within: Duration,
    ) -> Vec<Value> {
        let subject = self.subject_for(consumer, subject);
        self.inbox
            .as_ref()
            .expect("a stack that runs the event publisher")
            .about(consumer, &subject, enough, within)
            .await
    }

    /// `id` as `consumer` receives it (`shared::events::pseudonyms::as_received`, with the
    /// stack's hash key and the one view the consumer receives).
    pub fn subject_for(&self, consumer: &str, id: &str) -> String {
        let route = shared::events::consumers::routes()
            .iter()
            .find(|r| r.consumer.id == consumer)
            .unwrap_or_else(|| panic!("no consumer {consumer}"));
        let (_, view) = route.receives[0];
        shared::events::pseudonyms::as_received(
            &self.context().config.hash_key,
            &route.consumer,
            view,
            id,
        )
    }

    /// How many of the events the consumers received so far satisfy `which` (a stack that runs
    /// the event publisher).
    pub fn count_deliveries(&self, which: impl Fn(&events::Delivered) -> bool) -> usize {
        self.inbox
            .as_ref()
            .expect("a stack that runs the event publisher")
            .count(which)
    }

    /// Every event the consumers received so far, in arrival order.
    pub fn deliveries(&self) -> Vec<events::Delivered> {
        self.inbox
            .as_ref()
            .expect("a stack that runs the event publisher")
            .delivered()
    }

    /// The emulators' endpoints.
    pub fn endpoints(&self) -> &LocalEndpoints {
        &self.endpoints
    }

    /// Where DynamoDB Local listens (for clients the context does not hold, e.g. Streams).
    pub fn dynamodb_url(&self) -> &str {
        &self.endpoints.dynamodb
    }
}

/// A problem's title and messages are sentences a citizen understands (issue 30): no route, no
/// field or enum name (a lower-case identifier), no format string.
fn assert_speaks_to_people(problem: &Value) {
    let mut texts = vec![problem["title"].as_str().unwrap_or_default()];
    if let Some(errors) = problem["errors"].as_array() {
        texts.extend(errors.iter().filter_map(|e| e["message"].as_str()));
    }
    for text in texts {
        let identifier = text
            .split(|c: char| !(c.is_ascii_lowercase() || c == '_'))
            .find(|word| word.len() >= 3);
        assert!(
            identifier.is_none() && !text.contains("/v1") && !text.contains("YYYY"),
            "a message for people names {identifier:?}: {text} in {problem:#}"
        );
    }
}

/// Where the emulators `make test` started are (`DYNAMODB_ENDPOINT`, `SNS_ENDPOINT`,
/// `SQS_ENDPOINT`), with a queue suffix of their own.
pub fn endpoints() -> LocalEndpoints {
    let need = |name: &str| {
        std::env::var(name).unwrap_or_else(|_| {
            panic!("{name} is not set: run the end-to-end tests with `make test`, which starts DynamoDB Local and the SNS emulator")
        })
    };
    let sns = need("SNS_ENDPOINT");
    // `make test` runs a second moto server for SQS and EventBridge (and Secrets Manager), so
    // that reading the SMS back from the SNS emulator stays cheap; one server may serve all.
    let sqs = std::env::var("SQS_ENDPOINT").unwrap_or_else(|_| sns.clone());
    LocalEndpoints {
        dynamodb: need("DYNAMODB_ENDPOINT"),
        events: sqs.clone(),
        kms: sqs.clone(),
        sqs,
        sns,
        region: "ap-east-1".into(),
        queue_suffix: format!("-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]),
        counter: Some(counter()),
    }
}

/// A stack's counter: recording into `ACCESS_RECORD_DIR` when `make test` sets it (what every
/// function called in the whole run, which `tests/e2e/least_privilege.rs` holds against the
/// template).
fn counter() -> OperationCounter {
    match std::env::var_os(ACCESS_RECORD_DIR) {
        Some(dir) => OperationCounter::recording_to(std::path::PathBuf::from(dir).join(format!(
            "{}-{}.jsonl",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ))),
        None => OperationCounter::default(),
    }
}

/// Where the test processes record the calls their functions made (set by `make test`).
pub const ACCESS_RECORD_DIR: &str = "ACCESS_RECORD_DIR";

/// The shared stack with the platform's default settings, its event publisher running.
pub fn stack() -> &'static Stack {
    static STACK: OnceLock<Stack> = OnceLock::new();
    STACK.get_or_init(|| {
        start_with(
            &[],
            Workers {
                publisher: true,
                ..Workers::default()
            },
        )
    })
}

/// A separate API (same tables and emulators) with some settings overridden, for behaviour that
/// takes too long with real settings (a code expiring after 5 minutes) or limits that the shared
/// stack must not hit. It runs the SMS sender but no event publisher.
pub fn start(overrides: &[(&str, &str)]) -> Stack {
    start_with(overrides, Workers::default())
}

/// As [`start`], with the SMS sender publishing to `sender_sns` instead of the emulator (a stand-in
/// that refuses every message, to see undeliverable messages dead-lettered).
pub fn start_with_sender_sns(overrides: &[(&str, &str)], sender_sns: Option<&str>) -> Stack {
    start_with(
        overrides,
        Workers {
            sender_sns,
            ..Workers::default()
        },
    )
}

/// What a stack runs beside its API, and where.
#[derive(Debug, Default, Clone, Copy)]
pub struct Workers<'a> {
    /// Where the SMS sender publishes (default: the emulator).
    pub sender_sns: Option<&'a str>,
    /// Whether the event publisher runs, from the tables' streams' ends at the stack's start to
    /// the stack's bus, rules and consumer queues.
    pub publisher: bool,
    /// Where the publisher puts events (default: the emulator; a faulty stand-in to see
    /// failures retried).
    pub publisher_events: Option<&'a str>,
}

/// A stack with `overrides` and `workers`.
pub fn start_with(overrides: &[(&str, &str)], workers_wanted: Workers) -> Stack {
    // The stack's logs (the functions' and workers'), when asked for with `RUST_LOG`.
    if std::env::var_os("RUST_LOG").is_some() {
        static LOGGING: std::sync::Once = std::sync::Once::new();
        LOGGING.call_once(shared::runtime::init_logging);
    }
    let overrides: Vec<(String, String)> = overrides
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let lookup = move |name: &str| {
        overrides
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let endpoints = endpoints();
    let workers = counter();
    let mut worker_endpoints = LocalEndpoints {
        counter: Some(workers.clone()),
        ..endpoints.clone()
    };
    if let Some(sns) = workers_wanted.sender_sns {
        worker_endpoints.sns = sns.to_owned();
    }
    if let Some(events) = workers_wanted.publisher_events {
        worker_endpoints.events = events.to_owned();
    }
    let publisher = workers_wanted.publisher;
    let template = infra::template::Template::load_default().expect("template.yaml loads");
    let (tx, rx) = std::sync::mpsc::channel();
    let sns_url = endpoints.sns.clone();
    let stack_endpoints = endpoints.clone();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let ctx = infra::local::stack::prepare(&template, &endpoints, &lookup)
                .await
                .expect("local stack prepares");
            let mut pollers =
                infra::local::stack::start_queue_workers(&template, &worker_endpoints, &lookup)
                    .expect("queue workers start");
            if publisher {
                pollers.extend(
                    infra::local::stack::start_stream_workers(
                        &template,
                        &worker_endpoints,
                        &lookup,
                    )
                    .await
                    .expect("stream workers start"),
                );
            }
            let address = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
            let (bound, listener, api) =
                infra::local::stack::bind_api(&template, &endpoints, &lookup, address)
                    .await
                    .expect("local API binds");
            tx.send((bound, ctx.config.clone(), pollers))
                .expect("test thread waits");
            infra::local::api::serve(listener, api, std::future::pending())
                .await
                .expect("local API serves");
        });
    });
    let (bound, config, pollers) = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("local API started within 60 s");
    Stack {
        base_url: format!("http://{bound}"),
        sns_url,
        config,
        inbox: publisher.then(|| events::Inbox::start(&stack_endpoints)),
        endpoints: stack_endpoints,
        workers,
        pollers: std::sync::Arc::new(std::sync::Mutex::new(pollers)),
    }
}

/// An answer: status, headers, and the body as JSON (Null when empty or not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    /// The body as it came (for answers that are not JSON, e.g. PDFs).
    pub bytes: Vec<u8>,
}

impl Answer {
    /// The body without the request's own id (a problem's `instance`): what the answers to two
    /// requests can have in common.
    pub fn body_without_instance(&self) -> Value {
        let mut body = self.body.clone();
        if let Some(object) = body.as_object_mut() {
            object.remove("instance");
        }
        body
    }

    /// The problem `code` of an error answer.
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    pub fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Asserts an error answer is problem+json with this status and code; returns self.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, code: &str) -> &Self {
        assert_eq!(self.status.as_u16(), status, "status of {:#}", self.body);
        assert_eq!(self.code(), code, "code of {:#}", self.body);
        assert_eq!(self.content_type(), "application/problem+json");
        assert_eq!(self.body["status"], status);
        assert!(
            self.body["title"].as_str().is_some_and(|t| !t.is_empty()),
            "a title"
        );
        self
    }

    /// The field errors as (field, code) pairs.
    pub fn field_errors(&self) -> Vec<(String, String)> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| {
                        (
                            e["field"].as_str().unwrap_or("").to_owned(),
                            e["code"].as_str().unwrap_or("").to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Asserts the field errors include each (field, code); returns self.
    #[track_caller]
    pub fn assert_field_errors(&self, expected: &[(&str, &str)]) -> &Self {
        for (field, code) in expected {
            assert!(
                self.has_field_error(field, code),
                "{field} {code} in {:#}",
                self.body
            );
        }
        self
    }

    /// Whether the field errors include (field, code).
    pub fn has_field_error(&self, field: &str, code: &str) -> bool {
        self.field_errors()
            .iter()
            .any(|(f, c)| f == field && c == code)
    }
}

/// An HTTP client that connects from its own loopback address (127.x.y.z), so that per-IP limits
/// of one test do not spill into another.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    pub stack: Stack,
    pub ip: Ipv4Addr,
}

impl Client {
    pub fn new(stack: &Stack) -> Self {
        let mut bytes = [0u8; 3];
        getrandom::fill(&mut bytes).expect("random");
        let ip = Ipv4Addr::new(127, bytes[0].max(1), bytes[1], bytes[2].max(2));
        let http = reqwest::Client::builder()
            .local_address(IpAddr::V4(ip))
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client");
        Self {
            http,
            stack: stack.clone(),
            ip,
        }
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Answer {
        self.send_with_headers(method, path, token, body, &[]).await
    }

    /// As [`Client::send`], with more request headers (`If-None-Match`, `Idempotency-Key`, …).
    pub async fn send_with_headers(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut request = self
            .http
            .request(method, format!("{}{}", self.stack.base_url, path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        Self::answer(request.send().await.expect("the local API answers")).await
    }

    /// Sends raw bytes with a given content type (for malformed input).
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Answer {
        let mut request = self
            .http
            .request(method, format!("{}{}", self.stack.base_url, path))
            .body(body);
        if let Some(ct) = content_type {
            request = request.header("content-type", ct);
        }
        Self::answer(request.send().await.expect("the local API answers")).await
    }

    async fn answer(response: reqwest::Response) -> Answer {
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("body");
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        // Every answer of every test names its request (issue 30): the header, and a problem
        // body's `instance`.
        let request_id = headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(
            !request_id.is_empty(),
            "{status} without X-Request-Id: {body:#}"
        );
        if !bytes.is_empty()
            && headers
                .get("content-type")
                .is_some_and(|v| v.as_bytes() == b"application/problem+json")
        {
            assert_eq!(body["instance"], request_id, "the problem's instance");
            assert_speaks_to_people(&body);
        }
        Answer {
            status,
            headers,
            body,
            bytes: bytes.to_vec(),
        }
    }

    pub async fn post(&self, path: &str, body: &Value) -> Answer {
        self.send(Method::POST, path, None, Some(body)).await
    }

    pub async fn post_auth(&self, path: &str, token: &str, body: &Value) -> Answer {
        self.send(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn patch_auth(&self, path: &str, token: &str, body: &Value) -> Answer {
        self.send(Method::PATCH, path, Some(token), Some(body))
            .await
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, None, None).await
    }

    pub async fn get_auth(&self, path: &str, token: &str) -> Answer {
        self.send(Method::GET, path, Some(token), None).await
    }

    /// Every SMS the emulator holds for this phone, oldest first (as delivered so far: messages
    /// leave through the queue and the sender, after the answer).
    pub async fn sms_messages(&self, phone: &str) -> Vec<String> {
        let url = format!("{}/moto-api/data.json", self.stack.sns_url);
        // moto dumps every service's state here; while other requests change that state it may
        // answer with an error page: read again.
        let mut data = Value::Null;
        for attempt in 0..50 {
            let read = match reqwest::get(&url).await {
                Ok(response) => response.json::<Value>().await.ok(),
                Err(_) => None,
            };
            match read {
                Some(value) => {
                    data = value;
                    break;
                }
                None if attempt < 49 => tokio::time::sleep(Duration::from_millis(50)).await,
                None => panic!("the emulator's {url} answered no JSON 50 times"),
            }
        }
        let e164 = format!("+86{phone}");
        data["sns"]["SMS"]
            .as_array()
            .map(|all| {
                all.iter()
                    .filter(|m| m["phone_number"] == e164.as_str())
                    .filter_map(|m| m["message"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The SMS to this phone once at least `count` have been delivered (fails after 10 s).
    pub async fn sms_delivered(&self, phone: &str, count: usize) -> Vec<String> {
        self.sms_until(phone, &format!("{count} SMS"), |messages| {
            messages.len() >= count
        })
        .await
    }

    /// The SMS delivered to `phone` once one of them contains `text` (an SMS is sent from a
    /// queue: it may still be on its way when the request that queued it has answered).
    pub async fn sms_delivered_containing(&self, phone: &str, text: &str) -> Vec<String> {
        self.sms_until(phone, &format!("an SMS with {text}"), |messages| {
            messages.iter().any(|m| m.contains(text))
        })
        .await
    }

    async fn sms_until(
        &self,
        phone: &str,
        expected: &str,
        enough: impl Fn(&[String]) -> bool,
    ) -> Vec<String> {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let messages = self.sms_messages(phone).await;
            if enough(&messages) {
                return messages;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{expected} to {phone} expected, {} delivered after 10 s: {messages:?}",
                messages.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Runs `request` (which queues one SMS to `phone`) and returns its answer and, when it was
    /// accepted, the text delivered.
    pub async fn with_next_sms<F: std::future::Future<Output = Answer>>(
        &self,
        phone: &str,
        request: F,
    ) -> (Answer, Option<String>) {
        let before = self.sms_messages(phone).await.len();
        let answer = request.await;
        if !answer.status.is_success() {
            return (answer, None);
        }
        let mut messages = self.sms_delivered(phone, before + 1).await;
        (answer, messages.pop())
    }

    /// The code of the `count`th SMS to this phone, once it has arrived.
    pub async fn nth_code(&self, phone: &str, count: usize) -> String {
        let messages = self.sms_delivered(phone, count).await;
        let message = messages.last().expect("delivered");
        fixtures::six_digit_code(message).unwrap_or_else(|| panic!("no 6-digit code in {message}"))
    }

    /// `POST /v1/sms-codes` without a session.
    pub async fn request_code(&self, phone: &str, purpose: &str) -> Answer {
        let body = serde_json::json!({"phone": phone, "purpose": purpose});
        self.post("/v1/sms-codes", &body).await
    }

    /// Asks for a code and returns it, read from the emulator once delivered.
    pub async fn code_for(&self, phone: &str, purpose: &str) -> String {
        self.code_from(phone, self.request_code(phone, purpose))
            .await
    }

    /// Runs `request` (a `POST /v1/sms-codes` that must answer 202) and returns the code that
    /// reaches `phone`.
    pub async fn code_from<F: std::future::Future<Output = Answer>>(
        &self,
        phone: &str,
        request: F,
    ) -> String {
        let before = self.sms_messages(phone).await.len();
        let answer = request.await;
        assert_eq!(answer.status, 202, "sms code: {:#}", answer.body);
        // The code's own SMS: a notice an earlier request queued (a password changed, say) may
        // still be on its way, and arrive first.
        let with_code = |messages: &[String]| {
            messages
                .iter()
                .skip(before)
                .find_map(|m| fixtures::six_digit_code(m))
        };
        let messages = self
            .sms_until(phone, "an SMS with a code", |m| with_code(m).is_some())
            .await;
        with_code(&messages).expect("a code")
    }
}

/// A benchmark's numeric arguments, in order; `1_000_000` and `1,000,000` read as 1000000, and
/// anything not a number is skipped.
pub fn bench_args() -> Vec<usize> {
    std::env::args()
        .skip(1)
        .filter_map(|a| a.replace(['_', ','], "").parse().ok())
        .collect()
}

/// Every route of the route table (`functions/src/routes.rs`, which `template.yaml`'s route
/// functions are written from), as (upper-case method, path template).
pub fn declared_routes() -> std::collections::BTreeSet<(String, String)> {
    functions::ROUTES
        .iter()
        .map(|route| (route.method.to_owned(), route.path.to_owned()))
        .collect()
}
