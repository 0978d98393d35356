//! The event publisher under faults (F23): EventBridge refusing part of a call, and a record that
//! cannot be made an event. Alone in its process, so that the first registration events the
//! publisher puts are this test's own.

use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use e2e_tests::events::{applied_types, schema_errors};
use e2e_tests::houses::{approved_link, staff_session};
use e2e_tests::residents::{declared, moved_out_today, resident_body};
use e2e_tests::{Client, Workers, faulty_eventbridge, start_with};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(30);

#[tokio::test]
async fn a_failed_call_is_retried_from_the_failed_record_and_a_poison_record_stops_nothing() {
    let moto = e2e_tests::endpoints().events;
    // The first PutEvents of registration events: the first entry is delivered, the others
    // refused (the house link's events before them go through).
    let faulty = faulty_eventbridge::start(&moto, "/residence-platform/registration", 1, 1);
    let stack = start_with(
        &[],
        Workers {
            publisher: true,
            publisher_events: Some(&faulty.url),
            ..Workers::default()
        },
    );
    let client = Client::new(&stack);
    let (_, staff) = staff_session(&client).await;
    let (_, token, approved) = approved_link(&client, &staff).await;
    let link_id = approved["link_id"].as_str().unwrap();
    let resident = resident_body();
    let registration = declared(&client, &token, link_id, &resident).await;
    let id = registration["registration_id"].as_str().unwrap().to_owned();

    // The declaration's three copies (one per consumer) went out in one call; the full view was delivered, the
    // two refused ones made the publisher answer its record as failed: sent again, all three.
    let enough = |events: &[Value]| !events.is_empty();
    for consumer in ["housing-rental", "statistics"] {
        let events = stack.consumer_events(consumer, &id, enough, WAIT).await;
        assert_eq!(
            applied_types(&events),
            ["registration.declared"],
            "{consumer}"
        );
        assert_eq!(events.len(), 1, "{consumer}: {events:#?}");
    }
    let full = stack
        .consumer_events("police-population", &id, |e| e.len() >= 2, WAIT)
        .await;
    assert!(faulty.calls() >= 2, "the refused entries were sent again");
    assert_eq!(
        full.len(),
        2,
        "delivered, then sent again with the refused ones: {full:#?}"
    );
    assert_eq!(full[0]["id"], full[1]["id"], "the same id on the retry");
    assert_eq!(applied_types(&full), ["registration.declared"]);
    // Sent twice, recorded once: the person's processing records hold one delivery per consumer
    // (each written once its view was accepted; the retry rewrites the same records).
    let ctx = stack.context();
    let person = shared::store::keys::subject_key(
        &ctx.db,
        &shared::store::keys::person_key(
            &ctx.db,
            shared::domain::id_document::IdType::ResidentId,
            resident["id_number"].as_str().unwrap(),
        ),
        resident["name"].as_str().unwrap(),
    );
    let deadline = std::time::Instant::now() + WAIT;
    let consumers = loop {
        let records = shared::store::processing_records::page_of_subject(
            &stack.context().db,
            &person,
            &shared::store::PageRequest::first(100),
        )
        .await
        .expect("read the processing records")
        .items;
        let mut consumers: Vec<String> = records
            .iter()
            .filter(|r| {
                r.subject_id == id && r.event_type.as_deref() == Some("registration.declared")
            })
            .map(|r| r.processor_id.clone())
            .collect();
        consumers.sort_unstable();
        if consumers.len() >= 3 || std::time::Instant::now() > deadline {
            break consumers;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(
        consumers,
        ["housing-rental", "police-population", "statistics"]
    );

    // A record that cannot be made an event (a registration item that does not read as one):
    // its coordinates to the dead-letter queue, no data; the changes after it still delivered.
    let ctx = stack.context();
    let poison_id = format!("poison-{}", uuid::Uuid::new_v4().simple());
    ctx.db
        .client
        .put_item()
        .table_name(&ctx.config.tables.registrations)
        .item("pk", AttributeValue::S(format!("LINK#{poison_id}")))
        .item("sk", AttributeValue::S(format!("REG#{poison_id}")))
        .item("kind", AttributeValue::S("registration".into()))
        .item(
            "resident",
            AttributeValue::S("王小明 110101199003070012".into()),
        )
        .send()
        .await
        .expect("the poison item is written");
    moved_out_today(&client, &token, &registration).await;
    let events = stack
        .consumer_events("statistics", &id, |e| applied_types(e).len() >= 2, WAIT)
        .await;
    assert_eq!(
        applied_types(&events),
        ["registration.declared", "registration.deregistered"]
    );
    for event in &events {
        assert!(schema_errors(event).is_empty(), "{event:#}");
    }
    let dead = stack
        .first_message("EventsDeadLetterQueue", WAIT)
        .await
        .expect("the poison record dead-lettered");
    let body: Value = serde_json::from_str(dead.body().unwrap()).unwrap();
    assert_eq!(
        body["reason"],
        "an item that does not read as a RegistrationRecord"
    );
    assert!(
        body["sequence_number"].is_string() && body["event_id"].is_string(),
        "{body:#}"
    );
    assert!(
        body["event_source_arn"]
            .as_str()
            .unwrap()
            .contains("RegistrationsTable")
    );
    let text = body.to_string();
    assert!(
        !text.contains("王小明") && !text.contains("110101199003070012"),
        "{text}"
    );
    ctx.db
        .client
        .delete_item()
        .table_name(&ctx.config.tables.registrations)
        .key("pk", AttributeValue::S(format!("LINK#{poison_id}")))
        .key("sk", AttributeValue::S(format!("REG#{poison_id}")))
        .send()
        .await
        .expect("the poison item is removed");
}
