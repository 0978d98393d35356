//! A forgotten password (issue 30): a `reset_password` code asked for by platform, username and
//! ID number, answered alike whether or not they match; the reset ends the session; a phone
//! number logs in as a username.

use e2e_tests::fixtures::{self, User};
use e2e_tests::{Answer, Client, stack};
use serde_json::{Value, json};

fn claimed(user: &User) -> Value {
    json!({"purpose": "reset_password", "platform": user.account_type,
           "username": user.username, "id_number": user.id_number})
}

async fn ask(client: &Client, body: &Value) -> Answer {
    client.post("/v1/sms-codes", body).await
}

fn reset_body(user: &User, code: &str, new_password: &str) -> Value {
    json!({"platform": user.account_type, "username": user.username, "id_number": user.id_number,
           "sms_code": code, "new_password": new_password})
}

const NEW_PASSWORD: &str = "Kapok-Blossom-2027";

#[tokio::test]
async fn a_reset_code_goes_only_to_a_matching_account_and_the_answers_do_not_tell() {
    let client = Client::new(stack());
    let user = fixtures::register(&client, "residence_registration").await;
    let mut wrong_id = claimed(&user);
    wrong_id["id_number"] = json!(fixtures::id_number());
    let mut unknown = claimed(&user);
    unknown["username"] = json!(fixtures::username());
    let mut other_platform = claimed(&user);
    other_platform["platform"] = json!("residence_permit");
    let before = client.sms_messages(&user.phone).await.len();
    let mut answers = Vec::new();
    for body in [&wrong_id, &unknown, &other_platform] {
        answers.push(ask(&client, body).await);
    }
    let (matching, message) = client
        .with_next_sms(&user.phone, ask(&client, &claimed(&user)))
        .await;
    answers.push(matching);
    for answer in &answers {
        assert_eq!(answer.status, 202, "{:#}", answer.body);
        assert_eq!(answer.body, answers[0].body);
        // Where the caller stands: the limits every request meets alike, never the account's.
        assert_eq!(
            answer.headers["ratelimit-policy"],
            "\"sms-reset-request\";q=1;w=60"
        );
        assert!(
            answer.headers["ratelimit"]
                .to_str()
                .unwrap()
                .starts_with("\"sms-reset-request\";r=0;")
        );
    }
    assert!(message.expect("delivered").contains("找回密码"));
    // Only the matching request reached the phone.
    assert_eq!(client.sms_messages(&user.phone).await.len(), before + 1);
    // The same details again within the minute: counted per details, whoever they name.
    for body in [&claimed(&user), &wrong_id] {
        ask(&client, body).await.assert_problem(429, "RATE_LIMITED");
    }
}

#[tokio::test]
async fn a_reset_sets_the_password_ends_the_session_and_leaves_an_audit_record() {
    let client = Client::new(stack());
    let user = fixtures::register(&client, "residence_registration").await;
    let device = fixtures::device_id();
    let login = fixtures::login_answer(&client, &user, &device).await;
    let access = login["access_token"].as_str().unwrap().to_owned();
    let refresh = login["refresh_token"].as_str().unwrap().to_owned();
    let code = client
        .code_from(&user.phone, ask(&client, &claimed(&user)))
        .await;

    // Details that name no account fail as a wrong code does.
    let mut wrong_id = reset_body(&user, &code, NEW_PASSWORD);
    wrong_id["id_number"] = json!(fixtures::id_number());
    let a = client.post("/v1/password-resets", &wrong_id).await;
    let b = client
        .post(
            "/v1/password-resets",
            &reset_body(&user, &fixtures::other_code(&code, 1), NEW_PASSWORD),
        )
        .await;
    a.assert_problem(400, "SMS_CODE_INVALID");
    b.assert_problem(400, "SMS_CODE_INVALID");
    assert_eq!(a.body_without_instance(), b.body_without_instance());
    // The registration rules hold for the new password.
    let weak = client
        .post("/v1/password-resets", &reset_body(&user, &code, "12345678"))
        .await;
    assert!(
        weak.has_field_error("new_password", "COMMON_PASSWORD"),
        "{:#}",
        weak.body
    );

    let (done, notice) = client
        .with_next_sms(
            &user.phone,
            client.post(
                "/v1/password-resets",
                &reset_body(&user, &code, NEW_PASSWORD),
            ),
        )
        .await;
    assert_eq!(done.status, 204, "{:#}", done.body);
    assert!(notice.expect("a notice").contains("重置密码"));
    // The code is spent; the session and its refresh token are over.
    client
        .post(
            "/v1/password-resets",
            &reset_body(&user, &code, "Another-Tree-2028"),
        )
        .await
        .assert_problem(400, "SMS_CODE_INVALID");
    client
        .get_auth("/v1/me", &access)
        .await
        .assert_problem(401, "UNAUTHENTICATED");
    client
        .post("/v1/sessions/refresh", &json!({"refresh_token": refresh}))
        .await
        .assert_problem(401, "UNAUTHENTICATED");
    // The old password no longer logs in; the new one does, on a device verified again by SMS
    // (trusted devices were forgotten).
    client
        .post("/v1/sessions", &fixtures::login_body(&user, &device))
        .await
        .assert_problem(401, "UNAUTHENTICATED");
    let renewed = User {
        password: NEW_PASSWORD.into(),
        ..user.clone()
    };
    client
        .post("/v1/sessions", &fixtures::login_body(&renewed, &device))
        .await
        .assert_problem(401, "SMS_CODE_REQUIRED");
    fixtures::login(&client, &renewed, &device).await;
    let audit = shared::store::audit::list(&stack().context().db, &user.account_id)
        .await
        .unwrap();
    assert!(
        audit
            .iter()
            .any(|record| record.action == shared::store::audit::AuditAction::PasswordReset)
    );
}

#[tokio::test]
async fn the_accounts_phone_works_as_its_username() {
    let client = Client::new(stack());
    let user = fixtures::register(&client, "residence_permit").await;
    let by_phone = User {
        username: user.phone.clone(),
        ..user.clone()
    };
    let device = fixtures::device_id();
    let answer = fixtures::login_answer(&client, &by_phone, &device).await;
    assert_eq!(answer["account"]["account_id"], user.account_id.as_str());
    // On another platform the phone names no account.
    let mut elsewhere = fixtures::login_body(&by_phone, &device);
    elsewhere["platform"] = json!("residence_registration");
    client
        .post("/v1/sessions", &elsewhere)
        .await
        .assert_problem(401, "UNAUTHENTICATED");
    // A reset asked for with the phone reaches the account too.
    let code = client
        .code_from(&user.phone, ask(&client, &claimed(&by_phone)))
        .await;
    let done = client
        .post(
            "/v1/password-resets",
            &reset_body(&by_phone, &code, NEW_PASSWORD),
        )
        .await;
    assert_eq!(done.status, 204, "{:#}", done.body);
}
