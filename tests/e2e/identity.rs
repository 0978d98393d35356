//! Issue 12 (1): identity assurance. Anyone can type anyone's ID number into a registration, so
//! an account's identity proves nothing until it is verified (online, or by staff at the
//! counter), and personal records answer 403 until then. The real holder of a document another
//! account holds reclaims it at the counter.
//!
//! Issue 28 (1): a name and an ID number are not secrets, so online verification proves
//! possession or presence: the carrier's real-name check of the account's SMS-proven phone (only
//! a confirmed match), or a face check. The local identity registry stands in for both services.

use e2e_tests::fixtures::{self, User};
use e2e_tests::houses::{approved_link, staff_session};
use e2e_tests::residents::{declared, resident_body_for};
use e2e_tests::{Client, Stack, stack};
use infra::local::identity_registry::Person;
use serde_json::{Value, json};
use shared::store::audit::{self, AuditAction};

/// Puts a person into the local identity registry (the stand-in for the carrier check and the
/// face check): the person exists, with that name and phone (`""`: the carrier knows none).
async fn in_registry(stack: &Stack, real_name: &str, id_number: &str, phone: &str) {
    let person = Person {
        real_name: real_name.into(),
        id_type: "resident_id".into(),
        id_number: id_number.into(),
        phone: phone.into(),
    };
    infra::local::identity_registry::load(&stack.context(), &[person])
        .await
        .expect("the local registry loads");
}

/// Registers a residence-permit account with this name and ID number (own phone), logged in.
async fn permit_account(client: &Client, real_name: &str, id_number: &str) -> (User, String) {
    account_of(client, "residence_permit", real_name, id_number).await
}

/// Registers an account of `account_type` with this name and ID number (own phone), logged in.
async fn account_of(
    client: &Client,
    account_type: &str,
    real_name: &str,
    id_number: &str,
) -> (User, String) {
    let phone = fixtures::phone();
    let code = client.code_for(&phone, "register").await;
    let mut body = fixtures::registration_body(account_type, &code, &phone);
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
    verify_with(client, token, json!({})).await
}

async fn verify_with(client: &Client, token: &str, body: Value) -> Value {
    let answer = client
        .post_auth("/v1/me/identity-verification", token, &body)
        .await;
    assert_eq!(answer.status, 200, "{:#}", answer.body);
    answer.body
}

/// Opens a face check: its id.
async fn open_face_check(client: &Client, token: &str) -> String {
    let opened = verify_with(client, token, json!({"method": "face"})).await;
    assert_eq!(opened["identity_verified"], false, "{opened:#}");
    assert_eq!(opened["face_check"]["status"], "pending", "{opened:#}");
    opened["face_check"]["face_check_id"]
        .as_str()
        .expect("a face check id")
        .to_owned()
}

/// What the face service's SDK does in the app: shows the face of the person with `id_number`.
async fn show_face(client: &Client, check_id: &str, id_number: &str, live: bool) {
    let shown = shared::identity::local_face_check::present_face(
        &client.stack.context().db,
        infra::local::identity_registry::LOCAL_IDENTITY_REGISTRY,
        check_id,
        shared::domain::id_document::IdType::ResidentId,
        id_number,
        live,
    )
    .await
    .unwrap();
    assert!(shown, "the check exists");
}

async fn face_result(client: &Client, token: &str, check_id: &str) -> Value {
    verify_with(
        client,
        token,
        json!({"method": "face", "face_check_id": check_id}),
    )
    .await
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

/// Issue 28 (1), the attack: a `residence_permit` account with a stranger's name and ID number
/// and one's own phone. Before, the check verified it whenever the service knew no phone of the
/// stranger's. Now the carrier must confirm the phone is the stranger's, and a face check
/// compares a live face with the stranger's document: the impostor fails both, and sees nothing.
#[tokio::test]
async fn knowing_a_name_and_an_id_number_verifies_nobody() {
    let client = Client::new(stack());
    // Strangers the carrier knows no phone of, and one whose phone it knows (not the impostor's).
    for stranger_phone in ["".to_owned(), fixtures::phone()] {
        let victim_id = fixtures::id_number();
        in_registry(&client.stack, "李秀英", &victim_id, &stranger_phone).await;
        let (impostor, token) = permit_account(&client, "李秀英", &victim_id).await;

        let check = verify_online(&client, &token).await;
        assert_eq!(check["identity_verified"], false, "{check:#}");
        let message = check["message"].as_str().unwrap();
        assert!(
            message.contains("人脸核验") && message.contains("受理点"),
            "{message}"
        );
        // The carrier method named explicitly answers the same.
        let named = verify_with(&client, &token, json!({"method": "carrier"})).await;
        assert_eq!(named["identity_verified"], false);

        // A face check: the impostor's own live face, or a photo of the victim, fails.
        let check_id = open_face_check(&client, &token).await;
        let pending = face_result(&client, &token, &check_id).await;
        assert_eq!(pending["identity_verified"], false);
        assert_eq!(pending["face_check"]["status"], "pending", "{pending:#}");
        show_face(&client, &check_id, &fixtures::id_number(), true).await;
        let failed = face_result(&client, &token, &check_id).await;
        assert_eq!(failed["identity_verified"], false, "{failed:#}");
        assert!(failed.get("face_check").is_none());
        let check_id = open_face_check(&client, &token).await;
        show_face(&client, &check_id, &victim_id, false).await;
        assert_eq!(
            face_result(&client, &token, &check_id).await["identity_verified"],
            false
        );

        let me = client.get_auth("/v1/me", &token).await;
        assert_eq!(me.body["identity_verified"], false);
        client
            .get_auth("/v1/me/residence-records", &token)
            .await
            .assert_problem(403, "IDENTITY_NOT_VERIFIED");
        client
            .get_auth("/v1/me/permit-eligibility", &token)
            .await
            .assert_problem(403, "IDENTITY_NOT_VERIFIED");
        let audits = audit::list(&client.stack.context().db, &impostor.account_id)
            .await
            .unwrap();
        assert!(audits.is_empty(), "nothing was verified");
    }
}

/// A face check is the account's own: another account cannot read it, nor verify with it, and
/// a check id never opened verifies nothing.
#[tokio::test]
async fn a_face_check_verifies_only_the_account_that_opened_it() {
    let client = Client::new(stack());
    let id_number = fixtures::id_number();
    in_registry(&client.stack, "王芳", &id_number, "").await;
    let (_, holder_token) = permit_account(&client, "王芳", &id_number).await;
    let check_id = open_face_check(&client, &holder_token).await;
    show_face(&client, &check_id, &id_number, true).await;

    // An impostor with the same name and number (the other account type) presents that id.
    let (_, impostor_token) =
        account_of(&client, "residence_registration", "王芳", &id_number).await;
    let stolen = face_result(&client, &impostor_token, &check_id).await;
    assert_eq!(stolen["identity_verified"], false, "{stolen:#}");
    let unknown = face_result(&client, &holder_token, "0123456789abcdef").await;
    assert_eq!(unknown["identity_verified"], false);

    // Malformed requests are 400 with the field named.
    for (body, field, code) in [
        (json!({"method": "online"}), "method", "INVALID_METHOD"),
        (
            json!({"method": "face", "face_check_id": "../x"}),
            "face_check_id",
            "INVALID_FACE_CHECK_ID",
        ),
        (
            json!({"method": "carrier", "face_check_id": "abc"}),
            "face_check_id",
            "NOT_ALLOWED",
        ),
    ] {
        let answer = client
            .post_auth("/v1/me/identity-verification", &holder_token, &body)
            .await;
        assert!(answer.has_field_error(field, code), "{:#}", answer.body);
    }

    // The holder's own read of it passes.
    let passed = face_result(&client, &holder_token, &check_id).await;
    assert_eq!(passed["identity_verified"], true, "{passed:#}");
    assert_eq!(passed["method"], "face");
    assert_eq!(records(&client, &holder_token).await, 200);
    let holder_id = passed["account_id"].as_str().unwrap();
    let audits = audit::list(&client.stack.context().db, holder_id)
        .await
        .unwrap();
    assert_eq!(audits.len(), 1);
    assert_eq!(
        audits[0].method,
        Some(shared::domain::identity::VerificationMethod::Face)
    );
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
    assert_eq!(check["method"], "carrier");
    let me = client.get_auth("/v1/me", &token).await;
    assert_eq!(me.body["identity_verified"], true);
    // Asked again: already verified, nothing more is asked or written.
    assert_eq!(
        verify_online(&client, &token).await["identity_verified"],
        true
    );
    let audits = audit::list(&client.stack.context().db, &holder.account_id)
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

/// Online checks are bounded per person and day (issue 28 (8)): a person with an account of
/// each type gets no more checks than with one, and opening a face check counts as one.
#[tokio::test]
async fn online_checks_are_limited_per_person_and_day() {
    let client = Client::new(stack());
    let id_number = fixtures::id_number();
    let (_, permit_token) = permit_account(&client, "张三", &id_number).await;
    let (_, registration_token) =
        account_of(&client, "residence_registration", "张三", &id_number).await;

    let limit = shared::services::identity::ONLINE_CHECKS_PER_DAY;
    for i in 0..limit {
        let token = if i % 2 == 0 {
            &permit_token
        } else {
            &registration_token
        };
        let body = if i == 0 {
            json!({"method": "face"})
        } else {
            json!({})
        };
        assert_eq!(
            verify_with(&client, token, body).await["identity_verified"],
            false
        );
    }
    for token in [&permit_token, &registration_token] {
        let refused = client
            .post_auth("/v1/me/identity-verification", token, &json!({}))
            .await;
        refused.assert_problem(429, "RATE_LIMITED");
        assert!(refused.headers.contains_key("retry-after"));
    }
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
    let kept = shared::store::accounts::find_by_id(&ctx.db, &impostor.account_id)
        .await
        .unwrap()
        .expect("the account is kept");
    assert_eq!(kept.status.as_str(), "suspended");
    assert_eq!(kept.id_number.as_deref(), Some(victim_id.as_str()));
    let mark = kept.suspension.expect("marked");
    assert_eq!(mark.suspended_by, staff_user.account_id);
    assert_eq!(mark.reason, reason);
    let audits = audit::list(&ctx.db, &impostor.account_id).await.unwrap();
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
    let audits = audit::list(&client.stack.context().db, &user.account_id)
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
