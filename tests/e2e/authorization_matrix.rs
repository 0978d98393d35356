//! The authorization matrix: every route of the route table, called by every kind of caller (and
//! by a session that must still replace its initial password), on objects that belong to a unit
//! (its house links, assigned to its sub-account or not, registrations under them, its
//! sub-account) and to a citizen, answers the status in the table. A route without a row fails
//! the test.
//!
//! Changing routes are called with an empty body: a caller allowed to reach the object gets 400
//! (the body is read only after the caller and the object are checked), one that is not gets
//! 401/403/404, and nothing changes. The two rows that must change something (a deactivation
//! and the logout) succeed for exactly the callers the table says.

use std::collections::{BTreeMap, BTreeSet};

use e2e_tests::fixtures;
use e2e_tests::houses::{approved_link, staff_session, verify_at_counter};
use e2e_tests::residents::{declared, resident_body};
use e2e_tests::units::{add_sub_account, open_permit_unit, open_unit, sub_account_session};
use e2e_tests::{Client, declared_routes, stack};
use functions::routes::Caller;
use reqwest::Method;
use serde_json::{Value, json};

/// The kinds of caller, in the order of each row's expected statuses.
const CALLERS: [&str; 11] = [
    "anonymous",
    "individual (residence registration)",
    "individual (residence permit)",
    "another residence-permit holder",
    "unit A administrator",
    "unit A sub-account",
    "unit B administrator",
    "unit B sub-account",
    "staff",
    "unit A sub-account still on its initial password",
    "permit unit administrator",
];

/// Each kind of caller as the route table (`functions::routes::Caller`) names it; `None` for a
/// caller whose answers are the table's of its kind plus a state (a password to replace).
const KINDS: [Option<Caller>; 11] = [
    Some(Caller::Anonymous),
    Some(Caller::Individual),
    Some(Caller::PermitApplicant),
    Some(Caller::PermitApplicant),
    Some(Caller::UnitAdmin),
    Some(Caller::SubAccount),
    Some(Caller::UnitAdmin),
    Some(Caller::SubAccount),
    Some(Caller::Staff),
    None,
    Some(Caller::PermitUnitAdmin),
];

struct Row {
    method: Method,
    /// The route as `template.yaml` names it.
    route: &'static str,
    path: String,
    body: Option<Value>,
    expect: [u16; 11],
}

/// `route` with each `{name}` replaced by its value, and `query` appended.
fn fill(route: &str, values: &[(&str, &str)], query: &str) -> String {
    let mut path = route.to_owned();
    for (name, value) in values {
        path = path.replace(&format!("{{{name}}}"), value);
    }
    assert!(
        !path.contains('{'),
        "{route}: a path parameter was not given"
    );
    format!("{path}{query}")
}

fn row(
    method: Method,
    route: &'static str,
    values: &[(&str, &str)],
    body: Option<Value>,
    expect: [u16; 11],
) -> Row {
    Row {
        method,
        route,
        path: fill(route, values, ""),
        body,
        expect,
    }
}

#[tokio::test]
async fn every_route_answers_every_kind_of_caller_as_the_table_says() {
    let client = Client::new(stack());
    let (_, staff) = staff_session(&client).await;

    // A citizen with an approved house and a resident; a residence-permit holder.
    let (citizen, citizen_token, citizen_link) = approved_link(&client, &staff).await;
    let citizen_link = citizen_link["link_id"].as_str().unwrap().to_owned();
    let citizen_registration =
        declared(&client, &citizen_token, &citizen_link, &resident_body()).await;
    let (permit, permit_token) = fixtures::logged_in(&client, "residence_permit").await;
    // Its identity verified at the counter, so that its records show.
    verify_at_counter(&client, &staff, &permit.account_id).await;
    // Registered (in the citizen's house) and applying on a direct basis: an application that
    // waits for staff, the object of the application rows.
    let permit_resident = e2e_tests::residents::holder_body(&permit);
    declared(&client, &citizen_token, &citizen_link, &permit_resident).await;
    let photo = e2e_tests::permits::photo_receipt_no(&permit);
    let applied = client
        .post_auth(
            "/v1/me/permit-applications",
            &permit_token,
            &json!({"basis": "talent", "certificate_no": "RC-2026-0001",
                    "photo_receipt_no": photo, "delivery": {"pickup_point": "440303001"}}),
        )
        .await;
    assert_eq!(applied.status, 201, "{:#}", applied.body);
    let application = applied.body["application_id"].as_str().unwrap().to_owned();
    // Approved by staff: the holder's permit, the object of the permit rows.
    let approved = client
        .post_auth(
            &format!("/v1/staff/permit-applications/{application}/decision"),
            &staff,
            &json!({"approve": true}),
        )
        .await;
    assert_eq!(approved.status, 200, "{:#}", approved.body);
    let issued = client.get_auth("/v1/me/permit", &permit_token).await;
    assert_eq!(issued.status, 200, "{:#}", issued.body);
    let permit_no = issued.body["permit_no"].as_str().unwrap().to_owned();
    let permit_check = issued.body["check_code"].as_str().unwrap().to_owned();
    let permit_page = e2e_tests::documents::page_path(&issued.body["verification_url"]);
    // Another verified residence-permit holder, who holds no permit and applied for nothing.
    let (other_permit, other_permit_token) = fixtures::logged_in(&client, "residence_permit").await;
    verify_at_counter(&client, &staff, &other_permit.account_id).await;
    // A permit unit's filing for the holder, awaiting their consent: the object of the consent
    // rows.
    let (_, _, permit_unit_token) = open_permit_unit(&client, &staff).await;
    let filed = client
        .post_auth(
            "/v1/unit/permit-applications",
            &permit_unit_token,
            &json!({
                "employee": {"real_name": fixtures::REAL_NAME, "id_type": "resident_id",
                             "id_number": permit.id_number, "phone": permit.phone},
                "authorization_no": "WT-2026-0002", "basis": "standard",
                "photo_receipt_no": photo, "delivery": {"pickup_point": "440305001"}}),
        )
        .await;
    assert_eq!(filed.status, 201, "{:#}", filed.body);
    let filing = filed.body["application_id"].as_str().unwrap().to_owned();

    // Unit A: its first house assigned to its sub-account, a resident declared there, and a
    // second sub-account that is only ever an object of the rows. Unit B, the same shape.
    let unit_a = open_unit(&client, &staff, &["101", "102"]).await;
    let link_a = unit_a.link_ids[0].clone();
    let (_, sub_a_token) =
        sub_account_session(&client, &unit_a.admin_token, std::slice::from_ref(&link_a)).await;
    let (member_a, _) =
        add_sub_account(&client, &unit_a.admin_token, std::slice::from_ref(&link_a)).await;
    let registration_a = declared(&client, &unit_a.admin_token, &link_a, &resident_body()).await;
    // A second house of unit A's that its sub-account is not given, with a resident.
    let link_a2 = unit_a.link_ids[1].clone();
    let registration_a2 = declared(&client, &unit_a.admin_token, &link_a2, &resident_body()).await;
    // A sub-account of unit A that has logged in but not yet replaced its initial password.
    let (initial, _) =
        add_sub_account(&client, &unit_a.admin_token, std::slice::from_ref(&link_a)).await;
    let initial_token = fixtures::login(&client, &initial, &fixtures::device_id()).await;
    let unit_b = open_unit(&client, &staff, &["101"]).await;
    let (sub_b, sub_b_token) =
        sub_account_session(&client, &unit_b.admin_token, &unit_b.link_ids).await;

    let tokens: [Option<&str>; 11] = [
        None,
        Some(&citizen_token),
        Some(&permit_token),
        Some(&other_permit_token),
        Some(&unit_a.admin_token),
        Some(&sub_a_token),
        Some(&unit_b.admin_token),
        Some(&sub_b_token),
        Some(&staff),
        Some(&initial_token),
        Some(&permit_unit_token),
    ];

    let id = |v: &Value, name: &str| v[name].as_str().unwrap().to_owned();
    let registration = id(&registration_a, "registration_id");
    let citizen_reg = id(&citizen_registration, "registration_id");
    let registration2 = id(&registration_a2, "registration_id");
    let receipt = id(&registration_a, "receipt_no");
    let check_code = id(&registration_a, "check_code");
    let receipt_page = e2e_tests::documents::page_path(&registration_a["verification_url"]);
    let building = unit_a.building.building.building_id.clone();
    let member = member_a.account_id.clone();
    // A number no account has: the phone a unit administrator would give a new sub-account.
    let sub_phone = fixtures::phone();
    let empty = || Some(json!({}));
    // For routes whose body may be `{}`: a field they do not take.
    let unknown = || Some(json!({"unknown": true}));
    use Method as M;

    #[rustfmt::skip]
    let rows = vec![
        // Public                                                                                   anon rr   rp   rp2  admA subA admB subB staff init pua
        row(M::POST, "/v1/sms-codes", &[], Some(json!({"phone": citizen.phone, "purpose": "change_password"})), [401, 202, 400, 400, 400, 400, 400, 400, 400, 400, 400]),
        row(M::POST, "/v1/sms-codes", &[], Some(json!({"phone": sub_phone, "purpose": "sub_account_phone"})), [401, 403, 403, 403, 202, 403, 202, 403, 403, 403, 403]),
        // Without a purpose (anyone may ask for a registration or login code).
        row(M::POST, "/v1/sms-codes", &[], empty(),                                                      [400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400]),
        row(M::POST, "/v1/accounts", &[], empty(),                                                       [400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400]),
        row(M::POST, "/v1/sessions", &[], empty(),                                                       [400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400]),
        row(M::POST, "/v1/sessions/refresh", &[], empty(),                                               [400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400]),
        row(M::POST, "/v1/password-resets", &[], empty(),                                                [400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400]),
        row(M::GET, "/v1/districts", &[], None,                                                          [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
        Row {
            method: M::GET,
            route: "/v1/buildings",
            path: format!("/v1/buildings?street=440305001&q={}", unit_a.building.building.name),
            body: None,
            expect:                                                                                      [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
        },
        row(M::GET, "/v1/buildings/{building_id}/houses", &[("building_id", &building)], None,          [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
        Row {
            method: M::GET,
            route: "/v1/receipts/{receipt_no}",
            path: fill("/v1/receipts/{receipt_no}", &[("receipt_no", &receipt)], &format!("?check_code={check_code}")),
            body: None,
            expect:                                                                                      [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
        },
        // The pages QR codes open, and the keys that verify them: anyone.
        Row {
            method: M::GET,
            route: "/v1/verify/{token}",
            path: receipt_page.clone(),
            body: None,
            expect:                                                                                      [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
        },
        Row {
            method: M::GET,
            route: "/v1/verify/{token}",
            path: permit_page.clone(),
            body: None,
            expect:                                                                                      [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
        },
        row(M::GET, "/v1/document-keys", &[], None,                                                      [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
        // The account itself
        row(M::GET, "/v1/me", &[], None,                                                                 [401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
        row(M::PUT, "/v1/me/password", &[], empty(),                                                     [401, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400]),
        row(M::PUT, "/v1/me/phone", &[], empty(),                                                        [401, 400, 400, 400, 400, 400, 400, 400, 400, 403, 400]),
        row(M::POST, "/v1/me/identity-verification", &[], unknown(),                                     [401, 400, 400, 400, 403, 403, 403, 403, 403, 403, 403]),
        // Houses: unit A's link, and the citizen's
        row(M::GET, "/v1/me/houses", &[], None,                                                          [401, 200, 403, 403, 200, 200, 200, 200, 403, 403, 403]),
        row(M::POST, "/v1/me/houses", &[], empty(),                                                      [401, 400, 403, 403, 400, 403, 400, 403, 403, 403, 403]),
        row(M::POST, "/v1/me/houses/{link_id}/deregistration", &[("link_id", &link_a)], empty(),          [401, 404, 403, 403, 400, 403, 404, 403, 403, 403, 403]),
        row(M::POST, "/v1/me/houses/{link_id}/deregistration", &[("link_id", &citizen_link)], empty(),    [401, 400, 403, 403, 404, 403, 404, 403, 403, 403, 403]),
        Row {
            method: M::GET,
            route: "/v1/staff/house-links",
            path: "/v1/staff/house-links?status=pending".into(),
            body: None,
            expect:                                                                                      [401, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403],
        },
        row(M::POST, "/v1/staff/house-links/{link_id}/decision", &[("link_id", &link_a)], empty(),        [401, 403, 403, 403, 403, 403, 403, 403, 400, 403, 403]),
        // Residents
        row(M::GET, "/v1/me/houses/{link_id}/residents", &[("link_id", &link_a)], None,                  [401, 404, 403, 403, 200, 200, 404, 404, 403, 403, 403]),
        row(M::GET, "/v1/me/houses/{link_id}/residents", &[("link_id", &citizen_link)], None,            [401, 200, 403, 403, 404, 404, 404, 404, 403, 403, 403]),
        row(M::POST, "/v1/me/houses/{link_id}/residents", &[("link_id", &link_a)], empty(),              [401, 404, 403, 403, 400, 400, 404, 404, 403, 403, 403]),
        row(M::POST, "/v1/me/houses/{link_id}/residents", &[("link_id", &citizen_link)], empty(),        [401, 400, 403, 403, 404, 404, 404, 404, 403, 403, 403]),
        row(M::GET, "/v1/staff/house-links/{link_id}/residents", &[("link_id", &link_a)], None,          [401, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403]),
        row(M::POST, "/v1/staff/house-links/{link_id}/residents", &[("link_id", &link_a)], empty(),      [401, 403, 403, 403, 403, 403, 403, 403, 400, 403, 403]),
        row(M::GET, "/v1/registrations/{registration_id}", &[("registration_id", &registration)], None, [401, 404, 403, 403, 200, 200, 404, 404, 200, 403, 403]),
        row(M::GET, "/v1/registrations/{registration_id}", &[("registration_id", &citizen_reg)], None,  [401, 200, 403, 403, 404, 404, 404, 404, 200, 403, 403]),
        row(M::PATCH, "/v1/registrations/{registration_id}", &[("registration_id", &registration)], empty(), [401, 404, 403, 403, 400, 400, 404, 404, 400, 403, 403]),
        row(M::PATCH, "/v1/registrations/{registration_id}", &[("registration_id", &citizen_reg)], empty(),  [401, 400, 403, 403, 404, 404, 404, 404, 400, 403, 403]),
        row(M::POST, "/v1/registrations/{registration_id}/deregistration", &[("registration_id", &registration)], empty(), [401, 404, 403, 403, 400, 400, 404, 404, 400, 403, 403]),
        row(M::POST, "/v1/registrations/{registration_id}/deregistration", &[("registration_id", &citizen_reg)], empty(),  [401, 400, 403, 403, 404, 404, 404, 404, 400, 403, 403]),
        row(M::GET, "/v1/registrations/{registration_id}/receipt", &[("registration_id", &registration)], None, [401, 404, 403, 403, 200, 200, 404, 404, 200, 403, 403]),
        row(M::GET, "/v1/registrations/{registration_id}/receipt", &[("registration_id", &citizen_reg)], None,  [401, 200, 403, 403, 404, 404, 404, 404, 200, 403, 403]),
        // Unit A's house that its sub-account is not given
        row(M::GET, "/v1/me/houses/{link_id}/residents", &[("link_id", &link_a2)], None,                 [401, 404, 403, 403, 200, 404, 404, 404, 403, 403, 403]),
        row(M::POST, "/v1/me/houses/{link_id}/residents", &[("link_id", &link_a2)], empty(),             [401, 404, 403, 403, 400, 404, 404, 404, 403, 403, 403]),
        row(M::GET, "/v1/registrations/{registration_id}", &[("registration_id", &registration2)], None, [401, 404, 403, 403, 200, 404, 404, 404, 200, 403, 403]),
        row(M::PATCH, "/v1/registrations/{registration_id}", &[("registration_id", &registration2)], empty(), [401, 404, 403, 403, 400, 404, 404, 404, 400, 403, 403]),
        row(M::POST, "/v1/registrations/{registration_id}/deregistration", &[("registration_id", &registration2)], empty(), [401, 404, 403, 403, 400, 404, 404, 404, 400, 403, 403]),
        row(M::GET, "/v1/registrations/{registration_id}/receipt", &[("registration_id", &registration2)], None, [401, 404, 403, 403, 200, 404, 404, 404, 200, 403, 403]),
        row(M::GET, "/v1/me/residence-records", &[], None,                                               [401, 403, 200, 200, 403, 403, 403, 403, 403, 403, 403]),
        row(M::GET, "/v1/me/data-access", &[], None,                                                     [401, 403, 200, 200, 403, 403, 403, 403, 403, 403, 403]),
        row(M::GET, "/v1/me/permit-eligibility", &[], None,                                              [401, 403, 200, 200, 403, 403, 403, 403, 403, 403, 403]),
        row(M::POST, "/v1/me/permit-applications", &[], empty(),                                         [401, 403, 400, 400, 403, 403, 403, 403, 403, 403, 403]),
        row(M::GET, "/v1/me/permit-applications", &[], None,                                             [401, 403, 200, 200, 403, 403, 403, 403, 403, 403, 403]),
        row(M::GET, "/v1/permit-applications/{application_id}", &[("application_id", &application)], None, [401, 404, 200, 404, 404, 404, 404, 404, 200, 403, 404]),
        row(M::POST, "/v1/permit-applications/{application_id}/withdrawal", &[("application_id", &application)], unknown(), [401, 404, 400, 404, 404, 404, 404, 404, 403, 403, 404]),
        row(M::GET, "/v1/permit-applications/{application_id}", &[("application_id", &filing)], None,     [401, 404, 200, 404, 404, 404, 404, 404, 200, 403, 404]),
        row(M::POST, "/v1/permit-applications/{application_id}/consent", &[("application_id", &filing)], unknown(), [401, 403, 400, 404, 403, 403, 403, 403, 403, 403, 403]),
        row(M::POST, "/v1/permit-applications/{application_id}/consent", &[("application_id", &application)], unknown(), [401, 403, 404, 404, 403, 403, 403, 403, 403, 403, 403]),
        row(M::GET, "/v1/me/permit", &[], None,                                                          [401, 403, 200, 404, 403, 403, 403, 403, 403, 403, 403]),
        row(M::GET, "/v1/me/permit/card", &[], None,                                                     [401, 403, 200, 404, 403, 403, 403, 403, 403, 403, 403]),
        row(M::POST, "/v1/me/permit/endorsements", &[], unknown(),                                       [401, 403, 400, 404, 403, 403, 403, 403, 403, 403, 403]),
        Row {
            method: M::GET,
            route: "/v1/permits/{permit_no}",
            path: fill("/v1/permits/{permit_no}", &[("permit_no", &permit_no)], &format!("?check_code={permit_check}")),
            body: None,
            expect:                                                                                      [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
        },
        // Staff
        Row {
            method: M::GET,
            route: "/v1/staff/permit-applications",
            path: "/v1/staff/permit-applications?status=submitted".into(),
            body: None,
            expect:                                                                                      [401, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403],
        },
        row(M::POST, "/v1/staff/permit-applications/{application_id}/decision", &[("application_id", &application)], empty(), [401, 403, 403, 403, 403, 403, 403, 403, 400, 403, 403]),
        row(M::POST, "/v1/staff/permit-applications/{application_id}/progress", &[("application_id", &application)], empty(), [401, 403, 403, 403, 403, 403, 403, 403, 400, 403, 403]),
        row(M::POST, "/v1/staff/permits/{permit_no}/cancellation", &[("permit_no", &permit_no)], empty(), [401, 403, 403, 403, 403, 403, 403, 403, 400, 403, 403]),
        row(M::POST, "/v1/staff/accounts", &[], empty(),                                                 [401, 403, 403, 403, 403, 403, 403, 403, 400, 403, 403]),
        row(M::POST, "/v1/staff/units", &[], empty(),                                                    [401, 403, 403, 403, 403, 403, 403, 403, 400, 403, 403]),
        row(M::POST, "/v1/staff/accounts/{account_id}/identity-verification", &[("account_id", &citizen.account_id)], unknown(), [401, 403, 403, 403, 403, 403, 403, 403, 400, 403, 403]),
        row(M::POST, "/v1/staff/accounts/{account_id}/suspension", &[("account_id", &citizen.account_id)], empty(), [401, 403, 403, 403, 403, 403, 403, 403, 400, 403, 403]),
        // Unit agents (F25): none of these callers is a permit-platform unit's administrator
        // (tests/e2e/unit_permits.rs has one).
        row(M::POST, "/v1/unit/permit-applications", &[], empty(),                                       [401, 403, 403, 403, 403, 403, 403, 403, 403, 403, 400]),
        row(M::GET, "/v1/unit/permit-applications", &[], None,                                           [401, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200]),
        row(M::POST, "/v1/unit/permits/{permit_no}/endorsements", &[("permit_no", &permit_no)], unknown(), [401, 403, 403, 403, 403, 403, 403, 403, 403, 403, 404]),
        // Units: unit A's second sub-account, and unit B's sub-account
        row(M::GET, "/v1/unit/sub-accounts", &[], None,                                                  [401, 403, 403, 403, 200, 403, 200, 403, 403, 403, 403]),
        row(M::POST, "/v1/unit/sub-accounts", &[], empty(),                                              [401, 403, 403, 403, 400, 403, 400, 403, 403, 403, 403]),
        row(M::PATCH, "/v1/unit/sub-accounts/{account_id}", &[("account_id", &member)], empty(),          [401, 403, 403, 403, 400, 403, 404, 403, 403, 403, 403]),
        row(M::PATCH, "/v1/unit/sub-accounts/{account_id}", &[("account_id", &sub_b.account_id)], empty(), [401, 403, 403, 403, 404, 403, 400, 403, 403, 403, 403]),
        row(M::POST, "/v1/unit/sub-accounts/{account_id}/deactivation", &[("account_id", &member)], None, [401, 403, 403, 403, 200, 403, 404, 403, 403, 403, 403]),
        // Last: the logout ends every caller's session.
        row(M::DELETE, "/v1/sessions/current", &[], None,                                                [401, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204]),
    ];

    // Every route has a row, and every row is a route.
    let covered: BTreeSet<(String, String)> = rows
        .iter()
        .map(|r| (r.method.to_string(), r.route.to_owned()))
        .collect();
    let routes = declared_routes();
    let missing: Vec<_> = routes.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "routes without a row in the matrix: {missing:?}"
    );
    let unknown: Vec<_> = covered.difference(&routes).collect();
    assert!(
        unknown.is_empty(),
        "rows for routes the template lacks: {unknown:?}"
    );

    let mut wrong = Vec::new();
    for row in &rows {
        for (i, token) in tokens.iter().enumerate() {
            let answer = client
                .send(row.method.clone(), &row.path, *token, row.body.as_ref())
                .await;
            if answer.status.as_u16() != row.expect[i] {
                wrong.push(format!(
                    "{} {} as {}: expected {}, got {} {}",
                    row.method,
                    row.path,
                    CALLERS[i],
                    row.expect[i],
                    answer.status.as_u16(),
                    answer.body.get("code").unwrap_or(&Value::Null),
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} answers differ from the matrix:\n{}",
        wrong.len(),
        wrong.join("\n")
    );

    // Who may call each route, as its answers show (any answer but 401 and 403 to some caller
    // of a kind), is exactly who the route table says may.
    let mut shown: BTreeMap<(String, String), BTreeSet<Caller>> = BTreeMap::new();
    for row in &rows {
        let allowed = shown
            .entry((row.method.to_string(), row.route.to_owned()))
            .or_default();
        for (kind, status) in KINDS.iter().zip(row.expect) {
            if let Some(kind) = kind
                && !matches!(status, 401 | 403)
            {
                allowed.insert(*kind);
            }
        }
    }
    let disagree: Vec<String> = functions::ROUTES
        .iter()
        .filter_map(|route| {
            let declared: BTreeSet<Caller> = route.callers.iter().copied().collect();
            let seen = &shown[&(route.method.to_owned(), route.path.to_owned())];
            (seen != &declared).then(|| {
                format!(
                    "{} {}: the table says {declared:?}, the answers show {seen:?}",
                    route.method, route.path
                )
            })
        })
        .collect();
    assert!(
        disagree.is_empty(),
        "callers in functions/src/routes.rs differ from the matrix:\n{}",
        disagree.join("\n")
    );

    // The one change a row made: unit A's second sub-account is deactivated.
    let listed = client
        .get_auth(
            "/v1/unit/sub-accounts",
            &fixtures::login(&client, &unit_a.admin, &fixtures::device_id()).await,
        )
        .await;
    let statuses: Vec<(&str, &str)> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["account_id"].as_str().unwrap(),
                m["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        statuses.contains(&(member.as_str(), "deactivated")),
        "{statuses:?}"
    );
}
