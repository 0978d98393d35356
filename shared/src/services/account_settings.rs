//! Changing one's own account settings (F9, F10): the phone and the password.

use crate::auth::Principal;
use crate::context::AppContext;
use crate::domain::password::{Password, hash_password, verify_password};
use crate::domain::phone::PhoneNumber;
use crate::domain::sms::SmsPurpose;
use crate::error::{ApiError, Invalid};
use crate::services::views::account::AccountView;
use crate::services::{blocking, sms_codes};
use crate::sms::QueuedSms;
use crate::store::{Clash, accounts};

use super::conflicts;

/// `PUT /v1/me/password`: what the body holds, each part in its form.
pub struct PasswordChange {
    pub old_password: Password,
    pub new_password: String,
    pub sms_code: String,
}

/// `PUT /v1/me/phone`: the new phone, the current password (a session alone cannot move the
/// phone that new-device logins are proven by) and the `change_phone` code sent to the new phone.
pub struct PhoneChange {
    pub new_phone: PhoneNumber,
    pub current_password: Password,
    pub sms_code: String,
}

/// Changes the caller's password (F10): the old password, a new one under the registration
/// policy, and a `change_password` code sent to the account's phone. The code is checked first
/// (every try counts against it, so the old password cannot be guessed more than a code allows);
/// then, in one transaction, the hash is replaced, the code used up and every trusted device
/// forgotten (each needs an SMS code at its next login). The caller's session stays; it is the
/// account's only one. The phone gets a notice.
pub async fn change_password(
    ctx: &AppContext,
    principal: &Principal,
    change: PasswordChange,
) -> Result<(), ApiError> {
    let account = accounts::find_by_id(&ctx.db, &principal.account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let new_password = Password::new_checked(&change.new_password, Some(&account.username))
        .map_err(|invalid| ApiError::validation(invalid.at("new_password")))?;
    let phone = account.phone.clone();
    let code = sms_codes::check(
        ctx,
        &phone,
        SmsPurpose::ChangePassword,
        &[],
        &change.sms_code,
    )
    .await?;

    let old_hash = account.password_hash.clone();
    let (old, new) = (change.old_password, new_password);
    let (old_matches, same, new_hash) = blocking(move || {
        let old_matches = verify_password(&old, &old_hash);
        let same = verify_password(&new, &old_hash);
        (old_matches, same, hash_password(&new))
    })
    .await?;
    if !old_matches {
        return Err(ApiError::validation(
            Invalid::new("WRONG_PASSWORD", "原密码错误").at("old_password"),
        ));
    }
    if same {
        return Err(ApiError::validation(
            Invalid::new("SAME_AS_OLD", "新密码不能与原密码相同").at("new_password"),
        ));
    }
    let devices = accounts::ForgottenDevices::of(&ctx.db, &account.account_id).await?;
    accounts::change_password(
        &ctx.db,
        &account.account_id,
        &principal.session_id,
        &account.password_hash,
        &new_hash,
        &code,
        devices,
    )
    .await?;
    tracing::info!(account_id = %account.account_id, "password changed");
    let notice = crate::domain::sms::password_changed_notice(&ctx.config.sms.signature);
    let notice = QueuedSms::notice(&phone, notice, "password_changed");
    if let Err(error) = crate::sms::outbox::enqueue(ctx, &notice).await {
        // The change stands; the notice is best effort (the failure is logged by `enqueue`).
        tracing::warn!(?error, "password-change notice not queued");
    }
    Ok(())
}

/// `PUT /v1/me/phone` (F9): moves the account to a new phone, proven by a `change_phone` code
/// sent to that phone and by the current password (re-authentication: a stolen session cannot
/// move the phone, and with it the new-device login codes). The code is checked first, so the
/// password cannot be guessed more often than codes allow tries. A phone held by another account
/// of the same type is refused (`PHONE_TAKEN`). The old phone gets a notice.
pub async fn change_phone(
    ctx: &AppContext,
    principal: &Principal,
    change: PhoneChange,
) -> Result<AccountView, ApiError> {
    let PhoneChange {
        new_phone,
        current_password,
        sms_code,
    } = change;
    let mut account = accounts::find_by_id(&ctx.db, &principal.account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if account.phone == new_phone {
        return Err(ApiError::validation(
            Invalid::new("SAME_AS_CURRENT", "新手机号码与当前号码相同").at("new_phone"),
        ));
    }
    let code = sms_codes::check(ctx, &new_phone, SmsPurpose::ChangePhone, &[], &sms_code).await?;
    let hash = account.password_hash.clone();
    if !blocking(move || verify_password(&current_password, &hash)).await? {
        return Err(ApiError::validation(
            Invalid::new("WRONG_PASSWORD", "当前密码错误").at("current_password"),
        ));
    }
    accounts::change_phone(&ctx.db, &account, &new_phone, &code)
        .await
        .map_err(|error| match error {
            error if error.is(Clash::PhoneTaken) => {
                conflicts::values_taken(vec![conflicts::phone_taken("new_phone")])
            }
            other => other.into(),
        })?;
    tracing::info!(account_id = %account.account_id, "phone changed");
    let old_phone = account.phone.clone();
    let notice = crate::domain::sms::phone_changed_notice(
        &ctx.config.sms.signature,
        &crate::domain::mask::phone(new_phone.as_str()),
    );
    let notice = QueuedSms::notice(&old_phone, notice, "phone_changed");
    if let Err(error) = crate::sms::outbox::enqueue(ctx, &notice).await {
        tracing::warn!(?error, "phone-change notice not queued");
    }
    account.phone = new_phone;
    Ok(AccountView::from(&account))
}

/// `GET /v1/me`: the caller's own account.
pub async fn me(ctx: &AppContext, principal: &Principal) -> Result<AccountView, ApiError> {
    let account = crate::store::accounts::find_by_id(&ctx.db, &principal.account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(AccountView::from(&account))
}
