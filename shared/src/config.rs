//! Configuration, read once per cold start from the environment that `template.yaml` sets
//! (and that the local stack sets the same way).

use std::collections::BTreeMap;
use std::ops::RangeInclusive;
use std::time::Duration;

use thiserror::Error;

/// The variable naming the Secrets Manager secret (JSON) that holds the secrets.
pub const SECRETS_ID: &str = "SECRETS_ID";

/// The secret's JSON keys and the variables they stand for.
pub const SECRET_VARIABLES: [(&str, &str); 5] = [
    ("jwt_keys", "JWT_KEYS"),
    ("jwt_active_kid", "JWT_ACTIVE_KID"),
    ("data_hash_key", "DATA_HASH_KEY"),
    ("carrier_check_credential", "CARRIER_CHECK_CREDENTIAL"),
    ("face_check_credential", "FACE_CHECK_CREDENTIAL"),
];

/// The variables a secret's JSON text provides.
pub fn secret_variables(secret_json: &str) -> Result<BTreeMap<String, String>, ConfigError> {
    let value: serde_json::Value =
        serde_json::from_str(secret_json).map_err(|_| ConfigError::Invalid {
            name: SECRETS_ID,
            reason: "the secret is not a JSON object".into(),
        })?;
    Ok(SECRET_VARIABLES
        .iter()
        .filter_map(|(key, var)| {
            value
                .get(key)
                .and_then(|v| v.as_str())
                .map(|v| (var.to_string(), v.to_owned()))
        })
        .collect())
}

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("environment variable {0} is required")]
    Missing(&'static str),
    #[error("environment variable {name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
    #[error("cannot read the secret named by SECRETS_ID: {0}")]
    Secret(String),
}

/// DynamoDB table names.
#[derive(Debug, Clone)]
pub struct Tables {
    /// Accounts, their unique claims (username, phone, ID), sessions, trusted devices.
    pub accounts: String,
    /// SMS verification codes (hashed), expiring by TTL.
    pub verification_codes: String,
    /// Fixed-window counters for rate limits, expiring by TTL.
    pub rate_limits: String,
    /// Reference address data: districts, streets, buildings, houses.
    pub address: String,
    /// Resident registrations (declared under house links).
    pub registrations: String,
    /// Social-insurance contribution months shared by the bureau (imported).
    pub social_insurance: String,
    /// Residence-permit applications and their history (F22).
    pub permits: String,
    /// Who read or received each person's data (PIPL processing records).
    pub processing_records: String,
}

/// Signing keys for access tokens, by key id; `active` signs, all verify (for rotation).
#[derive(Clone)]
pub struct JwtKeys {
    pub active: String,
    pub keys: BTreeMap<String, Vec<u8>>,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtKeys")
            .field("active", &self.active)
            .field("kids", &self.keys.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// SMS verification settings.
///
/// Every number is checked at start-up: a value outside the range given here (or that is not a
/// whole number) fails the cold start with the variable named, rather than being cut or clamped.
#[derive(Debug, Clone)]
pub struct SmsSettings {
    /// The 【signature】 every message starts with.
    pub signature: String,
    /// How long a code can be used: `SMS_CODE_TTL_SECONDS`, 1 to 1800 (30 min), default 300.
    /// (The tests use 1 and 2 s to see codes expire.)
    pub code_ttl: Duration,
    /// Wait before another code to the same phone for the same purpose:
    /// `SMS_RESEND_INTERVAL_SECONDS`, 0 (no wait) to 3600, default 60.
    pub resend_interval: Duration,
    /// Tries (wrong or right) one code allows: `SMS_MAX_ATTEMPTS`, 1 to 20, default 5.
    pub max_attempts: u32,
    /// Codes per phone and purpose per day (China time): `SMS_DAILY_LIMIT_PER_PHONE`, 0 (refuse
    /// all) to 1000, default 10. Each purpose counts apart, so `register` requests for a number
    /// cannot use up its `login` and `change_*` codes.
    pub daily_limit_per_phone: u32,
    /// Login codes per device per day: `SMS_DAILY_LIMIT_PER_DEVICE`, 1 to 100, default 5.
    pub daily_limit_per_device: u32,
    /// Codes per client IPv4 address per hour: `SMS_HOURLY_LIMIT_PER_IP`, 0 (refuse all) to
    /// 4294967295 (`u32::MAX`; the benchmarks lift it to 100000000), default 1000 (carrier NAT
    /// puts many subscribers behind one address).
    pub hourly_limit_per_ip: u32,
    /// Codes per client IPv6 /64 network per hour: `SMS_HOURLY_LIMIT_PER_IPV6_NETWORK`, 0 to
    /// 4294967295, default 30 (a /64 is one subscriber's).
    pub hourly_limit_per_ipv6_network: u32,
    /// A ceiling on all codes sent in a day (China time), whatever their phones and clients:
    /// `SMS_DAILY_LIMIT_GLOBAL`, 0 (refuse all) to 4294967295 (`u32::MAX`), default 3000000.
    pub daily_limit_global: u32,
    /// The queue messages wait in for the sender function: `SMS_QUEUE_URL` (required; the
    /// template's `SmsQueue`).
    pub queue_url: String,
    /// Deliveries the sender tries before a message goes to the dead-letter queue:
    /// `SMS_DELIVERY_ATTEMPTS`, 1 to 20, default 5; must equal the queue's `maxReceiveCount`
    /// (the template sets both from one parameter). On the last failed try the message's code is
    /// withdrawn, so that the user's next request gets a fresh one at once.
    pub delivery_attempts: u32,
}

/// Login and session settings (numbers checked as for [`SmsSettings`]).
#[derive(Debug, Clone)]
pub struct LoginSettings {
    pub issuer: String,
    pub audience: String,
    /// Access token lifetime: `ACCESS_TOKEN_TTL_SECONDS`, 60 to 3600 (one hour at most),
    /// default 3600.
    pub access_token_ttl: Duration,
    /// How long an SMS-verified device is trusted: `TRUSTED_DEVICE_TTL_SECONDS`, 0 (every login
    /// needs a code) to 7776000 (90 days), default 2592000 (30 days).
    pub trusted_device_ttl: Duration,
    /// The failure that first locks the account (for 1 s; each further one doubles the lock):
    /// `LOGIN_FAILURES_BEFORE_LOCK`, 1 to 100, default 5.
    pub failures_before_lock: u32,
    /// The same for logins from a device the account verified by SMS, counted apart (failures
    /// from elsewhere never lock such a device out): `LOGIN_FAILURES_BEFORE_LOCK_TRUSTED`, 1 to
    /// 1000, default 50.
    pub failures_before_lock_trusted: u32,
    /// The longest lock: `LOGIN_MAX_LOCK_SECONDS`, 1 to 86400 (a day), default 900.
    pub max_lockout: Duration,
    /// Quiet time after which the failure count starts over: `LOGIN_FAILURE_MEMORY_SECONDS`,
    /// 1 to 86400 (a day), default 900.
    pub failure_memory: Duration,
}

/// House and address settings (numbers checked as for [`SmsSettings`]).
#[derive(Debug, Clone)]
pub struct HouseSettings {
    /// Requests to the public address routes per client (IPv4 address or IPv6 /64) per minute:
    /// `PUBLIC_READS_PER_MINUTE`, 0 (refuse all) to 4294967295 (`u32::MAX`; the benchmarks lift
    /// it to 1000000000), default 120.
    pub public_reads_per_minute: u32,
    /// Receipt checks (`GET /v1/receipts/{receipt_no}`) per client per minute:
    /// `RECEIPT_CHECKS_PER_MINUTE`, 0 (refuse all) to 4294967295 (`u32::MAX`), default 30.
    pub receipt_checks_per_minute: u32,
    /// Most houses one registration may link (`houses` of `POST /v1/accounts`):
    /// `MAX_HOUSES_AT_REGISTRATION`, 1 to 20, default 10.
    pub max_houses_at_registration: usize,
    /// Most houses a unit may be opened with (`houses` of `POST /v1/staff/units`):
    /// `MAX_HOUSES_PER_UNIT_OPENING`, 1 to 31 (which keeps the opening within one 100-item
    /// transaction), default 30.
    pub max_houses_per_unit_opening: usize,
    /// How long one deregistration request works through residents before it answers
    /// `in_progress` (the job resumes on the next request): `DEREGISTRATION_TIME_BUDGET_MS`,
    /// 0 (one resident per request) to 8000 (leaving time to answer within the functions'
    /// 10 s timeout in `template.yaml`), default 6000.
    pub deregistration_time_budget: Duration,
}

/// Unit agents (单位代办, F25; numbers checked as for [`SmsSettings`]).
#[derive(Debug, Clone)]
pub struct UnitSettings {
    /// Permit applications one unit may file for employees per day (China time), counted
    /// before anything else is done: `UNIT_FILINGS_PER_DAY`, 0 (refuse all) to 100000, default
    /// 200.
    pub filings_per_day: u32,
}

/// Where the event publisher sends domain events (F23): set for the publisher only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventSettings {
    /// The EventBridge bus: `EVENT_BUS_NAME` (the template's `EventBus`).
    pub bus_name: String,
    /// Where a stream record that cannot be made an event goes (its coordinates, no data):
    /// `EVENTS_DEAD_LETTER_QUEUE_URL`, required with the bus.
    pub dead_letter_queue_url: String,
}

/// [`EventSettings`] when `EVENT_BUS_NAME` is set (a bus without its dead-letter queue is
/// incomplete).
fn event_settings(
    get: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<EventSettings>, ConfigError> {
    let set = |name| get(name).filter(|v| !v.is_empty());
    let Some(bus_name) = set("EVENT_BUS_NAME") else {
        return Ok(None);
    };
    let dead_letter_queue_url = set("EVENTS_DEAD_LETTER_QUEUE_URL")
        .ok_or(ConfigError::Missing("EVENTS_DEAD_LETTER_QUEUE_URL"))?;
    Ok(Some(EventSettings {
        bus_name,
        dead_letter_queue_url,
    }))
}

#[derive(Clone)]
pub struct AppConfig {
    pub tables: Tables,
    pub jwt: JwtKeys,
    /// Key for hashing SMS codes and personal identifiers used as lookup keys.
    pub hash_key: Vec<u8>,
    pub sms: SmsSettings,
    pub login: LoginSettings,
    pub houses: HouseSettings,
    pub units: UnitSettings,
    /// The carrier's real-name check (三要素) of online identity verification.
    pub carrier_check: IdentityService,
    /// The face check (人脸核验) of online identity verification.
    pub face_check: IdentityService,
    /// The API's public address, which the QR codes on receipts and permit cards point to:
    /// `PUBLIC_BASE_URL`, an `https://` (or, locally, `http://`) URL without a trailing slash;
    /// default `https://api.szjzz.example`. Locally the API's own address.
    pub public_base_url: String,
    /// The event publisher's bus and dead-letter queue; `None` for every other function.
    pub events: Option<EventSettings>,
}

/// `PUBLIC_BASE_URL`: an http(s) URL with a host, kept without its trailing slashes.
fn public_base_url(get: &dyn Fn(&str) -> Option<String>) -> Result<String, ConfigError> {
    const NAME: &str = "PUBLIC_BASE_URL";
    let value = get(NAME).unwrap_or_else(|| "https://api.szjzz.example".into());
    let trimmed = value.trim().trim_end_matches('/');
    let host = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"));
    match host {
        Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => {
            Ok(trimmed.to_owned())
        }
        _ => Err(ConfigError::Invalid {
            name: NAME,
            reason: "an http(s) URL is expected".into(),
        }),
    }
}

/// Where one of the online identity checks (实名认证) asks: the carrier's real-name check or the
/// face check (`shared::identity`).
#[derive(Clone, PartialEq, Eq)]
pub enum IdentityService {
    /// The service over HTTPS (`CARRIER_CHECK_URL` / `FACE_CHECK_URL`), with its bearer
    /// credential from the secret (`CARRIER_CHECK_CREDENTIAL` / `FACE_CHECK_CREDENTIAL`).
    Https { url: String, credential: String },
    /// LOCAL ONLY: the local identity registry's stand-in for the service, read from the table
    /// `LOCAL_IDENTITY_REGISTRY_TABLE`. The template never sets it.
    LocalRegistry { table: String },
    /// Not configured (no URL): that check answers 503; the counter and the other check work.
    Unconfigured,
}

impl std::fmt::Debug for IdentityService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Https { url, .. } => write!(f, "Https({url}, credential <redacted>)"),
            Self::LocalRegistry { table } => write!(f, "LocalRegistry({table})"),
            Self::Unconfigured => write!(f, "Unconfigured"),
        }
    }
}

/// One identity check's service as the variables name it: the local registry when its table is
/// named (local stack), else the HTTPS service when `url_var` is set (which must be https, with
/// `credential_var` set).
fn identity_service(
    get: &dyn Fn(&str) -> Option<String>,
    url_var: &'static str,
    credential_var: &'static str,
) -> Result<IdentityService, ConfigError> {
    let set = |name| get(name).filter(|v| !v.is_empty());
    if let Some(table) = set("LOCAL_IDENTITY_REGISTRY_TABLE") {
        return Ok(IdentityService::LocalRegistry { table });
    }
    let Some(url) = set(url_var) else {
        return Ok(IdentityService::Unconfigured);
    };
    if !url.starts_with("https://") {
        return Err(ConfigError::Invalid {
            name: url_var,
            reason: "must be an https:// URL".into(),
        });
    }
    let credential = set(credential_var).ok_or(ConfigError::Missing(credential_var))?;
    Ok(IdentityService::Https { url, credential })
}

impl std::fmt::Debug for AppConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppConfig")
            .field("tables", &self.tables)
            .field("jwt", &self.jwt)
            .field("hash_key", &"<redacted>")
            .field("sms", &self.sms)
            .field("login", &self.login)
            .field("units", &self.units)
            .field("houses", &self.houses)
            .field("carrier_check", &self.carrier_check)
            .field("face_check", &self.face_check)
            .field("events", &self.events)
            .finish()
    }
}

impl AppConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds the configuration from any source of variables (the environment, or a map in tests
    /// and the local stack).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get: &dyn Fn(&str) -> Option<String> = &get;
        let required = |name: &'static str| {
            get(name)
                .filter(|v| !v.is_empty())
                .ok_or(ConfigError::Missing(name))
        };
        const DAY: u64 = 24 * 3600;
        let u32_max = u64::from(u32::MAX);

        let jwt = parse_jwt_keys(&required("JWT_KEYS")?, &required("JWT_ACTIVE_KID")?)?;
        let hash_key = base64_key("DATA_HASH_KEY", &required("DATA_HASH_KEY")?)?;

        Ok(Self {
            tables: Tables {
                accounts: required("ACCOUNTS_TABLE")?,
                verification_codes: required("VERIFICATION_CODES_TABLE")?,
                rate_limits: required("RATE_LIMITS_TABLE")?,
                address: required("ADDRESS_TABLE")?,
                registrations: required("REGISTRATIONS_TABLE")?,
                social_insurance: required("SOCIAL_INSURANCE_TABLE")?,
                permits: required("PERMITS_TABLE")?,
                processing_records: required("PROCESSING_RECORDS_TABLE")?,
            },
            jwt,
            hash_key,
            public_base_url: public_base_url(get)?,
            sms: SmsSettings {
                signature: get("SMS_SIGNATURE").unwrap_or_else(|| "深圳居住登记".into()),
                code_ttl: seconds(get, "SMS_CODE_TTL_SECONDS", 300, 1..=1800)?,
                resend_interval: seconds(get, "SMS_RESEND_INTERVAL_SECONDS", 60, 0..=3600)?,
                max_attempts: whole(get, "SMS_MAX_ATTEMPTS", 5, 1..=20)?,
                daily_limit_per_phone: whole(get, "SMS_DAILY_LIMIT_PER_PHONE", 10, 0..=1000)?,
                daily_limit_per_device: whole(get, "SMS_DAILY_LIMIT_PER_DEVICE", 5, 1..=100)?,
                hourly_limit_per_ip: whole(get, "SMS_HOURLY_LIMIT_PER_IP", 1000, 0..=u32_max)?,
                hourly_limit_per_ipv6_network: whole(
                    get,
                    "SMS_HOURLY_LIMIT_PER_IPV6_NETWORK",
                    30,
                    0..=u32_max,
                )?,
                daily_limit_global: whole(get, "SMS_DAILY_LIMIT_GLOBAL", 3_000_000, 0..=u32_max)?,
                queue_url: required("SMS_QUEUE_URL")?,
                delivery_attempts: whole(get, "SMS_DELIVERY_ATTEMPTS", 5, 1..=20)?,
            },
            login: LoginSettings {
                issuer: get("JWT_ISSUER").unwrap_or_else(|| "szjzz-platform".into()),
                audience: get("JWT_AUDIENCE").unwrap_or_else(|| "szjzz-mobile".into()),
                access_token_ttl: seconds(get, "ACCESS_TOKEN_TTL_SECONDS", 3600, 60..=3600)?,
                trusted_device_ttl: seconds(
                    get,
                    "TRUSTED_DEVICE_TTL_SECONDS",
                    30 * DAY,
                    0..=90 * DAY,
                )?,
                failures_before_lock: whole(get, "LOGIN_FAILURES_BEFORE_LOCK", 5, 1..=100)?,
                failures_before_lock_trusted: whole(
                    get,
                    "LOGIN_FAILURES_BEFORE_LOCK_TRUSTED",
                    50,
                    1..=1000,
                )?,
                max_lockout: seconds(get, "LOGIN_MAX_LOCK_SECONDS", 15 * 60, 1..=DAY)?,
                failure_memory: seconds(get, "LOGIN_FAILURE_MEMORY_SECONDS", 15 * 60, 1..=DAY)?,
            },
            houses: HouseSettings {
                public_reads_per_minute: whole(get, "PUBLIC_READS_PER_MINUTE", 120, 0..=u32_max)?,
                receipt_checks_per_minute: whole(
                    get,
                    "RECEIPT_CHECKS_PER_MINUTE",
                    30,
                    0..=u32_max,
                )?,
                max_houses_at_registration: whole(get, "MAX_HOUSES_AT_REGISTRATION", 10, 1..=20)?,
                max_houses_per_unit_opening: whole(get, "MAX_HOUSES_PER_UNIT_OPENING", 30, 1..=31)?,
                deregistration_time_budget: Duration::from_millis(whole(
                    get,
                    "DEREGISTRATION_TIME_BUDGET_MS",
                    6000,
                    0..=8000,
                )?),
            },
            units: UnitSettings {
                filings_per_day: whole(get, "UNIT_FILINGS_PER_DAY", 200, 0..=100_000)?,
            },
            carrier_check: identity_service(get, "CARRIER_CHECK_URL", "CARRIER_CHECK_CREDENTIAL")?,
            face_check: identity_service(get, "FACE_CHECK_URL", "FACE_CHECK_CREDENTIAL")?,
            events: event_settings(get)?,
        })
    }
}

/// The variable `name` as a whole number in `range` (`default` when it is unset; the default is
/// held to the range too), converted to the field's type. Anything else (not a number, negative,
/// out of the range, too big for the type) is refused with the range in the reason, never cut or
/// clamped into shape.
fn whole<T: TryFrom<u64>>(
    get: &dyn Fn(&str) -> Option<String>,
    name: &'static str,
    default: u64,
    range: RangeInclusive<u64>,
) -> Result<T, ConfigError> {
    let value = match get(name) {
        None => Some(default),
        Some(text) => text.parse::<u64>().ok(),
    };
    value
        .filter(|v| range.contains(v))
        .and_then(|v| T::try_from(v).ok())
        .ok_or_else(|| ConfigError::Invalid {
            name,
            reason: format!(
                "must be a whole number from {} to {}",
                range.start(),
                range.end()
            ),
        })
}

/// The variable `name` as whole seconds in `range` (`default` when unset); see [`whole`].
fn seconds(
    get: &dyn Fn(&str) -> Option<String>,
    name: &'static str,
    default: u64,
    range: RangeInclusive<u64>,
) -> Result<Duration, ConfigError> {
    whole(get, name, default, range).map(Duration::from_secs)
}

/// `JWT_KEYS` is `kid:base64key[,kid:base64key…]`; each key at least 32 bytes.
fn parse_jwt_keys(spec: &str, active: &str) -> Result<JwtKeys, ConfigError> {
    let mut keys = BTreeMap::new();
    for entry in spec.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (kid, key) = entry.split_once(':').ok_or_else(|| ConfigError::Invalid {
            name: "JWT_KEYS",
            reason: "each entry must be kid:base64key".into(),
        })?;
        keys.insert(kid.to_owned(), base64_key("JWT_KEYS", key)?);
    }
    if !keys.contains_key(active) {
        return Err(ConfigError::Invalid {
            name: "JWT_ACTIVE_KID",
            reason: "names no key of JWT_KEYS".into(),
        });
    }
    Ok(JwtKeys {
        active: active.to_owned(),
        keys,
    })
}

fn base64_key(name: &'static str, text: &str) -> Result<Vec<u8>, ConfigError> {
    use base64::Engine;
    let key = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|_| ConfigError::Invalid {
            name,
            reason: "not standard base64".into(),
        })?;
    if key.len() < 32 {
        return Err(ConfigError::Invalid {
            name,
            reason: "a key must have at least 32 bytes".into(),
        });
    }
    Ok(key)
}

/// A complete configuration for unit tests, with some variables overridden.
#[cfg(test)]
pub(crate) fn for_tests(extra: &[(&str, &str)]) -> AppConfig {
    AppConfig::from_lookup(test_vars(extra)).expect("test configuration is complete")
}

#[cfg(test)]
fn test_vars(extra: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let mut map: BTreeMap<String, String> = [
        ("ACCOUNTS_TABLE", "a"),
        ("VERIFICATION_CODES_TABLE", "v"),
        ("RATE_LIMITS_TABLE", "r"),
        ("ADDRESS_TABLE", "ad"),
        ("REGISTRATIONS_TABLE", "rg"),
        ("SOCIAL_INSURANCE_TABLE", "si"),
        ("PERMITS_TABLE", "p"),
        ("PROCESSING_RECORDS_TABLE", "pr"),
        ("SMS_QUEUE_URL", "http://127.0.0.1:9/000000000000/sms"),
        (
            "JWT_KEYS",
            "k1:MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=",
        ),
        ("JWT_ACTIVE_KID", "k1"),
        (
            "DATA_HASH_KEY",
            "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=",
        ),
    ]
    .iter()
    .chain(extra)
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    map.retain(|_, v| !v.is_empty());
    move |name| map.get(name).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=";

    fn vars(extra: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        test_vars(extra)
    }

    #[test]
    fn defaults_follow_the_rules() {
        let config = AppConfig::from_lookup(vars(&[])).unwrap();
        assert_eq!(config.sms.code_ttl, Duration::from_secs(300));
        assert_eq!(config.sms.resend_interval, Duration::from_secs(60));
        assert_eq!(config.sms.daily_limit_per_phone, 10);
        assert_eq!(config.units.filings_per_day, 200);
        assert_eq!(config.login.access_token_ttl, Duration::from_secs(3600));
        assert!(!format!("{config:?}").contains(KEY));
    }

    #[test]
    fn events_are_configured_for_the_publisher_only_and_completely() {
        assert_eq!(AppConfig::from_lookup(vars(&[])).unwrap().events, None);
        let bus = ("EVENT_BUS_NAME", "bus");
        assert!(matches!(
            AppConfig::from_lookup(vars(&[bus])),
            Err(ConfigError::Missing("EVENTS_DEAD_LETTER_QUEUE_URL"))
        ));
        let dlq = ("EVENTS_DEAD_LETTER_QUEUE_URL", "http://127.0.0.1:9/0/dlq");
        let events = AppConfig::from_lookup(vars(&[bus, dlq])).unwrap().events;
        assert_eq!(events.unwrap().bus_name, "bus");
    }

    /// The reason `from_lookup` gives for `name` set to `value`, which must be refused.
    fn refusal(name: &str, value: &str) -> String {
        match AppConfig::from_lookup(vars(&[(name, value)])) {
            Err(ConfigError::Invalid {
                name: named,
                reason,
            }) => {
                assert_eq!(named, name, "{value} refused under the wrong name");
                reason
            }
            other => panic!("{name}={value} should be refused, got {other:?}"),
        }
    }

    #[test]
    fn a_token_lifetime_beyond_one_hour_is_refused_not_capped() {
        let error = AppConfig::from_lookup(vars(&[("ACCESS_TOKEN_TTL_SECONDS", "86400")]))
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "environment variable ACCESS_TOKEN_TTL_SECONDS is invalid: \
             must be a whole number from 60 to 3600"
        );
    }

    #[test]
    fn the_former_clamps_are_refusals_naming_the_variable() {
        for (name, value, range) in [
            ("ACCESS_TOKEN_TTL_SECONDS", "3601", "from 60 to 3600"),
            ("LOGIN_FAILURES_BEFORE_LOCK", "0", "from 1 to 100"),
            ("MAX_HOUSES_AT_REGISTRATION", "0", "from 1 to 20"),
            ("MAX_HOUSES_AT_REGISTRATION", "21", "from 1 to 20"),
            ("MAX_HOUSES_PER_UNIT_OPENING", "0", "from 1 to 31"),
            ("MAX_HOUSES_PER_UNIT_OPENING", "32", "from 1 to 31"),
        ] {
            let reason = refusal(name, value);
            assert!(reason.contains(range), "{name}={value}: {reason}");
        }
    }

    #[test]
    fn the_public_base_url_is_an_http_url_kept_without_its_trailing_slash() {
        let config = AppConfig::from_lookup(vars(&[])).unwrap();
        assert_eq!(config.public_base_url, "https://api.szjzz.example");
        let config =
            AppConfig::from_lookup(vars(&[("PUBLIC_BASE_URL", "http://127.0.0.1:8080/")])).unwrap();
        assert_eq!(config.public_base_url, "http://127.0.0.1:8080");
        for bad in ["ftp://x", "https://", "api.szjzz.example", "https://a b"] {
            refusal("PUBLIC_BASE_URL", bad);
        }
    }

    #[test]
    fn a_value_beyond_u32_is_refused_not_truncated() {
        // 2^32 + 5 used to become 5 attempts; 2^32 used to become a global limit of 0.
        for (name, value) in [
            ("SMS_MAX_ATTEMPTS", "4294967301"),
            ("SMS_DAILY_LIMIT_GLOBAL", "4294967296"),
            ("SMS_HOURLY_LIMIT_PER_IP", "4294967296"),
            ("PUBLIC_READS_PER_MINUTE", "18446744073709551616"),
        ] {
            refusal(name, value);
        }
    }

    #[test]
    fn what_is_not_a_whole_number_is_refused_with_the_range() {
        for value in ["ten", "-1", "1.5", " 5", "5s"] {
            assert_eq!(
                refusal("SMS_CODE_TTL_SECONDS", value),
                "must be a whole number from 1 to 1800"
            );
        }
    }

    #[test]
    fn every_number_is_accepted_at_its_bounds_and_refused_beyond_them() {
        type Read = fn(&AppConfig) -> u64;
        let u32_max = u64::from(u32::MAX);
        let table: [(&str, u64, u64, Read); 18] = [
            ("SMS_CODE_TTL_SECONDS", 1, 1800, |c| {
                c.sms.code_ttl.as_secs()
            }),
            ("SMS_RESEND_INTERVAL_SECONDS", 0, 3600, |c| {
                c.sms.resend_interval.as_secs()
            }),
            ("SMS_MAX_ATTEMPTS", 1, 20, |c| c.sms.max_attempts.into()),
            ("SMS_DELIVERY_ATTEMPTS", 1, 20, |c| {
                c.sms.delivery_attempts.into()
            }),
            ("SMS_DAILY_LIMIT_PER_PHONE", 0, 1000, |c| {
                c.sms.daily_limit_per_phone.into()
            }),
            ("SMS_HOURLY_LIMIT_PER_IP", 0, u32_max, |c| {
                c.sms.hourly_limit_per_ip.into()
            }),
            ("SMS_DAILY_LIMIT_GLOBAL", 0, u32_max, |c| {
                c.sms.daily_limit_global.into()
            }),
            ("ACCESS_TOKEN_TTL_SECONDS", 60, 3600, |c| {
                c.login.access_token_ttl.as_secs()
            }),
            ("TRUSTED_DEVICE_TTL_SECONDS", 0, 7_776_000, |c| {
                c.login.trusted_device_ttl.as_secs()
            }),
            ("LOGIN_FAILURES_BEFORE_LOCK", 1, 100, |c| {
                c.login.failures_before_lock.into()
            }),
            ("LOGIN_MAX_LOCK_SECONDS", 1, 86_400, |c| {
                c.login.max_lockout.as_secs()
            }),
            ("LOGIN_FAILURE_MEMORY_SECONDS", 1, 86_400, |c| {
                c.login.failure_memory.as_secs()
            }),
            ("PUBLIC_READS_PER_MINUTE", 0, u32_max, |c| {
                c.houses.public_reads_per_minute.into()
            }),
            ("RECEIPT_CHECKS_PER_MINUTE", 0, u32_max, |c| {
                c.houses.receipt_checks_per_minute.into()
            }),
            ("MAX_HOUSES_AT_REGISTRATION", 1, 20, |c| {
                c.houses.max_houses_at_registration as u64
            }),
            ("MAX_HOUSES_PER_UNIT_OPENING", 1, 31, |c| {
                c.houses.max_houses_per_unit_opening as u64
            }),
            ("DEREGISTRATION_TIME_BUDGET_MS", 0, 8000, |c| {
                c.houses.deregistration_time_budget.as_millis() as u64
            }),
            ("UNIT_FILINGS_PER_DAY", 0, 100_000, |c| {
                c.units.filings_per_day.into()
            }),
        ];
        for (name, min, max, read) in table {
            for bound in [min, max] {
                let config = AppConfig::from_lookup(vars(&[(name, &bound.to_string())]))
                    .unwrap_or_else(|e| panic!("{name}={bound} should be accepted: {e}"));
                assert_eq!(read(&config), bound, "{name}");
            }
            let range = format!("must be a whole number from {min} to {max}");
            assert_eq!(refusal(name, &(max + 1).to_string()), range);
            if min > 0 {
                assert_eq!(refusal(name, &(min - 1).to_string()), range);
            }
        }
    }

    #[test]
    fn the_values_the_tests_and_scripts_set_are_accepted() {
        // tests/e2e/*.rs, tests/src/bin/bench-*.rs, infra/local/contract-checks.sh,
        // infra/src/local_env.rs and the README's example.
        for (name, value) in [
            ("SMS_CODE_TTL_SECONDS", "1"),
            ("SMS_CODE_TTL_SECONDS", "2"),
            ("SMS_RESEND_INTERVAL_SECONDS", "0"),
            ("SMS_HOURLY_LIMIT_PER_IP", "3"),
            ("SMS_HOURLY_LIMIT_PER_IP", "1000"),
            ("SMS_HOURLY_LIMIT_PER_IP", "100000000"),
            ("SMS_DAILY_LIMIT_GLOBAL", "0"),
            ("TRUSTED_DEVICE_TTL_SECONDS", "1"),
            ("LOGIN_FAILURE_MEMORY_SECONDS", "2"),
            ("PUBLIC_READS_PER_MINUTE", "3"),
            ("PUBLIC_READS_PER_MINUTE", "1000000"),
            ("PUBLIC_READS_PER_MINUTE", "1000000000"),
            ("RECEIPT_CHECKS_PER_MINUTE", "3"),
            ("RECEIPT_CHECKS_PER_MINUTE", "1000000"),
            ("RECEIPT_CHECKS_PER_MINUTE", "1000000000"),
            ("DEREGISTRATION_TIME_BUDGET_MS", "0"),
            ("UNIT_FILINGS_PER_DAY", "20"),
        ] {
            if let Err(e) = AppConfig::from_lookup(vars(&[(name, value)])) {
                panic!("{name}={value} should be accepted: {e}");
            }
        }
    }

    #[test]
    fn secrets_come_from_the_secrets_json() {
        let vars = secret_variables(
            r#"{"jwt_keys": "k:abc", "jwt_active_kid": "k", "data_hash_key": "x", "other": 1}"#,
        )
        .unwrap();
        assert_eq!(vars["JWT_KEYS"], "k:abc");
        assert_eq!(vars["JWT_ACTIVE_KID"], "k");
        assert_eq!(vars["DATA_HASH_KEY"], "x");
        assert_eq!(vars.len(), 3);
        assert!(secret_variables("not json").is_err());
    }

    #[test]
    fn bad_keys_are_refused_with_the_variable_named() {
        let short = AppConfig::from_lookup(vars(&[("DATA_HASH_KEY", "c2hvcnQ=")])).unwrap_err();
        assert!(short.to_string().contains("DATA_HASH_KEY"));
        let wrong_kid = AppConfig::from_lookup(vars(&[("JWT_ACTIVE_KID", "k2")])).unwrap_err();
        assert!(wrong_kid.to_string().contains("JWT_ACTIVE_KID"));
        let missing = AppConfig::from_lookup(|_| None).unwrap_err();
        assert!(matches!(missing, ConfigError::Missing(_)));
    }

    #[test]
    fn each_identity_check_is_the_local_registry_its_https_service_or_none() {
        let config = |extra: &[(&str, &str)]| AppConfig::from_lookup(test_vars(extra));
        let none = config(&[]).unwrap();
        assert_eq!(none.carrier_check, IdentityService::Unconfigured);
        assert_eq!(none.face_check, IdentityService::Unconfigured);
        let https = config(&[
            ("CARRIER_CHECK_URL", "https://carrier.example/v1/checks"),
            ("CARRIER_CHECK_CREDENTIAL", "secret"),
            ("FACE_CHECK_URL", "https://face.example/v1"),
            ("FACE_CHECK_CREDENTIAL", "secret2"),
        ])
        .unwrap();
        assert!(matches!(https.carrier_check, IdentityService::Https { .. }));
        assert_eq!(
            https.face_check,
            IdentityService::Https {
                url: "https://face.example/v1".into(),
                credential: "secret2".into()
            }
        );
        let shown = format!("{:?}", https);
        assert!(
            !shown.contains("secret"),
            "the credentials are not shown: {shown}"
        );
        for (url_var, credential_var) in [
            ("CARRIER_CHECK_URL", "CARRIER_CHECK_CREDENTIAL"),
            ("FACE_CHECK_URL", "FACE_CHECK_CREDENTIAL"),
        ] {
            let plain = config(&[
                (url_var, "http://verify.example"),
                (credential_var, "secret"),
            ]);
            assert!(plain.unwrap_err().to_string().contains(url_var));
            let no_credential = config(&[(url_var, "https://verify.example")]);
            assert!(
                no_credential
                    .unwrap_err()
                    .to_string()
                    .contains(credential_var)
            );
        }
        let local = config(&[("LOCAL_IDENTITY_REGISTRY_TABLE", "LocalIdentityRegistry")]).unwrap();
        let registry = IdentityService::LocalRegistry {
            table: "LocalIdentityRegistry".into(),
        };
        assert_eq!(local.carrier_check, registry);
        assert_eq!(local.face_check, registry);
    }
}
