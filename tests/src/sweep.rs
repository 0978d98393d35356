//! A sweep of every route of `template.yaml`, each driven through a real flow (an account with a
//! house, residents, receipts, a unit and its sub-accounts, a residence permit and its unit
//! agent, staff decisions): what the no-Scan proof (`tests/e2e/no_scan.rs`) and the least-privilege
//! proof (`tests/e2e/least_privilege.rs`) observe.

use std::collections::BTreeSet;

use crate::fixtures;
use crate::houses::{decide, link, link_body, seed_building, staff_session, unique_name_part};
use crate::residents::{registration_path, resident_body};
use crate::{Answer, Client, Stack, units};
use reqwest::Method;
use serde_json::json;

struct Sweep {
    client: Client,
    called: BTreeSet<(String, String)>,
}

impl Sweep {
    /// Calls `path` as route `route` (the template's path); any answer but a 5xx will do. Every
    /// change is sent with an `Idempotency-Key` of its own, as a careful app sends them.
    async fn call(
        &mut self,
        method: Method,
        route: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&serde_json::Value>,
    ) -> Answer {
        let key = uuid::Uuid::new_v4().to_string();
        let headers: &[(&str, &str)] = match method {
            Method::POST | Method::PUT | Method::PATCH => &[("Idempotency-Key", &key)],
            _ => &[],
        };
        let answer = self
            .client
            .send_with_headers(method.clone(), path, token, body, headers)
            .await;
        assert!(
            answer.status.as_u16() < 500,
            "{method} {path}: {:#}",
            answer.body
        );
        self.called.insert((method.to_string(), route.to_owned()));
        answer
    }
}

/// Calls every route of the template at least once, through flows that reach its stores; any
/// answer but a 5xx will do. Returns the routes called, as (method, template path).
pub async fn every_route(stack: &Stack) -> BTreeSet<(String, String)> {
    let client = Client::new(stack);
    let mut sweep = Sweep {
        client: client.clone(),
        called: BTreeSet::new(),
    };
    let part = unique_name_part();
    let seeded = seed_building(
        stack,
        "440309001",
        &format!("{part}花园 1栋"),
        &["101", "102"],
    )
    .await;
    let (_, staff) = staff_session(&client).await;

    // Registration with a house, its SMS code, login.
    let phone = fixtures::phone();
    let body = json!({"phone": phone, "purpose": "register"});
    sweep
        .call(
            Method::POST,
            "/v1/sms-codes",
            "/v1/sms-codes",
            None,
            Some(&body),
        )
        .await;
    let code = client.nth_code(&phone, 1).await;
    let mut registration = fixtures::registration_body("residence_registration", &code, &phone);
    registration["houses"] = json!([link_body(&seeded.house_id("101"), "lessor")]);
    let created = sweep
        .call(
            Method::POST,
            "/v1/accounts",
            "/v1/accounts",
            None,
            Some(&registration),
        )
        .await;
    assert_eq!(created.status, 201, "{:#}", created.body);
    let user = fixtures::registered_user(&registration, &created.body);
    let device = fixtures::device_id();
    let token = fixtures::login(&client, &user, &device).await;
    let login = fixtures::login_body(&user, &device);
    let session = sweep
        .call(
            Method::POST,
            "/v1/sessions",
            "/v1/sessions",
            None,
            Some(&login),
        )
        .await;
    let refresh = json!({"refresh_token": session.body["refresh_token"]});
    let refreshed = sweep
        .call(
            Method::POST,
            "/v1/sessions/refresh",
            "/v1/sessions/refresh",
            None,
            Some(&refresh),
        )
        .await;
    assert_eq!(refreshed.status, 201, "{:#}", refreshed.body);
    let token = refreshed.body["access_token"]
        .as_str()
        .unwrap_or(&token)
        .to_owned();
    sweep
        .call(Method::GET, "/v1/me", "/v1/me", Some(&token), None)
        .await;

    // Search.
    sweep
        .call(Method::GET, "/v1/districts", "/v1/districts", None, None)
        .await;
    for q in [
        part.clone(),
        part.chars().take(1).collect(),
        seeded.building.building_code.clone(),
        String::new(),
    ] {
        let found = sweep
            .call(
                Method::GET,
                "/v1/buildings",
                &format!("/v1/buildings?street=440309001&q={q}"),
                None,
                None,
            )
            .await;
        assert_eq!(found.status, 200);
    }
    let building = &seeded.building.building_id;
    for room in ["", "10"] {
        sweep
            .call(
                Method::GET,
                "/v1/buildings/{building_id}/houses",
                &format!("/v1/buildings/{building}/houses?room={room}"),
                None,
                None,
            )
            .await;
    }

    // Links, review, deregistration.
    let second = link(&client, &token, &link_body(&seeded.house_id("102"), "self")).await;
    sweep
        .call(
            Method::POST,
            "/v1/me/houses",
            "/v1/me/houses",
            Some(&token),
            Some(&link_body(&seeded.house_id("102"), "self")),
        )
        .await
        .assert_problem(409, "CONFLICT");
    sweep
        .call(
            Method::GET,
            "/v1/me/houses",
            "/v1/me/houses",
            Some(&token),
            None,
        )
        .await;
    sweep
        .call(
            Method::GET,
            "/v1/staff/house-links",
            "/v1/staff/house-links?status=pending",
            Some(&staff),
            None,
        )
        .await;
    let link_id = second["link_id"].as_str().unwrap();
    let decided = decide(&client, &staff, link_id, &json!({"approve": true})).await;
    assert_eq!(decided.status, 200);
    sweep
        .call(
            Method::POST,
            "/v1/staff/house-links/{link_id}/decision",
            &format!("/v1/staff/house-links/{link_id}/decision"),
            Some(&staff),
            Some(&json!({"approve": true})),
        )
        .await
        .assert_problem(409, "CONFLICT");
    // Residents under the approved link: declare, list, read, change, receipt, check, end.
    let residents = format!("/v1/me/houses/{link_id}/residents");
    let registration = sweep
        .call(
            Method::POST,
            "/v1/me/houses/{link_id}/residents",
            &residents,
            Some(&token),
            Some(&resident_body()),
        )
        .await
        .body
        .clone();
    let counter = format!("/v1/staff/house-links/{link_id}/residents");
    sweep
        .call(
            Method::POST,
            "/v1/staff/house-links/{link_id}/residents",
            &counter,
            Some(&staff),
            Some(&resident_body()),
        )
        .await;
    sweep
        .call(
            Method::GET,
            "/v1/me/houses/{link_id}/residents",
            &residents,
            Some(&token),
            None,
        )
        .await;
    sweep
        .call(
            Method::GET,
            "/v1/staff/house-links/{link_id}/residents",
            &counter,
            Some(&staff),
            None,
        )
        .await;
    let path = registration_path(&registration);
    sweep
        .call(
            Method::GET,
            "/v1/registrations/{registration_id}",
            &path,
            Some(&token),
            None,
        )
        .await;
    sweep
        .call(
            Method::PATCH,
            "/v1/registrations/{registration_id}",
            &path,
            Some(&token),
            // A corrected family name: the receipt is issued (signed) again.
            Some(&json!({"version": 1, "occupation": "教师", "name": "汪小明"})),
        )
        .await;
    sweep
        .call(
            Method::GET,
            "/v1/registrations/{registration_id}/receipt",
            &format!("{path}/receipt"),
            Some(&token),
            None,
        )
        .await;
    // The page the receipt's QR code opens, and the keys that verify it offline.
    sweep
        .call(
            Method::GET,
            "/v1/verify/{token}",
            &crate::documents::page_path(&registration["verification_url"]),
            None,
            None,
        )
        .await;
    sweep
        .call(
            Method::GET,
            "/v1/document-keys",
            "/v1/document-keys",
            None,
            None,
        )
        .await;
    let receipt_no = registration["receipt_no"].as_str().unwrap();
    let check_code = registration["check_code"].as_str().unwrap();
    sweep
        .call(
            Method::GET,
            "/v1/receipts/{receipt_no}",
            &format!("/v1/receipts/{receipt_no}?check_code={check_code}"),
            None,
            None,
        )
        .await;
    sweep
        .call(
            Method::POST,
            "/v1/registrations/{registration_id}/deregistration",
            &format!("{path}/deregistration"),
            Some(&token),
            Some(&json!({"reason": "info_error"})),
        )
        .await;
    let (permit_user, permit) = fixtures::logged_in(&client, "residence_permit").await;
    sweep
        .call(
            Method::POST,
            "/v1/me/identity-verification",
            "/v1/me/identity-verification",
            Some(&permit),
            Some(&json!({})),
        )
        .await;
    sweep
        .call(
            Method::POST,
            "/v1/staff/accounts/{account_id}/identity-verification",
            &format!(
                "/v1/staff/accounts/{}/identity-verification",
                permit_user.account_id
            ),
            Some(&staff),
            Some(&json!({})),
        )
        .await;
    sweep
        .call(
            Method::GET,
            "/v1/me/residence-records",
            "/v1/me/residence-records",
            Some(&permit),
            None,
        )
        .await;
    sweep
        .call(
            Method::GET,
            "/v1/me/data-access",
            "/v1/me/data-access",
            Some(&permit),
            None,
        )
        .await;
    sweep
        .call(
            Method::GET,
            "/v1/me/permit-eligibility",
            "/v1/me/permit-eligibility",
            Some(&permit),
            None,
        )
        .await;
    let permit_resident = crate::residents::holder_body(&permit_user);
    let declared = client
        .post_auth(
            &format!("/v1/me/houses/{link_id}/residents"),
            &token,
            &permit_resident,
        )
        .await;
    assert_eq!(declared.status, 201, "{:#}", declared.body);
    let photo = crate::permits::photo_receipt_no(&permit_user);
    let applied = sweep
        .call(
            Method::POST,
            "/v1/me/permit-applications",
            "/v1/me/permit-applications",
            Some(&permit),
            Some(&json!({"basis": "student", "school": "深圳大学",
                         "photo_receipt_no": photo, "delivery": {"mail_address": "深圳市南山区南海大道3688号"}})),
        )
        .await;
    assert_eq!(applied.status, 201, "{:#}", applied.body);
    let application = format!(
        "/v1/permit-applications/{}",
        applied.body["application_id"].as_str().unwrap()
    );
    sweep
        .call(
            Method::GET,
            "/v1/me/permit-applications",
            "/v1/me/permit-applications",
            Some(&permit),
            None,
        )
        .await;
    sweep
        .call(
            Method::GET,
            "/v1/permit-applications/{application_id}",
            &application,
            Some(&permit),
            None,
        )
        .await;
    sweep
        .call(
            Method::POST,
            "/v1/permit-applications/{application_id}/withdrawal",
            &format!("{application}/withdrawal"),
            Some(&permit),
            None,
        )
        .await;
    // Again, decided by staff: the queue, the decision, a step; the permit, an endorsement
    // (not due yet), the public check, the cancellation.
    let reapplied = client
        .post_auth(
            "/v1/me/permit-applications",
            &permit,
            &json!({"basis": "student", "school": "深圳大学",
                    "photo_receipt_no": photo, "delivery": {"pickup_point": "440309001"}}),
        )
        .await;
    assert_eq!(reapplied.status, 201, "{:#}", reapplied.body);
    let reapplied = reapplied.body["application_id"]
        .as_str()
        .unwrap()
        .to_owned();
    sweep
        .call(
            Method::GET,
            "/v1/staff/permit-applications",
            "/v1/staff/permit-applications?status=submitted",
            Some(&staff),
            None,
        )
        .await;
    let decided = sweep
        .call(
            Method::POST,
            "/v1/staff/permit-applications/{application_id}/decision",
            &format!("/v1/staff/permit-applications/{reapplied}/decision"),
            Some(&staff),
            Some(&json!({"approve": true})),
        )
        .await;
    assert_eq!(decided.status, 200, "{:#}", decided.body);
    sweep
        .call(
            Method::POST,
            "/v1/staff/permit-applications/{application_id}/progress",
            &format!("/v1/staff/permit-applications/{reapplied}/progress"),
            Some(&staff),
            Some(&json!({"step": "card_produced"})),
        )
        .await;
    let held = sweep
        .call(
            Method::GET,
            "/v1/me/permit",
            "/v1/me/permit",
            Some(&permit),
            None,
        )
        .await;
    assert_eq!(held.status, 200, "{:#}", held.body);
    let permit_no = held.body["permit_no"].as_str().unwrap().to_owned();
    sweep
        .call(
            Method::GET,
            "/v1/verify/{token}",
            &crate::documents::page_path(&held.body["verification_url"]),
            None,
            None,
        )
        .await;
    sweep
        .call(
            Method::GET,
            "/v1/me/permit/card",
            "/v1/me/permit/card",
            Some(&permit),
            None,
        )
        .await;
    sweep
        .call(
            Method::POST,
            "/v1/me/permit/endorsements",
            "/v1/me/permit/endorsements",
            Some(&permit),
            None,
        )
        .await;
    sweep
        .call(
            Method::GET,
            "/v1/permits/{permit_no}",
            &format!(
                "/v1/permits/{permit_no}?check_code={}",
                held.body["check_code"].as_str().unwrap()
            ),
            None,
            None,
        )
        .await;
    // A unit agent (F25): files for the holder (awaiting their consent; confirmed, the records
    // refuse it: they hold a permit), lists, endorses.
    let (_, _, unit_agent) = crate::units::open_permit_unit(&client, &staff).await;
    let filed = sweep
        .call(
            Method::POST,
            "/v1/unit/permit-applications",
            "/v1/unit/permit-applications",
            Some(&unit_agent),
            Some(&json!({
                "employee": {"real_name": fixtures::REAL_NAME, "id_type": "resident_id",
                             "id_number": permit_user.id_number, "phone": permit_user.phone},
                "authorization_no": "WT-2026-0001", "basis": "student", "school": "深圳大学",
                "photo_receipt_no": photo, "delivery": {"pickup_point": "440309001"}})),
        )
        .await;
    assert_eq!(filed.status, 201, "{:#}", filed.body);
    sweep
        .call(
            Method::POST,
            "/v1/permit-applications/{application_id}/consent",
            &format!(
                "/v1/permit-applications/{}/consent",
                filed.body["application_id"].as_str().unwrap()
            ),
            Some(&permit),
            Some(&json!({"consent": true})),
        )
        .await;
    sweep
        .call(
            Method::GET,
            "/v1/unit/permit-applications",
            "/v1/unit/permit-applications",
            Some(&unit_agent),
            None,
        )
        .await;
    sweep
        .call(
            Method::POST,
            "/v1/unit/permits/{permit_no}/endorsements",
            &format!("/v1/unit/permits/{permit_no}/endorsements"),
            Some(&unit_agent),
            None,
        )
        .await;
    sweep
        .call(
            Method::POST,
            "/v1/staff/permits/{permit_no}/cancellation",
            &format!("/v1/staff/permits/{permit_no}/cancellation"),
            Some(&staff),
            Some(&json!({"reason": "已落户深圳"})),
        )
        .await;
    sweep
        .call(
            Method::POST,
            "/v1/staff/accounts/{account_id}/suspension",
            &format!("/v1/staff/accounts/{}/suspension", permit_user.account_id),
            Some(&staff),
            Some(&json!({"reason": "证件被他人冒用，本人已到受理点核验"})),
        )
        .await;
    sweep
        .call(
            Method::POST,
            "/v1/me/houses/{link_id}/deregistration",
            &format!("/v1/me/houses/{link_id}/deregistration"),
            Some(&token),
            Some(&json!({"deregister_residents": true})),
        )
        .await;
    sweep
        .call(
            Method::PUT,
            "/v1/me/password",
            "/v1/me/password",
            Some(&token),
            Some(&json!({"old_password": "x", "new_password": "Longan-Harvest-2027", "sms_code": "000000"})),
        )
        .await
        .assert_problem(400, "SMS_CODE_INVALID");
    sweep
        .call(
            Method::PUT,
            "/v1/me/phone",
            "/v1/me/phone",
            Some(&token),
            Some(&json!({"new_phone": fixtures::phone(), "current_password": "x", "sms_code": "000000"})),
        )
        .await
        .assert_problem(400, "SMS_CODE_INVALID");

    // Counter-opened accounts and units; the unit's administrator and its sub-accounts.
    let opened_account = fixtures::counter_registration_body(
        "residence_registration",
        json!([link_body(&seeded.house_id("102"), "self")]),
    );
    sweep
        .call(
            Method::POST,
            "/v1/staff/accounts",
            "/v1/staff/accounts",
            Some(&staff),
            Some(&opened_account),
        )
        .await;
    let unit_body = units::unit_body(&[seeded.house_id("102")]);
    let opened = sweep
        .call(
            Method::POST,
            "/v1/staff/units",
            "/v1/staff/units",
            Some(&staff),
            Some(&unit_body),
        )
        .await;
    let (_, admin) =
        fixtures::first_login(&client, &units::admin_of(&unit_body, &opened.body)).await;
    let unit_link = opened.body["houses"][0]["link_id"].as_str().unwrap();
    let sub = sweep
        .call(
            Method::POST,
            "/v1/unit/sub-accounts",
            "/v1/unit/sub-accounts",
            Some(&admin),
            Some(
                &units::with_phone_code(
                    &client,
                    &admin,
                    units::sub_account_body(&[unit_link.to_owned()]),
                )
                .await,
            ),
        )
        .await;
    sweep
        .call(
            Method::GET,
            "/v1/unit/sub-accounts",
            "/v1/unit/sub-accounts",
            Some(&admin),
            None,
        )
        .await;
    let sub_path = units::sub_account_path(sub.body["account_id"].as_str().unwrap());
    sweep
        .call(
            Method::PATCH,
            "/v1/unit/sub-accounts/{account_id}",
            &sub_path,
            Some(&admin),
            Some(
                &units::with_phone_code(
                    &client,
                    &admin,
                    json!({"real_name": "王小三", "phone": fixtures::phone(), "link_ids": []}),
                )
                .await,
            ),
        )
        .await;
    sweep
        .call(
            Method::POST,
            "/v1/unit/sub-accounts/{account_id}/deactivation",
            &format!("{sub_path}/deactivation"),
            Some(&admin),
            None,
        )
        .await;

    sweep
        .call(
            Method::DELETE,
            "/v1/sessions/current",
            "/v1/sessions/current",
            Some(&token),
            None,
        )
        .await;

    // A forgotten password: the code, then the reset.
    let claimed = json!({"purpose": "reset_password", "platform": user.account_type,
                         "username": user.username, "id_number": user.id_number});
    let before = client.sms_messages(&user.phone).await.len();
    sweep
        .call(
            Method::POST,
            "/v1/sms-codes",
            "/v1/sms-codes",
            None,
            Some(&claimed),
        )
        .await;
    let code = client.nth_code(&user.phone, before + 1).await;
    let reset = json!({"platform": user.account_type, "username": user.username,
                       "id_number": user.id_number, "sms_code": code,
                       "new_password": "Banyan-Shade-2031"});
    let done = sweep
        .call(
            Method::POST,
            "/v1/password-resets",
            "/v1/password-resets",
            None,
            Some(&reset),
        )
        .await;
    assert_eq!(done.status, 204, "{:#}", done.body);

    sweep.called
}
