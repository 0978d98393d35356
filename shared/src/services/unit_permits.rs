//! Unit agents (单位代办, F25; the seed guide 3.2 note 2): a unit opened by staff on the
//! residence-permit platform files permit applications and endorsements for employees who
//! authorized it, under the same rules, decided from the employee's records. The employee must
//! hold a verified residence-permit account (their name, ID document and phone as the unit gives
//! them): they are told by SMS naming the unit, and see and may withdraw the application from
//! their own account. The unit sees only what it filed: the applications, and the permits issued
//! on them; nothing of the employee's other records.

use serde::Serialize;

use crate::auth::Principal;
use crate::context::AppContext;
use crate::domain::account::{AccountStatus, AccountType, RealName, Role};
use crate::domain::id_document::IdDocument;
use crate::domain::phone::PhoneNumber;
use crate::domain::residence_permit::PermitNo;
use crate::error::{ApiError, FieldError};
use crate::store::accounts::{self, AccountRecord, UnitMembership};
use crate::store::page::{Page, PageRequest};
use crate::store::permits::{self, Agent};

use super::permit_applications::{ApplicationRequest, ApplicationView, apply_as};
use super::residence_permits::{self, PermitView};

/// The employee an application is filed for, as the unit names them.
pub struct Employee {
    pub real_name: RealName,
    pub document: IdDocument,
    pub phone: PhoneNumber,
}

/// The body of `POST /v1/unit/permit-applications`.
pub struct UnitApplication {
    pub employee: Employee,
    /// The number of the employee's written authorization (委托书).
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
    let admin = accounts::find_by_id(ctx, &principal.account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let unit = admin.unit.clone().ok_or(ApiError::Internal)?;
    Ok((admin, unit))
}

/// The employee's own account: a verified, active residence-permit account whose name and phone
/// are the ones given. Any mismatch answers the same (it tells nothing of who has an account).
async fn employee_account(
    ctx: &AppContext,
    employee: &Employee,
) -> Result<AccountRecord, ApiError> {
    let account = accounts::find_by_document(ctx, AccountType::ResidencePermit, &employee.document)
        .await?
        .filter(|a| {
            a.role == Role::Individual
                && a.status == AccountStatus::Active
                && a.identity.is_some()
                && a.real_name == employee.real_name.as_str()
                && a.phone == employee.phone
        });
    account.ok_or_else(|| {
        ApiError::validation(FieldError::new(
            "employee",
            "EMPLOYEE_NOT_FOUND",
            "未找到姓名、证件号码和手机号码一致且已实名认证的居住证账号，请员工先注册居住证账号并完成实名认证",
        ))
    })
}

/// `POST /v1/unit/permit-applications`.
pub async fn file(
    ctx: &AppContext,
    principal: &Principal,
    request: UnitApplication,
) -> Result<ApplicationView, ApiError> {
    let (admin, unit) = unit_of(ctx, principal).await?;
    let employee = employee_account(ctx, &request.employee).await?;
    let agent = Agent {
        unit_id: unit.unit_id.clone(),
        unit_name: unit.unit_name.clone(),
        by: admin.account_id.clone(),
        authorization_no: request.authorization_no,
    };
    tracing::info!(unit_id = %unit.unit_id, "permit application filed by a unit");
    apply_as(ctx, &employee, request.application, Some(agent)).await
}

/// An application as the unit that filed it lists it: with the employee's name.
#[derive(Debug, Serialize)]
pub struct FiledApplication {
    #[serde(flatten)]
    pub application: ApplicationView,
    pub holder_name: String,
    pub authorization_no: String,
}

/// `GET /v1/unit/permit-applications`: what the unit filed, oldest first.
pub async fn list(
    ctx: &AppContext,
    principal: &Principal,
    page: &PageRequest,
) -> Result<Page<FiledApplication>, ApiError> {
    let (_, unit) = unit_of(ctx, principal).await?;
    let page = permits::list_of_unit(ctx, &unit.unit_id, page).await?;
    Ok(page.map(|record| FiledApplication {
        application: ApplicationView::of(&record, None),
        holder_name: record.holder_name.clone(),
        authorization_no: record
            .agent
            .as_ref()
            .map(|a| a.authorization_no.clone())
            .unwrap_or_default(),
    }))
}

/// The permit a unit may endorse: one issued on an application it filed (404 otherwise).
pub async fn unit_permit(
    ctx: &AppContext,
    principal: &Principal,
    permit_no: &str,
) -> Result<(AccountRecord, permits::PermitRecord), ApiError> {
    let (admin, unit) = unit_of(ctx, principal).await?;
    let permit_no = PermitNo::parse(permit_no).map_err(|_| ApiError::NotFound)?;
    let permit = permits::get_permit(ctx, &permit_no)
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
    let holder = accounts::find_by_id(ctx, &permit.holder)
        .await?
        .ok_or(ApiError::NotFound)?;
    let today = crate::clock::today_in_china();
    residence_permits::endorse(ctx, &holder, permit, &admin.account_id, today).await
}
