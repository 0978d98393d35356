//! Issuing and checking SMS verification codes, with the limits that keep SMS costs bounded:
//! one code per phone and purpose (and account and device, for login codes) per resend interval,
//! a daily cap per phone and purpose (per account and phone for login codes; a small one for
//! `sub_account_phone` codes, which go to a phone not yet proven), a daily cap per device for
//! login codes, one code per login ticket, an hourly cap per client address (IPv4) or network (IPv6 /64),
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

use super::limits::Quota;
use crate::store::verification_codes::{self, CodeRecord, VerifiedCode};

#[derive(Debug, Serialize)]
pub struct CodeIssued {
    /// Seconds the code stays valid.
    pub expires_in: u64,
    /// Seconds before another code may be requested for this phone and purpose.
    pub resend_after: u64,
    /// The caller's tightest limit after this request (its `RateLimit` headers): of those the
    /// caller is told about, never the service's own ceiling.
    #[serde(skip)]
    pub quota: Option<Quota>,
}

/// The quota with the fewest requests left.
pub(super) fn tightest(quotas: Vec<Quota>) -> Option<Quota> {
    quotas.into_iter().min_by_key(|quota| quota.remaining)
}

/// Shards of the global daily counter: a rush of registrations must not serialize on one key.
const GLOBAL_SHARDS: u32 = 32;

/// Who asks for a code: what each purpose needs, and the limits it is counted against.
pub enum Requester<'a> {
    /// Anyone (a `register` code): counted per client address and per phone.
    Anyone,
    /// A logged-in account (`change_phone`, `change_password`; `sub_account_phone` for a unit
    /// administrator).
    Session(&'a Principal),
    /// The holder of a login ticket, who has just given the account's password from a device it
    /// does not trust yet (a `login` code): counted per account and phone, and per device.
    Ticket(&'a LoginTicket),
}

/// The most `sub_account_phone` codes a phone gets a day, whoever asks: the phone's holder has
/// not agreed to anything yet, so this is what a unit administrator typing a stranger's number
/// can send it.
pub const SUB_ACCOUNT_PHONE_DAILY_LIMIT: u32 = 3;

/// What a login code is bound to besides phone and purpose: the ticket's account and device,
/// so it logs in that device of that account and no other.
pub fn login_binding<'a>(account_id: &'a str, device_hash: &'a str) -> [&'a str; 2] {
    [account_id, device_hash]
}

const TICKET_USED: &str = "该登录凭据已用于获取验证码，请重新输入用户名和密码";
/// Why a sub-account whose phone was never proven gets no login code.
pub const UNPROVEN_PHONE: &str =
    "该子账号的手机号码尚未验证，暂不能在新设备登录，请联系单位管理员重新验证手机号码";

/// Issues a code for `phone` and `purpose` and queues its message (the answer never waits for
/// SNS, see [`crate::sms`]). A `register` code goes to anyone's
/// phone; `change_phone` and `change_password` codes need a logged-in caller (a
/// `change_password` code goes only to the account's own phone); a `login` code needs a login
/// ticket, goes only to its account's phone once that phone is proven, one per ticket, and is
/// bound to the ticket's account and device; a `sub_account_phone` code needs a unit
/// administrator and is bound to them. So nobody else can spend a phone's login codes, one
/// account's requests never spend another's, and the route tells nobody which phones have
/// accounts.
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
    let settings = &ctx.config.sms;
    let mut device = None;
    let mut bound_to: Vec<&str> = Vec::new();
    // What the daily count per purpose is kept for: the phone, or (login codes) the account and
    // phone, so that another account on the same number never spends this one's codes.
    let mut counted_for = ("sms-phone", ctx.db.lookup_hash("phone", phone.as_str()));
    let mut daily_limit = settings.daily_limit_per_phone;
    match (purpose, &requester) {
        (SmsPurpose::Register, _) => {}
        (SmsPurpose::Login, Requester::Ticket(ticket)) => {
            let account = accounts::find_by_id(&ctx.db, &ticket.account_id)
                .await?
                .ok_or(ApiError::NotFound)?;
            if account.phone != *phone {
                return Err(not_account_phone("登录验证码只能发送到账号绑定的手机号码"));
            }
            if !account.phone_proven() {
                return Err(ApiError::Forbidden(UNPROVEN_PHONE));
            }
            if !verification_codes::claim_ticket(&ctx.db, &ticket.ticket_id, ticket.expires_at)
                .await?
            {
                return Err(ApiError::validation(FieldError::new(
                    "login_ticket",
                    "TICKET_USED",
                    TICKET_USED,
                )));
            }
            device = Some(ticket.device_hash.as_str());
            bound_to = login_binding(&ticket.account_id, &ticket.device_hash).to_vec();
            counted_for = (
                "sms-account-phone",
                crate::crypto::keyed_hash(
                    &ctx.config.hash_key,
                    "account-phone",
                    &[&ticket.account_id, phone.as_str()],
                ),
            );
        }
        (SmsPurpose::ChangePassword, Requester::Session(caller)) => {
            let account = accounts::find_by_id(&ctx.db, &caller.account_id)
                .await?
                .ok_or(ApiError::NotFound)?;
            if account.phone != *phone {
                return Err(not_account_phone(
                    "修改密码的验证码只能发送到账号绑定的手机号码",
                ));
            }
        }
        (SmsPurpose::ChangePhone, Requester::Session(_)) => {}
        (SmsPurpose::SubAccountPhone, Requester::Session(caller)) => {
            super::authorization::require_unit_admin(caller)?;
            bound_to = vec![&caller.account_id];
            daily_limit = daily_limit.min(SUB_ACCOUNT_PHONE_DAILY_LIMIT);
        }
        _ => return Err(ApiError::Internal),
    }
    let binding = Binding {
        bound_to,
        counted_for,
        daily_limit,
        device,
    };
    send(ctx, phone, purpose, &binding, Some(client_ip)).await
}

/// What a code is bound to besides phone and purpose, and the limits it is counted against.
pub(super) struct Binding<'a> {
    pub bound_to: Vec<&'a str>,
    /// The daily count per purpose: its kind and key.
    pub counted_for: (&'static str, String),
    pub daily_limit: u32,
    /// For login codes: the device, counted per day.
    pub device: Option<&'a str>,
}

/// Counts a request for a code against the hourly limit of its client address (IPv4) or
/// network (IPv6 /64).
pub(super) async fn count_client(ctx: &AppContext, client_ip: &str) -> Result<Quota, ApiError> {
    let settings = &ctx.config.sms;
    let network = client_network(client_ip);
    let per_network = match network.contains(':') {
        true => settings.hourly_limit_per_ipv6_network,
        false => settings.hourly_limit_per_ip,
    };
    let network = ctx.db.lookup_hash("ip", &network);
    super::limits::hit(ctx, "sms-ip", &network, Window::HOUR, per_network).await
}

/// Draws a code for `phone`, `purpose` and `binding`, under the resend interval and the limits
/// (the client's, when `client_ip` is given and not counted already), and queues its message.
pub(super) async fn send(
    ctx: &AppContext,
    phone: &PhoneNumber,
    purpose: SmsPurpose,
    binding: &Binding<'_>,
    client_ip: Option<&str>,
) -> Result<CodeIssued, ApiError> {
    let settings = &ctx.config.sms;
    let Binding {
        bound_to,
        counted_for,
        daily_limit,
        device,
    } = binding;
    let (daily_limit, device) = (*daily_limit, *device);
    let now = crate::clock::epoch_seconds();
    let interval = settings.resend_interval.as_secs() as i64;
    let key = verification_code_key(&ctx.db, phone, purpose, bound_to);

    if let Some(last) = verification_codes::get(&ctx.db, &key).await? {
        let next_allowed = last.sent_at + interval;
        if next_allowed > now {
            return Err(ApiError::RateLimited {
                retry_after: (next_allowed - now) as u64,
                policy: None,
            });
        }
    }
    let mut quotas = Vec::new();
    if let Some(client_ip) = client_ip {
        quotas.push(count_client(ctx, client_ip).await?);
    }
    let per_purpose = format!("{}-{}", counted_for.0, purpose.as_str());
    quotas.push(
        super::limits::hit(
            ctx,
            &per_purpose,
            &counted_for.1,
            Window::CHINA_DAY,
            daily_limit,
        )
        .await?,
    );
    if let Some(device) = device {
        quotas.push(
            super::limits::hit(
                ctx,
                "sms-device",
                device,
                Window::CHINA_DAY,
                settings.daily_limit_per_device,
            )
            .await?,
        );
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
        code_hash: verification_codes::code_hash(&ctx.db, phone, purpose, bound_to, code.expose()),
        sent_at: now,
        expires_at: now + settings.code_ttl.as_secs() as i64,
        attempts: 0,
    };
    if !verification_codes::put_unless_too_early(&ctx.db, &record, now - interval).await? {
        // A concurrent request for the same phone and purpose won the race.
        return Err(ApiError::RateLimited {
            retry_after: interval as u64,
            policy: None,
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
        verification_codes::delete_undelivered(&ctx.db, &key, &record.code_hash).await?;
        return Err(error);
    }
    Ok(CodeIssued {
        expires_in: settings.code_ttl.as_secs(),
        resend_after: interval as u64,
        quota: tightest(quotas),
    })
}

/// Checks a code typed by the user. Every try counts against the code (wrong or right, counted
/// before comparing), so after `max_attempts` tries the code is dead, and a right code used to
/// probe for conflicts is used up too. The code is not consumed here: the caller consumes the
/// returned [`VerifiedCode`] together with what it protects. `bound_to` is what the code was
/// issued for besides phone and purpose (see [`issue`]): a code issued for another account,
/// device or administrator is simply not found.
pub async fn check(
    ctx: &AppContext,
    phone: &PhoneNumber,
    purpose: SmsPurpose,
    bound_to: &[&str],
    code: &str,
) -> Result<VerifiedCode, ApiError> {
    let key = verification_code_key(&ctx.db, phone, purpose, bound_to);
    let Some(record) =
        verification_codes::count_try(&ctx.db, &key, ctx.config.sms.max_attempts).await?
    else {
        return Err(ApiError::SmsCodeInvalid);
    };
    let offered = verification_codes::code_hash(&ctx.db, phone, purpose, bound_to, code);
    if !crate::crypto::constant_time_eq(&offered, &record.code_hash) {
        return Err(ApiError::SmsCodeInvalid);
    }
    Ok(VerifiedCode {
        key,
        code_hash: record.code_hash,
        max_attempts: ctx.config.sms.max_attempts,
    })
}
