//! The verification page a document's QR code opens (issue 31): HTML in Simplified Chinese for a
//! phone, readable by an older officer or resident (适老化: large type, high contrast, the verdict
//! in words and not by colour alone, no script), with no third-party asset. The only style is
//! inline and named by its hash in a strict `Content-Security-Policy`; the only image is the
//! holder's photo, inline (`data:`). Every answer is `no-store`: the page shows a live status.

use std::sync::LazyLock;

use base64::Engine;
use lambda_http::{Body, Response};
use sha2::{Digest, Sha256};

use super::response::ApiResult;
use crate::documents::{Algorithm, KeyStatus};
use crate::domain::date::printed;
use crate::domain::issuer::{ISSUING_AUTHORITY, PLATFORM};
use crate::domain::registration::RegistrationStatus;
use crate::domain::residence_permit::PermitStatus;
use crate::error::ApiError;
use crate::services::documents::{PermitPage, ReceiptPage, SignedBy, Verification};

const STYLE: &str = "\
html{font-size:20px}\
body{margin:0;padding:16px;font-family:system-ui,\"PingFang SC\",\"Noto Sans CJK SC\",\"Microsoft YaHei\",sans-serif;\
color:#000;background:#fff;line-height:1.6}\
main{max-width:40rem;margin:0 auto}\
h1{font-size:1.4rem;margin:0 0 .8rem}\
.verdict{font-size:1.3rem;font-weight:700;padding:.8rem 1rem;border:4px solid;margin:0 0 1rem}\
.genuine{color:#0a4d0a;border-color:#0a4d0a;background:#eaf6ea}\
.not-genuine{color:#8b0000;border-color:#8b0000;background:#fdecec}\
.status{font-size:1.2rem;font-weight:700}\
dl{margin:0;display:grid;grid-template-columns:auto 1fr;gap:.4rem 1rem}\
dt{font-weight:700}dd{margin:0;word-break:break-all}\
img{display:block;width:8rem;height:auto;border:2px solid #000;margin:0 0 1rem}\
.note{font-size:.9rem;margin-top:1.2rem;border-top:2px solid #000;padding-top:.6rem}";

/// `Content-Security-Policy`: nothing but the page's own style (by its hash) and inline images.
static POLICY: LazyLock<String> = LazyLock::new(|| {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE));
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; img-src data:; base-uri 'none'; \
         form-action 'none'; frame-ancestors 'none'"
    )
});

/// The verification page of what a token proved: 200 for a genuine document, 404 otherwise.
pub fn verification(verification: &Verification, checked_at: &str) -> ApiResult {
    match verification {
        Verification::NotGenuine => page(404, "证件核验结果", &not_genuine()),
        Verification::Receipt(receipt) => page(
            200,
            "居住登记申报回执核验结果",
            &receipt_body(receipt, checked_at),
        ),
        Verification::Permit(permit) => {
            page(200, "居住证核验结果", &permit_body(permit, checked_at))
        }
    }
}

/// A page for an error (a limit reached, the service down): what to do, with its status and
/// `Retry-After`.
pub fn error(error: &ApiError) -> Response<Body> {
    let body = format!(
        "<p class=\"verdict not-genuine\" id=\"verdict\" data-genuine=\"unknown\">暂时无法核验</p>\
         <p>{}</p><p>请稍后重新扫描二维码。</p>",
        escape(error.title())
    );
    let mut response = page(error.status(), "证件核验", &body).unwrap_or_else(|_| {
        Response::builder()
            .status(500)
            .body(Body::Empty)
            .expect("static response parts are valid")
    });
    if let Some(seconds) = error.retry_after()
        && let Ok(value) = http::HeaderValue::from_str(&seconds.to_string())
    {
        response
            .headers_mut()
            .insert(http::header::RETRY_AFTER, value);
    }
    response
}

fn not_genuine() -> String {
    format!(
        "<p class=\"verdict not-genuine\" id=\"verdict\" data-genuine=\"false\">✘ 未通过核验：不是有效证件</p>\
         <p>此二维码不是{PLATFORM}签发的证件，或其内容已被改动，或证件不存在。请勿采信该证件，\
         可向签发机关（{ISSUING_AUTHORITY}）核实。</p>"
    )
}

fn receipt_body(r: &ReceiptPage, checked_at: &str) -> String {
    let status_class = match r.status {
        RegistrationStatus::Current => "genuine",
        _ => "not-genuine",
    };
    let mut rows = vec![
        ("回执编号", r.receipt_no.clone()),
        ("住户姓名", r.resident_name.clone()),
        ("证件", format!("{} {}", r.id_type, r.id_number)),
        ("居住地址", r.house_address.clone()),
        ("入住日期", printed(r.moved_in_on)),
    ];
    if let Some(on) = r.moved_out_on {
        rows.push(("搬离日期", printed(on)));
    }
    rows.push(("申报日期", printed(r.declared_on)));
    if r.late {
        rows.push(("备注", "逾期申报".to_owned()));
    }
    rows.push(("签发机关", ISSUING_AUTHORITY.to_owned()));
    format!(
        "{verdict}<p>登记状态（实时）：<span class=\"status {status_class}\" id=\"status\">{status}</span></p>\
         {rows}{note}",
        verdict = genuine_verdict("居住登记申报回执"),
        status = escape(&r.status_label),
        rows = definition_list(&rows),
        note = note(&r.signed_by, checked_at, "回执所载登记"),
    )
}

fn permit_body(p: &PermitPage, checked_at: &str) -> String {
    let status_class = match p.status {
        PermitStatus::Active => "genuine",
        _ => "not-genuine",
    };
    let photo = match &p.photo {
        Some(jpeg) => format!(
            "<img id=\"photo\" alt=\"持证人照片\" src=\"data:image/jpeg;base64,{}\">",
            base64::engine::general_purpose::STANDARD.encode(jpeg)
        ),
        None => "<p id=\"photo-missing\">本证无电子照片，请核对实体卡照片。</p>".to_owned(),
    };
    let validity = match p.valid_until {
        Some(until) => format!("{}（有效期至{}）", p.status_label, printed(until)),
        None => p.status_label.to_owned(),
    };
    let rows = [
        ("居住证编号", p.permit_no.clone()),
        ("姓名", p.holder_name.clone()),
        ("证件", format!("{} {}", p.id_type, p.id_number)),
        ("签发日期", printed(p.issued_on)),
        ("签发机关", ISSUING_AUTHORITY.to_owned()),
    ];
    format!(
        "{verdict}<p>证件状态（实时）：<span class=\"status {status_class}\" id=\"status\">{status}</span></p>\
         {photo}{rows}{note}",
        verdict = genuine_verdict("深圳经济特区居住证"),
        status = escape(&validity),
        rows = definition_list(&rows),
        note = note(&p.signed_by, checked_at, "居住证"),
    )
}

fn genuine_verdict(what: &str) -> String {
    format!(
        "<p class=\"verdict genuine\" id=\"verdict\" data-genuine=\"true\">✔ 真实证件：{what}，签名核验通过</p>"
    )
}

fn definition_list(rows: &[(&str, String)]) -> String {
    let mut html = String::from("<dl>");
    for (label, value) in rows {
        html.push_str(&format!("<dt>{label}</dt><dd>{}</dd>", escape(value)));
    }
    html.push_str("</dl>");
    html
}

/// What the signature and the page prove, and which key signed.
fn note(signed_by: &SignedBy, checked_at: &str, what: &str) -> String {
    let alg = match signed_by.alg {
        Algorithm::Sm2Sm3 => "SM2/SM3 国密算法",
        Algorithm::Es256 => "ECDSA P-256/SHA-256",
    };
    let retired = match signed_by.status {
        KeyStatus::Active => String::new(),
        KeyStatus::Retired => "该签名密钥已停用，停用前签发的证件仍可核验。".to_owned(),
    };
    format!(
        "<p class=\"note\">签名证明：本证由{ISSUING_AUTHORITY}于{signed}签发，二维码内容经{alg}签名（密钥 {kid}），\
         未被改动。{retired}状态为{checked}（北京时间）核验时{what}的实时状态；姓名和证件号码已部分遮挡，\
         请与持证人出示的身份证件核对。可凭公开密钥（/v1/document-keys）离线核验。<br>{PLATFORM}</p>",
        signed = printed(signed_by.signed_on),
        kid = escape(&signed_by.kid),
        checked = escape(checked_at),
    )
}

fn page(status: u16, title: &str, body: &str) -> ApiResult {
    let html = format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\">\
         <title>{title}</title><style>{STYLE}</style></head>\
         <body><main><h1>{title}</h1>{body}</main></body></html>"
    );
    Response::builder()
        .status(status)
        .header("content-type", "text/html; charset=utf-8")
        .header("cache-control", "no-store")
        .header("content-security-policy", POLICY.as_str())
        .header("x-content-type-options", "nosniff")
        .header("referrer-policy", "no-referrer")
        .header("x-robots-tag", "noindex")
        .body(Body::Text(html))
        .map_err(|_| ApiError::Internal)
}

/// Text as HTML content or attribute value.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A moment as the page prints it: `2026年12月07日 14:05`.
pub fn checked_at(now: chrono::DateTime<chrono::Utc>) -> String {
    let china = now.with_timezone(&crate::clock::china());
    format!("{} {}", printed(china.date_naive()), china.format("%H:%M"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::{Algorithm, KeyStatus};
    use chrono::NaiveDate;

    fn signed_by() -> SignedBy {
        SignedBy {
            kid: "abc".into(),
            alg: Algorithm::Sm2Sm3,
            status: KeyStatus::Retired,
            signed_on: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
        }
    }

    fn text(answer: ApiResult) -> (u16, String, http::HeaderMap) {
        let response = answer.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        match response.into_body() {
            Body::Text(text) => (status, text, headers),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_page_is_chinese_html_with_a_strict_policy_that_names_its_style() {
        let (status, html, headers) = text(verification(&Verification::NotGenuine, "x"));
        assert_eq!(status, 404);
        assert!(html.starts_with("<!DOCTYPE html><html lang=\"zh-CN\">"));
        assert!(!html.contains("<script"), "no script");
        assert!(!html.contains("http"), "no outside asset: {html}");
        assert_eq!(headers["cache-control"], "no-store");
        let policy = headers["content-security-policy"].to_str().unwrap();
        assert!(policy.starts_with("default-src 'none'; style-src 'sha256-"));
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE));
        assert!(policy.contains(&hash));
        assert!(html.contains(&format!("<style>{STYLE}</style>")));
        assert!(html.contains("data-genuine=\"false\""));
        assert!(html.contains("未通过核验"));
    }

    #[test]
    fn what_a_holder_entered_is_escaped() {
        let page = ReceiptPage {
            signed_by: signed_by(),
            receipt_no: "20261207-K9EMYNZPKX".into(),
            status: RegistrationStatus::Current,
            status_label: "有效（在住）".into(),
            resident_name: "王*".into(),
            id_type: "居民身份证",
            id_number: "4403**********1234".into(),
            house_address: "深圳市<script>alert(1)</script>".into(),
            moved_in_on: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            moved_out_on: None,
            declared_on: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
            late: false,
        };
        let (status, html, _) = text(verification(
            &Verification::Receipt(Box::new(page)),
            "2026年12月07日 14:05",
        ));
        assert_eq!(status, 200);
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("<script"));
        assert!(html.contains("2026年12月01日"), "one date format");
        assert!(
            html.contains("停用前签发的证件仍可核验"),
            "a retired key still verifies"
        );
        assert!(html.contains("id=\"status\""));
    }
}
