//! Residence permits (issue 13): issued at once when the records prove the standard basis, or
//! on a staff decision; the holder's permit and its window; the yearly endorsement decided from
//! the records; suspension, restoration and cancellation with the calendar moved across years
//! (the permit's stored days moved back); the public check; staff progress and cancellation.

use chrono::{Days, Months};
use e2e_tests::fixtures;
use e2e_tests::houses::staff_session;
use e2e_tests::permits::{
    eligible_holder, insurance_rows, issued_permit, load_insurance, pay_insurance, reschedule,
    standard_application, today,
};
use e2e_tests::{Client, stack, start};
use serde_json::{Value, json};

fn years_after(day: chrono::NaiveDate, years: u32) -> chrono::NaiveDate {
    day.checked_add_months(Months::new(12 * years)).unwrap()
}

fn check_path(permit: &Value, code: &str) -> String {
    format!(
        "/v1/permits/{}?check_code={code}",
        permit["permit_no"].as_str().unwrap()
    )
}

#[tokio::test]
async fn records_that_prove_the_standard_basis_issue_the_permit_at_once() {
    let client = Client::new(stack());
    let (_, staff) = staff_session(&client).await;
    let (holder, token) = eligible_holder(&client, &staff).await;
    let before = client.sms_messages(&holder.phone).await.len();
    let (application, permit) = issued_permit(&client, &holder, &token).await;

    assert_eq!(application["status"], "approved", "{application:#}");
    let path = format!(
        "/v1/permit-applications/{}",
        application["application_id"].as_str().unwrap()
    );
    let seen = client.get_auth(&path, &token).await.body;
    let history = seen["history"].as_array().unwrap();
    assert_eq!(history.len(), 2, "{seen:#}");
    assert_eq!(history[0]["to"], "accepted");
    assert_eq!(history[0]["by"], "records");
    assert_eq!(history[1]["to"], "approved");
    assert_eq!(history[1]["by"], "records");
    // Told twice: approved, and the permit issued (two SMS from a queue: in either order).
    let messages = client.sms_delivered(&holder.phone, before + 2).await;
    let told = &messages[before..];
    assert!(told.iter().any(|m| m.contains("已审批")), "{messages:?}");
    assert!(
        told.iter()
            .any(|m| m.contains("已签发") && m.contains(permit["permit_no"].as_str().unwrap())),
        "{messages:?}"
    );

    // The permit: its own number (not the ID number), active, the window before the anniversary.
    let no = permit["permit_no"].as_str().unwrap();
    assert!(no.starts_with("440300-"), "{permit:#}");
    assert!(!no.contains(&holder.id_number));
    assert_eq!(permit["status"], "active");
    assert_eq!(permit["basis"], "standard");
    assert_eq!(permit["holder_name"], fixtures::REAL_NAME);
    assert_eq!(permit["issued_on"], today().to_string());
    let anniversary = years_after(today(), 1);
    assert_eq!(
        permit["next_window"],
        json!({"opens_on": (anniversary - Days::new(60)).to_string(),
               "closes_on": (anniversary - Days::new(1)).to_string()})
    );
    assert_eq!(
        permit["valid_until"],
        (anniversary - Days::new(1)).to_string()
    );
    assert_eq!(permit["endorsements"], json!([]));

    // Not endorsed before its window; no second permit while this one lives.
    let early = client
        .post_auth("/v1/me/permit/endorsements", &token, &json!({}))
        .await;
    early.assert_problem(409, "ENDORSEMENT_NOT_DUE");
    assert_eq!(early.body["window"], permit["next_window"]);
    client
        .post_auth(
            "/v1/me/permit-applications",
            &token,
            &standard_application(&holder),
        )
        .await
        .assert_problem(409, "CONFLICT");

    // Anyone can check it with the code; a wrong code and an unknown number answer alike.
    let code = permit["check_code"].as_str().unwrap();
    let checked = client.get(&check_path(&permit, code)).await;
    assert_eq!(checked.status, 200, "{:#}", checked.body);
    assert_eq!(checked.body["genuine"], true);
    assert_eq!(checked.body["status"], "active");
    assert_eq!(checked.body["holder_name"], "张*");
    assert_eq!(checked.body["valid_until"], permit["valid_until"]);
    let lower = client.get(&check_path(&permit, &code.to_lowercase())).await;
    assert_eq!(lower.body["genuine"], true, "the code's case is forgiven");
    let wrong = client.get(&check_path(&permit, "00000000")).await;
    assert_eq!(wrong.body, json!({"genuine": false}));
    let unknown = client
        .get("/v1/permits/440300-0123456789?check_code=00000000")
        .await;
    assert_eq!(unknown.body, wrong.body);
    assert!(
        client
            .get("/v1/permits/12345?check_code=X")
            .await
            .has_field_error("permit_no", "INVALID_PERMIT_NO")
    );
    assert!(
        client
            .get(&format!("/v1/permits/{no}"))
            .await
            .has_field_error("check_code", "REQUIRED")
    );

    // The electronic permit: the card's fields, and a QR code a phone follows to the check.
    let card = client.get_auth("/v1/me/permit/card", &token).await;
    assert_eq!(card.status, 200, "{:#}", card.body);
    assert_eq!(card.content_type(), "application/pdf");
    let text = e2e_tests::pdf::text(&card.bytes);
    for expected in [
        "深圳经济特区居住证（电子证）",
        no,
        code,
        fixtures::REAL_NAME,
        holder.id_number.as_str(),
        "深圳市公安局",
        "签发机关",
    ] {
        assert!(text.contains(expected), "{expected} not in {text}");
    }
    let codes = e2e_tests::pdf::qr_codes(&card.bytes);
    let url = permit["verification_url"].as_str().unwrap();
    assert_eq!(codes, vec![url.to_owned()]);
    let scanned = client
        .get(&e2e_tests::documents::page_path(
            &permit["verification_url"],
        ))
        .await;
    assert_eq!(scanned.status, 200);
    let html = String::from_utf8(scanned.bytes).unwrap();
    assert!(html.contains("data-genuine=\"true\""), "{html}");
    assert!(html.contains("有效（有效期至"), "{html}");

    // Another verified holder has none, and cannot see this one's.
    let (other, other_token) = fixtures::logged_in(&client, "residence_permit").await;
    e2e_tests::houses::verify_at_counter(&client, &staff, &other.account_id).await;
    client
        .get_auth("/v1/me/permit", &other_token)
        .await
        .assert_problem(404, "NOT_FOUND");
    client
        .get_auth("/v1/me/permit/card", &other_token)
        .await
        .assert_problem(404, "NOT_FOUND");
}

#[tokio::test]
async fn endorsements_suspension_restoration_and_cancellation_across_years() {
    let client = Client::new(stack());
    let (_, staff) = staff_session(&client).await;
    let (holder, token) = eligible_holder(&client, &staff).await;
    let (_, permit) = issued_permit(&client, &holder, &token).await;
    let no = permit["permit_no"].as_str().unwrap().to_owned();
    let code = permit["check_code"].as_str().unwrap().to_owned();
    let empty = json!({});
    let endorse = || client.post_auth("/v1/me/permit/endorsements", &token, &empty);

    // Issued 320 days ago: its anniversary is in 45 days, the window is open. The bureau's
    // correction leaves only 6 of the last 12 months paid: refused with the reason.
    let issued = today() - Days::new(320);
    reschedule(&client, &no, issued, 1, today()).await;
    load_insurance(&client, &insurance_rows(&holder, 6, "unpaid")).await;
    let refused = endorse().await;
    refused.assert_problem(422, "NOT_ELIGIBLE");
    assert_eq!(
        refused.field_errors(),
        vec![("insurance_in_year".into(), "CONDITION_NOT_MET".into())]
    );
    // Paid again: endorsed at once, the next anniversary a year on.
    pay_insurance(&client, &holder, 24).await;
    let endorsed = endorse().await;
    assert_eq!(endorsed.status, 201, "{:#}", endorsed.body);
    assert_eq!(endorsed.body["status"], "active");
    let next = years_after(issued, 2);
    assert_eq!(endorsed.body["endorsements"][0]["restored"], false);
    assert_eq!(endorsed.body["endorsements"][0]["by"], "holder");
    assert_eq!(
        endorsed.body["endorsements"][0]["next_anniversary"],
        next.to_string()
    );
    assert_eq!(
        endorsed.body["next_window"]["opens_on"],
        (next - Days::new(60)).to_string()
    );
    // Once in the year: the next window is months away.
    endorse().await.assert_problem(409, "ENDORSEMENT_NOT_DUE");

    // Issued 400 days ago and never endorsed since: suspended from its anniversary.
    let issued = today() - Days::new(400);
    reschedule(&client, &no, issued, 1, today()).await;
    let suspended = client.get_auth("/v1/me/permit", &token).await.body;
    assert_eq!(suspended["status"], "suspended", "{suspended:#}");
    assert!(suspended.get("valid_until").is_none());
    let anniversary = years_after(issued, 1);
    assert_eq!(
        suspended["next_window"],
        json!({"opens_on": anniversary.to_string(),
               "closes_on": (years_after(anniversary, 2) - Days::new(1)).to_string()})
    );
    let checked = client
        .get(&format!("/v1/permits/{no}?check_code={code}"))
        .await
        .body;
    assert_eq!(checked["status"], "suspended");
    // A late endorsement restores it from today; its anniversaries count from today.
    let restored = endorse().await;
    assert_eq!(restored.status, 201, "{:#}", restored.body);
    assert_eq!(restored.body["status"], "active");
    assert_eq!(restored.body["endorsements"][1]["restored"], true);
    let next = years_after(today(), 1);
    assert_eq!(
        restored.body["next_window"],
        json!({"opens_on": (next - Days::new(60)).to_string(),
               "closes_on": (next - Days::new(1)).to_string()})
    );

    // Suspended two full years: cancelled; nothing restores it.
    let issued = (today() - Days::new(10))
        .checked_sub_months(Months::new(36))
        .unwrap();
    reschedule(&client, &no, issued, 1, today()).await;
    let cancelled = client.get_auth("/v1/me/permit", &token).await.body;
    assert_eq!(cancelled["status"], "cancelled", "{cancelled:#}");
    assert_eq!(cancelled["next_window"], Value::Null);
    endorse().await.assert_problem(409, "CONFLICT");
    let checked = client
        .get(&format!("/v1/permits/{no}?check_code={code}"))
        .await
        .body;
    assert_eq!(checked["genuine"], true);
    assert_eq!(checked["status"], "cancelled");
}

fn talent_application(holder: &fixtures::User) -> Value {
    json!({"basis": "talent", "certificate_no": "RC-2026-0003",
           "photo_receipt_no": e2e_tests::permits::photo_receipt_no(holder),
           "delivery": {"pickup_point": "440303001"}})
}

/// A verified holder registered today, applying on the talent basis: the application id.
async fn talent_applicant(client: &Client, staff: &str) -> (fixtures::User, String, String) {
    let (holder, token) = e2e_tests::permits::registered_holder(client, staff).await;
    let applied = client
        .post_auth(
            "/v1/me/permit-applications",
            &token,
            &talent_application(&holder),
        )
        .await;
    assert_eq!(applied.status, 201, "{:#}", applied.body);
    assert_eq!(applied.body["status"], "submitted");
    let id = applied.body["application_id"].as_str().unwrap().to_owned();
    // Told it was submitted: waited for, so that the caller counts SMS from here (an SMS is
    // sent from a queue and may still be on its way when the request has answered).
    client
        .sms_delivered_containing(&holder.phone, "已提交")
        .await;
    (holder, token, id)
}

/// Every application in the staff queue (all pages).
async fn queued(client: &Client, staff: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut path = "/v1/staff/permit-applications?limit=100".to_owned();
    loop {
        let page = client.get_auth(&path, staff).await;
        assert_eq!(page.status, 200, "{:#}", page.body);
        items.extend(page.body["items"].as_array().unwrap().iter().cloned());
        match page.body["next_cursor"].as_str() {
            Some(cursor) => {
                path = format!("/v1/staff/permit-applications?limit=100&cursor={cursor}")
            }
            None => return items,
        }
    }
}

#[tokio::test]
async fn staff_decide_a_direct_basis_record_its_progress_and_cancel_the_permit() {
    let client = Client::new(stack());
    let (_, staff) = staff_session(&client).await;
    let (holder, token, id) = talent_applicant(&client, &staff).await;

    // Waiting in the queue, with the applicant's name; only `submitted` can be asked for.
    let waiting = queued(&client, &staff).await;
    let mine = waiting
        .iter()
        .find(|a| a["application_id"] == id.as_str())
        .expect("queued");
    assert_eq!(mine["holder_name"], fixtures::REAL_NAME);
    assert!(
        client
            .get_auth("/v1/staff/permit-applications?status=approved", &staff)
            .await
            .has_field_error("status", "UNSUPPORTED_STATUS")
    );
    client
        .get_auth("/v1/staff/permit-applications", &token)
        .await
        .assert_problem(403, "FORBIDDEN");

    // A decision needs `approve`; a refusal needs its reason.
    let decision = format!("/v1/staff/permit-applications/{id}/decision");
    assert!(
        client
            .post_auth(&decision, &staff, &json!({}))
            .await
            .has_field_error("approve", "REQUIRED")
    );
    assert!(
        client
            .post_auth(&decision, &staff, &json!({"approve": false}))
            .await
            .has_field_error("reason", "REQUIRED")
    );
    client
        .post_auth(&decision, &token, &json!({"approve": true}))
        .await
        .assert_problem(403, "FORBIDDEN");
    client
        .post_auth(
            "/v1/staff/permit-applications/00000000-0000-0000-0000-000000000000/decision",
            &staff,
            &json!({"approve": true}),
        )
        .await
        .assert_problem(404, "NOT_FOUND");

    // Approved: the permit is issued, the holder told; out of the queue; decided once only.
    let before = client.sms_messages(&holder.phone).await.len();
    let approved = client
        .post_auth(&decision, &staff, &json!({"approve": true}))
        .await;
    assert_eq!(approved.status, 200, "{:#}", approved.body);
    assert_eq!(approved.body["status"], "approved");
    let last = approved.body["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["by"], "staff");
    assert_eq!(last["from"], "submitted");
    let messages = client.sms_delivered(&holder.phone, before + 2).await;
    assert!(
        messages.iter().any(|m| m.contains("已签发")),
        "{messages:?}"
    );
    assert!(
        !queued(&client, &staff)
            .await
            .iter()
            .any(|a| a["application_id"] == id.as_str())
    );
    client
        .post_auth(
            &decision,
            &staff,
            &json!({"approve": false, "reason": "材料不全"}),
        )
        .await
        .assert_problem(409, "CONFLICT");
    let permit = client.get_auth("/v1/me/permit", &token).await.body;
    assert_eq!(permit["status"], "active", "{permit:#}");
    assert_eq!(permit["basis"], "talent");

    // Progress, in order, as the applicant chose (pickup).
    let progress = format!("/v1/staff/permit-applications/{id}/progress");
    let step = |s: &str| {
        let body = json!({"step": s});
        let (client, progress, staff) = (&client, progress.clone(), staff.clone());
        async move { client.post_auth(&progress, &staff, &body).await }
    };
    step("collected").await.assert_problem(409, "CONFLICT");
    assert!(
        step("approved")
            .await
            .has_field_error("step", "INVALID_STEP")
    );
    assert_eq!(step("card_produced").await.status, 200);
    step("mailed").await.assert_problem(409, "CONFLICT");
    assert_eq!(step("ready_for_pickup").await.status, 200);
    let collected = step("collected").await;
    assert_eq!(collected.status, 200, "{:#}", collected.body);
    let history: Vec<&str> = collected.body["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["to"].as_str().unwrap())
        .collect();
    assert_eq!(
        history,
        [
            "submitted",
            "approved",
            "card_produced",
            "ready_for_pickup",
            "collected"
        ]
    );
    // Each step is told by SMS: wait for all three, so that the cancellation's notice is the
    // next one (an SMS is sent from a queue and may land after the request that queued it).
    let told = client.sms_delivered(&holder.phone, before + 5).await;
    assert!(told.iter().any(|m| m.contains("已领取")), "{told:?}");

    // Cancelled by staff with a reason, told; once.
    let no = permit["permit_no"].as_str().unwrap();
    let cancellation = format!("/v1/staff/permits/{no}/cancellation");
    assert!(
        client
            .post_auth(&cancellation, &staff, &json!({}))
            .await
            .has_field_error("reason", "REQUIRED")
    );
    client
        .post_auth(&cancellation, &token, &json!({"reason": "已落户深圳"}))
        .await
        .assert_problem(403, "FORBIDDEN");
    client
        .post_auth(
            "/v1/staff/permits/440300-0123456789/cancellation",
            &staff,
            &json!({"reason": "已落户深圳"}),
        )
        .await
        .assert_problem(404, "NOT_FOUND");
    let (cancelled, notice) = client
        .with_next_sms(
            &holder.phone,
            client.post_auth(&cancellation, &staff, &json!({"reason": "已落户深圳"})),
        )
        .await;
    assert_eq!(cancelled.status, 200, "{:#}", cancelled.body);
    assert_eq!(cancelled.body["status"], "cancelled");
    assert_eq!(cancelled.body["cancellation"]["reason"], "已落户深圳");
    assert!(notice.unwrap().contains("已注销"));
    client
        .post_auth(&cancellation, &staff, &json!({"reason": "已落户深圳"}))
        .await
        .assert_problem(409, "CONFLICT");
    let code = permit["check_code"].as_str().unwrap();
    let checked = client.get(&check_path(&permit, code)).await.body;
    assert_eq!(checked["status"], "cancelled");
    // Cancelled and collected: the person may apply anew.
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
async fn a_refusal_carries_its_reason_and_frees_the_person_to_apply_again() {
    let client = Client::new(stack());
    let (_, staff) = staff_session(&client).await;
    let (holder, token, id) = talent_applicant(&client, &staff).await;
    let (refused, notice) = client
        .with_next_sms(
            &holder.phone,
            client.post_auth(
                &format!("/v1/staff/permit-applications/{id}/decision"),
                &staff,
                &json!({"approve": false, "reason": "人才证书编号无法核实"}),
            ),
        )
        .await;
    assert_eq!(refused.status, 200, "{:#}", refused.body);
    assert_eq!(refused.body["status"], "rejected");
    let last = refused.body["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["reason"], "人才证书编号无法核实");
    assert!(notice.unwrap().contains("人才证书编号无法核实"));
    client
        .get_auth("/v1/me/permit", &token)
        .await
        .assert_problem(404, "NOT_FOUND");
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
async fn permit_checks_are_rate_limited_per_client() {
    let limited = start(&[("RECEIPT_CHECKS_PER_MINUTE", "3")]);
    let client = Client::new(&limited);
    for _ in 0..3 {
        let answer = client
            .get("/v1/permits/440300-0123456789?check_code=ABCDEFGH")
            .await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);
    }
    client
        .get("/v1/permits/440300-0123456789?check_code=ABCDEFGH")
        .await
        .assert_problem(429, "RATE_LIMITED");
}

/// Staff decide an application.
async fn decide(client: &Client, staff: &str, application: &str, body: Value) -> e2e_tests::Answer {
    client
        .post_auth(
            &format!("/v1/staff/permit-applications/{application}/decision"),
            staff,
            &body,
        )
        .await
}

/// A direct-basis application that waits for staff (`submitted`): its id.
async fn submitted_application(client: &Client, holder: &fixtures::User, token: &str) -> String {
    let applied = client
        .post_auth(
            "/v1/me/permit-applications",
            token,
            &json!({"basis": "talent", "certificate_no": "RC-2026-0028",
                    "photo_receipt_no": e2e_tests::permits::photo_receipt_no(holder),
                    "delivery": {"pickup_point": "440303001"}}),
        )
        .await;
    assert_eq!(applied.status, 201, "{:#}", applied.body);
    assert_eq!(applied.body["status"], "submitted");
    applied.body["application_id"].as_str().unwrap().to_owned()
}

/// Issue 28 (5): concurrent staff decisions (approve against approve, approve against reject)
/// and concurrent progress steps used to answer 500 to the losers. Exactly one wins; every
/// other answers 409 with the status it left; the history has one entry per change.
#[tokio::test]
async fn concurrent_decisions_and_steps_answer_409_with_the_status_now() {
    let client = Client::new(stack());
    let (_, staff) = staff_session(&client).await;
    let (holder, token) = e2e_tests::permits::registered_holder(&client, &staff).await;
    let application = submitted_application(&client, &holder, &token).await;

    let decision = format!("/v1/staff/permit-applications/{application}/decision");
    let answers = futures::future::join_all((0..8).map(|i| {
        let body = match i % 2 {
            0 => json!({"approve": true}),
            _ => json!({"approve": false, "reason": "材料不全，请补充后重新申请"}),
        };
        let (client, staff, decision) = (client.clone(), staff.clone(), decision.clone());
        async move { client.post_auth(&decision, &staff, &body).await }
    }))
    .await;
    let won: Vec<_> = answers.iter().filter(|a| a.status == 200).collect();
    assert_eq!(won.len(), 1, "{answers:#?}");
    let now = won[0].body["status"].as_str().unwrap().to_owned();
    for lost in answers.iter().filter(|a| a.status != 200) {
        lost.assert_problem(409, "CONFLICT");
        assert_eq!(lost.body["current_status"], now.as_str(), "{:#}", lost.body);
        assert!(
            lost.body["detail"]
                .as_str()
                .is_some_and(|d| d.contains("当前状态"))
        );
    }
    let seen = client
        .get_auth(&format!("/v1/permit-applications/{application}"), &token)
        .await;
    assert_eq!(
        seen.body["history"].as_array().unwrap().len(),
        2,
        "{:#}",
        seen.body
    );
    if now != "approved" {
        return;
    }
    let progress = format!("/v1/staff/permit-applications/{application}/progress");
    let steps = futures::future::join_all((0..6).map(|_| {
        let (client, staff, progress) = (client.clone(), staff.clone(), progress.clone());
        async move {
            client
                .post_auth(&progress, &staff, &json!({"step": "card_produced"}))
                .await
        }
    }))
    .await;
    assert_eq!(
        steps.iter().filter(|a| a.status == 200).count(),
        1,
        "{steps:#?}"
    );
    for lost in steps.iter().filter(|a| a.status != 200) {
        lost.assert_problem(409, "CONFLICT");
        assert_eq!(
            lost.body["current_status"], "card_produced",
            "{:#}",
            lost.body
        );
    }
}

/// Issue 28 (2): an impostor verified by a proof later found wrong (here a counter mistake)
/// applied for a permit; staff suspend the account. The suspension withdraws the application in
/// the same transaction (reason recorded), staff can no longer decide it (409), and the real
/// person applies at once from their own account instead of meeting `APPLICATION_PENDING`.
#[tokio::test]
async fn a_suspension_withdraws_the_impostors_open_application() {
    let client = Client::new(stack());
    let (_, staff) = staff_session(&client).await;
    let (impostor, impostor_token) = e2e_tests::permits::registered_holder(&client, &staff).await;
    let application = submitted_application(&client, &impostor, &impostor_token).await;
    let queue = client
        .get_auth(
            "/v1/staff/permit-applications?status=submitted&limit=100",
            &staff,
        )
        .await;
    let queued = queue.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["application_id"] == application.as_str())
        .cloned()
        .expect("in the queue");
    assert_eq!(queued["applicant_account_status"], "active");

    let reason = "本人持身份证到受理点核验，该账号冒用其证件号码";
    let suspended = client
        .post_auth(
            &format!("/v1/staff/accounts/{}/suspension", impostor.account_id),
            &staff,
            &json!({"reason": reason}),
        )
        .await;
    assert_eq!(suspended.status, 200, "{:#}", suspended.body);
    assert_eq!(
        suspended.body["withdrawn_applications"],
        json!([application])
    );

    // Withdrawn, with who and why in its history; no longer decidable.
    let record = shared::store::permits::get(&client.stack.context().db, &application)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.status.as_str(), "withdrawn");
    let history = shared::store::permits::history(&client.stack.context().db, &application)
        .await
        .unwrap();
    let last = history.last().unwrap();
    assert!(last.reason.as_deref().is_some_and(|r| r.contains(reason)));
    let decided = decide(&client, &staff, &application, json!({"approve": true})).await;
    decided.assert_problem(409, "CONFLICT");
    assert_eq!(decided.body["current_status"], "withdrawn");

    // The real person's account, opened and verified at the counter, applies at once.
    let mut opening = fixtures::counter_registration_body("residence_permit", json!([]));
    opening["real_name"] = json!(fixtures::REAL_NAME);
    opening["id_number"] = json!(impostor.id_number);
    let opened = client
        .post_auth("/v1/staff/accounts", &staff, &opening)
        .await;
    assert_eq!(opened.status, 201, "{:#}", opened.body);
    let text = |name: &str| opening[name].as_str().unwrap().to_owned();
    let holder = fixtures::User {
        account_id: opened.body["account_id"].as_str().unwrap().to_owned(),
        account_type: "residence_permit".into(),
        username: text("username"),
        password: text("initial_password"),
        phone: text("phone"),
        id_number: impostor.id_number.clone(),
        role: None,
    };
    let (_, holder_token) = fixtures::first_login(&client, &holder).await;
    submitted_application(&client, &holder, &holder_token).await;
}

/// Issue 28 (2): an application approved before the suspension stays (its permit is for staff
/// to cancel), but no progress step moves it on while the applicant is suspended.
#[tokio::test]
async fn no_progress_step_moves_a_suspended_applicants_application_on() {
    let client = Client::new(stack());
    let (_, staff) = staff_session(&client).await;
    let (impostor, token) = e2e_tests::permits::registered_holder(&client, &staff).await;
    let application = submitted_application(&client, &impostor, &token).await;
    let approved = decide(&client, &staff, &application, json!({"approve": true})).await;
    assert_eq!(approved.status, 200, "{:#}", approved.body);
    let suspended = client
        .post_auth(
            &format!("/v1/staff/accounts/{}/suspension", impostor.account_id),
            &staff,
            &json!({"reason": "冒用他人证件号码，已核实"}),
        )
        .await;
    assert_eq!(suspended.status, 200, "{:#}", suspended.body);
    assert_eq!(suspended.body["withdrawn_applications"], json!([]));
    client
        .post_auth(
            &format!("/v1/staff/permit-applications/{application}/progress"),
            &staff,
            &json!({"step": "card_produced"}),
        )
        .await
        .assert_problem(409, "CONFLICT");
    let record = shared::store::permits::get(&client.stack.context().db, &application)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.status.as_str(), "approved");
}
