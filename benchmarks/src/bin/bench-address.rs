//! Address benchmark: generates a data set of buildings and houses for every street, loads it
//! into DynamoDB Local with the operator's loader, then times the public address reads through
//! the local API and measures their DynamoDB read units in-process.
//!
//! Run with `make bench ARGS="address [houses] [requests] [concurrency]"` (which starts the
//! emulators); defaults: 1,000,000 houses, 300 requests of each kind, 8 concurrent clients.

use std::time::{Duration, Instant};

use e2e_tests::{Client, start};
use futures::stream::{self, StreamExt};
use infra::operator::address_data::generate::{self, Dataset, GenerateOptions, PlannedBuilding};
use infra::operator::address_data::load::{self, LoadOptions};
use reqwest::Method;
use shared::AppContext;
use shared::domain::address::{BuildingCode, BuildingQuery, Room, StreetCode};
use shared::http::pagination::{DEFAULT_LIMIT, PageRequest};
use shared::store::address;

const SEED: u64 = 20_261_127;

/// A small deterministic random stream for picking samples (splitmix64).
struct Picker(u64);

impl Picker {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// One kind of request: what it asks over HTTP and in-process.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    NameTwo,
    NameLonger,
    Street,
    CodePrefix,
    Houses,
    HousesByRoom,
}

impl Kind {
    const ALL: [Kind; 6] = [
        Kind::NameTwo,
        Kind::NameLonger,
        Kind::Street,
        Kind::CodePrefix,
        Kind::Houses,
        Kind::HousesByRoom,
    ];

    fn label(self) -> &'static str {
        match self {
            Kind::NameTwo => "buildings?street=&q=<2 chars of a name>",
            Kind::NameLonger => "buildings?street=&q=<3+ chars of a name>",
            Kind::Street => "buildings?street= (listing)",
            Kind::CodePrefix => "buildings?q=<14-digit code prefix>",
            Kind::Houses => "buildings/{id}/houses",
            Kind::HousesByRoom => "buildings/{id}/houses?room=<floor>",
        }
    }
}

/// A request of a kind about one building.
#[derive(Clone)]
struct Sample {
    kind: Kind,
    street: String,
    building: String,
    text: String,
}

/// The name of the building's complex (its name less the building label): 翠竹花园 of 翠竹花园 3栋.
fn complex(planned: &PlannedBuilding) -> &str {
    planned.building.name.split(' ').next().unwrap_or_default()
}

fn sample(kind: Kind, planned: &PlannedBuilding, picker: &mut Picker) -> Sample {
    let b = &planned.building;
    let text = match kind {
        Kind::NameTwo => complex(planned).chars().take(2).collect(),
        Kind::NameLonger => {
            let name: Vec<char> = complex(planned).chars().collect();
            let len = 3 + picker.below(name.len().saturating_sub(2).max(1));
            name[..len.min(name.len())].iter().collect()
        }
        Kind::Street | Kind::Houses => String::new(),
        Kind::CodePrefix => b.building_code[..14].to_owned(),
        Kind::HousesByRoom => (1 + picker.below(planned.floors as usize)).to_string(),
    };
    Sample {
        kind,
        street: b.street_code.clone(),
        building: b.building_code.clone(),
        text,
    }
}

/// Percent-encodes a query value.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn path(sample: &Sample) -> String {
    let q = encode(&sample.text);
    match sample.kind {
        Kind::NameTwo | Kind::NameLonger => {
            format!("/v1/buildings?street={}&q={q}", sample.street)
        }
        Kind::Street => format!("/v1/buildings?street={}", sample.street),
        Kind::CodePrefix => format!("/v1/buildings?q={q}"),
        Kind::Houses => format!("/v1/buildings/{}/houses", sample.building),
        Kind::HousesByRoom => format!("/v1/buildings/{}/houses?room={q}", sample.building),
    }
}

/// Items and read units of the sample's first page, in-process.
async fn first_page_cost(ctx: &AppContext, sample: &Sample) -> (usize, f64) {
    let page = PageRequest {
        limit: DEFAULT_LIMIT,
        after: None,
    };
    let street = StreetCode::parse(&sample.street).expect("street");
    let building = BuildingCode::parse(&sample.building).expect("building");
    let found = match sample.kind {
        Kind::Houses | Kind::HousesByRoom => {
            let room = Room::parse_prefix(&sample.text).expect("room prefix");
            address::houses(&ctx.db, &building, &room, &page)
                .await
                .map(|p| (p.items.len(), p.read_units))
        }
        _ => {
            let query = BuildingQuery::parse(&sample.text).expect("query");
            address::search_buildings(&ctx.db, &street, &query, &page)
                .await
                .map(|p| (p.items.len(), p.read_units))
        }
    };
    found.expect("DynamoDB answers")
}

struct Row {
    kind: Kind,
    samples: Vec<Duration>,
    wall: Duration,
    mean_items: f64,
    mean_units: f64,
}

impl Row {
    fn print(&mut self) {
        self.samples.sort();
        let pct = |p: f64| {
            let i = ((self.samples.len() as f64 - 1.0) * p).round() as usize;
            self.samples[i].as_secs_f64() * 1000.0
        };
        println!(
            "| {:<42} | {:>5} | {:>8.1} | {:>8.1} | {:>8.1} | {:>8.1} | {:>7.1} | {:>6.1} | {:>8.2} |",
            self.kind.label(),
            self.samples.len(),
            pct(0.50),
            pct(0.90),
            pct(0.99),
            pct(1.0),
            self.samples.len() as f64 / self.wall.as_secs_f64(),
            self.mean_items,
            self.mean_units,
        );
    }
}

async fn measure(
    kind: Kind,
    samples: &[Sample],
    clients: &[Client],
    ctx: &AppContext,
    cost_samples: usize,
) -> Row {
    let started = Instant::now();
    let timings: Vec<(Duration, usize)> = stream::iter(samples.iter().enumerate())
        .map(|(i, sample)| {
            let client = clients[i % clients.len()].clone();
            let path = path(sample);
            async move {
                let t = Instant::now();
                let answer = client.send(Method::GET, &path, None, None).await;
                let elapsed = t.elapsed();
                assert_eq!(answer.status, 200, "GET {path}: {:#}", answer.body);
                let items = answer.body["items"].as_array().map_or(0, Vec::len);
                (elapsed, items)
            }
        })
        .buffer_unordered(clients.len())
        .collect()
        .await;
    let wall = started.elapsed();
    let mean_items =
        timings.iter().map(|(_, n)| *n as f64).sum::<f64>() / timings.len().max(1) as f64;
    let mut units = 0.0;
    let costed = &samples[..cost_samples.min(samples.len())];
    for sample in costed {
        units += first_page_cost(ctx, sample).await.1;
    }
    Row {
        kind,
        samples: timings.into_iter().map(|(d, _)| d).collect(),
        wall,
        mean_items,
        mean_units: units / costed.len().max(1) as f64,
    }
}

fn samples_of(kind: Kind, data: &Dataset, count: usize, picker: &mut Picker) -> Vec<Sample> {
    (0..count)
        .map(|_| {
            let planned = &data.buildings[picker.below(data.buildings.len())];
            sample(kind, planned, picker)
        })
        .collect()
}

#[tokio::main]
async fn main() {
    let args = e2e_tests::bench_args();
    let houses = args.first().copied().unwrap_or(1_000_000);
    let requests = args.get(1).copied().unwrap_or(300);
    let concurrency = args.get(2).copied().unwrap_or(8).max(1);
    // The public reads' per-IP limit would stop a benchmark from one machine.
    let stack = start(&[
        ("PUBLIC_READS_PER_MINUTE", "1000000000"),
        ("PUBLIC_READS_PER_MINUTE_PER_ADDRESS", "1000000000"),
    ]);
    let ctx = stack.context();

    let streets = infra::operator::reference::read_streets(
        &infra::operator::reference::default_streets_file(),
    )
    .expect("the shipped streets file")
    .0;
    let started = Instant::now();
    let data = generate::generate(&streets, &GenerateOptions { houses, seed: SEED });
    let dir = std::env::temp_dir().join(format!("bench-address-{}", std::process::id()));
    let files = data.write_csv(&dir).expect("the data set is written");
    let generated = started.elapsed();
    eprintln!(
        "generated {} buildings and {} houses into {} in {:.1} s; loading…",
        data.buildings.len(),
        data.house_count(),
        dir.display(),
        generated.as_secs_f64()
    );
    let options = LoadOptions {
        progress: true,
        ..LoadOptions::default()
    };
    let report = load::load_files(&ctx, &files.buildings, &files.houses, &options)
        .await
        .expect("the data set loads");
    assert_eq!(report.refused_count, 0, "{}", report.refused_listing(10));
    std::fs::remove_dir_all(&dir).ok();

    let clients: Vec<Client> = (0..concurrency).map(|_| Client::new(&stack)).collect();
    // Warm up: connections, the districts cache of the handlers.
    let mut picker = Picker(SEED);
    for sample in samples_of(Kind::Street, &data, concurrency * 2, &mut picker) {
        let client = &clients[0];
        let answer = client.send(Method::GET, &path(&sample), None, None).await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);
    }
    let mut rows = Vec::new();
    for kind in Kind::ALL {
        let samples = samples_of(kind, &data, requests, &mut picker);
        rows.push(measure(kind, &samples, &clients, &ctx, requests.min(100)).await);
    }

    println!(
        "houses: {}, buildings: {}, requests per kind: {requests}, concurrency: {concurrency}, cores: {}",
        report.houses,
        report.buildings,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!();
    println!("| load | rows | items written | time (s) | rows/s | items/s |");
    println!("|---|---:|---:|---:|---:|---:|");
    println!(
        "| generate (CSV) | {} | | {:.1} | | |",
        report.buildings + report.houses,
        generated.as_secs_f64()
    );
    println!(
        "| `rpctl address load` (concurrency {}) | {} | {} | {:.1} | {:.0} | {:.0} |",
        options.concurrency,
        report.buildings + report.houses,
        report.items_written,
        report.elapsed.as_secs_f64(),
        report.rows_per_second(),
        report.items_per_second()
    );
    println!();
    println!(
        "| request (GET /v1/…)                        |     n | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) |   req/s |  items | RCU/page |"
    );
    println!(
        "|--------------------------------------------|------:|---------:|---------:|---------:|---------:|--------:|-------:|---------:|"
    );
    for row in &mut rows {
        row.print();
    }
}
