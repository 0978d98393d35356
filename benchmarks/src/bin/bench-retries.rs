//! Retries and sessions benchmark (issue 30): what an `Idempotency-Key` costs a change, what a
//! replay costs, and what a refresh costs, through the local API.
//!
//! Series, each of N requests one after another (one client, so that latency is the request's own):
//! `POST /v1/me/houses` without a key, the same with a fresh key each, the same requests again
//! with their keys (replays), and N refreshes of one session in a chain. For each: p50 and p99
//! latency and the DynamoDB calls per request (counted in-process); then the write units of the
//! key's record, from the sizes of the records it left (read back in-process).
//!
//! Run with `make bench ARGS="retries [requests]"` (default 300); release build.

use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::AttributeValue;
use e2e_tests::houses::{link_body, seed_building, unique_name_part};
use e2e_tests::{Answer, Client, Stack, Workers, fixtures, start_with};
use reqwest::Method;
use serde_json::{Value, json};

struct Series {
    name: &'static str,
    samples: Vec<Duration>,
    calls: u64,
}

impl Series {
    fn ms(&self, p: f64) -> f64 {
        let mut sorted: Vec<f64> = self.samples.iter().map(|d| d.as_secs_f64() * 1e3).collect();
        sorted.sort_by(f64::total_cmp);
        let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted.get(i).copied().unwrap_or(0.0)
    }

    fn row(&self) -> String {
        format!(
            "| {:<44} | {:>5} | {:>8.2} | {:>8.2} | {:>6.2} |",
            self.name,
            self.samples.len(),
            self.ms(0.5),
            self.ms(0.99),
            self.calls as f64 / self.samples.len().max(1) as f64
        )
    }
}

/// Runs `send` for each of `inputs`, one after another, asserting each answers `expect`.
async fn series<T, F, Fut>(
    stack: &Stack,
    name: &'static str,
    inputs: Vec<T>,
    expect: u16,
    send: F,
) -> (Series, Vec<Answer>)
where
    F: Fn(T) -> Fut,
    Fut: Future<Output = Answer>,
{
    let before = stack.operation_counts().calls;
    let mut samples = Vec::new();
    let mut answers = Vec::new();
    for input in inputs {
        let started = Instant::now();
        let answer = send(input).await;
        samples.push(started.elapsed());
        assert_eq!(answer.status.as_u16(), expect, "{name}: {:#}", answer.body);
        answers.push(answer);
    }
    let calls = stack.operation_counts().calls - before;
    (
        Series {
            name,
            samples,
            calls,
        },
        answers,
    )
}

/// DynamoDB's size of an attribute value (names and values in UTF-8, numbers about a byte per two
/// digits, a list 3 bytes plus a byte per element).
fn value_size(value: &AttributeValue) -> usize {
    match value {
        AttributeValue::S(s) => s.len(),
        AttributeValue::N(n) => n.len().div_ceil(2) + 1,
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::L(list) => 3 + list.iter().map(|v| value_size(v) + 1).sum::<usize>(),
        AttributeValue::M(map) => {
            3 + map
                .iter()
                .map(|(k, v)| k.len() + value_size(v) + 1)
                .sum::<usize>()
        }
        _ => 0,
    }
}

#[tokio::main]
async fn main() {
    let n = e2e_tests::bench_args()
        .first()
        .copied()
        .unwrap_or(300)
        .max(2);
    let stack = start_with(
        &[("SMS_HOURLY_LIMIT_PER_IP", "100000000")],
        Workers::default(),
    );
    let ctx = stack.context();
    let client = Client::new(&stack);
    let (user, token) = fixtures::logged_in(&client, "residence_registration").await;
    // Three houses per request: without a key, with a key; the replays repeat the second.
    let rooms: Vec<String> = (0..2 * n).map(|i| format!("{}", 1000 + i)).collect();
    let room_refs: Vec<&str> = rooms.iter().map(String::as_str).collect();
    let seeded = seed_building(&stack, "440303001", &unique_name_part(), &room_refs).await;
    let house = |i: usize| link_body(&seeded.house_id(&rooms[i]), "lessor");
    let post = |body: Value, key: Option<String>| {
        let client = client.clone();
        let token = token.clone();
        async move {
            let headers: Vec<(&str, &str)> = match &key {
                Some(key) => vec![("Idempotency-Key", key.as_str())],
                None => Vec::new(),
            };
            client
                .send_with_headers(
                    Method::POST,
                    "/v1/me/houses",
                    Some(&token),
                    Some(&body),
                    &headers,
                )
                .await
        }
    };

    let (plain, _) = series(
        &stack,
        "POST /v1/me/houses, no key",
        (0..n).collect(),
        201,
        |i| post(house(i), None),
    )
    .await;
    let keys: Vec<String> = (0..n).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    let keyed_inputs: Vec<(usize, String)> = (0..n).map(|i| (n + i, keys[i].clone())).collect();
    let (keyed, _) = series(
        &stack,
        "POST /v1/me/houses, a fresh Idempotency-Key",
        keyed_inputs.clone(),
        201,
        |(i, key)| post(house(i), Some(key)),
    )
    .await;
    let (replayed, answers) = series(
        &stack,
        "the same again (replayed)",
        keyed_inputs,
        201,
        |(i, key)| post(house(i), Some(key)),
    )
    .await;
    assert!(answers.iter().all(|a| {
        a.headers
            .get("idempotent-replayed")
            .is_some_and(|v| v == "true")
    }));

    // A chain of refreshes of one session.
    let login = fixtures::login_answer(&client, &user, &fixtures::device_id()).await;
    let refresh_token = std::sync::Mutex::new(login["refresh_token"].as_str().unwrap().to_owned());
    let (refreshes, _) = series(
        &stack,
        "POST /v1/sessions/refresh",
        (0..n).collect(),
        201,
        |_| {
            let client = client.clone();
            let current = refresh_token.lock().unwrap().clone();
            let refresh_token = &refresh_token;
            async move {
                let answer = client
                    .post("/v1/sessions/refresh", &json!({"refresh_token": current}))
                    .await;
                if let Some(next) = answer.body["refresh_token"].as_str() {
                    *refresh_token.lock().unwrap() = next.to_owned();
                }
                answer
            }
        },
    )
    .await;

    // The key's record: its size while claimed and once its answer is kept.
    let record = ctx
        .db
        .client
        .get_item()
        .table_name(&ctx.config.tables.idempotency)
        .key(
            "pk",
            AttributeValue::S(shared::services::idempotency::record_key(
                &ctx.config.hash_key,
                Some(&user.account_id),
                &keys[0],
            )),
        )
        .consistent_read(true)
        .send()
        .await
        .expect("DynamoDB answers")
        .item
        .expect("the key's record");
    let kept: usize = record.iter().map(|(k, v)| k.len() + value_size(v)).sum();
    let claimed: usize = record
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "status" | "headers" | "sealed_body"))
        .map(|(k, v)| k.len() + value_size(v))
        .sum();
    let units = |bytes: usize| bytes.div_ceil(1024).max(1);
    let session = shared::store::accounts::session(&ctx.db, &user.account_id)
        .await
        .unwrap()
        .expect("a session");
    let session_item = ctx
        .db
        .client
        .get_item()
        .table_name(&ctx.config.tables.accounts)
        .key("pk", AttributeValue::S(session.pk.clone()))
        .key("sk", AttributeValue::S(session.sk.clone()))
        .consistent_read(true)
        .send()
        .await
        .expect("DynamoDB answers")
        .item
        .expect("the session item");
    let session_bytes: usize = session_item
        .iter()
        .map(|(k, v)| k.len() + value_size(v))
        .sum();

    println!("retries benchmark: {n} requests per series, one client, release build\n");
    println!(
        "| request                                      |     n | p50 (ms) | p99 (ms) | calls  |"
    );
    println!(
        "|----------------------------------------------|------:|---------:|---------:|-------:|"
    );
    for s in [&plain, &keyed, &replayed, &refreshes] {
        println!("{}", s.row());
    }
    println!();
    println!(
        "key record: {claimed} bytes claimed, {kept} bytes with its answer kept (sealed); \
         claim {} write unit(s), the mark in the transaction 2, keeping the answer {}; \
         a replay's failed claim {} (a failed conditional write is charged by the item's size)",
        units(claimed),
        units(kept),
        units(kept)
    );
    println!(
        "session item after {n} refreshes: {session_bytes} bytes (16 spent prints at most): \
         a refresh reads 2 items (session, profile: 1 unit each) and writes {} unit(s)",
        units(session_bytes)
    );
}
