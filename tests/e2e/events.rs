//! Events other agencies consume (F23, docs/events.md): every house link's request, decision and
//! deregistration, every declaration, change and
//! deregistration, and every permit application, decision, issue, endorsement and suspension,
//! reaches each consumer of `shared/events/consumers.yaml` as a CloudEvent of the one view it
//! receives, valid by its schema in `docs/events/`, in order per subject, read here from the
//! consumers' own queues (the publisher runs on the tables' streams as Lambda would run it).

use std::time::Duration;

use e2e_tests::events::{applied_types, schema_errors};
use e2e_tests::houses::{approved_link, staff_session};
use e2e_tests::residents::{declared, moved_out_today, registration_path, resident_body, today};
use e2e_tests::{Client, stack};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(30);

/// At least `n` distinct event ids.
fn at_least(n: usize) -> impl Fn(&[Value]) -> bool {
    move |events| applied_types(events).len() >= n
}

fn assert_valid(events: &[Value]) {
    for event in events {
        let errors = schema_errors(event);
        assert!(errors.is_empty(), "{errors:?} in {event:#}");
    }
}

/// Sequences of the distinct events, in arrival order.
fn sequences(events: &[Value]) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    events
        .iter()
        .filter(|e| seen.insert(e["id"].as_str().unwrap_or("").to_owned()))
        .map(|e| e["sequence"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[tokio::test]
async fn registrations_reach_each_consumer_minimized_valid_and_in_order() {
    let stack = stack();
    let client = Client::new(stack);
    let (_, staff) = staff_session(&client).await;
    let (_, token, approved) = approved_link(&client, &staff).await;
    let link_id = approved["link_id"].as_str().unwrap();
    let body = resident_body();
    let registration = declared(&client, &token, link_id, &body).await;
    let id = registration["registration_id"].as_str().unwrap().to_owned();
    let changed = client
        .patch_auth(
            &registration_path(&registration),
            &token,
            &json!({"version": 1, "workplace": "深圳湾实验室"}),
        )
        .await;
    assert_eq!(changed.status, 200, "{:#}", changed.body);
    moved_out_today(&client, &token, &registration).await;

    let name = body["name"].as_str().unwrap();
    let id_number = body["id_number"].as_str().unwrap();
    for consumer in ["police-population", "housing-rental", "statistics"] {
        let events = stack
            .consumer_events(consumer, &id, at_least(3), WAIT)
            .await;
        assert_eq!(
            applied_types(&events),
            [
                "registration.declared",
                "registration.changed",
                "registration.deregistered"
            ],
            "{consumer}: {events:#?}"
        );
        assert_eq!(
            sequences(&events),
            ["000000000001", "000000000002", "000000000003"],
            "{consumer}"
        );
        assert_valid(&events);
        let text = serde_json::to_string(&events).unwrap();
        let view = events[0]["view"].as_str().unwrap();
        match consumer {
            "police-population" => {
                assert_eq!(view, "full");
                assert!(text.contains(id_number) && text.contains(name));
                let change = &events[1]["data"]["changes"];
                assert!(
                    change
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|c| c["field"] == "workplace" && c["to"] == "深圳湾实验室"),
                    "{change:#}"
                );
            }
            _ => {
                // No identity outside the full view: not the number, the name, the workplace.
                assert!(!text.contains(id_number), "{consumer}");
                assert!(!text.contains(name), "{consumer}");
                assert!(!text.contains("深圳湾实验室"), "{consumer}");
                assert_eq!(events[1]["data"]["changed_fields"], json!(["workplace"]));
            }
        }
        if consumer == "statistics" {
            assert_eq!(view, "statistical");
            assert!(events[0]["data"]["age_band"].is_string());
            assert!(events[0]["data"].get("house_id").is_none());
        }
        if consumer == "housing-rental" {
            assert_eq!(view, "housing");
            assert!(events[0]["data"]["house_id"].is_string());
            assert!(events[0]["data"].get("age_band").is_none());
        }
        assert_eq!(events[2]["data"]["status"], "moved_out");
    }
    // The housing view is nobody's permit business: no permit events reach it at all.
    let permits = stack
        .consumer_events("housing-rental", &id, |_| false, Duration::from_millis(500))
        .await;
    assert!(
        permits
            .iter()
            .all(|e| e["source"] == "/residence-platform/registration")
    );
}

#[tokio::test]
async fn permit_applications_issues_endorsements_and_suspensions_reach_their_consumers() {
    use chrono::{Days, Months};
    use e2e_tests::permits::{eligible_holder, issued_permit, reschedule};
    let stack = stack();
    let client = Client::new(stack);
    let (_, staff) = staff_session(&client).await;
    let (holder, token) = eligible_holder(&client, &staff).await;
    let (application, permit) = issued_permit(&client, &holder, &token).await;
    let id = application["application_id"].as_str().unwrap().to_owned();
    let no = permit["permit_no"].as_str().unwrap();

    // Endorsed in its window; suspended by the daily run at a lapsed anniversary.
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
    infra::operator::reminders::run(&stack.context(), today())
        .await
        .expect("the daily run");

    let of = |events: &[Value], kind: &str| -> Vec<Value> {
        events
            .iter()
            .filter(|e| e["source"] == format!("/residence-platform/{kind}"))
            .cloned()
            .collect()
    };
    let full = stack
        .consumer_events(
            "police-population",
            &id,
            |events| applied_types(events).contains(&"permit.suspended".to_owned()),
            WAIT,
        )
        .await;
    assert_valid(&full);
    assert_eq!(
        applied_types(&of(&full, "permit_application")),
        ["permit.applied", "permit.decided"],
        "{full:#?}"
    );
    assert_eq!(
        applied_types(&of(&full, "permit")),
        ["permit.issued", "permit.endorsed", "permit.suspended"],
        "{full:#?}"
    );
    // The permit number only in the full view, never as a subject.
    assert!(full.iter().all(|e| e["subject"] == id.as_str()));
    assert!(
        of(&full, "permit")
            .iter()
            .all(|e| e["data"]["permit_no"] == no)
    );

    let statistical = stack
        .consumer_events(
            "statistics",
            &id,
            |events| applied_types(events).contains(&"permit.suspended".to_owned()),
            WAIT,
        )
        .await;
    assert_valid(&statistical);
    assert_eq!(
        applied_types(&of(&statistical, "permit")),
        ["permit.issued", "permit.endorsed", "permit.suspended"]
    );
    let text = serde_json::to_string(&statistical).unwrap();
    assert!(!text.contains(no), "the permit number reached statistics");
    assert!(
        !text.contains(&holder.id_number),
        "the ID number reached statistics"
    );
}

/// `template.yaml` delivers exactly what `shared/events/consumers.yaml` says: a rule per
/// consumer matching its types in its one view, to its own queue with a dead-letter queue.
#[test]
fn each_consumer_has_its_rule_queue_and_dead_letter_queue() {
    use infra::local::event_bus::consumer_resource;
    let template = infra::template::Template::load_default().unwrap();
    let routes = shared::events::consumers::routes();
    let rules: Vec<&str> = template
        .resources_of("AWS::Events::Rule")
        .map(|(id, _)| id)
        .collect();
    assert_eq!(
        rules.len(),
        routes.len(),
        "one rule per consumer: {rules:?}"
    );
    for route in routes {
        let id = &route.consumer.id;
        let (_, rule) = template
            .resources_of("AWS::Events::Rule")
            .find(|(rule, _)| *rule == consumer_resource(id, "Rule"))
            .unwrap_or_else(|| panic!("no rule for {id}"));
        let views: std::collections::BTreeSet<&str> =
            route.receives.iter().map(|(_, v)| v.as_ref()).collect();
        assert_eq!(views.len(), 1, "{id} receives one view");
        let pattern = &rule["EventPattern"];
        assert_eq!(
            pattern["detail"]["view"],
            json!(views.iter().collect::<Vec<_>>())
        );
        // Each consumer's copies carry its own pseudonyms: its rule matches only them.
        assert_eq!(pattern["detail"]["consumer"], json!([id]), "{id}'s copies");
        let mut types: Vec<String> = route.receives.iter().map(|(t, _)| t.wire_name()).collect();
        types.sort();
        assert_eq!(pattern["detail"]["type"], json!(types), "{id}'s types");
        assert_eq!(rule["EventBusName"], json!({"Ref": "EventBus"}));
        let queue = consumer_resource(id, "Queue");
        assert_eq!(
            rule["Targets"][0]["Arn"],
            json!({"Fn::GetAtt": [queue, "Arn"]}),
            "{id}'s target"
        );
        let dead_letters = template
            .queue(&queue)
            .unwrap_or_else(|| panic!("no queue {queue}"))
            .properties["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
            .clone();
        assert_eq!(
            dead_letters,
            json!(consumer_resource(id, "DeadLetterQueue"))
        );
    }
    let (_, archive) = template
        .resources_of("AWS::Events::Archive")
        .next()
        .expect("an archive");
    assert_eq!(
        archive["RetentionDays"],
        json!({"Ref": "EventArchiveRetentionDays"})
    );
    assert!(template.parameters["EventArchiveRetentionDays"].as_i64() >= Some(400));
}

#[tokio::test]
async fn house_links_reach_the_police_in_full_and_housing_without_the_holder() {
    let stack = stack();
    let client = Client::new(stack);
    let (_, staff) = staff_session(&client).await;
    let (citizen, token, approved) = approved_link(&client, &staff).await;
    let link_id = approved["link_id"].as_str().unwrap().to_owned();
    let ended = client
        .post_auth(
            &format!("/v1/me/houses/{link_id}/deregistration"),
            &token,
            &json!({"deregister_residents": false}),
        )
        .await;
    assert_eq!(ended.status, 200, "{:#}", ended.body);

    for consumer in ["police-population", "housing-rental"] {
        let events = stack
            .consumer_events(consumer, &link_id, at_least(3), WAIT)
            .await;
        assert_eq!(
            applied_types(&events),
            [
                "house_link.requested",
                "house_link.decided",
                "house_link.deregistered"
            ],
            "{consumer}: {events:#?}"
        );
        assert_eq!(
            sequences(&events),
            ["000000000001", "000000000002", "000000000003"],
            "{consumer}"
        );
        assert_valid(&events);
        assert!(
            events
                .iter()
                .all(|e| e["source"] == "/residence-platform/house_link")
        );
        assert_eq!(events[1]["data"]["status"], "approved");
        assert!(events[0]["data"]["house_id"].is_string(), "{consumer}");
        let holder = events[0]["data"].get("account_id");
        match consumer {
            "police-population" => assert_eq!(holder, Some(&json!(citizen.account_id))),
            _ => {
                // Who manages the house is not the housing view's business.
                assert!(holder.is_none() && events[0]["data"].get("address").is_none());
                let text = serde_json::to_string(&events).unwrap();
                assert!(!text.contains(&citizen.account_id), "{text}");
            }
        }
    }
    // Statistics receives no house link at all.
    let none = stack
        .consumer_events(
            "statistics",
            &link_id,
            |_| false,
            Duration::from_millis(500),
        )
        .await;
    assert!(none.is_empty(), "{none:#?}");
}

/// Every string of `value` with the name of the field it is in (an array's items carry the
/// array's name).
fn strings<'a>(value: &'a Value, field: &'a str, into: &mut Vec<(&'a str, &'a str)>) {
    match value {
        Value::String(text) => into.push((field, text)),
        Value::Array(items) => items.iter().for_each(|v| strings(v, field, into)),
        Value::Object(fields) => fields.iter().for_each(|(k, v)| strings(v, k, into)),
        _ => {}
    }
}

/// Fields whose values two agencies may legitimately share: the vocabulary of the envelope
/// (CloudEvents and EventBridge: version, source, type names, the account and region of the
/// bus), the sequence number, the commit's *day* (`time`: 16:00 UTC, the start of the China
/// day), and the facts both views carry as categories, dates and places (status, dates of
/// moving in and out, end reason, district and street codes, declarant type, channel, the names
/// of changed fields). Never an id: not the subject, the event id, the registration id.
const SHARED_VOCABULARY: &[&str] = &[
    "version",
    "account",
    "region",
    "source",
    "detail-type",
    "specversion",
    "type",
    "datacontenttype",
    "sequence",
    "time",
    "status",
    "moved_in_on",
    "moved_out_on",
    "end_reason",
    "district_code",
    "street_code",
    "declarant_type",
    "channel",
    "changed_fields",
];

/// Issue 28, finding 10: the housing and statistical views shared `registration_id` (and the
/// CloudEvents `subject` and `id`), so the housing agency's house and room could be joined with
/// the statistics' age band and sex. Each consumer now gets its own pseudonyms: the two queues'
/// messages about one registration have no identifier in common.
#[tokio::test]
async fn two_agencies_cannot_join_their_views_of_a_registration() {
    let stack = stack();
    let client = Client::new(stack);
    let (_, staff) = staff_session(&client).await;
    let (_, token, approved) = approved_link(&client, &staff).await;
    let link_id = approved["link_id"].as_str().unwrap();
    let registration = declared(&client, &token, link_id, &resident_body()).await;
    let id = registration["registration_id"].as_str().unwrap().to_owned();
    let changed = client
        .patch_auth(
            &registration_path(&registration),
            &token,
            &json!({"version": 1, "workplace": "深圳湾实验室"}),
        )
        .await;
    assert_eq!(changed.status, 200, "{:#}", changed.body);
    moved_out_today(&client, &token, &registration).await;

    // Each consumer's messages, as its queue held them (the EventBridge event, the CloudEvent
    // in its `detail`).
    let mut messages = Vec::new();
    for consumer in ["housing-rental", "statistics"] {
        let subject = stack.subject_for(consumer, &id);
        assert_ne!(
            subject, id,
            "{consumer} knows the registration by a pseudonym"
        );
        let events = stack
            .consumer_events(consumer, &id, at_least(3), WAIT)
            .await;
        assert_eq!(applied_types(&events).len(), 3, "{consumer}: {events:#?}");
        assert_valid(&events);
        for event in &events {
            assert_eq!(event["consumer"], consumer);
            assert_eq!(event["data"]["registration_id"], subject.as_str());
            assert!(event["id"].as_str().unwrap().contains(&subject));
        }
        let envelopes: Vec<Value> = stack
            .deliveries()
            .into_iter()
            .filter(|d| d.consumer == consumer && d.event["subject"] == subject.as_str())
            .map(|d| d.envelope)
            .collect();
        assert_eq!(envelopes.len(), events.len());
        let text = serde_json::to_string(&envelopes).unwrap();
        assert!(
            !text.contains(&id),
            "{consumer} received the real id: {text}"
        );
        messages.push(envelopes);
    }

    // The join: every string of the housing messages against every string of the statistical
    // ones. Only the shared vocabulary coincides, on both sides (`moved_out` is a status and an
    // end reason; the day of a move-in may be the day of a move-out).
    let (mut housing, mut statistical) = (Vec::new(), Vec::new());
    for message in &messages[0] {
        strings(message, "", &mut housing);
    }
    for message in &messages[1] {
        strings(message, "", &mut statistical);
    }
    let statistical_values: std::collections::BTreeMap<&str, Vec<&str>> =
        statistical
            .iter()
            .fold(Default::default(), |mut by_value, (field, value)| {
                by_value.entry(*value).or_default().push(*field);
                by_value
            });
    let mut in_common = std::collections::BTreeSet::new();
    for (field, value) in &housing {
        let Some(fields) = statistical_values.get(value) else {
            continue;
        };
        in_common.insert(*field);
        assert!(
            SHARED_VOCABULARY.contains(field)
                && fields.iter().all(|f| SHARED_VOCABULARY.contains(f)),
            "{value:?} is in the housing view's {field} and the statistical view's {fields:?}"
        );
    }
    // What they do share is the vocabulary expected: the join has something to hold on to only
    // if an id were among it.
    for expected in ["type", "street_code", "district_code", "time", "sequence"] {
        assert!(in_common.contains(expected), "{expected}: {in_common:?}");
    }
    // The commit's day only: 16:00 UTC is midnight in China.
    for message in messages.iter().flatten() {
        for time in [&message["time"], &message["detail"]["time"]] {
            assert!(
                time.as_str().unwrap().ends_with("T16:00:00Z"),
                "{message:#}"
            );
        }
    }
}
