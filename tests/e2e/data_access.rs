//! Processing records (PIPL, issue 15): every staff read of a person's registrations or permit
//! applications, and every event about them delivered to an agency, leaves a record the person
//! lists with `GET /v1/me/data-access` — and nobody else sees it. Counted, not sampled: each
//! staff read makes exactly one record per record read, a declarant's or the person's own reads
//! none, and a delivery one per consumer however often it is sent. A record is the person's
//! exactly when the record read is among their residence records (the same ID document *and*
//! name), and staff appear by office and role only (issue 28, finding 9).

use std::time::Duration;

use e2e_tests::houses::{STAFF_OFFICE, approved_link, staff_session, verify_at_counter};
use e2e_tests::residents::{declared, holder_body, registration_path};
use e2e_tests::{Client, fixtures, stack};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(30);

/// Every record the caller lists (all pages, `limit` at a time).
async fn all_records(client: &Client, token: &str, limit: u32) -> Vec<Value> {
    let mut items = Vec::new();
    let mut path = format!("/v1/me/data-access?limit={limit}");
    loop {
        let page = client.get_auth(&path, token).await;
        assert_eq!(page.status, 200, "{:#}", page.body);
        let got = page.body["items"].as_array().unwrap();
        assert!(got.len() <= limit as usize);
        items.extend(got.iter().cloned());
        match page.body["next_cursor"].as_str() {
            Some(cursor) => path = format!("/v1/me/data-access?limit={limit}&cursor={cursor}"),
            None => return items,
        }
    }
}

/// The records of processing by staff.
fn staff_reads(records: &[Value]) -> Vec<&Value> {
    records
        .iter()
        .filter(|r| r["processor"]["kind"] == "staff")
        .collect()
}

/// How a staff read shows its reader: the office and the role, nothing of the person.
fn staff_as_shown() -> Value {
    json!({"kind": "staff", "office": STAFF_OFFICE, "role": "counter_staff",
           "name": "居住登记受理点工作人员"})
}

/// A verified residence-permit holder with a registration declared today by a landlord: the
/// holder, their token, the landlord's token and the registration.
async fn registered(client: &Client, staff: &str) -> (fixtures::User, String, String, Value) {
    let (holder, token) = fixtures::logged_in(client, "residence_permit").await;
    verify_at_counter(client, staff, &holder.account_id).await;
    let (_, landlord, link) = approved_link(client, staff).await;
    let link_id = link["link_id"].as_str().unwrap();
    let registration = declared(client, &landlord, link_id, &holder_body(&holder)).await;
    (holder, token, landlord, registration)
}

#[tokio::test]
async fn each_staff_read_is_recorded_for_the_person_and_only_for_them() {
    let client = Client::new(stack());
    let (staff_user, staff) = staff_session(&client).await;
    let (holder, token, landlord, registration) = registered(&client, &staff).await;
    let registration_id = registration["registration_id"].as_str().unwrap();
    let link_id = registration["link_id"].as_str().unwrap();
    assert!(staff_reads(&all_records(&client, &token, 100).await).is_empty());

    // The declarant's and the person's own reads are not processing by others.
    let own = client
        .get_auth(&format!("/v1/me/houses/{link_id}/residents"), &landlord)
        .await;
    assert_eq!(own.status, 200);
    assert_eq!(
        client
            .get_auth(&registration_path(&registration), &landlord)
            .await
            .status,
        200
    );
    assert_eq!(
        client
            .get_auth("/v1/me/residence-records", &token)
            .await
            .status,
        200
    );
    assert!(staff_reads(&all_records(&client, &token, 100).await).is_empty());

    // Staff read the registration three ways: one record each.
    let path = registration_path(&registration);
    for read in [
        format!("/v1/staff/house-links/{link_id}/residents"),
        path.clone(),
        format!("{path}/receipt"),
    ] {
        let answer = client.get_auth(&read, &staff).await;
        assert_eq!(answer.status, 200, "{read}");
    }
    // An application on a direct basis waits for staff: they read it in their queue and alone.
    let applied = client
        .post_auth(
            "/v1/me/permit-applications",
            &token,
            &json!({"basis": "talent", "certificate_no": "RC-2026-0107", "photo_receipt_no": e2e_tests::permits::photo_receipt_no(&holder),
                    "delivery": {"pickup_point": "440303001"}}),
        )
        .await;
    assert_eq!(applied.status, 201, "{:#}", applied.body);
    let application_id = applied.body["application_id"].as_str().unwrap();
    let mut queue_pages_with_it = 0;
    let mut next = Some("/v1/staff/permit-applications?limit=100".to_owned());
    while let Some(page_path) = next {
        let page = client.get_auth(&page_path, &staff).await;
        assert_eq!(page.status, 200, "{:#}", page.body);
        let items = page.body["items"].as_array().unwrap();
        if items.iter().any(|a| a["application_id"] == application_id) {
            queue_pages_with_it += 1;
        }
        next = page.body["next_cursor"]
            .as_str()
            .map(|c| format!("/v1/staff/permit-applications?limit=100&cursor={c}"));
    }
    assert_eq!(queue_pages_with_it, 1, "the application is queued");
    let one = client
        .get_auth(&format!("/v1/permit-applications/{application_id}"), &staff)
        .await;
    assert_eq!(one.status, 200);
    // The applicant reading their own application: no record.
    let mine = client
        .get_auth(&format!("/v1/permit-applications/{application_id}"), &token)
        .await;
    assert_eq!(mine.status, 200);

    let records = all_records(&client, &token, 2).await;
    let reads = staff_reads(&records);
    let of = |kind: &str, id: &str, purpose: &str| {
        reads
            .iter()
            .filter(|r| {
                r["subject"]["kind"] == kind && r["subject"]["id"] == id && r["purpose"] == purpose
            })
            .count()
    };
    // Staff of other tests listing the shared review queue meanwhile read the application too
    // (each listing is a read of every application it shows, rightly recorded): at least this
    // test's two, and nothing else.
    let application_reads = of("permit_application", application_id, "审核居住证申请");
    assert!(application_reads >= 2, "{reads:#?}");
    assert_eq!(reads.len(), 3 + application_reads, "{reads:#?}");
    assert_eq!(
        of(
            "registration",
            registration_id,
            "受理点办理居住登记业务（查阅、变更、注销登记）"
        ),
        2
    );
    assert_eq!(
        of(
            "registration",
            registration_id,
            "受理点打印居住登记申报回执"
        ),
        1
    );
    for read in &reads {
        assert_eq!(read["processor"], staff_as_shown());
        assert_eq!(
            (
                read["processing"].as_str(),
                read["processing_label"].as_str()
            ),
            (Some("read"), Some("查阅"))
        );
        assert!(read["access_id"].is_string() && read["at"].is_string());
    }
    // Newest first, every record once across the pages.
    let times: Vec<&str> = records.iter().map(|r| r["at"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
    let ids: std::collections::BTreeSet<&str> = records
        .iter()
        .map(|r| r["access_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), records.len());
    // Never the staff member's account id or name.
    let listed = serde_json::to_string(&records).unwrap();
    assert!(
        !listed.contains(&staff_user.account_id) && !listed.contains("审核员"),
        "{listed}"
    );

    // A staff act is in the application's own history, not a read of its own: deciding it (the
    // answer shows the application as decided) adds no record. (Counted just before, since other
    // tests' staff may list the review queue, with the application in it, until it is decided.)
    let before = staff_reads(&all_records(&client, &token, 100).await).len();
    let decided = client
        .post_auth(
            &format!("/v1/staff/permit-applications/{application_id}/decision"),
            &staff,
            &json!({"approve": false, "reason": "人才证书编号无法核实"}),
        )
        .await;
    assert_eq!(decided.status, 200, "{:#}", decided.body);
    assert_eq!(decided.body["status"], "rejected");
    assert_eq!(
        staff_reads(&all_records(&client, &token, 100).await).len(),
        before
    );

    // Nothing of it reaches anyone else: another verified person lists none of these records.
    let (_, other, _, _) = registered(&client, &staff).await;
    let theirs = all_records(&client, &other, 100).await;
    assert!(
        !theirs
            .iter()
            .any(|r| r["subject"]["id"] == registration_id || r["subject"]["id"] == application_id),
        "{theirs:#?}"
    );

    // As stored: the person by keyed hash only; no name, no ID number.
    let ctx = client.stack.context();
    let stored = ctx
        .db
        .client
        .query()
        .table_name(&ctx.config.tables.processing_records)
        .key_condition_expression("pk = :pk")
        .expression_attribute_values(
            ":pk",
            aws_sdk_dynamodb::types::AttributeValue::S(shared::store::keys::processing_pk(
                &subject_key(&ctx, &holder.id_number, fixtures::REAL_NAME),
            )),
        )
        .send()
        .await
        .expect("query the records");
    // (Deliveries of the application's events may have arrived since the list was read.)
    let stored_ids: std::collections::BTreeSet<&str> = stored
        .items()
        .iter()
        .filter_map(|i| i.get("record_id")?.as_s().ok().map(String::as_str))
        .collect();
    assert!(ids.is_subset(&stored_ids), "{ids:?} ⊄ {stored_ids:?}");
    let text = format!("{:?}", stored.items());
    assert!(!text.contains(&holder.id_number) && !text.contains(fixtures::REAL_NAME));
    assert!(stored.items().iter().all(|i| i.contains_key("expires_at")));
}

/// The key processing records of a resident with this ID number and name are filed under.
fn subject_key(ctx: &shared::AppContext, id_number: &str, name: &str) -> String {
    let person = shared::store::keys::person_key(
        &ctx.db,
        shared::domain::id_document::IdType::ResidentId,
        id_number,
    );
    shared::store::keys::subject_key(&ctx.db, &person, name)
}

/// Issue 28, finding 9: a registration that carries the holder's ID number under another name
/// (someone else's, or a declarant's typo) is not the holder's. Residence records hid it while
/// the processing records listed its reads and deliveries as the holder's; now neither list
/// shows it, and a registration in the holder's name is in both. Staff are shown by office and
/// role, never by account id.
#[tokio::test]
async fn a_registration_with_the_holders_number_under_another_name_is_in_neither_list() {
    let client = Client::new(stack());
    let ctx = client.stack.context();
    let (staff_user, staff) = staff_session(&client).await;
    let (holder, token) = fixtures::logged_in(&client, "residence_permit").await;
    verify_at_counter(&client, &staff, &holder.account_id).await;
    // Two houses (a person is declared once per house): one declaration in another name, one in
    // the holder's.
    let mut another_name = holder_body(&holder);
    another_name["name"] = json!("李四");
    let (_, landlord, link) = approved_link(&client, &staff).await;
    let theirs = declared(
        &client,
        &landlord,
        link["link_id"].as_str().unwrap(),
        &another_name,
    )
    .await;
    let (_, landlord, link) = approved_link(&client, &staff).await;
    let own = declared(
        &client,
        &landlord,
        link["link_id"].as_str().unwrap(),
        &holder_body(&holder),
    )
    .await;
    let theirs_id = theirs["registration_id"].as_str().unwrap();
    let own_id = own["registration_id"].as_str().unwrap();

    // The attack: staff read both (the counter's registration work).
    for registration in [&theirs, &own] {
        let read = client
            .get_auth(&registration_path(registration), &staff)
            .await;
        assert_eq!(read.status, 200, "{:#}", read.body);
    }

    // Residence records: the holder's own only.
    let residence = client
        .get_auth("/v1/me/residence-records?limit=100", &token)
        .await;
    assert_eq!(residence.status, 200, "{:#}", residence.body);
    let shown: Vec<&str> = residence.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["registration_id"].as_str())
        .collect();
    assert_eq!(shown, [own_id], "{:#}", residence.body);

    // The other name's read and its three deliveries are recorded, under its own subject.
    let deadline = std::time::Instant::now() + WAIT;
    let elsewhere = subject_key(&ctx, &holder.id_number, "李四");
    loop {
        let filed = shared::store::processing_records::page_of_subject(
            &ctx.db,
            &elsewhere,
            &shared::store::PageRequest::first(100),
        )
        .await
        .expect("read the processing records")
        .items;
        let of_theirs = filed.iter().filter(|r| r.subject_id == theirs_id).count();
        if of_theirs >= 4 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{of_theirs} records of the other name"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The holder's list: the read and the three deliveries of their own registration, nothing of
    // the other name's.
    let mine = loop {
        let records = all_records(&client, &token, 100).await;
        let of_own = records
            .iter()
            .filter(|r| r["subject"]["id"] == own_id)
            .count();
        if of_own >= 4 || std::time::Instant::now() > deadline {
            break records;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(
        !mine.iter().any(|r| r["subject"]["id"] == theirs_id),
        "{mine:#?}"
    );
    let own_reads: Vec<&Value> = staff_reads(&mine)
        .into_iter()
        .filter(|r| r["subject"]["id"] == own_id)
        .collect();
    assert_eq!(own_reads.len(), 1, "{mine:#?}");
    assert_eq!(own_reads[0]["processor"], staff_as_shown());
    let delivered = mine
        .iter()
        .filter(|r| r["subject"]["id"] == own_id && r["processing"] == "delivered")
        .count();
    assert_eq!(delivered, 3, "{mine:#?}");
    let listed = serde_json::to_string(&mine).unwrap();
    assert!(!listed.contains(&staff_user.account_id), "{listed}");
}

#[tokio::test]
async fn each_delivery_to_an_agency_is_recorded_once_with_its_view_and_basis() {
    let stack = stack();
    let client = Client::new(stack);
    let (_, staff) = staff_session(&client).await;
    let (_, token, _, registration) = registered(&client, &staff).await;
    let registration_id = registration["registration_id"].as_str().unwrap();

    let expected = [
        ("police-population", "full"),
        ("housing-rental", "housing"),
        ("statistics", "statistical"),
    ];
    let mut event_ids = Vec::new();
    for (consumer, _) in expected {
        let events = stack
            .consumer_events(consumer, registration_id, |e| !e.is_empty(), WAIT)
            .await;
        assert!(!events.is_empty(), "{consumer} received the declaration");
        event_ids.push(events[0]["id"].as_str().unwrap().to_owned());
    }
    // The record is written once the event is accepted: the person sees it soon after.
    let deadline = std::time::Instant::now() + WAIT;
    let delivered = loop {
        let records = all_records(&client, &token, 100).await;
        let delivered: Vec<Value> = records
            .into_iter()
            .filter(|r| r["processing"] == "delivered" && r["subject"]["id"] == registration_id)
            .collect();
        if delivered.len() >= expected.len() || std::time::Instant::now() > deadline {
            break delivered;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(delivered.len(), expected.len(), "{delivered:#?}");
    for ((consumer, view), event_id) in expected.iter().zip(&event_ids) {
        let record = delivered
            .iter()
            .find(|r| r["processor"]["id"] == *consumer)
            .unwrap_or_else(|| panic!("no record of the delivery to {consumer}"));
        assert_eq!(record["processor"]["kind"], "agency");
        assert_eq!(record["view"], *view);
        assert_eq!(record["event_type"], "registration.declared");
        assert_eq!(record["subject"]["kind"], "registration");
        assert_eq!(record["processing_label"], "共享");
        assert_eq!(record["access_id"], format!("{event_id}.{consumer}"));
        let basis = shared::events::consumers::routes()
            .iter()
            .find(|r| r.consumer.id == *consumer)
            .unwrap();
        assert_eq!(record["purpose"], basis.consumer.basis.as_str());
        assert_eq!(record["processor"]["name"], basis.consumer.name.as_str());
    }
}

#[tokio::test]
async fn only_a_verified_person_lists_their_records() {
    let client = Client::new(stack());
    let (_, staff) = staff_session(&client).await;
    let (_, unverified) = fixtures::logged_in(&client, "residence_permit").await;
    let answer = client.get_auth("/v1/me/data-access", &unverified).await;
    assert_eq!(answer.status, 403);
    assert_eq!(answer.body["code"], "IDENTITY_NOT_VERIFIED");
    let answer = client.get_auth("/v1/me/data-access", &staff).await;
    assert_eq!(answer.status, 403);
    assert_eq!(answer.body["code"], "FORBIDDEN");
    // The page is checked first.
    let answer = client
        .get_auth("/v1/me/data-access?limit=0", &unverified)
        .await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.body["errors"][0]["field"], "limit");
    let answer = client
        .get_auth("/v1/me/data-access?cursor=forged", &unverified)
        .await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.body["code"], "VALIDATION_FAILED");
    let answer = client.get("/v1/me/data-access").await;
    assert_eq!(answer.status, 401);
}
