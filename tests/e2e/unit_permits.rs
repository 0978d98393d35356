//! Unit agents (单位代办, F25): a unit opened by staff on the residence-permit platform files
//! permit applications for employees, who confirm or refuse each in their own account before
//! anything is decided; the unit learns only the outcome, every filing is in the person's
//! data-access log, and filings are limited per unit per day (issue 28, item 4).

use chrono::{Days, Months};
use e2e_tests::fixtures::{self, User};
use e2e_tests::houses::{staff_session, verify_at_counter};
use e2e_tests::permits::{eligible_holder, registered_holder, reschedule, today};
use e2e_tests::units::open_permit_unit;
use e2e_tests::{Answer, Client, stack, start};
use serde_json::{Value, json};

fn filing(employee: &User, basis: &str) -> Value {
    let mut body = json!({
        "employee": {"real_name": fixtures::REAL_NAME, "id_type": "resident_id",
                     "id_number": employee.id_number, "phone": employee.phone},
        "authorization_no": "WT-2026-0088",
        "basis": basis,
        "photo_receipt_no": e2e_tests::permits::photo_receipt_no(employee),
        "delivery": {"pickup_point": "440305001"},
    });
    if basis == "talent" {
        body["certificate_no"] = json!("RC-2026-0100");
    }
    body
}

/// A filing for someone the unit only has the name, ID number, phone and photo receipt of (who
/// had an ID photo taken at a studio).
async fn stranger_filing(client: &Client) -> Value {
    let id_number = fixtures::id_number();
    let photo = infra::local::identity_registry::take_photo(
        &client.stack.context(),
        shared::domain::id_document::IdType::ResidentId,
        &id_number,
    )
    .await
    .unwrap();
    json!({
        "employee": {"real_name": "李四", "id_type": "resident_id",
                     "id_number": id_number, "phone": fixtures::phone()},
        "authorization_no": "WT-2026-0099",
        "basis": "standard",
        "photo_receipt_no": photo,
        "delivery": {"pickup_point": "440305001"},
    })
}

fn consent_path(id: &str) -> String {
    format!("/v1/permit-applications/{id}/consent")
}

/// The unit files for `employee` on `basis`: accepted, awaiting the employee's consent; the
/// filing's id.
async fn filed(client: &Client, unit_token: &str, employee: &User, basis: &str) -> String {
    let filed = client
        .post_auth(
            "/v1/unit/permit-applications",
            unit_token,
            &filing(employee, basis),
        )
        .await;
    assert_eq!(filed.status, 201, "{:#}", filed.body);
    assert_eq!(filed.body["status"], "awaiting_consent");
    filed.body["application_id"].as_str().unwrap().to_owned()
}

/// The employee confirms (`true`) or refuses the filing `id`.
async fn consent(client: &Client, employee_token: &str, id: &str, consent: bool) -> Answer {
    client
        .post_auth(
            &consent_path(id),
            employee_token,
            &json!({"consent": consent}),
        )
        .await
}

/// The field names of an answer, to compare two answers' shapes.
fn shape(answer: &Answer) -> Vec<String> {
    let mut keys: Vec<String> = answer.body.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

/// What a unit's answer must never carry: a condition, a reason, a history.
fn assert_tells_nothing_of_records(answer: &Value) {
    let text = answer.to_string();
    for secret in [
        "current_registration",
        "continuous_residence",
        "social_insurance",
        "errors",
        "history",
        "reason",
        "居住登记",
        "社会保险",
    ] {
        assert!(!text.contains(secret), "{secret} in {answer:#}");
    }
}

async fn unit_item(client: &Client, unit_token: &str, id: &str) -> Value {
    let listed = client
        .get_auth("/v1/unit/permit-applications", unit_token)
        .await;
    assert_eq!(listed.status, 200, "{:#}", listed.body);
    listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["application_id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("{id} not listed: {:#}", listed.body))
}

#[tokio::test]
async fn a_unit_filing_is_no_probe_it_waits_for_the_employee_who_alone_sees_the_reasons() {
    let client = Client::new(stack());
    let (_, staff) = staff_session(&client).await;
    let (unit, _, unit_token) = open_permit_unit(&client, &staff).await;
    let unit_name = unit["name"].as_str().unwrap().to_owned();
    // Registered today: the standard basis is not met (no 12 months, no insurance).
    let (employee, employee_token) = registered_holder(&client, &staff).await;

    // The attack: a filing for a stranger with their name, ID number and phone. 201, awaiting
    // consent, and nothing of the person: not whether they have an account, not their records.
    let probe = client
        .post_auth(
            "/v1/unit/permit-applications",
            &unit_token,
            &stranger_filing(&client).await,
        )
        .await;
    assert_eq!(probe.status, 201, "{:#}", probe.body);
    assert_eq!(probe.body["status"], "awaiting_consent");
    assert_eq!(probe.body["outcome"], "awaiting_consent");
    assert!(probe.body["expires_at"].is_string(), "{:#}", probe.body);
    assert_tells_nothing_of_records(&probe.body);

    // The employee's own details: the same answer (the employee is invited by SMS naming the
    // unit, with no code and no link).
    let (filed, invitation) = client
        .with_next_sms(
            &employee.phone,
            client.post_auth(
                "/v1/unit/permit-applications",
                &unit_token,
                &filing(&employee, "standard"),
            ),
        )
        .await;
    assert_eq!(filed.status, 201, "{:#}", filed.body);
    assert_eq!(filed.body["status"], "awaiting_consent");
    assert_eq!(shape(&filed), shape(&probe));
    assert_tells_nothing_of_records(&filed.body);
    let invitation = invitation.unwrap();
    assert!(
        invitation.starts_with("【深圳居住登记】") && invitation.contains(&unit_name),
        "{invitation}"
    );
    assert!(invitation.contains("确认或拒绝"), "{invitation}");
    assert!(!invitation.contains(&employee.id_number), "{invitation}");
    let id = filed.body["application_id"].as_str().unwrap().to_owned();
    // A wrong phone for a real account: the same answer again (it reaches nobody).
    let mut wrong = filing(&employee, "standard");
    wrong["employee"]["phone"] = json!(fixtures::phone());
    let wrong = client
        .post_auth("/v1/unit/permit-applications", &unit_token, &wrong)
        .await;
    assert_eq!(wrong.status, 201, "{:#}", wrong.body);
    assert_eq!(shape(&wrong), shape(&probe));

    // Bad bodies are still named field by field.
    let mut bad = filing(&employee, "talent");
    bad["employee"]["id_number"] = json!("110101");
    bad.as_object_mut().unwrap().remove("authorization_no");
    let bad = client
        .post_auth("/v1/unit/permit-applications", &unit_token, &bad)
        .await;
    assert!(
        bad.has_field_error("authorization_no", "REQUIRED"),
        "{:#}",
        bad.body
    );
    assert!(
        bad.field_errors()
            .iter()
            .any(|(field, _)| field == "employee.id_number"),
        "{:#}",
        bad.body
    );

    // The employee sees the filing in their own account, and every filing naming them in their
    // data-access log (the one with the wrong phone too), by the unit's name.
    let mine = client
        .get_auth("/v1/me/permit-applications", &employee_token)
        .await;
    let listed = mine.body["items"].as_array().unwrap();
    assert_eq!(listed.len(), 1, "{:#}", mine.body);
    assert_eq!(listed[0]["application_id"], id.as_str());
    assert_eq!(listed[0]["status"], "awaiting_consent");
    assert_eq!(listed[0]["filed_by_unit"], unit_name.as_str());
    let log = client.get_auth("/v1/me/data-access", &employee_token).await;
    assert_eq!(log.status, 200, "{:#}", log.body);
    let filings: Vec<&Value> = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["processing"] == "filed")
        .collect();
    assert_eq!(filings.len(), 2, "{:#}", log.body);
    assert!(filings.iter().any(|r| r["subject"]["id"] == id.as_str()));
    for record in &filings {
        assert_eq!(record["processor"]["kind"], "unit");
        assert_eq!(record["processor"]["name"], unit_name.as_str());
        assert_eq!(record["processing_label"], "代办申请");
        assert_eq!(record["subject"]["kind"], "permit_application");
    }

    // Nobody else answers it: another verified holder (404), an unverified one (403), the unit.
    let (other, other_token) = fixtures::logged_in(&client, "residence_permit").await;
    client
        .post_auth(&consent_path(&id), &other_token, &json!({"consent": true}))
        .await
        .assert_problem(403, "IDENTITY_NOT_VERIFIED");
    verify_at_counter(&client, &staff, &other.account_id).await;
    client
        .post_auth(&consent_path(&id), &other_token, &json!({"consent": true}))
        .await
        .assert_problem(404, "NOT_FOUND");
    client
        .post_auth(&consent_path(&id), &unit_token, &json!({"consent": true}))
        .await
        .assert_problem(403, "FORBIDDEN");
    client
        .post_auth(
            &consent_path(&id),
            &employee_token,
            &json!({"consent": "yes"}),
        )
        .await
        .assert_problem(400, "VALIDATION_FAILED");
    client
        .get_auth(&format!("/v1/permit-applications/{id}"), &unit_token)
        .await
        .assert_problem(404, "NOT_FOUND");

    // The employee confirms: decided from their records as their own application; refused,
    // with the reasons shown to them.
    let decided = consent(&client, &employee_token, &id, true).await;
    assert_eq!(decided.status, 200, "{:#}", decided.body);
    assert_eq!(decided.body["status"], "rejected");
    let history = decided.body["history"].as_array().unwrap();
    assert_eq!(history[0]["to"], "awaiting_consent");
    assert_eq!(history[0]["by"], "unit");
    let reason = history.last().unwrap()["reason"].as_str().unwrap();
    assert!(reason.contains("连续居住登记未满12个月"), "{reason}");
    assert!(reason.contains("社会保险"), "{reason}");

    // The unit learns the outcome alone.
    let seen = unit_item(&client, &unit_token, &id).await;
    assert_eq!(seen["status"], "rejected");
    assert_eq!(seen["outcome"], "not_eligible");
    assert_eq!(seen["authorization_no"], "WT-2026-0088");
    assert_tells_nothing_of_records(&seen);

    // A second answer: 409 naming the status.
    let again = consent(&client, &employee_token, &id, false).await;
    again.assert_problem(409, "CONFLICT");
    assert!(
        again.has_field_error("status", "NOT_AWAITING_CONSENT"),
        "{:#}",
        again.body
    );

    // Other callers of the filing route: a citizen's own account.
    client
        .post_auth(
            "/v1/unit/permit-applications",
            &employee_token,
            &filing(&employee, "talent"),
        )
        .await
        .assert_problem(403, "FORBIDDEN");
}

#[tokio::test]
async fn a_filing_never_blocks_the_persons_own_application_and_may_be_refused() {
    let client = Client::new(stack());
    let (_, staff) = staff_session(&client).await;
    let (_, _, unit_token) = open_permit_unit(&client, &staff).await;
    let (employee, employee_token) = registered_holder(&client, &staff).await;

    let id = filed(&client, &unit_token, &employee, "talent").await;

    // The person's own application goes through while the filing waits.
    let own = client
        .post_auth(
            "/v1/me/permit-applications",
            &employee_token,
            &json!({"basis": "talent", "certificate_no": "RC-2026-0200",
                    "photo_receipt_no": e2e_tests::permits::photo_receipt_no(&employee), "delivery": {"pickup_point": "440305001"}}),
        )
        .await;
    assert_eq!(own.status, 201, "{:#}", own.body);
    assert_eq!(own.body["status"], "submitted");
    // Confirming the filing now would be a second open application: 409, the filing still waits.
    consent(&client, &employee_token, &id, true)
        .await
        .assert_problem(409, "APPLICATION_PENDING");
    let still = client
        .get_auth(&format!("/v1/permit-applications/{id}"), &employee_token)
        .await;
    assert_eq!(still.body["status"], "awaiting_consent", "{:#}", still.body);

    // The employee refuses it: withdrawn; the unit sees that, and the own application stands.
    let refused = consent(&client, &employee_token, &id, false).await;
    assert_eq!(refused.status, 200, "{:#}", refused.body);
    assert_eq!(refused.body["status"], "withdrawn");
    assert_eq!(
        refused.body["history"].as_array().unwrap().last().unwrap()["by"],
        "applicant"
    );
    let seen = unit_item(&client, &unit_token, &id).await;
    assert_eq!(
        (seen["status"].as_str(), seen["outcome"].as_str()),
        (Some("withdrawn"), Some("withdrawn"))
    );
    let own_id = own.body["application_id"].as_str().unwrap();
    let own_now = client
        .get_auth(
            &format!("/v1/permit-applications/{own_id}"),
            &employee_token,
        )
        .await;
    assert_eq!(own_now.body["status"], "submitted", "{:#}", own_now.body);

    // Confirmed on a direct basis once the person has no open application: submitted for staff.
    client
        .post_auth(
            &format!("/v1/permit-applications/{own_id}/withdrawal"),
            &employee_token,
            &json!({}),
        )
        .await;
    let id = filed(&client, &unit_token, &employee, "talent").await;
    let confirmed = consent(&client, &employee_token, &id, true).await;
    assert_eq!(confirmed.status, 200, "{:#}", confirmed.body);
    assert_eq!(confirmed.body["status"], "submitted");
    let seen = unit_item(&client, &unit_token, &id).await;
    assert_eq!(seen["outcome"], "under_review");
    // Now it is the person's open application: another filing waits, its consent is refused.
    let third = client
        .post_auth(
            "/v1/unit/permit-applications",
            &unit_token,
            &filing(&employee, "talent"),
        )
        .await;
    assert_eq!(third.status, 201, "{:#}", third.body);
    client
        .post_auth(
            &consent_path(third.body["application_id"].as_str().unwrap()),
            &employee_token,
            &json!({"consent": true}),
        )
        .await
        .assert_problem(409, "APPLICATION_PENDING");
}

#[tokio::test]
async fn an_unconfirmed_filing_expires() {
    let client = Client::new(stack());
    let (_, staff) = staff_session(&client).await;
    let (_, _, unit_token) = open_permit_unit(&client, &staff).await;
    let (employee, employee_token) = registered_holder(&client, &staff).await;
    let id = filed(&client, &unit_token, &employee, "talent").await;

    // Its deadline passes (written into the stored filing: the clock is not ours to move).
    let ctx = client.stack.context();
    ctx.db
        .client
        .update_item()
        .table_name(&ctx.config.tables.permits)
        .set_key(Some(shared::store::permits::application_key(&id)))
        .update_expression("SET consent_expires_at = :past")
        .expression_attribute_values(
            ":past",
            aws_sdk_dynamodb::types::AttributeValue::S("2026-01-01T00:00:00Z".into()),
        )
        .send()
        .await
        .expect("backdate the deadline");

    let seen = client
        .get_auth(&format!("/v1/permit-applications/{id}"), &employee_token)
        .await;
    assert_eq!(seen.body["status"], "expired", "{:#}", seen.body);
    let answer = consent(&client, &employee_token, &id, true).await;
    answer.assert_problem(409, "CONFLICT");
    assert!(
        answer.body.to_string().contains("已过期"),
        "{:#}",
        answer.body
    );
    client
        .post_auth(
            &format!("/v1/permit-applications/{id}/withdrawal"),
            &employee_token,
            &json!({}),
        )
        .await
        .assert_problem(409, "CONFLICT");
    let unit_view = unit_item(&client, &unit_token, &id).await;
    assert_eq!(unit_view["outcome"], "expired");
    // It frees nothing it never held: the person applies themselves.
    let own = client
        .post_auth(
            "/v1/me/permit-applications",
            &employee_token,
            &json!({"basis": "talent", "certificate_no": "RC-2026-0300",
                    "photo_receipt_no": e2e_tests::permits::photo_receipt_no(&employee), "delivery": {"pickup_point": "440305001"}}),
        )
        .await;
    assert_eq!(own.status, 201, "{:#}", own.body);
}

#[tokio::test]
async fn filings_are_limited_per_unit_per_day() {
    let limited = start(&[("UNIT_FILINGS_PER_DAY", "20")]);
    let client = Client::new(&limited);
    let (_, staff) = staff_session(&client).await;
    let (_, _, unit_token) = open_permit_unit(&client, &staff).await;
    let (_, _, other_unit) = open_permit_unit(&client, &staff).await;
    // The attack's 40 probes: the first 20 are filed (and reach nobody), the rest refused.
    let mut statuses = Vec::new();
    let mut refused = None;
    for _ in 0..40 {
        let answer = client
            .post_auth(
                "/v1/unit/permit-applications",
                &unit_token,
                &stranger_filing(&client).await,
            )
            .await;
        statuses.push(answer.status.as_u16());
        if answer.status == 201 {
            // The unit sees its day's budget go down with each filing.
            let filed = statuses.len() as u32;
            assert_eq!(
                answer.headers["ratelimit-policy"],
                "\"unit-filing\";q=20;w=86400"
            );
            let left = answer.headers["ratelimit"].to_str().unwrap();
            assert!(
                left.starts_with(&format!("\"unit-filing\";r={};", 20 - filed)),
                "{left}"
            );
        }
        if answer.status == 429 {
            refused = Some(answer);
        }
    }
    assert_eq!(
        statuses.iter().filter(|&&s| s == 201).count(),
        20,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|&&s| s == 429).count(),
        20,
        "{statuses:?}"
    );
    let refused = refused.unwrap();
    refused.assert_problem(429, "RATE_LIMITED");
    assert!(
        refused.headers.contains_key("retry-after"),
        "{:?}",
        refused.headers
    );
    // Counted per unit.
    let other = client
        .post_auth(
            "/v1/unit/permit-applications",
            &other_unit,
            &stranger_filing(&client).await,
        )
        .await;
    assert_eq!(other.status, 201, "{:#}", other.body);
}

#[tokio::test]
async fn a_unit_endorses_only_the_permits_issued_on_its_confirmed_filings() {
    let client = Client::new(stack());
    let (_, staff) = staff_session(&client).await;
    let (_, _, unit_token) = open_permit_unit(&client, &staff).await;
    let (_, _, other_unit) = open_permit_unit(&client, &staff).await;
    let (employee, employee_token) = eligible_holder(&client, &staff).await;

    let id = filed(&client, &unit_token, &employee, "standard").await;
    // Nothing is issued before the employee confirms.
    client
        .get_auth("/v1/me/permit", &employee_token)
        .await
        .assert_problem(404, "NOT_FOUND");
    // The invitation, then the approval and the issue (both told by SMS).
    // The invitation is on its way (queued when the unit filed): wait for it, so that what
    // comes after the consent is counted from it.
    let invited = client
        .sms_delivered_containing(&employee.phone, "申请为您代办")
        .await
        .len();
    let confirmed = consent(&client, &employee_token, &id, true).await;
    assert_eq!(confirmed.status, 200, "{:#}", confirmed.body);
    assert_eq!(confirmed.body["status"], "approved");
    let told = client.sms_delivered(&employee.phone, invited + 2).await;
    assert!(told.iter().any(|m| m.contains("已签发")), "{told:?}");
    let seen = unit_item(&client, &unit_token, &id).await;
    assert_eq!(
        (seen["status"].as_str(), seen["outcome"].as_str()),
        (Some("approved"), Some("eligible"))
    );
    let permit = client.get_auth("/v1/me/permit", &employee_token).await.body;
    let no = permit["permit_no"].as_str().unwrap().to_owned();
    let path = format!("/v1/unit/permits/{no}/endorsements");

    // Not yet due; another unit gets 404; the window open, the unit endorses it.
    client
        .post_auth(&path, &unit_token, &json!({}))
        .await
        .assert_problem(409, "ENDORSEMENT_NOT_DUE");
    client
        .post_auth(&path, &other_unit, &json!({}))
        .await
        .assert_problem(404, "NOT_FOUND");
    client
        .post_auth(
            "/v1/unit/permits/440300-0123456789/endorsements",
            &unit_token,
            &json!({}),
        )
        .await
        .assert_problem(404, "NOT_FOUND");
    let in_window = (today() + Days::new(20))
        .checked_sub_months(Months::new(12))
        .unwrap();
    reschedule(&client, &no, in_window, 1, today()).await;
    let (endorsed, notice) = client
        .with_next_sms(
            &employee.phone,
            client.post_auth(&path, &unit_token, &json!({})),
        )
        .await;
    assert_eq!(endorsed.status, 201, "{:#}", endorsed.body);
    assert_eq!(endorsed.body["endorsements"][0]["by"], "unit");
    assert!(notice.unwrap().contains("已签注"));
    let seen = client.get_auth("/v1/me/permit", &employee_token).await.body;
    assert_eq!(seen["endorsements"][0]["by"], "unit");
}
