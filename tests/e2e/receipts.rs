//! Receipts (F17, F24): the PDF of a declaration, read back with poppler's `pdftotext`, and the
//! public check that a receipt is genuine.

use e2e_tests::residents::{
    Declared, declared_under_new_link, end, moved_out_today, registration_path, resident_body,
    today,
};
use e2e_tests::{Client, stack, start};
use serde_json::{Value, json};

use e2e_tests::pdf::text as pdf_text;

fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

async fn receipt_text(client: &Client, token: &str, registration: &Value) -> String {
    let answer = client
        .get_auth(
            &format!("{}/receipt", registration_path(registration)),
            token,
        )
        .await;
    assert_eq!(answer.status, 200, "{:#}", answer.body);
    assert_eq!(answer.content_type(), "application/pdf");
    assert!(answer.bytes.starts_with(b"%PDF-"));
    assert!(
        answer.bytes.len() <= 100 * 1024,
        "a receipt is at most 100 KB, this one {} bytes",
        answer.bytes.len()
    );
    pdf_text(&answer.bytes)
}

#[tokio::test]
async fn the_receipt_pdf_shows_what_was_declared_and_its_status() {
    let client = Client::new(stack());
    let Declared {
        staff_token: staff,
        token,
        link: approved,
        body,
        registration,
    } = declared_under_new_link(&client, resident_body()).await;

    let text = receipt_text(&client, &token, &registration).await;
    let id_number = body["id_number"].as_str().unwrap();
    let house = &approved["house"];
    for expected in [
        "深圳经济特区居住登记申报回执".to_owned(),
        registration["receipt_no"].as_str().unwrap().to_owned(),
        registration["check_code"].as_str().unwrap().to_owned(),
        "张三（出租人）".to_owned(),
        squash(house["address"].as_str().unwrap()),
        squash(house["building_name"].as_str().unwrap()),
        house["room"].as_str().unwrap().to_owned(),
        "王小明".to_owned(),
        format!(
            "居民身份证{}**********{}",
            &id_number[..4],
            &id_number[14..]
        ),
        shared::domain::date::printed(today()),
        "有效（在住）".to_owned(),
        "签发机关深圳市公安局".to_owned(),
        "深圳市".to_owned(),
    ] {
        assert!(text.contains(&expected), "{expected} in {text}");
    }
    assert!(
        !text.contains(id_number),
        "the full ID number is never printed"
    );
    // The time of declaration, in China time.
    let declared_at =
        chrono::DateTime::parse_from_rfc3339(registration["declared_at"].as_str().unwrap())
            .unwrap()
            .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
            .format("%Y年%m月%d日%H:%M:%S")
            .to_string();
    assert!(text.contains(&declared_at), "{declared_at} in {text}");

    // Staff print it too; a voided registration's receipt says so.
    let answer = end(
        &client,
        &token,
        &registration,
        &json!({"reason": "info_error"}),
    )
    .await;
    assert_eq!(answer.status, 200);
    let text = receipt_text(&client, &staff, &registration).await;
    assert!(text.contains("已作废"), "{text}");
}

#[tokio::test]
async fn anyone_can_check_a_receipt_and_learns_only_what_it_certifies() {
    let client = Client::new(stack());
    let Declared {
        token,
        body,
        registration,
        ..
    } = declared_under_new_link(&client, resident_body()).await;
    let receipt_no = registration["receipt_no"].as_str().unwrap();
    let check_code = registration["check_code"].as_str().unwrap();

    let genuine = client
        .get(&format!(
            "/v1/receipts/{receipt_no}?check_code={check_code}"
        ))
        .await;
    assert_eq!(genuine.status, 200, "{:#}", genuine.body);
    assert_eq!(genuine.body["genuine"], true);
    assert_eq!(genuine.body["status"], "current");
    assert_eq!(genuine.body["resident_name"], "王**");
    assert_eq!(genuine.body["declarant_name"], "张*");
    let id_number = body["id_number"].as_str().unwrap();
    assert_eq!(
        genuine.body["id_number"],
        format!("{}**********{}", &id_number[..4], &id_number[14..])
    );
    assert_eq!(genuine.body["moved_in_on"], today().to_string());
    assert!(
        !genuine
            .body
            .to_string()
            .contains(body["phone"].as_str().unwrap())
    );
    // As people type it: lower case is forgiven.
    let typed = client
        .get(&format!(
            "/v1/receipts/{}?check_code={}",
            receipt_no.to_lowercase(),
            check_code.to_lowercase()
        ))
        .await;
    assert_eq!(typed.body["genuine"], true);

    // A wrong code and an unknown number answer alike, and tell nothing.
    let wrong_code = if check_code.starts_with('A') {
        "B"
    } else {
        "A"
    };
    for path in [
        format!(
            "/v1/receipts/{receipt_no}?check_code={wrong_code}{}",
            &check_code[1..]
        ),
        format!("/v1/receipts/20200101-0000000000?check_code={check_code}"),
    ] {
        let answer = client.get(&path).await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);
        assert_eq!(answer.body["genuine"], false);
        assert!(answer.body.get("resident_name").is_none());
    }
    client
        .get("/v1/receipts/not-a-receipt?check_code=ABCDEFGH")
        .await
        .assert_problem(400, "VALIDATION_FAILED");
    let missing = client.get(&format!("/v1/receipts/{receipt_no}")).await;
    assert!(missing.has_field_error("check_code", "REQUIRED"));

    // The check shows the registration's current status.
    moved_out_today(&client, &token, &registration).await;
    let later = client
        .get(&format!(
            "/v1/receipts/{receipt_no}?check_code={check_code}"
        ))
        .await;
    assert_eq!(later.body["status"], "moved_out");
    assert_eq!(later.body["moved_out_on"], today().to_string());
}

#[tokio::test]
async fn receipt_checks_are_rate_limited_per_client() {
    let limited = start(&[("RECEIPT_CHECKS_PER_MINUTE", "3")]);
    let client = Client::new(&limited);
    for _ in 0..3 {
        let answer = client
            .get("/v1/receipts/20261127-7K3M9QXA2B?check_code=ABCDEFGH")
            .await;
        assert_eq!(answer.status, 200, "{:#}", answer.body);
    }
    let refused = client
        .get("/v1/receipts/20261127-7K3M9QXA2B?check_code=ABCDEFGH")
        .await;
    refused.assert_problem(429, "RATE_LIMITED");
    assert!(refused.headers.contains_key("retry-after"));
    // Another client is not affected.
    let other = Client::new(&limited);
    assert_eq!(
        other
            .get("/v1/receipts/20261127-7K3M9QXA2B?check_code=ABCDEFGH")
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn a_name_the_font_cannot_draw_is_printed_with_a_stand_in_and_a_note() {
    let client = Client::new(stack());
    let mut body = resident_body();
    body["name"] = json!("\u{20BB7}田一郎");
    let Declared {
        token,
        registration,
        ..
    } = declared_under_new_link(&client, body).await;
    assert_eq!(
        registration["resident"]["name"], "\u{20BB7}田一郎",
        "the record keeps the real name"
    );

    let text = receipt_text(&client, &token, &registration).await;
    assert!(text.contains("□田一郎"), "{text}");
    assert!(text.contains("生僻字"), "{text}");
}

#[tokio::test]
async fn the_receipts_qr_code_scans_to_its_signed_verification_page() {
    let client = Client::new(stack());
    let Declared {
        token,
        registration,
        ..
    } = declared_under_new_link(&client, resident_body()).await;
    let answer = client
        .get_auth(
            &format!("{}/receipt", registration_path(&registration)),
            &token,
        )
        .await;
    assert_eq!(answer.status, 200, "{:#}", answer.body);
    let codes = e2e_tests::pdf::qr_codes(&answer.bytes);
    let url = registration["verification_url"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("{}/v1/verify/", client.stack.base_url)),
        "{url}"
    );
    assert_eq!(codes, vec![url.to_owned()]);
    // Followed, as a phone would: the page says the receipt is genuine.
    let page = client
        .get(&e2e_tests::documents::page_path(
            &registration["verification_url"],
        ))
        .await;
    assert_eq!(page.status, 200);
    let html = String::from_utf8(page.bytes).unwrap();
    assert!(html.contains("data-genuine=\"true\""), "{html}");
    assert!(html.contains(registration["receipt_no"].as_str().unwrap()));
}
