//! Residence-permit fixtures: a holder the records make eligible, and the clock moved for a
//! permit (its stored days moved back, which is the same to the rules as the calendar moving on).

use chrono::{Days, NaiveDate};
use infra::operator::social_insurance::MonthRow;
use serde_json::{Value, json};
use shared::domain::eligibility::insurance::YearMonth;
use shared::domain::residence_permit::PermitNo;
use shared::store::item::{pk_sk, s};

use crate::Client;
use crate::fixtures::{self, User};
use crate::houses::{approved_link, verify_at_counter};
use crate::residents::{declared, holder_body};

pub fn today() -> NaiveDate {
    shared::clock::today_in_china()
}

/// Moves a registration's declaration and move-in `days` back, as if declared that long ago.
pub async fn backdate_registration(
    client: &Client,
    link_id: &str,
    registration: &Value,
    days: u64,
) {
    let ctx = client.stack.context();
    let id = registration["registration_id"].as_str().unwrap();
    let day = today() - Days::new(days);
    let at = format!("{}T02:00:00Z", day);
    ctx.db
        .client
        .update_item()
        .table_name(&ctx.config.tables.registrations)
        .set_key(Some(pk_sk(format!("LINK#{link_id}"), format!("REG#{id}"))))
        .update_expression("SET declared_at = :at, moved_in_on = :on")
        .expression_attribute_values(":at", s(at))
        .expression_attribute_values(":on", s(day.to_string()))
        .send()
        .await
        .expect("backdate the registration");
}

/// The bureau's rows for the holder's `months` before this month, each `status` (`paid`,
/// `unpaid`).
pub fn insurance_rows(holder: &User, months: usize, status: &str) -> Vec<MonthRow> {
    YearMonth::of(today())
        .months_before(months)
        .map(|month| MonthRow {
            id_type: "resident_id".into(),
            id_number: holder.id_number.clone(),
            month: month.to_string(),
            status: status.into(),
        })
        .collect()
}

/// Loads the bureau's rows as the operator would.
pub async fn load_insurance(client: &Client, rows: &[MonthRow]) {
    infra::operator::social_insurance::load(&client.stack.context(), rows, false)
        .await
        .expect("load the months");
}

/// The bureau's record of the holder's insurance paid for the `months` before this month.
pub async fn pay_insurance(client: &Client, holder: &User, months: usize) {
    load_insurance(client, &insurance_rows(holder, months, "paid")).await;
}

/// A verified residence-permit holder registered (under their name) for two years and insured
/// for the two years before this month: the records prove the standard basis. Waits until the
/// eventually consistent person index shows it.
pub async fn eligible_holder(client: &Client, staff: &str) -> (User, String) {
    let (holder, token) = fixtures::logged_in(client, "residence_permit").await;
    verify_at_counter(client, staff, &holder.account_id).await;
    let (_, landlord, link) = approved_link(client, staff).await;
    let link_id = link["link_id"].as_str().unwrap();
    let registration = declared(client, &landlord, link_id, &holder_body(&holder)).await;
    backdate_registration(client, link_id, &registration, 730).await;
    pay_insurance(client, &holder, 24).await;
    for _ in 0..40 {
        let assessed = client.get_auth("/v1/me/permit-eligibility", &token).await;
        if assessed.body["eligible"] == true {
            return (holder, token);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the holder never became eligible");
}

/// The 图像号 of the ID photo the local photo studio (the stand-in for the studios'
/// photo-receipt service) took of `user` when their residence-permit account was registered
/// ([`crate::fixtures::register`]).
pub fn photo_receipt_no(user: &User) -> String {
    infra::local::identity_registry::photo_receipt_no(
        shared::domain::id_document::IdType::ResidentId,
        &user.id_number,
    )
}

/// A standard-basis application of `holder`'s.
pub fn standard_application(holder: &User) -> Value {
    let photo = photo_receipt_no(holder);
    json!({"basis": "standard", "photo_receipt_no": photo,
           "delivery": {"mail_address": "广东省深圳市南山区科技园科苑路15号"}})
}

/// Applies on the standard basis (approved at once): the application and the permit.
pub async fn issued_permit(client: &Client, holder: &User, token: &str) -> (Value, Value) {
    let applied = client
        .post_auth(
            "/v1/me/permit-applications",
            token,
            &standard_application(holder),
        )
        .await;
    assert_eq!(applied.status, 201, "{:#}", applied.body);
    let permit = client.get_auth("/v1/me/permit", token).await;
    assert_eq!(permit.status, 200, "{:#}", permit.body);
    (applied.body, permit.body)
}

/// A verified holder with a current registration (declared today under their name).
pub async fn registered_holder(client: &Client, staff: &str) -> (User, String) {
    let (holder, token) = fixtures::logged_in(client, "residence_permit").await;
    verify_at_counter(client, staff, &holder.account_id).await;
    let (_, landlord, link) = approved_link(client, staff).await;
    let body = holder_body(&holder);
    declared(client, &landlord, link["link_id"].as_str().unwrap(), &body).await;
    // The person index is eventually consistent.
    for _ in 0..20 {
        let assessed = client
            .get_auth("/v1/me/permit-eligibility", &token)
            .await
            .body;
        let registered = assessed["conditions"].as_array().is_some_and(|all| {
            all.iter()
                .any(|c| c["condition"] == "current_registration" && c["met"] == true)
        });
        if registered {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    (holder, token)
}

/// The permit as stored.
pub async fn stored(client: &Client, permit_no: &str) -> shared::store::permits::PermitRecord {
    let no = PermitNo::parse(permit_no).unwrap();
    shared::store::permits::get_permit(&client.stack.context().db, &no)
        .await
        .expect("read the permit")
        .expect("the permit exists")
}

/// Sets a permit's anniversaries to count from `anchor` (`years` reached), as if issued then,
/// and schedules its next milestone from `from` (as an issue or endorsement on that day would).
pub async fn reschedule(
    client: &Client,
    permit_no: &str,
    anchor: NaiveDate,
    years: u32,
    from: NaiveDate,
) {
    let ctx = client.stack.context();
    let mut permit = stored(client, permit_no).await;
    permit.validity = shared::domain::residence_permit::Validity { anchor, years };
    permit.issued_on = anchor;
    permit.schedule_from(from);
    ctx.db
        .client
        .put_item()
        .table_name(&ctx.config.tables.permits)
        .set_item(Some(shared::store::item::to_item(&permit).unwrap()))
        .send()
        .await
        .expect("write the permit");
}
