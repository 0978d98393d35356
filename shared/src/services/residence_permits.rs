//! Residence permits (F22): issued on approval, endorsed once a year from the records, checked
//! by anyone who holds the number and check code, cancelled by staff with a reason. The rules of
//! validity over time are the domain's ([`crate::domain::residence_permit`]).

use chrono::NaiveDate;
use serde::Serialize;

use crate::auth::Principal;
use crate::context::AppContext;
use crate::domain::date::printed;
use crate::domain::eligibility::{Basis, ConditionName, assess_endorsement};
use crate::domain::mask;
use crate::domain::permit::ApplicationStatus;
use crate::domain::residence_permit::{NotDue, PermitNo, PermitStatus, Validity, Window};
use crate::error::{ApiError, FieldError};
use crate::sms::QueuedSms;
use crate::store::Clash;
use crate::store::accounts::{self, AccountRecord};
use crate::store::permits::{
    self, ApplicationChange, ApplicationRecord, Cancellation, Card, EndorsementRecord, PermitRecord,
};
use crate::store::registrations::RegistrationRecord;

use super::permits::{unmet_errors, unmet_message};

use crate::domain::issuer::ISSUING_AUTHORITY;

/// A new permit for an approved application, on `today`, its card copied from the holder's
/// current registration; its first milestone scheduled.
pub fn new_permit(
    application: &ApplicationRecord,
    registration: &RegistrationRecord,
    today: NaiveDate,
    at: &str,
) -> PermitRecord {
    let permit_no = PermitNo::generate();
    let (pk, sk) = PermitRecord::keys_of(&permit_no);
    let resident = &registration.resident;
    let mut permit = PermitRecord {
        pk,
        sk,
        permit_no,
        holder: application.applicant.clone(),
        person_key: application.person_key.clone(),
        application_id: application.application_id.clone(),
        basis: application.basis,
        card: Card {
            name: resident.name.as_str().to_owned(),
            sex: resident.sex,
            ethnicity: resident.ethnicity,
            birth_date: resident.birth_date,
            id_type: resident.document.id_type(),
            id_number: resident.document.number().to_owned(),
            household_address: resident.household_address.clone(),
            current_address: super::receipts::house_address(registration),
            photo_receipt_no: application.photo_receipt_no.clone(),
        },
        issued_on: today,
        validity: Validity::issued(today),
        status: PermitStatus::Active,
        cancellation: None,
        endorsements: 0,
        version: 1,
        updated_at: at.to_owned(),
        reminder_queue: None,
        reminder_key: None,
        milestone: None,
        filed_unit: application.filed_unit.clone(),
        seal: None,
    };
    permit.schedule_from(today);
    permit
}

/// Approves `record` on `today` (by the records, or by staff) and issues its permit (the card from the holder's `current`
/// registration; 422 `NOT_ELIGIBLE` when there is none any more), in one transaction with the
/// application's change. A random permit number already given out is drawn again.
pub async fn issue(
    ctx: &AppContext,
    record: &ApplicationRecord,
    current: Option<RegistrationRecord>,
    by: &str,
    reason: Option<String>,
    today: NaiveDate,
) -> Result<(ApplicationRecord, PermitRecord), ApiError> {
    let Some(registration) = current else {
        return Err(ApiError::NotEligible(vec![FieldError::new(
            <&'static str>::from(ConditionName::CurrentRegistration),
            "CONDITION_NOT_MET",
            unmet_message(ConditionName::CurrentRegistration),
        )]));
    };
    let next = record.moved_to(
        ApplicationStatus::Approved,
        &crate::clock::rfc3339(crate::clock::now()),
    );
    let change = ApplicationChange::new(&next, Some(record.status), by, reason);
    // The photo, fetched once: the studio's, of the person the card is issued to.
    let document = &registration.resident.document;
    let photo = super::permit_photos::photo_for(
        ctx,
        &record.photo_receipt_no,
        document.id_type(),
        document.number(),
    )
    .await?;
    let mut attempts = 0;
    loop {
        let mut permit = new_permit(&next, &registration, today, &next.updated_at);
        permit.seal = Some(super::document_seals::seal_permit(ctx, &permit).await?);
        let sealed_photo = super::permit_photos::seal(ctx, &permit.permit_no, &photo);
        match permits::issue(
            &ctx.db,
            &next,
            record.version,
            &change,
            &permit,
            &sealed_photo,
        )
        .await
        {
            Ok(()) => return Ok((next, permit)),
            Err(e) if e.is(Clash::PermitNumberTaken) && attempts < 3 => attempts += 1,
            Err(e) => {
                return Err(super::application_changes::change_failed(
                    ctx,
                    &record.application_id,
                    e,
                )
                .await);
            }
        }
    }
}

/// Tells the holder their permit was issued.
pub async fn notify_issued(ctx: &AppContext, account: &AccountRecord, permit: &PermitRecord) {
    notify(
        ctx,
        &account.phone,
        permit,
        "已签发。可在“我的居住证”查看电子居住证，并按申请时选择的方式领取实体卡。",
    )
    .await;
}

/// One endorsement as the holder sees it.
#[derive(Debug, Serialize)]
pub struct EndorsementView {
    pub endorsed_on: NaiveDate,
    /// Whether it restored a suspended permit (its anniversaries now count from that day).
    pub restored: bool,
    pub next_anniversary: NaiveDate,
    /// `holder`, or `unit` when the holder's employer endorsed it on their behalf.
    pub by: &'static str,
}

fn endorsement_view(permit: &PermitRecord, e: &EndorsementRecord) -> EndorsementView {
    EndorsementView {
        endorsed_on: e.endorsed_on,
        restored: e.restored,
        next_anniversary: e.next_anniversary,
        by: if e.by == permit.holder {
            "holder"
        } else {
            "unit"
        },
    }
}

/// `GET /v1/me/permit`: the permit, its status today, the next window and its endorsements.
#[derive(Debug, Serialize)]
pub struct PermitView {
    pub permit_no: String,
    pub check_code: String,
    /// The verification page its card's QR code opens (absent for a permit issued before cards
    /// were signed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification_url: Option<String>,
    pub status: PermitStatus,
    pub status_label: &'static str,
    pub basis: Basis,
    pub holder_name: String,
    pub issued_on: NaiveDate,
    pub issuing_authority: &'static str,
    /// The last day it is valid without a further endorsement (absent unless active).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<NaiveDate>,
    /// When it can be endorsed next: the window while active, the days left to restore it while
    /// suspended; absent once cancelled.
    pub next_window: Option<Window>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancellation: Option<CancellationView>,
    pub endorsements: Vec<EndorsementView>,
}

#[derive(Debug, Serialize)]
pub struct CancellationView {
    pub on: NaiveDate,
    pub reason: String,
}

pub(crate) fn valid_until(permit: &PermitRecord, today: NaiveDate) -> Option<NaiveDate> {
    (permit.status_on(today) == PermitStatus::Active).then(|| permit.validity.window().closes_on)
}

fn permit_view(
    ctx: &AppContext,
    permit: &PermitRecord,
    endorsements: &[EndorsementRecord],
    today: NaiveDate,
) -> PermitView {
    let status = permit.status_on(today);
    PermitView {
        permit_no: permit.permit_no.as_str().to_owned(),
        check_code: permit.permit_no.check_code(&ctx.config.hash_key),
        verification_url: permit
            .seal
            .as_ref()
            .map(|token| super::document_seals::page_url(ctx, token)),
        status,
        status_label: status.label(),
        basis: permit.basis,
        holder_name: permit.card.name.clone(),
        issued_on: permit.issued_on,
        issuing_authority: ISSUING_AUTHORITY,
        valid_until: valid_until(permit, today),
        next_window: match status {
            PermitStatus::Cancelled => None,
            _ => permit.validity.next_window(today),
        },
        cancellation: permit.cancellation.as_ref().map(|c| CancellationView {
            on: c.on,
            reason: c.reason.clone(),
        }),
        endorsements: endorsements
            .iter()
            .map(|e| endorsement_view(permit, e))
            .collect(),
    }
}

/// The verified holder's latest permit (404 when they have none).
async fn permit_of(ctx: &AppContext, account: &AccountRecord) -> Result<PermitRecord, ApiError> {
    let person = account.person_key(&ctx.db).ok_or(ApiError::Internal)?;
    permits::permit_of_person(&ctx.db, &person)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The caller's own permit, their identity verified.
pub async fn my_permit_record(
    ctx: &AppContext,
    principal: &Principal,
) -> Result<(AccountRecord, PermitRecord), ApiError> {
    let account = super::permits::verified_holder(ctx, principal).await?;
    let permit = permit_of(ctx, &account).await?;
    Ok((account, permit))
}

/// `GET /v1/me/permit`.
pub async fn my_permit(ctx: &AppContext, principal: &Principal) -> Result<PermitView, ApiError> {
    let (_, permit) = my_permit_record(ctx, principal).await?;
    let endorsements = permits::endorsements(&ctx.db, &permit.permit_no).await?;
    Ok(permit_view(
        ctx,
        &permit,
        &endorsements,
        crate::clock::today_in_china(),
    ))
}

/// Whether the person holds a permit that is not cancelled (a new application waits for it to
/// be cancelled: the holder endorses instead).
pub async fn holds_live_permit(
    ctx: &AppContext,
    person_key: &str,
    today: NaiveDate,
) -> Result<bool, ApiError> {
    Ok(permits::permit_of_person(&ctx.db, person_key)
        .await?
        .is_some_and(|p| p.status_on(today) != PermitStatus::Cancelled))
}

/// `POST /v1/me/permit/endorsements` (and a unit's on a holder's behalf): decided at once from
/// the holder's records of the year before `today`. 409 `ENDORSEMENT_NOT_DUE` before the window,
/// 409 once cancelled, 422 `NOT_ELIGIBLE` with every unmet condition.
pub async fn endorse(
    ctx: &AppContext,
    holder: &AccountRecord,
    permit: PermitRecord,
    by: &str,
    today: NaiveDate,
) -> Result<PermitView, ApiError> {
    let status = permit.status_on(today);
    let validity = match (status, permit.validity.endorsed(today)) {
        (PermitStatus::Cancelled, _) | (_, Err(NotDue::Cancelled)) => {
            return Err(ApiError::Conflict {
                title: "该居住证已注销，请重新申领",
                errors: Vec::new(),
            });
        }
        (_, Err(NotDue::TooEarly(window))) => {
            return Err(ApiError::EndorsementNotDue {
                opens_on: window.opens_on,
                closes_on: window.closes_on,
            });
        }
        (_, Ok(validity)) => validity,
    };
    let timelines = super::permits::timelines(ctx, holder, today).await?;
    let assessment = assess_endorsement(
        permit.basis,
        &timelines.registrations,
        &timelines.paid,
        today,
    );
    if !assessment.eligible {
        return Err(ApiError::NotEligible(unmet_errors(&assessment)));
    }
    let at = crate::clock::rfc3339(crate::clock::now());
    let restored = status == PermitStatus::Suspended;
    let mut next = permit.clone();
    next.validity = validity;
    next.status = PermitStatus::Active;
    next.endorsements += 1;
    next.version += 1;
    next.updated_at = at.clone();
    next.schedule_from(today);
    let endorsement = EndorsementRecord::new(&next, by, restored, today, &at);
    permits::endorse(&ctx.db, &next, permit.version, &endorsement).await?;
    tracing::info!(restored, "permit endorsed");
    let window = next.validity.window();
    let what = match restored {
        true => format!(
            "已签注并恢复使用，下次签注期：{} 至 {}。",
            window.opens_on, window.closes_on
        ),
        false => format!(
            "已签注，下次签注期：{} 至 {}。",
            window.opens_on, window.closes_on
        ),
    };
    notify(ctx, &holder.phone, &next, &what).await;
    let endorsements = permits::endorsements(&ctx.db, &next.permit_no).await?;
    Ok(permit_view(ctx, &next, &endorsements, today))
}

/// Tells the holder about their permit by SMS (best effort: the change stands, a failure to
/// queue is logged).
pub async fn notify(
    ctx: &AppContext,
    phone: &crate::domain::phone::PhoneNumber,
    permit: &PermitRecord,
    what: &str,
) {
    let text = crate::domain::sms::permit_notice(
        &ctx.config.sms.signature,
        permit.permit_no.as_str(),
        what,
    );
    let message = QueuedSms::notice(phone, text, "permit");
    if let Err(error) = crate::sms::outbox::enqueue(ctx, &message).await {
        tracing::warn!(?error, "permit notice not queued");
    }
}

/// `GET /v1/permits/{permit_no}?check_code=`: the same answer for a wrong code and an unknown
/// number; the holder's name masked; the status now.
#[derive(Debug, Serialize)]
pub struct CheckView {
    pub genuine: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permit_no: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<PermitStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_label: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holder_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_on: Option<NaiveDate>,
    /// The last day it is valid without a further endorsement (absent unless active).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<NaiveDate>,
}

pub async fn check(
    ctx: &AppContext,
    permit_no: &PermitNo,
    check_code: &str,
) -> Result<CheckView, ApiError> {
    let not_genuine = CheckView {
        genuine: false,
        permit_no: None,
        status: None,
        status_label: None,
        holder_name: None,
        issued_on: None,
        valid_until: None,
    };
    // The code is checked first: a wrong code reads nothing, so it cannot tell whether the
    // number exists.
    if !permit_no.verify(&ctx.config.hash_key, check_code) {
        return Ok(not_genuine);
    }
    let Some(permit) = permits::get_permit(&ctx.db, permit_no).await? else {
        return Ok(not_genuine);
    };
    let today = crate::clock::today_in_china();
    let status = permit.status_on(today);
    Ok(CheckView {
        genuine: true,
        permit_no: Some(permit.permit_no.as_str().to_owned()),
        status: Some(status),
        status_label: Some(status.label()),
        holder_name: Some(mask::name(&permit.card.name)),
        issued_on: Some(permit.issued_on),
        valid_until: valid_until(&permit, today),
    })
}

/// `POST /v1/staff/permits/{permit_no}/cancellation {reason}` (staff): cancels a permit (the
/// holder got a Shenzhen hukou, or the permit was obtained by fraud); told by SMS.
pub async fn cancel(
    ctx: &AppContext,
    principal: &Principal,
    permit: PermitRecord,
    reason: String,
) -> Result<PermitView, ApiError> {
    let today = crate::clock::today_in_china();
    if permit.cancellation.is_some() {
        return Err(ApiError::Conflict {
            title: "该居住证已注销",
            errors: Vec::new(),
        });
    }
    let mut next = permit.clone();
    next.cancellation = Some(Cancellation {
        on: today,
        by: principal.account_id.clone(),
        reason: reason.clone(),
    });
    next.status = PermitStatus::Cancelled;
    next.version += 1;
    next.updated_at = crate::clock::rfc3339(crate::clock::now());
    next.schedule_from(today);
    permits::update_permit(&ctx.db, &next, permit.version).await?;
    tracing::info!(by = %principal.account_id, "permit cancelled by staff");
    if let Some(holder) = accounts::find_by_id(&ctx.db, &next.holder).await? {
        notify(
            ctx,
            &holder.phone,
            &next,
            &format!("已注销。原因：{reason}"),
        )
        .await;
    }
    let endorsements = permits::endorsements(&ctx.db, &next.permit_no).await?;
    Ok(permit_view(ctx, &next, &endorsements, today))
}

/// The permit a staff member names by number (404 when unknown).
pub async fn staff_permit(
    ctx: &AppContext,
    principal: &Principal,
    permit_no: &str,
) -> Result<PermitRecord, ApiError> {
    super::authorization::require_staff(principal)?;
    let permit_no = PermitNo::parse(permit_no).map_err(|_| ApiError::NotFound)?;
    permits::get_permit(&ctx.db, &permit_no)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The title of the electronic permit.
pub const CARD_TITLE: &str = "深圳经济特区居住证（电子证）";

/// What the electronic permit shows: the card's fields, its status today, and a QR code of its
/// public check. The holder's own document: the ID number in full, as on the card.
pub fn card_form(
    ctx: &AppContext,
    permit: &PermitRecord,
    photo: Option<Vec<u8>>,
    today: NaiveDate,
) -> receipt_pdf::Form {
    let row = |label: &str, value: String| (label.to_owned(), value);
    let card = &permit.card;
    let status = permit.status_on(today);
    let check_code = permit.permit_no.check_code(&ctx.config.hash_key);
    let validity = match valid_until(permit, today) {
        Some(until) => format!(
            "{}（有效期至{}，须在此前60日内签注）",
            status.label(),
            printed(until)
        ),
        None => status.label().to_owned(),
    };
    receipt_pdf::Form {
        title: CARD_TITLE.to_owned(),
        rows: vec![
            row("居住证编号", permit.permit_no.as_str().to_owned()),
            row("校验码", check_code.clone()),
            row("姓名", card.name.clone()),
            row("性别", card.sex.label().to_owned()),
            row("民族", card.ethnicity.label().to_owned()),
            row("出生日期", printed(card.birth_date)),
            row(
                "公民身份号码",
                format!("{} {}", card.id_type.label(), card.id_number),
            ),
            row("户籍地址", card.household_address.clone()),
            row("居住地址", card.current_address.clone()),
            row("签发机关", ISSUING_AUTHORITY.to_owned()),
            row("签发日期", printed(permit.issued_on)),
            row("状态", validity),
        ],
        notes: vec![format!(
            "本电子居住证由{ISSUING_AUTHORITY}签发，须与持证人的身份证件一并使用。二维码内容经签发机关\
             电子签名：扫描二维码打开核验页面，可确认本证真实、未被改动及其实时状态，并比对持证人\
             照片；也可凭居住证编号和校验码在平台查验。"
        )],
        qr_code: Some(receipt_pdf::QrCode {
            text: match &permit.seal {
                Some(token) => super::document_seals::page_url(ctx, token),
                // Issued before cards were signed: the public check of its number.
                None => check_url(ctx, &permit.permit_no),
            },
            caption: "手机扫描二维码，核验本居住证真伪及当前状态".to_owned(),
        }),
        photo,
    }
}

/// The public check of a permit, as its QR code carries it.
pub fn check_url(ctx: &AppContext, permit_no: &PermitNo) -> String {
    format!(
        "{}/v1/permits/{}?check_code={}",
        ctx.config.public_base_url,
        permit_no.as_str(),
        permit_no.check_code(&ctx.config.hash_key)
    )
}

/// `GET /v1/me/permit/card`: the electronic permit (PDF) of the caller's permit.
pub async fn card_pdf(ctx: &AppContext, principal: &Principal) -> Result<Vec<u8>, ApiError> {
    let (_, permit) = my_permit_record(ctx, principal).await?;
    let photo = super::permit_photos::photo_of(ctx, &permit.permit_no).await?;
    let form = card_form(ctx, &permit, photo, crate::clock::today_in_china());
    super::receipts::render_pdf(form, "permit_card").await
}
