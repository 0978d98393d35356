//! Counter-opened individual accounts (F4): staff open an account, with approved houses, for a
//! person who cannot register online; the person replaces the initial password at first login.

use e2e_tests::fixtures::{self, PASSWORD, User};
use e2e_tests::houses::{link_body, manual_body, seed_building, staff_session, unique_name_part};
use e2e_tests::residents::{declared, resident_body};
use e2e_tests::{Answer, Client, stack};
use serde_json::{Value, json};

async fn open(client: &Client, token: &str, body: &Value) -> Answer {
    client.post_auth("/v1/staff/accounts", token, body).await
}

fn user_of(body: &Value, answer: &Value) -> User {
    let text = |name: &str| body[name].as_str().unwrap().to_owned();
    User {
        account_id: answer["account_id"].as_str().unwrap().to_owned(),
        account_type: text("account_type"),
        username: text("username"),
        password: text("initial_password"),
        phone: text("phone"),
        id_number: text("id_number"),
        role: None,
    }
}

#[tokio::test]
async fn staff_open_an_account_whose_holder_sets_a_password_and_declares_at_once() {
    let client = Client::new(stack());
    let (_, staff_token) = staff_session(&client).await;
    let seeded = seed_building(&client.stack, "440306001", &unique_name_part(), &["101"]).await;
    let houses = json!([link_body(&seeded.house_id("101"), "self")]);

    // Only staff open accounts this way.
    let (_, citizen) = fixtures::logged_in(&client, "residence_registration").await;
    open(
        &client,
        &citizen,
        &fixtures::counter_registration_body("residence_registration", houses.clone()),
    )
    .await
    .assert_problem(403, "FORBIDDEN");
    client
        .post(
            "/v1/staff/accounts",
            &fixtures::counter_registration_body("residence_registration", houses.clone()),
        )
        .await
        .assert_problem(401, "UNAUTHENTICATED");

    // The body is the self-registration's without an SMS code: `password` and `sms_code` are
    // not fields of it, `initial_password` is, under the same policy.
    let mut bad = fixtures::counter_registration_body("residence_registration", houses.clone());
    bad["sms_code"] = json!("123456");
    bad["password"] = json!(PASSWORD);
    bad["initial_password"] = json!(bad["username"].clone());
    bad["id_number"] = json!("110105194912310020");
    let answer = open(&client, &staff_token, &bad).await;
    answer.assert_problem(400, "VALIDATION_FAILED");
    answer.assert_field_errors(&[
        ("sms_code", "UNKNOWN_FIELD"),
        ("password", "UNKNOWN_FIELD"),
        ("initial_password", "SAME_AS_USERNAME"),
        ("id_number", "INVALID_CHECK_DIGIT"),
    ]);
    // Staff approve houses they choose from the reference data, not hand-written addresses.
    let manual = fixtures::counter_registration_body(
        "residence_registration",
        json!([manual_body("440306", "440306001", "深圳市宝安区某路 8 号")]),
    );
    let answer = open(&client, &staff_token, &manual).await;
    assert!(
        answer.has_field_error("houses[0].manual_address", "NOT_ALLOWED"),
        "{:#}",
        answer.body
    );
    let permit_with_houses =
        fixtures::counter_registration_body("residence_permit", houses.clone());
    let answer = open(&client, &staff_token, &permit_with_houses).await;
    assert!(
        answer.has_field_error("houses", "NOT_ALLOWED"),
        "{:#}",
        answer.body
    );

    // Opened: no SMS code was needed, the house is approved by this staff member.
    let body = fixtures::counter_registration_body("residence_registration", houses);
    let opened = open(&client, &staff_token, &body).await;
    assert_eq!(opened.status, 201, "{:#}", opened.body);
    assert_eq!(opened.body["must_change_password"], true);
    assert_eq!(opened.body["role"], "individual");
    assert_eq!(opened.body["houses"][0]["status"], "approved");
    assert!(
        client
            .sms_messages(body["phone"].as_str().unwrap())
            .await
            .is_empty()
    );
    let link_id = opened.body["houses"][0]["link_id"]
        .as_str()
        .unwrap()
        .to_owned();

    // The same person (document), username or phone cannot be opened twice.
    let mut twice = fixtures::counter_registration_body("residence_registration", json!([]));
    for field in ["username", "phone", "id_number"] {
        twice[field] = body[field].clone();
    }
    let answer = open(&client, &staff_token, &twice).await;
    answer.assert_problem(409, "CONFLICT");
    answer.assert_field_errors(&[
        ("username", "USERNAME_TAKEN"),
        ("phone", "PHONE_TAKEN"),
        ("id_number", "ID_TAKEN"),
    ]);

    // The holder logs in (verifying the device by SMS), must replace the password first, and
    // then declares under the approved house at once.
    let user = user_of(&body, &opened.body);
    let token = fixtures::login(&client, &user, &fixtures::device_id()).await;
    client
        .post_auth(
            &format!("/v1/me/houses/{link_id}/residents"),
            &token,
            &resident_body(),
        )
        .await
        .assert_problem(403, "PASSWORD_CHANGE_REQUIRED");
    let (_, token) = fixtures::first_login(&client, &user).await;
    let houses = client.get_auth("/v1/me/houses", &token).await;
    assert_eq!(houses.body["items"][0]["link_id"], link_id.as_str());
    let registration = declared(&client, &token, &link_id, &resident_body()).await;
    assert_eq!(registration["declarant_name"], body["real_name"]);

    // A residence-permit account opened at the counter works the same way.
    let permit = fixtures::counter_registration_body("residence_permit", json!([]));
    let opened = open(&client, &staff_token, &permit).await;
    assert_eq!(opened.status, 201, "{:#}", opened.body);
    // Staff saw the document: verified at opening (issue 12).
    assert_eq!(opened.body["identity_verified"], true, "{:#}", opened.body);
    let (_, token) = fixtures::first_login(&client, &user_of(&permit, &opened.body)).await;
    assert_eq!(
        client
            .get_auth("/v1/me/residence-records", &token)
            .await
            .status,
        200
    );
}
