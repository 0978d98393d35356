//! Declaring residents (F16), listing (F18), changing (F19) and deregistering them (F20), at the
//! counter too (F21), and a resident's own records (F23).

use e2e_tests::fixtures;
use e2e_tests::houses::{
    approved_link, decide, link, link_body, rejected_link, seed_building, staff_session,
    unique_name_part, verify_at_counter,
};
use e2e_tests::residents::{
    counter_residents_path, days_ago, declare, declared, end, holder_body, moved_out_today,
    registration_path, resident_body, resident_body_for, residents_path, today,
};
use e2e_tests::{Client, stack};
use serde_json::{Value, json};

fn id(link: &Value) -> &str {
    link["link_id"].as_str().expect("link_id")
}

#[tokio::test]
async fn a_move_in_is_declared_listed_and_shown_with_its_history() {
    let client = Client::new(stack());
    let (_, staff) = staff_session(&client).await;
    let (_, token, approved) = approved_link(&client, &staff).await;
    let body = resident_body();

    let registration = declared(&client, &token, id(&approved), &body).await;
    assert_eq!(registration["status"], "current");
    assert_eq!(registration["version"], 1);
    assert_eq!(registration["late"], false);
    assert_eq!(registration["deadline_days"], 7, "a lessor has 7 days");
    assert_eq!(registration["channel"], "online");
    assert_eq!(registration["link_id"], id(&approved));
    assert_eq!(registration["house"], approved["house"]);
    let receipt_no = registration["receipt_no"].as_str().unwrap();
    let day = today().format("%Y%m%d").to_string();
    assert!(
        receipt_no.starts_with(&format!("{day}-")) && receipt_no.len() == 19,
        "{receipt_no}"
    );
    assert_eq!(registration["check_code"].as_str().unwrap().len(), 8);
    // The ID number and phone come back masked; everything else as declared.
    let resident = &registration["resident"];
    let id_number = body["id_number"].as_str().unwrap();
    assert_eq!(
        resident["id_number"],
        format!("{}**********{}", &id_number[..4], &id_number[14..])
    );
    let phone = body["phone"].as_str().unwrap();
    assert_eq!(
        resident["phone"],
        format!("{}****{}", &phone[..3], &phone[7..])
    );
    for field in [
        "name",
        "sex",
        "ethnicity",
        "birth_date",
        "household_address",
        "occupation",
    ] {
        assert_eq!(resident[field], body[field], "{field}");
    }
    assert_eq!(registration["declarant_name"], "张三");

    let listed = client
        .get_auth(&residents_path(id(&approved)), &token)
        .await;
    assert_eq!(listed.status, 200, "{:#}", listed.body);
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        listed.body["items"][0]["registration_id"],
        registration["registration_id"]
    );
    assert_eq!(listed.body["next_cursor"], Value::Null);

    let detail = client
        .get_auth(&registration_path(&registration), &token)
        .await;
    assert_eq!(detail.status, 200, "{:#}", detail.body);
    assert_eq!(detail.body["receipt_no"], receipt_no);
    let history = detail.body["history"].as_array().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["action"], "declared");
    assert_eq!(history[0]["version"], 1);
    assert_eq!(history[0]["channel"], "online");
}

#[tokio::test]
async fn every_bad_field_of_a_move_in_is_named() {
    let client = Client::new(stack());
    let (_, staff) = staff_session(&client).await;
    let (_, token, approved) = approved_link(&client, &staff).await;
    let link_id = id(&approved);

    let answer = declare(
        &client,
        &token,
        link_id,
        &json!({
            "name": "王", "sex": "3", "ethnicity": "60", "birth_date": "1990-02-30",
            "id_type": "resident_id", "id_number": "440304199001010000",
            "household_address": "广东", "marital_status": "11", "education": "99",
            "occupation": "", "workplace": "", "relationship": "", "phone": "12345",
            "moved_in_on": days_ago(-1), "hobby": "跑步",
        }),
    )
    .await;
    answer.assert_problem(400, "VALIDATION_FAILED");
    answer.assert_field_errors(&[
        ("sex", "INVALID_SEX"),
        ("birth_date", "INVALID_DATE"),
        ("household_address", "INVALID_LENGTH"),
        ("moved_in_on", "DATE_IN_FUTURE"),
        ("hobby", "UNKNOWN_FIELD"),
    ]);
    for field in [
        "name",
        "ethnicity",
        "id_number",
        "marital_status",
        "education",
        "occupation",
        "workplace",
        "relationship",
        "phone",
    ] {
        assert!(
            answer.field_errors().iter().any(|(f, _)| f == field),
            "{field}: {:#}",
            answer.body
        );
    }

    // A resident ID must agree with the declared birth date and sex.
    let mut body = resident_body();
    body["sex"] = json!(if body["sex"] == "1" { "2" } else { "1" });
    body["birth_date"] = json!("1950-01-01");
    let answer = declare(&client, &token, link_id, &body).await;
    assert!(
        answer.has_field_error("sex", "SEX_MISMATCH"),
        "{:#}",
        answer.body
    );
    assert!(answer.has_field_error("birth_date", "BIRTH_DATE_MISMATCH"));

    // Other documents get their own format checks; a good passport is accepted.
    let mut body = resident_body();
    body["id_type"] = json!("hk_macao_permit");
    body["id_number"] = json!("X1234567");
    let answer = declare(&client, &token, link_id, &body).await;
    assert!(
        answer.has_field_error("id_number", "INVALID_FORMAT"),
        "{:#}",
        answer.body
    );
    body["id_type"] = json!("passport");
    body["id_number"] = json!(format!("E{:08}", rand_digits()));
    body["ethnicity"] = json!("98");
    let answer = declare(&client, &token, link_id, &body).await;
    assert_eq!(answer.status, 201, "{:#}", answer.body);

    // Nobody moves in before being born.
    let mut body = resident_body();
    let birth = chrono::NaiveDate::parse_from_str(body["birth_date"].as_str().unwrap(), "%Y-%m-%d")
        .unwrap();
    body["moved_in_on"] = json!((birth - chrono::Duration::days(1)).to_string());
    let answer = declare(&client, &token, link_id, &body).await;
    assert!(
        answer.has_field_error("moved_in_on", "BEFORE_BIRTH"),
        "{:#}",
        answer.body
    );
}

fn rand_digits() -> u64 {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).unwrap();
    u64::from_le_bytes(b) % 100_000_000
}

#[tokio::test]
async fn residents_are_declared_only_under_ones_own_approved_link() {
    let stack = stack();
    let client = Client::new(stack);
    let (_, staff) = staff_session(&client).await;
    let (_, token) = fixtures::logged_in(&client, "residence_registration").await;
    let seeded = seed_building(stack, "440305004", &unique_name_part(), &["101", "102"]).await;
    let pending = link(
        &client,
        &token,
        &link_body(&seeded.house_id("101"), "lessor"),
    )
    .await;
    declare(&client, &token, id(&pending), &resident_body())
        .await
        .assert_problem(409, "LINK_NOT_APPROVED");
    let rejected = rejected_link(&client, &token, &staff, &seeded.house_id("102")).await;
    declare(&client, &token, id(&rejected), &resident_body())
        .await
        .assert_problem(409, "LINK_NOT_APPROVED");

    let (_, other_token, approved) = approved_link(&client, &staff).await;
    // Someone else's link, and one that does not exist, are not found.
    declare(&client, &token, id(&approved), &resident_body())
        .await
        .assert_problem(404, "NOT_FOUND");
    client
        .get_auth(&residents_path(id(&approved)), &token)
        .await
        .assert_problem(404, "NOT_FOUND");
    declare(&client, &token, "not-a-link", &resident_body())
        .await
        .assert_problem(404, "NOT_FOUND");
    // Residence-permit accounts and staff do not use the declarant's routes.
    let (_, permit) = fixtures::logged_in(&client, "residence_permit").await;
    declare(&client, &permit, id(&approved), &resident_body())
        .await
        .assert_problem(403, "FORBIDDEN");
    declare(&client, &staff, id(&approved), &resident_body())
        .await
        .assert_problem(403, "FORBIDDEN");
    // … and declarants do not use the counter's.
    client
        .post_auth(
            &counter_residents_path(id(&approved)),
            &other_token,
            &resident_body(),
        )
        .await
        .assert_problem(403, "FORBIDDEN");

    // A deregistered link takes no more residents, but its list still answers.
    let answer = client
        .post_auth(
            &format!("/v1/me/houses/{}/deregistration", id(&approved)),
            &other_token,
            &json!({"deregister_residents": false}),
        )
        .await;
    assert_eq!(answer.status, 200);
    declare(&client, &other_token, id(&approved), &resident_body())
        .await
        .assert_problem(409, "LINK_NOT_APPROVED");
    let listed = client
        .get_auth(&residents_path(id(&approved)), &other_token)
        .await;
    assert_eq!(listed.status, 200);
}

#[tokio::test]
async fn a_late_declaration_is_accepted_and_marked_by_the_declarant_types_deadline() {
    let stack = stack();
    let client = Client::new(stack);
    let (_, staff) = staff_session(&client).await;
    let (_, token) = fixtures::logged_in(&client, "residence_registration").await;
    let seeded = seed_building(
        stack,
        "440303001",
        &unique_name_part(),
        &["101", "102", "103"],
    )
    .await;
    let mut links = Vec::new();
    for (room, declarant_type) in [
        ("101", "lessor"),
        ("102", "lodging_operator"),
        ("103", "self"),
    ] {
        let created = link(
            &client,
            &token,
            &link_body(&seeded.house_id(room), declarant_type),
        )
        .await;
        let answer = decide(&client, &staff, id(&created), &json!({"approve": true})).await;
        assert_eq!(answer.status, 200);
        links.push(id(&created).to_owned());
    }
    let cases = [
        (&links[0], 7, false, 7),
        (&links[0], 8, true, 7),
        (&links[1], 0, false, 0),
        (&links[1], 1, true, 0),
        (&links[2], 15, false, 15),
        (&links[2], 16, true, 15),
    ];
    for (link_id, days, late, deadline) in cases {
        let mut body = resident_body();
        body["moved_in_on"] = json!(days_ago(days));
        let registration = declared(&client, &token, link_id, &body).await;
        assert_eq!(registration["late"], late, "{days} days ago");
        assert_eq!(registration["deadline_days"], deadline);
    }
}

#[tokio::test]
async fn the_same_person_is_not_registered_twice_at_once_in_one_house() {
    let client = Client::new(stack());
    let (_, staff) = staff_session(&client).await;
    let (_, token, approved) = approved_link(&client, &staff).await;
    let link_id = id(&approved);
    let body = resident_body();

    // Declared four times at once: exactly one is registered.
    let answers =
        futures::future::join_all((0..4).map(|_| declare(&client, &token, link_id, &body))).await;
    let created: Vec<_> = answers.iter().filter(|a| a.status == 201).collect();
    assert_eq!(
        created.len(),
        1,
        "{:#?}",
        answers.iter().map(|a| &a.body).collect::<Vec<_>>()
    );
    let registration = created[0].body.clone();
    let registration_id = registration["registration_id"].as_str().unwrap();
    for answer in answers.iter().filter(|a| a.status != 201) {
        answer.assert_problem(409, "CONFLICT");
        assert!(answer.has_field_error("id_number", "ALREADY_REGISTERED"));
        // The registration is named: this link's own (a retry whose answer was lost).
        assert_eq!(answer.body["existing"]["own"], true, "{:#}", answer.body);
        assert_eq!(answer.body["existing"]["id"], registration_id);
        assert_eq!(
            answer.headers["location"],
            format!("/v1/registrations/{registration_id}").as_str()
        );
    }

    // Staff at the counter cannot register them there again either.
    client
        .post_auth(&counter_residents_path(link_id), &staff, &body)
        .await
        .assert_problem(409, "CONFLICT");

    // Still registered in another house (another declarant's): accepted there, and the first
    // registration stays as it is.
    let (_, other_token, other_link) = approved_link(&client, &staff).await;
    let elsewhere = declared(&client, &other_token, id(&other_link), &body).await;
    assert_eq!(elsewhere["status"], "current");
    let first = client
        .get_auth(&registration_path(&registration), &token)
        .await;
    assert_eq!(first.body["status"], "current");

    // Once moved out, the person can move in again.
    moved_out_today(&client, &token, &registration).await;
    declared(&client, &token, link_id, &body).await;
}

#[tokio::test]
async fn a_change_needs_the_latest_version_and_is_kept_in_the_history() {
    let client = Client::new(stack());
    let (user, staff) = staff_session(&client).await;
    let (declarant, token, approved) = approved_link(&client, &staff).await;
    let registration = declared(&client, &token, id(&approved), &resident_body()).await;
    let path = registration_path(&registration);

    let changed = client
        .patch_auth(
            &path,
            &token,
            &json!({"version": 1, "occupation": "产品经理", "phone": null}),
        )
        .await;
    assert_eq!(changed.status, 200, "{:#}", changed.body);
    assert_eq!(changed.body["version"], 2);
    assert_eq!(changed.body["resident"]["occupation"], "产品经理");
    assert_eq!(changed.body["resident"]["phone"], Value::Null);

    // A stale version is refused, and so are fields fixed at declaration.
    let stale = client
        .patch_auth(&path, &token, &json!({"version": 1, "workplace": "别处"}))
        .await;
    stale.assert_problem(409, "CONFLICT");
    assert!(stale.has_field_error("version", "STALE_VERSION"));
    let fixed = client
        .patch_auth(
            &path,
            &token,
            &json!({"version": 2, "id_number": fixtures::id_number(), "moved_in_on": days_ago(1)}),
        )
        .await;
    fixed.assert_problem(400, "VALIDATION_FAILED");
    assert!(fixed.has_field_error("id_number", "NOT_MODIFIABLE"));
    assert!(fixed.has_field_error("moved_in_on", "NOT_MODIFIABLE"));
    let missing = client
        .patch_auth(&path, &token, &json!({"workplace": "别处"}))
        .await;
    assert!(missing.has_field_error("version", "REQUIRED"));
    // The sex must still agree with the ID number.
    let other_sex = if registration["resident"]["sex"] == "1" {
        "2"
    } else {
        "1"
    };
    let mismatch = client
        .patch_auth(&path, &token, &json!({"version": 2, "sex": other_sex}))
        .await;
    assert!(
        mismatch.has_field_error("sex", "SEX_MISMATCH"),
        "{:#}",
        mismatch.body
    );

    // Two changes from the same version at once: one wins, the other is stale.
    let answers = futures::future::join_all([
        client.patch_auth(&path, &token, &json!({"version": 2, "education": "10"})),
        client.patch_auth(&path, &staff, &json!({"version": 2, "education": "20"})),
    ])
    .await;
    let statuses: Vec<u16> = answers.iter().map(|a| a.status.as_u16()).collect();
    assert!(
        statuses.contains(&200) && statuses.contains(&409),
        "{statuses:?}"
    );

    // Staff change on the declarant's behalf; the history tells who changed what, and when.
    let answer = client
        .patch_auth(
            &path,
            &staff,
            &json!({"version": 3, "relationship": "亲属"}),
        )
        .await;
    assert_eq!(answer.status, 200, "{:#}", answer.body);
    let detail = client.get_auth(&path, &token).await;
    let history = detail.body["history"].as_array().unwrap();
    assert_eq!(history.len(), 4, "{:#}", detail.body);
    assert_eq!(history[1]["action"], "changed");
    assert_eq!(history[1]["by_account_id"], declarant.account_id.as_str());
    assert_eq!(history[1]["channel"], "online");
    let changes = history[1]["changes"].as_array().unwrap();
    assert!(
        changes.iter().any(|c| c["field"] == "occupation"
            && c["from"] == "软件工程师"
            && c["to"] == "产品经理")
    );
    assert!(
        changes
            .iter()
            .any(|c| c["field"] == "phone" && c["to"] == Value::Null)
    );
    assert!(history[1]["at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(history[3]["by_account_id"], user.account_id.as_str());
    assert_eq!(history[3]["channel"], "counter");
    assert_eq!(history[3]["changes"][0]["field"], "relationship");

    // Nothing changed: nothing recorded.
    let same = client
        .patch_auth(
            &path,
            &token,
            &json!({"version": 4, "relationship": "亲属"}),
        )
        .await;
    assert_eq!(same.status, 200);
    assert_eq!(same.body["version"], 4);
}

#[tokio::test]
async fn a_resident_moves_out_or_is_voided_and_then_stays_so() {
    let client = Client::new(stack());
    let (_, staff) = staff_session(&client).await;
    let (_, token, approved) = approved_link(&client, &staff).await;
    let mut body = resident_body();
    body["moved_in_on"] = json!(days_ago(10));
    let registration = declared(&client, &token, id(&approved), &body).await;

    let no_date = end(
        &client,
        &token,
        &registration,
        &json!({"reason": "moved_out"}),
    )
    .await;
    assert!(
        no_date.has_field_error("moved_out_on", "REQUIRED"),
        "{:#}",
        no_date.body
    );
    let early = end(
        &client,
        &token,
        &registration,
        &json!({"reason": "moved_out", "moved_out_on": days_ago(11)}),
    )
    .await;
    assert!(
        early.has_field_error("moved_out_on", "BEFORE_MOVE_IN"),
        "{:#}",
        early.body
    );
    let future = end(
        &client,
        &token,
        &registration,
        &json!({"reason": "moved_out", "moved_out_on": days_ago(-1)}),
    )
    .await;
    assert!(future.has_field_error("moved_out_on", "DATE_IN_FUTURE"));
    let unknown = end(&client, &token, &registration, &json!({"reason": "gone"})).await;
    assert!(unknown.has_field_error("reason", "INVALID_REASON"));

    let moved = end(
        &client,
        &token,
        &registration,
        &json!({"reason": "moved_out", "moved_out_on": days_ago(2), "version": 1}),
    )
    .await;
    assert_eq!(moved.status, 200, "{:#}", moved.body);
    assert_eq!(moved.body["status"], "moved_out");
    assert_eq!(moved.body["moved_out_on"], days_ago(2));
    assert_eq!(moved.body["end_reason"], "moved_out");
    assert_eq!(moved.body["version"], 2);
    // Ended is final: no second deregistration, no change.
    end(
        &client,
        &token,
        &registration,
        &json!({"reason": "info_error"}),
    )
    .await
    .assert_problem(409, "CONFLICT");
    client
        .patch_auth(
            &registration_path(&registration),
            &token,
            &json!({"version": 2, "occupation": "x"}),
        )
        .await
        .assert_problem(409, "CONFLICT");

    // A wrong registration is voided; a move-out date makes no sense then.
    let wrong = declared(&client, &token, id(&approved), &resident_body()).await;
    let answer = end(
        &client,
        &token,
        &wrong,
        &json!({"reason": "info_error", "moved_out_on": today().to_string()}),
    )
    .await;
    assert!(
        answer.has_field_error("moved_out_on", "NOT_ALLOWED"),
        "{:#}",
        answer.body
    );
    let voided = end(&client, &token, &wrong, &json!({"reason": "info_error"})).await;
    assert_eq!(voided.status, 200, "{:#}", voided.body);
    assert_eq!(voided.body["status"], "voided");
    assert_eq!(voided.body["end_reason"], "info_error");
    assert_eq!(voided.body["moved_out_on"], Value::Null);

    // The list filters by status.
    let current = client
        .get_auth(
            &format!("{}?status=current", residents_path(id(&approved))),
            &token,
        )
        .await;
    assert_eq!(current.body["items"].as_array().unwrap().len(), 0);
    let voided_list = client
        .get_auth(
            &format!("{}?status=voided", residents_path(id(&approved))),
            &token,
        )
        .await;
    assert_eq!(
        voided_list.body["items"][0]["registration_id"],
        wrong["registration_id"]
    );
    client
        .get_auth(
            &format!("{}?status=gone", residents_path(id(&approved))),
            &token,
        )
        .await
        .assert_problem(400, "VALIDATION_FAILED");
}

#[tokio::test]
async fn counter_staff_declare_and_list_on_the_declarants_behalf() {
    let stack = stack();
    let client = Client::new(stack);
    let (staff_user, staff) = staff_session(&client).await;
    let (_, token, approved) = approved_link(&client, &staff).await;
    let link_id = id(&approved);

    let answer = client
        .post_auth(&counter_residents_path(link_id), &staff, &resident_body())
        .await;
    assert_eq!(answer.status, 201, "{:#}", answer.body);
    assert_eq!(answer.body["channel"], "counter");
    let registration = answer.body;
    // The declarant sees it under their house, and its history names the staff member.
    let listed = client.get_auth(&residents_path(link_id), &token).await;
    assert_eq!(
        listed.body["items"][0]["registration_id"],
        registration["registration_id"]
    );
    let detail = client
        .get_auth(&registration_path(&registration), &token)
        .await;
    assert_eq!(
        detail.body["history"][0]["by_account_id"],
        staff_user.account_id.as_str()
    );

    let staff_list = client
        .get_auth(&counter_residents_path(link_id), &staff)
        .await;
    assert_eq!(staff_list.status, 200);
    assert_eq!(staff_list.body["items"].as_array().unwrap().len(), 1);
    // Staff can end it too.
    let ended = end(
        &client,
        &staff,
        &registration,
        &json!({"reason": "info_error"}),
    )
    .await;
    assert_eq!(ended.status, 200, "{:#}", ended.body);

    // Not on a link that is not approved, nor on an unknown one.
    let (_, other) = fixtures::logged_in(&client, "residence_registration").await;
    let seeded = seed_building(stack, "440303001", &unique_name_part(), &["101"]).await;
    let pending = link(
        &client,
        &other,
        &link_body(&seeded.house_id("101"), "lessor"),
    )
    .await;
    client
        .post_auth(
            &counter_residents_path(id(&pending)),
            &staff,
            &resident_body(),
        )
        .await
        .assert_problem(409, "LINK_NOT_APPROVED");
    client
        .get_auth(
            &counter_residents_path(&uuid::Uuid::now_v7().to_string()),
            &staff,
        )
        .await
        .assert_problem(404, "NOT_FOUND");
    // Declarants cannot list through the counter's route.
    client
        .get_auth(&counter_residents_path(link_id), &token)
        .await
        .assert_problem(403, "FORBIDDEN");
}

#[tokio::test]
async fn a_registration_is_seen_and_changed_only_by_its_declarant_and_staff() {
    let client = Client::new(stack());
    let (_, staff) = staff_session(&client).await;
    let (_, token, approved) = approved_link(&client, &staff).await;
    let registration = declared(&client, &token, id(&approved), &resident_body()).await;
    let path = registration_path(&registration);
    let (_, stranger) = fixtures::logged_in(&client, "residence_registration").await;

    client
        .get_auth(&path, &stranger)
        .await
        .assert_problem(404, "NOT_FOUND");
    client
        .patch_auth(&path, &stranger, &json!({"version": 1, "occupation": "x"}))
        .await
        .assert_problem(404, "NOT_FOUND");
    end(
        &client,
        &stranger,
        &registration,
        &json!({"reason": "info_error"}),
    )
    .await
    .assert_problem(404, "NOT_FOUND");
    // Nor does a bad body tell a stranger anything: the owner is checked first.
    client
        .patch_auth(&path, &stranger, &json!({"hobby": 1}))
        .await
        .assert_problem(404, "NOT_FOUND");
    declare(&client, &stranger, id(&approved), &json!({}))
        .await
        .assert_problem(404, "NOT_FOUND");
    client
        .get_auth(&format!("{path}/receipt"), &stranger)
        .await
        .assert_problem(404, "NOT_FOUND");
    client
        .get_auth("/v1/registrations/not-a-uuid", &token)
        .await
        .assert_problem(404, "NOT_FOUND");
    let (_, permit) = fixtures::logged_in(&client, "residence_permit").await;
    client
        .get_auth(&path, &permit)
        .await
        .assert_problem(403, "FORBIDDEN");
    client
        .get(&path)
        .await
        .assert_problem(401, "UNAUTHENTICATED");

    assert_eq!(client.get_auth(&path, &staff).await.status, 200);
    assert_eq!(
        client.get_auth(&path, &token).await.body["status"],
        "current"
    );
}

#[tokio::test]
async fn a_residents_list_pages_in_declaration_order() {
    let client = Client::new(stack());
    let (_, staff) = staff_session(&client).await;
    let (_, token, approved) = approved_link(&client, &staff).await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let r = declared(&client, &token, id(&approved), &resident_body()).await;
        ids.push(r["registration_id"].clone());
    }
    let first = client
        .get_auth(
            &format!("{}?limit=2", residents_path(id(&approved))),
            &token,
        )
        .await;
    assert_eq!(first.status, 200);
    let cursor = first.body["next_cursor"]
        .as_str()
        .expect("a next page")
        .to_owned();
    let second = client
        .get_auth(
            &format!("{}?limit=2&cursor={cursor}", residents_path(id(&approved))),
            &token,
        )
        .await;
    let mut seen: Vec<Value> = first.body["items"].as_array().unwrap().clone();
    seen.extend(second.body["items"].as_array().unwrap().iter().cloned());
    let seen: Vec<Value> = seen.iter().map(|r| r["registration_id"].clone()).collect();
    assert_eq!(seen, ids);
    assert_eq!(second.body["next_cursor"], Value::Null);
    // The cursor belongs to this list and filter.
    client
        .get_auth(
            &format!(
                "{}?status=current&cursor={cursor}",
                residents_path(id(&approved))
            ),
            &token,
        )
        .await
        .assert_problem(400, "VALIDATION_FAILED");
}

#[tokio::test]
async fn a_resident_sees_their_own_records_with_their_durations() {
    let client = Client::new(stack());
    let (_, staff) = staff_session(&client).await;
    let (holder, permit_token) = fixtures::logged_in(&client, "residence_permit").await;
    let (_, token_a, link_a) = approved_link(&client, &staff).await;
    let (_, token_b, link_b) = approved_link(&client, &staff).await;

    // Unverified, the holder sees nothing (issue 12: anyone could type anyone's ID number).
    client
        .get_auth("/v1/me/residence-records", &permit_token)
        .await
        .assert_problem(403, "IDENTITY_NOT_VERIFIED");
    verify_at_counter(&client, &staff, &holder.account_id).await;

    let mut body = holder_body(&holder);
    body["moved_in_on"] = json!(days_ago(400));
    let first = declared(&client, &token_a, id(&link_a), &body).await;
    let answer = end(
        &client,
        &token_a,
        &first,
        &json!({"reason": "moved_out", "moved_out_on": days_ago(100)}),
    )
    .await;
    assert_eq!(answer.status, 200, "{:#}", answer.body);
    body["moved_in_on"] = json!(days_ago(90));
    let second = declared(&client, &token_b, id(&link_b), &body).await;
    // A voided registration never counts.
    body["moved_in_on"] = json!(days_ago(30));
    let wrong = declared(&client, &token_a, id(&link_a), &body).await;
    end(&client, &token_a, &wrong, &json!({"reason": "info_error"})).await;
    // Someone else's registration is not the holder's, nor is one with the holder's ID number
    // under another name.
    declared(&client, &token_b, id(&link_b), &resident_body()).await;
    let mut other_name = resident_body_for(&holder.id_number);
    other_name["moved_in_on"] = json!(days_ago(20));
    declared(&client, &token_a, id(&link_a), &other_name).await;

    // The person index is eventually consistent: give it a moment.
    let mut records = Vec::new();
    for _ in 0..20 {
        let answer = client
            .get_auth("/v1/me/residence-records", &permit_token)
            .await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);
        records = answer.body["items"].as_array().unwrap().clone();
        if records.len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(records.len(), 2, "{records:#?}");
    assert_eq!(records[0]["registration_id"], first["registration_id"]);
    assert_eq!(records[0]["status"], "moved_out");
    assert_eq!(records[0]["residence_days"], 300);
    assert_eq!(records[1]["registration_id"], second["registration_id"]);
    assert_eq!(records[1]["status"], "current");
    assert_eq!(records[1]["residence_days"], 90);
    assert_eq!(records[1]["house"], link_b["house"]);

    // Only for residence-permit accounts.
    client
        .get_auth("/v1/me/residence-records", &token_a)
        .await
        .assert_problem(403, "FORBIDDEN");
}

#[tokio::test]
async fn a_receipt_number_already_taken_is_drawn_again() {
    use shared::store::{house_links, registrations};
    let stack = stack();
    let client = Client::new(stack);
    let (_, staff) = staff_session(&client).await;
    let (_, token, approved) = approved_link(&client, &staff).await;
    let first = declared(&client, &token, id(&approved), &resident_body()).await;

    // Another person's registration that happens to draw the first one's receipt number.
    let ctx = stack.context();
    let link = house_links::get_by_id(&ctx.db, id(&approved))
        .await
        .unwrap()
        .unwrap();
    let mut record = registrations::get_by_id(&ctx.db, first["registration_id"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    let taken = record.receipt_no.clone();
    let registration_id = uuid::Uuid::now_v7().to_string();
    record.sk = shared::store::keys::registration_sk(&registration_id);
    record.person_moves = format!("{}#{registration_id}", record.moved_in_on);
    record.registration_id = registration_id;
    record.person_key = shared::store::keys::person_key(
        &ctx.db,
        shared::domain::id_document::IdType::ResidentId,
        &fixtures::id_number(),
    );

    let stored = registrations::declare(&ctx.db, &link, record)
        .await
        .unwrap();
    assert_ne!(stored.receipt_no, taken);
    assert_eq!(&stored.receipt_no.as_str()[..8], &taken.as_str()[..8]);
    let path = format!("/v1/registrations/{}", stored.registration_id);
    let answer = client.get_auth(&path, &token).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body["receipt_no"], stored.receipt_no.as_str());
}

#[tokio::test]
async fn many_people_declared_under_one_link_at_the_same_moment_are_all_registered() {
    // A hotel checking in a coach party: every move-in checks the same link in its transaction.
    let client = Client::new(stack());
    let (_, staff) = staff_session(&client).await;
    let (_, token, approved) = approved_link(&client, &staff).await;
    let bodies: Vec<Value> = (0..8).map(|_| resident_body()).collect();
    let answers = futures::future::join_all(
        bodies
            .iter()
            .map(|body| declare(&client, &token, id(&approved), body)),
    )
    .await;
    for answer in &answers {
        assert_eq!(answer.status, 201, "{:#}", answer.body);
    }
    let listed = client
        .get_auth(
            &format!("{}?limit=100", residents_path(id(&approved))),
            &token,
        )
        .await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 8);
}
