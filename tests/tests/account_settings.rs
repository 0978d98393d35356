//! Changing one's password (F10): old password, new password under the registration policy, and
//! an SMS code to the account's own phone; trusted devices are forgotten and the phone is told.

use e2e_tests::fixtures::{self, PASSWORD, User};
use e2e_tests::{Client, stack};
use reqwest::Method;
use serde_json::{Value, json};

async fn change(client: &Client, token: &str, body: &Value) -> e2e_tests::Answer {
    client
        .send(Method::PUT, "/v1/me/password", Some(token), Some(body))
        .await
}

async fn change_code(client: &Client, token: &str, phone: &str) -> String {
    let answer = client
        .send(
            Method::POST,
            "/v1/sms-codes",
            Some(token),
            Some(&json!({"phone": phone, "purpose": "change_password"})),
        )
        .await;
    assert_eq!(answer.status, 202, "{:#}", answer.body);
    client.latest_code(phone).await
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

    let code = change_code(&client, &token, &user.phone).await;
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

    let done = change(
        &client,
        &token,
        &json!({"old_password": PASSWORD, "new_password": new_password, "sms_code": code}),
    )
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
    let messages = client.sms_messages(&user.phone).await;
    assert!(
        messages.last().unwrap().contains("密码已修改"),
        "{messages:?}"
    );

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
