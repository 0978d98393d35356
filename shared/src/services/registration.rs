//! Self-registration of an individual account (F1, F2).

use crate::context::AppContext;
use crate::domain::account::{AccountType, RealName, Role, Username};
use crate::domain::id_document::IdDocument;
use crate::domain::password::{Password, hash_password};
use crate::domain::phone::PhoneNumber;
use crate::domain::sms::SmsPurpose;
use crate::error::ApiError;
use crate::store::accounts::{self, AccountRecord, AccountStatus, NewAccount};

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

    let account_id = uuid::Uuid::new_v4().to_string();
    let (pk, sk) = accounts::new_profile(&account_id);
    let record = AccountRecord {
        pk,
        sk,
        account_id,
        account_type: registration.account_type,
        role: Role::Individual,
        username: registration.username.as_str().to_owned(),
        real_name: registration.real_name.as_str().to_owned(),
        id_type: registration.document.id_type(),
        id_number: registration.document.number().to_owned(),
        phone: registration.phone.as_str().to_owned(),
        password_hash,
        status: AccountStatus::Active,
        created_at: crate::clock::rfc3339(crate::clock::now()),
        failed_logins: 0,
        last_failed_at: 0,
        locked_until: 0,
        must_change_password: false,
    };
    let view = AccountView::from(&record);
    let new = NewAccount {
        record,
        username_key: registration.username.key(),
        phone: &registration.phone,
        document: &registration.document,
    };
    accounts::create(ctx, new, Some(&code)).await?;
    tracing::info!(account_id = %view.account_id, account_type = view.account_type.as_str(), "account registered");
    Ok(view)
}
