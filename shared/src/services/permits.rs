//! Residence permits (F22): what the records say of the holder's eligibility. The rules are the
//! domain's ([`crate::domain::eligibility`]); this reads the two timelines they decide from: the
//! holder's registrations (the verified identity's only) and the bureau's insurance months
//! (through [`crate::social_insurance`]).

use chrono::NaiveDate;
use serde::Serialize;

use crate::auth::Principal;
use crate::context::AppContext;
use crate::domain::account::AccountType;
use crate::domain::eligibility::insurance::PaidMonths;
use crate::domain::eligibility::residence::Registration;
use crate::domain::eligibility::{Assessment, Basis, ConditionName, assess_application};
use crate::error::{ApiError, FieldError};
use crate::store::accounts::{self, AccountRecord};
use crate::store::registrations;

use super::identity::{is_holder, require_verified};

/// `GET /v1/me/permit-eligibility`.
#[derive(Debug, Serialize)]
pub struct EligibilityView {
    /// The China date the records were assessed on.
    pub as_of: NaiveDate,
    #[serde(flatten)]
    pub assessment: Assessment,
}

/// The two timelines of a verified permit account's holder, as of `today`, and the holder's
/// latest current registration (what a card shows).
pub struct Timelines {
    pub registrations: Vec<Registration>,
    pub paid: PaidMonths,
    pub current: Option<registrations::RegistrationRecord>,
}

/// Reads the holder's timelines: registrations whose resident is the holder (voided ones never
/// count), each counted from its declaration's China date; insurance months of the window.
pub async fn timelines(
    ctx: &AppContext,
    account: &AccountRecord,
    today: NaiveDate,
) -> Result<Timelines, ApiError> {
    let person = account.person_key(&ctx.db).ok_or(ApiError::Internal)?;
    let mut records = registrations::all_of_person(&ctx.db, &person).await?;
    records.retain(|r| is_holder(ctx, account, r));
    let registrations = records
        .iter()
        .map(|r| {
            Ok(Registration {
                declared_on: r.declared_on().ok_or(ApiError::Internal)?,
                moved_in_on: r.moved_in_on,
                moved_out_on: r.moved_out_on,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let paid = crate::social_insurance::paid_months(ctx, &person, today).await?;
    let current = records
        .into_iter()
        .filter(|r| r.status == crate::domain::registration::RegistrationStatus::Current)
        .max_by(|a, b| a.declared_at.cmp(&b.declared_at));
    Ok(Timelines {
        registrations,
        paid,
        current,
    })
}

/// The caller's own residence-permit account, its identity verified (403 `FORBIDDEN` for other
/// account types and for unit accounts, `IDENTITY_NOT_VERIFIED` before verification).
pub async fn verified_holder(
    ctx: &AppContext,
    principal: &Principal,
) -> Result<AccountRecord, ApiError> {
    principal.require_type(AccountType::ResidencePermit)?;
    if principal.role != crate::domain::account::Role::Individual {
        return Err(ApiError::Forbidden(
            "单位账号不能查看或办理个人的居住证业务，请使用单位代办入口",
        ));
    }
    let account = accounts::find_by_id(&ctx.db, &principal.account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    require_verified(&account)?;
    Ok(account)
}

/// The message of an unmet condition (the reasons of `NOT_ELIGIBLE`).
pub fn unmet_message(condition: ConditionName) -> &'static str {
    match condition {
        ConditionName::CurrentRegistration => "您目前在深圳没有有效的居住登记",
        ConditionName::ContinuousResidence => "连续居住登记未满12个月",
        ConditionName::SocialInsurance => "社会保险未连续缴纳满12个月，且2年内累计未满18个月",
        ConditionName::ResidenceInYear => "上一年度累计居住登记未满8个月",
        ConditionName::InsuranceInYear => "上一年度累计缴纳社会保险未满8个月",
    }
}

/// The `errors` of `NOT_ELIGIBLE`: every unmet condition of the assessment.
pub fn unmet_errors(assessment: &Assessment) -> Vec<FieldError> {
    assessment
        .unmet()
        .map(|c| {
            FieldError::new(
                <&'static str>::from(c.condition),
                "CONDITION_NOT_MET",
                unmet_message(c.condition),
            )
        })
        .collect()
}

/// `GET /v1/me/permit-eligibility?basis=`: each condition of the basis, what was counted, met or
/// not, and the earliest day all would hold if nothing changes. Verified identities only.
pub async fn eligibility(
    ctx: &AppContext,
    principal: &Principal,
    basis: Basis,
) -> Result<EligibilityView, ApiError> {
    let account = verified_holder(ctx, principal).await?;
    let today = crate::clock::today_in_china();
    let timelines = timelines(ctx, &account, today).await?;
    Ok(EligibilityView {
        as_of: today,
        assessment: assess_application(basis, &timelines.registrations, &timelines.paid, today),
    })
}
