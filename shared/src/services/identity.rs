//! Identity assurance (实名认证): proving that an account's name and ID document are its holder's,
//! online or at the counter, and reclaiming an ID document another account holds. Personal
//! records are shown only to a verified identity ([`require_verified`]).

use serde::Serialize;

use crate::auth::Principal;
use crate::context::AppContext;
use crate::domain::account::{AccountStatus, AccountType};
use crate::domain::identity::VerificationMethod;
use crate::error::ApiError;
use crate::identity::{IdentityQuery, IdentityServiceError};
use crate::store::accounts::{self, AccountRecord, IdentityProof, Suspension};
use crate::store::audit::{AuditAction, AuditRecord};
use crate::store::rate_limits::Window;

use super::authorization::require_staff;

/// Online checks an account may ask for in a day (China time): each costs a query to the
/// service, and the account's name and number are fixed, so more tries prove nothing more.
pub const ONLINE_CHECKS_PER_DAY: u32 = 5;

/// The answer of a verification.
#[derive(Debug, Serialize)]
pub struct IdentityStatus {
    pub account_id: String,
    pub identity_verified: bool,
    /// How it was proven, once it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<VerificationMethod>,
    /// Why an online check did not prove it (the same text whatever the service said, so the
    /// answer tells nobody whether an ID number exists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<&'static str>,
}

impl IdentityStatus {
    fn of(account: &AccountRecord) -> Self {
        Self {
            account_id: account.account_id.clone(),
            identity_verified: account.identity.is_some(),
            method: account.identity.as_ref().map(|proof| proof.method),
            message: None,
        }
    }
}

/// Whether a registered resident is the account's holder: the same ID document *and* name (a
/// declarant's typo in either names someone else).
pub fn is_holder(
    account: &AccountRecord,
    resident: &crate::store::registrations::Resident,
) -> bool {
    account.document() == Some((resident.id_type, resident.id_number.as_str()))
        && account.real_name == resident.name
}

/// Whether a record naming a person by the keyed hash of their ID document (`person_key`) and
/// `name` names the account's holder: the rule of [`is_holder`], by the hash.
pub fn names_holder(
    ctx: &crate::context::AppContext,
    account: &AccountRecord,
    person_key: &str,
    name: &str,
) -> bool {
    account.person_key(ctx).as_deref() == Some(person_key) && account.real_name == name
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

/// `POST /v1/me/identity-verification`: asks the real-name verification service whether the
/// account's name, ID number and phone are one person's; a yes verifies the account.
pub async fn verify_online(
    ctx: &AppContext,
    principal: &Principal,
) -> Result<IdentityStatus, ApiError> {
    require_citizen(principal)?;
    let account = personal_account(ctx, &principal.account_id).await?;
    if account.identity.is_some() {
        return Ok(IdentityStatus::of(&account));
    }
    super::limits::hit(
        ctx,
        "identity-check",
        &account.account_id,
        Window::CHINA_DAY,
        ONLINE_CHECKS_PER_DAY,
    )
    .await?;
    let (id_type, id_number) = account.document().ok_or(ApiError::Internal)?;
    let query = IdentityQuery {
        real_name: &account.real_name,
        id_type,
        id_number,
        phone: &account.phone,
    };
    let verdict = crate::identity::verify(ctx, &query)
        .await
        .map_err(|error| {
            match &error {
                IdentityServiceError::Unconfigured => tracing::error!(%error, "identity check"),
                IdentityServiceError::Unavailable(_) => tracing::warn!(%error, "identity check"),
            }
            ApiError::ServiceUnavailable
        })?;
    if !verdict.proves_identity() {
        tracing::info!(account_id = %account.account_id, "identity not proven online");
        return Ok(IdentityStatus {
            message: Some(
                "在线核验未通过：请核对账号的姓名、证件号码和手机号码，或携带身份证件到受理点核验",
            ),
            ..IdentityStatus::of(&account)
        });
    }
    let at = crate::clock::rfc3339(crate::clock::now());
    let proof = IdentityProof {
        method: VerificationMethod::Online,
        verified_at: at.clone(),
        verified_by: None,
    };
    let mut audit = AuditRecord::new(&account.account_id, AuditAction::IdentityVerified, &at);
    audit.method = Some(VerificationMethod::Online);
    accounts::verify_identity(ctx, &account.account_id, &proof, &audit).await?;
    tracing::info!(account_id = %account.account_id, "identity verified online");
    Ok(IdentityStatus {
        method: Some(proof.method),
        identity_verified: true,
        ..IdentityStatus::of(&account)
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
    accounts::verify_identity(ctx, &account.account_id, &proof, &audit).await?;
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
}

/// `POST /v1/staff/accounts/{account_id}/suspension` (reclaim): the holder of an ID document
/// has proven themselves at the counter, and another account holds their document. Staff suspend
/// that account: its session ends at once, its data is kept and marked (who, when, why), and its
/// claim of the document is released, so the holder's own account can be opened at the counter
/// (`POST /v1/staff/accounts`, verified at opening).
pub async fn suspend_for_reclaim(
    ctx: &AppContext,
    staff: &Principal,
    account_id: &str,
    reason: String,
) -> Result<SuspensionView, ApiError> {
    require_staff(staff)?;
    let account = personal_account(ctx, account_id).await?;
    let at = crate::clock::rfc3339(crate::clock::now());
    let suspension = Suspension {
        suspended_by: staff.account_id.clone(),
        suspended_at: at.clone(),
        reason: reason.clone(),
    };
    let mut audit = AuditRecord::new(&account.account_id, AuditAction::Suspended, &at);
    audit.staff_id = Some(staff.account_id.clone());
    audit.reason = Some(reason.clone());
    // Not active any more: 409 (see `conflicts`).
    accounts::suspend(ctx, &account, &suspension, &audit).await?;
    tracing::warn!(account_id = %account.account_id, staff = %staff.account_id, "account suspended for a reclaim");
    Ok(SuspensionView {
        account_id: account.account_id,
        status: AccountStatus::Suspended,
        suspended_by: suspension.suspended_by,
        suspended_at: suspension.suspended_at,
        reason,
    })
}

/// A citizen's account (one with an ID document: not a unit's, not staff's); any other is 404
/// to staff and 403 to its own holder.
async fn personal_account(ctx: &AppContext, account_id: &str) -> Result<AccountRecord, ApiError> {
    let account = accounts::find_by_id(ctx, account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let personal = account.id_number.is_some() && account.account_type != AccountType::Staff;
    if !personal {
        return Err(ApiError::NotFound);
    }
    Ok(account)
}
