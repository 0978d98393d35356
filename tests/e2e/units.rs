//! Units (F3, F5, F8): staff open a unit with its administrator and houses; the administrator
//! replaces the initial password, manages sub-accounts and their houses; a sub-account reaches
//! only the houses assigned to it; deactivation ends its session at once.

use e2e_tests::fixtures::{self, PASSWORD, User};
use e2e_tests::houses::{link, link_body, seed_building, staff_session, unique_name_part};
use e2e_tests::residents::{declare, declared, registration_path, resident_body, residents_path};
use e2e_tests::units::{
    add_sub_account, admin_of, credit_code, open_unit, open_unit_answer, sub_account_body,
    sub_account_path, sub_account_session, unit_body, with_phone_code,
};
use e2e_tests::{Client, stack};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn staff_open_a_unit_with_approved_houses_and_bad_openings_are_refused() {
    let client = Client::new(stack());
    let (staff, staff_token) = staff_session(&client).await;
    let seeded = seed_building(
        &client.stack,
        "440305001",
        &unique_name_part(),
        &["101", "102"],
    )
    .await;
    let houses = vec![seeded.house_id("101"), seeded.house_id("102")];

    // Only staff open units.
    let (_, citizen) = fixtures::logged_in(&client, "residence_registration").await;
    open_unit_answer(&client, &citizen, &unit_body(&houses))
        .await
        .assert_problem(403, "FORBIDDEN");
    client
        .post("/v1/staff/units", &unit_body(&houses))
        .await
        .assert_problem(401, "UNAUTHENTICATED");

    // Every bad field is named at once.
    let mut bad = unit_body(&houses);
    let uscc = bad["uscc"].as_str().unwrap().to_owned();
    let wrong_check = format!(
        "{}{}",
        &uscc[..17],
        if uscc.ends_with('0') { '1' } else { '0' }
    );
    bad["uscc"] = json!(wrong_check);
    bad["name"] = json!("某");
    bad["admin"]["initial_password"] = json!("password");
    bad["houses"] = json!([
        {"house_id": "4403050010000000000000001", "declarant_type": "employer_or_school"},
        {"manual_address": {"district": "440305", "street": "440305001", "address": "深圳市南山区某路 1 号"}, "declarant_type": "lessor"},
    ]);
    let answer = open_unit_answer(&client, &staff_token, &bad).await;
    answer.assert_problem(400, "VALIDATION_FAILED");
    answer.assert_field_errors(&[
        ("uscc", "INVALID_CHECK_DIGIT"),
        ("name", "INVALID_ORGANIZATION_NAME"),
        ("admin.initial_password", "COMMON_PASSWORD"),
    ]);
    let mut no_admin = unit_body(&houses);
    no_admin.as_object_mut().unwrap().remove("admin");
    let answer = open_unit_answer(&client, &staff_token, &no_admin).await;
    assert!(
        answer.has_field_error("admin", "REQUIRED"),
        "{:#}",
        answer.body
    );
    // A hand-written address cannot be approved at the counter; an unknown house is named.
    let mut manual = unit_body(&houses);
    manual["houses"][1] = json!({"manual_address": {"district": "440305", "street": "440305001", "address": "深圳市南山区某路 1 号"}, "declarant_type": "lessor"});
    let answer = open_unit_answer(&client, &staff_token, &manual).await;
    assert!(
        answer.has_field_error("houses[1].manual_address", "NOT_ALLOWED"),
        "{:#}",
        answer.body
    );
    let mut unknown = unit_body(&houses);
    unknown["houses"][0]["house_id"] = json!("4403050019999999999999999");
    let answer = open_unit_answer(&client, &staff_token, &unknown).await;
    assert!(
        answer.has_field_error("houses[0].house_id", "HOUSE_NOT_FOUND"),
        "{:#}",
        answer.body
    );

    // The unit opens with its administrator and its houses approved by the staff member.
    let body = unit_body(&houses);
    let opened = open_unit_answer(&client, &staff_token, &body).await;
    assert_eq!(opened.status, 201, "{:#}", opened.body);
    let unit = &opened.body;
    assert_eq!(unit["uscc"], body["uscc"]);
    assert_eq!(unit["opened_by"], staff.account_id.as_str());
    assert_eq!(unit["admin"]["role"], "admin");
    assert_eq!(unit["admin"]["must_change_password"], true);
    assert_eq!(unit["admin"]["unit"]["unit_id"], unit["unit_id"]);
    assert!(unit["admin"].get("id_number").is_none());
    let links = unit["houses"].as_array().unwrap();
    assert_eq!(links.len(), 2);
    for link in links {
        assert_eq!(link["status"], "approved");
        assert_eq!(link["declarant_type"], "employer_or_school");
    }

    // A credit code opens one unit; a taken username or phone is named under `admin.`.
    let mut again = unit_body(&[]);
    again["uscc"] = body["uscc"].clone();
    again["admin"]["username"] = body["admin"]["username"].clone();
    again["admin"]["phone"] = body["admin"]["phone"].clone();
    let answer = open_unit_answer(&client, &staff_token, &again).await;
    answer.assert_problem(409, "CONFLICT");
    answer.assert_field_errors(&[
        ("uscc", "USCC_TAKEN"),
        ("admin.username", "USERNAME_TAKEN"),
        ("admin.phone", "PHONE_TAKEN"),
    ]);
    // Lower case and spaces around the code are forgiven: it is the same code.
    let mut same = unit_body(&[]);
    same["uscc"] = json!(format!(
        " {} ",
        body["uscc"].as_str().unwrap().to_lowercase()
    ));
    let answer = open_unit_answer(&client, &staff_token, &same).await;
    assert!(
        answer.has_field_error("uscc", "USCC_TAKEN"),
        "{:#}",
        answer.body
    );
    // A unit's administrator may hold the phone of a personal account of the same type.
    let citizen_user = fixtures::register(&client, "residence_registration").await;
    let mut shared_phone = unit_body(&[]);
    shared_phone["admin"]["phone"] = json!(citizen_user.phone);
    assert_eq!(
        open_unit_answer(&client, &staff_token, &shared_phone)
            .await
            .status,
        201
    );
    assert!(credit_code().len() == 18);
}

#[tokio::test]
async fn a_unit_login_states_its_role_and_starts_by_replacing_the_initial_password() {
    let client = Client::new(stack());
    let (_, staff_token) = staff_session(&client).await;
    let seeded = seed_building(&client.stack, "440305001", &unique_name_part(), &["101"]).await;
    let body = unit_body(&[seeded.house_id("101")]);
    let opened = open_unit_answer(&client, &staff_token, &body).await;
    assert_eq!(opened.status, 201, "{:#}", opened.body);
    let admin = User {
        role: None,
        ..admin_of(&body, &opened.body)
    };
    let device = fixtures::device_id();
    let without_role = client
        .post("/v1/sessions", &fixtures::login_body(&admin, &device))
        .await;
    assert!(
        without_role.has_field_error("role", "REQUIRED"),
        "{:#}",
        without_role.body
    );
    let as_sub = User {
        role: Some("sub_account".into()),
        ..admin.clone()
    };
    client
        .post("/v1/sessions", &fixtures::login_body(&as_sub, &device))
        .await
        .assert_problem(403, "FORBIDDEN");
    let bad_role = User {
        role: Some("owner".into()),
        ..admin.clone()
    };
    let answer = client
        .post("/v1/sessions", &fixtures::login_body(&bad_role, &device))
        .await;
    assert!(
        answer.has_field_error("role", "INVALID_ROLE"),
        "{:#}",
        answer.body
    );
    let wrong_platform = User {
        account_type: "residence_permit".into(),
        role: Some("admin".into()),
        ..admin.clone()
    };
    client
        .post(
            "/v1/sessions",
            &fixtures::login_body(&wrong_platform, &device),
        )
        .await
        .assert_problem(403, "FORBIDDEN");
    // A personal account states no role.
    let citizen = User {
        role: Some("admin".into()),
        ..fixtures::register(&client, "residence_registration").await
    };
    client
        .post("/v1/sessions", &fixtures::login_body(&citizen, &device))
        .await
        .assert_problem(403, "FORBIDDEN");

    // The right role logs in; until the initial password is replaced, only the account itself,
    // the password change and logout are open.
    let admin = User {
        role: Some("admin".into()),
        ..admin
    };
    let token = fixtures::login(&client, &admin, &device).await;
    let me = client.get_auth("/v1/me", &token).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["must_change_password"], true);
    assert_eq!(me.body["unit"]["name"], body["name"]);
    for path in ["/v1/me/houses", "/v1/unit/sub-accounts"] {
        client
            .get_auth(path, &token)
            .await
            .assert_problem(403, "PASSWORD_CHANGE_REQUIRED");
    }
    client
        .post_auth(
            "/v1/sms-codes",
            &token,
            &json!({"phone": fixtures::phone(), "purpose": "change_phone"}),
        )
        .await
        .assert_problem(403, "PASSWORD_CHANGE_REQUIRED");
    let code = fixtures::session_code(&client, &token, &admin.phone, "change_password").await;
    let same = client
        .send(
            Method::PUT,
            "/v1/me/password",
            Some(&token),
            Some(&json!({"old_password": PASSWORD, "new_password": PASSWORD, "sms_code": code})),
        )
        .await;
    assert!(
        same.has_field_error("new_password", "SAME_AS_OLD"),
        "{:#}",
        same.body
    );
    // The same code serves once the new password is acceptable; the session goes on.
    let changed = client
        .send(
            Method::PUT,
            "/v1/me/password",
            Some(&token),
            Some(&json!({"old_password": PASSWORD, "new_password": fixtures::CHOSEN_PASSWORD, "sms_code": code})),
        )
        .await;
    assert_eq!(changed.status, 204, "{:#}", changed.body);
    let admin = User {
        password: fixtures::CHOSEN_PASSWORD.into(),
        ..admin
    };
    let houses = client.get_auth("/v1/me/houses", &token).await;
    assert_eq!(houses.status, 200, "{:#}", houses.body);
    assert_eq!(houses.body["items"][0]["status"], "approved");
    let me = client.get_auth("/v1/me", &token).await;
    assert_eq!(me.body["must_change_password"], false);
    // The next login is an ordinary one.
    let again = fixtures::login(&client, &admin, &device).await;
    assert_eq!(client.get_auth("/v1/me/houses", &again).await.status, 200);
}

#[tokio::test]
async fn an_administrator_manages_sub_accounts_and_each_reaches_only_its_houses() {
    let client = Client::new(stack());
    let (_, staff_token) = staff_session(&client).await;
    let unit = open_unit(&client, &staff_token, &["101", "102", "103"]).await;
    let other = open_unit(&client, &staff_token, &["201"]).await;
    let [a, b, c] = [0, 1, 2].map(|i| unit.link_ids[i].clone());
    let admin = &unit.admin_token;

    // Sub-accounts are given approved houses of their own unit only.
    let pending = link(
        &client,
        admin,
        &link_body(
            &seed_building(&client.stack, "440305001", &unique_name_part(), &["1"])
                .await
                .house_id("1"),
            "lessor",
        ),
    )
    .await;
    let pending_id = pending["link_id"].as_str().unwrap().to_owned();
    let bad = sub_account_body(&[
        a.clone(),
        other.link_ids[0].clone(),
        pending_id.clone(),
        "not-a-link".into(),
        a.clone(),
    ]);
    let answer = client.post_auth("/v1/unit/sub-accounts", admin, &bad).await;
    assert!(
        answer.has_field_error("link_ids[4]", "DUPLICATE"),
        "{:#}",
        answer.body
    );
    let mut bad_links = bad.clone();
    bad_links["link_ids"] = json!([a, other.link_ids[0], pending_id, "not-a-link"]);
    let answer = client
        .post_auth("/v1/unit/sub-accounts", admin, &bad_links)
        .await;
    answer.assert_problem(400, "VALIDATION_FAILED");
    assert_eq!(
        answer.field_errors(),
        [
            ("link_ids[1]".to_owned(), "LINK_NOT_FOUND".to_owned()),
            ("link_ids[2]".to_owned(), "LINK_NOT_APPROVED".to_owned()),
            ("link_ids[3]".to_owned(), "LINK_NOT_FOUND".to_owned()),
        ]
    );
    let mut missing = sub_account_body(&[]);
    missing.as_object_mut().unwrap().remove("link_ids");
    missing["password"] = json!("12345678");
    let answer = client
        .post_auth("/v1/unit/sub-accounts", admin, &missing)
        .await;
    assert!(answer.has_field_error("link_ids", "REQUIRED"));
    assert!(
        answer.has_field_error("password", "COMMON_PASSWORD"),
        "{:#}",
        answer.body
    );
    let answer = client
        .post_auth("/v1/unit/sub-accounts", admin, &sub_account_body(&[]))
        .await;
    assert!(
        answer.has_field_error("link_ids", "REQUIRED"),
        "{:#}",
        answer.body
    );

    // Only the administrator manages sub-accounts.
    let (sub, sub_token) = sub_account_session(&client, admin, &[a.clone(), b.clone()]).await;
    client
        .post_auth(
            "/v1/unit/sub-accounts",
            &sub_token,
            &sub_account_body(std::slice::from_ref(&a)),
        )
        .await
        .assert_problem(403, "FORBIDDEN");
    client
        .post_auth(
            "/v1/unit/sub-accounts",
            &other.admin_token,
            &sub_account_body(std::slice::from_ref(&a)),
        )
        .await
        .assert_problem(400, "VALIDATION_FAILED");
    client
        .get_auth("/v1/unit/sub-accounts", &sub_token)
        .await
        .assert_problem(403, "FORBIDDEN");

    // The administrator lists them; the other unit's administrator sees none of them.
    let (second, _) = add_sub_account(&client, admin, std::slice::from_ref(&c)).await;
    let listed = client
        .get_auth("/v1/unit/sub-accounts?limit=1", admin)
        .await;
    assert_eq!(listed.status, 200, "{:#}", listed.body);
    assert_eq!(
        listed.body["items"][0]["account_id"],
        sub.account_id.as_str()
    );
    assert_eq!(listed.body["items"][0]["link_ids"], json!([a, b]));
    assert_eq!(listed.body["items"][0]["must_change_password"], false);
    let masked = listed.body["items"][0]["phone"].as_str().unwrap();
    assert!(masked.contains("****") && !masked.contains(&sub.phone[3..7]));
    let cursor = listed.body["next_cursor"].as_str().unwrap();
    let next = client
        .get_auth(
            &format!("/v1/unit/sub-accounts?limit=1&cursor={cursor}"),
            admin,
        )
        .await;
    assert_eq!(
        next.body["items"][0]["account_id"],
        second.account_id.as_str()
    );
    let theirs = client
        .get_auth("/v1/unit/sub-accounts", &other.admin_token)
        .await;
    assert_eq!(theirs.body["items"], json!([]));

    // The sub-account sees its houses only, and declares under them.
    let me = client.get_auth("/v1/me", &sub_token).await;
    assert_eq!(me.body["role"], "sub_account");
    assert_eq!(me.body["link_ids"], json!([a, b]));
    let houses = client.get_auth("/v1/me/houses", &sub_token).await;
    let seen: Vec<&str> = houses.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["link_id"].as_str().unwrap())
        .collect();
    assert_eq!(seen, [a.as_str(), b.as_str()]);
    let page = client.get_auth("/v1/me/houses?limit=1", &sub_token).await;
    let cursor = page.body["next_cursor"].as_str().unwrap();
    let rest = client
        .get_auth(
            &format!("/v1/me/houses?limit=1&cursor={cursor}"),
            &sub_token,
        )
        .await;
    assert_eq!(rest.body["items"][0]["link_id"], b.as_str());
    assert!(rest.body["next_cursor"].is_null());

    let registration = declared(&client, &sub_token, &a, &resident_body()).await;
    assert_eq!(registration["declarant_name"], unit.opened["name"]);
    assert_eq!(registration["channel"], "online");
    declare(&client, &sub_token, &c, &resident_body())
        .await
        .assert_problem(404, "NOT_FOUND");
    declare(&client, &sub_token, &other.link_ids[0], &resident_body())
        .await
        .assert_problem(404, "NOT_FOUND");
    client
        .post_auth(
            "/v1/me/houses",
            &sub_token,
            &link_body(&unit.building.house_id("101"), "lessor"),
        )
        .await
        .assert_problem(403, "FORBIDDEN");
    client
        .post_auth(
            &format!("/v1/me/houses/{a}/deregistration"),
            &sub_token,
            &json!({"deregister_residents": false}),
        )
        .await
        .assert_problem(403, "FORBIDDEN");

    // The administrator sees every house's residents, the sub-account's declaration included;
    // the other unit sees nothing of it.
    let path = registration_path(&registration);
    assert_eq!(client.get_auth(&path, admin).await.status, 200);
    let listed = client.get_auth(&residents_path(&a), admin).await;
    assert_eq!(
        listed.body["items"][0]["registration_id"],
        registration["registration_id"]
    );
    let history = client.get_auth(&path, admin).await.body["history"][0]["by_account_id"].clone();
    assert_eq!(history, sub.account_id.as_str());
    for token in [&other.admin_token] {
        client
            .get_auth(&path, token)
            .await
            .assert_problem(404, "NOT_FOUND");
        client
            .get_auth(&residents_path(&a), token)
            .await
            .assert_problem(404, "NOT_FOUND");
    }
    // What the administrator declares under a house the sub-account does not have, it cannot see.
    let admin_declared = declared(&client, admin, &c, &resident_body()).await;
    client
        .get_auth(&registration_path(&admin_declared), &sub_token)
        .await
        .assert_problem(404, "NOT_FOUND");

    // Changing the houses takes effect at the next request.
    let changed = client
        .patch_auth(
            &sub_account_path(&sub.account_id),
            admin,
            &json!({"link_ids": [c]}),
        )
        .await;
    assert_eq!(changed.status, 200, "{:#}", changed.body);
    assert_eq!(changed.body["link_ids"], json!([c]));
    client
        .get_auth(&path, &sub_token)
        .await
        .assert_problem(404, "NOT_FOUND");
    assert_eq!(
        client
            .get_auth(&registration_path(&admin_declared), &sub_token)
            .await
            .status,
        200
    );
    // Every house can be taken away: the sub-account then sees none.
    let emptied = client
        .patch_auth(
            &sub_account_path(&sub.account_id),
            admin,
            &json!({"link_ids": []}),
        )
        .await;
    assert_eq!(emptied.body["link_ids"], json!([]));
    let houses = client.get_auth("/v1/me/houses", &sub_token).await;
    assert_eq!(houses.body["items"], json!([]));
    declare(&client, &sub_token, &c, &resident_body())
        .await
        .assert_problem(404, "NOT_FOUND");
}

#[tokio::test]
async fn sub_account_changes_and_deactivation() {
    let client = Client::new(stack());
    let (_, staff_token) = staff_session(&client).await;
    let unit = open_unit(&client, &staff_token, &["101", "102"]).await;
    let other = open_unit(&client, &staff_token, &["101"]).await;
    let admin = &unit.admin_token;
    let a = unit.link_ids[0].clone();
    let (sub, _) = sub_account_session(&client, admin, std::slice::from_ref(&a)).await;
    let path = sub_account_path(&sub.account_id);

    // Bad changes are refused; someone else's sub-account does not exist for the caller.
    let answer = client.patch_auth(&path, admin, &json!({})).await;
    assert!(
        answer.has_field_error("body", "NOTHING_TO_CHANGE"),
        "{:#}",
        answer.body
    );
    let answer = client
        .patch_auth(
            &path,
            admin,
            &json!({"real_name": "王2", "phone": "123", "link_ids": "x"}),
        )
        .await;
    for field in ["real_name", "phone", "link_ids"] {
        assert!(
            answer.field_errors().iter().any(|(f, _)| f == field),
            "{field}: {:#}",
            answer.body
        );
    }
    client
        .patch_auth(&path, &other.admin_token, &json!({"real_name": "王小三"}))
        .await
        .assert_problem(404, "NOT_FOUND");
    // A caller with no right to the sub-account learns nothing from validation.
    client
        .patch_auth(&path, &other.admin_token, &json!({}))
        .await
        .assert_problem(404, "NOT_FOUND");
    client
        .patch_auth(
            &sub_account_path(&unit.admin.account_id),
            admin,
            &json!({"real_name": "王小三"}),
        )
        .await
        .assert_problem(404, "NOT_FOUND");
    client
        .patch_auth(
            &sub_account_path("not-an-id"),
            admin,
            &json!({"real_name": "王小三"}),
        )
        .await
        .assert_problem(404, "NOT_FOUND");
    // A phone another unit account holds is taken; the same phone as now is no change.
    let (taken, _) =
        add_sub_account(&client, &other.admin_token, &[other.link_ids[0].clone()]).await;
    let answer = client
        .patch_auth(
            &path,
            admin,
            &with_phone_code(&client, admin, json!({"phone": taken.phone})).await,
        )
        .await;
    answer.assert_problem(409, "CONFLICT");
    assert!(answer.has_field_error("phone", "PHONE_TAKEN"));

    // Name and phone change; every device, even one trusted before, must verify the new phone.
    let trusted = fixtures::device_id();
    fixtures::login(&client, &sub, &trusted).await;
    let new_phone = fixtures::phone();
    // A new phone needs its holder's code.
    let unproven = client
        .patch_auth(&path, admin, &json!({"phone": new_phone}))
        .await;
    assert!(
        unproven.has_field_error("sms_code", "REQUIRED"),
        "{:#}",
        unproven.body
    );
    let changed = client
        .patch_auth(
            &path,
            admin,
            &with_phone_code(
                &client,
                admin,
                json!({"real_name": "王小三", "phone": new_phone}),
            )
            .await,
        )
        .await;
    assert_eq!(changed.status, 200, "{:#}", changed.body);
    assert_eq!(changed.body["real_name"], "王小三");
    assert_eq!(changed.body["link_ids"], json!([a]));
    let moved = User {
        phone: new_phone.clone(),
        ..sub.clone()
    };
    let again = client
        .post("/v1/sessions", &fixtures::login_body(&moved, &trusted))
        .await;
    again.assert_problem(401, "SMS_CODE_REQUIRED");
    assert_eq!(
        again.body["phone_hint"],
        format!("{}****{}", &new_phone[..3], &new_phone[7..])
    );
    let sub_token = fixtures::login(&client, &moved, &trusted).await;
    // The old phone is free for another unit account.
    let mut reuse = sub_account_body(std::slice::from_ref(&a));
    reuse["phone"] = json!(sub.phone);
    let reuse = with_phone_code(&client, admin, reuse).await;
    assert_eq!(
        client
            .post_auth("/v1/unit/sub-accounts", admin, &reuse)
            .await
            .status,
        201
    );

    // Two changes at once: neither writes back what the other changed. Whichever answered 200
    // is in the record; a loser answers 409 and changed nothing.
    let b = unit.link_ids[1].clone();
    let (more_houses, new_name) = (json!({"link_ids": [a, b]}), json!({"real_name": "王五"}));
    let (houses, name) = tokio::join!(
        client.patch_auth(&path, admin, &more_houses),
        client.patch_auth(&path, admin, &new_name),
    );
    assert!(
        [houses.status, name.status].contains(&reqwest::StatusCode::OK),
        "{:#} {:#}",
        houses.body,
        name.body
    );
    let listed = client.get_auth("/v1/unit/sub-accounts", admin).await;
    let record = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["account_id"] == sub.account_id.as_str())
        .unwrap()
        .clone();
    let expect_links = if houses.status == 200 {
        json!([a, b])
    } else {
        json!([a])
    };
    let expect_name = if name.status == 200 {
        "王五"
    } else {
        "王小三"
    };
    assert_eq!(record["link_ids"], expect_links);
    assert_eq!(record["real_name"], expect_name);
    for answer in [&houses, &name] {
        assert!(
            answer.status == 200 || answer.status == 409,
            "{:#}",
            answer.body
        );
    }
    client
        .patch_auth(&path, admin, &json!({"link_ids": [a]}))
        .await;

    // Deactivation: the session ends at once, the declarations stay, the login is refused.
    let registration = declared(&client, &sub_token, &a, &resident_body()).await;
    client
        .post_auth(
            &format!("{path}/deactivation"),
            &other.admin_token,
            &json!({}),
        )
        .await
        .assert_problem(404, "NOT_FOUND");
    let deactivated = client
        .send(
            Method::POST,
            &format!("{path}/deactivation"),
            Some(admin),
            None,
        )
        .await;
    assert_eq!(deactivated.status, 200, "{:#}", deactivated.body);
    assert_eq!(deactivated.body["status"], "deactivated");
    assert!(deactivated.body["deactivated_at"].is_string());
    client
        .get_auth("/v1/me/houses", &sub_token)
        .await
        .assert_problem(401, "UNAUTHENTICATED");
    client
        .post(
            "/v1/sessions",
            &fixtures::login_body(&moved, &fixtures::device_id()),
        )
        .await
        .assert_problem(403, "FORBIDDEN");
    let kept = client
        .get_auth(&registration_path(&registration), admin)
        .await;
    assert_eq!(kept.body["status"], "current");
    client
        .post_auth(&format!("{path}/deactivation"), admin, &json!({}))
        .await
        .assert_problem(409, "CONFLICT");
    client
        .patch_auth(&path, admin, &json!({"real_name": "王小四"}))
        .await
        .assert_problem(409, "CONFLICT");
    // Its phone is free again; its username stays taken.
    let mut again = sub_account_body(std::slice::from_ref(&a));
    again["phone"] = json!(new_phone);
    let again = with_phone_code(&client, admin, again).await;
    assert_eq!(
        client
            .post_auth("/v1/unit/sub-accounts", admin, &again)
            .await
            .status,
        201
    );
    let mut same_name = sub_account_body(&[a]);
    same_name["username"] = json!(sub.username);
    let same_name = with_phone_code(&client, admin, same_name).await;
    let answer = client
        .post_auth("/v1/unit/sub-accounts", admin, &same_name)
        .await;
    assert!(
        answer.has_field_error("username", "USERNAME_TAKEN"),
        "{:#}",
        answer.body
    );
}

/// Issue 28 (3): a unit administrator cannot spend a stranger's login codes. A sub-account gets
/// only a phone whose holder read out a `sub_account_phone` code (at most 3 a day to a phone,
/// whoever asks), and login codes are counted per account and phone: a sub-account logging in
/// from new devices on a number never spends the number's own account's login codes.
#[tokio::test]
async fn a_unit_administrator_cannot_spend_a_strangers_login_codes() {
    // The shared stack first: two stacks preparing the local staff account at once clash.
    stack();
    let stack = e2e_tests::start(&[
        ("SMS_RESEND_INTERVAL_SECONDS", "0"),
        ("SMS_DAILY_LIMIT_PER_PHONE", "3"),
    ]);
    let client = Client::new(&stack);
    let (_, staff_token) = staff_session(&client).await;
    let unit = open_unit(&client, &staff_token, &["101"]).await;
    let admin = &unit.admin_token;
    let stranger = fixtures::register(&client, "residence_registration").await;
    let sent_before = client.sms_delivered(&stranger.phone, 1).await.len();

    // A sub-account on the stranger's phone without its code, or with a made-up one: refused.
    let mut body = sub_account_body(&unit.link_ids);
    body["phone"] = json!(stranger.phone);
    body.as_object_mut().unwrap().remove("sms_code");
    let answer = client
        .post_auth("/v1/unit/sub-accounts", admin, &body)
        .await;
    assert!(
        answer.has_field_error("sms_code", "REQUIRED"),
        "{:#}",
        answer.body
    );
    body["sms_code"] = json!("123456");
    client
        .post_auth("/v1/unit/sub-accounts", admin, &body)
        .await
        .assert_problem(400, "SMS_CODE_INVALID");

    // Only a unit administrator asks for the phone's code, and a phone gets 3 a day at most.
    let request = json!({"phone": stranger.phone, "purpose": "sub_account_phone"});
    client
        .post("/v1/sms-codes", &request)
        .await
        .assert_problem(401, "UNAUTHENTICATED");
    let (_, citizen) = fixtures::logged_in(&client, "residence_registration").await;
    client
        .post_auth("/v1/sms-codes", &citizen, &request)
        .await
        .assert_problem(403, "FORBIDDEN");
    let mut code = String::new();
    for _ in 0..3 {
        code = fixtures::session_code(&client, admin, &stranger.phone, "sub_account_phone").await;
    }
    let fourth = client.post_auth("/v1/sms-codes", admin, &request).await;
    fourth.assert_problem(429, "RATE_LIMITED");
    let other = open_unit(&client, &staff_token, &["101"]).await;
    client
        .post_auth("/v1/sms-codes", &other.admin_token, &request)
        .await
        .assert_problem(429, "RATE_LIMITED");
    // Another administrator's code proves nothing to this one.
    let mut elsewhere = sub_account_body(&other.link_ids);
    elsewhere["phone"] = json!(stranger.phone);
    elsewhere["sms_code"] = json!(code);
    client
        .post_auth("/v1/unit/sub-accounts", &other.admin_token, &elsewhere)
        .await
        .assert_problem(400, "SMS_CODE_INVALID");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        client.sms_messages(&stranger.phone).await.len(),
        sent_before + 3,
        "nothing but the three phone codes reached the stranger"
    );
    // The stranger still logs in on a new device.
    fixtures::login(&client, &stranger, &fixtures::device_id()).await;

    // Now the holder agrees (reads out the code): the sub-account is added on that phone. Its
    // logins on new devices spend its own login codes (3 a day here), never the holder's
    // personal account's.
    body["sms_code"] = json!(code);
    let added = client
        .post_auth("/v1/unit/sub-accounts", admin, &body)
        .await;
    assert_eq!(added.status, 201, "{:#}", added.body);
    assert_eq!(added.body["phone_confirmed"], true);
    let sub = User {
        account_id: added.body["account_id"].as_str().unwrap().to_owned(),
        account_type: "residence_registration".into(),
        username: body["username"].as_str().unwrap().to_owned(),
        password: PASSWORD.into(),
        phone: stranger.phone.clone(),
        id_number: String::new(),
        role: Some("sub_account".into()),
    };
    for _ in 0..3 {
        fixtures::login_code(&client, &sub, &fixtures::device_id()).await;
    }
    let first = client
        .post(
            "/v1/sessions",
            &fixtures::login_body(&sub, &fixtures::device_id()),
        )
        .await;
    first.assert_problem(401, "SMS_CODE_REQUIRED");
    let ticket = first.body["login_ticket"].as_str().unwrap();
    client
        .post(
            "/v1/sms-codes",
            &json!({"phone": sub.phone, "purpose": "login", "login_ticket": ticket}),
        )
        .await
        .assert_problem(429, "RATE_LIMITED");
    fixtures::login(&client, &stranger, &fixtures::device_id()).await;
}
