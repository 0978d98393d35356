//! The event feed other agencies consume (F23): every declaration, change and deregistration is a
//! record on the registrations table's stream, and every permit application, decision, issue,
//! endorsement, suspension and cancellation one on the permits table's (schema: docs/events.md),
//! read here from DynamoDB Local's streams the way a consumer would.

use aws_sdk_dynamodbstreams::types::{AttributeValue, OperationType, ShardIteratorType};
use e2e_tests::houses::{approved_link, staff_session};
use e2e_tests::residents::{declared, end, registration_path, resident_body, today};
use e2e_tests::{Client, Stack, stack};
use serde_json::json;

/// One stream record of a partition: (event, kind or sort key, status, version).
type Event = (OperationType, String, String, String);

fn text(image: Option<&std::collections::HashMap<String, AttributeValue>>, name: &str) -> String {
    match image.and_then(|i| i.get(name)) {
        Some(AttributeValue::S(s)) => s.clone(),
        Some(AttributeValue::N(n)) => n.clone(),
        _ => String::new(),
    }
}

/// Every record of `table`'s stream whose key is in partition `pk`, in stream order per shard;
/// each named by its `kind` attribute, or its sort key when it has none (the permits table).
async fn events_of(stack: &Stack, table: &str, pk: &str) -> Vec<Event> {
    let config = aws_sdk_dynamodbstreams::Config::builder()
        .behavior_version(aws_sdk_dynamodbstreams::config::BehaviorVersion::latest())
        .region(aws_sdk_dynamodbstreams::config::Region::new("ap-east-1"))
        .endpoint_url(stack.dynamodb_url())
        .credentials_provider(aws_sdk_dynamodbstreams::config::Credentials::new(
            "local", "local", None, None, "local",
        ))
        .build();
    let streams = aws_sdk_dynamodbstreams::Client::from_conf(config);
    let listed = streams
        .list_streams()
        .table_name(table)
        .send()
        .await
        .expect("streams listed");
    let arn = listed.streams()[0].stream_arn().unwrap().to_owned();
    let described = streams
        .describe_stream()
        .stream_arn(&arn)
        .send()
        .await
        .expect("stream described");
    let mut events = Vec::new();
    for shard in described.stream_description().unwrap().shards() {
        let mut iterator = streams
            .get_shard_iterator()
            .stream_arn(&arn)
            .shard_id(shard.shard_id().unwrap())
            .shard_iterator_type(ShardIteratorType::TrimHorizon)
            .send()
            .await
            .expect("iterator")
            .shard_iterator;
        while let Some(current) = iterator {
            let page = streams
                .get_records()
                .shard_iterator(current)
                .limit(1000)
                .send()
                .await
                .expect("records");
            if page.records().is_empty() {
                break;
            }
            for record in page.records() {
                let change = record.dynamodb().unwrap();
                if text(change.keys(), "pk") != pk {
                    continue;
                }
                let image = change.new_image().or(change.old_image());
                let kind = match text(image, "kind") {
                    kind if kind.is_empty() => text(change.keys(), "sk"),
                    kind => kind,
                };
                events.push((
                    record.event_name().unwrap().clone(),
                    kind,
                    text(image, "status"),
                    text(image, "version"),
                ));
            }
            iterator = page.next_shard_iterator.clone();
        }
    }
    events
}

#[tokio::test]
async fn declarations_changes_and_deregistrations_are_streamed_as_events() {
    let stack = stack();
    let client = Client::new(stack);
    let (_, staff) = staff_session(&client).await;
    let (_, token, approved) = approved_link(&client, &staff).await;
    let link_id = approved["link_id"].as_str().unwrap();
    let registration = declared(&client, &token, link_id, &resident_body()).await;
    let path = registration_path(&registration);
    let changed = client
        .patch_auth(
            &path,
            &token,
            &json!({"version": 1, "workplace": "深圳湾实验室"}),
        )
        .await;
    assert_eq!(changed.status, 200, "{:#}", changed.body);
    let ended = end(
        &client,
        &token,
        &registration,
        &json!({"reason": "moved_out", "moved_out_on": today().to_string()}),
    )
    .await;
    assert_eq!(ended.status, 200, "{:#}", ended.body);

    let mut events = Vec::new();
    for _ in 0..30 {
        events = events_of(
            stack,
            &stack.config.tables.registrations,
            &format!("LINK#{link_id}"),
        )
        .await;
        if events.len() >= 6 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let registrations: Vec<(OperationType, String, String)> = events
        .iter()
        .filter(|(_, kind, _, _)| kind == "registration")
        .map(|(op, _, status, version)| (op.clone(), status.clone(), version.clone()))
        .collect();
    assert_eq!(
        registrations,
        [
            (OperationType::Insert, "current".into(), "1".into()),
            (OperationType::Modify, "current".into(), "2".into()),
            (OperationType::Modify, "moved_out".into(), "3".into()),
        ],
        "{events:?}"
    );
    let history: Vec<String> = events
        .iter()
        .filter(|(op, kind, _, _)| kind == "history" && *op == OperationType::Insert)
        .map(|(_, _, _, version)| version.clone())
        .collect();
    assert_eq!(history, ["1", "2", "3"], "{events:?}");
}

/// The records of a partition of the permits table, once at least `count` are there.
async fn permit_events(stack: &Stack, pk: &str, count: usize) -> Vec<Event> {
    let mut events = Vec::new();
    for _ in 0..30 {
        events = events_of(stack, &stack.config.tables.permits, pk).await;
        if events.len() >= count {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    events
}

#[tokio::test]
async fn permit_applications_decisions_issues_endorsements_and_suspensions_are_streamed() {
    use chrono::{Days, Months};
    use e2e_tests::permits::{eligible_holder, issued_permit, reschedule};
    let stack = stack();
    let client = Client::new(stack);
    let (_, staff) = staff_session(&client).await;
    let (_, token) = eligible_holder(&client, &staff).await;
    let (application, permit) = issued_permit(&client, &token).await;
    let id = application["application_id"].as_str().unwrap();
    let no = permit["permit_no"].as_str().unwrap();

    // The application: created accepted, then approved; each change a history item.
    let events = permit_events(stack, &format!("APP#{id}"), 4).await;
    let application_states: Vec<(OperationType, String, String)> = events
        .iter()
        .filter(|(_, sk, _, _)| sk == "APP")
        .map(|(op, _, status, version)| (op.clone(), status.clone(), version.clone()))
        .collect();
    assert_eq!(
        application_states,
        [
            (OperationType::Insert, "accepted".into(), "1".into()),
            (OperationType::Modify, "approved".into(), "2".into()),
        ],
        "{events:?}"
    );
    let history: Vec<&str> = events
        .iter()
        .filter(|(op, sk, _, _)| sk.starts_with("HIST#") && *op == OperationType::Insert)
        .map(|(_, _, _, version)| version.as_str())
        .collect();
    assert_eq!(history, ["1", "2"], "{events:?}");

    // The permit: issued; endorsed in its window; suspended by the daily run at its anniversary.
    let window_open = (today() + Days::new(30))
        .checked_sub_months(Months::new(12))
        .unwrap();
    reschedule(&client, no, window_open, 1, today()).await;
    let endorsed = client
        .post_auth("/v1/me/permit/endorsements", &token, &json!({}))
        .await;
    assert_eq!(endorsed.status, 201, "{:#}", endorsed.body);
    let lapsed = today().checked_sub_months(Months::new(12)).unwrap();
    reschedule(&client, no, lapsed, 1, today()).await;
    infra::reminders::run(&stack.context(), today())
        .await
        .expect("the daily run");
    let events = permit_events(stack, &format!("PERMIT#{no}"), 5).await;
    let permit_states: Vec<(OperationType, String)> = events
        .iter()
        .filter(|(_, sk, _, _)| sk == "PERMIT")
        .map(|(op, _, status, _)| (op.clone(), status.clone()))
        .collect();
    // Issued (INSERT), the two test reschedules (direct writes), the endorsement, the suspension.
    assert_eq!(
        permit_states.first(),
        Some(&(OperationType::Insert, "active".into())),
        "{events:?}"
    );
    assert_eq!(
        permit_states.last(),
        Some(&(OperationType::Modify, "suspended".into())),
        "{events:?}"
    );
    assert!(
        events
            .iter()
            .any(|(op, sk, _, _)| sk.starts_with("END#") && *op == OperationType::Insert),
        "{events:?}"
    );
}
