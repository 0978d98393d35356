//! Registration (F1, F2): both account types, uniqueness, validation, SMS codes, concurrency.

use e2e_tests::fixtures::{self, registration_body};
use e2e_tests::{Client, stack};
use serde_json::json;

#[tokio::test]
async fn both_account_types_register_and_see_masked_data() {
    let client = Client::new(stack());
    for account_type in ["residence_registration", "residence_permit"] {
        let phone = fixtures::phone();
        let code = client.code_for(&phone, "register").await;
        let body = registration_body(account_type, &code, &phone);
        let answer = client.post("/v1/accounts", &body).await;
        assert_eq!(answer.status, 201, "{:#}", answer.body);
        let account = &answer.body;
        assert_eq!(account["account_type"], account_type);
        assert_eq!(account["role"], "individual");
        assert_eq!(account["username"], body["username"]);
        assert!(
            account["account_id"]
                .as_str()
                .is_some_and(|id| !id.is_empty())
        );
        let id_number = body["id_number"].as_str().unwrap();
        assert_eq!(
            account["id_number"],
            format!("{}**********{}", &id_number[..4], &id_number[14..])
        );
        assert_eq!(
            account["phone"],
            format!("{}****{}", &phone[..3], &phone[7..])
        );
        assert!(account.get("password").is_none() && account.get("password_hash").is_none());
    }
}

#[tokio::test]
async fn a_username_is_unique_regardless_of_case() {
    let client = Client::new(stack());
    let first = fixtures::register(&client, "residence_registration").await;
    let phone = fixtures::phone();
    let code = client.code_for(&phone, "register").await;
    let mut body = registration_body("residence_permit", &code, &phone);
    body["username"] = json!(first.username.to_uppercase());
    let answer = client.post("/v1/accounts", &body).await;
    answer.assert_problem(409, "CONFLICT");
    assert!(answer.has_field_error("username", "USERNAME_TAKEN"));
    // Nothing was consumed or half-written: the same code works with another username.
    body["username"] = json!(fixtures::username());
    assert_eq!(client.post("/v1/accounts", &body).await.status, 201);
}

#[tokio::test]
async fn a_phone_and_an_id_number_hold_one_account_per_type() {
    let client = Client::new(stack());
    let first = fixtures::register(&client, "residence_registration").await;

    let code = client.code_for(&first.phone, "register").await;
    let mut body = registration_body("residence_registration", &code, &first.phone);
    let answer = client.post("/v1/accounts", &body).await;
    answer.assert_problem(409, "CONFLICT");
    assert!(answer.has_field_error("phone", "PHONE_TAKEN"));

    // The same phone and ID number may hold an account of the other type.
    body["account_type"] = json!("residence_permit");
    body["id_number"] = json!(first.id_number);
    assert_eq!(client.post("/v1/accounts", &body).await.status, 201);

    let phone = fixtures::phone();
    let code = client.code_for(&phone, "register").await;
    let mut body = registration_body("residence_registration", &code, &phone);
    body["id_number"] = json!(first.id_number);
    let answer = client.post("/v1/accounts", &body).await;
    answer.assert_problem(409, "CONFLICT");
    assert!(answer.has_field_error("id_number", "ID_TAKEN"));
}

#[tokio::test]
async fn every_bad_field_is_reported_at_once() {
    let client = Client::new(stack());
    let answer = client
        .post(
            "/v1/accounts",
            &json!({
                "account_type": "staff",
                "username": "ab",
                "password": "password",
                "real_name": "张",
                "id_type": "resident_id",
                "id_number": "110105194912310021",
                "phone": "12345678901",
                "sms_code": "12ab56",
                "nickname": "x"
            }),
        )
        .await;
    answer.assert_problem(400, "VALIDATION_FAILED");
    answer.assert_field_errors(&[
        ("account_type", "INVALID_ACCOUNT_TYPE"),
        ("username", "INVALID_LENGTH"),
        ("password", "COMMON_PASSWORD"),
        ("real_name", "INVALID_LENGTH"),
        ("id_number", "INVALID_CHECK_DIGIT"),
        ("phone", "INVALID_PHONE"),
        ("sms_code", "INVALID_FORMAT"),
        ("nickname", "UNKNOWN_FIELD"),
    ]);
    assert!(
        answer.body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
}

/// Issue 12 (7): names made of Hangul fillers (letters every font draws blank), or holding
/// zero-width and direction characters, are refused, online and at the counter alike.
#[tokio::test]
async fn invisible_names_are_refused() {
    let client = Client::new(stack());
    for name in [
        "\u{3164}\u{3164}",
        "\u{FFA0}\u{FFA0}",
        "\u{115F}\u{115F}",
        "张\u{200B}三",
        "\u{202E}张三",
    ] {
        let phone = fixtures::phone();
        let code = client.code_for(&phone, "register").await;
        let mut body = fixtures::registration_body("residence_permit", &code, &phone);
        body["real_name"] = json!(name);
        let answer = client.post("/v1/accounts", &body).await;
        answer.assert_problem(400, "VALIDATION_FAILED");
        assert!(
            answer.has_field_error("real_name", "INVISIBLE_CHARACTER"),
            "{name:?}: {:#}",
            answer.body
        );
    }
}

#[tokio::test]
async fn missing_and_mistyped_fields() {
    let client = Client::new(stack());
    let answer = client
        .post(
            "/v1/accounts",
            &json!({"account_type": 1, "username": null, "password": ["x"]}),
        )
        .await;
    answer.assert_problem(400, "VALIDATION_FAILED");
    assert!(answer.has_field_error("account_type", "INVALID_TYPE"));
    assert!(answer.has_field_error("username", "REQUIRED"));
    assert!(answer.has_field_error("password", "INVALID_TYPE"));
    for field in ["real_name", "id_type", "id_number", "phone", "sms_code"] {
        assert!(answer.has_field_error(field, "REQUIRED"), "{field}");
    }
}

#[tokio::test]
async fn password_policy_length_and_username() {
    let client = Client::new(stack());
    let phone = fixtures::phone();
    let mut body = registration_body("residence_registration", "123456", &phone);
    for (password, code) in [
        ("short", "INVALID_LENGTH"),
        (&*"长".repeat(129), "INVALID_LENGTH"),
        ("qwertyuiop", "COMMON_PASSWORD"),
    ] {
        body["password"] = json!(password);
        let answer = client.post("/v1/accounts", &body).await;
        assert!(
            answer.has_field_error("password", code),
            "{password}: {:?}",
            answer.field_errors()
        );
    }
    body["password"] = body["username"].clone();
    assert!(
        client
            .post("/v1/accounts", &body)
            .await
            .has_field_error("password", "SAME_AS_USERNAME")
    );
}

#[tokio::test]
async fn a_future_birth_date_and_other_document_types() {
    let client = Client::new(stack());
    let phone = fixtures::phone();
    let mut body = registration_body("residence_permit", "123456", &phone);
    let first17 = "44030420990101123";
    let check = shared::domain::id_number::check_char(first17.as_bytes()) as char;
    body["id_number"] = json!(format!("{first17}{check}"));
    assert!(
        client
            .post("/v1/accounts", &body)
            .await
            .has_field_error("id_number", "INVALID_BIRTH_DATE")
    );
    body["id_type"] = json!("driver_license");
    assert!(
        client
            .post("/v1/accounts", &body)
            .await
            .has_field_error("id_type", "INVALID_ID_TYPE")
    );

    // A Hong Kong resident registers with their permit.
    let code = client.code_for(&phone, "register").await;
    let mut body = registration_body("residence_permit", &code, &phone);
    body["id_type"] = json!("hk_macao_permit");
    body["id_number"] = json!(format!("H{:08}", rand_digits()));
    let answer = client.post("/v1/accounts", &body).await;
    assert_eq!(answer.status, 201, "{:#}", answer.body);
    assert_eq!(answer.body["id_type"], "hk_macao_permit");
}

fn rand_digits() -> u64 {
    fixtures::phone()[3..].parse::<u64>().unwrap() % 100_000_000
}

#[tokio::test]
async fn wrong_reused_and_other_purpose_codes_are_refused() {
    let client = Client::new(stack());
    let phone = fixtures::phone();

    // No code was ever sent.
    let body = registration_body("residence_registration", "123456", &phone);
    client
        .post("/v1/accounts", &body)
        .await
        .assert_problem(400, "SMS_CODE_INVALID");

    // A wrong code.
    let code = client.code_for(&phone, "register").await;
    let wrong = fixtures::other_code(&code, 1);
    let body = registration_body("residence_registration", &wrong, &phone);
    client
        .post("/v1/accounts", &body)
        .await
        .assert_problem(400, "SMS_CODE_INVALID");

    // The right code works once.
    let body = registration_body("residence_registration", &code, &phone);
    assert_eq!(client.post("/v1/accounts", &body).await.status, 201);
    let again = registration_body("residence_permit", &code, &phone);
    client
        .post("/v1/accounts", &again)
        .await
        .assert_problem(400, "SMS_CODE_INVALID");
}

#[tokio::test]
async fn a_code_for_another_purpose_does_not_register() {
    let client = Client::new(stack());
    let user = fixtures::register(&client, "residence_registration").await;
    // A login code for the user's phone…
    let login_code = fixtures::login_code(&client, &user, &fixtures::device_id()).await;
    // …cannot register a second (permit) account on that phone.
    let body = registration_body("residence_permit", &login_code, &user.phone);
    client
        .post("/v1/accounts", &body)
        .await
        .assert_problem(400, "SMS_CODE_INVALID");
}

/// Sends `wrong` wrong codes, then the right one; returns the last answer's status.
async fn right_code_after_wrong_ones(wrong: usize) -> u16 {
    let client = Client::new(stack());
    let phone = fixtures::phone();
    let code = client.code_for(&phone, "register").await;
    for i in 0..wrong {
        let body = registration_body(
            "residence_registration",
            &fixtures::other_code(&code, 1 + i as u32),
            &phone,
        );
        client
            .post("/v1/accounts", &body)
            .await
            .assert_problem(400, "SMS_CODE_INVALID");
    }
    let body = registration_body("residence_registration", &code, &phone);
    client.post("/v1/accounts", &body).await.status.as_u16()
}

#[tokio::test]
async fn five_wrong_codes_kill_the_code() {
    assert_eq!(right_code_after_wrong_ones(5).await, 400);
}

#[tokio::test]
async fn four_wrong_tries_leave_the_right_code_usable() {
    assert_eq!(right_code_after_wrong_ones(4).await, 201);
}

#[tokio::test]
async fn parallel_guesses_cannot_outrun_the_five_tries() {
    let client = Client::new(stack());
    let phone = fixtures::phone();
    let code = client.code_for(&phone, "register").await;
    let guesses: Vec<_> = (1..=12)
        .map(|i| {
            registration_body(
                "residence_registration",
                &fixtures::other_code(&code, i),
                &phone,
            )
        })
        .collect();
    let answers =
        futures::future::join_all(guesses.iter().map(|b| client.post("/v1/accounts", b))).await;
    assert!(answers.iter().all(|a| a.code() == "SMS_CODE_INVALID"));
    // Every guess was counted, so the right code is dead now.
    let body = registration_body("residence_registration", &code, &phone);
    client
        .post("/v1/accounts", &body)
        .await
        .assert_problem(400, "SMS_CODE_INVALID");
}

/// Issue 12 (4): an answer that tells an ID document has an account uses the code up, so one
/// code probes at most one document, and cannot go on to register after probing.
#[tokio::test]
async fn one_code_reveals_at_most_one_registered_id_number() {
    let client = Client::new(stack());
    let mut taken = Vec::new();
    for _ in 0..2 {
        taken.push(
            fixtures::register(&client, "residence_registration")
                .await
                .id_number,
        );
    }
    let phone = fixtures::phone();
    let code = client.code_for(&phone, "register").await;
    let mut body = registration_body("residence_registration", &code, &phone);
    body["id_number"] = serde_json::json!(taken[0]);
    let answer = client.post("/v1/accounts", &body).await;
    answer.assert_problem(409, "CONFLICT");
    assert!(answer.has_field_error("id_number", "ID_TAKEN"));
    // The same code tells nothing about a second document, and registers nothing.
    body["id_number"] = serde_json::json!(taken[1]);
    client
        .post("/v1/accounts", &body)
        .await
        .assert_problem(400, "SMS_CODE_INVALID");
    let fresh = registration_body("residence_registration", &code, &phone);
    client
        .post("/v1/accounts", &fresh)
        .await
        .assert_problem(400, "SMS_CODE_INVALID");
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    // A stack whose codes live 2 seconds (1 s could lapse while the message is queued, and the
    // sender drops a message whose code has expired): the same code path as the 5-minute default.
    let short = e2e_tests::start(&[("SMS_CODE_TTL_SECONDS", "2")]);
    let client = Client::new(&short);
    let phone = fixtures::phone();
    let code = client.code_for(&phone, "register").await;
    tokio::time::sleep(std::time::Duration::from_millis(3100)).await;
    let body = registration_body("residence_registration", &code, &phone);
    client
        .post("/v1/accounts", &body)
        .await
        .assert_problem(400, "SMS_CODE_INVALID");
}

#[tokio::test]
async fn two_registrations_of_one_username_at_once_exactly_one_wins() {
    let client = Client::new(stack());
    for _round in 0..3 {
        let username = fixtures::username();
        let mut bodies = Vec::new();
        for _ in 0..2 {
            let phone = fixtures::phone();
            let code = client.code_for(&phone, "register").await;
            let mut body = registration_body("residence_registration", &code, &phone);
            body["username"] = json!(username);
            bodies.push(body);
        }
        let (a, b) = tokio::join!(
            client.post("/v1/accounts", &bodies[0]),
            client.post("/v1/accounts", &bodies[1])
        );
        let mut statuses = [a.status.as_u16(), b.status.as_u16()];
        statuses.sort();
        assert_eq!(statuses, [201, 409], "{:#} {:#}", a.body, b.body);
        let loser = if a.status == 409 { &a } else { &b };
        loser.assert_problem(409, "CONFLICT");
        assert!(loser.has_field_error("username", "USERNAME_TAKEN"));
    }
}
