//! Linking houses (F12, F13), staff review (F14) and deregistration (F15), with who may see what.

use e2e_tests::fixtures;
use e2e_tests::houses::{
    approved_link, decide, link, link_body, manual_body, rejected_link, seed_building,
    staff_session, unique_name_part,
};
use e2e_tests::residents::{declared, moved_out_today, registration_path, resident_body, today};
use e2e_tests::{Answer, Client, stack, start};
use reqwest::Method;
use serde_json::{Value, json};

async fn my_links(client: &Client, token: &str) -> Vec<Value> {
    let answer = client.get_auth("/v1/me/houses?limit=100", token).await;
    assert_eq!(answer.status, 200, "{:#}", answer.body);
    answer.body["items"].as_array().unwrap().clone()
}

async fn deregister(client: &Client, token: &str, link_id: &str, residents: bool) -> Answer {
    client
        .post_auth(
            &format!("/v1/me/houses/{link_id}/deregistration"),
            token,
            &json!({"deregister_residents": residents}),
        )
        .await
}

fn id(link: &Value) -> &str {
    link["link_id"].as_str().expect("link_id")
}

#[tokio::test]
async fn a_found_house_is_linked_pending_and_listed_with_its_address() {
    let stack = stack();
    let client = Client::new(stack);
    let (_, token) = fixtures::logged_in(&client, "residence_registration").await;
    let name = format!("{}花园 3栋", unique_name_part());
    let seeded = seed_building(stack, "440303001", &name, &["301", "302"]).await;

    let created = link(
        &client,
        &token,
        &link_body(&seeded.house_id("301"), "lessor"),
    )
    .await;
    assert_eq!(created["status"], "pending");
    assert_eq!(created["declarant_type"], "lessor");
    assert_eq!(created["declarant_type_label"], "出租人");
    assert_eq!(
        created["house"]["house_id"],
        seeded.house_id("301").as_str()
    );
    assert_eq!(created["house"]["room"], "301");
    assert_eq!(created["house"]["building_name"], name.as_str());
    assert!(created["manual_address"].is_null());
    let second = link(&client, &token, &link_body(&seeded.house_id("302"), "self")).await;

    let links = my_links(&client, &token).await;
    let ids: Vec<&str> = links.iter().map(id).collect();
    assert_eq!(ids, [id(&created), id(&second)], "oldest first");
    assert_eq!(links[1]["declarant_type"], "self");

    // One at a time.
    let page = client.get_auth("/v1/me/houses?limit=1", &token).await;
    assert_eq!(page.body["items"][0]["link_id"], id(&created));
    let cursor = page.body["next_cursor"].as_str().expect("a second page");
    let page = client
        .get_auth(&format!("/v1/me/houses?limit=1&cursor={cursor}"), &token)
        .await;
    assert_eq!(page.body["items"][0]["link_id"], id(&second));
    // A cursor of this account's list means nothing for another account's.
    let (_, other) = fixtures::logged_in(&client, "residence_registration").await;
    let answer = client
        .get_auth(&format!("/v1/me/houses?limit=1&cursor={cursor}"), &other)
        .await;
    assert!(
        answer.has_field_error("cursor", "INVALID_CURSOR"),
        "{:#}",
        answer.body
    );
}

#[tokio::test]
async fn the_same_house_cannot_be_linked_twice_while_active() {
    let stack = stack();
    let client = Client::new(stack);
    let (_, token) = fixtures::logged_in(&client, "residence_registration").await;
    let (_, staff) = staff_session(&client).await;
    let seeded = seed_building(stack, "440303002", &unique_name_part(), &["101"]).await;
    let body = link_body(&seeded.house_id("101"), "manager");

    let first = link(&client, &token, &body).await;
    client
        .post_auth("/v1/me/houses", &token, &body)
        .await
        .assert_problem(409, "CONFLICT");

    // Once rejected, the house may be linked again.
    let answer = decide(
        &client,
        &staff,
        id(&first),
        &json!({"approve": false, "reason": "产权证明不符"}),
    )
    .await;
    assert_eq!(answer.status, 200, "{:#}", answer.body);
    let again = link(&client, &token, &body).await;
    // And once that link is deregistered, again.
    let answer = deregister(&client, &token, id(&again), false).await;
    assert_eq!(answer.status, 200, "{:#}", answer.body);
    link(&client, &token, &body).await;

    // Another account links the same house independently.
    let (_, other) = fixtures::logged_in(&client, "residence_registration").await;
    link(&client, &other, &body).await;
}

#[tokio::test]
async fn two_links_of_one_house_at_the_same_moment_one_wins() {
    let stack = stack();
    let client = Client::new(stack);
    let (_, token) = fixtures::logged_in(&client, "residence_registration").await;
    let seeded = seed_building(stack, "440303003", &unique_name_part(), &["101"]).await;
    let body = link_body(&seeded.house_id("101"), "lessor");
    let attempts = (0..6).map(|_| client.post_auth("/v1/me/houses", &token, &body));
    let answers = futures::future::join_all(attempts).await;
    let created = answers.iter().filter(|a| a.status == 201).count();
    let conflicts = answers
        .iter()
        .filter(|a| a.status == 409 && a.code() == "CONFLICT")
        .count();
    assert_eq!((created, conflicts), (1, 5), "{answers:#?}");
    assert_eq!(my_links(&client, &token).await.len(), 1);
}

#[tokio::test]
async fn a_house_that_cannot_be_found_is_submitted_by_hand() {
    let client = Client::new(stack());
    let (_, token) = fixtures::logged_in(&client, "residence_registration").await;
    let body = manual_body("440307-DP", "440307010", "大鹏街道王母社区 建设路 8 号");
    let created = link(&client, &token, &body).await;
    assert_eq!(created["status"], "pending");
    assert!(created["house"].is_null());
    assert_eq!(created["manual_address"]["district"], "440307-DP");
    assert_eq!(created["manual_address"]["street"], "440307010");
    // The same address again (spacing aside) is the same house.
    let again = manual_body("440307-DP", "440307010", "大鹏街道王母社区建设路8号");
    client
        .post_auth("/v1/me/houses", &token, &again)
        .await
        .assert_problem(409, "CONFLICT");
}

#[tokio::test]
async fn bad_link_bodies_name_the_field() {
    let stack = stack();
    let client = Client::new(stack);
    let (_, token) = fixtures::logged_in(&client, "residence_registration").await;
    let seeded = seed_building(stack, "440303004", &unique_name_part(), &["101"]).await;
    let house = seeded.house_id("101");
    let cases = [
        (
            manual_body("440303", "440303001", "深南路"),
            "manual_address.address",
            "INVALID_ADDRESS",
        ),
        (
            manual_body("999999", "440303001", "深南东路1001号"),
            "manual_address.district",
            "UNKNOWN_DISTRICT",
        ),
        // Issue 12 (7): a right-to-left override would make the stored address read otherwise.
        (
            manual_body("440303", "440303001", "深南东路\u{202E}1001号"),
            "manual_address.address",
            "INVISIBLE_CHARACTER",
        ),
        (
            manual_body("440303", "440303999", "深南东路1001号"),
            "manual_address.street",
            "UNKNOWN_STREET",
        ),
        (
            manual_body("440303", "440304001", "深南东路1001号"),
            "manual_address.street",
            "STREET_NOT_IN_DISTRICT",
        ),
        (
            manual_body("440307", "440307009", "葵涌街道某路1号"),
            "manual_address.street",
            "STREET_NOT_IN_DISTRICT",
        ),
        (json!({"declarant_type": "lessor"}), "house_id", "REQUIRED"),
        (
            json!({"house_id": house, "declarant_type": "tenant"}),
            "declarant_type",
            "INVALID_DECLARANT_TYPE",
        ),
        (json!({"house_id": house}), "declarant_type", "REQUIRED"),
        (
            json!({"house_id": "123", "declarant_type": "lessor"}),
            "house_id",
            "INVALID_HOUSE_CODE",
        ),
        (
            json!({"house_id": "4403030049999999999999999", "declarant_type": "lessor"}),
            "house_id",
            "HOUSE_NOT_FOUND",
        ),
        (
            json!({"house_id": house, "declarant_type": "lessor", "manual_address": {"district": "440303", "street": "440303001", "address": "深南东路1001号"}}),
            "manual_address",
            "EXCLUSIVE",
        ),
        (
            json!({"house_id": house, "declarant_type": "lessor", "note": 1}),
            "note",
            "UNKNOWN_FIELD",
        ),
        (
            json!({"manual_address": "深南东路1001号", "declarant_type": "lessor"}),
            "manual_address",
            "INVALID_TYPE",
        ),
    ];
    for (body, field, code) in cases {
        let answer = client.post_auth("/v1/me/houses", &token, &body).await;
        answer.assert_problem(400, "VALIDATION_FAILED");
        assert!(
            answer.has_field_error(field, code),
            "{body}: {:#}",
            answer.body
        );
    }
    assert!(
        my_links(&client, &token).await.is_empty(),
        "nothing was written"
    );
}

#[tokio::test]
async fn only_residence_registration_accounts_manage_houses() {
    let stack = stack();
    let client = Client::new(stack);
    let seeded = seed_building(stack, "440303005", &unique_name_part(), &["101"]).await;
    let body = link_body(&seeded.house_id("101"), "self");
    let (_, permit) = fixtures::logged_in(&client, "residence_permit").await;
    client
        .post_auth("/v1/me/houses", &permit, &body)
        .await
        .assert_problem(403, "FORBIDDEN");
    client
        .get_auth("/v1/me/houses", &permit)
        .await
        .assert_problem(403, "FORBIDDEN");
    let (_, staff) = staff_session(&client).await;
    client
        .post_auth("/v1/me/houses", &staff, &body)
        .await
        .assert_problem(403, "FORBIDDEN");
    client
        .post("/v1/me/houses", &body)
        .await
        .assert_problem(401, "UNAUTHENTICATED");
    client
        .send(Method::GET, "/v1/me/houses", None, None)
        .await
        .assert_problem(401, "UNAUTHENTICATED");
}

#[tokio::test]
async fn houses_can_be_linked_at_registration() {
    let stack = stack();
    let client = Client::new(stack);
    let seeded = seed_building(stack, "440303006", &unique_name_part(), &["101", "102"]).await;
    let phone = fixtures::phone();
    let code = client.code_for(&phone, "register").await;
    let mut body = fixtures::registration_body("residence_registration", &code, &phone);

    // A house that does not exist is reported before the code is used.
    body["houses"] = json!([
        link_body(&seeded.house_id("101"), "lessor"),
        link_body("4403030069999999999999999", "lessor"),
        link_body(&seeded.house_id("101"), "self"),
    ]);
    let answer = client.post("/v1/accounts", &body).await;
    answer.assert_problem(400, "VALIDATION_FAILED");
    assert!(
        answer.has_field_error("houses[1].house_id", "HOUSE_NOT_FOUND"),
        "{:#}",
        answer.body
    );
    assert!(answer.has_field_error("houses[2].house_id", "DUPLICATE"));
    body["houses"] = json!([{"declarant_type": "boss"}]);
    let answer = client.post("/v1/accounts", &body).await;
    assert!(answer.has_field_error("houses[0].declarant_type", "INVALID_DECLARANT_TYPE"));
    assert!(answer.has_field_error("houses[0].house_id", "REQUIRED"));

    body["houses"] = json!([
        link_body(&seeded.house_id("101"), "lessor"),
        manual_body("440303", "440303006", "某某路 18 号 2 楼"),
    ]);
    let answer = client.post("/v1/accounts", &body).await;
    assert_eq!(answer.status, 201, "{:#}", answer.body);
    let user = fixtures::registered_user(&body, &answer.body);
    let token = fixtures::login(&client, &user, &fixtures::device_id()).await;
    let links = my_links(&client, &token).await;
    assert_eq!(links.len(), 2);
    assert!(links.iter().all(|l| l["status"] == "pending"));
    assert_eq!(
        links[0]["house"]["house_id"],
        seeded.house_id("101").as_str()
    );
    assert_eq!(links[1]["manual_address"]["street"], "440303006");
}

#[tokio::test]
async fn residence_permit_registrations_cannot_link_houses() {
    let stack = stack();
    let client = Client::new(stack);
    let seeded = seed_building(stack, "440303007", &unique_name_part(), &["101"]).await;
    let phone = fixtures::phone();
    let code = client.code_for(&phone, "register").await;
    let mut body = fixtures::registration_body("residence_permit", &code, &phone);
    body["houses"] = json!([link_body(&seeded.house_id("101"), "self")]);
    let answer = client.post("/v1/accounts", &body).await;
    answer.assert_problem(400, "VALIDATION_FAILED");
    assert!(answer.has_field_error("houses", "NOT_ALLOWED"));
    body["houses"] = json!([]);
    assert_eq!(client.post("/v1/accounts", &body).await.status, 201);
}

/// Pages through the review queue; returns the ids in the order staff see them.
async fn pending_ids(client: &Client, staff: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            None => "/v1/staff/house-links?status=pending&limit=7".to_owned(),
            Some(c) => format!("/v1/staff/house-links?status=pending&limit=7&cursor={c}"),
        };
        let answer = client.get_auth(&path, staff).await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);
        let items = answer.body["items"].as_array().unwrap();
        assert!(items.len() <= 7);
        ids.extend(items.iter().map(|l| id(l).to_owned()));
        match answer.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return ids,
        }
    }
}

#[tokio::test]
async fn staff_see_pending_links_oldest_first_and_decide() {
    let stack = stack();
    let client = Client::new(stack);
    let (_, token) = fixtures::logged_in(&client, "residence_registration").await;
    let (_, staff) = staff_session(&client).await;
    let rooms = ["101", "102", "103", "104", "105"];
    let seeded = seed_building(stack, "440304003", &unique_name_part(), &rooms).await;
    let mut mine = Vec::new();
    for room in rooms {
        let created = link(
            &client,
            &token,
            &link_body(&seeded.house_id(room), "lessor"),
        )
        .await;
        mine.push(id(&created).to_owned());
    }

    let queue = pending_ids(&client, &staff).await;
    let positions: Vec<usize> = mine
        .iter()
        .map(|m| queue.iter().position(|q| q == m).expect("queued"))
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "oldest first: {positions:?}"
    );
    let unique: std::collections::BTreeSet<&String> = queue.iter().collect();
    assert_eq!(unique.len(), queue.len(), "each link once");

    let listed = client
        .get_auth("/v1/staff/house-links?status=pending&limit=100", &staff)
        .await;
    let entry = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["link_id"] == mine[0].as_str());
    if let Some(entry) = entry {
        assert!(entry["account_id"].is_string());
    }

    // Reject needs a reason; the user sees it.
    let answer = decide(&client, &staff, &mine[0], &json!({"approve": false})).await;
    answer.assert_problem(400, "VALIDATION_FAILED");
    assert!(answer.has_field_error("reason", "REQUIRED"));
    let answer = decide(
        &client,
        &staff,
        &mine[0],
        &json!({"approve": false, "reason": "非该房屋出租人"}),
    )
    .await;
    assert_eq!(answer.status, 200, "{:#}", answer.body);
    assert_eq!(answer.body["status"], "rejected");
    let answer = decide(&client, &staff, &mine[1], &json!({"approve": true})).await;
    assert_eq!(answer.status, 200, "{:#}", answer.body);
    assert_eq!(answer.body["status"], "approved");

    // Decided links leave the queue and cannot be decided again.
    decide(
        &client,
        &staff,
        &mine[1],
        &json!({"approve": false, "reason": "改判"}),
    )
    .await
    .assert_problem(409, "CONFLICT");
    let queue = pending_ids(&client, &staff).await;
    assert!(!queue.contains(&mine[0]) && !queue.contains(&mine[1]));
    assert!(queue.contains(&mine[2]));

    let links = my_links(&client, &token).await;
    assert_eq!(links[0]["status"], "rejected");
    assert_eq!(links[0]["reason"], "非该房屋出租人");
    assert_eq!(links[1]["status"], "approved");
    assert!(links[1]["decided_at"].is_string());
    assert_eq!(links[2]["status"], "pending");
}

#[tokio::test]
async fn only_staff_review_links() {
    let stack = stack();
    let client = Client::new(stack);
    let (_, token) = fixtures::logged_in(&client, "residence_registration").await;
    let seeded = seed_building(stack, "440304004", &unique_name_part(), &["101"]).await;
    let created = link(
        &client,
        &token,
        &link_body(&seeded.house_id("101"), "lessor"),
    )
    .await;
    let (_, permit) = fixtures::logged_in(&client, "residence_permit").await;
    for caller in [&token, &permit] {
        client
            .get_auth("/v1/staff/house-links?status=pending", caller)
            .await
            .assert_problem(403, "FORBIDDEN");
        decide(&client, caller, id(&created), &json!({"approve": true}))
            .await
            .assert_problem(403, "FORBIDDEN");
    }
    client
        .send(Method::GET, "/v1/staff/house-links", None, None)
        .await
        .assert_problem(401, "UNAUTHENTICATED");

    let (_, staff) = staff_session(&client).await;
    let unknown = uuid::Uuid::now_v7().to_string();
    decide(&client, &staff, &unknown, &json!({"approve": true}))
        .await
        .assert_problem(404, "NOT_FOUND");
    decide(&client, &staff, "not-a-link", &json!({"approve": true}))
        .await
        .assert_problem(404, "NOT_FOUND");
    let answer = client
        .get_auth("/v1/staff/house-links?status=approved", &staff)
        .await;
    assert!(answer.has_field_error("status", "UNSUPPORTED_STATUS"));
    let answer = decide(&client, &staff, id(&created), &json!({"approve": "yes"})).await;
    assert!(answer.has_field_error("approve", "INVALID_TYPE"));
    let answer = decide(
        &client,
        &staff,
        id(&created),
        &json!({"approve": false, "reason": "不符", "house_id": seeded.house_id("101")}),
    )
    .await;
    assert!(
        answer.has_field_error("house_id", "NOT_ALLOWED"),
        "{:#}",
        answer.body
    );
}

#[tokio::test]
async fn a_hand_written_address_is_approved_onto_a_house_record() {
    let stack = stack();
    let client = Client::new(stack);
    let (_, token) = fixtures::logged_in(&client, "residence_registration").await;
    let (_, staff) = staff_session(&client).await;
    let street = "440305002";
    let building = seed_building(stack, street, &unique_name_part(), &["101", "102"]).await;
    let elsewhere = seed_building(stack, "440305003", &unique_name_part(), &["101"]).await;

    let first = link(
        &client,
        &token,
        &manual_body("440305", street, "南山大道 1 号 101 室"),
    )
    .await;
    let link_id = id(&first);
    let answer = decide(&client, &staff, link_id, &json!({"approve": true})).await;
    assert!(
        answer.has_field_error("house_id", "REQUIRED"),
        "{:#}",
        answer.body
    );
    let answer = decide(
        &client,
        &staff,
        link_id,
        &json!({"approve": true, "house_id": elsewhere.house_id("101")}),
    )
    .await;
    assert!(
        answer.has_field_error("house_id", "STREET_MISMATCH"),
        "{:#}",
        answer.body
    );
    let answer = decide(
        &client,
        &staff,
        link_id,
        &json!({"approve": true, "house_id": "4403050029999999999999999"}),
    )
    .await;
    assert!(answer.has_field_error("house_id", "HOUSE_NOT_FOUND"));

    // Onto an existing house.
    let answer = decide(
        &client,
        &staff,
        link_id,
        &json!({"approve": true, "house_id": building.house_id("101")}),
    )
    .await;
    assert_eq!(answer.status, 200, "{:#}", answer.body);
    assert_eq!(answer.body["status"], "approved");
    assert_eq!(
        answer.body["house"]["house_id"],
        building.house_id("101").as_str()
    );
    assert_eq!(answer.body["manual_address"]["street"], street);

    // Now that house is linked: a second hand-written link cannot be placed on it too.
    let second = link(
        &client,
        &token,
        &manual_body("440305", street, "南山大道 1 号 101 房"),
    )
    .await;
    decide(
        &client,
        &staff,
        id(&second),
        &json!({"approve": true, "house_id": building.house_id("101")}),
    )
    .await
    .assert_problem(409, "CONFLICT");
    client
        .post_auth(
            "/v1/me/houses",
            &token,
            &link_body(&building.house_id("101"), "lessor"),
        )
        .await
        .assert_problem(409, "CONFLICT");

    // Onto a house staff create in the building.
    let new_code = format!("{}000901", building.building.building_code);
    let bad = decide(
        &client,
        &staff,
        id(&second),
        &json!({"approve": true, "new_house": {"building_id": building.building.building_id, "room": "901", "house_code": format!("{}000901", elsewhere.building.building_code)}}),
    )
    .await;
    assert!(
        bad.has_field_error("new_house.house_code", "NOT_IN_BUILDING"),
        "{:#}",
        bad.body
    );
    let answer = decide(
        &client,
        &staff,
        id(&second),
        &json!({"approve": true, "new_house": {"building_id": building.building.building_id, "room": "901", "house_code": new_code}}),
    )
    .await;
    assert_eq!(answer.status, 200, "{:#}", answer.body);
    assert_eq!(answer.body["house"]["house_id"], new_code.as_str());
    assert_eq!(answer.body["house"]["room"], "901");
    let houses = client
        .send(
            Method::GET,
            &format!(
                "/v1/buildings/{}/houses?room=9",
                building.building.building_id
            ),
            None,
            None,
        )
        .await;
    assert_eq!(houses.body["items"][0]["house_id"], new_code.as_str());

    // A house code that exists already cannot be created again.
    let third = link(
        &client,
        &token,
        &manual_body("440305", street, "南山大道 1 号 102 房"),
    )
    .await;
    decide(
        &client,
        &staff,
        id(&third),
        &json!({"approve": true, "new_house": {"building_id": building.building.building_id, "room": "102", "house_code": building.house_id("102")}}),
    )
    .await
    .assert_problem(409, "CONFLICT");
}

#[tokio::test]
async fn other_accounts_links_are_not_found() {
    let stack = stack();
    let client = Client::new(stack);
    let (_, owner) = fixtures::logged_in(&client, "residence_registration").await;
    let (_, stranger) = fixtures::logged_in(&client, "residence_registration").await;
    let seeded = seed_building(stack, "440304005", &unique_name_part(), &["101"]).await;
    let created = link(
        &client,
        &owner,
        &link_body(&seeded.house_id("101"), "lessor"),
    )
    .await;

    deregister(&client, &stranger, id(&created), true)
        .await
        .assert_problem(404, "NOT_FOUND");
    assert!(my_links(&client, &stranger).await.is_empty());
    deregister(&client, &owner, "nope", false)
        .await
        .assert_problem(404, "NOT_FOUND");
    // The owner's link is untouched.
    assert_eq!(my_links(&client, &owner).await[0]["status"], "pending");
}

#[tokio::test]
async fn deregistration_ends_a_link_and_frees_the_house() {
    let stack = stack();
    let client = Client::new(stack);
    let (_, staff) = staff_session(&client).await;
    let (_, token, approved) = approved_link(&client, &staff).await;
    let link_id = id(&approved);

    let bad = client
        .post_auth(
            &format!("/v1/me/houses/{link_id}/deregistration"),
            &token,
            &json!({}),
        )
        .await;
    assert!(bad.has_field_error("deregister_residents", "REQUIRED"));

    let answer = deregister(&client, &token, link_id, false).await;
    assert_eq!(answer.status, 200, "{:#}", answer.body);
    assert_eq!(answer.body["status"], "deregistered");
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .date_naive()
        .to_string();
    assert_eq!(answer.body["deregistered_on"], today.as_str());
    assert!(answer.body.get("residents_deregistration").is_none());
    // Asking again answers the same.
    let again = deregister(&client, &token, link_id, false).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body["status"], "deregistered");
    assert_eq!(my_links(&client, &token).await[0]["status"], "deregistered");

    // The house can be linked anew.
    let house_id = approved["house"]["house_id"].as_str().unwrap();
    link(&client, &token, &link_body(house_id, "lessor")).await;

    // A rejected link has nothing to deregister.
    let seeded = seed_building(stack, "440304006", &unique_name_part(), &["101"]).await;
    let rejected = rejected_link(&client, &token, &staff, &seeded.house_id("101")).await;
    deregister(&client, &token, id(&rejected), false)
        .await
        .assert_problem(409, "CONFLICT");
}

/// Declares a resident under an approved link; returns the registration.
async fn seed_resident(client: &Client, token: &str, link_id: &str) -> Value {
    declared(client, token, link_id, &resident_body()).await
}

async fn resident_status(client: &Client, token: &str, registration: &Value) -> String {
    let answer = client
        .get_auth(&registration_path(registration), token)
        .await;
    assert_eq!(answer.status, 200, "{:#}", answer.body);
    answer.body["status"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn residents_are_deregistered_with_their_house_one_at_a_time_and_resumably() {
    // A time budget of zero: each request moves out exactly one resident, as if the function died
    // after it; the next request goes on from there.
    let slow = start(&[("DEREGISTRATION_TIME_BUDGET_MS", "0")]);
    let client = Client::new(&slow);
    let (_, staff) = staff_session(&client).await;
    let (_, token, approved) = approved_link(&client, &staff).await;
    let link_id = id(&approved).to_owned();
    let mut current = Vec::new();
    for _ in 0..3 {
        current.push(seed_resident(&client, &token, &link_id).await);
    }
    let earlier = seed_resident(&client, &token, &link_id).await;
    moved_out_today(&client, &token, &earlier).await;

    let first = deregister(&client, &token, &link_id, true).await;
    assert_eq!(first.status, 200, "{:#}", first.body);
    assert_eq!(first.body["status"], "deregistered");
    assert_eq!(first.body["residents_deregistration"], "in_progress");
    let mut statuses = Vec::new();
    for r in &current {
        statuses.push(resident_status(&client, &token, r).await);
    }
    assert_eq!(
        statuses.iter().filter(|s| *s == "moved_out").count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        my_links(&client, &token).await[0]["residents_deregistration"],
        "in_progress"
    );

    let mut answers = vec![first];
    for _ in 0..5 {
        let answer = deregister(&client, &token, &link_id, false).await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);
        let done = answer.body["residents_deregistration"] == "completed";
        answers.push(answer);
        if done {
            break;
        }
    }
    assert_eq!(
        answers.last().unwrap().body["residents_deregistration"],
        "completed"
    );
    assert_eq!(
        answers.len(),
        4,
        "one resident per request, then the check that none is left"
    );
    for r in &current {
        assert_eq!(resident_status(&client, &token, r).await, "moved_out");
        let detail = client.get_auth(&registration_path(r), &token).await;
        assert_eq!(detail.body["end_reason"], "house_deregistered");
        assert_eq!(detail.body["moved_out_on"], today().to_string());
        assert_eq!(detail.body["history"][1]["action"], "deregistered");
    }
    // The resident moved out earlier keeps its own end.
    let detail = client.get_auth(&registration_path(&earlier), &token).await;
    assert_eq!(detail.body["end_reason"], "moved_out");
    assert_eq!(detail.body["version"], 2);
    let links = my_links(&client, &token).await;
    assert!(links[0].get("residents_deregistration").is_none());
}

#[tokio::test]
async fn residents_can_follow_a_house_deregistered_earlier() {
    let stack = stack();
    let client = Client::new(stack);
    let (_, staff) = staff_session(&client).await;
    let (_, token, approved) = approved_link(&client, &staff).await;
    let link_id = id(&approved).to_owned();
    let person = resident_body();
    let resident = declared(&client, &token, &link_id, &person).await;

    let answer = deregister(&client, &token, &link_id, false).await;
    assert!(answer.body.get("residents_deregistration").is_none());
    assert_eq!(resident_status(&client, &token, &resident).await, "current");

    let answer = deregister(&client, &token, &link_id, true).await;
    assert_eq!(answer.status, 200, "{:#}", answer.body);
    assert_eq!(answer.body["residents_deregistration"], "completed");
    assert_eq!(
        resident_status(&client, &token, &resident).await,
        "moved_out"
    );
    // The person left the house with it: linked anew, the house takes them again.
    let house_id = approved["house"]["house_id"].as_str().unwrap();
    let relinked = link(&client, &token, &link_body(house_id, "lessor")).await;
    decide(&client, &staff, id(&relinked), &json!({"approve": true})).await;
    declared(&client, &token, id(&relinked), &person).await;
}
