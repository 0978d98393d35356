//! Staff on residence-permit applications (F22): the review queue (sharded, oldest first), the
//! decision on an application that waits for them, and the progress of an approved one until
//! the card is collected. Approval issues the permit. Every change is recorded (who, when, why)
//! and told by SMS.

use serde::Serialize;

use crate::auth::Principal;
use crate::context::AppContext;
use crate::domain::account::AccountStatus;
use crate::domain::permit::ApplicationStatus;
use crate::error::ApiError;
use crate::store::accounts::{self, AccountRecord};
use crate::store::page::{Page, PageRequest};
use crate::store::permits::{self, ApplicationChange, ApplicationRecord};
use crate::store::processing_records::SubjectKind;

use super::application_changes::{change_status, status_conflict};
use super::authorization::require_staff;
use super::data_access::{ReadOf, StaffPurpose, record_staff_reads};
use super::permit_applications::{ApplicationView, notify_application, with_history};
use super::residence_permits;

/// The body of a decision.
#[derive(Debug, Clone)]
pub struct Decision {
    pub approve: bool,
    /// Required to refuse; optional to approve.
    pub reason: Option<String>,
}

/// An application as the review queue lists it: with the applicant's name and the status of
/// their account (an application of a suspended account cannot be decided).
#[derive(Debug, Serialize)]
pub struct QueuedApplication {
    #[serde(flatten)]
    pub application: ApplicationView,
    pub holder_name: String,
    pub applicant_account_status: AccountStatus,
}

/// `GET /v1/staff/permit-applications?status=submitted`: applications waiting for staff.
pub async fn queue(
    ctx: &AppContext,
    principal: &Principal,
    page: &PageRequest,
) -> Result<Page<QueuedApplication>, ApiError> {
    require_staff(principal)?;
    let page = permits::submitted(&ctx.db, page).await?;
    record_staff_reads(
        ctx,
        principal,
        StaffPurpose::PermitReview,
        page.items.iter().map(|r| ReadOf {
            person_key: &r.person_key,
            name: &r.holder_name,
            kind: SubjectKind::PermitApplication,
            id: &r.application_id,
        }),
    )
    .await?;
    let applicants: Vec<String> = page.items.iter().map(|r| r.applicant.clone()).collect();
    let accounts = accounts::find_many(&ctx.db, &applicants).await?;
    let status_of = |applicant: &str| {
        accounts
            .iter()
            .find(|a| a.account_id == applicant)
            .map_or(AccountStatus::Deactivated, |a| a.status)
    };
    Ok(page.map(|r| QueuedApplication {
        application: ApplicationView::of(&r, None),
        holder_name: r.holder_name.clone(),
        applicant_account_status: status_of(&r.applicant),
    }))
}

/// The application a staff member names (404 when unknown). Checked before the body is read.
pub async fn staff_application(
    ctx: &AppContext,
    principal: &Principal,
    application_id: &str,
) -> Result<ApplicationRecord, ApiError> {
    require_staff(principal)?;
    permits::get(&ctx.db, application_id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// `record` moved to `status` now.
fn moved(record: &ApplicationRecord, status: ApplicationStatus) -> ApplicationRecord {
    record.moved_to(status, &crate::clock::rfc3339(crate::clock::now()))
}

/// The applicant's account, which must be active: nothing moves the application of a suspended
/// (or deactivated) account on (409; the store holds the same condition in the write).
async fn active_applicant(
    ctx: &AppContext,
    record: &ApplicationRecord,
) -> Result<AccountRecord, ApiError> {
    let account = accounts::find_by_id(&ctx.db, &record.applicant)
        .await?
        .ok_or(ApiError::Internal)?;
    if account.status != AccountStatus::Active {
        return Err(ApiError::Conflict {
            title: "申请人账号已被暂停使用或已停用，不能处理该申请",
            errors: Vec::new(),
        });
    }
    Ok(account)
}

/// `POST /v1/staff/permit-applications/{id}/decision`: approve (the permit is issued) or refuse
/// with a reason an application that waits (`submitted` or `accepted`); 409 once decided.
pub async fn decide(
    ctx: &AppContext,
    principal: &Principal,
    record: ApplicationRecord,
    decision: Decision,
) -> Result<ApplicationView, ApiError> {
    if !matches!(
        record.status,
        ApplicationStatus::Submitted | ApplicationStatus::Accepted
    ) {
        return Err(status_conflict("该申请已处理，不能再作决定", record.status));
    }
    let account = active_applicant(ctx, &record).await?;
    if decision.approve {
        let today = crate::clock::today_in_china();
        let timelines = super::permits::timelines(ctx, &account, today).await?;
        let (next, permit) = residence_permits::issue(
            ctx,
            &record,
            timelines.current,
            &principal.account_id,
            decision.reason,
            today,
        )
        .await?;
        tracing::info!(by = %principal.account_id, "permit application approved");
        notify_application(ctx, &account, &next, None).await;
        residence_permits::notify_issued(ctx, &account, &permit).await;
    } else {
        let next = moved(&record, ApplicationStatus::Rejected);
        let change = ApplicationChange::new(
            &next,
            Some(record.status),
            &principal.account_id,
            decision.reason.clone(),
        );
        change_status(ctx, &next, record.version, &change).await?;
        tracing::info!(by = %principal.account_id, "permit application refused");
        notify_application(ctx, &account, &next, decision.reason.as_deref()).await;
    }
    after_change(ctx, &record.application_id).await
}

/// The application as the staff member's act left it, with its history. The act itself is in
/// that history, so this read is not recorded as a processing of its own.
async fn after_change(ctx: &AppContext, application_id: &str) -> Result<ApplicationView, ApiError> {
    let record = permits::get(&ctx.db, application_id)
        .await?
        .ok_or(ApiError::Internal)?;
    with_history(ctx, &record).await
}

/// `POST /v1/staff/permit-applications/{id}/progress {step}`: the next step of an approved
/// application (card produced, ready for pickup or mailed as the applicant chose, collected);
/// 409 for any other step.
pub async fn progress(
    ctx: &AppContext,
    principal: &Principal,
    record: ApplicationRecord,
    step: ApplicationStatus,
) -> Result<ApplicationView, ApiError> {
    if !record.status.accepts_step(step, &record.delivery) {
        return Err(status_conflict(
            "办理进度须按顺序登记：已制证 → 待领取（或已邮寄）→ 已领取",
            record.status,
        ));
    }
    let account = active_applicant(ctx, &record).await?;
    let next = moved(&record, step);
    let change = ApplicationChange::new(&next, Some(record.status), &principal.account_id, None);
    change_status(ctx, &next, record.version, &change).await?;
    notify_application(ctx, &account, &next, None).await;
    after_change(ctx, &record.application_id).await
}
