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
    let messages = client.sms_delivered(&phone, 1).await;
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
        // The app sees the limit coming: the phone's day, its tightest here.
        assert_eq!(
            answer.headers["ratelimit-policy"],
            "\"sms-phone-register\";q=10;w=86400"
        );
        let left = answer.headers["ratelimit"].to_str().unwrap();
        assert!(
            left.starts_with(&format!("\"sms-phone-register\";r={};", 9 - i)),
            "{left}"
        );
    }
    let eleventh = client.request_code(&phone, "register").await;
    eleventh.assert_problem(429, "RATE_LIMITED");
    assert!(eleventh.headers.contains_key("retry-after"));
    assert_eq!(client.sms_delivered(&phone, 10).await.len(), 10);
    assert_eq!(
        stack.operation_counts().sqs_sends,
        10,
        "ten queued, no more"
    );
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
    let own = fixtures::session_code(&client, &token, &user.phone, "change_password").await;
    assert_eq!(own.len(), 6);
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

/// Issue 12 (3): no request waits for SNS or calls it, whether the phone has an account or not:
/// the answer queues the message, and the sender delivers it afterwards. Counted on a stack of
/// its own (its API's clients and its sender's apart), not timed.
#[tokio::test]
async fn no_request_calls_sns_whatever_the_phone() {
    let stack = start(&[]);
    let client = Client::new(&stack);
    let user = fixtures::register(&client, "residence_registration").await;
    let before = (stack.operation_counts(), stack.worker_counts());
    let delivered = client.sms_messages(&user.phone).await.len();

    let stranger = fixtures::phone();
    for phone in [user.phone.as_str(), stranger.as_str()] {
        let answer = client.request_code(phone, "register").await;
        assert_eq!(answer.status, 202, "{:#}", answer.body);
    }
    let first = client
        .post(
            "/v1/sessions",
            &fixtures::login_body(&user, &fixtures::device_id()),
        )
        .await;
    first.assert_problem(401, "SMS_CODE_REQUIRED");
    let ticket = first.body["login_ticket"].as_str().unwrap();
    let answer = client
        .post(
            "/v1/sms-codes",
            &json!({"phone": user.phone, "purpose": "login", "login_ticket": ticket}),
        )
        .await;
    assert_eq!(answer.status, 202, "{:#}", answer.body);

    let api = stack.operation_counts();
    assert_eq!(api.sns_publishes, 0, "no request path publishes to SNS");
    assert_eq!(
        api.sqs_sends - before.0.sqs_sends,
        3,
        "each request queued its message"
    );
    // The sender delivers all three.
    client.sms_delivered(&stranger, 1).await;
    client.sms_delivered(&user.phone, delivered + 2).await;
    let sender = stack.worker_counts();
    assert_eq!(sender.sns_publishes - before.1.sns_publishes, 3);
    assert_eq!(sender.sqs_sends, 0, "the sender only delivers");
}

/// Issue 12 (3): a message that cannot be delivered after every try lands in the dead-letter
/// queue, its code is withdrawn (it logs in or registers nobody), and the next request gets a
/// fresh code at once instead of waiting out the resend interval.
#[tokio::test]
async fn an_undeliverable_code_is_dead_lettered_and_the_next_request_gets_a_fresh_one() {
    let refusing = e2e_tests::refusing_sns::start();
    let stack = e2e_tests::start_with_sender_sns(
        &[("LOCAL_QUEUE_VISIBILITY_TIMEOUT_SECONDS", "1")],
        Some(&refusing.url),
    );
    let client = Client::new(&stack);
    let phone = fixtures::phone();
    let answer = client.request_code(&phone, "register").await;
    assert_eq!(answer.status, 202, "the answer does not wait for delivery");

    // Tried five times (SMS_DELIVERY_ATTEMPTS, the queue's maxReceiveCount), then dead-lettered.
    let message = stack
        .first_dead_letter(std::time::Duration::from_secs(30))
        .await
        .unwrap_or_else(|| {
            panic!(
                "nothing dead-lettered after 30 s ({} tries)",
                refusing.calls()
            )
        });
    assert_eq!(refusing.calls(), 5, "one publish per try");
    let queued: shared::sms::QueuedSms =
        serde_json::from_str(message.body().unwrap()).expect("a queued SMS");
    assert_eq!(queued.phone, format!("+86{phone}"));
    assert!(
        client.sms_messages(&phone).await.is_empty(),
        "nothing was delivered"
    );

    // The code in it is dead.
    let code = six_digit_code(&queued.text).unwrap();
    let body = fixtures::registration_body("residence_registration", &code, &phone);
    client
        .post("/v1/accounts", &body)
        .await
        .assert_problem(400, "SMS_CODE_INVALID");
    // The next request is not held back by the resend interval (60 s here).
    let again = client.request_code(&phone, "register").await;
    assert_eq!(again.status, 202, "{:#}", again.body);
}
