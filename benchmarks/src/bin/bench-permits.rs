//! Residence-permit benchmark (issue 13): what an eligibility check, an application and an
//! endorsement cost in DynamoDB for a person with 10 registrations and 24 months of insurance
//! records, and the daily reminder run for a day with N due permits (default 100,000): its time,
//! the items it read, the SMS it queued, and a second run of the same day (which must send
//! nothing).
//!
//! Run with `make bench ARGS="permits [due permits]"` (which starts the emulators and builds this
//! binary in release). The API and the run are in this process, on DynamoDB Local and moto (with
//! SendMessage in constant time: `infra/local/moto_for_benchmarks.py`).

use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::ReturnConsumedCapacity;
use chrono::{Days, Months, NaiveDate};
use e2e_tests::houses::{approved_link, staff_session, verify_at_counter};
use e2e_tests::permits::{backdate_registration, pay_insurance, reschedule, stored, today};
use e2e_tests::residents::{declared, holder_body};
use e2e_tests::{Answer, Client, Stack, fixtures, start};
use serde_json::{Value, json};
use shared::domain::eligibility::insurance::YearMonth;
use shared::domain::residence_permit::{PermitNo, Validity};
use shared::store::item::{s, to_item};

/// Registrations of the measured person, one every 60 days back from two years ago.
const REGISTRATIONS: u64 = 10;
/// Insurance months on record for the measured person.
const INSURANCE_MONTHS: usize = 24;

struct Measured {
    name: &'static str,
    latency: Duration,
    calls: u64,
    queries: u64,
    sqs_sends: u64,
}

async fn measure<F: std::future::Future<Output = Answer>>(
    stack: &Stack,
    name: &'static str,
    expect: u16,
    request: F,
) -> (Measured, Answer) {
    let before = stack.operation_counts();
    let started = Instant::now();
    let answer = request.await;
    let latency = started.elapsed();
    let after = stack.operation_counts();
    assert_eq!(answer.status, expect, "{name}: {:#}", answer.body);
    (
        Measured {
            name,
            latency,
            calls: after.calls - before.calls,
            queries: after.queries - before.queries,
            sqs_sends: after.sqs_sends - before.sqs_sends,
        },
        answer,
    )
}

/// The read units of the two Queries an assessment makes (the person's registrations on their
/// index, the insurance months of the window), issued here as the service issues them.
async fn timeline_read_units(stack: &Stack, account_id: &str) -> (f64, f64) {
    let ctx = stack.context();
    let account = shared::store::accounts::find_by_id(&ctx.db, account_id)
        .await
        .unwrap()
        .unwrap();
    let person = account.person_key(&ctx.db).unwrap();
    let units = |output: Option<&aws_sdk_dynamodb::types::ConsumedCapacity>| {
        output.and_then(|c| c.capacity_units()).unwrap_or(0.0)
    };
    let registrations = ctx
        .db
        .client
        .query()
        .table_name(&ctx.config.tables.registrations)
        .index_name(shared::store::registrations::PERSON_INDEX)
        .key_condition_expression("person_key = :p")
        .expression_attribute_values(":p", s(&person))
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await
        .unwrap();
    let since = YearMonth::of(today()).months_before(24).last().unwrap();
    let months = ctx
        .db
        .client
        .query()
        .table_name(&ctx.config.tables.social_insurance)
        .key_condition_expression("pk = :pk AND sk >= :since")
        .expression_attribute_values(":pk", s(format!("PERSON#{person}")))
        .expression_attribute_values(":since", s(since.to_string()))
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await
        .unwrap();
    assert_eq!(registrations.count() as u64, REGISTRATIONS);
    assert_eq!(months.count() as usize, INSURANCE_MONTHS);
    (
        units(registrations.consumed_capacity()),
        units(months.consumed_capacity()),
    )
}

/// `count` permits whose endorsement window opens on `day`, copies of `model` under fresh
/// numbers, written with BatchWriteItem.
async fn due_permits(
    stack: &Stack,
    model: &shared::store::permits::PermitRecord,
    day: NaiveDate,
    count: usize,
) -> Duration {
    let ctx = stack.context();
    let anchor = (day + Days::new(60))
        .checked_sub_months(Months::new(12))
        .unwrap();
    let items: Vec<_> = (0..count)
        .map(|_| {
            let mut permit = model.clone();
            permit.permit_no = PermitNo::generate();
            let (pk, sk) = shared::store::permits::PermitRecord::keys_of(&permit.permit_no);
            (permit.pk, permit.sk) = (pk, sk);
            permit.validity = Validity { anchor, years: 1 };
            permit.issued_on = anchor;
            permit.schedule_from(day);
            to_item(&permit).unwrap()
        })
        .collect();
    let started = Instant::now();
    infra::operator::batch::put_all(&ctx.db.client, &ctx.config.tables.permits, items)
        .await
        .expect("permits written");
    started.elapsed()
}

/// The messages waiting on the queue at `url` (one GetQueueAttributes).
async fn queued(ctx: &shared::AppContext, url: &str) -> u64 {
    let answer = ctx
        .sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages)
        .send()
        .await
        .expect("the queue's attributes");
    answer
        .attributes()
        .and_then(|a| a.get(&aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages))
        .and_then(|n| n.parse().ok())
        .expect("ApproximateNumberOfMessages")
}

#[tokio::main]
async fn main() {
    let args = e2e_tests::bench_args();
    let due = args.first().copied().unwrap_or(100_000).max(1);
    let stack: Stack = start(&[("SMS_HOURLY_LIMIT_PER_IP", "100000000")]);
    let client = Client::new(&stack);

    // A verified holder with 10 registrations (declared 730, 670, … days ago, all current: the
    // union is what counts) and 24 paid months.
    let (_, staff) = staff_session(&client).await;
    let (holder, token) = fixtures::logged_in(&client, "residence_permit").await;
    verify_at_counter(&client, &staff, &holder.account_id).await;
    for i in 0..REGISTRATIONS {
        let (_, landlord, link) = approved_link(&client, &staff).await;
        let link_id = link["link_id"].as_str().unwrap();
        let registration = declared(&client, &landlord, link_id, &holder_body(&holder)).await;
        backdate_registration(&client, link_id, &registration, 730 - 60 * i).await;
    }
    pay_insurance(&client, &holder, INSURANCE_MONTHS).await;
    let mut eligible = false;
    for _ in 0..50 {
        let answer = client.get_auth("/v1/me/permit-eligibility", &token).await;
        if answer.body["eligible"] == true {
            eligible = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(eligible, "the holder became eligible");

    let mut rows = Vec::new();
    let (row, _) = measure(
        &stack,
        "GET /v1/me/permit-eligibility",
        200,
        client.get_auth("/v1/me/permit-eligibility", &token),
    )
    .await;
    rows.push(row);
    let (row, _) = measure(
        &stack,
        "POST /v1/me/permit-applications (approved at once)",
        201,
        client.post_auth(
            "/v1/me/permit-applications",
            &token,
            &e2e_tests::permits::standard_application(&holder),
        ),
    )
    .await;
    rows.push(row);
    let permit = client.get_auth("/v1/me/permit", &token).await.body;
    let no = permit["permit_no"].as_str().unwrap().to_owned();
    let in_window = (today() + Days::new(30))
        .checked_sub_months(Months::new(12))
        .unwrap();
    reschedule(&client, &no, in_window, 1, today()).await;
    let (row, _) = measure(
        &stack,
        "POST /v1/me/permit/endorsements",
        201,
        client.post_auth("/v1/me/permit/endorsements", &token, &json!({})),
    )
    .await;
    rows.push(row);
    let (registration_units, insurance_units) =
        timeline_read_units(&stack, &holder.account_id).await;

    println!(
        "\n### A person with {REGISTRATIONS} registrations and {INSURANCE_MONTHS} insurance months\n"
    );
    println!("| request | latency ms | DynamoDB calls | of which Queries | SQS sends |");
    println!("|---|---:|---:|---:|---:|");
    for r in &rows {
        println!(
            "| {} | {:.1} | {} | {} | {} |",
            r.name,
            r.latency.as_secs_f64() * 1000.0,
            r.calls,
            r.queries,
            r.sqs_sends
        );
    }
    println!(
        "\nRead units of the assessment's two Queries: registrations (index) {registration_units}, insurance months {insurance_units}."
    );

    // The reminder run: `due` permits whose window opens on one day.
    let day = today() + Days::new(400);
    let model = stored(&client, &no).await;
    let written = due_permits(&stack, &model, day, due).await;
    eprintln!(
        "{due} due permits written in {:.1} s",
        written.as_secs_f64()
    );
    // From here the SMS are not delivered: they stay on the queue, where they are counted after
    // each run. (This benchmark's moto sends in constant time: infra/local/bench.sh.)
    stack.stop_sms_delivery();
    let ctx = stack.context();
    let queue = stack.queue_url("SmsQueue");
    let mut waiting = vec![queued(&ctx, &queue).await];
    let mut runs: Vec<(Duration, Value, u64, u64, u64, u64)> = Vec::new();
    for _ in 0..2 {
        let before = stack.operation_counts();
        let started = Instant::now();
        let report = infra::operator::reminders::run(&ctx, day)
            .await
            .expect("the run");
        let took = started.elapsed();
        let after = stack.operation_counts();
        runs.push((
            took,
            report,
            after.queries - before.queries,
            after.calls - before.calls,
            after.sqs_sends - before.sqs_sends,
            after.sqs_messages - before.sqs_messages,
        ));
        waiting.push(queued(&ctx, &queue).await);
    }
    println!("\n### The reminder run for a day with {due} due permits\n");
    println!(
        "| run | time s | permits/s | Queries | DynamoDB calls | items read | reminded | skipped | SQS calls | SMS queued |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (i, (took, report, queries, calls, sends, messages)) in runs.iter().enumerate() {
        println!(
            "| {} | {:.1} | {:.0} | {queries} | {calls} | {} | {} | {} | {sends} | {messages} |",
            ["first", "second (same day)"][i],
            took.as_secs_f64(),
            report["read"].as_f64().unwrap_or(0.0) / took.as_secs_f64(),
            report["read"],
            report["reminded"],
            report["skipped"],
        );
    }
    println!(
        "\nOn the SMS queue (ApproximateNumberOfMessages): {} before the runs, {} after the first, {} after the second.",
        waiting[0], waiting[1], waiting[2]
    );
    assert_eq!(
        runs[0].1["reminded"], due as u64,
        "every due permit reminded once"
    );
    assert_eq!(runs[0].5, due as u64, "one SMS queued per due permit");
    assert_eq!(runs[1].5, 0, "a second run of the day queues nothing");
    assert_eq!(
        waiting[1] - waiting[0],
        due as u64,
        "the queue holds every reminder"
    );
    assert_eq!(
        waiting[2], waiting[1],
        "and nothing more after the second run"
    );
}
