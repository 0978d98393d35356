//! Documents an officer can check (issue 31): the page a QR code opens, the signature checked
//! with nothing but the published keys, a retired key's documents, the KMS signer, and each
//! page view recorded for the document's holder.

use base64::Engine;
use e2e_tests::documents::{kms_document_key, page_path, token_of};
use e2e_tests::houses::{approved_link, staff_session, verify_at_counter};
use e2e_tests::residents::{
    Declared, declared, declared_under_new_link, holder_body, resident_body,
};
use e2e_tests::{Client, fixtures, stack, start};
use serde_json::Value;
use shared::crypto::{base64url, base64url_decode};
use shared::documents::keys::{Sm2Key, key_id_of, verify};
use shared::documents::{Algorithm, Sealed};

/// The published key `kid`, as a police app would read it from `GET /v1/document-keys`.
async fn published_key(client: &Client, kid: &str) -> (Algorithm, Vec<u8>, String) {
    let mut path = "/v1/document-keys?limit=100".to_owned();
    loop {
        let page = client.get(&path).await;
        assert_eq!(page.status, 200, "{:#}", page.body);
        if let Some(key) = page.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["kid"] == kid)
        {
            let alg: Algorithm =
                serde_json::from_value(key["alg"].clone()).expect("SM2-SM3 or ES256");
            let der = base64::engine::general_purpose::STANDARD
                .decode(key["public_key"].as_str().unwrap())
                .unwrap();
            return (alg, der, key["status"].as_str().unwrap().to_owned());
        }
        match page.body["next_cursor"].as_str() {
            Some(cursor) => path = format!("/v1/document-keys?limit=100&cursor={cursor}"),
            None => panic!("{kid} is not published"),
        }
    }
}

/// The receipt PDF of a declaration, as its declarant prints it.
async fn receipt_pdf(client: &Client, declared: &Declared) -> Vec<u8> {
    let pdf = client
        .get_auth(
            &format!(
                "{}/receipt",
                e2e_tests::residents::registration_path(&declared.registration)
            ),
            &declared.token,
        )
        .await;
    assert_eq!(pdf.status, 200, "{:#}", pdf.body);
    pdf.bytes
}

/// The one QR code of a rendered PDF (pdftoppm and ZXing, as a phone's camera reads it).
fn the_qr_code(pdf: &[u8]) -> String {
    let codes = e2e_tests::pdf::qr_codes(pdf);
    assert_eq!(codes.len(), 1, "{codes:?}");
    codes.into_iter().next().unwrap()
}

/// A page's HTML.
async fn page(client: &Client, path: &str) -> (u16, String, e2e_tests::Answer) {
    let answer = client.get(path).await;
    let html = String::from_utf8(answer.bytes.clone()).expect("UTF-8 HTML");
    (answer.status.as_u16(), html, answer)
}

/// Offline: the token's signature checked with nothing but the published key.
async fn verifies_offline(client: &Client, token: &str) -> bool {
    let Ok(sealed) = Sealed::parse(token) else {
        return false;
    };
    let (alg, der, _) = published_key(client, &sealed.payload.kid).await;
    verify(alg, &der, &sealed.signed_bytes, &sealed.signature).is_ok()
}

/// `token` with one byte of its payload changed.
fn one_byte_changed(token: &str) -> String {
    let (payload, signature) = token.split_once('.').unwrap();
    let mut bytes = base64url_decode(payload).unwrap();
    // A digit of the issue date: still a well-formed payload, no longer the signed one.
    let at = bytes
        .windows(6)
        .position(|w| w == b"\"iat\":")
        .expect("an issue date")
        + 7;
    bytes[at] = if bytes[at] == b'1' { b'2' } else { b'1' };
    format!("{}.{signature}", base64url(&bytes))
}

#[tokio::test]
async fn a_receipt_verifies_with_the_published_key_alone_and_fails_after_one_byte_changes() {
    let client = Client::new(stack());
    let declared = declared_under_new_link(&client, resident_body()).await;
    let registration = &declared.registration;
    // What a phone reads off the printed receipt: the QR code of its rendered PDF.
    let code = the_qr_code(&receipt_pdf(&client, &declared).await);
    let url = code.as_str();
    assert_eq!(url, registration["verification_url"].as_str().unwrap());
    let token = token_of(url);

    // Offline: the published key alone.
    assert!(verifies_offline(&client, token).await);
    let sealed = Sealed::parse(token).unwrap();
    assert_eq!(sealed.payload.no, registration["receipt_no"]);
    assert_eq!(sealed.payload.name, "王**");
    assert_eq!(
        sealed.payload.moved_in_on.unwrap().to_string(),
        registration["moved_in_on"].as_str().unwrap()
    );
    let (alg, _, status) = published_key(&client, &sealed.payload.kid).await;
    assert_eq!(alg, Algorithm::Sm2Sm3, "the local stack signs with SM2");
    assert_eq!(status, "active");
    // Nothing of the holder beyond what an officer compares: no full ID number, no address.
    let payload = String::from_utf8(sealed.signed_bytes.clone()).unwrap();
    let id_number = declared.body["id_number"].as_str().unwrap();
    assert!(!payload.contains(id_number), "{payload}");
    assert!(!payload.contains("深圳市"), "{payload}");

    // Online: the page, genuine, live, in Chinese, for a phone.
    let (status, html, answer) = page(&client, &page_path(&registration["verification_url"])).await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(answer.content_type(), "text/html; charset=utf-8");
    assert_eq!(answer.headers["cache-control"], "no-store");
    let policy = answer.headers["content-security-policy"].to_str().unwrap();
    assert!(policy.starts_with("default-src 'none';"), "{policy}");
    assert!(!html.contains("<script"));
    for expected in [
        "lang=\"zh-CN\"",
        "data-genuine=\"true\"",
        "有效（在住）",
        "王**",
        "深圳市公安局",
        registration["receipt_no"].as_str().unwrap(),
        &shared::domain::date::printed(
            chrono::NaiveDate::parse_from_str(
                registration["moved_in_on"].as_str().unwrap(),
                "%Y-%m-%d",
            )
            .unwrap(),
        ),
    ] {
        assert!(html.contains(expected), "{expected} in {html}");
    }
    assert!(
        !html.contains(id_number),
        "the full ID number is never shown"
    );

    // One byte changed: the signature fails offline, and the page says "not genuine" and
    // nothing else.
    let forged = one_byte_changed(token);
    assert!(Sealed::parse(&forged).is_ok(), "still a well-formed token");
    assert!(!verifies_offline(&client, &forged).await);
    let (status, html, _) = page(&client, &format!("/v1/verify/{forged}")).await;
    assert_eq!(status, 404);
    assert!(html.contains("data-genuine=\"false\""), "{html}");
    assert!(!html.contains(registration["receipt_no"].as_str().unwrap()));
    assert!(!html.contains("王"));
    for junk in ["x", "a.b", &"A".repeat(2000)] {
        let (status, html, _) = page(&client, &format!("/v1/verify/{junk}")).await;
        assert_eq!(status, 404, "{junk}");
        assert!(!junk.is_empty() && html.contains("未通过核验"), "{html}");
    }
}

/// A key of the test's own, published with `status`, that signs `payload` (JSON) as a token.
async fn own_key_token(client: &Client, payload: &Value, published: Option<&str>) -> String {
    let key = Sm2Key::from_hex(&Sm2Key::generate_hex()).unwrap();
    let kid = key_id_of(&key.public_key());
    if let Some(status) = published {
        let mut record = shared::store::document_keys::DocumentKeyRecord::active(
            &kid,
            Algorithm::Sm2Sm3,
            &key.public_key(),
            &shared::clock::rfc3339(shared::clock::now()),
        );
        if status == "retired" {
            record.status = shared::documents::KeyStatus::Retired;
            record.retired_at = Some(record.published_at.clone());
        }
        shared::store::document_keys::put(&client.stack.context().db, &record)
            .await
            .unwrap();
    }
    let mut payload = payload.clone();
    payload["kid"] = kid.into();
    let bytes = serde_json::to_vec(&payload).unwrap();
    shared::documents::seal::token(&bytes, &key.sign(&bytes))
}

#[tokio::test]
async fn a_document_signed_with_a_retired_key_still_verifies_and_an_unpublished_key_does_not() {
    let client = Client::new(stack());
    let declared = declared_under_new_link(&client, resident_body()).await;
    let token = token_of(declared.registration["verification_url"].as_str().unwrap());
    let sealed = Sealed::parse(token).unwrap();
    let payload = serde_json::to_value(&sealed.payload).unwrap();

    let retired = own_key_token(&client, &payload, Some("retired")).await;
    let kid = Sealed::parse(&retired).unwrap().payload.kid;
    let (_, _, status) = published_key(&client, &kid).await;
    assert_eq!(status, "retired", "listed, retired");
    assert!(verifies_offline(&client, &retired).await);
    let (status, html, _) = page(&client, &format!("/v1/verify/{retired}")).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("data-genuine=\"true\""));
    assert!(html.contains("停用前签发的证件仍可核验"), "{html}");

    // A key nobody published: not genuine, whatever it signs.
    let unpublished = own_key_token(&client, &payload, None).await;
    let (status, html, _) = page(&client, &format!("/v1/verify/{unpublished}")).await;
    assert_eq!(status, 404);
    assert!(html.contains("data-genuine=\"false\""));

    // A published key, a document that does not exist: not genuine.
    let mut nothing = payload.clone();
    nothing["no"] = "20200101-0000000000".into();
    let unknown = own_key_token(&client, &nothing, Some("active")).await;
    let (status, _, _) = page(&client, &format!("/v1/verify/{unknown}")).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn each_page_view_of_a_persons_document_is_in_their_data_access() {
    let client = Client::new(stack());
    let (_, staff) = staff_session(&client).await;
    let (holder, token) = fixtures::logged_in(&client, "residence_permit").await;
    verify_at_counter(&client, &staff, &holder.account_id).await;
    let (_, landlord, link) = approved_link(&client, &staff).await;
    let registration = declared(
        &client,
        &landlord,
        link["link_id"].as_str().unwrap(),
        &holder_body(&holder),
    )
    .await;
    let (status, _, _) = page(&client, &page_path(&registration["verification_url"])).await;
    assert_eq!(status, 200);
    let access = client.get_auth("/v1/me/data-access", &token).await;
    assert_eq!(access.status, 200, "{:#}", access.body);
    let views: Vec<&Value> = access.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["processing"] == "verified")
        .collect();
    assert_eq!(views.len(), 1, "{:#}", access.body);
    assert_eq!(views[0]["subject"]["kind"], "registration");
    assert_eq!(views[0]["subject"]["id"], registration["registration_id"]);
    assert_eq!(views[0]["processor"]["kind"], "document_check");
    assert_eq!(views[0]["processing_label"], "核验");
}

#[tokio::test]
async fn a_stack_signing_in_kms_signs_each_document_once_when_it_is_issued() {
    let key = kms_document_key(stack()).await;
    let variables = key.variables();
    let mut overrides: Vec<(&str, &str)> =
        variables.iter().map(|(k, v)| (*k, v.as_str())).collect();
    overrides.push(("LOCAL_DOCUMENT_SIGNING_KEY", ""));
    let kms_stack = start(&overrides);
    let client = Client::new(&kms_stack);
    let signs = || kms_stack.operation_counts().kms_signs;

    let before = signs();
    let declared = declared_under_new_link(&client, resident_body()).await;
    assert_eq!(signs(), before + 1, "one signature for one receipt");
    let token = token_of(declared.registration["verification_url"].as_str().unwrap());
    let sealed = Sealed::parse(token).unwrap();
    assert_eq!(sealed.payload.kid, key.kid);
    let (alg, _, _) = published_key(&client, &key.kid).await;
    assert_eq!(alg, Algorithm::Es256);
    assert!(verifies_offline(&client, token).await);
    // Printed twice, viewed on the page: never signed again.
    for _ in 0..2 {
        receipt_pdf(&client, &declared).await;
    }
    let (status, html, _) = page(
        &client,
        &page_path(&declared.registration["verification_url"]),
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("ECDSA P-256"), "{html}");
    assert_eq!(signs(), before + 1, "never per render");
}

#[tokio::test]
async fn a_permits_page_and_card_show_the_photo_the_studio_took_and_the_json_check_does_not() {
    let client = Client::new(stack());
    let (_, staff) = staff_session(&client).await;
    let (holder, token) = e2e_tests::permits::eligible_holder(&client, &staff).await;
    let (_, permit) = e2e_tests::permits::issued_permit(&client, &holder, &token).await;
    let studio = infra::local::identity_registry::portrait_of(
        shared::domain::id_document::IdType::ResidentId,
        &holder.id_number,
    );

    // The page: genuine, active, the masked name, and the studio's photo inline.
    let (status, html, _) = page(&client, &page_path(&permit["verification_url"])).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("id=\"photo\""), "{html}");
    let inline = base64::engine::general_purpose::STANDARD.encode(&studio);
    assert!(
        html.contains(&format!("data:image/jpeg;base64,{inline}")),
        "the studio's photo"
    );
    assert!(html.contains("有效（有效期至"), "{html}");
    assert!(html.contains("张*"), "{html}");

    // The card: the same JPEG, embedded as it is.
    let card = client.get_auth("/v1/me/permit/card", &token).await;
    assert_eq!(card.status, 200);
    assert!(
        card.bytes
            .windows(studio.len())
            .any(|w| w == studio.as_slice()),
        "the photo on the card"
    );
    assert!(e2e_tests::pdf::text(&card.bytes).contains("深圳经济特区居住证"));

    // The JSON check and the stored permit carry no photo; the stored photo is sealed.
    let no = permit["permit_no"].as_str().unwrap();
    let checked = client
        .get(&format!(
            "/v1/permits/{no}?check_code={}",
            permit["check_code"].as_str().unwrap()
        ))
        .await;
    assert!(
        !checked.body.to_string().contains("photo"),
        "{:#}",
        checked.body
    );
    let sealed = shared::store::permits::sealed_photo(
        &client.stack.context().db,
        &shared::domain::residence_permit::PermitNo::parse(no).unwrap(),
    )
    .await
    .unwrap()
    .expect("kept with the permit");
    assert!(
        !sealed
            .windows(16)
            .any(|w| studio.windows(16).next() == Some(w)),
        "encrypted"
    );
}

/// Where the tests keep what a person should look at (the pages' screenshots):
/// `TEST_ARTIFACTS_DIR`, or `test-artifacts` under the build directory.
fn artifacts_dir() -> std::path::PathBuf {
    let dir = std::env::var_os("TEST_ARTIFACTS_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(
                std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into()),
            )
            .join("test-artifacts")
        });
    std::fs::create_dir_all(&dir).expect("the artifacts directory");
    dir
}

/// Headless Chromium (Debian's `chromium`, which `.ci/run` installs) on `url`, as a phone
/// would open it: `what` is `--dump-dom` (the DOM after the page loaded, on stdout) or
/// `--screenshot=FILE`. Its stderr is returned too (where it reports a blocked style or image).
async fn chromium(url: &str, what: &str) -> (String, String) {
    let profile = std::env::temp_dir().join(format!("chromium-{}", uuid::Uuid::new_v4()));
    let run = tokio::process::Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--hide-scrollbars",
            "--window-size=412,1100",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(what)
        .arg(url)
        .output()
        .await;
    let _ = std::fs::remove_dir_all(&profile);
    let out = match run {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "chromium not found: the page tests open the verification pages in headless Chromium \
             (Debian: apt-get install chromium; .ci/run installs it)"
        ),
        Err(e) => panic!("chromium: {e}"),
    };
    assert!(
        out.status.success(),
        "chromium: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The DOM a browser builds of `url`, checked free of policy violations, and a screenshot of
/// it kept as `name`.png.
async fn seen_in_a_browser(url: &str, name: &str) -> String {
    let (dom, log) = chromium(url, "--dump-dom").await;
    assert!(
        !log.contains("Content Security Policy") && !log.contains("Content-Security-Policy"),
        "the page's own style and photo pass its policy: {log}"
    );
    let shot = artifacts_dir().join(format!("{name}.png"));
    chromium(url, &format!("--screenshot={}", shot.display())).await;
    let png = std::fs::read(&shot).expect("the screenshot");
    assert!(png.starts_with(b"\x89PNG"), "{}", shot.display());
    println!("screenshot: {}", shot.display());
    dom
}

#[tokio::test]
async fn a_phone_browser_opens_the_qr_codes_of_a_receipt_and_a_card_and_a_tampered_one() {
    let client = Client::new(stack());
    // A receipt: its PDF, its QR code, the page in Chromium.
    let declared = declared_under_new_link(&client, resident_body()).await;
    let code = the_qr_code(&receipt_pdf(&client, &declared).await);
    let dom = seen_in_a_browser(&code, "verification-page-receipt").await;
    for expected in [
        "data-genuine=\"true\"",
        "有效（在住）",
        "王**",
        declared.registration["receipt_no"].as_str().unwrap(),
    ] {
        assert!(dom.contains(expected), "{expected} in {dom}");
    }

    // A permit card: the page shows the photo.
    let (_, staff) = staff_session(&client).await;
    let (holder, token) = e2e_tests::permits::eligible_holder(&client, &staff).await;
    e2e_tests::permits::issued_permit(&client, &holder, &token).await;
    let card = client.get_auth("/v1/me/permit/card", &token).await;
    let code = the_qr_code(&card.bytes);
    let dom = seen_in_a_browser(&code, "verification-page-permit").await;
    for expected in [
        "data-genuine=\"true\"",
        "id=\"photo\"",
        "src=\"data:image/jpeg;base64,",
        "张*",
        "有效（有效期至",
    ] {
        assert!(dom.contains(expected), "{expected} in {dom}");
    }

    // The card's code with one character of its payload changed: not genuine, nothing shown.
    let url = &code;
    let at = url.find("/v1/verify/").unwrap() + "/v1/verify/".len() + 20;
    let mut tampered = url.clone().into_bytes();
    tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let dom = seen_in_a_browser(&tampered, "verification-page-tampered").await;
    assert!(dom.contains("data-genuine=\"false\""), "{dom}");
    assert!(dom.contains("未通过核验"), "{dom}");
    assert!(
        !dom.contains("张*") && !dom.contains("id=\"photo\""),
        "{dom}"
    );
}

#[tokio::test]
async fn a_corrected_family_name_issues_the_receipt_again_and_the_old_code_shows_the_registration_now()
 {
    let client = Client::new(stack());
    let declared = declared_under_new_link(&client, resident_body()).await;
    let before = declared.registration["verification_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = e2e_tests::residents::registration_path(&declared.registration);
    // Another field: the same receipt, not signed again.
    let occupation = client
        .patch_auth(
            &path,
            &declared.token,
            &serde_json::json!({"version": 1, "occupation": "教师"}),
        )
        .await;
    assert_eq!(occupation.status, 200, "{:#}", occupation.body);
    assert_eq!(occupation.body["verification_url"], before.as_str());
    // The family name corrected: a new signature naming 李.
    let renamed = client
        .patch_auth(
            &path,
            &declared.token,
            &serde_json::json!({"version": 2, "name": "李小明"}),
        )
        .await;
    assert_eq!(renamed.status, 200, "{:#}", renamed.body);
    let after = renamed.body["verification_url"].as_str().unwrap();
    assert_ne!(after, before);
    assert_eq!(Sealed::parse(token_of(after)).unwrap().payload.name, "李**");
    assert_eq!(the_qr_code(&receipt_pdf(&client, &declared).await), after);
    // The old code is still the platform's: its page shows the registration as it is now.
    let (status, html, _) = page(&client, &format!("/v1/verify/{}", token_of(&before))).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("李**") && !html.contains("王**"), "{html}");
}
