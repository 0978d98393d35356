//! Self-registration of an individual account (F1, F2).

use crate::context::AppContext;
use crate::domain::account::{AccountType, RealName, Role, Username};
use crate::domain::id_document::IdDocument;
use crate::domain::password::{Password, hash_password};
use crate::domain::phone::PhoneNumber;
use crate::domain::sms::SmsPurpose;
use crate::error::{ApiError, FieldError};
use crate::store::house_links::LinkRecord;

use super::house_links::LinkRequest;
use crate::store::accounts::{self, AccountRecord, Holder};

use super::account_view::AccountView;

/// A registration whose every field has been validated.
pub struct Registration {
    pub account_type: AccountType,
    pub username: Username,
    pub password: Password,
    pub real_name: RealName,
    pub document: IdDocument,
    pub phone: PhoneNumber,
    pub sms_code: String,
    /// Houses to link at once (residence-registration accounts only).
    pub houses: Vec<LinkRequest>,
}

/// The houses a registration asks for were checked; their links are made with the account.
fn check_houses_allowed(registration: &Registration) -> Result<(), ApiError> {
    if registration.houses.is_empty()
        || registration.account_type == AccountType::ResidenceRegistration
    {
        Ok(())
    } else {
        Err(ApiError::validation(FieldError::new(
            "houses",
            "NOT_ALLOWED",
            "只有居住登记账号可以关联房屋",
        )))
    }
}

/// Checks the houses and the SMS code, then writes the account, its unique claims, its house
/// links and the code's consumption in one transaction. Two registrations of one username at
/// once: exactly one succeeds.
pub async fn register(
    ctx: &AppContext,
    mut registration: Registration,
) -> Result<AccountView, ApiError> {
    check_houses_allowed(&registration)?;
    // Before the code check, so that a mistyped house does not use up one of the code's tries.
    let houses = super::house_links::resolve(ctx, std::mem::take(&mut registration.houses)).await?;
    let code = super::sms_codes::check(
        ctx,
        &registration.phone,
        SmsPurpose::Register,
        &registration.sms_code,
    )
    .await?;

    let password = registration.password;
    let password_hash = super::blocking(move || hash_password(&password)).await?;

    let holder = Holder {
        account_type: registration.account_type,
        role: Role::Individual,
        username: &registration.username,
        real_name: &registration.real_name,
        document: &registration.document,
        phone: &registration.phone,
    };
    let record = AccountRecord::new(&holder, password_hash);
    let links: Vec<LinkRecord> = houses
        .into_iter()
        .map(|(declarant_type, target)| {
            LinkRecord::new(ctx, &record.account_id, declarant_type, target)
        })
        .collect();
    accounts::create(ctx, &holder, &record, Some(&code), &links).await?;
    let view = AccountView::from(&record);
    tracing::info!(account_id = %view.account_id, account_type = view.account_type.as_str(), "account registered");
    Ok(view)
}
