//! Login (F5), one session per account (F6), logout (F7), and tokens that must not work.

use std::time::Duration;

use e2e_tests::fixtures::{self, login_body};
use e2e_tests::{Client, stack};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;
use shared::auth::jwt::Claims;
use shared::domain::account::{AccountType, Role};

#[tokio::test]
async fn a_new_device_needs_an_sms_code_then_is_trusted() {
    let client = Client::new(stack());
    let user = fixtures::register(&client, "residence_registration").await;
    let device = fixtures::device_id();

    let first = client
        .post("/v1/sessions", &login_body(&user, &device))
        .await;
    first.assert_problem(401, "SMS_CODE_REQUIRED");
    assert_eq!(
        first.body["phone_hint"],
        format!("{}****{}", &user.phone[..3], &user.phone[7..])
    );

    // A code of the wrong phone or a wrong code does not verify the device.
    let ticket = first.body["login_ticket"].as_str().expect("a login ticket");
    let code = fixtures::code_with_ticket(&client, &user.phone, ticket).await;
    let mut body = fixtures::login_body_with_code(&user, &device, &fixtures::phone(), &code);
    client
        .post("/v1/sessions", &body)
        .await
        .assert_problem(400, "SMS_CODE_INVALID");

    body["phone"] = json!(user.phone);
    let answer = client.post("/v1/sessions", &body).await;
    assert_eq!(answer.status, 201, "{:#}", answer.body);
    assert_eq!(answer.body["token_type"], "Bearer");
    assert_eq!(answer.body["expires_in"], 900);
    assert_eq!(answer.body["refresh_expires_in"], 30 * 86_400);
    assert_eq!(
        answer.body["account"]["account_id"],
        user.account_id.as_str()
    );
    // The device's secret: the app keeps it and sends it with the device id from now on.
    assert!(
        answer.body["device_secret"].is_string(),
        "{:#}",
        answer.body
    );
    fixtures::keep_device_secret(&user, &device, &answer.body);
    let token = answer.body["access_token"].as_str().unwrap();
    let me = client.get_auth("/v1/me", token).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["username"], user.username.as_str());

    // The device (with its secret) is now trusted: no code needed, and the used code cannot be
    // replayed elsewhere.
    let again = client
        .post("/v1/sessions", &login_body(&user, &device))
        .await;
    assert_eq!(again.status, 201, "{:#}", again.body);
    let replay = fixtures::login_body_with_code(&user, &fixtures::device_id(), &user.phone, &code);
    client
        .post("/v1/sessions", &replay)
        .await
        .assert_problem(400, "SMS_CODE_INVALID");
}

#[tokio::test]
async fn the_platform_must_match_the_account_type() {
    let client = Client::new(stack());
    let user = fixtures::register(&client, "residence_permit").await;
    for platform in ["residence_registration", "staff"] {
        let mut body = login_body(&user, &fixtures::device_id());
        body["platform"] = json!(platform);
        client
            .post("/v1/sessions", &body)
            .await
            .assert_problem(403, "FORBIDDEN");
    }
    let mut body = login_body(&user, &fixtures::device_id());
    body["platform"] = json!("unit");
    assert!(
        client
            .post("/v1/sessions", &body)
            .await
            .has_field_error("platform", "INVALID_PLATFORM")
    );
    // An individual account states no unit role.
    let mut body = login_body(&user, &fixtures::device_id());
    body["role"] = json!("admin");
    client
        .post("/v1/sessions", &body)
        .await
        .assert_problem(403, "FORBIDDEN");
}

#[tokio::test]
async fn unknown_user_and_wrong_password_get_the_same_answer() {
    let client = Client::new(stack());
    let user = fixtures::register(&client, "residence_registration").await;
    let wrong = fixtures::wrong_password_body(&user);
    let unknown = fixtures::unknown_user_body(&user);
    let a = client.post("/v1/sessions", &wrong).await;
    let b = client.post("/v1/sessions", &unknown).await;
    a.assert_problem(401, "UNAUTHENTICATED");
    b.assert_problem(401, "UNAUTHENTICATED");
    assert_eq!(
        a.body_without_instance(),
        b.body_without_instance(),
        "indistinguishable bodies"
    );
    // That both cost one argon2 run is checked in tests/solo/login_cost.rs (a binary of its own,
    // so no other test's logins are counted).
}

fn retry_after(answer: &e2e_tests::Answer) -> u64 {
    answer.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn repeated_failures_lock_the_account_with_doubling_back_off() {
    let client = Client::new(stack());
    let user = fixtures::register(&client, "residence_registration").await;
    let device = fixtures::device_id();
    let mut wrong = login_body(&user, &device);
    wrong["password"] = json!("not-the-password");

    for _ in 0..5 {
        client
            .post("/v1/sessions", &wrong)
            .await
            .assert_problem(401, "UNAUTHENTICATED");
    }
    // The fifth failure locked the account for 1 s: even the right password is refused now.
    let locked = client
        .post("/v1/sessions", &login_body(&user, &device))
        .await;
    locked.assert_problem(429, "ACCOUNT_LOCKED");
    assert_eq!(retry_after(&locked), 1);
    assert_eq!(locked.body["retry_after"], 1);

    // The sixth failure doubles the lock to 2 s, the seventh to 4 s.
    for (waited, doubled) in [(1100, 2), (2100, 4)] {
        tokio::time::sleep(Duration::from_millis(waited)).await;
        client
            .post("/v1/sessions", &wrong)
            .await
            .assert_problem(401, "UNAUTHENTICATED");
        let locked = client
            .post("/v1/sessions", &login_body(&user, &device))
            .await;
        locked.assert_problem(429, "ACCOUNT_LOCKED");
        assert_eq!(retry_after(&locked), doubled);
    }

    // After the lock, the right password succeeds and clears the count.
    tokio::time::sleep(Duration::from_millis(4100)).await;
    let token = fixtures::login(&client, &user, &device).await;
    assert!(!token.is_empty());
    for _ in 0..4 {
        client
            .post("/v1/sessions", &wrong)
            .await
            .assert_problem(401, "UNAUTHENTICATED");
    }
    let ok = client
        .post("/v1/sessions", &login_body(&user, &device))
        .await;
    assert_eq!(
        ok.status, 201,
        "four failures after a success do not lock: {:#}",
        ok.body
    );
}

#[tokio::test]
async fn parallel_guesses_cannot_outrun_the_lock() {
    let client = Client::new(stack());
    let user = fixtures::register(&client, "residence_registration").await;
    let mut wrong = login_body(&user, &fixtures::device_id());
    wrong["password"] = json!("not-the-password");
    let answers =
        futures::future::join_all((0..12).map(|_| client.post("/v1/sessions", &wrong))).await;
    let wrong_password = answers
        .iter()
        .filter(|a| a.code() == "UNAUTHENTICATED")
        .count();
    // Refused without a password check: locked, or too many attempts at the same moment.
    let locked = answers
        .iter()
        .filter(|a| a.code() == "ACCOUNT_LOCKED" || a.code() == "RATE_LIMITED")
        .count();
    assert_eq!(
        wrong_password + locked,
        12,
        "{:?}",
        answers.iter().map(|a| a.code()).collect::<Vec<_>>()
    );
    assert!(
        wrong_password <= 5,
        "at most 5 passwords were checked before the lock, got {wrong_password}"
    );
}

/// Issue 12 (6): strangers cannot lock the owner out. Failures from elsewhere lock the username
/// for untrusted devices only; the owner's SMS-verified device with the right password still gets
/// in, and right passwords never count as failures.
#[tokio::test]
async fn failures_from_elsewhere_do_not_lock_the_owners_trusted_device_out() {
    let stack = stack();
    let client = Client::new(stack);
    let user = fixtures::register(&client, "residence_registration").await;
    let device = fixtures::device_id();
    fixtures::login(&client, &user, &device).await;

    // 30 wrong passwords at once from 30 addresses and devices.
    let attackers: Vec<Client> = (0..30).map(|_| Client::new(stack)).collect();
    let guesses = attackers.iter().map(|attacker| {
        let mut wrong = login_body(&user, &fixtures::device_id());
        wrong["password"] = json!("not-the-password");
        async move { attacker.post("/v1/sessions", &wrong).await }
    });
    let answers = futures::future::join_all(guesses).await;
    assert!(answers.iter().all(|a| a.status.as_u16() != 201));
    // The lock holds for untrusted devices, the right password included…
    let stranger_device = client
        .post("/v1/sessions", &login_body(&user, &fixtures::device_id()))
        .await;
    stranger_device.assert_problem(429, "ACCOUNT_LOCKED");
    // …but not for the owner's trusted device.
    let owner = client
        .post("/v1/sessions", &login_body(&user, &device))
        .await;
    assert_eq!(owner.status, 201, "{:#}", owner.body);

    // Ten right passwords at once from the trusted device: none is counted as a failure.
    let body = login_body(&user, &device);
    let logins =
        futures::future::join_all((0..10).map(|_| client.post("/v1/sessions", &body))).await;
    let statuses: Vec<u16> = logins.iter().map(|a| a.status.as_u16()).collect();
    assert!(statuses.iter().all(|&s| s == 201), "{statuses:?}");
    let after = client
        .post("/v1/sessions", &login_body(&user, &device))
        .await;
    assert_eq!(after.status, 201, "{:#}", after.body);
}

#[tokio::test]
async fn unknown_usernames_lock_exactly_like_known_ones() {
    let client = Client::new(stack());
    let ghost = fixtures::User {
        account_id: String::new(),
        account_type: "residence_registration".into(),
        username: fixtures::username(),
        password: "not-the-password".into(),
        phone: fixtures::phone(),
        id_number: fixtures::id_number(),
        role: None,
    };
    for _ in 0..5 {
        client
            .post("/v1/sessions", &login_body(&ghost, &fixtures::device_id()))
            .await
            .assert_problem(401, "UNAUTHENTICATED");
    }
    let locked = client
        .post("/v1/sessions", &login_body(&ghost, &fixtures::device_id()))
        .await;
    locked.assert_problem(429, "ACCOUNT_LOCKED");
    assert_eq!(retry_after(&locked), 1);
}

#[tokio::test]
async fn the_failure_count_starts_over_after_quiet_time() {
    // Failures are forgotten after 2 quiet seconds here (15 minutes by default).
    let quick = e2e_tests::start(&[("LOGIN_FAILURE_MEMORY_SECONDS", "2")]);
    let client = Client::new(&quick);
    let user = fixtures::register(&client, "residence_permit").await;
    let device = fixtures::device_id();
    let mut wrong = login_body(&user, &device);
    wrong["password"] = json!("not-the-password");
    for _ in 0..4 {
        client
            .post("/v1/sessions", &wrong)
            .await
            .assert_problem(401, "UNAUTHENTICATED");
    }
    tokio::time::sleep(Duration::from_millis(2600)).await;
    // Without the reset this would be the 5th to 8th failure, and locked.
    for _ in 0..4 {
        client
            .post("/v1/sessions", &wrong)
            .await
            .assert_problem(401, "UNAUTHENTICATED");
    }
    client
        .post("/v1/sessions", &wrong)
        .await
        .assert_problem(401, "UNAUTHENTICATED");
    client
        .post("/v1/sessions", &login_body(&user, &device))
        .await
        .assert_problem(429, "ACCOUNT_LOCKED");
}

#[tokio::test]
async fn device_trust_ends_after_its_period() {
    let quick = e2e_tests::start(&[("TRUSTED_DEVICE_TTL_SECONDS", "1")]);
    let client = Client::new(&quick);
    let user = fixtures::register(&client, "residence_registration").await;
    let device = fixtures::device_id();
    fixtures::login(&client, &user, &device).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    client
        .post("/v1/sessions", &login_body(&user, &device))
        .await
        .assert_problem(401, "SMS_CODE_REQUIRED");
}

#[tokio::test]
async fn login_codes_must_be_login_codes_used_once() {
    let client = Client::new(stack());
    let user = fixtures::register(&client, "residence_registration").await;

    // A code of another purpose (change_password, sent to the same phone) is refused.
    let token = fixtures::login(&client, &user, &fixtures::device_id()).await;
    let other_code = fixtures::session_code(&client, &token, &user.phone, "change_password").await;
    let body =
        fixtures::login_body_with_code(&user, &fixtures::device_id(), &user.phone, &other_code);
    client
        .post("/v1/sessions", &body)
        .await
        .assert_problem(400, "SMS_CODE_INVALID");

    // Two logins of the device racing with its one login code: exactly one gets in.
    let quick = e2e_tests::start(&[("SMS_RESEND_INTERVAL_SECONDS", "0")]);
    let client = Client::new(&quick);
    let device = fixtures::device_id();
    let code = fixtures::login_code(&client, &user, &device).await;
    let a = fixtures::login_body_with_code(&user, &device, &user.phone, &code);
    let b = a.clone();
    let (a, b) = tokio::join!(
        client.post("/v1/sessions", &a),
        client.post("/v1/sessions", &b)
    );
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [201, 400], "{:#} {:#}", a.body, b.body);
}

#[tokio::test]
async fn an_expired_login_code_is_refused() {
    // Registered with normal codes; the login code on a stack whose codes live 2 seconds.
    let user = fixtures::register(&Client::new(stack()), "residence_permit").await;
    let short = e2e_tests::start(&[("SMS_CODE_TTL_SECONDS", "2")]);
    let client = Client::new(&short);
    let device = fixtures::device_id();
    let code = fixtures::login_code(&client, &user, &device).await;
    tokio::time::sleep(Duration::from_millis(3100)).await;
    let body = fixtures::login_body_with_code(&user, &device, &user.phone, &code);
    client
        .post("/v1/sessions", &body)
        .await
        .assert_problem(400, "SMS_CODE_INVALID");
}

#[tokio::test]
async fn a_login_elsewhere_replaces_the_session() {
    let client = Client::new(stack());
    let user = fixtures::register(&client, "residence_registration").await;
    let phone_token = fixtures::login(&client, &user, &fixtures::device_id()).await;
    assert_eq!(client.get_auth("/v1/me", &phone_token).await.status, 200);

    let tablet_token = fixtures::login(&client, &user, &fixtures::device_id()).await;
    client
        .get_auth("/v1/me", &phone_token)
        .await
        .assert_problem(401, "SESSION_REPLACED");
    assert_eq!(client.get_auth("/v1/me", &tablet_token).await.status, 200);
    // The replaced token cannot log the new session out either.
    let logout = client
        .send(
            reqwest::Method::DELETE,
            "/v1/sessions/current",
            Some(&phone_token),
            None,
        )
        .await;
    logout.assert_problem(401, "SESSION_REPLACED");
    assert_eq!(client.get_auth("/v1/me", &tablet_token).await.status, 200);
}

#[tokio::test]
async fn logout_ends_the_session() {
    let client = Client::new(stack());
    let (_, token) = fixtures::logged_in(&client, "residence_permit").await;
    let out = client
        .send(
            reqwest::Method::DELETE,
            "/v1/sessions/current",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(out.status, 204);
    client
        .get_auth("/v1/me", &token)
        .await
        .assert_problem(401, "UNAUTHENTICATED");
    let again = client
        .send(
            reqwest::Method::DELETE,
            "/v1/sessions/current",
            Some(&token),
            None,
        )
        .await;
    again.assert_problem(401, "UNAUTHENTICATED");
}

fn sign(claims: &Claims, key: &[u8], kid: &str) -> String {
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(key)).unwrap()
}

fn b64(data: &[u8]) -> String {
    shared::crypto::base64url(data)
}

/// A logged-in account's client, token and the token's claims (to forge others from).
async fn logged_in_with_claims() -> (Client, String, Claims) {
    let client = Client::new(stack());
    let (_, token) = fixtures::logged_in(&client, "residence_registration").await;
    let claims =
        shared::auth::jwt::verify(&stack().config, &token).expect("our own token verifies");
    (client, token, claims)
}

#[tokio::test]
async fn tampered_expired_unsigned_and_missing_tokens_are_refused() {
    let (client, token, claims) = logged_in_with_claims().await;
    let config = &stack().config;
    let key = &config.jwt.keys[&config.jwt.active];

    // The genuine claims re-signed are accepted (so the refusals below are about what changed).
    assert_eq!(
        client
            .get_auth("/v1/me", &sign(&claims, key, &config.jwt.active))
            .await
            .status,
        200
    );

    let now = chrono::Utc::now().timestamp();
    let expired = sign(
        &Claims {
            iat: now - 7200,
            exp: now - 3600,
            ..claims.clone()
        },
        key,
        &config.jwt.active,
    );
    let wrong_audience = sign(
        &Claims {
            aud: "someone-else".into(),
            ..claims.clone()
        },
        key,
        &config.jwt.active,
    );
    let wrong_key = sign(
        &claims,
        b"an-attacker-chosen-key-of-32-bytes!!",
        &config.jwt.active,
    );
    let unknown_kid = sign(&claims, key, "retired");
    let parts: Vec<&str> = token.split('.').collect();
    let other_payload = b64(serde_json::to_string(&Claims {
        sub: "another-account".into(),
        ..claims.clone()
    })
    .unwrap()
    .as_bytes());
    let tampered = format!("{}.{}.{}", parts[0], other_payload, parts[2]);
    let alg_none = format!(
        "{}.{}.",
        b64(br#"{"alg":"none","typ":"JWT","kid":"local"}"#),
        parts[1]
    );

    for (what, bad) in [
        ("expired", expired),
        ("wrong audience", wrong_audience),
        ("wrong key", wrong_key),
        ("unknown kid", unknown_kid),
        ("tampered", tampered),
        ("alg none", alg_none),
        ("garbage", "abc.def.ghi".to_owned()),
    ] {
        let answer = client.get_auth("/v1/me", &bad).await;
        assert_eq!(answer.status, 401, "{what}: {:#}", answer.body);
        answer.assert_problem(401, "UNAUTHENTICATED");
        assert_eq!(answer.headers["www-authenticate"], "Bearer");
    }
    client
        .send(reqwest::Method::GET, "/v1/me", None, None)
        .await
        .assert_problem(401, "UNAUTHENTICATED");
}

/// Issue 12 (5): a token re-signed with the key and other claims gains nothing: the account's
/// type and role come from its session, and a token may not live longer than configured.
#[tokio::test]
async fn a_token_re_signed_with_other_claims_or_a_longer_life_gains_nothing() {
    let (client, token, claims) = logged_in_with_claims().await;
    let config = &stack().config;
    let key = &config.jwt.keys[&config.jwt.active];
    let resign = |claims: Claims| sign(&claims, key, &config.jwt.active);

    // As staff: the staff queue is not reached (the session says residence registration).
    let as_staff = resign(Claims {
        account_type: AccountType::Staff,
        role: Role::Staff,
        ..claims.clone()
    });
    let answer = client
        .get_auth("/v1/staff/house-links?status=pending", &as_staff)
        .await;
    answer.assert_problem(401, "UNAUTHENTICATED");
    // As a unit administrator: refused, and never a 5xx.
    let as_admin = resign(Claims {
        role: Role::Admin,
        ..claims.clone()
    });
    let answer = client.get_auth("/v1/unit/sub-accounts", &as_admin).await;
    answer.assert_problem(401, "UNAUTHENTICATED");
    // A far-future expiry, or one longer than the configured lifetime, is refused.
    let ttl = config.login.access_token_ttl.as_secs() as i64;
    for exp in [claims.iat + 10 * 365 * 86_400, claims.iat + ttl + 1] {
        let long_lived = resign(Claims {
            exp,
            ..claims.clone()
        });
        client
            .get_auth("/v1/me", &long_lived)
            .await
            .assert_problem(401, "UNAUTHENTICATED");
    }
    // The genuine token still works: the refusals were about what changed.
    assert_eq!(client.get_auth("/v1/me", &token).await.status, 200);
}

#[tokio::test]
async fn login_input_is_validated() {
    let client = Client::new(stack());
    let answer = client
        .post(
            "/v1/sessions",
            &json!({"platform": "residence_registration", "username": "x"}),
        )
        .await;
    answer.assert_problem(400, "VALIDATION_FAILED");
    assert!(answer.has_field_error("password", "REQUIRED"));
    assert!(answer.has_field_error("device_id", "REQUIRED"));
    let answer = client
        .post(
            "/v1/sessions",
            &json!({"platform": "residence_registration", "username": "someone", "password": "whatever-1",
                    "device_id": "bad id", "phone": "123", "sms_code": "abc", "role": "boss"}),
        )
        .await;
    answer.assert_field_errors(&[
        ("device_id", "INVALID_DEVICE_ID"),
        ("phone", "INVALID_PHONE"),
        ("sms_code", "INVALID_FORMAT"),
        ("role", "INVALID_ROLE"),
    ]);
}

#[tokio::test]
async fn the_local_staff_account_logs_in_on_the_staff_platform() {
    let client = Client::new(stack());
    let body = json!({"platform": "staff", "username": "staff", "password": "staff-local-pass-2026",
                      "device_id": fixtures::device_id()});
    let first = client.post("/v1/sessions", &body).await;
    first.assert_problem(401, "SMS_CODE_REQUIRED");
    assert_eq!(first.body["phone_hint"], "139****0000");
}

/// Issue 28 (7): a login code is bound to the device whose ticket asked for it, and a ticket
/// asks once.
#[tokio::test]
async fn a_code_asked_with_one_devices_ticket_logs_in_no_other() {
    let client = Client::new(stack());
    let user = fixtures::register(&client, "residence_registration").await;
    let (device_a, device_b) = (fixtures::device_id(), fixtures::device_id());
    let first = client
        .post("/v1/sessions", &login_body(&user, &device_a))
        .await;
    first.assert_problem(401, "SMS_CODE_REQUIRED");
    let ticket = first.body["login_ticket"].as_str().unwrap().to_owned();
    let code = fixtures::code_with_ticket(&client, &user.phone, &ticket).await;

    // The ticket has asked: it asks no more (not even after the resend interval would allow).
    let sent = client.sms_messages(&user.phone).await.len();
    let again = client
        .post(
            "/v1/sms-codes",
            &json!({"phone": user.phone, "purpose": "login", "login_ticket": ticket}),
        )
        .await;
    again.assert_problem(400, "VALIDATION_FAILED");
    assert!(
        again.has_field_error("login_ticket", "TICKET_USED"),
        "{:#}",
        again.body
    );

    // Device B with A's code: refused, and B is not trusted afterwards.
    let on_b = fixtures::login_body_with_code(&user, &device_b, &user.phone, &code);
    client
        .post("/v1/sessions", &on_b)
        .await
        .assert_problem(400, "SMS_CODE_INVALID");
    client
        .post("/v1/sessions", &login_body(&user, &device_b))
        .await
        .assert_problem(401, "SMS_CODE_REQUIRED");
    // Device A with its code gets in, with the secret that makes it trusted.
    let on_a = fixtures::login_body_with_code(&user, &device_a, &user.phone, &code);
    let answer = client.post("/v1/sessions", &on_a).await;
    assert_eq!(answer.status, 201, "{:#}", answer.body);
    let secret = answer.body["device_secret"]
        .as_str()
        .expect("device_secret");
    assert!(secret.len() >= 43, "256 bits, base64url: {secret}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(client.sms_messages(&user.phone).await.len(), sent);
}

/// Issue 28 (7): a device is trusted by its secret, not by its id. A stolen device id without
/// the secret (or with another) needs an SMS code, and wrong passwords sent with the owner's
/// device id count in the untrusted lane: they end in the normal lock, while the owner's
/// device with its secret still logs in without SMS.
#[tokio::test]
async fn a_device_id_without_its_secret_is_not_trusted() {
    let client = Client::new(stack());
    let user = fixtures::register(&client, "residence_registration").await;
    let device = fixtures::device_id();
    fixtures::login(&client, &user, &device).await;
    let secret = fixtures::device_secret(&user, &device).expect("the login kept a secret");
    let sent = client.sms_messages(&user.phone).await.len();

    // With its secret the device needs no code, and gets no new secret.
    let trusted = client
        .post("/v1/sessions", &login_body(&user, &device))
        .await;
    assert_eq!(trusted.status, 201, "{:#}", trusted.body);
    assert!(trusted.body.get("device_secret").is_none());

    // The id alone, or with a made-up secret: a new device.
    let stolen = fixtures::login_body_without_secret(&user, &device);
    client
        .post("/v1/sessions", &stolen)
        .await
        .assert_problem(401, "SMS_CODE_REQUIRED");
    let mut forged = stolen.clone();
    forged["device_secret"] = json!(secret.chars().rev().collect::<String>());
    client
        .post("/v1/sessions", &forged)
        .await
        .assert_problem(401, "SMS_CODE_REQUIRED");
    let mut malformed = stolen.clone();
    malformed["device_secret"] = json!("not a secret");
    assert!(
        client
            .post("/v1/sessions", &malformed)
            .await
            .has_field_error("device_secret", "INVALID_DEVICE_SECRET")
    );

    // 25 wrong passwords with the owner's device id: the normal lock after 5, not 50.
    let mut wrong = stolen.clone();
    wrong["password"] = json!("not-the-password");
    let mut codes = Vec::new();
    for _ in 0..25 {
        codes.push(client.post("/v1/sessions", &wrong).await.code().to_owned());
    }
    let failures = codes.iter().filter(|c| *c == "UNAUTHENTICATED").count();
    assert!(
        codes.iter().any(|c| c == "ACCOUNT_LOCKED") && failures < 25,
        "{codes:?}"
    );
    assert!(
        codes
            .iter()
            .all(|c| c == "UNAUTHENTICATED" || c == "ACCOUNT_LOCKED")
    );
    // The owner's device with its secret still gets in, without SMS.
    let owner = client
        .post("/v1/sessions", &login_body(&user, &device))
        .await;
    assert_eq!(owner.status, 201, "{:#}", owner.body);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(client.sms_messages(&user.phone).await.len(), sent);
}
