//! A forgotten password (忘记密码): a `reset_password` code to the account's phone, asked for by
//! platform, username (or phone) and ID number, then the reset with that code.
//!
//! Nothing here tells whether an account exists: the code request is answered `202` whether or
//! not the three match (only a match queues a message, and the answer never waits for SMS), its
//! limits are counted on what was typed before anything is looked up, and a reset with details
//! that match no account fails exactly as a wrong code does, after a try counted the same way.

use crate::context::AppContext;
use crate::domain::account::{AccountStatus, AccountType};
use crate::domain::password::{Password, hash_password};
use crate::domain::phone::PhoneNumber;
use crate::domain::sms::SmsPurpose;
use crate::error::ApiError;
use crate::sms::QueuedSms;
use crate::store::accounts::{self, AccountRecord, ForgottenDevices};
use crate::store::audit::{AuditAction, AuditRecord};
use crate::store::rate_limits::Window;

use super::sms_codes::{self, Binding, CodeIssued};

/// Who the holder says they are: what both the code request and the reset carry.
pub struct Claimed {
    pub platform: AccountType,
    /// A username or the account's phone, as typed.
    pub username: String,
    /// The holder's ID number, as typed.
    pub id_number: String,
}

/// `POST /v1/password-resets`.
pub struct PasswordReset {
    pub claimed: Claimed,
    pub sms_code: String,
    pub new_password: String,
}

/// How often one set of typed details may ask for a code (per minute): one, as a phone's resend
/// interval allows.
const REQUESTS_PER_MINUTE: u32 = 1;

/// `POST /v1/sms-codes` with purpose `reset_password`: a code to the phone of the account the
/// details name, when they name one that may reset its password; the same answer otherwise. The
/// client's hourly limit and the typed details' per-minute limit are counted first, for every
/// request alike; a matching account's own limits (its phone's resend interval and daily count,
/// the service's daily ceiling) then decide silently whether a message goes.
pub async fn request_code(
    ctx: &AppContext,
    claimed: &Claimed,
    client_ip: &str,
) -> Result<CodeIssued, ApiError> {
    let per_client = sms_codes::count_client(ctx, client_ip).await?;
    let typed = ctx.db.lookup_hash(
        "reset-request",
        &format!(
            "{}\u{0}{}\u{0}{}",
            claimed.platform.as_str(),
            claimed.username.trim().to_ascii_lowercase(),
            claimed.id_number.trim().to_ascii_uppercase()
        ),
    );
    let per_details = super::limits::hit(
        ctx,
        "sms-reset-request",
        &typed,
        Window::MINUTE,
        REQUESTS_PER_MINUTE,
    )
    .await?;
    // Only the limits counted for every request alike show (an account's would tell it exists).
    let answer = CodeIssued {
        expires_in: ctx.config.sms.code_ttl.as_secs(),
        resend_after: ctx.config.sms.resend_interval.as_secs(),
        quota: sms_codes::tightest(vec![per_client, per_details]),
    };
    let Some(account) = matching_account(ctx, claimed).await? else {
        return Ok(answer);
    };
    let binding = Binding {
        bound_to: vec![&account.account_id],
        counted_for: (
            "sms-phone",
            ctx.db.lookup_hash("phone", account.phone.as_str()),
        ),
        daily_limit: ctx.config.sms.daily_limit_per_phone,
        device: None,
    };
    match sms_codes::send(
        ctx,
        &account.phone,
        SmsPurpose::ResetPassword,
        &binding,
        None,
    )
    .await
    {
        Ok(_) => {}
        // The account's own limits must not show through: its holder gets no new message, and
        // the caller the same answer as anyone.
        Err(ApiError::RateLimited { .. }) => {
            tracing::info!(account_id = %account.account_id, "reset code not sent: the account's limits are reached");
        }
        Err(error) => return Err(error),
    }
    Ok(answer)
}

/// `POST /v1/password-resets`: sets a new password (the registration rules) with a
/// `reset_password` code. In one transaction the password is replaced, the code used up, the
/// session and its refresh token ended, the trusted devices forgotten and an audit record
/// written; the phone then gets a notice.
pub async fn reset(ctx: &AppContext, reset: PasswordReset) -> Result<(), ApiError> {
    let PasswordReset {
        claimed,
        sms_code,
        new_password,
    } = reset;
    let at_new_password =
        |invalid: crate::error::Invalid| ApiError::validation(invalid.at("new_password"));
    Password::new_checked(&new_password, Some(claimed.username.trim())).map_err(at_new_password)?;
    let Some(account) = matching_account(ctx, &claimed).await? else {
        // A try against a code that cannot exist costs what a try against a real one does.
        let nobody = PhoneNumber::parse("13000000000").expect("a valid phone");
        let decoy = ctx.db.lookup_hash("reset-decoy", &claimed.username);
        sms_codes::check(
            ctx,
            &nobody,
            SmsPurpose::ResetPassword,
            &[&decoy],
            &sms_code,
        )
        .await?;
        return Err(ApiError::SmsCodeInvalid);
    };
    let code = sms_codes::check(
        ctx,
        &account.phone,
        SmsPurpose::ResetPassword,
        &[&account.account_id],
        &sms_code,
    )
    .await?;
    let new_password =
        Password::new_checked(&new_password, Some(&account.username)).map_err(at_new_password)?;
    let new_hash = super::blocking(move || hash_password(&new_password)).await?;
    let devices = ForgottenDevices::of(&ctx.db, &account.account_id).await?;
    let at = crate::clock::rfc3339(crate::clock::now());
    let audit = AuditRecord::new(&account.account_id, AuditAction::PasswordReset, &at);
    accounts::reset_password(
        &ctx.db,
        &account.account_id,
        &account.password_hash,
        &new_hash,
        &code,
        devices,
        &audit,
    )
    .await?;
    tracing::info!(account_id = %account.account_id, "password reset");
    let notice = crate::domain::sms::password_reset_notice(&ctx.config.sms.signature);
    let notice = QueuedSms::notice(&account.phone, notice, "password_reset");
    if let Err(error) = crate::sms::outbox::enqueue(ctx, &notice).await {
        // The reset stands; the notice is best effort (the failure is logged by `enqueue`).
        tracing::warn!(?error, "password-reset notice not queued");
    }
    Ok(())
}

/// The account the details name, when it may reset its password: of that platform, active, an
/// individual's (unit accounts have no ID number: their administrator resets them), holding that
/// ID number, with a phone its holder proved.
async fn matching_account(
    ctx: &AppContext,
    claimed: &Claimed,
) -> Result<Option<AccountRecord>, ApiError> {
    let found = super::login::find_account(ctx, claimed.platform, None, &claimed.username).await?;
    let typed_number = claimed.id_number.trim().to_ascii_uppercase();
    Ok(found.account.filter(|account| {
        account.account_type == claimed.platform
            && account.status == AccountStatus::Active
            && !account.role.is_unit()
            && account.phone_proven()
            && account.id_number.as_deref().is_some_and(|number| {
                crate::crypto::constant_time_eq(&number.to_ascii_uppercase(), &typed_number)
            })
    }))
}
