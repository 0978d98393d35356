//! A unit's sub-accounts (F8): the administrator adds, changes and deactivates them and assigns
//! them some of the unit's approved houses; a sub-account sees and declares residents only for
//! the houses assigned to it.

use crate::auth::Principal;
use crate::context::AppContext;
use crate::domain::account::{AccountStatus, AccountType, RealName, Role, Username};
use crate::domain::house_link::LinkStatus;
use crate::domain::password::Password;
use crate::domain::phone::PhoneNumber;
use crate::domain::sms::SmsPurpose;
use crate::error::{ApiError, FieldError};
use crate::store::accounts::{self, AccountRecord, Holder};
use crate::store::house_links;
use crate::store::units::{self, MemberUpdate};
use crate::store::verification_codes::VerifiedCode;
use crate::store::{Page, PageRequest};

use super::authorization::{assignment, require_unit_admin};
use super::views::house_link::LinkView;
use super::views::sub_account::SubAccountView;

/// The most houses one sub-account may be assigned.
pub const MAX_ASSIGNED_LINKS: usize = 100;

/// The body of `POST /v1/unit/sub-accounts`.
pub struct NewSubAccount {
    pub username: Username,
    pub real_name: RealName,
    pub phone: PhoneNumber,
    pub password: Password,
    pub link_ids: Vec<String>,
    /// The `sub_account_phone` code the administrator asked for `phone`: its holder read it out,
    /// so the phone is theirs and they agree to it.
    pub sms_code: String,
}

/// The body of `PATCH /v1/unit/sub-accounts/{account_id}`: any of name, phone and houses, and the
/// `sub_account_phone` code of the phone when it is new (or not yet proven).
pub struct SubAccountChanges {
    pub real_name: Option<RealName>,
    pub phone: Option<PhoneNumber>,
    pub link_ids: Option<Vec<String>>,
    pub sms_code: Option<String>,
}

/// Checks the `sub_account_phone` code `admin` asked for `phone` (bound to that administrator:
/// another unit's code, or another phone's, is not found). The caller uses it up in the write
/// that gives the phone to the sub-account.
async fn phone_proof(
    ctx: &AppContext,
    admin: &AccountRecord,
    phone: &PhoneNumber,
    sms_code: &str,
) -> Result<VerifiedCode, ApiError> {
    super::sms_codes::check(
        ctx,
        phone,
        SmsPurpose::SubAccountPhone,
        &[admin.account_id.as_str()],
        sms_code,
    )
    .await
}

/// The caller as a unit administrator, with their account (which holds the unit's houses).
async fn unit_admin(ctx: &AppContext, principal: &Principal) -> Result<AccountRecord, ApiError> {
    require_unit_admin(principal)?;
    let admin = accounts::find_by_id(&ctx.db, &principal.account_id)
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
    accounts::find_by_id(&ctx.db, account_id)
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
    let links = house_links::get_many(&ctx.db, &admin.account_id, &wellformed).await?;
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
    let proof = phone_proof(ctx, &admin, &new.phone, &new.sms_code).await?;
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
    record.phone_confirmed_at = Some(crate::clock::rfc3339(crate::clock::now()));
    units::add_member(&ctx.db, &holder, &record, &proof).await?;
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
    Ok(units::members(&ctx.db, unit_id(&admin)?, page)
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
    // A new phone, or one never proven, is given only with its holder's code.
    let proof = match (
        phone != member.phone || !member.phone_proven(),
        &changes.sms_code,
    ) {
        (false, _) => None,
        (true, Some(code)) => Some(phone_proof(ctx, &admin, &phone, code).await?),
        (true, None) => {
            return Err(ApiError::validation(FieldError::new(
                "sms_code",
                "REQUIRED",
                "请填写发送到子账号手机号码的验证码",
            )));
        }
    };
    let confirmed_at = proof
        .as_ref()
        .map(|_| crate::clock::rfc3339(crate::clock::now()));
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
        &ctx.db,
        &member,
        &MemberUpdate {
            real_name: &real_name,
            phone: &phone,
            link_ids: &link_ids,
            phone_proof: proof.as_ref().zip(confirmed_at.as_deref()),
        },
    )
    .await?;
    tracing::info!(admin_account_id = %admin.account_id, account_id = %member.account_id, "sub-account changed");
    if let Some(unit) = member.unit.as_mut() {
        unit.link_ids = link_ids;
    }
    member.real_name = real_name;
    member.phone = phone;
    if confirmed_at.is_some() {
        member.phone_confirmed_at = confirmed_at;
    }
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
    units::deactivate_member(&ctx.db, &member, &at).await?;
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

/// `GET /v1/me/houses` for a sub-account: the links assigned to it, in the order of their ids.
pub async fn assigned_links(
    ctx: &AppContext,
    principal: &Principal,
    page: &PageRequest,
) -> Result<Page<LinkView>, ApiError> {
    let assignment = assignment(ctx, principal).await?;
    let mut ids = assignment.link_ids;
    ids.sort();
    let chosen = Page::of_slice(&ids, page);
    let links = house_links::get_many(&ctx.db, &assignment.admin_account_id, &chosen.items).await?;
    Ok(Page {
        items: links.iter().map(LinkView::from).collect(),
        next: chosen.next,
        read_units: chosen.read_units,
    })
}
