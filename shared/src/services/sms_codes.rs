//! Issuing and checking SMS verification codes, with the limits that keep SMS costs bounded:
//! one code per phone and purpose per resend interval, a daily cap per phone, an hourly cap per
//! client IP.

use serde::Serialize;

use crate::context::AppContext;
use crate::domain::phone::PhoneNumber;
use crate::domain::sms::{SmsCode, SmsPurpose};
use crate::error::ApiError;
use crate::store::accounts;
use crate::store::rate_limits::{self, Window};
use crate::store::verification_codes::{self, CodeRecord, VerifiedCode};

#[derive(Debug, Serialize)]
pub struct CodeIssued {
    /// Seconds the code stays valid.
    pub expires_in: u64,
    /// Seconds before another code may be requested for this phone and purpose.
    pub resend_after: u64,
}

/// Issues a code for `phone` and `purpose` and sends it.
///
/// A login code is only really sent to a phone that has an account; for any other phone the
/// answer and the limits are exactly the same, so the route tells nobody which phones have
/// accounts, and costs nothing for them.
pub async fn issue(
    ctx: &AppContext,
    phone: &PhoneNumber,
    purpose: SmsPurpose,
    client_ip: &str,
) -> Result<CodeIssued, ApiError> {
    let settings = &ctx.config.sms;
    let now = crate::clock::epoch_seconds();
    let interval = settings.resend_interval.as_secs() as i64;
    let key = verification_codes::record_key(ctx, phone, purpose);

    if let Some(last) = verification_codes::get(ctx, &key).await? {
        let next_allowed = last.sent_at + interval;
        if next_allowed > now {
            return Err(ApiError::RateLimited {
                retry_after: (next_allowed - now) as u64,
            });
        }
    }
    rate_limits::hit(
        ctx,
        &rate_limits::key("sms-ip", client_ip),
        Window::HOUR,
        settings.hourly_limit_per_ip,
    )
    .await?;
    let phone_key = crate::crypto::keyed_hash(&ctx.config.hash_key, "phone", &[phone.as_str()]);
    rate_limits::hit(
        ctx,
        &rate_limits::key("sms-phone", &phone_key),
        Window::CHINA_DAY,
        settings.daily_limit_per_phone,
    )
    .await?;

    let deliver = purpose != SmsPurpose::Login || accounts::phone_has_account(ctx, phone).await?;
    let code = SmsCode::generate();
    let record = CodeRecord {
        pk: key.clone(),
        code_hash: if deliver {
            verification_codes::code_hash(ctx, phone, purpose, code.expose())
        } else {
            // Nothing was sent, so nothing can match: a random hash.
            crate::crypto::random_token(32)
        },
        sent_at: now,
        expires_at: now + settings.code_ttl.as_secs() as i64,
        attempts: 0,
    };
    if !verification_codes::put_unless_too_early(ctx, &record, now - interval).await? {
        // A concurrent request for the same phone and purpose won the race.
        return Err(ApiError::RateLimited {
            retry_after: interval as u64,
        });
    }
    if deliver {
        let minutes = settings.code_ttl.as_secs().div_ceil(60);
        let text = code.message(&settings.signature, purpose, minutes);
        if let Err(error) = crate::sms::send(ctx, phone, &text, purpose.as_str()).await {
            verification_codes::delete_undelivered(ctx, &key, &record.code_hash).await?;
            return Err(error);
        }
    }
    Ok(CodeIssued {
        expires_in: settings.code_ttl.as_secs(),
        resend_after: interval as u64,
    })
}

/// Checks a code typed by the user. A wrong code counts against the code's attempts; after
/// `max_attempts` wrong ones the code is dead. The code is not used up here: the caller consumes
/// the returned [`VerifiedCode`] together with what it protects.
pub async fn check(
    ctx: &AppContext,
    phone: &PhoneNumber,
    purpose: SmsPurpose,
    code: &str,
) -> Result<VerifiedCode, ApiError> {
    let key = verification_codes::record_key(ctx, phone, purpose);
    let Some(record) = verification_codes::get(ctx, &key).await? else {
        return Err(ApiError::SmsCodeInvalid);
    };
    let now = crate::clock::epoch_seconds();
    if record.expires_at <= now || record.attempts >= ctx.config.sms.max_attempts {
        return Err(ApiError::SmsCodeInvalid);
    }
    let offered = verification_codes::code_hash(ctx, phone, purpose, code);
    if !crate::crypto::constant_time_eq(&offered, &record.code_hash) {
        verification_codes::record_wrong_attempt(ctx, &key, &record.code_hash).await?;
        return Err(ApiError::SmsCodeInvalid);
    }
    Ok(VerifiedCode {
        key,
        code_hash: record.code_hash,
    })
}
