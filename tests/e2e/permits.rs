//! Residence permits (issue 13), first part: eligibility as the records decide it
//! (`GET /v1/me/permit-eligibility`). The day arithmetic is proven in the domain's unit and
//! property tests; these check what the route reads: the verified holder's registrations (their
//! name and number only, voided ones never) and the bureau's months, imported as the operator
//! would.

use e2e_tests::fixtures;
use e2e_tests::houses::{approved_link, staff_session, verify_at_counter};
use e2e_tests::permits::{insurance_rows, load_insurance, registered_holder};
use e2e_tests::residents::{declared, holder_body};
use e2e_tests::{Client, stack};
use serde_json::{Value, json};

fn condition<'a>(assessment: &'a Value, name: &str) -> &'a Value {
    assessment["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["condition"] == name)
        .unwrap_or_else(|| panic!("{name} in {assessment:#}"))
}

#[tokio::test]
async fn eligibility_is_read_from_the_holders_records_and_the_bureaus_months() {
    let client = Client::new(stack());
    let (_, staff) = staff_session(&client).await;
    let (holder, token) = fixtures::logged_in(&client, "residence_permit").await;

    // Not before the identity is verified.
    client
        .get_auth("/v1/me/permit-eligibility", &token)
        .await
        .assert_problem(403, "IDENTITY_NOT_VERIFIED");
    verify_at_counter(&client, &staff, &holder.account_id).await;

    // Nothing on record: no current registration, no insurance.
    let none = client.get_auth("/v1/me/permit-eligibility", &token).await;
    assert_eq!(none.status, 200, "{:#}", none.body);
    assert_eq!(none.body["eligible"], false);
    assert_eq!(none.body["eligible_from"], Value::Null);
    assert_eq!(condition(&none.body, "current_registration")["met"], false);

    // Registered today (under the holder's name: fixtures register everyone as 张三), and the
    // 12 months before this one paid, as the bureau's file says.
    let (_, landlord, link) = approved_link(&client, &staff).await;
    let link_id = link["link_id"].as_str().unwrap();
    declared(&client, &landlord, link_id, &holder_body(&holder)).await;
    let today = shared::clock::today_in_china();
    let rows = insurance_rows(&holder, 12, "paid");
    load_insurance(&client, &rows).await;

    // The person index is eventually consistent.
    let mut assessed = Value::Null;
    for _ in 0..20 {
        assessed = client
            .get_auth("/v1/me/permit-eligibility", &token)
            .await
            .body;
        if condition(&assessed, "current_registration")["met"] == true {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(assessed["as_of"], today.to_string());
    assert_eq!(assessed["basis"], "standard");
    assert_eq!(condition(&assessed, "current_registration")["met"], true);
    let residence = condition(&assessed, "continuous_residence");
    assert_eq!(residence["met"], false);
    assert_eq!(residence["counted"], 1, "declared today: one day");
    assert_eq!(residence["since"], today.to_string());
    let due = today.checked_add_months(chrono::Months::new(12)).unwrap();
    assert_eq!(residence["eligible_from"], due.to_string());
    let insurance = condition(&assessed, "social_insurance");
    assert_eq!(insurance["met"], true, "{assessed:#}");
    assert_eq!(insurance["counted"], 12);
    assert_eq!(assessed["eligible"], false);
    assert_eq!(assessed["eligible_from"], due.to_string());

    // A direct basis needs only the current registration.
    let talent = client
        .get_auth("/v1/me/permit-eligibility?basis=talent", &token)
        .await;
    assert_eq!(talent.body["eligible"], true, "{:#}", talent.body);
    assert_eq!(talent.body["conditions"].as_array().unwrap().len(), 1);
    let bad = client
        .get_auth("/v1/me/permit-eligibility?basis=vip", &token)
        .await;
    assert!(
        bad.has_field_error("basis", "INVALID_BASIS"),
        "{:#}",
        bad.body
    );

    // Unpaid months do not count: the bureau's correction turns the condition off.
    let mut corrected = rows.clone();
    corrected[0].status = "unpaid".into();
    load_insurance(&client, &corrected).await;
    let assessed = client
        .get_auth("/v1/me/permit-eligibility", &token)
        .await
        .body;
    assert_eq!(condition(&assessed, "social_insurance")["met"], false);
}

#[tokio::test]
async fn only_residence_permit_accounts_are_assessed() {
    let client = Client::new(stack());
    let (_, token) = fixtures::logged_in(&client, "residence_registration").await;
    client
        .get_auth("/v1/me/permit-eligibility", &token)
        .await
        .assert_problem(403, "FORBIDDEN");
}

fn talent_application(holder: &fixtures::User) -> Value {
    json!({"basis": "talent", "certificate_no": "RC-2026-0002",
           "photo_receipt_no": e2e_tests::permits::photo_receipt_no(holder).to_lowercase(),
           "delivery": {"pickup_point": "440303001"}})
}

#[tokio::test]
async fn a_standard_application_the_records_do_not_prove_is_refused_with_every_reason() {
    let client = Client::new(stack());
    let (_, staff) = staff_session(&client).await;
    let (holder, token) = registered_holder(&client, &staff).await;
    let refused = client
        .post_auth(
            "/v1/me/permit-applications",
            &token,
            &json!({"basis": "standard", "photo_receipt_no": e2e_tests::permits::photo_receipt_no(&holder),
                    "delivery": {"mail_address": "深圳市福田区福中三路市民中心"}}),
        )
        .await;
    refused.assert_problem(422, "NOT_ELIGIBLE");
    let reasons = refused.field_errors();
    assert!(reasons.contains(&("continuous_residence".into(), "CONDITION_NOT_MET".into())));
    assert!(reasons.contains(&("social_insurance".into(), "CONDITION_NOT_MET".into())));
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    // Nothing was written: the person may apply on another basis at once.
    let applied = client
        .post_auth(
            "/v1/me/permit-applications",
            &token,
            &talent_application(&holder),
        )
        .await;
    assert_eq!(applied.status, 201, "{:#}", applied.body);
}

#[tokio::test]
async fn a_direct_basis_waits_for_staff_one_open_application_and_withdrawal() {
    let client = Client::new(stack());
    let (_, staff) = staff_session(&client).await;
    let (holder, token) = registered_holder(&client, &staff).await;
    let sms_before = client.sms_messages(&holder.phone).await.len();

    let (applied, notice) = client
        .with_next_sms(
            &holder.phone,
            client.post_auth(
                "/v1/me/permit-applications",
                &token,
                &talent_application(&holder),
            ),
        )
        .await;
    assert_eq!(applied.status, 201, "{:#}", applied.body);
    assert_eq!(applied.body["status"], "submitted");
    assert_eq!(
        applied.body["photo_receipt_no"],
        e2e_tests::permits::photo_receipt_no(&holder),
        "kept in capitals"
    );
    assert_eq!(applied.body["delivery"]["pickup_point"], "440303001");
    let notice = notice.expect("an SMS");
    assert!(notice.contains("已提交"), "{notice}");
    assert_eq!(
        client.sms_messages(&holder.phone).await.len(),
        sms_before + 1
    );
    let id = applied.body["application_id"].as_str().unwrap().to_owned();

    // One open application per person; the answer names it (a retry can be reconciled).
    let again = client
        .post_auth(
            "/v1/me/permit-applications",
            &token,
            &talent_application(&holder),
        )
        .await;
    again.assert_problem(409, "APPLICATION_PENDING");
    assert_eq!(again.body["existing"]["type"], "permit_application");
    assert_eq!(again.body["existing"]["own"], true);
    assert_eq!(again.body["existing"]["id"], id.as_str());
    assert_eq!(
        again.headers["location"],
        format!("/v1/permit-applications/{id}").as_str()
    );
    // Listed; seen by its applicant and staff, by no one else.
    let listed = client.get_auth("/v1/me/permit-applications", &token).await;
    assert_eq!(listed.body["items"][0]["application_id"], id.as_str());
    let path = format!("/v1/permit-applications/{id}");
    let seen = client.get_auth(&path, &staff).await;
    assert_eq!(seen.status, 200);
    assert_eq!(seen.body["history"][0]["to"], "submitted");
    assert_eq!(seen.body["history"][0]["by"], "applicant");
    let (_, other) = fixtures::logged_in(&client, "residence_permit").await;
    client
        .get_auth(&path, &other)
        .await
        .assert_problem(404, "NOT_FOUND");
    client
        .post_auth(&format!("{path}/withdrawal"), &other, &json!({}))
        .await
        .assert_problem(404, "NOT_FOUND");
    client
        .post_auth(&format!("{path}/withdrawal"), &staff, &json!({}))
        .await
        .assert_problem(403, "FORBIDDEN");

    // Withdrawn (recorded, told), and the person may apply again.
    let (withdrawn, notice) = client
        .with_next_sms(
            &holder.phone,
            client.post_auth(&format!("{path}/withdrawal"), &token, &json!({})),
        )
        .await;
    assert_eq!(withdrawn.status, 200, "{:#}", withdrawn.body);
    assert_eq!(withdrawn.body["status"], "withdrawn");
    let history = withdrawn.body["history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1]["from"], "submitted");
    assert!(notice.unwrap().contains("已撤回"));
    client
        .post_auth(&format!("{path}/withdrawal"), &token, &json!({}))
        .await
        .assert_problem(409, "CONFLICT");
    let again = client
        .post_auth(
            "/v1/me/permit-applications",
            &token,
            &talent_application(&holder),
        )
        .await;
    assert_eq!(again.status, 201, "{:#}", again.body);
}

#[tokio::test]
async fn application_fields_are_checked_and_named() {
    let client = Client::new(stack());
    let (holder, token) = fixtures::logged_in(&client, "residence_permit").await;
    let bad = client
        .post_auth(
            "/v1/me/permit-applications",
            &token,
            &json!({"basis": "talent", "photo_receipt_no": "短", "delivery": {}}),
        )
        .await;
    bad.assert_problem(400, "VALIDATION_FAILED");
    assert!(
        bad.has_field_error("photo_receipt_no", "INVALID_PHOTO_RECEIPT"),
        "{:#}",
        bad.body
    );
    assert!(bad.has_field_error("delivery", "ONE_OF"), "{:#}", bad.body);
    let both = client
        .post_auth(
            "/v1/me/permit-applications",
            &token,
            &json!({"basis": "student", "photo_receipt_no": "PR123456", "certificate_no": "X1",
                    "delivery": {"pickup_point": "440303001"}}),
        )
        .await;
    assert!(
        both.has_field_error("school", "REQUIRED"),
        "{:#}",
        both.body
    );
    // Valid fields, unverified identity: 403.
    client
        .post_auth(
            "/v1/me/permit-applications",
            &token,
            &talent_application(&holder),
        )
        .await
        .assert_problem(403, "IDENTITY_NOT_VERIFIED");
}

#[tokio::test]
async fn a_photo_receipt_the_studios_do_not_know_or_of_someone_else_is_refused_naming_it() {
    let client = Client::new(stack());
    let (_, staff) = staff_session(&client).await;
    let (holder, token) = registered_holder(&client, &staff).await;
    let (someone_else, _) = fixtures::logged_in(&client, "residence_permit").await;
    let with_photo = |photo: String| {
        json!({"basis": "talent", "certificate_no": "RC-2026-0009", "photo_receipt_no": photo,
               "delivery": {"pickup_point": "440303001"}})
    };
    for (photo, code) in [
        ("PH999999999999".to_owned(), "PHOTO_RECEIPT_UNKNOWN"),
        (
            e2e_tests::permits::photo_receipt_no(&someone_else),
            "PHOTO_RECEIPT_NOT_APPLICANTS",
        ),
    ] {
        let refused = client
            .post_auth("/v1/me/permit-applications", &token, &with_photo(photo))
            .await;
        refused.assert_problem(422, "PHOTO_RECEIPT_INVALID");
        assert!(
            refused.has_field_error("photo_receipt_no", code),
            "{:#}",
            refused.body
        );
    }
    // Nothing was written: the applicant's own photo goes through at once.
    let applied = client
        .post_auth(
            "/v1/me/permit-applications",
            &token,
            &with_photo(e2e_tests::permits::photo_receipt_no(&holder)),
        )
        .await;
    assert_eq!(applied.status, 201, "{:#}", applied.body);
}
