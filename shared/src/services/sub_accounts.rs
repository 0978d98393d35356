//! A unit's sub-accounts (F8): the administrator adds, changes and deactivates them and assigns
//! them some of the unit's approved houses; a sub-account sees and declares residents only for
//! the houses assigned to it.

use std::collections::HashSet;

use serde::Serialize;

use crate::auth::Principal;
use crate::context::AppContext;
use crate::domain::account::{AccountType, RealName, Role, Username};
use crate::domain::password::Password;
use crate::domain::phone::PhoneNumber;
use crate::error::{ApiError, FieldError};
use crate::http::Fields;
use crate::http::pagination::{Page, PageRequest};
use crate::store::accounts::{self, AccountRecord, AccountStatus, Holder};
use crate::store::house_links::{self, LinkRecord, LinkStatus};
use crate::store::units::{self, MemberUpdate};

use super::account_registration::new_password;
use super::house_links::LinkView;

/// The most houses one sub-account may be assigned.
pub const MAX_ASSIGNED_LINKS: usize = 100;

/// A sub-account as its administrator sees it.
#[derive(Debug, Serialize)]
pub struct SubAccountView {
    pub account_id: String,
    pub username: String,
    pub real_name: String,
    /// Masked: 139****5678.
    pub phone: String,
    pub status: AccountStatus,
    /// The unit's links assigned to it.
    pub link_ids: Vec<String>,
    /// Still to replace the password the administrator gave it.
    pub must_change_password: bool,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deactivated_at: Option<String>,
}

impl From<&AccountRecord> for SubAccountView {
    fn from(record: &AccountRecord) -> Self {
        Self {
            account_id: record.account_id.clone(),
            username: record.username.clone(),
            real_name: record.real_name.clone(),
            phone: record.phone.masked(),
            status: record.status,
            link_ids: record
                .unit
                .as_ref()
                .map(|u| u.link_ids.clone())
                .unwrap_or_default(),
            must_change_password: record.must_change_password,
            created_at: record.created_at.clone(),
            deactivated_at: record.deactivated_at.clone(),
        }
    }
}

/// The ids of `link_ids`, read as a list of distinct link ids.
fn link_ids_field(f: &mut Fields, required: bool) -> Option<Vec<String>> {
    let name = "link_ids";
    if !f.has(name) {
        if required {
            f.push(FieldError::new(
                name,
                "REQUIRED",
                "请为子账号分配房屋（link_ids）",
            ));
        }
        return None;
    }
    let values = f.optional_strings(name, MAX_ASSIGNED_LINKS)?;
    let mut seen = HashSet::new();
    let mut ok = true;
    for (i, id) in values.iter().enumerate() {
        if !seen.insert(id.as_str()) {
            f.push(FieldError::new(
                format!("{name}[{i}]"),
                "DUPLICATE",
                "同一房屋只能分配一次",
            ));
            ok = false;
        }
    }
    ok.then_some(values)
}

/// The body of `POST /v1/unit/sub-accounts`.
pub struct NewSubAccount {
    username: Username,
    real_name: RealName,
    phone: PhoneNumber,
    password: Password,
    link_ids: Vec<String>,
}

impl NewSubAccount {
    pub fn from_fields(f: &mut Fields) -> Option<Self> {
        let username = f.required("username", Username::parse);
        let real_name = f.required("real_name", RealName::parse);
        let phone = f.required("phone", PhoneNumber::parse);
        let raw = f.required_raw("password");
        let link_ids = link_ids_field(f, true).filter(|ids| {
            if ids.is_empty() {
                f.push(FieldError::new(
                    "link_ids",
                    "REQUIRED",
                    "请至少为子账号分配一套房屋",
                ));
            }
            !ids.is_empty()
        });
        let password = raw.and_then(|raw| new_password(f, "password", &raw, username.as_ref()));
        Some(Self {
            username: username?,
            real_name: real_name?,
            phone: phone?,
            password: password?,
            link_ids: link_ids?,
        })
    }
}

/// The body of `PATCH /v1/unit/sub-accounts/{account_id}`: any of name, phone and houses.
pub struct SubAccountChanges {
    real_name: Option<RealName>,
    phone: Option<PhoneNumber>,
    link_ids: Option<Vec<String>>,
}

impl SubAccountChanges {
    pub fn from_fields(f: &mut Fields) -> Option<Self> {
        let given = ["real_name", "phone", "link_ids"]
            .iter()
            .any(|name| f.has(name));
        let real_name = f.optional("real_name", RealName::parse);
        let phone = f.optional("phone", PhoneNumber::parse);
        let link_ids = link_ids_field(f, false);
        if !given {
            f.push(FieldError::new(
                "body",
                "NOTHING_TO_CHANGE",
                "请提供要修改的姓名（real_name）、手机号码（phone）或房屋（link_ids）",
            ));
            return None;
        }
        Some(Self {
            real_name,
            phone,
            link_ids,
        })
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

/// The caller as a unit administrator, with their account (which holds the unit's houses).
async fn unit_admin(ctx: &AppContext, principal: &Principal) -> Result<AccountRecord, ApiError> {
    require_unit_admin(principal)?;
    let admin = accounts::find_by_id(ctx, &principal.account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if admin.unit.is_none() {
        return Err(ApiError::Internal);
    }
    Ok(admin)
}

fn unit_id(admin: &AccountRecord) -> Result<&str, ApiError> {
    admin
        .unit
        .as_ref()
        .map(|u| u.unit_id.as_str())
        .ok_or(ApiError::Internal)
}

/// A sub-account the caller manages, with the caller's own account.
pub struct Managed {
    admin: AccountRecord,
    member: AccountRecord,
}

/// The sub-account `account_id` of the calling administrator's unit: obtained before the body is
/// read, so that a caller with no right to it learns nothing from validation errors. Any other
/// account (or none) is 404.
pub async fn managed(
    ctx: &AppContext,
    principal: &Principal,
    account_id: &str,
) -> Result<Managed, ApiError> {
    let admin = unit_admin(ctx, principal).await?;
    let member = member(ctx, &admin, account_id).await?;
    Ok(Managed { admin, member })
}

/// A sub-account of the administrator's unit; any other account (or none) is 404.
async fn member(
    ctx: &AppContext,
    admin: &AccountRecord,
    account_id: &str,
) -> Result<AccountRecord, ApiError> {
    if uuid::Uuid::parse_str(account_id).is_err() {
        return Err(ApiError::NotFound);
    }
    let unit_id = unit_id(admin)?;
    accounts::find_by_id(ctx, account_id)
        .await?
        .filter(|a| {
            a.role == Role::SubAccount && a.unit.as_ref().is_some_and(|u| u.unit_id == unit_id)
        })
        .ok_or(ApiError::NotFound)
}

/// Each id must be one of the administrator's links, approved: the houses a sub-account may be
/// given. Every bad id is reported at once.
async fn check_assignable(
    ctx: &AppContext,
    admin: &AccountRecord,
    link_ids: &[String],
) -> Result<(), ApiError> {
    let wellformed: Vec<String> = link_ids
        .iter()
        .filter(|id| uuid::Uuid::parse_str(id).is_ok())
        .cloned()
        .collect();
    let links = house_links::get_many(ctx, &admin.account_id, &wellformed).await?;
    let mut errors = Vec::new();
    for (i, id) in link_ids.iter().enumerate() {
        let field = format!("link_ids[{i}]");
        match links.iter().find(|l| l.link_id == *id) {
            None => errors.push(FieldError::new(
                field,
                "LINK_NOT_FOUND",
                "本单位没有这个房屋关联",
            )),
            Some(link) if link.status != LinkStatus::Approved => errors.push(FieldError::new(
                field,
                "LINK_NOT_APPROVED",
                "只能分配已审核通过的房屋",
            )),
            Some(_) => {}
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// `POST /v1/unit/sub-accounts`.
pub async fn create(
    ctx: &AppContext,
    principal: &Principal,
    new: NewSubAccount,
) -> Result<SubAccountView, ApiError> {
    let admin = unit_admin(ctx, principal).await?;
    check_assignable(ctx, &admin, &new.link_ids).await?;
    let password_hash = super::hashed(new.password).await?;
    let holder = Holder {
        account_type: AccountType::ResidenceRegistration,
        role: Role::SubAccount,
        username: &new.username,
        real_name: &new.real_name,
        document: None,
        phone: &new.phone,
    };
    let mut record = AccountRecord::new(&holder, password_hash);
    let mut membership = admin.unit.clone().ok_or(ApiError::Internal)?;
    membership.link_ids = new.link_ids;
    record.unit = Some(membership);
    // The administrator chose the password: the holder replaces it at the first login.
    record.must_change_password = true;
    units::add_member(ctx, &holder, &record).await?;
    tracing::info!(admin_account_id = %admin.account_id, account_id = %record.account_id, "sub-account added");
    Ok(SubAccountView::from(&record))
}

/// `GET /v1/unit/sub-accounts`: the unit's sub-accounts, deactivated ones included.
pub async fn list(
    ctx: &AppContext,
    principal: &Principal,
    page: &PageRequest,
) -> Result<Page<SubAccountView>, ApiError> {
    let admin = unit_admin(ctx, principal).await?;
    Ok(units::members(ctx, unit_id(&admin)?, page)
        .await?
        .map(|m| SubAccountView::from(&m)))
}

/// `PATCH /v1/unit/sub-accounts/{account_id}`.
pub async fn update(
    ctx: &AppContext,
    managed: Managed,
    changes: SubAccountChanges,
) -> Result<SubAccountView, ApiError> {
    let Managed { admin, mut member } = managed;
    if member.status != AccountStatus::Active {
        return Err(deactivated());
    }
    if let Some(link_ids) = &changes.link_ids {
        check_assignable(ctx, &admin, link_ids).await?;
    }
    let real_name = changes
        .real_name
        .map_or_else(|| member.real_name.clone(), |n| n.as_str().to_owned());
    let phone = match changes.phone {
        Some(phone) => phone,
        None => member.phone.clone(),
    };
    let link_ids = match changes.link_ids {
        Some(ids) => ids,
        None => member
            .unit
            .as_ref()
            .ok_or(ApiError::Internal)?
            .link_ids
            .clone(),
    };
    units::update_member(
        ctx,
        &member,
        &MemberUpdate {
            real_name: &real_name,
            phone: &phone,
            link_ids: &link_ids,
        },
    )
    .await?;
    tracing::info!(admin_account_id = %admin.account_id, account_id = %member.account_id, "sub-account changed");
    if let Some(unit) = member.unit.as_mut() {
        unit.link_ids = link_ids;
    }
    member.real_name = real_name;
    member.phone = phone;
    Ok(SubAccountView::from(&member))
}

/// `POST /v1/unit/sub-accounts/{account_id}/deactivation`: the sub-account can no longer log in
/// and its session ends at once; the registrations it declared stay valid.
pub async fn deactivate(ctx: &AppContext, managed: Managed) -> Result<SubAccountView, ApiError> {
    let Managed { admin, mut member } = managed;
    if member.status != AccountStatus::Active {
        return Err(deactivated());
    }
    let at = crate::clock::rfc3339(crate::clock::now());
    units::deactivate_member(ctx, &member, &at).await?;
    tracing::info!(admin_account_id = %admin.account_id, account_id = %member.account_id, "sub-account deactivated");
    member.status = AccountStatus::Deactivated;
    member.deactivated_at = Some(at);
    Ok(SubAccountView::from(&member))
}

fn deactivated() -> ApiError {
    ApiError::Conflict {
        title: "该子账号已停用",
        errors: Vec::new(),
    }
}

// ------------------------------------------------------------------ the sub-account's own view

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
    let account = accounts::find_by_id(ctx, &principal.account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if account.status != AccountStatus::Active {
        return Err(ApiError::Forbidden(super::conflicts::ACCOUNT_DEACTIVATED));
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
    house_links::get(ctx, &assignment.admin_account_id, link_id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// `GET /v1/me/houses` for a sub-account: the links assigned to it, in the order of their ids.
pub async fn assigned_links(
    ctx: &AppContext,
    principal: &Principal,
    page: &PageRequest,
) -> Result<Page<LinkView>, ApiError> {
    let assignment = assignment(ctx, principal).await?;
    let mut ids = assignment.link_ids;
    ids.sort();
    let after = page.after.as_ref().and_then(|a| a["after"].as_str());
    let start = after.map_or(0, |after| ids.partition_point(|id| id.as_str() <= after));
    let end = (start + page.limit as usize).min(ids.len());
    let chosen = &ids[start..end];
    let links = house_links::get_many(ctx, &assignment.admin_account_id, chosen).await?;
    let next = (end < ids.len())
        .then(|| {
            chosen
                .last()
                .map(|last| serde_json::json!({ "after": last }))
        })
        .flatten();
    Ok(Page {
        items: links.iter().map(LinkView::from).collect(),
        next,
        read_units: 0.0,
    })
}
