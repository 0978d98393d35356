//! Issuing and checking SMS verification codes, with the limits that keep SMS costs bounded:
//! one code per phone and purpose per resend interval, a daily cap per phone and purpose, a daily
//! cap per device for login codes, an hourly cap per client address (IPv4) or network (IPv6 /64),
//! and a daily ceiling for the whole service.

use serde::Serialize;

use crate::auth::Principal;
use crate::auth::login_ticket::LoginTicket;
use crate::context::AppContext;
use crate::domain::client::client_network;
use crate::domain::phone::PhoneNumber;
use crate::domain::sms::{SmsCode, SmsPurpose};
use crate::error::{ApiError, FieldError};
use crate::sms::{CarriedCode, QueuedSms};
use crate::store::accounts;
use crate::store::keys::verification_code_key;
use crate::store::rate_limits::Window;
use crate::store::verification_codes::{self, CodeRecord, VerifiedCode};

#[derive(Debug, Serialize)]
pub struct CodeIssued {
    /// Seconds the code stays valid.
    pub expires_in: u64,
    /// Seconds before another code may be requested for this phone and purpose.
    pub resend_after: u64,
}

/// Shards of the global daily counter: a rush of registrations must not serialize on one key.
const GLOBAL_SHARDS: u32 = 32;

/// Who asks for a code: what each purpose needs, and the limits it is counted against.
pub enum Requester<'a> {
    /// Anyone (a `register` code): counted per client address and per phone.
    Anyone,
    /// A logged-in account (`change_phone`, `change_password`).
    Session(&'a Principal),
    /// The holder of a login ticket, who has just given the account's password from a device it
    /// does not trust yet (a `login` code): counted per device too.
    Ticket(&'a LoginTicket),
}

/// Issues a code for `phone` and `purpose` and queues its message (the answer never waits for
/// SNS, see [`crate::sms`]). A `register` code goes to anyone's
/// phone; `change_phone` and `change_password` codes need a logged-in caller (a
/// `change_password` code goes only to the account's own phone); a `login` code needs a login
/// ticket and goes only to its account's phone, so nobody else can spend a phone's login codes,
/// and the route tells nobody which phones have accounts.
pub async fn issue(
    ctx: &AppContext,
    phone: &PhoneNumber,
    purpose: SmsPurpose,
    requester: Requester<'_>,
    client_ip: &str,
) -> Result<CodeIssued, ApiError> {
    let not_account_phone = |message: &'static str| {
        ApiError::validation(FieldError::new("phone", "NOT_ACCOUNT_PHONE", message))
    };
    let mut device = None;
    match (purpose, &requester) {
        (SmsPurpose::Register, _) => {}
        (SmsPurpose::Login, Requester::Ticket(ticket)) => {
            let account = accounts::find_by_id(ctx, &ticket.account_id)
                .await?
                .ok_or(ApiError::NotFound)?;
            if account.phone != *phone {
                return Err(not_account_phone("登录验证码只能发送到账号绑定的手机号码"));
            }
            device = Some(ticket.device_hash.as_str());
        }
        (SmsPurpose::ChangePassword, Requester::Session(caller)) => {
            let account = accounts::find_by_id(ctx, &caller.account_id)
                .await?
                .ok_or(ApiError::NotFound)?;
            if account.phone != *phone {
                return Err(not_account_phone(
                    "修改密码的验证码只能发送到账号绑定的手机号码",
                ));
            }
        }
        (SmsPurpose::ChangePhone, Requester::Session(_)) => {}
        _ => return Err(ApiError::Internal),
    }
    let settings = &ctx.config.sms;
    let now = crate::clock::epoch_seconds();
    let interval = settings.resend_interval.as_secs() as i64;
    let key = verification_code_key(ctx, phone, purpose);

    if let Some(last) = verification_codes::get(ctx, &key).await? {
        let next_allowed = last.sent_at + interval;
        if next_allowed > now {
            return Err(ApiError::RateLimited {
                retry_after: (next_allowed - now) as u64,
            });
        }
    }
    let network = client_network(client_ip);
    let per_network = match network.contains(':') {
        true => settings.hourly_limit_per_ipv6_network,
        false => settings.hourly_limit_per_ip,
    };
    let network = ctx.lookup_hash("ip", &network);
    super::limits::hit(ctx, "sms-ip", &network, Window::HOUR, per_network).await?;
    let phone_key = ctx.lookup_hash("phone", phone.as_str());
    let per_purpose = format!("sms-phone-{}", purpose.as_str());
    super::limits::hit(
        ctx,
        &per_purpose,
        &phone_key,
        Window::CHINA_DAY,
        settings.daily_limit_per_phone,
    )
    .await?;
    if let Some(device) = device {
        super::limits::hit(
            ctx,
            "sms-device",
            device,
            Window::CHINA_DAY,
            settings.daily_limit_per_device,
        )
        .await?;
    }
    let shard = crate::crypto::random_u32() % GLOBAL_SHARDS;
    let per_shard = settings.daily_limit_global.div_ceil(GLOBAL_SHARDS);
    super::limits::hit(
        ctx,
        "sms-global",
        &shard.to_string(),
        Window::CHINA_DAY,
        per_shard,
    )
    .await?;

    let code = SmsCode::generate();
    let record = CodeRecord {
        pk: key.clone(),
        code_hash: verification_codes::code_hash(ctx, phone, purpose, code.expose()),
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
    let minutes = settings.code_ttl.as_secs().div_ceil(60);
    let text = code.message(&settings.signature, purpose, minutes);
    let carried = CarriedCode {
        key: key.clone(),
        code_hash: record.code_hash.clone(),
        expires_at: record.expires_at,
    };
    let message = QueuedSms::with_code(phone, text, purpose.as_str(), carried);
    if let Err(error) = crate::sms::outbox::enqueue(ctx, &message).await {
        verification_codes::delete_undelivered(ctx, &key, &record.code_hash).await?;
        return Err(error);
    }
    Ok(CodeIssued {
        expires_in: settings.code_ttl.as_secs(),
        resend_after: interval as u64,
    })
}

/// Checks a code typed by the user. Every try counts against the code (wrong or right, counted
/// before comparing), so after `max_attempts` tries the code is dead, and a right code used to
/// probe for conflicts is used up too. The code is not consumed here: the caller consumes the
/// returned [`VerifiedCode`] together with what it protects.
pub async fn check(
    ctx: &AppContext,
    phone: &PhoneNumber,
    purpose: SmsPurpose,
    code: &str,
) -> Result<VerifiedCode, ApiError> {
    let key = verification_code_key(ctx, phone, purpose);
    let Some(record) = verification_codes::count_try(ctx, &key).await? else {
        return Err(ApiError::SmsCodeInvalid);
    };
    let offered = verification_codes::code_hash(ctx, phone, purpose, code);
    if !crate::crypto::constant_time_eq(&offered, &record.code_hash) {
        return Err(ApiError::SmsCodeInvalid);
    }
    Ok(VerifiedCode {
        key,
        code_hash: record.code_hash,
    })
}
