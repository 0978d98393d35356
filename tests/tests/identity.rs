//! Issue 12 (1): identity assurance. Anyone can type anyone's ID number into a registration, so
//! an account's identity proves nothing until it is verified (online against the identity
//! registry, or by staff at the counter), and personal records answer 403 until then. The real
//! holder of a document another account holds reclaims it at the counter.

use e2e_tests::fixtures::{self, User};
use e2e_tests::houses::{approved_link, staff_session};
use e2e_tests::residents::{declared, resident_body_for};
use e2e_tests::{Client, Stack, stack};
use infra::identity_registry::Person;
use serde_json::{Value, json};
use shared::store::audit::{self, AuditAction};

/// Puts a person into the local identity registry (the stand-in for the real-name service):
/// the person exists, with that name and phone.
async fn in_registry(stack: &Stack, real_name: &str, id_number: &str, phone: &str) {
    let person = Person {
        real_name: real_name.into(),
        id_type: "resident_id".into(),
        id_number: id_number.into(),
        phone: phone.into(),
    };
    infra::identity_registry::load(&stack.context(), &[person])
        .await
        .expect("the local registry loads");
}

/// Registers a residence-permit account with this name and ID number (own phone), logged in.
async fn permit_account(client: &Client, real_name: &str, id_number: &str) -> (User, String) {
    let phone = fixtures::phone();
    let code = client.code_for(&phone, "register").await;
    let mut body = fixtures::registration_body("residence_permit", &code, &phone);
    body["real_name"] = json!(real_name);
    body["id_number"] = json!(id_number);
    let answer = client.post("/v1/accounts", &body).await;
    assert_eq!(answer.status, 201, "{:#}", answer.body);
    let user = fixtures::registered_user(&body, &answer.body);
    let token = fixtures::login(client, &user, &fixtures::device_id()).await;
    (user, token)
}

/// The victim: a person of the registry with a residence record in a house.
async fn victim_with_a_record(client: &Client, staff: &str) -> (String, String, Value) {
    let id_number = fixtures::id_number();
    let phone = fixtures::phone();
    in_registry(&client.stack, "李秀英", &id_number, &phone).await;
    let (_, landlord, link) = approved_link(client, staff).await;
    let mut body = resident_body_for(&id_number);
    body["name"] = json!("李秀英");
    let record = declared(client, &landlord, link["link_id"].as_str().unwrap(), &body).await;
    (id_number, phone, record)
}

async fn verify_online(client: &Client, token: &str) -> Value {
    let answer = client
        .post_auth("/v1/me/identity-verification", token, &json!({}))
        .await;
    assert_eq!(answer.status, 200, "{:#}", answer.body);
    answer.body
}

async fn records(client: &Client, token: &str) -> reqwest::StatusCode {
    client
        .get_auth("/v1/me/residence-records", token)
        .await
        .status
}

/// The attack of the issue: a `residence_permit` account with someone else's ID number (any
/// name, one's own phone) listed where that person lives. Now it sees nothing, and cannot verify.
#[tokio::test]
async fn an_account_with_someone_elses_id_number_sees_none_of_their_records() {
    let client = Client::new(stack());
    let (_, staff) = staff_session(&client).await;
    let (victim_id, _, _) = victim_with_a_record(&client, &staff).await;

    for name in ["张三", "李秀英"] {
        let id_number = if name == "张三" {
            victim_id.clone()
        } else {
            // The right name too: the phone is not the victim's.
            let other = fixtures::id_number();
            in_registry(&client.stack, name, &other, &fixtures::phone()).await;
            other
        };
        let (_, token) = permit_account(&client, name, &id_number).await;
        let me = client.get_auth("/v1/me", &token).await;
        assert_eq!(me.body["identity_verified"], false);
        client
            .get_auth("/v1/me/residence-records", &token)
            .await
            .assert_problem(403, "IDENTITY_NOT_VERIFIED");
        let check = verify_online(&client, &token).await;
        assert_eq!(check["identity_verified"], false, "{check:#}");
        assert!(check["message"].as_str().is_some_and(|m| !m.is_empty()));
        client
            .get_auth("/v1/me/residence-records", &token)
            .await
            .assert_problem(403, "IDENTITY_NOT_VERIFIED");
    }
}

/// The holder proves themselves online (name, number and phone agree with the registry) and
/// then sees their records, and only those with their name.
#[tokio::test]
async fn the_holder_verified_online_sees_the_records_with_their_name_and_number() {
    let client = Client::new(stack());
    let (_, staff) = staff_session(&client).await;
    let (id_number, phone, record) = victim_with_a_record(&client, &staff).await;
    // A declaration with the holder's number under another name is someone else's (a typo).
    let (_, landlord, link) = approved_link(&client, &staff).await;
    declared(
        &client,
        &landlord,
        link["link_id"].as_str().unwrap(),
        &resident_body_for(&id_number),
    )
    .await;

    let code = client.code_for(&phone, "register").await;
    let mut body = fixtures::registration_body("residence_permit", &code, &phone);
    body["real_name"] = json!("李秀英");
    body["id_number"] = json!(id_number);
    let answer = client.post("/v1/accounts", &body).await;
    assert_eq!(answer.status, 201, "{:#}", answer.body);
    let holder = fixtures::registered_user(&body, &answer.body);
    let token = fixtures::login(&client, &holder, &fixtures::device_id()).await;

    let check = verify_online(&client, &token).await;
    assert_eq!(check["identity_verified"], true, "{check:#}");
    assert_eq!(check["method"], "online");
    let me = client.get_auth("/v1/me", &token).await;
    assert_eq!(me.body["identity_verified"], true);
    // Asked again: already verified, nothing more is asked or written.
    assert_eq!(
        verify_online(&client, &token).await["identity_verified"],
        true
    );
    let audits = audit::list(&client.stack.context(), &holder.account_id)
        .await
        .unwrap();
    assert_eq!(audits.len(), 1);
    assert_eq!(audits[0].action, AuditAction::IdentityVerified);

    let mut items = Vec::new();
    for _ in 0..20 {
        let answer = client.get_auth("/v1/me/residence-records", &token).await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);
        items = answer.body["items"].as_array().unwrap().clone();
        if !items.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // The person index is eventually consistent: wait for both declarations to be indexed
    // before concluding the other name's is left out.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let answer = client.get_auth("/v1/me/residence-records", &token).await;
    let items_now = answer.body["items"].as_array().unwrap().clone();
    assert!(items_now.len() >= items.len());
    assert_eq!(items_now.len(), 1, "{items_now:#?}");
    assert_eq!(items_now[0]["registration_id"], record["registration_id"]);
}

/// Online checks are bounded per account and day.
#[tokio::test]
async fn online_checks_are_limited_per_account_and_day() {
    let client = Client::new(stack());
    let (_, token) = permit_account(&client, "张三", &fixtures::id_number()).await;
    for _ in 0..shared::services::identity::ONLINE_CHECKS_PER_DAY {
        assert_eq!(
            verify_online(&client, &token).await["identity_verified"],
            false
        );
    }
    client
        .post_auth("/v1/me/identity-verification", &token, &json!({}))
        .await
        .assert_problem(429, "RATE_LIMITED");
}

/// Reclaim: the impostor holds the victim's number, so the victim cannot register
/// (`ID_TAKEN`). At the counter the victim proves themselves; staff suspend the impostor's
/// account (session ended at once, data kept and marked, audited) and open the victim's own,
/// verified at opening.
#[tokio::test]
async fn the_real_holder_reclaims_their_id_number_at_the_counter() {
    let client = Client::new(stack());
    let (staff_user, staff) = staff_session(&client).await;
    let (victim_id, victim_phone, record) = victim_with_a_record(&client, &staff).await;
    let (impostor, impostor_token) = permit_account(&client, "张三", &victim_id).await;

    let code = client.code_for(&victim_phone, "register").await;
    let mut body = fixtures::registration_body("residence_permit", &code, &victim_phone);
    body["real_name"] = json!("李秀英");
    body["id_number"] = json!(victim_id);
    let taken = client.post("/v1/accounts", &body).await;
    assert!(
        taken.has_field_error("id_number", "ID_TAKEN"),
        "{:#}",
        taken.body
    );

    // Only staff suspend, with a reason.
    let path = format!("/v1/staff/accounts/{}/suspension", impostor.account_id);
    client
        .post_auth(&path, &impostor_token, &json!({"reason": "自己停用"}))
        .await
        .assert_problem(403, "FORBIDDEN");
    let missing = client.post_auth(&path, &staff, &json!({})).await;
    assert!(
        missing.has_field_error("reason", "REQUIRED"),
        "{:#}",
        missing.body
    );
    let reason = "本人持身份证到受理点核验，该账号冒用其证件号码";
    let suspended = client
        .post_auth(&path, &staff, &json!({"reason": reason}))
        .await;
    assert_eq!(suspended.status, 200, "{:#}", suspended.body);
    assert_eq!(suspended.body["status"], "suspended");
    assert_eq!(suspended.body["reason"], reason);
    client
        .post_auth(&path, &staff, &json!({"reason": reason}))
        .await
        .assert_problem(409, "CONFLICT");

    // The impostor's session ended at once; it cannot log in again.
    assert_eq!(client.get_auth("/v1/me", &impostor_token).await.status, 401);
    client
        .post(
            "/v1/sessions",
            &fixtures::login_body(&impostor, &fixtures::device_id()),
        )
        .await
        .assert_problem(403, "FORBIDDEN");
    // Its data is kept, and marked: who, when, why; the act is audited.
    let ctx = client.stack.context();
    let kept = shared::store::accounts::find_by_id(&ctx, &impostor.account_id)
        .await
        .unwrap()
        .expect("the account is kept");
    assert_eq!(kept.status.as_str(), "suspended");
    assert_eq!(kept.id_number.as_deref(), Some(victim_id.as_str()));
    let mark = kept.suspension.expect("marked");
    assert_eq!(mark.suspended_by, staff_user.account_id);
    assert_eq!(mark.reason, reason);
    let audits = audit::list(&ctx, &impostor.account_id).await.unwrap();
    assert_eq!(audits.len(), 1);
    assert_eq!(audits[0].action, AuditAction::Suspended);
    assert_eq!(
        audits[0].staff_id.as_deref(),
        Some(staff_user.account_id.as_str())
    );
    assert_eq!(audits[0].reason.as_deref(), Some(reason));

    // The victim's own account is opened at the counter, verified at opening.
    let mut opening = fixtures::counter_registration_body("residence_permit", json!([]));
    opening["real_name"] = json!("李秀英");
    opening["id_number"] = json!(victim_id);
    opening["phone"] = json!(victim_phone);
    let opened = client
        .post_auth("/v1/staff/accounts", &staff, &opening)
        .await;
    assert_eq!(opened.status, 201, "{:#}", opened.body);
    assert_eq!(opened.body["identity_verified"], true);
    let text = |name: &str| opening[name].as_str().unwrap().to_owned();
    let victim = User {
        account_id: opened.body["account_id"].as_str().unwrap().to_owned(),
        account_type: "residence_permit".into(),
        username: text("username"),
        password: text("initial_password"),
        phone: victim_phone.clone(),
        id_number: victim_id.clone(),
        role: None,
    };
    let (_, token) = fixtures::first_login(&client, &victim).await;
    let mut seen = Vec::new();
    for _ in 0..20 {
        let answer = client.get_auth("/v1/me/residence-records", &token).await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);
        seen = answer.body["items"].as_array().unwrap().clone();
        if !seen.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0]["registration_id"], record["registration_id"]);
}

/// Staff verify an existing account at the counter: verified, audited with the staff member.
#[tokio::test]
async fn staff_verify_an_account_at_the_counter() {
    let client = Client::new(stack());
    let (staff_user, staff) = staff_session(&client).await;
    let (user, token) = permit_account(&client, "张三", &fixtures::id_number()).await;
    let path = format!(
        "/v1/staff/accounts/{}/identity-verification",
        user.account_id
    );
    let answer = client.post_auth(&path, &staff, &json!({})).await;
    assert_eq!(answer.status, 200, "{:#}", answer.body);
    assert_eq!(answer.body["identity_verified"], true);
    assert_eq!(answer.body["method"], "counter");
    assert_eq!(records(&client, &token).await, 200);
    let audits = audit::list(&client.stack.context(), &user.account_id)
        .await
        .unwrap();
    assert_eq!(audits.len(), 1);
    assert_eq!(
        audits[0].staff_id.as_deref(),
        Some(staff_user.account_id.as_str())
    );
    // Unknown accounts, and staff accounts, are 404.
    client
        .post_auth(
            "/v1/staff/accounts/00000000-0000-7000-8000-000000000000/identity-verification",
            &staff,
            &json!({}),
        )
        .await
        .assert_problem(404, "NOT_FOUND");
    client
        .post_auth(
            &format!(
                "/v1/staff/accounts/{}/identity-verification",
                staff_user.account_id
            ),
            &staff,
            &json!({}),
        )
        .await
        .assert_problem(404, "NOT_FOUND");
}
