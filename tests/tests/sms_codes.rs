//! `POST /v1/sms-codes`: the message, the limits that bound SMS costs, and who may ask.

use e2e_tests::fixtures::{self, six_digit_code};
use e2e_tests::{Client, stack, start};
use serde_json::json;

#[tokio::test]
async fn a_code_goes_out_as_a_signed_chinese_message_to_the_e164_number() {
    let client = Client::new(stack());
    let phone = fixtures::phone();
    let answer = client.request_code(&phone, "register").await;
    assert_eq!(answer.status, 202, "{:#}", answer.body);
    assert_eq!(answer.body["expires_in"], 300);
    assert_eq!(answer.body["resend_after"], 60);
    let messages = client.sms_messages(&phone).await;
    assert_eq!(messages.len(), 1, "one message to +86{phone}");
    let text = &messages[0];
    assert!(text.starts_with("【深圳居住登记】"), "{text}");
    assert!(
        six_digit_code(text).is_some(),
        "exactly one 6-digit code in {text}"
    );
    assert!(text.contains("注册"), "{text}");
}

#[tokio::test]
async fn a_second_code_within_a_minute_is_refused_with_retry_after() {
    let client = Client::new(stack());
    let phone = fixtures::phone();
    client.code_for(&phone, "register").await;
    let again = client.request_code(&phone, "register").await;
    again.assert_problem(429, "RATE_LIMITED");
    let retry: u64 = again.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert_eq!(
        client.sms_messages(&phone).await.len(),
        1,
        "nothing more was sent"
    );
}

#[tokio::test]
async fn a_phone_gets_at_most_ten_codes_a_day() {
    // No resend interval here, so the daily cap is what stops it.
    let stack = start(&[("SMS_RESEND_INTERVAL_SECONDS", "0")]);
    let client = Client::new(&stack);
    let phone = fixtures::phone();
    for i in 0..10 {
        let answer = client.request_code(&phone, "register").await;
        assert_eq!(answer.status, 202, "code {i}: {:#}", answer.body);
    }
    let eleventh = client.request_code(&phone, "register").await;
    eleventh.assert_problem(429, "RATE_LIMITED");
    assert!(eleventh.headers.contains_key("retry-after"));
    assert_eq!(client.sms_messages(&phone).await.len(), 10);
}

#[tokio::test]
async fn one_client_ip_gets_a_bounded_number_of_codes() {
    let stack = start(&[("SMS_HOURLY_LIMIT_PER_IP", "3")]);
    let client = Client::new(&stack);
    for _ in 0..3 {
        client.code_for(&fixtures::phone(), "register").await;
    }
    let phone = fixtures::phone();
    let answer = client.request_code(&phone, "register").await;
    answer.assert_problem(429, "RATE_LIMITED");
    assert!(client.sms_messages(&phone).await.is_empty());
    // Another client address is not affected.
    let other = Client::new(&stack);
    other.code_for(&fixtures::phone(), "register").await;
}

/// Issue 12 (2, 3): a login code goes only to a caller that has just given the account's
/// password (the login ticket of its `SMS_CODE_REQUIRED` answer), and only to the account's phone.
/// Strangers can neither spend a phone's login codes nor tell which phones have accounts.
#[tokio::test]
async fn a_login_code_needs_the_ticket_of_a_right_password() {
    let client = Client::new(stack());
    let user = fixtures::register(&client, "residence_registration").await;
    // No ticket: refused, and nothing is sent, whether the phone has an account or not.
    for phone in [user.phone.clone(), fixtures::phone()] {
        let answer = client.request_code(&phone, "login").await;
        answer.assert_problem(400, "VALIDATION_FAILED");
        assert!(
            answer.has_field_error("login_ticket", "REQUIRED"),
            "{:#}",
            answer.body
        );
    }
    // A forged or tampered ticket is refused.
    let wrong = client
        .post(
            "/v1/sms-codes",
            &json!({"phone": user.phone, "purpose": "login", "login_ticket": "eyJ9.forged"}),
        )
        .await;
    assert!(
        wrong.has_field_error("login_ticket", "INVALID_TICKET"),
        "{:#}",
        wrong.body
    );
    let empty = client
        .post(
            "/v1/sms-codes",
            &json!({"phone": user.phone, "purpose": "register", "login_ticket": ""}),
        )
        .await;
    assert!(
        empty.has_field_error("login_ticket", "INVALID_TICKET"),
        "{:#}",
        empty.body
    );
    let registered = client.sms_messages(&user.phone).await.len();

    // A wrong password gets no ticket.
    let mut wrong_password = fixtures::login_body(&user, &fixtures::device_id());
    wrong_password["password"] = json!("not-the-password");
    let answer = client.post("/v1/sessions", &wrong_password).await;
    answer.assert_problem(401, "UNAUTHENTICATED");
    assert!(answer.body.get("login_ticket").is_none());

    // The right password's ticket sends the code, to the account's phone only.
    let first = client
        .post(
            "/v1/sessions",
            &fixtures::login_body(&user, &fixtures::device_id()),
        )
        .await;
    first.assert_problem(401, "SMS_CODE_REQUIRED");
    let ticket = first.body["login_ticket"].as_str().unwrap().to_owned();
    let elsewhere = client
        .post(
            "/v1/sms-codes",
            &json!({"phone": fixtures::phone(), "purpose": "login", "login_ticket": ticket}),
        )
        .await;
    assert!(
        elsewhere.has_field_error("phone", "NOT_ACCOUNT_PHONE"),
        "{:#}",
        elsewhere.body
    );
    assert_eq!(client.sms_messages(&user.phone).await.len(), registered);
    fixtures::code_with_ticket(&client, &user.phone, &ticket).await;
    assert_eq!(client.sms_messages(&user.phone).await.len(), registered + 1);
}

/// Issue 12 (2): nine `register` requests for a phone from nine addresses cannot use up the
/// owner's login codes: each purpose has its own daily count per phone.
#[tokio::test]
async fn register_requests_cannot_spend_a_phones_login_codes() {
    let stack = e2e_tests::start(&[
        ("SMS_RESEND_INTERVAL_SECONDS", "0"),
        ("SMS_DAILY_LIMIT_PER_PHONE", "3"),
    ]);
    let owner = Client::new(&stack);
    let user = fixtures::register(&owner, "residence_registration").await;
    for _ in 0..9 {
        let stranger = Client::new(&stack);
        stranger.request_code(&user.phone, "register").await;
    }
    owner
        .request_code(&user.phone, "register")
        .await
        .assert_problem(429, "RATE_LIMITED");
    // The owner still logs in on a new device.
    fixtures::login(&owner, &user, &fixtures::device_id()).await;
}

#[tokio::test]
async fn change_codes_need_a_session_and_password_codes_the_accounts_phone() {
    let client = Client::new(stack());
    let phone = fixtures::phone();
    for purpose in ["change_phone", "change_password"] {
        client
            .post(
                "/v1/sms-codes",
                &json!({"phone": phone, "purpose": purpose}),
            )
            .await
            .assert_problem(401, "UNAUTHENTICATED");
    }
    let (user, token) = fixtures::logged_in(&client, "residence_registration").await;
    let other = client
        .post_auth(
            "/v1/sms-codes",
            &token,
            &json!({"phone": phone, "purpose": "change_password"}),
        )
        .await;
    other.assert_problem(400, "VALIDATION_FAILED");
    assert!(other.has_field_error("phone", "NOT_ACCOUNT_PHONE"));
    let own = client
        .post_auth(
            "/v1/sms-codes",
            &token,
            &json!({"phone": user.phone, "purpose": "change_password"}),
        )
        .await;
    assert_eq!(own.status, 202, "{:#}", own.body);
    assert!(client.latest_code(&user.phone).await.len() == 6);
}

#[tokio::test]
async fn bad_phone_and_purpose() {
    let client = Client::new(stack());
    let answer = client
        .post(
            "/v1/sms-codes",
            &json!({"phone": "+85291234567", "purpose": "reset"}),
        )
        .await;
    answer.assert_problem(400, "VALIDATION_FAILED");
    assert!(answer.has_field_error("phone", "INVALID_PHONE"));
    assert!(answer.has_field_error("purpose", "INVALID_PURPOSE"));
    let answer = client.post("/v1/sms-codes", &json!({})).await;
    assert!(
        answer.has_field_error("phone", "REQUIRED")
            && answer.has_field_error("purpose", "REQUIRED")
    );
}

#[tokio::test]
async fn the_service_wide_daily_ceiling_stops_sending() {
    let stack = start(&[("SMS_DAILY_LIMIT_GLOBAL", "0")]);
    let client = Client::new(&stack);
    let phone = fixtures::phone();
    let answer = client.request_code(&phone, "register").await;
    answer.assert_problem(429, "RATE_LIMITED");
    assert!(client.sms_messages(&phone).await.is_empty());
}
