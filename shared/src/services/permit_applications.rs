//! Residence-permit applications (F22): one open application per person; an application the
//! records fully prove is accepted at once, one on a direct basis waits for staff (`submitted`,
//! in the sharded review queue); every change is recorded (who, when, why) and told by SMS; the
//! applicant may withdraw before approval. A unit's filing (F25, [`super::unit_permits`]) is
//! decided by the same pieces ([`evaluate`], [`opening_status`], [`conclude`]) once the employee
//! consents to it.

use serde::Serialize;

use crate::auth::Principal;
use crate::context::AppContext;
use crate::domain::account::{AccountType, Role};
use crate::domain::eligibility::{Basis, assess_application};
use crate::domain::permit::{ApplicationStatus, Delivery};
use crate::error::{ApiError, Existing, FieldError};
use crate::sms::QueuedSms;
use crate::store::Clash;
use crate::store::accounts::{self, AccountRecord};
use crate::store::page::{Page, PageRequest};
use crate::store::permits::{self, Agent, ApplicationChange, ApplicationRecord};
use crate::store::processing_records::SubjectKind;

use super::application_changes::{change_status, status_conflict};
use super::data_access::{ReadOf, StaffPurpose, record_staff_reads};

/// What an application asks for (read by `http::bodies::permits`).
pub struct ApplicationRequest {
    pub basis: Basis,
    pub photo_receipt_no: String,
    pub certificate_no: Option<String>,
    pub school: Option<String>,
    pub delivery: Delivery,
}

/// Who decided a change the records decided.
pub(super) const BY_RECORDS: &str = "system";

/// An application as its applicant (and staff) see it.
#[derive(Debug, Serialize)]
pub struct ApplicationView {
    pub application_id: String,
    pub basis: Basis,
    pub status: ApplicationStatus,
    pub status_label: &'static str,
    pub photo_receipt_no: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_no: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub school: Option<String>,
    pub delivery: Delivery,
    pub applied_at: String,
    pub updated_at: String,
    pub version: u32,
    /// A unit's filing: until when the holder may confirm it (F25).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// The unit that filed it on the holder's behalf (F25).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filed_by_unit: Option<String>,
    /// Every change, oldest first (single-application reads only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<ChangeView>>,
}

#[derive(Debug, Serialize)]
pub struct ChangeView {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<ApplicationStatus>,
    pub to: ApplicationStatus,
    pub at: String,
    /// `applicant`, `unit` (the unit that filed it), `staff` or `records` (decided from the
    /// records at once).
    pub by: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl ApplicationView {
    pub fn of(record: &ApplicationRecord, history: Option<Vec<ChangeView>>) -> Self {
        let status = record.status_at(crate::clock::now());
        Self {
            application_id: record.application_id.clone(),
            basis: record.basis,
            status,
            status_label: status.label(),
            photo_receipt_no: record.photo_receipt_no.clone(),
            certificate_no: record.certificate_no.clone(),
            school: record.school.clone(),
            delivery: record.delivery.clone(),
            applied_at: record.applied_at.clone(),
            updated_at: record.updated_at.clone(),
            version: record.version,
            expires_at: record.consent_expires_at.clone(),
            filed_by_unit: record.agent.as_ref().map(|a| a.unit_name.clone()),
            history,
        }
    }
}

fn change_view(record: &ApplicationRecord, change: &ApplicationChange) -> ChangeView {
    ChangeView {
        from: change.from,
        to: change.to,
        at: change.at.clone(),
        by: match change.by.as_str() {
            BY_RECORDS => "records",
            by if by == record.applicant => "applicant",
            by if record.agent.as_ref().is_some_and(|a| a.by == by) => "unit",
            _ => "staff",
        },
        reason: change.reason.clone(),
    }
}

/// The calling holder's own verified account (residence-permit accounts, individuals).
async fn holder(ctx: &AppContext, principal: &Principal) -> Result<AccountRecord, ApiError> {
    require_applicant(principal)?;
    super::permits::verified_holder(ctx, principal).await
}

/// `POST /v1/me/permit-applications`.
pub async fn apply(
    ctx: &AppContext,
    principal: &Principal,
    request: ApplicationRequest,
) -> Result<ApplicationView, ApiError> {
    let account = holder(ctx, principal).await?;
    check_delivery(ctx, &request.delivery).await?;
    let today = crate::clock::today_in_china();
    let timelines = evaluate(ctx, &account, request.basis, today)
        .await?
        .map_err(Refusal::into_error)?;
    // The photo receipt must be a photo of the applicant (the service is asked once the records
    // allow the application).
    let (id_type, id_number) = account.document().ok_or(ApiError::Internal)?;
    super::permit_photos::photo_for(ctx, &request.photo_receipt_no, id_type, id_number).await?;
    let now = crate::clock::now();
    let person_key = account.person_key(&ctx.db).ok_or(ApiError::Internal)?;
    let status = opening_status(request.basis);
    let mut record = new_record(
        NewApplication {
            applicant: account.account_id.clone(),
            person_key,
            holder_name: account.real_name.clone(),
            request,
            status,
            agent: None,
            consent_expires_at: None,
        },
        now,
    );
    let (by, reason) = opened_by(&mut record, &account.account_id, now);
    let change = ApplicationChange::new(&record, None, by, reason);
    // A second open application of the person: 409 APPLICATION_PENDING, naming the open one.
    create_application(ctx, &record, &change).await?;
    tracing::info!(application_id = %record.application_id, status = record.status.as_str(), "permit application");
    let record = conclude(ctx, &account, record, timelines, today).await?;
    Ok(ApplicationView::of(&record, None))
}

/// Stores a new application; when the person has an open one already (409
/// `APPLICATION_PENDING`), the answer names it if it is the same applicant's (a retry whose answer
/// was lost, say), and only says it exists otherwise.
pub(super) async fn create_application(
    ctx: &AppContext,
    record: &ApplicationRecord,
    change: &ApplicationChange,
) -> Result<(), ApiError> {
    match permits::create(&ctx.db, record, change).await {
        Ok(()) => Ok(()),
        Err(error) if error.is(Clash::ApplicationPending) => {
            let open = permits::open_application_of(&ctx.db, &record.person_key).await?;
            let own = open
                .filter(|open| open.applicant == record.applicant)
                .map(|open| open.application_id);
            Err(ApiError::ApplicationPending.naming(Existing {
                kind: "permit_application",
                own: own.is_some(),
                location: own
                    .as_ref()
                    .map(|id| format!("/v1/permit-applications/{id}")),
                id: own,
            }))
        }
        Err(error) => Err(error.into()),
    }
}

/// A pickup point must be a street the platform knows (reference data: no personal records).
pub(super) async fn check_delivery(ctx: &AppContext, delivery: &Delivery) -> Result<(), ApiError> {
    if let Delivery::PickupPoint(street) = delivery {
        let street = crate::domain::address::StreetCode::parse(street)
            .map_err(|invalid| ApiError::validation(invalid.at("delivery.pickup_point")))?;
        let districts = crate::store::address::districts(&ctx.db).await?;
        if districts.area_of(&street).is_none() {
            return Err(ApiError::validation(FieldError::new(
                "delivery.pickup_point",
                "UNKNOWN_STREET",
                "没有这个街道受理点，请从深圳市的街道中选择",
            )));
        }
    }
    Ok(())
}

/// Why the records refuse an application.
pub(super) enum Refusal {
    /// Unmet conditions (the `errors` of `NOT_ELIGIBLE`).
    NotEligible(Vec<FieldError>),
    /// The person holds a permit that is not cancelled.
    HoldsPermit,
}

const HOLDS_PERMIT: &str = "您已持有居住证，无需重新申领；请在签注期内办理签注";

impl Refusal {
    /// The answer to the holder's own application (nothing is stored).
    pub(super) fn into_error(self) -> ApiError {
        match self {
            Self::NotEligible(errors) => ApiError::NotEligible(errors),
            Self::HoldsPermit => ApiError::Conflict {
                title: HOLDS_PERMIT,
                errors: Vec::new(),
            },
        }
    }

    /// The reason recorded when an application already filed is refused (shown to the holder).
    pub(super) fn reason(&self) -> String {
        match self {
            Self::NotEligible(errors) => {
                let unmet: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
                format!("暂不符合居住证申领条件：{}", unmet.join("；"))
            }
            Self::HoldsPermit => HOLDS_PERMIT.to_owned(),
        }
    }
}

/// What the records of the verified holder `account` decide of an application on `basis` today:
/// the timelines it is decided (and a permit issued) from, or why it is refused. The one place
/// an application reads the person's records: the holder's own, and a unit's filing only once
/// the holder consented to it.
pub(super) async fn evaluate(
    ctx: &AppContext,
    account: &AccountRecord,
    basis: Basis,
    today: chrono::NaiveDate,
) -> Result<Result<super::permits::Timelines, Refusal>, ApiError> {
    let timelines = super::permits::timelines(ctx, account, today).await?;
    let assessment = assess_application(basis, &timelines.registrations, &timelines.paid, today);
    if !assessment.eligible {
        return Ok(Err(Refusal::NotEligible(super::permits::unmet_errors(
            &assessment,
        ))));
    }
    let person_key = account.person_key(&ctx.db).ok_or(ApiError::Internal)?;
    if super::residence_permits::holds_live_permit(ctx, &person_key, today).await? {
        return Ok(Err(Refusal::HoldsPermit));
    }
    Ok(Ok(timelines))
}

/// The status an application the records do not refuse opens in: the records prove every
/// condition of the standard basis (accepted at once); a direct basis rests on evidence staff
/// check (submitted).
pub(super) fn opening_status(basis: Basis) -> ApplicationStatus {
    match basis.is_direct() {
        true => ApplicationStatus::Submitted,
        false => ApplicationStatus::Accepted,
    }
}

/// Who opened `record` (at its opening status) and why: `filer` for one that waits for staff
/// (then queued for review), the records for one they prove.
pub(super) fn opened_by<'a>(
    record: &mut ApplicationRecord,
    filer: &'a str,
    now: chrono::DateTime<chrono::Utc>,
) -> (&'a str, Option<String>) {
    if record.status == ApplicationStatus::Submitted {
        record.queue_for_review(now.timestamp_millis());
        (filer, None)
    } else {
        (
            BY_RECORDS,
            Some("居住登记和社会保险记录证明申领条件均已满足".to_owned()),
        )
    }
}

/// What a new application record is made of.
pub(super) struct NewApplication {
    pub applicant: String,
    pub person_key: String,
    pub holder_name: String,
    pub request: ApplicationRequest,
    pub status: ApplicationStatus,
    pub agent: Option<Agent>,
    pub consent_expires_at: Option<String>,
}

/// A new application record (version 1), applied for at `now`.
pub(super) fn new_record(
    new: NewApplication,
    now: chrono::DateTime<chrono::Utc>,
) -> ApplicationRecord {
    let at = crate::clock::rfc3339(now);
    let application_id = uuid::Uuid::now_v7().to_string();
    let request = new.request;
    ApplicationRecord {
        pk: permits::application_pk(&application_id),
        sk: permits::APPLICATION.to_owned(),
        application_id: application_id.clone(),
        applicant: new.applicant,
        applied_key: format!("{at}#{application_id}"),
        person_key: new.person_key,
        holder_name: new.holder_name,
        basis: request.basis,
        photo_receipt_no: request.photo_receipt_no,
        certificate_no: request.certificate_no,
        school: request.school,
        delivery: request.delivery,
        status: new.status,
        applied_at: at.clone(),
        updated_at: at,
        version: 1,
        review_queue: None,
        review_key: None,
        filed_unit: new.agent.as_ref().map(|a| a.unit_id.clone()),
        agent: new.agent,
        consent_expires_at: new.consent_expires_at,
    }
}

/// After an application was written at its opening status: one waiting for staff is told; one
/// the records prove is approved at once and its permit issued (should this second write fail,
/// the application stays `accepted` and staff approve it from the decision route).
pub(super) async fn conclude(
    ctx: &AppContext,
    account: &AccountRecord,
    record: ApplicationRecord,
    timelines: super::permits::Timelines,
    today: chrono::NaiveDate,
) -> Result<ApplicationRecord, ApiError> {
    if record.status == ApplicationStatus::Submitted {
        notify_application(ctx, account, &record, None).await;
        return Ok(record);
    }
    let (approved, permit) =
        super::residence_permits::issue(ctx, &record, timelines.current, BY_RECORDS, None, today)
            .await?;
    notify_application(ctx, account, &approved, None).await;
    super::residence_permits::notify_issued(ctx, account, &permit).await;
    Ok(approved)
}

/// Tells the holder by SMS (best effort: the change stands, a failure to queue is logged).
pub async fn notify_application(
    ctx: &AppContext,
    account: &AccountRecord,
    record: &ApplicationRecord,
    reason: Option<&str>,
) {
    let reference = &record.application_id[record.application_id.len() - 8..];
    let text = crate::domain::sms::permit_application_notice(
        &ctx.config.sms.signature,
        reference,
        record.agent.as_ref().map(|a| a.unit_name.as_str()),
        record.status.label(),
        reason,
    );
    let message = QueuedSms::notice(&account.phone, text, "permit_application");
    if let Err(error) = crate::sms::outbox::enqueue(ctx, &message).await {
        tracing::warn!(?error, "permit application notice not queued");
    }
}

/// `GET /v1/me/permit-applications`: the caller's applications, oldest first.
pub async fn list_mine(
    ctx: &AppContext,
    principal: &Principal,
    page: &PageRequest,
) -> Result<Page<ApplicationView>, ApiError> {
    require_applicant(principal)?;
    let page = permits::list_of_applicant(&ctx.db, &principal.account_id, page).await?;
    Ok(page.map(|record| ApplicationView::of(&record, None)))
}

/// An application the caller may see: its applicant's, or any for staff; others are 404.
async fn visible(
    ctx: &AppContext,
    principal: &Principal,
    application_id: &str,
) -> Result<ApplicationRecord, ApiError> {
    let record = permits::get(&ctx.db, application_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if record.applicant != principal.account_id && !principal.is_staff() {
        return Err(ApiError::NotFound);
    }
    Ok(record)
}

/// `GET /v1/permit-applications/{application_id}`: with its history.
pub async fn get(
    ctx: &AppContext,
    principal: &Principal,
    application_id: &str,
) -> Result<ApplicationView, ApiError> {
    let record = visible(ctx, principal, application_id).await?;
    let view = with_history(ctx, &record).await?;
    record_staff_reads(
        ctx,
        principal,
        StaffPurpose::PermitReview,
        [ReadOf {
            person_key: &record.person_key,
            name: &record.holder_name,
            kind: SubjectKind::PermitApplication,
            id: &record.application_id,
        }],
    )
    .await?;
    Ok(view)
}

/// `record` as its detail shows it: with its history.
pub(super) async fn with_history(
    ctx: &AppContext,
    record: &ApplicationRecord,
) -> Result<ApplicationView, ApiError> {
    let history = permits::history(&ctx.db, &record.application_id).await?;
    let history = history.iter().map(|c| change_view(record, c)).collect();
    Ok(ApplicationView::of(record, Some(history)))
}

/// Who may apply: a citizen's own residence-permit account (checked before the body is read).
pub fn require_applicant(principal: &Principal) -> Result<(), ApiError> {
    principal.require_type(AccountType::ResidencePermit)?;
    if principal.role != Role::Individual {
        return Err(ApiError::Forbidden("单位账号请使用单位代办入口"));
    }
    Ok(())
}

/// The application the caller may withdraw: their own (staff see it but may not: 403; anyone
/// else 404). Checked before the body is read.
pub async fn withdrawable(
    ctx: &AppContext,
    principal: &Principal,
    application_id: &str,
) -> Result<ApplicationRecord, ApiError> {
    let record = visible(ctx, principal, application_id).await?;
    if record.applicant != principal.account_id {
        return Err(ApiError::Forbidden("只有申请人本人可以撤回申请"));
    }
    Ok(record)
}

/// `POST /v1/permit-applications/{application_id}/withdrawal`: the applicant withdraws before
/// approval (409 after); the person may apply again.
pub async fn withdraw(
    ctx: &AppContext,
    principal: &Principal,
    record: ApplicationRecord,
) -> Result<ApplicationView, ApiError> {
    if !record.status_at(crate::clock::now()).can_withdraw() {
        return Err(status_conflict(
            "该申请已审批或已结束，不能撤回",
            record.status_at(crate::clock::now()),
        ));
    }
    let next = record.moved_to(
        ApplicationStatus::Withdrawn,
        &crate::clock::rfc3339(crate::clock::now()),
    );
    let change = ApplicationChange::new(&next, Some(record.status), &principal.account_id, None);
    change_status(ctx, &next, record.version, &change).await?;
    if let Some(account) = accounts::find_by_id(&ctx.db, &record.applicant).await? {
        notify_application(ctx, &account, &next, None).await;
    }
    get(ctx, principal, &record.application_id).await
}
