//! Who may do what: the checks every operation makes of its caller before it reads a body, and
//! the objects a caller may reach (its own links, any link for staff, the links assigned to a
//! sub-account). Anything out of reach is 404, as if it did not exist.

use crate::auth::Principal;
use crate::context::AppContext;
use crate::domain::account::{AccountStatus, AccountType, Role};
use crate::error::ApiError;
use crate::store::accounts;
use crate::store::house_links::{self, LinkRecord};

use super::conflicts::ACCOUNT_DEACTIVATED;

/// Only accounts that manage houses may link them: residence-registration individuals and unit
/// administrators (sub-accounts declare for houses their administrator assigns).
pub fn require_house_manager(principal: &Principal) -> Result<(), ApiError> {
    principal.require_type(AccountType::ResidenceRegistration)?;
    match principal.role {
        Role::Individual | Role::Admin => Ok(()),
        _ => Err(ApiError::Forbidden("子账号不能维护房屋")),
    }
}

/// Staff only.
pub fn require_staff(principal: &Principal) -> Result<(), ApiError> {
    principal.require_type(AccountType::Staff)?;
    if principal.role == Role::Staff {
        Ok(())
    } else {
        Err(ApiError::Forbidden("仅受理点工作人员可以操作"))
    }
}

/// Only a unit's administrator manages its sub-accounts.
pub fn require_unit_admin(principal: &Principal) -> Result<(), ApiError> {
    principal.require_type(AccountType::ResidenceRegistration)?;
    if principal.role == Role::Admin {
        Ok(())
    } else {
        Err(ApiError::Forbidden("仅单位管理员可以管理子账号"))
    }
}

/// The caller's own link; anyone else's (or none) is 404.
pub async fn own_link(
    ctx: &AppContext,
    principal: &Principal,
    link_id: &str,
) -> Result<LinkRecord, ApiError> {
    require_house_manager(principal)?;
    if uuid::Uuid::parse_str(link_id).is_err() {
        return Err(ApiError::NotFound);
    }
    house_links::get(&ctx.db, &principal.account_id, link_id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Any account's link, for staff (an unknown or malformed id is 404).
pub async fn staff_link(
    ctx: &AppContext,
    principal: &Principal,
    link_id: &str,
) -> Result<LinkRecord, ApiError> {
    require_staff(principal)?;
    if uuid::Uuid::parse_str(link_id).is_err() {
        return Err(ApiError::NotFound);
    }
    house_links::get_by_id(&ctx.db, link_id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// What a sub-account may reach: its unit's administrator's links, those assigned to it.
pub struct Assignment {
    pub admin_account_id: String,
    pub link_ids: Vec<String>,
}

impl Assignment {
    pub fn covers(&self, link_id: &str) -> bool {
        self.link_ids.iter().any(|id| id == link_id)
    }
}

/// The calling sub-account's assignment, read consistently (a change by the administrator
/// applies to the next request).
pub async fn assignment(ctx: &AppContext, principal: &Principal) -> Result<Assignment, ApiError> {
    principal.require_type(AccountType::ResidenceRegistration)?;
    if principal.role != Role::SubAccount {
        return Err(ApiError::Internal);
    }
    let account = accounts::find_by_id(&ctx.db, &principal.account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if account.status != AccountStatus::Active {
        return Err(ApiError::Forbidden(ACCOUNT_DEACTIVATED));
    }
    let unit = account.unit.ok_or(ApiError::Internal)?;
    Ok(Assignment {
        admin_account_id: unit.admin_account_id,
        link_ids: unit.link_ids,
    })
}

/// A link assigned to the calling sub-account; any other is 404.
pub async fn assigned_link(
    ctx: &AppContext,
    principal: &Principal,
    link_id: &str,
) -> Result<LinkRecord, ApiError> {
    let assignment = assignment(ctx, principal).await?;
    if !assignment.covers(link_id) {
        return Err(ApiError::NotFound);
    }
    house_links::get(&ctx.db, &assignment.admin_account_id, link_id)
        .await?
        .ok_or(ApiError::NotFound)
}
