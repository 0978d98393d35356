//! Residence permits (issue 13), first part: eligibility as the records decide it
//! (`GET /v1/me/permit-eligibility`). The day arithmetic is proven in the domain's unit and
//! property tests; these check what the route reads: the verified holder's registrations (their
//! name and number only, voided ones never) and the bureau's months, imported as the operator
//! would.

use e2e_tests::fixtures;
use e2e_tests::houses::{approved_link, staff_session};
use e2e_tests::residents::{declared, resident_body_for};
use e2e_tests::{Client, stack};
use infra::social_insurance::MonthRow;
use serde_json::{Value, json};
use shared::domain::eligibility::insurance::YearMonth;

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
    let verified = client
        .post_auth(
            &format!(
                "/v1/staff/accounts/{}/identity-verification",
                holder.account_id
            ),
            &staff,
            &json!({}),
        )
        .await;
    assert_eq!(verified.status, 200);

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
    let mut body = resident_body_for(&holder.id_number);
    body["name"] = json!("张三");
    declared(&client, &landlord, link_id, &body).await;
    let today = shared::clock::today_in_china();
    let rows: Vec<MonthRow> = YearMonth::of(today)
        .months_before(12)
        .map(|month| MonthRow {
            id_type: "resident_id".into(),
            id_number: holder.id_number.clone(),
            month: month.to_string(),
            status: "paid".into(),
        })
        .collect();
    infra::social_insurance::load(&client.stack.context(), &rows, false)
        .await
        .unwrap();

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
    infra::social_insurance::load(&client.stack.context(), &corrected, false)
        .await
        .unwrap();
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
