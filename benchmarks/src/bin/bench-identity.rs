//! Identity benchmark: registration, login and authenticated reads through the local API, at a
//! chosen concurrency, reporting latency percentiles and throughput.
//!
//! Run with `make bench` (which starts the emulators); see docs/benchmarks.md for results.
//! Arguments: `[accounts] [concurrency]` (default 200 and 16).

use std::time::{Duration, Instant};

use e2e_tests::fixtures::{self, login_body};
use e2e_tests::{Client, start};
use futures::stream::{self, StreamExt};

struct Series {
    name: &'static str,
    samples: Vec<Duration>,
    wall: Duration,
}

impl Series {
    fn report(&mut self) {
        self.samples.sort();
        let pct = |p: f64| {
            let i = ((self.samples.len() as f64 - 1.0) * p).round() as usize;
            self.samples[i].as_secs_f64() * 1000.0
        };
        println!(
            "| {:<34} | {:>6} | {:>8.1} | {:>8.1} | {:>8.1} | {:>8.1} | {:>8.1} |",
            self.name,
            self.samples.len(),
            pct(0.50),
            pct(0.90),
            pct(0.99),
            pct(1.0),
            self.samples.len() as f64 / self.wall.as_secs_f64()
        );
    }
}

async fn timed<F, Fut>(name: &'static str, count: usize, concurrency: usize, op: F) -> Series
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = Duration>,
{
    let started = Instant::now();
    let samples: Vec<Duration> = stream::iter(0..count)
        .map(op)
        .buffer_unordered(concurrency)
        .collect()
        .await;
    Series {
        name,
        samples,
        wall: started.elapsed(),
    }
}

/// Logs every user in on their device (SMS-verifying it the first time); returns the tokens.
async fn log_everyone_in(
    clients: &[Client],
    users: &[fixtures::User],
    devices: &[String],
) -> Vec<String> {
    stream::iter(0..users.len())
        .map(|i| {
            let client = clients[i % clients.len()].clone();
            let (user, device) = (users[i].clone(), devices[i].clone());
            async move { fixtures::login(&client, &user, &device).await }
        })
        .buffer_unordered(clients.len())
        .collect()
        .await
}

#[tokio::main]
async fn main() {
    let args = e2e_tests::bench_args();
    let accounts = args.first().copied().unwrap_or(200);
    let concurrency = args.get(1).copied().unwrap_or(16);
    // Realistic limits would stop a benchmark from one machine; everything else is as deployed.
    let stack = start(&[("SMS_HOURLY_LIMIT_PER_IP", "100000000")]);
    let clients: Vec<Client> = (0..concurrency).map(|_| Client::new(&stack)).collect();

    let sms = timed(
        "POST /v1/sms-codes (register)",
        accounts,
        concurrency,
        |i| {
            let client = clients[i % concurrency].clone();
            async move {
                let phone = fixtures::phone();
                let t = Instant::now();
                let answer = client.request_code(&phone, "register").await;
                assert_eq!(answer.status, 202, "{:#}", answer.body);
                t.elapsed()
            }
        },
    )
    .await;

    // Full registrations (code + account), then time the account creation alone.
    let mut users = Vec::new();
    let mut register_samples = Vec::new();
    let started = Instant::now();
    let results: Vec<(fixtures::User, Duration)> = stream::iter(0..accounts)
        .map(|i| {
            let client = clients[i % concurrency].clone();
            async move {
                let phone = fixtures::phone();
                let code = client.code_for(&phone, "register").await;
                let body = fixtures::registration_body("residence_registration", &code, &phone);
                let t = Instant::now();
                let answer = client.post("/v1/accounts", &body).await;
                let elapsed = t.elapsed();
                assert_eq!(answer.status, 201, "{:#}", answer.body);
                let user = fixtures::User {
                    account_id: answer.body["account_id"].as_str().unwrap().to_owned(),
                    account_type: "residence_registration".into(),
                    username: body["username"].as_str().unwrap().to_owned(),
                    password: fixtures::PASSWORD.into(),
                    phone,
                    id_number: body["id_number"].as_str().unwrap().to_owned(),
                    role: None,
                };
                (user, elapsed)
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let register_wall = started.elapsed();
    for (user, elapsed) in results {
        users.push(user);
        register_samples.push(elapsed);
    }
    let register = Series {
        name: "POST /v1/accounts",
        samples: register_samples,
        wall: register_wall,
    };

    // Trust one device per user (SMS), then time logins on it.
    let devices: Vec<String> = (0..users.len()).map(|_| fixtures::device_id()).collect();
    log_everyone_in(&clients, &users, &devices).await;
    let login = timed(
        "POST /v1/sessions (trusted device)",
        users.len(),
        concurrency,
        |i| {
            let client = clients[i % concurrency].clone();
            let body = login_body(&users[i], &devices[i]);
            async move {
                let t = Instant::now();
                let answer = client.post("/v1/sessions", &body).await;
                assert_eq!(answer.status, 201, "{:#}", answer.body);
                t.elapsed()
            }
        },
    )
    .await;

    // Fresh tokens (the logins above replaced the earlier sessions).
    let tokens = log_everyone_in(&clients, &users, &devices).await;
    let reads = accounts * 5;
    let me = timed("GET /v1/me", reads, concurrency, |i| {
        let client = clients[i % concurrency].clone();
        let token = tokens[i % tokens.len()].clone();
        async move {
            let t = Instant::now();
            let answer = client.get_auth("/v1/me", &token).await;
            assert_eq!(answer.status, 200, "{:#}", answer.body);
            t.elapsed()
        }
    })
    .await;

    println!(
        "accounts: {accounts}, concurrency: {concurrency}, cores: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "| operation                          |      n | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) |  req/s   |"
    );
    println!(
        "|------------------------------------|-------:|---------:|---------:|---------:|---------:|---------:|"
    );
    for mut series in [sms, register, login, me] {
        series.report();
    }
}
