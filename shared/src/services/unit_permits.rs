//! Unit agents (单位代办, F25; the seed guide 3.2 note 2): a unit opened by staff on the
//! residence-permit platform files permit applications for its employees, and endorses the
//! permits issued on them.
//!
//! A filing is the employee's to decide. It is stored `awaiting_consent` and nothing of the
//! employee's records is read: whatever the unit sends, the answer is the same 201, so a filing
//! tells the unit nothing of the person (not whether they have an account, not whether they live
//! in Shenzhen or pay insurance). The employee, when the name, ID document and phone the unit
//! gives are those of their verified residence-permit account, is invited by SMS; they see the
//! filing in their own account and confirm it (`POST /v1/permit-applications/{id}/consent`,
//! which decides it from their records exactly as their own application) or refuse it
//! (`withdrawn`). A filing not confirmed within [`CONSENT_DAYS`] days reads as `expired` (the
//! deadline is checked on every read and on consent, not left to a clean-up). A filing that
//! matches no such account is stored alike, reaches nobody, and expires.
//!
//! A filing awaiting consent holds no claim on the person's one open application (it is taken
//! on consent): a unit cannot block the person's own application with a filing they never
//! confirm; once the person has an application of their own, confirming a filing is 409
//! `APPLICATION_PENDING`.
//!
//! Every filing is a processing record of the person named (`GET /v1/me/data-access`), written
//! before the filing, and filings are limited per unit per day (`UNIT_FILINGS_PER_DAY`). The unit
//! sees of its filings only their status and [`Outcome`]: eligible or not, never which
//! conditions failed, and nothing of the employee's other records. The authorization number
//! (委托书编号) is the unit's reference: the platform cannot check a paper authorization, the
//! employee's consent in their own account is what authorizes the filing.

use serde::Serialize;

use crate::auth::Principal;
use crate::context::AppContext;
use crate::domain::account::{AccountStatus, AccountType, RealName, Role};
use crate::domain::id_document::IdDocument;
use crate::domain::permit::ApplicationStatus;
use crate::domain::phone::PhoneNumber;
use crate::domain::residence_permit::PermitNo;
use crate::error::{ApiError, FieldError};
use crate::sms::QueuedSms;
use crate::store::accounts::{self, AccountRecord, UnitMembership};
use crate::store::page::{Page, PageRequest};
use crate::store::permits::{self, Agent, ApplicationChange, ApplicationRecord};
use crate::store::rate_limits::Window;

use super::limits::Quota;

use super::identity::names_holder;
use super::permit_applications::{
    ApplicationRequest, ApplicationView, BY_RECORDS, NewApplication, check_delivery, conclude,
    evaluate, new_record, notify_application, opened_by, opening_status, with_history,
};
use super::residence_permits::{self, PermitView};

/// Days the employee has to confirm a unit's filing.
pub const CONSENT_DAYS: i64 = 7;

/// The employee an application is filed for, as the unit names them.
pub struct Employee {
    pub real_name: RealName,
    pub document: IdDocument,
    pub phone: PhoneNumber,
}

/// The body of `POST /v1/unit/permit-applications`.
pub struct UnitApplication {
    pub employee: Employee,
    /// The number of the employee's written authorization (委托书): the unit's reference.
    pub authorization_no: String,
    pub application: ApplicationRequest,
}

/// Who may file: the administrator of a unit on the residence-permit platform (checked before
/// the body is read).
pub fn require_permit_unit(principal: &Principal) -> Result<(), ApiError> {
    principal.require_type(AccountType::ResidencePermit)?;
    if principal.role != Role::Admin {
        return Err(ApiError::Forbidden("仅居住证代办单位的管理员可以办理"));
    }
    Ok(())
}

async fn unit_of(
    ctx: &AppContext,
    principal: &Principal,
) -> Result<(AccountRecord, UnitMembership), ApiError> {
    require_permit_unit(principal)?;
    let admin = accounts::find_by_id(&ctx.db, &principal.account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let unit = admin.unit.clone().ok_or(ApiError::Internal)?;
    Ok((admin, unit))
}

/// The employee's own account, when there is one: a verified, active residence-permit account of
/// the person the ID document names, in the name given (the rule of the residence records), on
/// the phone given. `None` otherwise, which the unit is never told.
async fn employee_account(
    ctx: &AppContext,
    employee: &Employee,
    person_key: &str,
) -> Result<Option<AccountRecord>, ApiError> {
    Ok(
        accounts::find_by_document(&ctx.db, AccountType::ResidencePermit, &employee.document)
            .await?
            .filter(|a| {
                a.role == Role::Individual
                    && a.status == AccountStatus::Active
                    && a.identity.is_some()
                    && names_holder(ctx, a, person_key, employee.real_name.as_str())
                    && a.phone == employee.phone
            }),
    )
}

/// The `applicant` of a filing that matches no account: unique to the filing (the applicant
/// index must not gather them in one key) and never an account id.
fn unmatched_applicant(application_id: &str) -> String {
    format!("UNMATCHED#{application_id}")
}

/// What a unit learns of a filing: never which conditions failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Not yet confirmed by the employee.
    AwaitingConsent,
    /// Not confirmed in time.
    Expired,
    /// Refused or withdrawn by the employee.
    Withdrawn,
    /// Confirmed, waiting for staff (a direct basis).
    UnderReview,
    /// Confirmed, and the records (or staff) found the employee eligible.
    Eligible,
    /// Confirmed, and refused: by the records or by staff.
    NotEligible,
}

impl Outcome {
    pub fn of(status: ApplicationStatus) -> Self {
        use ApplicationStatus::*;
        match status {
            AwaitingConsent => Self::AwaitingConsent,
            Expired => Self::Expired,
            Withdrawn => Self::Withdrawn,
            Submitted => Self::UnderReview,
            Accepted | Approved | CardProduced | ReadyForPickup | Mailed | Collected => {
                Self::Eligible
            }
            Rejected => Self::NotEligible,
        }
    }
}

/// An application as the unit that filed it sees it: its status and outcome, with the name it
/// gave; no history (the reasons of a refusal are the employee's alone).
#[derive(Debug, Serialize)]
pub struct FiledApplication {
    #[serde(flatten)]
    pub application: ApplicationView,
    pub outcome: Outcome,
    pub holder_name: String,
    pub authorization_no: String,
}

impl FiledApplication {
    fn of(record: &ApplicationRecord) -> Self {
        let application = ApplicationView::of(record, None);
        Self {
            outcome: Outcome::of(application.status),
            application,
            holder_name: record.holder_name.clone(),
            authorization_no: record
                .agent
                .as_ref()
                .map(|a| a.authorization_no.clone())
                .unwrap_or_default(),
        }
    }
}

/// `POST /v1/unit/permit-applications`: counted against the unit's daily limit, recorded as a
/// processing of the person named, stored `awaiting_consent`; the employee (when the filing
/// matches their account) is invited by SMS. Nothing of the person's records is read. With the
/// filing, where the unit stands against its daily filings (its `RateLimit` headers).
pub async fn file(
    ctx: &AppContext,
    principal: &Principal,
    request: UnitApplication,
) -> Result<(FiledApplication, Quota), ApiError> {
    let (admin, unit) = unit_of(ctx, principal).await?;
    let quota = super::limits::hit(
        ctx,
        "unit-filing",
        &unit.unit_id,
        Window::CHINA_DAY,
        ctx.config.units.filings_per_day,
    )
    .await?;
    check_delivery(ctx, &request.application.delivery).await?;
    let document = &request.employee.document;
    super::permit_photos::photo_for(
        ctx,
        &request.application.photo_receipt_no,
        document.id_type(),
        document.number(),
    )
    .await?;
    let person_key = crate::store::keys::person_key(&ctx.db, document.id_type(), document.number());
    let employee = employee_account(ctx, &request.employee, &person_key).await?;
    let now = crate::clock::now();
    let deadline = now + chrono::Duration::days(CONSENT_DAYS);
    let mut record = new_record(
        NewApplication {
            applicant: String::new(),
            person_key,
            holder_name: request.employee.real_name.as_str().to_owned(),
            request: request.application,
            status: ApplicationStatus::AwaitingConsent,
            agent: Some(Agent {
                unit_id: unit.unit_id.clone(),
                unit_name: unit.unit_name.clone(),
                by: admin.account_id.clone(),
                authorization_no: request.authorization_no,
            }),
            consent_expires_at: Some(crate::clock::rfc3339(deadline)),
        },
        now,
    );
    record.applicant = match &employee {
        Some(account) => account.account_id.clone(),
        None => unmatched_applicant(&record.application_id),
    };
    super::data_access::record_unit_filing(
        ctx,
        &crate::store::keys::subject_key(&ctx.db, &record.person_key, &record.holder_name),
        &unit.unit_id,
        &unit.unit_name,
        &record.application_id,
    )
    .await?;
    let change = ApplicationChange::new(&record, None, &admin.account_id, None);
    permits::create(&ctx.db, &record, &change).await?;
    tracing::info!(unit_id = %unit.unit_id, application_id = %record.application_id, matched = employee.is_some(), "permit application filed by a unit, awaiting consent");
    if let Some(account) = &employee {
        let text = crate::domain::sms::unit_filing_invitation(
            &ctx.config.sms.signature,
            &unit.unit_name,
            CONSENT_DAYS,
        );
        let message = QueuedSms::notice(&account.phone, text, "unit_filing");
        if let Err(error) = crate::sms::outbox::enqueue(ctx, &message).await {
            tracing::warn!(?error, "unit filing invitation not queued");
        }
    }
    Ok((FiledApplication::of(&record), quota))
}

/// `GET /v1/unit/permit-applications`: what the unit filed, oldest first, as the unit sees it.
pub async fn list(
    ctx: &AppContext,
    principal: &Principal,
    page: &PageRequest,
) -> Result<Page<FiledApplication>, ApiError> {
    let (_, unit) = unit_of(ctx, principal).await?;
    let page = permits::list_of_unit(&ctx.db, &unit.unit_id, page).await?;
    Ok(page.map(|record| FiledApplication::of(&record)))
}

/// The filing the caller may answer: a unit's filing naming them (their verified account, the
/// person and name the filing gives). 403 `IDENTITY_NOT_VERIFIED` before verification, 404 for
/// anything else. Checked before the body is read.
pub async fn consentable(
    ctx: &AppContext,
    principal: &Principal,
    application_id: &str,
) -> Result<(AccountRecord, ApplicationRecord), ApiError> {
    super::permit_applications::require_applicant(principal)?;
    let account = super::permits::verified_holder(ctx, principal).await?;
    let record = permits::get(&ctx.db, application_id)
        .await?
        .filter(|r| {
            r.agent.is_some()
                && r.applicant == account.account_id
                && names_holder(ctx, &account, &r.person_key, &r.holder_name)
        })
        .ok_or(ApiError::NotFound)?;
    Ok((account, record))
}

/// `POST /v1/permit-applications/{application_id}/consent` `{consent}`: the employee confirms
/// the filing (decided from their records as their own application: approved, submitted, or
/// rejected with the reasons, which only they see) or refuses it (withdrawn). 409 once it no
/// longer awaits consent (answered, withdrawn or expired), naming its status.
pub async fn consent(
    ctx: &AppContext,
    account: &AccountRecord,
    record: ApplicationRecord,
    consent: bool,
) -> Result<ApplicationView, ApiError> {
    let now = crate::clock::now();
    let status = record.status_at(now);
    if status != ApplicationStatus::AwaitingConsent {
        return Err(ApiError::Conflict {
            title: "该代办申请已不在待确认状态",
            errors: vec![FieldError::new(
                "status",
                "NOT_AWAITING_CONSENT",
                format!("该申请当前状态为“{}”，不能再确认或拒绝", status.label()),
            )],
        });
    }
    let at = crate::clock::rfc3339(now);
    if !consent {
        let next = record.moved_to(ApplicationStatus::Withdrawn, &at);
        let change = ApplicationChange::new(
            &next,
            Some(record.status),
            &account.account_id,
            Some("本人拒绝单位代办".to_owned()),
        );
        super::application_changes::change_status(ctx, &next, record.version, &change).await?;
        tracing::info!(application_id = %record.application_id, "unit filing refused by the employee");
        notify_application(ctx, account, &next, None).await;
        return with_history(ctx, &next).await;
    }
    let today = crate::clock::today_in_china();
    let decided = match evaluate(ctx, account, record.basis, today).await? {
        Err(refusal) => {
            let next = record.moved_to(ApplicationStatus::Rejected, &at);
            let reason = refusal.reason();
            let change = ApplicationChange::new(
                &next,
                Some(record.status),
                BY_RECORDS,
                Some(reason.clone()),
            );
            super::application_changes::change_status(ctx, &next, record.version, &change).await?;
            notify_application(ctx, account, &next, Some(reason.as_str())).await;
            next
        }
        Ok(timelines) => {
            let mut next = record.moved_to(opening_status(record.basis), &at);
            let (by, reason) = opened_by(&mut next, &account.account_id, now);
            let change = ApplicationChange::new(&next, Some(record.status), by, reason);
            // Takes the person's claim: 409 APPLICATION_PENDING when they have one open.
            super::application_changes::change_status(ctx, &next, record.version, &change).await?;
            conclude(ctx, account, next, timelines, today).await?
        }
    };
    tracing::info!(application_id = %record.application_id, status = decided.status.as_str(), "unit filing consented");
    with_history(ctx, &decided).await
}

/// The permit a unit may endorse: one issued on an application it filed (404 otherwise).
pub async fn unit_permit(
    ctx: &AppContext,
    principal: &Principal,
    permit_no: &str,
) -> Result<(AccountRecord, permits::PermitRecord), ApiError> {
    let (admin, unit) = unit_of(ctx, principal).await?;
    let permit_no = PermitNo::parse(permit_no).map_err(|_| ApiError::NotFound)?;
    let permit = permits::get_permit(&ctx.db, &permit_no)
        .await?
        .filter(|p| p.filed_unit.as_deref() == Some(unit.unit_id.as_str()))
        .ok_or(ApiError::NotFound)?;
    Ok((admin, permit))
}

/// `POST /v1/unit/permits/{permit_no}/endorsements`: the same decision as the holder's own.
pub async fn endorse(
    ctx: &AppContext,
    admin: &AccountRecord,
    permit: permits::PermitRecord,
) -> Result<PermitView, ApiError> {
    let holder = accounts::find_by_id(&ctx.db, &permit.holder)
        .await?
        .ok_or(ApiError::NotFound)?;
    let today = crate::clock::today_in_china();
    residence_permits::endorse(ctx, &holder, permit, &admin.account_id, today).await
}
