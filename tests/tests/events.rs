//! The event feed other agencies consume (F23): every declaration, change and deregistration is a
//! record on the registrations table's stream (schema: docs/events.md), read here from DynamoDB
//! Local's stream the way a consumer would.

use aws_sdk_dynamodbstreams::types::{AttributeValue, OperationType, ShardIteratorType};
use e2e_tests::houses::{approved_link, staff_session};
use e2e_tests::residents::{declared, end, registration_path, resident_body, today};
use e2e_tests::{Client, Stack, stack};
use serde_json::json;

/// One stream record of a registration's link partition: (event, kind, status, version).
type Event = (OperationType, String, String, String);

fn text(image: Option<&std::collections::HashMap<String, AttributeValue>>, name: &str) -> String {
    match image.and_then(|i| i.get(name)) {
        Some(AttributeValue::S(s)) => s.clone(),
        Some(AttributeValue::N(n)) => n.clone(),
        _ => String::new(),
    }
}

/// Every record of the stream whose key is in partition `pk`, in stream order per shard.
async fn events_of(stack: &Stack, pk: &str) -> Vec<Event> {
    let ctx = stack.context();
    let config = aws_sdk_dynamodbstreams::Config::builder()
        .behavior_version_latest()
        .region(aws_sdk_dynamodbstreams::config::Region::new("ap-east-1"))
        .endpoint_url(stack.dynamodb_url())
        .credentials_provider(aws_sdk_dynamodbstreams::config::Credentials::new(
            "local", "local", None, None, "local",
        ))
        .build();
    let streams = aws_sdk_dynamodbstreams::Client::from_conf(config);
    let listed = streams
        .list_streams()
        .table_name(&ctx.config.tables.registrations)
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
                events.push((
                    record.event_name().unwrap().clone(),
                    text(image, "kind"),
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
        events = events_of(stack, &format!("LINK#{link_id}")).await;
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
