//! Self-registration of an individual account (F1, F2).

use crate::context::AppContext;
use crate::domain::account::{AccountType, RealName, Role, Username};
use crate::domain::id_document::IdDocument;
use crate::domain::password::{Password, hash_password};
use crate::domain::phone::PhoneNumber;
use crate::domain::sms::SmsPurpose;
use crate::error::ApiError;
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
}

/// Checks the SMS code, then writes the account, its unique claims and the code's consumption
/// in one transaction. Two registrations of one username at once: exactly one succeeds.
pub async fn register(
    ctx: &AppContext,
    registration: Registration,
) -> Result<AccountView, ApiError> {
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
    accounts::create(ctx, &holder, &record, Some(&code)).await?;
    let view = AccountView::from(&record);
    tracing::info!(account_id = %view.account_id, account_type = view.account_type.as_str(), "account registered");
    Ok(view)
}
