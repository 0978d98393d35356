//! Residents and receipts benchmark: a rush of move-in declarations through the local API at a
//! chosen concurrency, then the reads and changes of the declared registrations, their receipt
//! PDFs and the public receipt check, with latency percentiles, throughput, the DynamoDB calls
//! each request issued (counted in-process) and the capacity units they cost (item sizes read
//! back in-process; see the cost table it prints for the assumptions).
//!
//! Run with `make bench ARGS="residents [declarations] [concurrency] [links]"` (which starts the
//! emulators and builds this binary in release); defaults: 2000 declarations, 8 concurrent
//! clients, 50 landlords with one approved house link each.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, ReturnConsumedCapacity, TransactWriteItem,
};
use e2e_tests::accepting_eventbridge::{self, AcceptingEventBridge};
use e2e_tests::houses::{approved_link, staff_session};
use e2e_tests::residents::{registration_path, resident_body_for, residents_path, today};
use e2e_tests::{Answer, Client, Stack, Workers, fixtures, start_with};
use futures::stream::{self, StreamExt};
use reqwest::Method;
use serde_json::{Value, json};
use shared::AppContext;
use shared::events::catalog::EventType;
use shared::http::pagination::PageRequest;
use shared::store::{Item, keys, pk_sk};

/// Failures printed in full per series (the rest are only counted).
const PRINTED_FAILURES: usize = 10;

/// One request of a series, and the status it must answer.
struct Call {
    method: Method,
    path: String,
    token: Option<String>,
    body: Option<Value>,
    expect: u16,
}

impl Call {
    fn new(method: Method, path: String, token: Option<&str>, expect: u16) -> Self {
        Self {
            method,
            path,
            token: token.map(str::to_owned),
            body: None,
            expect,
        }
    }

    fn with_body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }
}

/// The timings of one kind of request.
struct Series {
    name: &'static str,
    samples: Vec<Duration>,
    wall: Duration,
    errors: usize,
    /// When each request was sent (Unix milliseconds), in the order of `samples`.
    sent_ms: Vec<f64>,
    /// DynamoDB operations the API issued for the whole series.
    calls: u64,
    queries: u64,
}

/// The `p` quantile (0 to 1) of `values`, by the nearest rank; 0 for none.
fn quantile(values: &[f64], p: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or(0.0)
}

impl Series {
    fn pct(&self, p: f64) -> f64 {
        let ms: Vec<f64> = self
            .samples
            .iter()
            .map(|d| d.as_secs_f64() * 1000.0)
            .collect();
        quantile(&ms, p)
    }

    fn print(&self) {
        let n = self.samples.len();
        println!(
            "| {:<52} | {:>5} | {:>6} | {:>8.1} | {:>8.1} | {:>8.1} | {:>8.1} | {:>7.1} | {:>9.2} | {:>7.2} |",
            self.name,
            n,
            self.errors,
            self.pct(0.50),
            self.pct(0.90),
            self.pct(0.99),
            self.pct(1.0),
            n as f64 / self.wall.as_secs_f64(),
            self.calls as f64 / n.max(1) as f64,
            self.queries as f64 / n.max(1) as f64,
        );
    }
}

/// What an answer says, for a failure report (a PDF or other non-JSON body as text).
fn shown(answer: &Answer) -> String {
    if answer.body.is_null() {
        String::from_utf8_lossy(&answer.bytes[..answer.bytes.len().min(500)]).into_owned()
    } else {
        answer.body.to_string()
    }
}

/// Sends every call, `clients.len()` at a time; returns the timings and the answers in the order
/// of `calls`. Any answer other than the expected status is a failure, printed with its body.
async fn run(name: &'static str, calls: Vec<Call>, clients: &[Client]) -> (Series, Vec<Answer>) {
    let before = clients[0].stack.operation_counts();
    let started = Instant::now();
    let mut done: Vec<(usize, f64, Duration, Answer)> = stream::iter(calls.into_iter().enumerate())
        .map(|(i, call)| {
            let client = clients[i % clients.len()].clone();
            async move {
                let sent = unix_ms(std::time::SystemTime::now());
                let t = Instant::now();
                let answer = client
                    .send(
                        call.method.clone(),
                        &call.path,
                        call.token.as_deref(),
                        call.body.as_ref(),
                    )
                    .await;
                (i, sent, t.elapsed(), answer, call)
            }
        })
        .buffer_unordered(clients.len())
        .scan(0usize, |failed, (i, sent, elapsed, answer, call)| {
            if answer.status.as_u16() != call.expect {
                *failed += 1;
                if *failed <= PRINTED_FAILURES {
                    eprintln!(
                        "FAILED {} {} ({:.0} ms): {} {}",
                        call.method,
                        call.path,
                        elapsed.as_secs_f64() * 1000.0,
                        answer.status,
                        shown(&answer)
                    );
                } else if *failed == PRINTED_FAILURES + 1 {
                    eprintln!("({name}: further failures are counted, not printed)");
                }
            }
            std::future::ready(Some((i, sent, elapsed, answer)))
        })
        .collect()
        .await;
    let wall = started.elapsed();
    let after = clients[0].stack.operation_counts();
    done.sort_by_key(|(i, _, _, _)| *i);
    let series = Series {
        name,
        samples: done.iter().map(|(_, _, d, _)| *d).collect(),
        sent_ms: done.iter().map(|(_, sent, _, _)| *sent).collect(),
        wall,
        errors: 0,
        calls: after.calls - before.calls,
        queries: after.queries - before.queries,
    };
    (series, done.into_iter().map(|(_, _, _, a)| a).collect())
}

/// `at` as Unix milliseconds (what SQS's `SentTimestamp` counts).
fn unix_ms(at: std::time::SystemTime) -> f64 {
    at.duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// Counts the answers that are not `expect` (or fail `valid`) as the series' errors.
fn tally(series: &mut Series, answers: &[Answer], expect: u16, valid: impl Fn(&Answer) -> bool) {
    series.errors = answers
        .iter()
        .filter(|a| a.status.as_u16() != expect || !valid(a))
        .count();
}

/// A landlord with an approved link to a house of their own.
struct Landlord {
    account_id: String,
    token: String,
    link_id: String,
}

/// A declared registration, as the move-in answered.
#[derive(Clone)]
struct Declared {
    registration: Value,
    landlord: usize,
}

impl Declared {
    fn text(&self, field: &str) -> &str {
        self.registration[field].as_str().unwrap_or_default()
    }

    /// The keyed hash its processing records name the data subject by (of the person key and
    /// the resident's name, read back from the stored registration).
    async fn subject_key(&self, ctx: &AppContext) -> String {
        let key = keys::registration_key(self.text("link_id"), self.text("registration_id"));
        let stored = measure(ctx, &ctx.config.tables.registrations, key).await;
        let name = stored
            .item
            .get("resident")
            .and_then(|r| r.as_m().ok())
            .and_then(|r| r.get("name")?.as_s().ok())
            .map_or("", String::as_str);
        keys::subject_key(&ctx.db, text_of(&stored.item, "person_key"), name)
    }
}

/// `n` valid move-in bodies, each for a different person (a person declared twice in one house
/// is refused, rightly: that would count as an error here).
fn bodies(n: usize) -> Vec<Value> {
    let mut seen = HashSet::new();
    let mut bodies = Vec::with_capacity(n);
    while bodies.len() < n {
        let id_number = fixtures::id_number();
        if seen.insert(id_number.clone()) {
            bodies.push(resident_body_for(&id_number));
        }
    }
    bodies
}

// ------------------------------------------------------------------------------ capacity units

/// An attribute value's size by DynamoDB's item-size rules (UTF-8 bytes of strings, about one
/// byte per two digits of numbers, 3 bytes plus one per element for maps and lists).
fn value_size(value: &AttributeValue) -> usize {
    match value {
        AttributeValue::S(text) => text.len(),
        AttributeValue::N(number) => {
            let digits = number.chars().filter(char::is_ascii_digit).count();
            digits.div_ceil(2) + 1
        }
        AttributeValue::B(blob) => blob.as_ref().len(),
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::M(map) => {
            3 + map
                .iter()
                .map(|(k, v)| k.len() + value_size(v) + 1)
                .sum::<usize>()
        }
        AttributeValue::L(list) => 3 + list.iter().map(|v| value_size(v) + 1).sum::<usize>(),
        AttributeValue::Ss(set) => set.iter().map(String::len).sum(),
        AttributeValue::Ns(set) => set.iter().map(|n| n.len().div_ceil(2) + 1).sum(),
        AttributeValue::Bs(set) => set.iter().map(|b| b.as_ref().len()).sum(),
        _ => 0,
    }
}

fn item_size(item: &Item) -> usize {
    item.iter().map(|(k, v)| k.len() + value_size(v)).sum()
}

/// Write units of one standard write of an item of `size` bytes (1 per KB, rounded up).
fn write_units(size: usize) -> f64 {
    size.div_ceil(1024).max(1) as f64
}

/// An item read back: its size, and the read units DynamoDB (Local) reports for a strongly
/// consistent GetItem of it.
struct Measured {
    item: Item,
    size: usize,
    read_units: f64,
}

async fn measure(ctx: &AppContext, table: &str, key: Item) -> Measured {
    let output = ctx
        .db
        .client
        .get_item()
        .table_name(table)
        .set_key(Some(key))
        .consistent_read(true)
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await
        .expect("DynamoDB answers");
    let read_units = output
        .consumed_capacity()
        .and_then(|c| c.capacity_units())
        .unwrap_or(0.0);
    let item = output.item.expect("the item exists");
    Measured {
        size: item_size(&item),
        item,
        read_units,
    }
}

fn text_of<'a>(item: &'a Item, name: &str) -> &'a str {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map_or("", String::as_str)
}

/// Read units of a strongly consistent Query of a registration's history, as DynamoDB reports.
async fn history_read_units(ctx: &AppContext, link_id: &str, registration_id: &str) -> f64 {
    ctx.db
        .client
        .query()
        .table_name(&ctx.config.tables.registrations)
        .key_condition_expression("pk = :pk AND begins_with(sk, :hist)")
        .expression_attribute_values(":pk", AttributeValue::S(keys::registrations_pk(link_id)))
        .expression_attribute_values(
            ":hist",
            AttributeValue::S(format!("HIST#{registration_id}#")),
        )
        .consistent_read(true)
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await
        .expect("DynamoDB answers")
        .consumed_capacity()
        .and_then(|c| c.capacity_units())
        .unwrap_or(0.0)
}

/// The same key one character apart (the same size): where a copy of an item can go.
fn beside(key: &str) -> String {
    let mut chars: Vec<char> = key.chars().collect();
    if let Some(last) = chars.last_mut() {
        *last = if *last == 'x' { 'y' } else { 'x' };
    }
    chars.into_iter().collect()
}

/// What DynamoDB Local reports for the move-in transaction replayed on copies of the stored items
/// (each `pk` one character apart, so the sizes are the same; the copies are deleted after):
/// the capacity units of each table and index, or why there is no answer.
async fn replayed_declaration(ctx: &AppContext, items: &[&Item], link_key: Item) -> String {
    let table = &ctx.config.tables.registrations;
    let copies: Vec<Item> = items
        .iter()
        .map(|item| {
            let mut copy = (*item).clone();
            let pk = beside(text_of(item, "pk"));
            copy.insert("pk".into(), AttributeValue::S(pk));
            copy
        })
        .collect();
    let mut writes: Vec<TransactWriteItem> = copies
        .iter()
        .map(|copy| {
            let put = aws_sdk_dynamodb::types::Put::builder()
                .table_name(table)
                .set_item(Some(copy.clone()))
                .condition_expression("attribute_not_exists(pk)")
                .build()
                .expect("table and item are set");
            TransactWriteItem::builder().put(put).build()
        })
        .collect();
    let check = ConditionCheck::builder()
        .table_name(&ctx.config.tables.accounts)
        .set_key(Some(link_key))
        .condition_expression("attribute_exists(pk)")
        .build()
        .expect("key and condition are set");
    writes.push(TransactWriteItem::builder().condition_check(check).build());
    let answer = ctx
        .db
        .client
        .transact_write_items()
        .set_transact_items(Some(writes))
        .return_consumed_capacity(ReturnConsumedCapacity::Indexes)
        .send()
        .await;
    for copy in &copies {
        let key = pk_sk(text_of(copy, "pk"), text_of(copy, "sk"));
        ctx.db
            .client
            .delete_item()
            .table_name(table)
            .set_key(Some(key))
            .send()
            .await
            .expect("the copy is deleted");
    }
    let output = match answer {
        Ok(output) => output,
        Err(error) => return format!("the replay failed: {error:?}"),
    };
    let reported: Vec<String> = output
        .consumed_capacity()
        .iter()
        .map(|c| {
            let indexes: Vec<String> = c
                .global_secondary_indexes()
                .map(|gsis| {
                    gsis.iter()
                        .map(|(name, units)| format!("index {name}: {:?}", units.capacity_units()))
                        .collect()
                })
                .unwrap_or_default();
            format!(
                "{}: {:?} (table {:?}{}{})",
                c.table_name().unwrap_or("?"),
                c.capacity_units(),
                c.table().and_then(|t| t.capacity_units()),
                if indexes.is_empty() { "" } else { "; " },
                indexes.join(", ")
            )
        })
        .collect();
    if reported.is_empty() {
        "no ConsumedCapacity in the answer".to_owned()
    } else {
        reported.join("; ")
    }
}

/// Prints the item sizes of one registration and what each route costs in capacity units.
async fn print_costs(
    ctx: &AppContext,
    landlord: &Landlord,
    declared: &Declared,
    calls: &[&Series],
) {
    let tables = &ctx.config.tables;
    let link_id = declared.text("link_id");
    let registration_id = declared.text("registration_id");
    let receipt_no = declared.text("receipt_no");

    let registration = measure(
        ctx,
        &tables.registrations,
        keys::registration_key(link_id, registration_id),
    )
    .await;
    let history = measure(
        ctx,
        &tables.registrations,
        pk_sk(
            keys::registrations_pk(link_id),
            keys::history_sk(registration_id, 1),
        ),
    )
    .await;
    let house_id = registration
        .item
        .get("house")
        .and_then(|h| h.as_m().ok())
        .map_or("", |h| text_of(h, "house_id"))
        .to_owned();
    let presence = measure(
        ctx,
        &tables.registrations,
        keys::presence_key(&house_id, text_of(&registration.item, "person_key")),
    )
    .await;
    let pointer = measure(
        ctx,
        &tables.registrations,
        keys::registration_pointer_key(registration_id),
    )
    .await;
    let receipt = measure(ctx, &tables.registrations, keys::receipt_key(receipt_no)).await;
    let link = measure(
        ctx,
        &tables.accounts,
        keys::link_key(&landlord.account_id, &landlord.link_id),
    )
    .await;
    // The account's items (`PROFILE`, `SESSION`: shared/src/store/accounts.rs).
    let session = measure(
        ctx,
        &tables.accounts,
        keys::session_key(&landlord.account_id),
    )
    .await;
    let profile = measure(
        ctx,
        &tables.accounts,
        keys::profile_key(&landlord.account_id),
    )
    .await;
    let page = shared::store::registrations::list_under_link(
        &ctx.db,
        &landlord.link_id,
        None,
        &PageRequest::first(20),
    )
    .await
    .expect("a page");
    let history_query = history_read_units(ctx, link_id, registration_id).await;

    println!();
    println!(
        "Items of one registration (sizes by DynamoDB's item-size rules; RCU as DynamoDB Local reports a strongly consistent GetItem):"
    );
    println!();
    println!(
        "| item | table | size (B) | RCU (GetItem) | WCU (standard) | WCU (in a transaction) |"
    );
    println!("|---|---|---:|---:|---:|---:|");
    let rows: [(&str, &str, &Measured); 8] = [
        (
            "registration (`LINK#…`/`REG#…`)",
            "registrations",
            &registration,
        ),
        ("history entry (`HIST#…`)", "registrations", &history),
        (
            "presence (`HOUSE#…`/`PERSON#…`)",
            "registrations",
            &presence,
        ),
        ("pointer (`REGID#…`)", "registrations", &pointer),
        ("receipt claim (`RECEIPT#…`)", "registrations", &receipt),
        ("house link", "accounts", &link),
        ("session", "accounts", &session),
        ("profile", "accounts", &profile),
    ];
    for (name, table, m) in rows {
        println!(
            "| {name} | {table} | {} | {:.1} | {:.0} | {:.0} |",
            m.size,
            m.read_units,
            write_units(m.size),
            2.0 * write_units(m.size)
        );
    }

    let tx = |m: &Measured| 2.0 * write_units(m.size);
    let gsi = write_units(registration.size);
    // A condition check in a transaction is charged as a transactional write of its item
    // (2 WCU for an item up to 1 KB), not as a read.
    let check = tx(&link);
    let declare_writes = tx(&registration)
        + tx(&history)
        + tx(&presence)
        + tx(&pointer)
        + tx(&receipt)
        + check
        + gsi;
    let declare_reads = session.read_units + link.read_units + profile.read_units;
    let change_writes = tx(&registration) + tx(&history) + gsi;
    let end_writes = change_writes + tx(&presence);
    let by_id = session.read_units + pointer.read_units + registration.read_units;
    let list_reads = session.read_units + link.read_units + page.read_units;
    let detail_reads = by_id + history_query;
    let check_reads = receipt.read_units + registration.read_units;
    let rows: [(&str, f64, f64, String); 7] = [
        (
            "POST /v1/me/houses/{link_id}/residents",
            declare_reads,
            declare_writes,
            format!(
                "reads: session, link, holder's profile; one TransactWriteItems: 5 puts ({} + {} + {} + {} + {} WCU) + condition check on the link ({check}) + the registrations_by_person index copy ({gsi}, standard)",
                tx(&registration),
                tx(&history),
                tx(&presence),
                tx(&pointer),
                tx(&receipt)
            ),
        ),
        (
            "GET /v1/me/houses/{link_id}/residents?limit=20",
            list_reads,
            0.0,
            format!(
                "session, link, one consistent Query of {} registrations ({:.1} RCU)",
                page.items.len(),
                page.read_units
            ),
        ),
        (
            "GET /v1/registrations/{id}",
            detail_reads,
            0.0,
            format!("session, pointer, registration, history Query ({history_query:.1} RCU)"),
        ),
        (
            "PATCH /v1/registrations/{id}",
            by_id,
            change_writes,
            format!(
                "transaction: replace registration ({}) + history put ({}); index copy ({gsi})",
                tx(&registration),
                tx(&history)
            ),
        ),
        (
            "POST /v1/registrations/{id}/deregistration",
            by_id,
            end_writes,
            format!("as PATCH + presence delete ({})", tx(&presence)),
        ),
        (
            "GET /v1/registrations/{id}/receipt",
            by_id,
            0.0,
            "session, pointer, registration; then the PDF render".to_owned(),
        ),
        (
            "GET /v1/receipts/{no}?check_code=",
            check_reads,
            1.0,
            "receipt claim, registration; the per-client rate counter (UpdateItem of a small item: 1 WCU)".to_owned(),
        ),
    ];
    let replay = replayed_declaration(
        ctx,
        &[
            &registration.item,
            &presence.item,
            &pointer.item,
            &receipt.item,
            &history.item,
        ],
        keys::link_key(&landlord.account_id, &landlord.link_id),
    )
    .await;
    println!();
    println!(
        "DynamoDB Local's ConsumedCapacity for the move-in transaction replayed on copies of these items: {replay}"
    );
    println!();
    println!("Capacity units per request (on-demand; sizes above):");
    println!();
    println!("| request | DynamoDB calls | RCU | WCU | of which |");
    println!("|---|---:|---:|---:|---|");
    for ((name, reads, writes, what), series) in rows.iter().zip(calls) {
        println!(
            "| {name} | {:.2} | {reads:.1} | {writes:.0} | {what} |",
            series.calls as f64 / series.samples.len().max(1) as f64
        );
    }
}

// ------------------------------------------------------------------------- the event publisher

/// How long the consumers may take to receive every event of the rush.
const DELIVERY_WAIT: Duration = Duration::from_secs(600);

/// The real ids of `ids` by each subject a consumer receives them as: the id itself in the full
/// view, the consumer's pseudonym in a minimized one (`key`: the stack's hash key).
fn by_received_subject<'a>(
    key: &[u8],
    ids: impl IntoIterator<Item = &'a str>,
) -> HashMap<String, &'a str> {
    let mut subjects = HashMap::new();
    for id in ids {
        for route in shared::events::consumers::routes() {
            for view in route.receives.iter().map(|(_, v)| *v) {
                let subject =
                    shared::events::pseudonyms::as_received(key, &route.consumer, view, id);
                subjects.insert(subject, id);
            }
        }
    }
    subjects
}

/// Waits until the approval of every landlord's link (the setup's last events) arrived, so that
/// the rush's counts hold the rush's events only.
async fn settle_setup_events(sink: &Sink<'_>, key: &[u8], landlords: &[Landlord]) {
    let decided = EventType::HouseLinkDecided.wire_name();
    let links = by_received_subject(key, landlords.iter().map(|l| l.link_id.as_str()));
    let link_of = |event: &Value| {
        (event["type"] == decided.as_str())
            .then(|| links.get(event["subject"].as_str()?).copied())
            .flatten()
    };
    let waited = Instant::now();
    let arrived = |sink: &Sink<'_>| {
        let mut seen = HashSet::new();
        sink.arrivals()
            .iter()
            .filter_map(|a| link_of(&a.event))
            .filter(|link| seen.insert(*link))
            .count()
    };
    while arrived(sink) < landlords.len() {
        assert!(
            waited.elapsed() < DELIVERY_WAIT,
            "the links' approvals did not all arrive"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Where the benchmark watches the rush's events arrive.
enum Sink<'a> {
    /// The consumers' queues on moto (the events went through moto's bus, rules and archive).
    Consumers(&'a Stack),
    /// The stand-in bus that accepts every entry at once (the publisher's own pace).
    Bus(&'a AcceptingEventBridge),
}

/// One event where the sink saw it arrive.
struct Arrival {
    event: Value,
    /// Unix milliseconds: when it reached the consumer's queue (its `SentTimestamp`), or the bus.
    at_ms: Option<u64>,
    /// Who took it: the consumer's id, or `bus`.
    by: String,
}

impl Sink<'_> {
    fn count(&self, which: impl Fn(&Value) -> bool) -> usize {
        match self {
            Sink::Consumers(stack) => stack.count_deliveries(|d| which(&d.event)),
            Sink::Bus(bus) => bus.count(|a| which(&a.event)),
        }
    }

    fn arrivals(&self) -> Vec<Arrival> {
        match self {
            Sink::Consumers(stack) => stack
                .deliveries()
                .into_iter()
                .map(|d| Arrival {
                    event: d.event,
                    at_ms: d.queued_at_ms,
                    by: d.consumer,
                })
                .collect(),
            Sink::Bus(bus) => bus
                .accepted()
                .into_iter()
                .map(|a| Arrival {
                    event: a.event,
                    at_ms: Some(a.at_ms),
                    by: "bus".to_owned(),
                })
                .collect(),
        }
    }

    /// Arrivals each event of `event_type` makes: one per consumer (on the bus too: each consumer
    /// gets a copy of its own).
    fn per_event(&self, event_type: EventType) -> usize {
        match self {
            Sink::Consumers(_) => shared::events::consumers::routes()
                .iter()
                .filter(|route| route.receives.iter().any(|(t, _)| *t == event_type))
                .count(),
            Sink::Bus(_) => shared::events::consumers::recipients(event_type).count(),
        }
    }

    fn describe(&self) -> &'static str {
        match self {
            Sink::Consumers(_) => {
                "delivered through moto's bus to the consumers' queues (the time: the message's SentTimestamp)"
            }
            Sink::Bus(_) => {
                "accepted by the stand-in bus, which delivers nothing (the time: the PutEvents call's arrival)"
            }
        }
    }
}

/// What the publisher did with the rush: every move-in's `registration.declared` where `sink`
/// saw it arrive, timed against the move-in's request and answer.
async fn report_publisher(
    sink: &Sink<'_>,
    key: &[u8],
    rush: &Series,
    answers: &[Answer],
    (before, after_counts): (
        shared::operation_counts::OperationCounts,
        &dyn Fn() -> shared::operation_counts::OperationCounts,
    ),
    out: &mut String,
) -> Result<(), String> {
    use std::fmt::Write;
    let declared = EventType::RegistrationDeclared;
    let wire_name = declared.wire_name();
    // Each declared registration: when its request was sent and answered (Unix ms).
    let committed: HashMap<String, (f64, f64)> = answers
        .iter()
        .zip(rush.sent_ms.iter().zip(&rush.samples))
        .filter(|(a, _)| a.status == 201)
        .filter_map(|(a, (sent, took))| {
            let id = a.body["registration_id"].as_str()?.to_owned();
            Some((id, (*sent, sent + took.as_secs_f64() * 1000.0)))
        })
        .collect();
    let expected = committed.len() * sink.per_event(declared);
    let subjects = by_received_subject(key, committed.keys().map(String::as_str));
    let of_the_rush = |event: &Value| {
        event["type"] == wire_name.as_str()
            && event["subject"]
                .as_str()
                .is_some_and(|s| subjects.contains_key(s))
    };
    let waited = Instant::now();
    while sink.count(of_the_rush) < expected && waited.elapsed() < DELIVERY_WAIT {
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let after = after_counts();
    let rush_end = rush
        .sent_ms
        .iter()
        .zip(&rush.samples)
        .map(|(sent, took)| sent + took.as_secs_f64() * 1000.0)
        .fold(0.0, f64::max);
    let rush_start = rush.sent_ms.iter().copied().fold(f64::INFINITY, f64::min);
    // Once per event id and taker, as a consumer that deduplicates applies them.
    let mut seen = HashSet::new();
    let arrivals: Vec<Arrival> = sink
        .arrivals()
        .into_iter()
        .filter(|a| of_the_rush(&a.event))
        .filter(|a| seen.insert((a.by.clone(), a.event["id"].to_string())))
        .collect();
    let last = arrivals
        .iter()
        .filter_map(|a| a.at_ms)
        .map(|t| t as f64)
        .fold(0.0, f64::max);

    writeln!(out).ok();
    writeln!(
        out,
        "The event publisher during the rush: {} of {expected} arrivals of `{wire_name}` ({} move-ins), {}; the last {:.1} s after the rush's last answer",
        arrivals.len(),
        committed.len(),
        sink.describe(),
        (last - rush_end) / 1000.0
    )
    .ok();
    let window = (last - rush_start) / 1000.0;
    let puts = after.events_put - before.events_put;
    let calls = after.event_puts - before.event_puts;
    writeln!(
        out,
        "publisher throughput: {puts} events put in {calls} PutEvents calls over {window:.1} s from the rush's first request to the last arrival = {:.1} events/s ({:.1} move-ins/s published)",
        puts as f64 / window,
        committed.len() as f64 / window,
    )
    .ok();
    writeln!(out).ok();
    writeln!(
        out,
        "Lag from commit to arrival (− the move-in's 201 answer; the commit is before the answer, by at most the request's own latency, so the lag from the request's start is shown too):"
    )
    .ok();
    writeln!(out).ok();
    writeln!(
        out,
        "| view (consumer) | arrivals | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | p50 / p99 from the request's start (ms) |"
    )
    .ok();
    writeln!(out, "|---|---:|---:|---:|---:|---:|---:|").ok();
    let mut rows: std::collections::BTreeMap<String, (Vec<f64>, Vec<f64>)> = Default::default();
    for a in &arrivals {
        let (Some(at), Some((sent, answered))) = (
            a.at_ms,
            a.event["subject"]
                .as_str()
                .and_then(|s| committed.get(*subjects.get(s)?)),
        ) else {
            continue;
        };
        let view = a.event["view"].as_str().unwrap_or("?");
        let consumers: Vec<String> = shared::events::consumers::routes()
            .iter()
            .filter(|r| {
                r.receives
                    .iter()
                    .any(|(t, v)| *t == declared && v.as_ref() == view)
            })
            .map(|r| r.consumer.id.clone())
            .collect();
        for name in [
            format!("{view} ({})", consumers.join(", ")),
            "all".to_owned(),
        ] {
            let row = rows.entry(name).or_default();
            row.0.push(at as f64 - answered);
            row.1.push(at as f64 - sent);
        }
    }
    for (name, (lag, from_sent)) in &rows {
        writeln!(
            out,
            "| {name} | {} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} / {:.0} |",
            lag.len(),
            quantile(lag, 0.5),
            quantile(lag, 0.9),
            quantile(lag, 0.99),
            quantile(lag, 1.0),
            quantile(from_sent, 0.5),
            quantile(from_sent, 0.99)
        )
        .ok();
    }

    // What each move-in costs beyond the API's request.
    let n = committed.len().max(1) as f64;
    let mut bytes: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
    for a in &arrivals {
        let entry = bytes
            .entry(a.event["view"].as_str().unwrap_or("?").to_owned())
            .or_default();
        entry.0 += 1;
        entry.1 += a.event.to_string().len();
    }
    writeln!(out).ok();
    writeln!(out, "Per move-in, from the publisher's own counter:").ok();
    writeln!(out).ok();
    writeln!(
        out,
        "- events put on the bus: {:.2} ({:.2} PutEvents calls); arrivals: {:.2}",
        puts as f64 / n,
        calls as f64 / n,
        arrivals.len() as f64 / n
    )
    .ok();
    for (view, (count, total)) in &bytes {
        writeln!(
            out,
            "- a `{view}` event: {:.0} B of CloudEvent JSON on average",
            *total as f64 / (*count).max(1) as f64
        )
        .ok();
    }
    writeln!(
        out,
        "- DynamoDB calls: {:.2} (the processing records' BatchWriteItem; the stream's records are read by the event source mapping, GetRecords)",
        (after.calls - before.calls) as f64 / n
    )
    .ok();
    if arrivals.len() < expected {
        return Err(format!(
            "{} of {expected} arrivals missing after {} s",
            expected - arrivals.len(),
            DELIVERY_WAIT.as_secs()
        ));
    }
    Ok(())
}

/// The processing records of one person (their deliveries): sizes and write units.
async fn print_processing_records(ctx: &AppContext, subject_key: &str) {
    let output = ctx
        .db
        .client
        .query()
        .table_name(&ctx.config.tables.processing_records)
        .key_condition_expression("pk = :pk")
        .expression_attribute_values(":pk", AttributeValue::S(keys::processing_pk(subject_key)))
        .send()
        .await
        .expect("DynamoDB answers");
    let sizes: Vec<usize> = output.items().iter().map(item_size).collect();
    let units: f64 = sizes.iter().map(|&s| write_units(s)).sum();
    println!(
        "- processing records of the person (one per delivery): {} items of {sizes:?} B = {units:.0} WCU (standard writes in BatchWriteItem)",
        sizes.len()
    );
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// Sets up `count` landlords, each with an approved link to a house of a fresh building.
async fn landlords(clients: &[Client], staff: &str, count: usize) -> Vec<Landlord> {
    stream::iter(0..count)
        .map(|i| {
            let client = clients[i % clients.len()].clone();
            let staff = staff.to_owned();
            async move {
                let (user, token, approved) = approved_link(&client, &staff).await;
                Landlord {
                    account_id: user.account_id,
                    token,
                    link_id: approved["link_id"].as_str().expect("link_id").to_owned(),
                }
            }
        })
        .buffer_unordered(clients.len())
        .collect()
        .await
}

#[tokio::main]
async fn main() {
    let args = e2e_tests::bench_args();
    let declarations = args.first().copied().unwrap_or(2000).max(2);
    let concurrency = args.get(1).copied().unwrap_or(8).max(1);
    let link_count = args.get(2).copied().unwrap_or(50).max(1);
    // As deployed, the event publisher runs beside the API, its events through moto's bus to the
    // consumers' queues (1); 2: to a stand-in bus that accepts at once; 0: no publisher.
    let publisher_mode = args.get(3).copied().unwrap_or(1);
    let publisher = publisher_mode != 0;
    let stand_in_bus = (publisher_mode == 2).then(accepting_eventbridge::start);
    let reads = (declarations / 4).clamp(1, 500);
    let changes = (declarations / 8).clamp(1, 250);
    let receipts = declarations.min(200);
    let build = if cfg!(debug_assertions) {
        "debug (dev profile, dependencies at opt-level 2)"
    } else {
        "release"
    };
    let load_before = load_average();

    // Per-client limits would stop a benchmark from one machine: the setup's SMS codes, the
    // public receipt check. Everything else is as deployed.
    let stack: Stack = start_with(
        &[
            ("SMS_HOURLY_LIMIT_PER_IP", "100000000"),
            ("RECEIPT_CHECKS_PER_MINUTE", "1000000000"),
        ],
        Workers {
            publisher,
            publisher_events: stand_in_bus.as_ref().map(|bus| bus.url.as_str()),
            ..Workers::default()
        },
    );
    let ctx = stack.context();
    let clients: Vec<Client> = (0..concurrency).map(|_| Client::new(&stack)).collect();

    // Setup (not measured): a staff session, the landlords and their approved links.
    let started = Instant::now();
    let (_, staff) = staff_session(&clients[0]).await;
    let landlords = landlords(&clients, &staff, link_count).await;
    let sink = match &stand_in_bus {
        Some(bus) => Sink::Bus(bus),
        None => Sink::Consumers(&stack),
    };
    if publisher {
        settle_setup_events(&sink, &ctx.config.hash_key, &landlords).await;
    }
    let setup = started.elapsed();
    eprintln!(
        "setup: {link_count} landlords with approved links in {:.1} s",
        setup.as_secs_f64()
    );
    // Warm-up (not measured): connections, each landlord's session, the handlers.
    let warm: Vec<Call> = landlords
        .iter()
        .map(|l| Call::new(Method::GET, residents_path(&l.link_id), Some(&l.token), 200))
        .collect();
    let (mut warm, answers) = run("warm-up", warm, &clients).await;
    tally(&mut warm, &answers, 200, |_| true);
    assert_eq!(warm.errors, 0, "the warm-up failed");

    // The rush.
    let workers_before = stack.worker_counts();
    let calls: Vec<Call> = bodies(declarations)
        .into_iter()
        .enumerate()
        .map(|(i, body)| {
            let l = &landlords[i % landlords.len()];
            Call::new(
                Method::POST,
                residents_path(&l.link_id),
                Some(&l.token),
                201,
            )
            .with_body(body)
        })
        .collect();
    let (mut declare, answers) =
        run("POST /v1/me/houses/{link_id}/residents", calls, &clients).await;
    tally(&mut declare, &answers, 201, |_| true);
    // Every event of the rush delivered before the reads begin (printed at the end).
    let published = if publisher {
        let mut report = String::new();
        let counts = || stack.worker_counts();
        let outcome = report_publisher(
            &sink,
            &ctx.config.hash_key,
            &declare,
            &answers,
            (workers_before, &counts),
            &mut report,
        )
        .await;
        Some((outcome, report))
    } else {
        None
    };
    let declared: Vec<Declared> = answers
        .iter()
        .enumerate()
        .filter(|(_, a)| a.status == 201)
        .map(|(i, a)| Declared {
            registration: a.body.clone(),
            landlord: i % landlords.len(),
        })
        .collect();
    assert!(
        declared.len() >= 2,
        "too few declarations succeeded to go on"
    );
    let token_of = |d: &Declared| landlords[d.landlord].token.clone();
    // Registrations spread over the landlords: the i-th of n picks.
    let spread = |i: usize, n: usize| &declared[(i * declared.len() / n.max(1)) % declared.len()];

    // Reads.
    let calls: Vec<Call> = (0..reads)
        .map(|i| {
            let l = &landlords[i % landlords.len()];
            let path = format!("{}?limit=20", residents_path(&l.link_id));
            Call::new(Method::GET, path, Some(&l.token), 200)
        })
        .collect();
    let (mut list, answers) = run(
        "GET /v1/me/houses/{link_id}/residents?limit=20",
        calls,
        &clients,
    )
    .await;
    let per_link = declared.len() / landlords.len();
    tally(&mut list, &answers, 200, |a| {
        a.body["items"]
            .as_array()
            .is_some_and(|items| items.len() >= per_link.min(20))
    });

    let calls: Vec<Call> = (0..reads)
        .map(|i| {
            let d = spread(i, reads);
            Call::new(
                Method::GET,
                registration_path(&d.registration),
                Some(&token_of(d)),
                200,
            )
        })
        .collect();
    let (mut detail, answers) = run("GET /v1/registrations/{id}", calls, &clients).await;
    tally(&mut detail, &answers, 200, |a| a.body["history"].is_array());

    // Changes on the first registrations, deregistrations on the last: never the same one.
    let changes = changes.min(declared.len() / 2);
    let calls: Vec<Call> = declared[..changes]
        .iter()
        .map(|d| {
            Call::new(
                Method::PATCH,
                registration_path(&d.registration),
                Some(&token_of(d)),
                200,
            )
            .with_body(
                json!({"version": 1, "occupation": "产品经理", "workplace": "深圳市南山区某公司"}),
            )
        })
        .collect();
    let (mut patch, answers) = run("PATCH /v1/registrations/{id}", calls, &clients).await;
    tally(&mut patch, &answers, 200, |a| a.body["version"] == 2);

    let ended = &declared[declared.len() - changes..];
    let calls: Vec<Call> = ended
        .iter()
        .map(|d| {
            let path = format!("{}/deregistration", registration_path(&d.registration));
            Call::new(Method::POST, path, Some(&token_of(d)), 200)
                .with_body(json!({"reason": "moved_out", "moved_out_on": today().to_string()}))
        })
        .collect();
    let (mut end, answers) = run(
        "POST /v1/registrations/{id}/deregistration",
        calls,
        &clients,
    )
    .await;
    tally(&mut end, &answers, 200, |a| a.body["status"] == "moved_out");

    // Receipts.
    let calls: Vec<Call> = (0..receipts)
        .map(|i| {
            let d = spread(i, receipts);
            let path = format!("{}/receipt", registration_path(&d.registration));
            Call::new(Method::GET, path, Some(&token_of(d)), 200)
        })
        .collect();
    let (mut receipt, answers) = run("GET /v1/registrations/{id}/receipt", calls, &clients).await;
    tally(&mut receipt, &answers, 200, |a| {
        a.content_type() == "application/pdf" && a.bytes.starts_with(b"%PDF-")
    });
    let sizes: Vec<usize> = answers
        .iter()
        .filter(|a| a.status == 200)
        .map(|a| a.bytes.len())
        .collect();

    let calls: Vec<Call> = (0..reads)
        .map(|i| {
            let d = spread(i, reads);
            let path = format!(
                "/v1/receipts/{}?check_code={}",
                d.text("receipt_no"),
                d.text("check_code")
            );
            Call::new(Method::GET, path, None, 200)
        })
        .collect();
    let (mut check, answers) = run("GET /v1/receipts/{no}?check_code=", calls, &clients).await;
    tally(&mut check, &answers, 200, |a| a.body["genuine"] == true);

    let load_after = load_average();
    println!(
        "declarations: {declarations}, concurrency: {concurrency}, landlords (approved links): {}, build: {build}, cores: {}, load average before/after: {load_before} / {load_after}",
        landlords.len(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "setup (not measured): {:.1} s; the rush: {} declarations in {:.1} s = {:.1} declarations/s",
        setup.as_secs_f64(),
        declare.samples.len(),
        declare.wall.as_secs_f64(),
        declare.samples.len() as f64 / declare.wall.as_secs_f64()
    );
    println!();
    println!(
        "| request                                              |     n | errors | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) |   req/s | calls/req | Query/req |"
    );
    println!(
        "|------------------------------------------------------|------:|-------:|---------:|---------:|---------:|---------:|--------:|----------:|----------:|"
    );
    let all = [&declare, &list, &detail, &patch, &end, &receipt, &check];
    for series in all {
        series.print();
    }
    if let (Some(min), Some(max)) = (sizes.iter().min(), sizes.iter().max()) {
        println!();
        println!(
            "receipt PDFs: {} received, size min {min} B, avg {:.0} B, max {max} B",
            sizes.len(),
            sizes.iter().sum::<usize>() as f64 / sizes.len() as f64
        );
    }
    // The costs of an untouched registration (neither changed nor ended).
    let sample = &declared[declared.len() / 2];
    print_costs(&ctx, &landlords[sample.landlord], sample, &all).await;
    let mut failed = false;
    if let Some((outcome, report)) = published {
        print!("{report}");
        print_processing_records(&ctx, &sample.subject_key(&ctx).await).await;
        if let Err(why) = outcome {
            eprintln!("the publisher fell short: {why}");
            failed = true;
        }
    }
    let errors: usize = all.iter().map(|s| s.errors).sum();
    if errors > 0 {
        eprintln!("{errors} requests failed (see above)");
        failed = true;
    }
    if failed {
        std::process::exit(1);
    }
}
