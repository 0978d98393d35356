//! Login (F5) and the one-session rule (F6): password, lock-out after repeated failures, SMS
//! verification of new devices, and a new session that replaces the account's previous one.

use crate::config::LoginSettings;
use crate::context::AppContext;
use crate::domain::account::{AccountStatus, AccountType, DeviceId, DeviceSecret, Role};
use crate::domain::password::{DUMMY_HASH, Password, verify_password};
use crate::domain::phone::PhoneNumber;
use crate::domain::sms::SmsPurpose;
use crate::error::ApiError;
use crate::store::accounts::{self, AccountRecord};
use crate::store::login_guard::{self, Lane, LoginGuard};

use super::sessions::{SessionIssued, start_session};

const WRONG_CREDENTIALS: ApiError = ApiError::Unauthenticated("用户名或密码错误");

pub struct Login {
    pub platform: AccountType,
    /// The username as typed; looked up case-insensitively.
    pub username: String,
    pub password: Password,
    pub device_id: DeviceId,
    /// The secret this device was given when it was verified by SMS: without it (or with
    /// another) the device is not trusted, whatever its id.
    pub device_secret: Option<DeviceSecret>,
    pub phone: Option<PhoneNumber>,
    pub sms_code: Option<String>,
    pub role: Option<Role>,
}

pub async fn login(ctx: &AppContext, login: Login) -> Result<SessionIssued, ApiError> {
    let found = find_account(ctx, login.platform, login.role, &login.username).await?;
    let (account, device) = verify_credentials(
        ctx,
        found,
        login.password,
        &login.device_id,
        login.device_secret.as_ref(),
    )
    .await?;

    match account.status {
        AccountStatus::Active => {}
        AccountStatus::Deactivated => {
            return Err(ApiError::Forbidden(super::conflicts::ACCOUNT_DEACTIVATED));
        }
        AccountStatus::Suspended => {
            return Err(ApiError::Forbidden(super::conflicts::ACCOUNT_SUSPENDED));
        }
    }
    if account.account_type != login.platform {
        return Err(ApiError::Forbidden(match account.account_type {
            AccountType::ResidenceRegistration => "该账号为居住登记账号，请选择居住登记平台登录",
            AccountType::ResidencePermit => "该账号为居住证账号，请选择居住证/签注申办平台登录",
            AccountType::Staff => "该账号为受理点工作人员账号，请选择受理点平台登录",
        }));
    }
    check_role(&account, login.role)?;

    let mut new_secret = None;
    if device.lane == Lane::Untrusted {
        verify_new_device(
            ctx,
            &account,
            &device,
            login.phone.as_ref(),
            login.sms_code.as_deref(),
        )
        .await?;
        let secret = DeviceSecret::generate();
        let until =
            crate::clock::epoch_seconds() + ctx.config.login.trusted_device_ttl.as_secs() as i64;
        let secret_hash = device_secret_hash(ctx, &account.account_id, &device.hash, &secret);
        accounts::trust_device(
            &ctx.db,
            &account.account_id,
            &device.hash,
            &secret_hash,
            until,
        )
        .await?;
        new_secret = Some(secret);
    }
    let mut issued = start_session(ctx, &account, &device.hash).await?;
    issued.device_secret = new_secret.map(|secret| secret.expose().to_owned());
    Ok(issued)
}

/// The stored form of a device secret: keyed, and bound to the account and device it was issued
/// for (a secret shown with another device id or account proves nothing).
fn device_secret_hash(
    ctx: &AppContext,
    account_id: &str,
    device_hash: &str,
    secret: &DeviceSecret,
) -> String {
    crate::crypto::keyed_hash(
        &ctx.config.hash_key,
        "device-secret",
        &[account_id, device_hash, secret.expose()],
    )
}

/// The device a login comes from: its keyed hash (per account) and whether the account trusts it.
struct Device {
    hash: String,
    lane: Lane,
}

/// The account a login (or a password reset) names, and the name its failures are counted under.
pub struct Found {
    pub account: Option<AccountRecord>,
    /// The account's username (lower case) when there is one, else what was typed: a phone
    /// and a username of one account share one failure count.
    pub username_key: String,
}

/// The account `typed` names on `platform`: the account of that username, or else, when `typed`
/// is a phone number, the account of the platform holding that phone (a unit's, when `role`
/// names a unit role). The answer is the same whichever way it was named.
pub async fn find_account(
    ctx: &AppContext,
    platform: AccountType,
    role: Option<Role>,
    typed: &str,
) -> Result<Found, ApiError> {
    let typed_key = typed.trim().to_ascii_lowercase();
    let mut account = accounts::find_by_username(&ctx.db, &typed_key).await?;
    if account.is_none()
        && let Ok(phone) = PhoneNumber::parse(typed)
    {
        let scope = crate::domain::account::phone_scope(platform, role.unwrap_or(Role::Individual));
        account = accounts::find_by_phone(&ctx.db, scope, &phone).await?;
    }
    let username_key = account
        .as_ref()
        .map_or(typed_key, |account| account.username.to_ascii_lowercase());
    Ok(Found {
        account,
        username_key,
    })
}

/// How long the login ticket of `SMS_CODE_REQUIRED` lets its holder ask for a login code.
const LOGIN_TICKET_SECONDS: i64 = 600;

/// How long an attempt counted in may stay undecided before it lapses.
const PENDING_FOR_MS: i64 = 10_000;

/// Checks username and password. Unknown usernames are treated exactly like known ones: their
/// failures are counted and locked the same way, their device is looked up, and their password
/// is checked against a dummy hash, so neither the answer nor its timing tells whether a username
/// exists.
///
/// Attempts from a device the account verified by SMS, proven by the device secret issued then,
/// are counted apart, against a much higher bound, so failures from anywhere else never lock it
/// out; the device id alone (which the client chooses and may leak) never reaches that lane. Each attempt is counted in *before*
/// the password is checked (so parallel guesses cannot slip past the lock) as pending: a right
/// password never counts as a failure, a wrong one turns its pending count into a failure.
async fn verify_credentials(
    ctx: &AppContext,
    found: Found,
    password: Password,
    device_id: &DeviceId,
    device_secret: Option<&DeviceSecret>,
) -> Result<(AccountRecord, Device), ApiError> {
    let Found {
        account,
        username_key,
    } = found;
    let username_key = username_key.as_str();
    let account_id = account.as_ref().map_or("", |a| a.account_id.as_str());
    let hash = device_id.keyed_hash(&ctx.config.hash_key, account_id);
    let trusted = match device_secret {
        Some(secret) => {
            let secret_hash = device_secret_hash(ctx, account_id, &hash, secret);
            accounts::device_is_trusted(&ctx.db, account_id, &hash, &secret_hash).await?
                && account.is_some()
        }
        None => false,
    };
    let lane = if trusted {
        Lane::TrustedDevice
    } else {
        Lane::Untrusted
    };
    let guard = Guard {
        username_key,
        lane,
        threshold: match lane {
            Lane::Untrusted => ctx.config.login.failures_before_lock,
            Lane::TrustedDevice => ctx.config.login.failures_before_lock_trusted,
        },
    };
    guard.count_in(ctx).await?;
    let stored = account
        .as_ref()
        .map_or_else(|| DUMMY_HASH.clone(), |a| a.password_hash.clone());
    let matches = super::blocking(move || verify_password(&password, &stored)).await?;
    match account {
        Some(account) if matches => {
            login_guard::clear(&ctx.db, username_key, lane).await?;
            Ok((account, Device { hash, lane }))
        }
        _ => {
            guard.count_failure(ctx).await?;
            Err(WRONG_CREDENTIALS)
        }
    }
}

/// The failed-login count of one username in one lane.
struct Guard<'a> {
    username_key: &'a str,
    lane: Lane,
    /// The failure that first locks.
    threshold: u32,
}

impl Guard<'_> {
    /// Replaces the state by `change(state, now)` with a compare-and-set, trying again when a
    /// concurrent attempt wrote first. `change` may refuse the attempt instead.
    async fn update(
        &self,
        ctx: &AppContext,
        change: impl Fn(&LoginGuard, i64) -> Result<LoginGuard, ApiError>,
    ) -> Result<LoginGuard, ApiError> {
        let memory = ctx.config.login.failure_memory.as_millis() as i64;
        let mut backoff = crate::store::retry::Backoff::contention();
        for _ in 0..8 {
            let current = login_guard::get(&ctx.db, self.username_key, self.lane).await?;
            let now_ms = crate::clock::now().timestamp_millis();
            let next = change(&current.unwrap_or_default(), now_ms)?;
            let forget_at =
                (next.last_failed_ms.max(next.locked_until_ms).max(now_ms) + memory) / 1000;
            let written = login_guard::replace(
                &ctx.db,
                self.username_key,
                self.lane,
                current.as_ref(),
                &next,
                forget_at + 1,
            )
            .await?;
            if written {
                return Ok(next);
            }
            // A concurrent attempt changed the state first: back off a little and look again.
            backoff.wait().await;
        }
        // Many attempts at once on one username: that is what a guessing attack looks like.
        Err(ApiError::RateLimited {
            retry_after: 1,
            policy: None,
        })
    }

    /// Counts this attempt in as pending, unless the username is locked (`ACCOUNT_LOCKED`), or
    /// the attempts already pending could lock it (`RATE_LIMITED`: try again in a second, when
    /// they are decided).
    async fn count_in(&self, ctx: &AppContext) -> Result<(), ApiError> {
        self.update(ctx, |guard, now_ms| {
            if guard.locked_until_ms > now_ms {
                return Err(ApiError::AccountLocked {
                    retry_after: ((guard.locked_until_ms - now_ms) as u64).div_ceil(1000),
                });
            }
            let pending = guard.pending_at(now_ms);
            if guard.failures + pending + 1 > self.threshold && pending > 0 {
                return Err(ApiError::RateLimited {
                    retry_after: 1,
                    policy: None,
                });
            }
            Ok(LoginGuard {
                pending: pending + 1,
                pending_until_ms: now_ms + PENDING_FOR_MS,
                ..*guard
            })
        })
        .await
        .map(|_| ())
    }

    /// Turns this attempt's pending count into a failure (which may lock).
    async fn count_failure(&self, ctx: &AppContext) -> Result<(), ApiError> {
        let settings = &ctx.config.login;
        let next = self
            .update(ctx, |guard, now_ms| {
                let mut next = after_failure(guard, now_ms, self.threshold, settings);
                next.pending = guard.pending_at(now_ms).saturating_sub(1);
                next.pending_until_ms = guard.pending_until_ms;
                Ok(next)
            })
            .await?;
        if next.locked_until_ms > 0 {
            tracing::info!(failures = next.failures, lane = ?self.lane, "login locked after repeated failures");
        }
        Ok(())
    }
}

/// The state after one more failure at `now_ms`: the count starts over after `failure_memory`
/// of quiet (counted from the end of any lock); from the `threshold`-th failure on, each failure
/// locks for 1 s, doubling, up to `max_lockout`.
pub fn after_failure(
    guard: &LoginGuard,
    now_ms: i64,
    threshold: u32,
    settings: &LoginSettings,
) -> LoginGuard {
    let quiet_since = guard.last_failed_ms.max(guard.locked_until_ms);
    let failures = if now_ms - quiet_since > settings.failure_memory.as_millis() as i64 {
        1
    } else {
        guard.failures + 1
    };
    let locked_until_ms = match failures.checked_sub(threshold) {
        None => 0,
        Some(extra) => {
            now_ms + 1000 * lockout_seconds(extra, settings.max_lockout.as_secs()) as i64
        }
    };
    LoginGuard {
        failures,
        last_failed_ms: now_ms,
        locked_until_ms,
        ..*guard
    }
}

/// The lock after the `extra`-th failure beyond the first locking one: 1 s, 2 s, 4 s, … capped.
pub fn lockout_seconds(extra: u32, cap: u64) -> u64 {
    1u64.checked_shl(extra).unwrap_or(u64::MAX).min(cap)
}

fn check_role(account: &AccountRecord, stated: Option<Role>) -> Result<(), ApiError> {
    match (account.role.is_unit(), stated) {
        (true, None) => Err(ApiError::validation(crate::error::FieldError::new(
            "role",
            "REQUIRED",
            "单位账号登录须选择以管理员或子账号身份登录",
        ))),
        (true, Some(role)) if role != account.role => {
            Err(ApiError::Forbidden("所选角色与账号不符"))
        }
        (false, Some(_)) => Err(ApiError::Forbidden("该账号不是单位账号，无需选择角色")),
        _ => Ok(()),
    }
}

/// A device not yet trusted needs the account's phone and a login code sent to it. Without
/// them the answer is `SMS_CODE_REQUIRED` with a login ticket: the password was right, so the
/// caller may now ask for the code (`POST /v1/sms-codes`).
async fn verify_new_device(
    ctx: &AppContext,
    account: &AccountRecord,
    device: &Device,
    phone: Option<&PhoneNumber>,
    sms_code: Option<&str>,
) -> Result<(), ApiError> {
    if !account.phone_proven() {
        // A sub-account whose phone its holder never proved: no code goes to that phone.
        return Err(ApiError::Forbidden(super::sms_codes::UNPROVEN_PHONE));
    }
    let (Some(phone), Some(code)) = (phone, sms_code) else {
        return Err(ApiError::SmsCodeRequired {
            phone_hint: account.phone.masked(),
            login_ticket: crate::auth::login_ticket::issue(
                &ctx.config,
                &account.account_id,
                &device.hash,
                LOGIN_TICKET_SECONDS,
            ),
        });
    };
    if *phone != account.phone {
        return Err(ApiError::SmsCodeInvalid);
    }
    // The code is bound to this account and this device: one asked for with another device's
    // ticket is not found.
    let bound_to = super::sms_codes::login_binding(&account.account_id, &device.hash);
    let verified = super::sms_codes::check(ctx, phone, SmsPurpose::Login, &bound_to, code).await?;
    Ok(verified.consume(&ctx.db).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> LoginSettings {
        crate::config::for_tests(&[]).login
    }

    #[test]
    fn the_fifth_failure_locks_for_one_second_and_each_next_doubles() {
        let s = settings();
        let mut guard = LoginGuard::default();
        let mut locks = Vec::new();
        let mut now = 1_000_000;
        for _ in 0..8 {
            guard = after_failure(&guard, now, s.failures_before_lock, &s);
            locks.push(if guard.locked_until_ms > 0 {
                (guard.locked_until_ms - now) / 1000
            } else {
                0
            });
            now = guard.locked_until_ms.max(now) + 10;
        }
        assert_eq!(locks, vec![0, 0, 0, 0, 1, 2, 4, 8]);
    }

    #[test]
    fn quiet_time_counts_from_the_end_of_the_lock() {
        let s = settings();
        let memory = s.failure_memory.as_millis() as i64;
        let locked = LoginGuard {
            failures: 14,
            last_failed_ms: 0,
            locked_until_ms: 900_000,
            ..LoginGuard::default()
        };
        // Right after a 15-minute lock the count continues (the cap holds)…
        let next = after_failure(&locked, 900_001, s.failures_before_lock, &s);
        assert_eq!(next.failures, 15);
        assert_eq!(next.locked_until_ms - 900_001, 900_000);
        // …and only 15 quiet minutes after the lock ended does it start over.
        let later = after_failure(&locked, 900_000 + memory + 1, s.failures_before_lock, &s);
        assert_eq!((later.failures, later.locked_until_ms), (1, 0));
    }

    #[test]
    fn lockout_doubles_from_one_second_to_fifteen_minutes() {
        let got: Vec<u64> = (0..12).map(|extra| lockout_seconds(extra, 900)).collect();
        assert_eq!(got, vec![1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]);
        assert_eq!(lockout_seconds(200, 900), 900);
    }
}
