//! Identity assurance (实名认证): proving that an account's name and ID document are its holder's,
//! at the counter or online (the carrier's real-name check of the account's phone, or a face
//! check), and reclaiming an ID document another account holds. Personal records are shown only
//! to a verified identity ([`require_verified`]). Knowing a name and an ID number proves nothing
//! (`crate::domain::identity`).

use serde::Serialize;

use crate::auth::Principal;
use crate::context::AppContext;
use crate::domain::account::{AccountStatus, AccountType};
use crate::domain::identity::{FaceVerdict, VerificationMethod};
use crate::domain::permit::ApplicationStatus;
use crate::error::ApiError;
use crate::identity::{IdentityQuery, IdentityServiceError};
use crate::store::accounts::{self, AccountRecord, IdentityProof, PendingFaceCheck, Suspension};
use crate::store::audit::{AuditAction, AuditRecord};
use crate::store::permits::{self, ApplicationChange};
use crate::store::rate_limits::Window;
use crate::store::{Clash, StoreError};

use super::authorization::require_staff;

/// Online checks a person may ask for in a day (China time), whichever account asks: each costs
/// a query to a service (a carrier check or a face check opened), and the person's name, number
/// and phone are fixed, so more tries prove nothing more. Counted per person (the keyed hash of
/// the ID document), so a person with accounts of both types gets no more.
pub const ONLINE_CHECKS_PER_DAY: u32 = 5;
/// Reads of a face check's result a person may ask for in a day (the app polls while the person
/// completes it).
pub const FACE_RESULT_READS_PER_DAY: u32 = 60;

/// What a face check the account opened answers: the id the app hands to the face service's SDK.
#[derive(Debug, Serialize)]
pub struct FaceCheckView {
    pub face_check_id: String,
    /// `pending` until the person completed it in the app.
    pub status: &'static str,
    /// Seconds left to complete it.
    pub expires_in: u64,
}

/// The answer of a verification.
#[derive(Debug, Serialize)]
pub struct IdentityStatus {
    pub account_id: String,
    pub identity_verified: bool,
    /// How it was proven, once it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<VerificationMethod>,
    /// Why an online check did not prove it, and what to do instead (the same text whatever the
    /// service said, so the answer tells nobody whether an ID number exists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<&'static str>,
    /// The face check opened or still pending.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub face_check: Option<FaceCheckView>,
}

impl IdentityStatus {
    fn of(account: &AccountRecord) -> Self {
        Self {
            account_id: account.account_id.clone(),
            identity_verified: account.identity.is_some(),
            method: account.identity.as_ref().map(|proof| proof.method),
            message: None,
            face_check: None,
        }
    }

    fn refused(account: &AccountRecord, message: &'static str) -> Self {
        Self {
            message: Some(message),
            ..Self::of(account)
        }
    }
}

/// A carrier that cannot confirm the phone proves nothing: the person proves themselves by face
/// or at the counter.
pub const CARRIER_NOT_CONFIRMED: &str = "未能通过手机号实名核验（运营商未确认该手机号登记在您的姓名和证件号码下），请改用人脸核验，或携带身份证件到受理点核验";
/// A face check that did not pass.
pub const FACE_NOT_PASSED: &str =
    "人脸核验未通过或已过期：请重新发起人脸核验，或携带身份证件到受理点核验";
/// A face check the person has not completed in the app yet.
pub const FACE_PENDING: &str = "人脸核验尚未完成：请在应用中完成人脸核验后再次提交";

/// What `POST /v1/me/identity-verification` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OnlineCheck {
    /// The carrier's real-name check of the account's phone.
    Carrier,
    /// Open a face check.
    StartFace,
    /// Read the face check the account opened.
    FaceResult { face_check_id: String },
}

/// Whether a registration is the account holder's: its resident has the holder's ID document
/// *and* name (a declarant's typo in either names someone else). Decided by the data subject's
/// key ([`crate::store::keys::subject_key`]), the one rule of whose a record is: residence
/// records, the permit's timelines and processing records (filed under that key) all follow it,
/// so `GET /v1/me/data-access` lists exactly the reads of the registrations
/// `GET /v1/me/residence-records` shows.
pub fn is_holder(
    ctx: &AppContext,
    account: &AccountRecord,
    registration: &crate::store::registrations::RegistrationRecord,
) -> bool {
    account.subject_key(&ctx.db).as_deref() == Some(registration.subject_key(&ctx.db).as_str())
}

/// Whether a record naming a person by the keyed hash of their ID document (`person_key`) and
/// `name` names the account's holder: the rule of [`is_holder`], by the hash.
pub fn names_holder(
    ctx: &crate::context::AppContext,
    account: &AccountRecord,
    person_key: &str,
    name: &str,
) -> bool {
    account.person_key(&ctx.db).as_deref() == Some(person_key) && account.real_name == name
}

/// Refuses (403 `IDENTITY_NOT_VERIFIED`) an account whose identity is not verified.
pub fn require_verified(account: &AccountRecord) -> Result<&IdentityProof, ApiError> {
    account
        .identity
        .as_ref()
        .ok_or(ApiError::IdentityNotVerified)
}

/// Only a citizen's own account has an identity to verify (403 for unit and staff accounts).
pub fn require_citizen(principal: &Principal) -> Result<(), ApiError> {
    if !principal.is_citizen() {
        return Err(ApiError::Forbidden("单位账号和工作人员账号无需实名认证"));
    }
    Ok(())
}

/// `POST /v1/me/identity-verification`: the carrier's real-name check of the account's phone,
/// or a face check (opened, then read once the person completed it in the app). A proof
/// verifies the account.
pub async fn verify_online(
    ctx: &AppContext,
    principal: &Principal,
    check: OnlineCheck,
) -> Result<IdentityStatus, ApiError> {
    require_citizen(principal)?;
    let account = personal_account(ctx, &principal.account_id).await?;
    if account.identity.is_some() {
        return Ok(IdentityStatus::of(&account));
    }
    let (id_type, id_number) = account.document().ok_or(ApiError::Internal)?;
    let person = crate::store::keys::person_key(&ctx.db, id_type, id_number);
    let query = IdentityQuery {
        real_name: &account.real_name,
        id_type,
        id_number,
    };
    match check {
        OnlineCheck::Carrier => {
            online_check_allowed(ctx, &person).await?;
            let verdict = crate::identity::carrier_check(ctx, &query, &account.phone)
                .await
                .map_err(service_failed)?;
            if !verdict.proves_identity() {
                tracing::info!(account_id = %account.account_id, "identity not proven by the carrier check");
                return Ok(IdentityStatus::refused(&account, CARRIER_NOT_CONFIRMED));
            }
            verified(ctx, &account, VerificationMethod::Carrier).await
        }
        OnlineCheck::StartFace => {
            online_check_allowed(ctx, &person).await?;
            let started = crate::identity::start_face_check(ctx, &query)
                .await
                .map_err(service_failed)?;
            let pending = PendingFaceCheck {
                check_id: started.check_id.clone(),
                expires_at: crate::clock::epoch_seconds() + started.expires_in as i64,
            };
            accounts::set_face_check(&ctx.db, &account.account_id, &pending).await?;
            Ok(IdentityStatus {
                face_check: Some(FaceCheckView {
                    face_check_id: started.check_id,
                    status: "pending",
                    expires_in: started.expires_in,
                }),
                ..IdentityStatus::of(&account)
            })
        }
        OnlineCheck::FaceResult { face_check_id } => {
            // Only the check this account opened, and only while it may be completed.
            let now = crate::clock::epoch_seconds();
            let Some(pending) = account
                .face_check
                .as_ref()
                .filter(|p| p.check_id == face_check_id && p.expires_at > now)
            else {
                return Ok(IdentityStatus::refused(&account, FACE_NOT_PASSED));
            };
            super::limits::hit(
                ctx,
                "face-check-result",
                &person,
                Window::CHINA_DAY,
                FACE_RESULT_READS_PER_DAY,
            )
            .await?;
            let verdict = crate::identity::face_check_result(ctx, &pending.check_id)
                .await
                .map_err(service_failed)?;
            match verdict {
                FaceVerdict::Passed => verified(ctx, &account, VerificationMethod::Face).await,
                FaceVerdict::Pending => Ok(IdentityStatus {
                    message: Some(FACE_PENDING),
                    face_check: Some(FaceCheckView {
                        face_check_id: pending.check_id.clone(),
                        status: "pending",
                        expires_in: (pending.expires_at - now).max(0) as u64,
                    }),
                    ..IdentityStatus::of(&account)
                }),
                FaceVerdict::Failed => {
                    tracing::info!(account_id = %account.account_id, "identity not proven by the face check");
                    Ok(IdentityStatus::refused(&account, FACE_NOT_PASSED))
                }
            }
        }
    }
}

/// Counts one online check of `person` (the keyed hash of the ID document) today.
async fn online_check_allowed(ctx: &AppContext, person: &str) -> Result<(), ApiError> {
    super::limits::hit(
        ctx,
        "identity-check",
        person,
        Window::CHINA_DAY,
        ONLINE_CHECKS_PER_DAY,
    )
    .await
    .map(|_| ())
}

fn service_failed(error: IdentityServiceError) -> ApiError {
    match &error {
        IdentityServiceError::Unconfigured(_) => tracing::error!(%error, "identity check"),
        IdentityServiceError::Unavailable(_) => tracing::warn!(%error, "identity check"),
    }
    ApiError::ServiceUnavailable
}

/// Records `method`'s proof of the account's identity (with its audit record).
async fn verified(
    ctx: &AppContext,
    account: &AccountRecord,
    method: VerificationMethod,
) -> Result<IdentityStatus, ApiError> {
    let at = crate::clock::rfc3339(crate::clock::now());
    let proof = IdentityProof {
        method,
        verified_at: at.clone(),
        verified_by: None,
    };
    let mut audit = AuditRecord::new(&account.account_id, AuditAction::IdentityVerified, &at);
    audit.method = Some(method);
    accounts::verify_identity(&ctx.db, &account.account_id, &proof, &audit).await?;
    tracing::info!(account_id = %account.account_id, method = method.as_str(), "identity verified online");
    Ok(IdentityStatus {
        method: Some(method),
        identity_verified: true,
        ..IdentityStatus::of(account)
    })
}

/// `POST /v1/staff/accounts/{account_id}/identity-verification`: staff have seen the holder's
/// document at the counter. Verifying a verified account changes nothing.
pub async fn verify_at_counter(
    ctx: &AppContext,
    staff: &Principal,
    account_id: &str,
) -> Result<IdentityStatus, ApiError> {
    require_staff(staff)?;
    let account = personal_account(ctx, account_id).await?;
    if account.identity.is_some() {
        return Ok(IdentityStatus::of(&account));
    }
    let at = crate::clock::rfc3339(crate::clock::now());
    let proof = counter_proof(&staff.account_id, &at);
    let mut audit = AuditRecord::new(&account.account_id, AuditAction::IdentityVerified, &at);
    audit.staff_id = Some(staff.account_id.clone());
    audit.method = Some(VerificationMethod::Counter);
    accounts::verify_identity(&ctx.db, &account.account_id, &proof, &audit).await?;
    tracing::info!(account_id = %account.account_id, staff = %staff.account_id, "identity verified at the counter");
    Ok(IdentityStatus {
        identity_verified: true,
        method: Some(proof.method),
        ..IdentityStatus::of(&account)
    })
}

/// The proof staff give by opening or verifying an account at the counter.
pub fn counter_proof(staff_id: &str, at: &str) -> IdentityProof {
    IdentityProof {
        method: VerificationMethod::Counter,
        verified_at: at.to_owned(),
        verified_by: Some(staff_id.to_owned()),
    }
}

/// What a suspension answers.
#[derive(Debug, Serialize)]
pub struct SuspensionView {
    pub account_id: String,
    pub status: AccountStatus,
    pub suspended_by: String,
    pub suspended_at: String,
    pub reason: String,
    /// The account's open residence-permit applications the suspension withdrew (an approved
    /// one stays, and nothing moves it on while the account is suspended: staff cancel its permit).
    pub withdrawn_applications: Vec<String>,
}

/// `POST /v1/staff/accounts/{account_id}/suspension` (reclaim): the holder of an ID document
/// has proven themselves at the counter, and another account holds their document. Staff suspend
/// that account: its session ends at once, its data is kept and marked (who, when, why), its
/// claim of the document is released, so the holder's own account can be opened at the counter
/// (`POST /v1/staff/accounts`, verified at opening), and its open permit application that waits
/// for a decision is withdrawn (reason recorded), so the holder may apply at once: all in one
/// transaction.
pub async fn suspend_for_reclaim(
    ctx: &AppContext,
    staff: &Principal,
    account_id: &str,
    reason: String,
) -> Result<SuspensionView, ApiError> {
    require_staff(staff)?;
    let mut attempts = 0;
    loop {
        let account = personal_account(ctx, account_id).await?;
        match suspend_once(ctx, staff, &account, &reason).await {
            // The application changed between its read and the suspension: read again.
            Err(StoreError::Conflict(clashes))
                if clashes.contains(&Clash::ApplicationChanged) && attempts < 3 =>
            {
                attempts += 1;
            }
            Err(error) => return Err(error.into()),
            Ok(view) => {
                tracing::warn!(account_id = %account.account_id, staff = %staff.account_id, withdrawn = view.withdrawn_applications.len(), "account suspended for a reclaim");
                return Ok(view);
            }
        }
    }
}

async fn suspend_once(
    ctx: &AppContext,
    staff: &Principal,
    account: &AccountRecord,
    reason: &str,
) -> Result<SuspensionView, StoreError> {
    let at = crate::clock::rfc3339(crate::clock::now());
    let suspension = Suspension {
        suspended_by: staff.account_id.clone(),
        suspended_at: at.clone(),
        reason: reason.to_owned(),
    };
    let mut audit = AuditRecord::new(&account.account_id, AuditAction::Suspended, &at);
    audit.staff_id = Some(staff.account_id.clone());
    audit.reason = Some(reason.to_owned());
    // Not active any more: 409 (see `conflicts`).
    let mut tx = accounts::suspension(&ctx.db, account, &suspension, &audit)?;
    let open = match account.person_key(&ctx.db) {
        Some(person) => permits::open_application_of(&ctx.db, &person)
            .await?
            .filter(|a| a.applicant == account.account_id && a.status.can_withdraw()),
        None => None,
    };
    let mut withdrawn_applications = Vec::new();
    if let Some(application) = open {
        let next = application.moved_to(ApplicationStatus::Withdrawn, &at);
        let change = ApplicationChange::new(
            &next,
            Some(application.status),
            &staff.account_id,
            Some(format!("申请人账号已被受理点暂停使用：{reason}")),
        );
        permits::add_status_change(&mut tx, &ctx.db, &next, application.version, &change)?;
        withdrawn_applications.push(application.application_id);
    }
    tx.commit(&ctx.db).await?;
    Ok(SuspensionView {
        account_id: account.account_id.clone(),
        status: AccountStatus::Suspended,
        suspended_by: suspension.suspended_by,
        suspended_at: suspension.suspended_at,
        reason: suspension.reason,
        withdrawn_applications,
    })
}

/// A citizen's account (one with an ID document: not a unit's, not staff's); any other is 404
/// to staff and 403 to its own holder.
async fn personal_account(ctx: &AppContext, account_id: &str) -> Result<AccountRecord, ApiError> {
    let account = accounts::find_by_id(&ctx.db, account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let personal = account.id_number.is_some() && account.account_type != AccountType::Staff;
    if !personal {
        return Err(ApiError::NotFound);
    }
    Ok(account)
}
