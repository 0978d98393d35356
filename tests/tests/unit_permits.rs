//! Unit agents (单位代办, F25): a unit opened by staff on the residence-permit platform applies
//! and endorses for employees who authorized it, under the same rules and from the employee's
//! records; the employee is told, sees and may withdraw; the unit sees only what it filed.

use chrono::{Days, Months};
use e2e_tests::fixtures::{self, User};
use e2e_tests::houses::staff_session;
use e2e_tests::permits::{eligible_holder, registered_holder, reschedule, today};
use e2e_tests::units::open_permit_unit;
use e2e_tests::{Client, stack};
use serde_json::{Value, json};

fn filing(employee: &User, basis: &str) -> Value {
    let mut body = json!({
        "employee": {"real_name": fixtures::REAL_NAME, "id_type": "resident_id",
                     "id_number": employee.id_number, "phone": employee.phone},
        "authorization_no": "WT-2026-0088",
        "basis": basis,
        "photo_receipt_no": "PR2026UNIT",
        "delivery": {"pickup_point": "440305001"},
    });
    if basis == "talent" {
        body["certificate_no"] = json!("RC-2026-0100");
    }
    body
}

#[tokio::test]
async fn a_permit_unit_files_for_its_employee_who_is_told_sees_and_may_withdraw() {
    let client = Client::new(stack());
    let (_, staff) = staff_session(&client).await;
    let (unit, _, unit_token) = open_permit_unit(&client, &staff).await;
    assert_eq!(unit["platform"], "residence_permit");
    assert_eq!(unit["admin"]["account_type"], "residence_permit");
    let unit_name = unit["name"].as_str().unwrap().to_owned();
    let (employee, employee_token) = registered_holder(&client, &staff).await;

    // The employee must be named as their verified account is: any mismatch answers alike.
    let mut wrong = filing(&employee, "talent");
    wrong["employee"]["phone"] = json!(fixtures::phone());
    let refused = client
        .post_auth("/v1/unit/permit-applications", &unit_token, &wrong)
        .await;
    assert!(
        refused.has_field_error("employee", "EMPLOYEE_NOT_FOUND"),
        "{:#}",
        refused.body
    );
    let mut unknown = filing(&employee, "talent");
    unknown["employee"]["id_number"] = json!(fixtures::id_number());
    assert_eq!(
        client
            .post_auth("/v1/unit/permit-applications", &unit_token, &unknown)
            .await
            .body,
        refused.body
    );
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

    // Filed on the talent basis: submitted; the employee is told, naming the unit.
    let (filed, notice) = client
        .with_next_sms(
            &employee.phone,
            client.post_auth(
                "/v1/unit/permit-applications",
                &unit_token,
                &filing(&employee, "talent"),
            ),
        )
        .await;
    assert_eq!(filed.status, 201, "{:#}", filed.body);
    assert_eq!(filed.body["status"], "submitted");
    assert_eq!(filed.body["filed_by_unit"], unit_name.as_str());
    let notice = notice.unwrap();
    assert!(notice.contains(&format!("{unit_name}为您代办")), "{notice}");
    let id = filed.body["application_id"].as_str().unwrap().to_owned();

    // The unit lists what it filed; the employee sees it as theirs, filed by the unit.
    let listed = client
        .get_auth("/v1/unit/permit-applications", &unit_token)
        .await;
    assert_eq!(listed.status, 200, "{:#}", listed.body);
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(listed.body["items"][0]["application_id"], id.as_str());
    assert_eq!(listed.body["items"][0]["authorization_no"], "WT-2026-0088");
    let mine = client
        .get_auth("/v1/me/permit-applications", &employee_token)
        .await;
    assert_eq!(mine.body["items"][0]["application_id"], id.as_str());
    let seen = client
        .get_auth(&format!("/v1/permit-applications/{id}"), &employee_token)
        .await;
    assert_eq!(seen.body["history"][0]["by"], "unit", "{:#}", seen.body);
    // The unit sees nothing of the employee's other records.
    client
        .get_auth(&format!("/v1/permit-applications/{id}"), &unit_token)
        .await
        .assert_problem(404, "NOT_FOUND");
    client
        .get_auth("/v1/me/residence-records", &unit_token)
        .await
        .assert_problem(403, "FORBIDDEN");
    // Same rules: one open application per person, whoever files it.
    client
        .post_auth(
            "/v1/unit/permit-applications",
            &unit_token,
            &filing(&employee, "talent"),
        )
        .await
        .assert_problem(409, "APPLICATION_PENDING");

    // The employee withdraws it.
    let withdrawn = client
        .post_auth(
            &format!("/v1/permit-applications/{id}/withdrawal"),
            &employee_token,
            &json!({}),
        )
        .await;
    assert_eq!(withdrawn.status, 200, "{:#}", withdrawn.body);
    assert_eq!(withdrawn.body["status"], "withdrawn");

    // The records decide as for the holder: registered today, the standard basis is refused.
    let refused = client
        .post_auth(
            "/v1/unit/permit-applications",
            &unit_token,
            &filing(&employee, "standard"),
        )
        .await;
    refused.assert_problem(422, "NOT_ELIGIBLE");

    // Other callers: a citizen's own account, a registration unit's administrator.
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
async fn a_unit_endorses_only_the_permits_issued_on_its_applications() {
    let client = Client::new(stack());
    let (_, staff) = staff_session(&client).await;
    let (_, _, unit_token) = open_permit_unit(&client, &staff).await;
    let (_, _, other_unit) = open_permit_unit(&client, &staff).await;
    let (employee, employee_token) = eligible_holder(&client, &staff).await;

    // The records prove the standard basis: approved at once, the permit issued.
    let before = client.sms_messages(&employee.phone).await.len();
    let filed = client
        .post_auth(
            "/v1/unit/permit-applications",
            &unit_token,
            &filing(&employee, "standard"),
        )
        .await;
    assert_eq!(filed.status, 201, "{:#}", filed.body);
    assert_eq!(filed.body["status"], "approved");
    // The approval and the issue are told by SMS: both arrive before the endorsement's notice.
    let told = client.sms_delivered(&employee.phone, before + 2).await;
    assert!(told.iter().any(|m| m.contains("已签发")), "{told:?}");
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
