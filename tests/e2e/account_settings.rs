//! Changing one's password (F10): old password, new password under the registration policy, and
//! an SMS code to the account's own phone; trusted devices are forgotten and the phone is told.

use e2e_tests::fixtures::{self, PASSWORD, User, session_code};
use e2e_tests::{Client, stack};
use reqwest::Method;
use serde_json::{Value, json};

async fn change(client: &Client, token: &str, body: &Value) -> e2e_tests::Answer {
    client
        .send(Method::PUT, "/v1/me/password", Some(token), Some(body))
        .await
}

#[tokio::test]
async fn a_password_is_changed_with_the_old_one_and_a_code_and_devices_must_verify_again() {
    let client = Client::new(stack());
    let user = fixtures::register(&client, "residence_registration").await;
    let device = fixtures::device_id();
    let token = fixtures::login(&client, &user, &device).await;
    let new_password = "Longan-Harvest-2027";

    client
        .send(Method::PUT, "/v1/me/password", None, Some(&json!({})))
        .await
        .assert_problem(401, "UNAUTHENTICATED");
    let missing = change(&client, &token, &json!({})).await;
    for field in ["old_password", "new_password", "sms_code"] {
        assert!(missing.has_field_error(field, "REQUIRED"), "{field}");
    }

    let code = session_code(&client, &token, &user.phone, "change_password").await;
    let weak = change(
        &client,
        &token,
        &json!({"old_password": PASSWORD, "new_password": "password", "sms_code": code}),
    )
    .await;
    assert!(
        weak.has_field_error("new_password", "COMMON_PASSWORD"),
        "{:#}",
        weak.body
    );
    let wrong_old = change(
        &client,
        &token,
        &json!({"old_password": "not-my-password", "new_password": new_password, "sms_code": code}),
    )
    .await;
    assert!(
        wrong_old.has_field_error("old_password", "WRONG_PASSWORD"),
        "{:#}",
        wrong_old.body
    );
    let same = change(
        &client,
        &token,
        &json!({"old_password": PASSWORD, "new_password": PASSWORD, "sms_code": code}),
    )
    .await;
    assert!(
        same.has_field_error("new_password", "SAME_AS_OLD"),
        "{:#}",
        same.body
    );
    change(
        &client,
        &token,
        &json!({"old_password": PASSWORD, "new_password": new_password,
                "sms_code": fixtures::other_code(&code, 1)}),
    )
    .await
    .assert_problem(400, "SMS_CODE_INVALID");

    let body = json!({"old_password": PASSWORD, "new_password": new_password, "sms_code": code});
    let (done, notice) = client
        .with_next_sms(&user.phone, change(&client, &token, &body))
        .await;
    assert_eq!(done.status, 204, "{:#}", done.body);
    // The code is used up; the caller's session goes on.
    change(
        &client,
        &token,
        &json!({"old_password": new_password, "new_password": "Another-Season-2028", "sms_code": code}),
    )
    .await
    .assert_problem(400, "SMS_CODE_INVALID");
    assert_eq!(client.get_auth("/v1/me", &token).await.status, 200);
    // The phone is told.
    let notice = notice.expect("the phone is told");
    assert!(notice.contains("密码已修改"), "{notice}");

    // The old password no longer logs in; the new one does, and even the device trusted before
    // must verify by SMS again.
    client
        .post("/v1/sessions", &fixtures::login_body(&user, &device))
        .await
        .assert_problem(401, "UNAUTHENTICATED");
    let renewed = User {
        password: new_password.into(),
        ..user.clone()
    };
    client
        .post("/v1/sessions", &fixtures::login_body(&renewed, &device))
        .await
        .assert_problem(401, "SMS_CODE_REQUIRED");
    fixtures::login(&client, &renewed, &device).await;
}

async fn change_phone(client: &Client, token: &str, body: &Value) -> e2e_tests::Answer {
    client
        .send(Method::PUT, "/v1/me/phone", Some(token), Some(body))
        .await
}

#[tokio::test]
async fn a_phone_is_changed_with_a_code_sent_to_the_new_one_and_the_old_one_is_freed() {
    let client = Client::new(stack());
    let (user, token) = fixtures::logged_in(&client, "residence_registration").await;
    let (other, _) = fixtures::logged_in(&client, "residence_registration").await;

    // A phone another account of the same type holds is refused.
    let code = session_code(&client, &token, &other.phone, "change_phone").await;
    let taken = change_phone(
        &client,
        &token,
        &json!({"new_phone": other.phone, "current_password": user.password, "sms_code": code}),
    )
    .await;
    taken.assert_problem(409, "CONFLICT");
    assert!(
        taken.has_field_error("new_phone", "PHONE_TAKEN"),
        "{:#}",
        taken.body
    );
    let same = change_phone(
        &client,
        &token,
        &json!({"new_phone": user.phone, "current_password": user.password, "sms_code": "123456"}),
    )
    .await;
    assert!(
        same.has_field_error("new_phone", "SAME_AS_CURRENT"),
        "{:#}",
        same.body
    );
    let bad = change_phone(
        &client,
        &token,
        &json!({"new_phone": "12345", "sms_code": "x"}),
    )
    .await;
    assert!(
        bad.has_field_error("new_phone", "INVALID_PHONE"),
        "{:#}",
        bad.body
    );
    assert!(bad.has_field_error("sms_code", "INVALID_FORMAT"));

    let new_phone = fixtures::phone();
    let code = session_code(&client, &token, &new_phone, "change_phone").await;
    change_phone(
        &client,
        &token,
        &json!({"new_phone": new_phone, "current_password": user.password, "sms_code": fixtures::other_code(&code, 1)}),
    )
    .await
    .assert_problem(400, "SMS_CODE_INVALID");
    // A stolen session with the right code but not the password moves nothing (re-authentication).
    let stolen = change_phone(
        &client,
        &token,
        &json!({"new_phone": new_phone, "current_password": "not-the-password", "sms_code": code}),
    )
    .await;
    assert!(
        stolen.has_field_error("current_password", "WRONG_PASSWORD"),
        "{:#}",
        stolen.body
    );
    let missing = change_phone(
        &client,
        &token,
        &json!({"new_phone": new_phone, "sms_code": code}),
    )
    .await;
    assert!(missing.has_field_error("current_password", "REQUIRED"));
    let unmoved = client.get_auth("/v1/me", &token).await;
    assert_eq!(
        unmoved.body["phone"],
        format!("{}****{}", &user.phone[..3], &user.phone[7..]).as_str()
    );
    let body = json!({"new_phone": new_phone, "current_password": user.password, "sms_code": code});
    let (moved, notice) = client
        .with_next_sms(&user.phone, change_phone(&client, &token, &body))
        .await;
    assert_eq!(moved.status, 200, "{:#}", moved.body);
    let masked = format!("{}****{}", &new_phone[..3], &new_phone[7..]);
    assert_eq!(moved.body["phone"], masked.as_str());
    assert_eq!(
        client.get_auth("/v1/me", &token).await.body["phone"],
        masked.as_str()
    );
    // The old phone is told, masked.
    let notice = notice.expect("the old phone is told");
    assert!(notice.contains(&masked), "{notice}");

    // The old phone is free for a new account of the type; the new one is held.
    let code = client.code_for(&user.phone, "register").await;
    let answer = client
        .post(
            "/v1/accounts",
            &fixtures::registration_body("residence_registration", &code, &user.phone),
        )
        .await;
    assert_eq!(answer.status, 201, "{:#}", answer.body);
    let code = client.code_for(&new_phone, "register").await;
    let answer = client
        .post(
            "/v1/accounts",
            &fixtures::registration_body("residence_registration", &code, &new_phone),
        )
        .await;
    assert!(
        answer.has_field_error("phone", "PHONE_TAKEN"),
        "{:#}",
        answer.body
    );
}
