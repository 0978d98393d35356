//! The Lambda binary as Lambda runs it: a process started with a function's environment, asking a
//! Runtime API for work. [`RuntimeApi`] is a minimal Lambda Runtime API (the 2018-06-01 interface
//! `lambda_runtime` speaks: `invocation/next`, `…/response`, `…/error`, `init/error`) that hands
//! out one event and keeps the answer; [`cold_start`] starts the binary under it and times the
//! start: until the runtime first asks for work, and until it answers.
//!
//! Used by `tests/e2e/lambda_binaries.rs` (every function answers its route) and the cold-start
//! benchmark (`make bench ARGS=cold`).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use serde_json::{Value, json};
use tokio::sync::Notify;

use crate::fixtures;
use crate::houses::{approved_link, link_body, seed_building, staff_session, unique_name_part};
use crate::permits::{eligible_holder, issued_permit};
use crate::residents::{declared, resident_body};
use crate::units::{add_sub_account, open_permit_unit, open_unit};

/// The package a function of the template runs from: its `CodeUri` (one of the directories
/// `make lambdas` lays out under `build/lambda/`).
pub fn package_of(function: &infra::template::FunctionDef) -> PathBuf {
    let code_uri = function
        .code_uri
        .as_deref()
        .unwrap_or_else(|| panic!("{} has no CodeUri", function.logical_id));
    infra::template::repo_root().join(code_uri)
}

/// What the runtime API saw of one start.
#[derive(Debug, Default)]
struct Seen {
    /// When the runtime first asked for work.
    first_next: Option<Instant>,
    /// The answer: `(when, "response" | "error" | "init/error", body)`.
    answer: Option<(Instant, &'static str, Value)>,
    delivered: bool,
}

#[derive(Clone)]
struct Shared {
    event: Arc<Value>,
    seen: Arc<Mutex<Seen>>,
    answered: Arc<Notify>,
}

/// A Runtime API for one start of one function: it hands out `event` once (later asks wait).
pub struct RuntimeApi {
    pub address: SocketAddr,
    shared: Shared,
    server: tokio::task::JoinHandle<()>,
}

const REQUEST_ID: &str = "8476a536-e9f4-11e8-9739-2dfe598c3fcd";

impl RuntimeApi {
    pub async fn start(event: Value) -> Self {
        let shared = Shared {
            event: Arc::new(event),
            seen: Arc::default(),
            answered: Arc::default(),
        };
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route(
                "/2018-06-01/runtime/invocation/{id}/response",
                post(|s, id, b| answer(s, id, b, "response")),
            )
            .route(
                "/2018-06-01/runtime/invocation/{id}/error",
                post(|s, id, b| answer(s, id, b, "error")),
            )
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("bind the runtime API");
        let address = listener.local_addr().expect("its address");
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            address,
            shared,
            server,
        }
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn next(State(shared): State<Shared>) -> (StatusCode, HeaderMap, String) {
    let first = {
        let mut seen = shared.seen.lock().unwrap();
        seen.first_next.get_or_insert_with(Instant::now);
        !std::mem::replace(&mut seen.delivered, true)
    };
    if !first {
        // One event per start: the runtime waits here until the test ends the process.
        std::future::pending::<()>().await;
    }
    let deadline = chrono::Utc::now().timestamp_millis() + 30_000;
    let mut headers = HeaderMap::new();
    let put = |headers: &mut HeaderMap, name: &'static str, value: String| {
        headers.insert(name, value.parse().expect("a header value"));
    };
    put(
        &mut headers,
        "lambda-runtime-aws-request-id",
        REQUEST_ID.into(),
    );
    put(
        &mut headers,
        "lambda-runtime-deadline-ms",
        deadline.to_string(),
    );
    put(
        &mut headers,
        "lambda-runtime-invoked-function-arn",
        "arn:aws:lambda:ap-southeast-1:123456789012:function:platform".into(),
    );
    put(
        &mut headers,
        "lambda-runtime-trace-id",
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1".into(),
    );
    put(&mut headers, "content-type", "application/json".into());
    (StatusCode::OK, headers, shared.event.to_string())
}

async fn answer(
    State(shared): State<Shared>,
    UrlPath(_id): UrlPath<String>,
    body: String,
    kind: &'static str,
) -> StatusCode {
    record(&shared, kind, &body);
    StatusCode::ACCEPTED
}

async fn init_error(State(shared): State<Shared>, body: String) -> StatusCode {
    record(&shared, "init/error", &body);
    StatusCode::ACCEPTED
}

fn record(shared: &Shared, kind: &'static str, body: &str) {
    let value = serde_json::from_str(body).unwrap_or_else(|_| Value::String(body.to_owned()));
    shared
        .seen
        .lock()
        .unwrap()
        .answer
        .get_or_insert((Instant::now(), kind, value));
    shared.answered.notify_one();
}

/// One start of the binary, timed from the moment the process was spawned.
#[derive(Debug)]
pub struct Start {
    /// Until the runtime first asked for work (the init phase).
    pub to_first_next: Duration,
    /// Until it answered the event.
    pub to_answer: Duration,
    /// `response`, or `error` (the handler failed).
    pub kind: &'static str,
    /// What it answered (for an HTTP function, the API Gateway v2 response).
    pub answer: Value,
    /// What the process logged meanwhile.
    pub output: String,
}

/// A start that ended before an answer.
#[derive(Debug)]
pub struct Failed {
    /// The exit code (None when it was still running at the time limit, or killed by a signal).
    pub exit_code: Option<i32>,
    /// What it logged (stdout, then stderr).
    pub output: String,
    /// An `init/error` it reported, if any.
    pub init_error: Option<Value>,
}

/// Starts `bootstrap` (working directory: its package, as Lambda's `/var/task`) with exactly
/// `environment` plus the Runtime API's address, hands it `event`, and ends it once it has
/// answered (or after `limit`).
pub async fn cold_start(
    bootstrap: &Path,
    environment: &BTreeMap<String, String>,
    event: Value,
    limit: Duration,
) -> Result<Start, Failed> {
    let api = RuntimeApi::start(event).await;
    let package = bootstrap.parent().expect("a package directory");
    let started = Instant::now();
    let mut child = tokio::process::Command::new(bootstrap)
        .current_dir(package)
        .env_clear()
        .envs(environment)
        .env("AWS_LAMBDA_RUNTIME_API", api.address.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("piped");
    let stderr = child.stderr.take().expect("piped");
    let collect = |stream: Box<dyn tokio::io::AsyncRead + Unpin + Send>| {
        tokio::spawn(async move {
            use tokio::io::AsyncReadExt;
            let mut stream = stream;
            let mut text = String::new();
            let _ = stream.read_to_string(&mut text).await;
            text
        })
    };
    let stdout = collect(Box::new(stdout));
    let stderr = collect(Box::new(stderr));
    let answered = api.shared.answered.clone();
    let outcome = tokio::select! {
        _ = answered.notified() => None,
        status = child.wait() => Some(status.ok().and_then(|s| s.code())),
        _ = tokio::time::sleep(limit) => Some(None),
    };
    let _ = child.kill().await;
    let output = format!(
        "{}{}",
        stdout.await.unwrap_or_default(),
        stderr.await.unwrap_or_default()
    );
    let seen = std::mem::take(&mut *api.shared.seen.lock().unwrap());
    match (outcome, seen.answer) {
        (None, Some((at, kind, answer))) if kind != "init/error" => Ok(Start {
            to_first_next: seen.first_next.unwrap_or(at) - started,
            to_answer: at - started,
            kind,
            answer,
            output,
        }),
        (exit, answer) => Err(Failed {
            exit_code: exit.flatten(),
            output,
            init_error: answer.map(|(_, _, body)| body),
        }),
    }
}

/// An API Gateway HTTP API (payload 2.0) event for `method path` on the template's `route` (its
/// path parameters filled from `path`), as API Gateway sends it to a function.
pub fn http_event(
    method: &str,
    route: &str,
    path_and_query: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Value {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let mut parameters = serde_json::Map::new();
    for (pattern, value) in route.split('/').zip(path.split('/')) {
        if let Some(name) = pattern.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            parameters.insert(name.to_owned(), Value::String(value.to_owned()));
        }
    }
    let mut query_parameters = serde_json::Map::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        query_parameters.insert(name.to_owned(), Value::String(value.to_owned()));
    }
    let mut headers = serde_json::Map::new();
    headers.insert("host".into(), "api.szjzz.example".into());
    headers.insert("user-agent".into(), "lambda-binaries-test".into());
    if let Some(token) = token {
        headers.insert("authorization".into(), format!("Bearer {token}").into());
    }
    if body.is_some() {
        headers.insert("content-type".into(), "application/json".into());
    }
    let now = chrono::Utc::now();
    let mut event = json!({
        "version": "2.0",
        "routeKey": format!("{method} {route}"),
        "rawPath": path,
        "rawQueryString": query,
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": "api.szjzz.example",
            "domainPrefix": "api",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "198.51.100.7",
                "userAgent": "lambda-binaries-test"
            },
            "requestId": "JKJaXmPLvHcESHA=",
            "routeKey": format!("{method} {route}"),
            "stage": "$default",
            "time": now.format("%d/%b/%Y:%H:%M:%S +0000").to_string(),
            "timeEpoch": now.timestamp_millis()
        },
        "isBase64Encoded": false
    });
    if !parameters.is_empty() {
        event["pathParameters"] = Value::Object(parameters);
    }
    if !query_parameters.is_empty() {
        event["queryStringParameters"] = Value::Object(query_parameters);
    }
    if let Some(body) = body {
        event["body"] = Value::String(body.to_string());
    }
    event
}

/// The environment a deployed function gets, for the local emulators: the template's variables
/// (global, then the function's), `SECRETS_ID` naming `secret_id` (a secret on the moto server),
/// the Lambda runtime's own variables, fake credentials with the emulators' endpoints, and for
/// a function that issues documents the emulator's KMS key `document_key`.
pub fn lambda_environment(
    stack: &crate::Stack,
    template: &infra::template::Template,
    function: &infra::template::FunctionDef,
    secret_id: &str,
    document_key: &crate::documents::KmsDocumentKey,
) -> BTreeMap<String, String> {
    let mut vars = infra::local::env::deployed_variables(
        template,
        &function.environment,
        stack.endpoints(),
        secret_id,
    );
    // An issuing function signs with the emulator's KMS key (the template names the stack's key
    // with intrinsic functions, which have no local value).
    if function.environment.contains_key("DOCUMENT_SIGNING_KEY") {
        for (name, value) in document_key.variables() {
            vars.insert(name.to_owned(), value);
        }
    }
    let endpoints = stack.endpoints();
    for (name, value) in [
        ("AWS_REGION", endpoints.region.as_str()),
        ("AWS_DEFAULT_REGION", endpoints.region.as_str()),
        ("AWS_ACCESS_KEY_ID", "local"),
        ("AWS_SECRET_ACCESS_KEY", "local"),
        ("AWS_SESSION_TOKEN", "local"),
        ("AWS_ENDPOINT_URL", endpoints.sqs.as_str()),
        ("AWS_ENDPOINT_URL_SNS", endpoints.sns.as_str()),
        ("AWS_ENDPOINT_URL_DYNAMODB", endpoints.dynamodb.as_str()),
        ("AWS_LAMBDA_FUNCTION_NAME", function.logical_id.as_str()),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512"),
        ("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/platform"),
        ("AWS_LAMBDA_LOG_STREAM_NAME", "2026/12/02/[$LATEST]local"),
        ("LAMBDA_TASK_ROOT", "/var/task"),
        ("_HANDLER", "bootstrap"),
        ("TZ", ":UTC"),
    ] {
        vars.insert(name.to_owned(), value.to_owned());
    }
    vars
}

/// Puts the local secrets (JWT keys, data key, credential) on the moto server's Secrets Manager
/// as one JSON secret under a name of its own, as the deployed stack keeps them; returns the name.
pub async fn put_local_secret(stack: &crate::Stack) -> String {
    put_secret(stack, &infra::local::env::local_secret_json().to_string()).await
}

/// Creates a secret holding `content` on the moto server; returns its name.
pub async fn put_secret(stack: &crate::Stack, content: &str) -> String {
    let endpoints = stack.endpoints();
    let config = aws_sdk_secretsmanager::config::Builder::new()
        .behavior_version(aws_sdk_secretsmanager::config::BehaviorVersion::latest())
        .region(aws_sdk_secretsmanager::config::Region::new(
            endpoints.region.clone(),
        ))
        .credentials_provider(aws_sdk_secretsmanager::config::Credentials::new(
            "local", "local", None, None, "local",
        ))
        .endpoint_url(&endpoints.sqs)
        .build();
    let name = format!("szjzz/platform-secrets-{}", uuid::Uuid::new_v4().simple());
    aws_sdk_secretsmanager::Client::from_conf(config)
        .create_secret()
        .name(&name)
        .secret_string(content)
        .send()
        .await
        .expect("the secret is created on the moto server");
    name
}

/// One function's event and the status its answer must have.
pub struct Call {
    pub function: &'static str,
    pub event: Value,
    pub expect: u16,
}

/// The API event of `function`'s route (from the route table) for `path`.
fn http(
    function: &'static str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
    expect: u16,
) -> Call {
    let route = functions::routes::route(function)
        .unwrap_or_else(|| panic!("{function} is not in the route table"));
    Call {
        function,
        event: http_event(route.method, route.path, path, token, body.as_ref()),
        expect,
    }
}

/// The DynamoDB stream event of a registration's declaration, as the event source mapping hands
/// it to the publisher: the item as the table holds it, as the new image of an insert.
async fn stream_insert(stack: &crate::Stack, link_id: &str, registration_id: &str) -> Value {
    let ctx = stack.context();
    let table = &ctx.config.tables.registrations;
    let item = ctx
        .db
        .client
        .get_item()
        .table_name(table)
        .set_key(Some(shared::store::keys::registration_key(
            link_id,
            registration_id,
        )))
        .send()
        .await
        .expect("the registration is read")
        .item
        .expect("the registration is there");
    let keys: shared::store::Item = ["pk", "sk"]
        .into_iter()
        .filter_map(|name| Some((name.to_owned(), item.get(name)?.clone())))
        .collect();
    let image = |item: shared::store::Item| {
        serde_json::to_value(serde_dynamo::Item::from(item)).expect("DynamoDB JSON")
    };
    json!({"Records": [{
        "eventID": "c4ca4238a0b923820dcc509a6f75849b",
        "eventName": "INSERT",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": stack.endpoints().region,
        "dynamodb": {
            "ApproximateCreationDateTime": chrono::Utc::now().timestamp(),
            "Keys": image(keys),
            "NewImage": image(item),
            "SequenceNumber": "4421584500000000017450439091",
            "SizeBytes": 1024,
            "StreamViewType": "NEW_AND_OLD_IMAGES"
        },
        "eventSourceARN": format!(
            "arn:aws:dynamodb:{}:123456789012:table/{table}/stream/2026-12-01T00:00:00.000",
            stack.endpoints().region
        )
    }]})
}

/// The events of [`one_event_per_function`], and what to look for in what the functions log.
pub struct Events {
    pub calls: Vec<Call>,
    /// The phone the SMS sender's event sends to (`+86` not included).
    pub sms_phone: String,
    /// The session tokens the events carry (none may appear in a log).
    pub tokens: Vec<String>,
    /// Phone and ID numbers the events' bodies carry (none may appear in a log either).
    pub personal: Vec<String>,
}

/// One event for each function of the template, with the status its answer must have: HTTP
/// requests of each route by a caller allowed on it (on objects made here through the in-process
/// API); three changing routes with a real change (an SMS code, a house link, a move-in), the
/// other changing routes with a body they refuse (400: read only after the caller and the object
/// are checked) unless the change is harmless; an SQS batch of one SMS for the sender and a day
/// with nothing due for the daily job.
pub async fn one_event_per_function(client: &crate::Client) -> Events {
    let stack = &client.stack;
    // The callers and objects of the events, made through the in-process API.
    let (_, staff) = staff_session(client).await;
    let (citizen, citizen_token, link) = approved_link(client, &staff).await;
    let link_id = link["link_id"].as_str().unwrap().to_owned();
    let registration = declared(client, &citizen_token, &link_id, &resident_body()).await;
    let id = |v: &Value, name: &str| v[name].as_str().unwrap().to_owned();
    let registration_id = id(&registration, "registration_id");
    let receipt_no = id(&registration, "receipt_no");
    let (holder, holder_token) = eligible_holder(client, &staff).await;
    let (application, permit) = issued_permit(client, &holder, &holder_token).await;
    let application_id = id(&application, "application_id");
    let permit_no = id(&permit, "permit_no");
    let unit = open_unit(client, &staff, &["101"]).await;
    let (member, _) = add_sub_account(client, &unit.admin_token, &unit.link_ids).await;
    let (_, _, agent_token) = open_permit_unit(client, &staff).await;
    let (_, leaving_token) = fixtures::logged_in(client, "residence_registration").await;
    let building = seed_building(stack, "440309001", &unique_name_part(), &["101"]).await;
    let building_id = building.building.building_id.clone();

    let code_phone = fixtures::phone();
    let mover = resident_body();
    let personal = vec![
        code_phone.clone(),
        id(&mover, "id_number"),
        id(&mover, "phone"),
    ];
    let empty = || Some(json!({}));
    let unknown = || Some(json!({"unknown": true}));
    let citizen_t = Some(citizen_token.as_str());
    let holder_t = Some(holder_token.as_str());
    let staff_t = Some(staff.as_str());
    let admin_t = Some(unit.admin_token.as_str());
    let agent_t = Some(agent_token.as_str());
    let registration_path = format!("/v1/registrations/{registration_id}");
    let declaration = stream_insert(stack, &link_id, &registration_id).await;
    let queued = json!({
        "phone": format!("+86{}", citizen.phone),
        "text": "【深圳居住登记】Lambda 运行测试",
        "purpose": "lambda_binaries_test"
    });
    #[rustfmt::skip]
    let calls = vec![
        // Real writes from the binary: an SMS code (rate counters, the code, the SQS send), a house
        // link (a transaction), a move-in (a transaction the stream takes to the publisher).
        http("create-sms-code", "/v1/sms-codes", None,
             Some(json!({"phone": code_phone, "purpose": "register"})), 202),
        http("create-account", "/v1/accounts", None, empty(), 400),
        http("create-session", "/v1/sessions", None, empty(), 400),
        http("refresh-session", "/v1/sessions/refresh", None,
             Some(json!({"refresh_token": "not-a-token"})), 401),
        http("reset-password", "/v1/password-resets", None, empty(), 400),
        http("delete-session", "/v1/sessions/current", Some(&leaving_token), None, 204),
        http("get-me", "/v1/me", citizen_t, None, 200),
        http("change-password", "/v1/me/password", citizen_t, empty(), 400),
        http("change-phone", "/v1/me/phone", citizen_t, empty(), 400),
        http("list-districts", "/v1/districts", None, None, 200),
        http("search-buildings",
             &format!("/v1/buildings?street=440309001&q={}", building.building.name), None, None, 200),
        http("list-building-houses",
             &format!("/v1/buildings/{building_id}/houses"), None, None, 200),
        http("list-my-houses", "/v1/me/houses", citizen_t, None, 200),
        http("create-house-link", "/v1/me/houses", citizen_t,
             Some(link_body(&building.house_id("101"), "lessor")), 201),
        http("deregister-house-link",
             &format!("/v1/me/houses/{link_id}/deregistration"), citizen_t, empty(), 400),
        http("list-house-links", "/v1/staff/house-links?status=pending", staff_t, None, 200),
        http("decide-house-link",
             &format!("/v1/staff/house-links/{link_id}/decision"), staff_t, empty(), 400),
        http("list-residents",
             &format!("/v1/me/houses/{link_id}/residents"), citizen_t, None, 200),
        http("declare-resident",
             &format!("/v1/me/houses/{link_id}/residents"), citizen_t, Some(mover), 201),
        http("list-link-residents",
             &format!("/v1/staff/house-links/{link_id}/residents"), staff_t, None, 200),
        http("declare-resident-at-counter",
             &format!("/v1/staff/house-links/{link_id}/residents"), staff_t, empty(), 400),
        http("get-registration", &registration_path, citizen_t, None, 200),
        http("update-registration", &registration_path, citizen_t, empty(), 400),
        http("deregister-registration",
             &format!("{registration_path}/deregistration"), citizen_t, empty(), 400),
        // Rendered with the font of its package.
        http("get-registration-receipt",
             &format!("{registration_path}/receipt"), citizen_t, None, 200),
        // A wrong check code: not genuine (the same answer as an unknown number).
        http("check-receipt",
             &format!("/v1/receipts/{receipt_no}?check_code=ABCD2345"), None, None, 200),
        http("list-residence-records", "/v1/me/residence-records", holder_t, None, 200),
        http("list-my-data-access", "/v1/me/data-access", holder_t, None, 200),
        http("open-account", "/v1/staff/accounts", staff_t, empty(), 400),
        http("open-unit", "/v1/staff/units", staff_t, empty(), 400),
        http("list-sub-accounts", "/v1/unit/sub-accounts", admin_t, None, 200),
        http("create-sub-account", "/v1/unit/sub-accounts", admin_t, empty(), 400),
        http("update-sub-account",
             &format!("/v1/unit/sub-accounts/{}", member.account_id), admin_t, empty(), 400),
        http("deactivate-sub-account",
             &format!("/v1/unit/sub-accounts/{}/deactivation", member.account_id), admin_t, empty(), 200),
        http("verify-identity", "/v1/me/identity-verification", holder_t, unknown(), 400),
        http("verify-identity-at-counter",
             &format!("/v1/staff/accounts/{}/identity-verification", citizen.account_id), staff_t, unknown(), 400),
        http("suspend-account",
             &format!("/v1/staff/accounts/{}/suspension", citizen.account_id), staff_t, empty(), 400),
        http("get-permit-eligibility", "/v1/me/permit-eligibility", holder_t, None, 200),
        http("create-permit-application", "/v1/me/permit-applications", holder_t, empty(), 400),
        http("list-permit-applications", "/v1/me/permit-applications", holder_t, None, 200),
        http("get-permit-application",
             &format!("/v1/permit-applications/{application_id}"), holder_t, None, 200),
        http("withdraw-permit-application",
             &format!("/v1/permit-applications/{application_id}/withdrawal"), holder_t, unknown(), 400),
        // The holder's own application is no unit's filing to consent to.
        http("consent-permit-application",
             &format!("/v1/permit-applications/{application_id}/consent"), holder_t, unknown(), 404),
        http("list-permit-review-queue",
             "/v1/staff/permit-applications?status=submitted", staff_t, None, 200),
        http("decide-permit-application",
             &format!("/v1/staff/permit-applications/{application_id}/decision"), staff_t, empty(), 400),
        http("record-permit-progress",
             &format!("/v1/staff/permit-applications/{application_id}/progress"), staff_t, empty(), 400),
        http("get-my-permit", "/v1/me/permit", holder_t, None, 200),
        // Rendered with the font of its package.
        http("get-permit-card", "/v1/me/permit/card", holder_t, None, 200),
        http("endorse-permit", "/v1/me/permit/endorsements", holder_t, unknown(), 400),
        http("check-permit",
             &format!("/v1/permits/{permit_no}?check_code=ABCD2345"), None, None, 200),
        // A token that is none of ours: the page says so (the store is reached for nothing else).
        http("verify-document", "/v1/verify/not-a-token", None, None, 404),
        http("list-document-keys", "/v1/document-keys", None, None, 200),
        http("cancel-permit",
             &format!("/v1/staff/permits/{permit_no}/cancellation"), staff_t, empty(), 400),
        http("create-unit-permit-application", "/v1/unit/permit-applications", agent_t, empty(), 400),
        http("list-unit-permit-applications", "/v1/unit/permit-applications", agent_t, None, 200),
        http("endorse-unit-permit",
             &format!("/v1/unit/permits/{permit_no}/endorsements"), agent_t, unknown(), 404),
        // The SMS sender: one queued message, delivered to SNS; no failures reported.
        Call {
            function: "send-sms",
            event: json!({"Records": [{
                "messageId": "059f36b4-87a3-44ab-83d2-661975830a7d",
                "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a",
                "body": queued.to_string(),
                "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1545082649183",
                               "SenderId": "AIDAIENQZJOLO23YVJ4VO", "ApproximateFirstReceiveTimestamp": "1545082649185"},
                "messageAttributes": {},
                "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:ap-southeast-1:123456789012:SmsQueue",
                "awsRegion": "ap-southeast-1"
            }]}),
            expect: 200,
        },
        // The event publisher: the declaration's stream record, put on the bus as its views.
        Call {
            function: "publish-events",
            event: declaration,
            expect: 200,
        },
        // The daily run, for a day far off that has nothing due.
        Call {
            function: "run-permit-milestones",
            event: json!({"day": "2099-12-31"}),
            expect: 200,
        },
    ];

    Events {
        calls,
        sms_phone: citizen.phone.clone(),
        personal,
        tokens: vec![
            citizen_token,
            holder_token,
            staff,
            unit.admin_token,
            agent_token,
        ],
    }
}
