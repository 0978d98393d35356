//! Receipts (F17, F24): the PDF a declarant prints for each move-in, and the public check that a
//! receipt is genuine.
//!
//! A receipt carries its number and check code; the code is an HMAC of the number under the
//! data key, so a check needs no stored secret per receipt and cannot be forged or guessed. A
//! check tells what the receipt certifies with personal data masked, and the registration's
//! current status (a moved-out or voided registration shows so).

use chrono::DateTime;
use serde::Serialize;

use crate::auth::Principal;
use crate::context::AppContext;
use crate::domain::date::printed;
use crate::domain::mask;
use crate::domain::receipt::ReceiptNo;
use crate::domain::registration::{EndReason, RegistrationStatus};
use crate::error::ApiError;
use crate::store::registrations::{self, RegistrationRecord};

/// The receipt's title, as the ordinance's form names it.
pub const TITLE: &str = "深圳经济特区居住登记申报回执";

/// A time as printed: China time, to the second.
fn china_time(rfc3339: &str) -> String {
    DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            t.with_timezone(&crate::clock::china())
                .format("%Y年%m月%d日 %H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|_| rfc3339.to_owned())
}

/// The status line of a receipt or check.
pub(crate) fn status_text(r: &RegistrationRecord) -> String {
    match (r.status, r.end_reason, &r.moved_out_on) {
        (RegistrationStatus::Current, _, _) => "有效（在住）".to_owned(),
        (RegistrationStatus::Voided, _, _) => "已作废（因信息错误注销，不计入居住时间）".to_owned(),
        (RegistrationStatus::MovedOut, reason, on) => format!(
            "已注销（{}，搬离日期 {}）",
            reason.map_or("搬离", EndReason::label),
            on.map_or_else(|| "-".to_owned(), printed)
        ),
    }
}

/// The registration's address as printed: the city, street address, building, room.
pub fn house_address(r: &RegistrationRecord) -> String {
    let street = r.house.address.trim();
    let city = if street.starts_with(CITY) { "" } else { CITY };
    format!("{city}{street}{} {}", r.house.building_name, r.house.room)
        .trim()
        .to_owned()
}

/// The city every address of the platform is in.
const CITY: &str = "深圳市";

/// What the PDF shows. The resident's ID number is masked; the rest is what the declarant
/// entered and is theirs to keep.
pub fn form(ctx: &AppContext, r: &RegistrationRecord) -> receipt_pdf::Form {
    let row = |label: &str, value: String| (label.to_owned(), value);
    let mut rows = vec![
        row("回执编号", r.receipt_no.as_str().to_owned()),
        row("校验码", r.receipt_no.check_code(&ctx.config.hash_key)),
        row(
            "申报人",
            format!(
                "{}（{}）",
                r.declarant.name,
                r.declarant.declarant_type.label()
            ),
        ),
        row("房屋地址", house_address(r)),
        row("房屋编码", r.house.house_code.clone()),
        row("住户姓名", r.resident.name.as_str().to_owned()),
        row(
            "证件",
            format!(
                "{} {}",
                r.resident.document.id_type().label(),
                r.resident.document.masked_number()
            ),
        ),
        row("入住日期", printed(r.moved_in_on)),
        row("申报时间", china_time(&r.declared_at)),
        row("状态", status_text(r)),
        row(
            "签发机关",
            crate::domain::issuer::ISSUING_AUTHORITY.to_owned(),
        ),
    ];
    if r.late {
        rows.push(row(
            "备注",
            format!("逾期申报（规定期限为入住后{}日内）", r.deadline_days),
        ));
    }
    receipt_pdf::Form {
        title: TITLE.to_owned(),
        rows,
        notes: vec![
            format!(
                "本回执由{authority}通过深圳经济特区居住登记和居住证服务平台出具，是居住登记申报的凭证，\
                 不证明房屋权属。二维码内容经签发机关电子签名：扫描二维码打开核验页面，可确认本回执\
                 真实、未被改动以及登记的实时状态；也可凭回执编号和校验码在平台查验。",
                authority = crate::domain::issuer::ISSUING_AUTHORITY
            ),
            format!(
                "打印时间：{}",
                china_time(&crate::clock::rfc3339(crate::clock::now()))
            ),
        ],
        qr_code: Some(receipt_pdf::QrCode {
            text: match &r.seal {
                Some(token) => super::document_seals::page_url(ctx, token),
                // Declared before receipts were signed: the public check of its number.
                None => format!(
                    "{}/v1/receipts/{}?check_code={}",
                    ctx.config.public_base_url,
                    r.receipt_no.as_str(),
                    r.receipt_no.check_code(&ctx.config.hash_key)
                ),
            },
            caption: "手机扫描二维码，核验本回执真伪及当前状态".to_owned(),
        }),
        photo: None,
    }
}

/// `GET /v1/registrations/{id}/receipt`: the receipt PDF of a registration the caller may see.
pub async fn pdf(
    ctx: &AppContext,
    principal: &Principal,
    registration_id: &str,
) -> Result<Vec<u8>, ApiError> {
    let record =
        crate::services::registrations::for_receipt(ctx, principal, registration_id).await?;
    render_pdf(form(ctx, &record), "receipt").await
}

/// Renders a form (a receipt, a permit card) off the async threads; each character the font
/// lacks is printed as a stand-in and noted. A failure is logged by its kind only (a missing
/// glyph would name a character of a name).
pub async fn render_pdf(
    form: receipt_pdf::Form,
    document: &'static str,
) -> Result<Vec<u8>, ApiError> {
    crate::services::blocking(move || render_with_stand_ins(form))
        .await?
        .map_err(|error| {
            let kind = match error {
                receipt_pdf::PdfError::MissingGlyph(_) => "missing_glyph",
                receipt_pdf::PdfError::Font(_) => "font",
                receipt_pdf::PdfError::Render(_) => "render",
                receipt_pdf::PdfError::Photo => "photo",
            };
            tracing::error!(kind, document, "PDF could not be rendered");
            ApiError::Internal
        })
}

/// What stands in for a character the receipt font cannot draw (a rare name character, 生僻字,
/// outside GBK): the receipt is still printed, and says so.
const STAND_IN: char = '□';
const STAND_IN_NOTE: &str = "注：个别生僻字无法打印，以“□”代替，以登记信息为准。";

/// Renders the form; each character the font lacks is replaced by [`STAND_IN`] and noted.
fn render_with_stand_ins(mut form: receipt_pdf::Form) -> Result<Vec<u8>, receipt_pdf::PdfError> {
    // Each round replaces one distinct character; a form has only so many.
    for _ in 0..64 {
        match receipt_pdf::render(&form) {
            Err(receipt_pdf::PdfError::MissingGlyph(missing)) if missing != STAND_IN => {
                let swap = |text: &mut String| *text = text.replace(missing, &STAND_IN.to_string());
                form.rows.iter_mut().for_each(|(label, value)| {
                    swap(label);
                    swap(value);
                });
                form.notes.iter_mut().for_each(swap);
                if !form.notes.iter().any(|n| n == STAND_IN_NOTE) {
                    form.notes.insert(0, STAND_IN_NOTE.to_owned());
                }
            }
            other => return other,
        }
    }
    receipt_pdf::render(&form)
}

/// What a receipt check answers: whether it is genuine and, if so, what it certifies (masked).
#[derive(Debug, Serialize)]
pub struct ReceiptCheck {
    pub receipt_no: String,
    pub genuine: bool,
    #[serde(skip_serializing_if = "Option::is_none", flatten)]
    pub certifies: Option<Certified>,
}

#[derive(Debug, Serialize)]
pub struct Certified {
    pub status: RegistrationStatus,
    pub status_label: String,
    /// Masked: the family name only (张*).
    pub resident_name: String,
    pub id_type: &'static str,
    /// Masked: the first and last four characters.
    pub id_number: String,
    pub declarant_name: String,
    pub house_address: String,
    pub moved_in_on: chrono::NaiveDate,
    pub moved_out_on: Option<chrono::NaiveDate>,
    pub declared_at: String,
    pub late: bool,
}

/// `GET /v1/receipts/{receipt_no}?check_code=`: a wrong code and an unknown number answer the
/// same (not genuine), so the check reveals nothing about receipts the caller does not hold.
pub async fn check(
    ctx: &AppContext,
    receipt_no: &ReceiptNo,
    check_code: &str,
) -> Result<ReceiptCheck, ApiError> {
    let not_genuine = || ReceiptCheck {
        receipt_no: receipt_no.as_str().to_owned(),
        genuine: false,
        certifies: None,
    };
    if !receipt_no.verify(&ctx.config.hash_key, check_code) {
        return Ok(not_genuine());
    }
    let Some(r) = registrations::get_by_receipt(&ctx.db, receipt_no).await? else {
        return Ok(not_genuine());
    };
    Ok(ReceiptCheck {
        receipt_no: receipt_no.as_str().to_owned(),
        genuine: true,
        certifies: Some(Certified {
            status: r.status,
            status_label: status_text(&r),
            resident_name: mask::name(r.resident.name.as_str()),
            id_type: r.resident.document.id_type().as_str(),
            id_number: r.resident.document.masked_number(),
            declarant_name: mask::name(&r.declarant.name),
            house_address: house_address(&r),
            moved_in_on: r.moved_in_on,
            moved_out_on: r.moved_out_on,
            declared_at: r.declared_at.clone(),
            late: r.late,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_character_the_font_lacks_is_printed_as_a_stand_in_and_noted() {
        let form = receipt_pdf::Form {
            title: TITLE.to_owned(),
            rows: vec![("住户姓名".to_owned(), "吉\u{20BB7}祥".to_owned())],
            notes: Vec::new(),
            qr_code: None,
            photo: None,
        };
        assert!(matches!(
            receipt_pdf::render(&form),
            Err(receipt_pdf::PdfError::MissingGlyph('\u{20BB7}'))
        ));
        let pdf = render_with_stand_ins(form).expect("rendered with a stand-in");
        assert!(pdf.starts_with(b"%PDF-"));
    }
}
