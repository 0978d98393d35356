//! Safe retries (issue 30): a change sent again with its `Idempotency-Key`, its first answer lost
//! on the way, gets that answer again and is made once — counted in items, SMS and events.

use std::time::Duration;

use e2e_tests::fixtures;
use e2e_tests::houses::{approved_link, link_body, seed_building, staff_session, unique_name_part};
use e2e_tests::residents::{resident_body, residents_path};
use e2e_tests::{Answer, Client, stack};
use reqwest::Method;
use serde_json::{Value, json};

/// A building of its own in a Luohu street, with these rooms.
async fn new_building(rooms: &[&str]) -> e2e_tests::houses::Seeded {
    seed_building(stack(), "440303001", &unique_name_part(), rooms).await
}

fn new_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Sends a POST with `key`; the caller throws the answer away or keeps it.
async fn post(client: &Client, path: &str, token: Option<&str>, body: &Value, key: &str) -> Answer {
    client
        .send_with_headers(
            Method::POST,
            path,
            token,
            Some(body),
            &[("Idempotency-Key", key)],
        )
        .await
}

fn replayed(answer: &Answer) -> bool {
    answer
        .headers
        .get("idempotent-replayed")
        .is_some_and(|v| v == "true")
}

#[tokio::test]
async fn a_move_in_whose_answer_was_lost_is_made_once() {
    let client = Client::new(stack());
    let (_, staff) = staff_session(&client).await;
    let (_, token, link) = approved_link(&client, &staff).await;
    let path = residents_path(link["link_id"].as_str().unwrap());
    let body = resident_body();
    let key = new_key();
    let first = post(&client, &path, Some(&token), &body, &key).await;
    assert_eq!(first.status, 201, "{:#}", first.body);
    assert!(!replayed(&first));
    // The app never saw that answer: it sends the same request again.
    let again = post(&client, &path, Some(&token), &body, &key).await;
    assert_eq!(again.status, 201, "{:#}", again.body);
    assert!(replayed(&again));
    assert_eq!(again.body, first.body);
    assert_eq!(again.headers.get("location"), first.headers.get("location"));
    assert_eq!(again.headers.get("etag"), first.headers.get("etag"));

    // One registration, one event.
    let listed = client.get_auth(&path, &token).await;
    assert_eq!(
        listed.body["items"].as_array().unwrap().len(),
        1,
        "{:#}",
        listed.body
    );
    let id = first.body["registration_id"].as_str().unwrap();
    let events = stack()
        .consumer_events(
            "police-population",
            id,
            |e| !e.is_empty(),
            Duration::from_secs(10),
        )
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let events = stack()
        .consumer_events(
            "police-population",
            id,
            |e| e.len() > events.len(),
            Duration::ZERO,
        )
        .await;
    assert_eq!(events.len(), 1, "{events:#?}");
}

#[tokio::test]
async fn ten_parallel_sends_of_one_key_run_once() {
    let client = Client::new(stack());
    let (_, token) = fixtures::logged_in(&client, "residence_registration").await;
    let seeded = new_building(&["101"]).await;
    let body = link_body(&seeded.house_id("101"), "lessor");
    let key = new_key();
    let sends = (0..10).map(|_| post(&client, "/v1/me/houses", Some(&token), &body, &key));
    let answers = futures::future::join_all(sends).await;
    let mut made = Vec::new();
    for answer in &answers {
        match answer.status.as_u16() {
            201 => made.push(answer.body["link_id"].clone()),
            409 => {
                answer.assert_problem(409, "REQUEST_IN_PROGRESS");
                assert!(answer.headers.contains_key("retry-after"));
            }
            other => panic!("{other}: {:#}", answer.body),
        }
    }
    assert!(!made.is_empty());
    assert!(made.iter().all(|id| *id == made[0]), "{made:?}");
    assert_eq!(
        answers
            .iter()
            .filter(|a| a.status == 201 && !replayed(a))
            .count(),
        1
    );
    let mine = client.get_auth("/v1/me/houses", &token).await;
    assert_eq!(
        mine.body["items"].as_array().unwrap().len(),
        1,
        "{:#}",
        mine.body
    );
}

#[tokio::test]
async fn a_key_serves_one_request_of_one_caller() {
    let client = Client::new(stack());
    let (_, token) = fixtures::logged_in(&client, "residence_registration").await;
    let (_, other) = fixtures::logged_in(&client, "residence_registration").await;
    let seeded = new_building(&["101", "102"]).await;
    let key = new_key();
    let first = post(
        &client,
        "/v1/me/houses",
        Some(&token),
        &link_body(&seeded.house_id("101"), "lessor"),
        &key,
    )
    .await;
    assert_eq!(first.status, 201, "{:#}", first.body);
    // The same key with another body, or on another route: refused, nothing made.
    let other_body = link_body(&seeded.house_id("102"), "lessor");
    post(&client, "/v1/me/houses", Some(&token), &other_body, &key)
        .await
        .assert_problem(422, "IDEMPOTENCY_KEY_REUSED");
    let mine = client.get_auth("/v1/me/houses", &token).await;
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 1);
    // Another account's key of the same text is its own.
    let theirs = post(&client, "/v1/me/houses", Some(&other), &other_body, &key).await;
    assert_eq!(theirs.status, 201, "{:#}", theirs.body);
    assert!(!replayed(&theirs));
}

#[tokio::test]
async fn answers_a_client_fixes_free_the_key_and_bad_keys_are_named() {
    let client = Client::new(stack());
    let (_, token) = fixtures::logged_in(&client, "residence_registration").await;
    let seeded = new_building(&["101"]).await;
    let key = new_key();
    post(
        &client,
        "/v1/me/houses",
        Some(&token),
        &json!({"house_id": "nope"}),
        &key,
    )
    .await
    .assert_problem(400, "VALIDATION_FAILED");
    let fixed = post(
        &client,
        "/v1/me/houses",
        Some(&token),
        &link_body(&seeded.house_id("101"), "lessor"),
        &key,
    )
    .await;
    assert_eq!(fixed.status, 201, "{:#}", fixed.body);
    for bad in ["", &"k".repeat(256)] {
        let answer = post(&client, "/v1/me/houses", Some(&token), &json!({}), bad).await;
        assert!(
            answer.has_field_error("Idempotency-Key", "INVALID_FORMAT"),
            "{:#}",
            answer.body
        );
    }
}

#[tokio::test]
async fn a_registration_retried_with_its_key_gets_its_account_and_one_code_was_spent() {
    let client = Client::new(stack());
    let phone = fixtures::phone();
    let code = client.code_for(&phone, "register").await;
    let body = fixtures::registration_body("residence_registration", &code, &phone);
    let key = new_key();
    let first = post(&client, "/v1/accounts", None, &body, &key).await;
    assert_eq!(first.status, 201, "{:#}", first.body);
    let again = post(&client, "/v1/accounts", None, &body, &key).await;
    assert_eq!(again.status, 201, "{:#}", again.body);
    assert!(replayed(&again));
    assert_eq!(again.body["account_id"], first.body["account_id"]);
    assert_eq!(
        client.sms_messages(&phone).await.len(),
        1,
        "one code, no other SMS"
    );
}

#[tokio::test]
async fn a_refresh_retried_with_its_key_keeps_the_session_and_the_kept_answer_is_sealed() {
    let client = Client::new(stack());
    let user = fixtures::register(&client, "residence_registration").await;
    let login = fixtures::login_answer(&client, &user, &fixtures::device_id()).await;
    let body = json!({"refresh_token": login["refresh_token"]});
    let key = new_key();
    let first = post(&client, "/v1/sessions/refresh", None, &body, &key).await;
    assert_eq!(first.status, 201, "{:#}", first.body);
    // Without the key this retry would be a spent token shown again, ending the session.
    let again = post(&client, "/v1/sessions/refresh", None, &body, &key).await;
    assert_eq!(again.status, 201, "{:#}", again.body);
    assert_eq!(again.body["refresh_token"], first.body["refresh_token"]);
    let access = again.body["access_token"].as_str().unwrap();
    assert_eq!(client.get_auth("/v1/me", access).await.status, 200);

    // The kept answer holds no token in the clear.
    let ctx = stack().context();
    let pk = shared::services::idempotency::record_key(&ctx.config.hash_key, None, &key);
    let item = ctx
        .db
        .client
        .get_item()
        .table_name(&ctx.config.tables.idempotency)
        .key("pk", aws_sdk_dynamodb::types::AttributeValue::S(pk))
        .send()
        .await
        .unwrap()
        .item
        .expect("the key's record");
    let stored = format!("{item:?}");
    let refresh = first.body["refresh_token"].as_str().unwrap();
    assert!(!stored.contains(refresh) && !stored.contains(access));
    assert!(!stored.contains(&user.account_id));
}

#[tokio::test]
async fn without_a_key_a_retried_create_names_what_exists_and_whose_it_is() {
    let client = Client::new(stack());
    let (_, staff) = staff_session(&client).await;
    let seeded = new_building(&["101"]).await;
    let house = link_body(&seeded.house_id("101"), "lessor");
    // Two declarants of one house.
    let mut links = Vec::new();
    for _ in 0..2 {
        let (_, token) = fixtures::logged_in(&client, "residence_registration").await;
        let made = e2e_tests::houses::link(&client, &token, &house).await;
        let link_id = made["link_id"].as_str().unwrap().to_owned();
        // The same link asked for again: the answer names the link made.
        let again = client.post_auth("/v1/me/houses", &token, &house).await;
        again.assert_problem(409, "CONFLICT");
        assert_eq!(again.body["existing"]["type"], "house_link");
        assert_eq!(again.body["existing"]["id"], link_id.as_str());
        let decided =
            e2e_tests::houses::decide(&client, &staff, &link_id, &json!({"approve": true})).await;
        assert_eq!(decided.status, 200, "{:#}", decided.body);
        links.push((token, link_id));
    }
    let person = resident_body();
    let (first_token, first_link) = &links[0];
    let made = e2e_tests::residents::declared(&client, first_token, first_link, &person).await;
    // The other declarant learns the person is registered there, and nothing of whose record.
    let (second_token, second_link) = &links[1];
    let theirs = client
        .post_auth(&residents_path(second_link), second_token, &person)
        .await;
    theirs.assert_problem(409, "CONFLICT");
    assert_eq!(
        theirs.body["existing"],
        json!({"type": "registration", "own": false})
    );
    assert!(theirs.headers.get("location").is_none());
    // The first declarant's retry is told it is theirs.
    let mine = client
        .post_auth(&residents_path(first_link), first_token, &person)
        .await;
    assert_eq!(mine.body["existing"]["id"], made["registration_id"]);
    assert_eq!(mine.body["existing"]["own"], true);
}

#[tokio::test]
async fn a_kept_answer_goes_back_only_to_a_live_session() {
    let client = Client::new(stack());
    let (user, token) = fixtures::logged_in(&client, "residence_registration").await;
    let seeded = new_building(&["101"]).await;
    let body = link_body(&seeded.house_id("101"), "lessor");
    let key = new_key();
    let first = post(&client, "/v1/me/houses", Some(&token), &body, &key).await;
    assert_eq!(first.status, 201, "{:#}", first.body);
    // A newer login replaces the session: the old token's replay is refused like any request.
    fixtures::login(&client, &user, &fixtures::device_id()).await;
    post(&client, "/v1/me/houses", Some(&token), &body, &key)
        .await
        .assert_problem(401, "SESSION_REPLACED");
}
