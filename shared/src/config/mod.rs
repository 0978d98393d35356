//! Configuration, read once per cold start from the environment that `template.yaml` sets
//! (and that the local stack sets the same way).
//!
//! Every variable is a row of the settings table ([`settings::SETTINGS`]: meaning, what it accepts,
//! default, where the deployment sets it); [`AppConfig::from_lookup`] reads each one through its
//! row, so a range or default is written once, and `docs/configuration.md` is rendered from the
//! same rows ([`docs::markdown`]).

pub mod docs;
pub mod settings;

use std::collections::BTreeMap;
use std::time::Duration;

use crate::documents::signing_key::DocumentSigner;
use thiserror::Error;

use settings::{Kind, Setting, Unit};

/// The settings table's row of a variable, looked up while compiling: a variable missing from the
/// table does not build.
macro_rules! setting {
    ($name:literal) => {
        const { settings::find($name) }
    };
}

/// The variable naming the Secrets Manager secret (JSON) that holds the secrets.
pub const SECRETS_ID: &str = setting!("SECRETS_ID").name;

/// The secret's JSON keys and the variables they stand for (the table's rows set by the secret).
pub const SECRET_VARIABLES: [(&str, &str); 6] = settings::secret_variables();

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
    /// The answers kept for retries with the same `Idempotency-Key`, expiring by TTL.
    pub idempotency: String,
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
    /// The public keys documents are signed with (`crate::store::document_keys`).
    pub document_keys: String,
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
/// Every number is checked at start-up against its range in [`settings::SETTINGS`] (which also
/// holds its default): a value outside the range (or that is not a whole number) fails the cold
/// start with the variable named, rather than being cut or clamped.
#[derive(Debug, Clone)]
pub struct SmsSettings {
    /// The 【signature】 every message starts with: `SMS_SIGNATURE`.
    pub signature: String,
    /// How long a code can be used: `SMS_CODE_TTL_SECONDS`.
    pub code_ttl: Duration,
    /// Wait before another code to the same phone for the same purpose:
    /// `SMS_RESEND_INTERVAL_SECONDS`.
    pub resend_interval: Duration,
    /// Tries (wrong or right) one code allows: `SMS_MAX_ATTEMPTS`.
    pub max_attempts: u32,
    /// Codes per phone and purpose per day (China time): `SMS_DAILY_LIMIT_PER_PHONE`. Each
    /// purpose counts apart, so `register` requests for a number cannot use up its `login` and
    /// `change_*` codes.
    pub daily_limit_per_phone: u32,
    /// Login codes per device per day: `SMS_DAILY_LIMIT_PER_DEVICE`.
    pub daily_limit_per_device: u32,
    /// Codes per client IPv4 address per hour: `SMS_HOURLY_LIMIT_PER_IP`.
    pub hourly_limit_per_ip: u32,
    /// Codes per client IPv6 /64 network per hour: `SMS_HOURLY_LIMIT_PER_IPV6_NETWORK`.
    pub hourly_limit_per_ipv6_network: u32,
    /// A ceiling on all codes sent in a day (China time), whatever their phones and clients:
    /// `SMS_DAILY_LIMIT_GLOBAL`.
    pub daily_limit_global: u32,
    /// The queue messages wait in for the sender function: `SMS_QUEUE_URL` (the template's
    /// `SmsQueue`).
    pub queue_url: String,
    /// Deliveries the sender tries before a message goes to the dead-letter queue:
    /// `SMS_DELIVERY_ATTEMPTS`; must equal the queue's `maxReceiveCount` (the template sets both
    /// from one parameter). On the last failed try the message's code is withdrawn, so that the
    /// user's next request gets a fresh one at once.
    pub delivery_attempts: u32,
}

/// Login and session settings (numbers checked as for [`SmsSettings`]).
#[derive(Debug, Clone)]
pub struct LoginSettings {
    /// The access tokens' `iss`: `JWT_ISSUER`.
    pub issuer: String,
    /// The access tokens' `aud`: `JWT_AUDIENCE`.
    pub audience: String,
    /// Access token lifetime: `ACCESS_TOKEN_TTL_SECONDS`.
    pub access_token_ttl: Duration,
    /// How long an unused refresh token stays usable: `REFRESH_IDLE_SECONDS`.
    pub refresh_idle: Duration,
    /// How long a session lasts from its login at most: `REFRESH_ABSOLUTE_SECONDS`.
    pub refresh_absolute: Duration,
    /// How long an SMS-verified device is trusted: `TRUSTED_DEVICE_TTL_SECONDS` (0: every login
    /// needs a code).
    pub trusted_device_ttl: Duration,
    /// The failure that first locks the account (for 1 s; each further one doubles the lock):
    /// `LOGIN_FAILURES_BEFORE_LOCK`.
    pub failures_before_lock: u32,
    /// The same for logins from a device the account verified by SMS, counted apart (failures
    /// from elsewhere never lock such a device out): `LOGIN_FAILURES_BEFORE_LOCK_TRUSTED`.
    pub failures_before_lock_trusted: u32,
    /// The longest lock: `LOGIN_MAX_LOCK_SECONDS`.
    pub max_lockout: Duration,
    /// Quiet time after which the failure count starts over: `LOGIN_FAILURE_MEMORY_SECONDS`.
    pub failure_memory: Duration,
}

/// House and address settings (numbers checked as for [`SmsSettings`]).
#[derive(Debug, Clone)]
pub struct HouseSettings {
    /// Requests to the public address routes per minute by a signed-in caller, per account:
    /// `PUBLIC_READS_PER_MINUTE`.
    pub public_reads_per_minute: u32,
    /// The same for callers without a login, per IPv4 address or IPv6 /64:
    /// `PUBLIC_READS_PER_MINUTE_PER_ADDRESS`.
    pub public_reads_per_minute_per_address: u32,
    /// Receipt checks (`GET /v1/receipts/{receipt_no}`) per client per minute:
    /// `RECEIPT_CHECKS_PER_MINUTE`.
    pub receipt_checks_per_minute: u32,
    /// Most houses one registration may link (`houses` of `POST /v1/accounts`):
    /// `MAX_HOUSES_AT_REGISTRATION`.
    pub max_houses_at_registration: usize,
    /// Most houses a unit may be opened with (`houses` of `POST /v1/staff/units`):
    /// `MAX_HOUSES_PER_UNIT_OPENING` (at most 31, which keeps the opening within one 100-item
    /// transaction).
    pub max_houses_per_unit_opening: usize,
    /// How long one deregistration request works through residents before it answers
    /// `in_progress` (the job resumes on the next request): `DEREGISTRATION_TIME_BUDGET_MS`
    /// (at most 8 s, leaving time to answer within the functions' 10 s timeout in
    /// `template.yaml`).
    pub deregistration_time_budget: Duration,
}

/// Unit agents (单位代办, F25; numbers checked as for [`SmsSettings`]).
#[derive(Debug, Clone)]
pub struct UnitSettings {
    /// Permit applications one unit may file for employees per day (China time), counted
    /// before anything else is done: `UNIT_FILINGS_PER_DAY`.
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
fn event_settings(get: Lookup) -> Result<Option<EventSettings>, ConfigError> {
    let Some(bus_name) = set(get, setting!("EVENT_BUS_NAME")) else {
        return Ok(None);
    };
    let dead_letter_queue_url = required(get, setting!("EVENTS_DEAD_LETTER_QUEUE_URL"))?;
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
    /// The photo-receipt service of the authorized studios (数码相片回执): the permit's photo.
    pub photo_receipts: IdentityService,
    /// The API's public address, which the QR codes on receipts and permit cards point to:
    /// `PUBLIC_BASE_URL`, an `https://` (or, locally, `http://`) URL without a trailing slash.
    /// Locally the API's own address.
    pub public_base_url: String,
    /// Who signs documents at issue time (`crate::documents`).
    pub documents: DocumentSigner,
    /// The event publisher's bus and dead-letter queue; `None` for every other function.
    pub events: Option<EventSettings>,
}

/// The document signer the variables name: the local stand-in when its key is set (local
/// stack), else the KMS key when `DOCUMENT_SIGNING_KEY` is set (with its id and algorithm).
fn document_signer(get: Lookup) -> Result<DocumentSigner, ConfigError> {
    let local = setting!("LOCAL_DOCUMENT_SIGNING_KEY");
    if let Some(hex) = set(get, local) {
        #[cfg(feature = "local")]
        return DocumentSigner::local_sm2(&hex).ok_or(ConfigError::Invalid {
            name: local.name,
            reason: "an SM2 secret key of 64 hex digits is expected".into(),
        });
        #[cfg(not(feature = "local"))]
        return Err(ConfigError::Invalid {
            name: local.name,
            reason: format!(
                "names a local stand-in ({} hex digits), which this build (without the feature `local`) does not have",
                hex.len()
            ),
        });
    }
    let Some(key_id) = set(get, setting!("DOCUMENT_SIGNING_KEY")) else {
        return Ok(DocumentSigner::Unconfigured);
    };
    let kid = required(get, setting!("DOCUMENT_SIGNING_KID"))?;
    let algorithm_setting = setting!("DOCUMENT_SIGNING_ALGORITHM");
    let algorithm =
        required(get, algorithm_setting)?
            .parse()
            .map_err(|_| ConfigError::Invalid {
                name: algorithm_setting.name,
                reason: "`SM2-SM3` or `ES256` is expected".into(),
            })?;
    Ok(DocumentSigner::Kms {
        key_id,
        kid,
        algorithm,
    })
}

/// `PUBLIC_BASE_URL`: an http(s) URL with a host, kept without its trailing slashes.
fn public_base_url(get: Lookup) -> Result<String, ConfigError> {
    let setting = setting!("PUBLIC_BASE_URL");
    let Kind::BaseUrl { default } = setting.kind else {
        unreachable!("{} is a base URL in the settings table", setting.name)
    };
    let value = get(setting.name).unwrap_or_else(|| default.into());
    let trimmed = value.trim().trim_end_matches('/');
    let host = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"));
    match host {
        Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => {
            Ok(trimmed.to_owned())
        }
        _ => Err(ConfigError::Invalid {
            name: setting.name,
            reason: "an http(s) URL is expected".into(),
        }),
    }
}

/// Where one of the identity services asks: the carrier's real-name check, the face check
/// (实名认证), or the photo-receipt service (`shared::identity`).
#[derive(Clone, PartialEq, Eq)]
pub enum IdentityService {
    /// The service over HTTPS (`CARRIER_CHECK_URL` / `FACE_CHECK_URL`), with its bearer
    /// credential from the secret (`CARRIER_CHECK_CREDENTIAL` / `FACE_CHECK_CREDENTIAL`).
    Https { url: String, credential: String },
    /// LOCAL ONLY: the local identity registry's stand-in for the service, read from the table
    /// `LOCAL_IDENTITY_REGISTRY_TABLE`. The template never sets it; a build without the
    /// feature `local` (the Lambda build) has no such variant and refuses the variable.
    #[cfg(feature = "local")]
    LocalRegistry { table: String },
    /// Not configured (no URL): that check answers 503; the counter and the other check work.
    Unconfigured,
}

impl std::fmt::Debug for IdentityService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Https { url, .. } => write!(f, "Https({url}, credential <redacted>)"),
            #[cfg(feature = "local")]
            Self::LocalRegistry { table } => write!(f, "LocalRegistry({table})"),
            Self::Unconfigured => write!(f, "Unconfigured"),
        }
    }
}

/// One identity check's service as the variables name it: the local registry when its table is
/// named (local stack), else the HTTPS service when `url` is set (which must be https, with
/// `credential` set).
fn identity_service(
    get: Lookup,
    url: &'static Setting,
    credential: &'static Setting,
) -> Result<IdentityService, ConfigError> {
    let local = setting!("LOCAL_IDENTITY_REGISTRY_TABLE");
    if let Some(table) = set(get, local) {
        #[cfg(feature = "local")]
        return Ok(IdentityService::LocalRegistry { table });
        #[cfg(not(feature = "local"))]
        return Err(ConfigError::Invalid {
            name: local.name,
            reason: format!(
                "names a local stand-in ({table}), which this build (without the feature `local`) does not have"
            ),
        });
    }
    let Some(address) = set(get, url) else {
        return Ok(IdentityService::Unconfigured);
    };
    if !address.starts_with("https://") {
        return Err(ConfigError::Invalid {
            name: url.name,
            reason: "must be an https:// URL".into(),
        });
    }
    let credential = required(get, credential)?;
    Ok(IdentityService::Https {
        url: address,
        credential,
    })
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
            .field("photo_receipts", &self.photo_receipts)
            .field("documents", &self.documents)
            .field("events", &self.events)
            .finish()
    }
}

impl AppConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds the configuration from any source of variables (the environment, or a map in tests
    /// and the local stack), each read through its row of [`settings::SETTINGS`].
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get: Lookup = &get;
        let jwt = parse_jwt_keys(
            &required(get, setting!("JWT_KEYS"))?,
            &required(get, setting!("JWT_ACTIVE_KID"))?,
        )?;
        let hash_key = base64_key(
            setting!("DATA_HASH_KEY").name,
            &required(get, setting!("DATA_HASH_KEY"))?,
        )?;

        Ok(Self {
            tables: Tables {
                accounts: required(get, setting!("ACCOUNTS_TABLE"))?,
                verification_codes: required(get, setting!("VERIFICATION_CODES_TABLE"))?,
                rate_limits: required(get, setting!("RATE_LIMITS_TABLE"))?,
                idempotency: required(get, setting!("IDEMPOTENCY_TABLE"))?,
                address: required(get, setting!("ADDRESS_TABLE"))?,
                registrations: required(get, setting!("REGISTRATIONS_TABLE"))?,
                social_insurance: required(get, setting!("SOCIAL_INSURANCE_TABLE"))?,
                permits: required(get, setting!("PERMITS_TABLE"))?,
                processing_records: required(get, setting!("PROCESSING_RECORDS_TABLE"))?,
                document_keys: required(get, setting!("DOCUMENT_KEYS_TABLE"))?,
            },
            jwt,
            hash_key,
            public_base_url: public_base_url(get)?,
            sms: SmsSettings {
                signature: text(get, setting!("SMS_SIGNATURE")),
                code_ttl: duration(get, setting!("SMS_CODE_TTL_SECONDS"))?,
                resend_interval: duration(get, setting!("SMS_RESEND_INTERVAL_SECONDS"))?,
                max_attempts: whole(get, setting!("SMS_MAX_ATTEMPTS"))?,
                daily_limit_per_phone: whole(get, setting!("SMS_DAILY_LIMIT_PER_PHONE"))?,
                daily_limit_per_device: whole(get, setting!("SMS_DAILY_LIMIT_PER_DEVICE"))?,
                hourly_limit_per_ip: whole(get, setting!("SMS_HOURLY_LIMIT_PER_IP"))?,
                hourly_limit_per_ipv6_network: whole(
                    get,
                    setting!("SMS_HOURLY_LIMIT_PER_IPV6_NETWORK"),
                )?,
                daily_limit_global: whole(get, setting!("SMS_DAILY_LIMIT_GLOBAL"))?,
                queue_url: required(get, setting!("SMS_QUEUE_URL"))?,
                delivery_attempts: whole(get, setting!("SMS_DELIVERY_ATTEMPTS"))?,
            },
            login: LoginSettings {
                issuer: text(get, setting!("JWT_ISSUER")),
                audience: text(get, setting!("JWT_AUDIENCE")),
                access_token_ttl: duration(get, setting!("ACCESS_TOKEN_TTL_SECONDS"))?,
                refresh_idle: duration(get, setting!("REFRESH_IDLE_SECONDS"))?,
                refresh_absolute: duration(get, setting!("REFRESH_ABSOLUTE_SECONDS"))?,
                trusted_device_ttl: duration(get, setting!("TRUSTED_DEVICE_TTL_SECONDS"))?,
                failures_before_lock: whole(get, setting!("LOGIN_FAILURES_BEFORE_LOCK"))?,
                failures_before_lock_trusted: whole(
                    get,
                    setting!("LOGIN_FAILURES_BEFORE_LOCK_TRUSTED"),
                )?,
                max_lockout: duration(get, setting!("LOGIN_MAX_LOCK_SECONDS"))?,
                failure_memory: duration(get, setting!("LOGIN_FAILURE_MEMORY_SECONDS"))?,
            },
            houses: HouseSettings {
                public_reads_per_minute: whole(get, setting!("PUBLIC_READS_PER_MINUTE"))?,
                public_reads_per_minute_per_address: whole(
                    get,
                    setting!("PUBLIC_READS_PER_MINUTE_PER_ADDRESS"),
                )?,
                receipt_checks_per_minute: whole(get, setting!("RECEIPT_CHECKS_PER_MINUTE"))?,
                max_houses_at_registration: whole(get, setting!("MAX_HOUSES_AT_REGISTRATION"))?,
                max_houses_per_unit_opening: whole(get, setting!("MAX_HOUSES_PER_UNIT_OPENING"))?,
                deregistration_time_budget: duration(
                    get,
                    setting!("DEREGISTRATION_TIME_BUDGET_MS"),
                )?,
            },
            units: UnitSettings {
                filings_per_day: whole(get, setting!("UNIT_FILINGS_PER_DAY"))?,
            },
            carrier_check: identity_service(
                get,
                setting!("CARRIER_CHECK_URL"),
                setting!("CARRIER_CHECK_CREDENTIAL"),
            )?,
            face_check: identity_service(
                get,
                setting!("FACE_CHECK_URL"),
                setting!("FACE_CHECK_CREDENTIAL"),
            )?,
            photo_receipts: identity_service(
                get,
                setting!("PHOTO_RECEIPT_URL"),
                setting!("PHOTO_RECEIPT_CREDENTIAL"),
            )?,
            documents: document_signer(get)?,
            events: event_settings(get)?,
        })
    }
}

/// Where the variables come from (the environment, a map).
type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The variable if it is set and not empty.
fn set(get: Lookup, setting: &Setting) -> Option<String> {
    get(setting.name).filter(|v| !v.is_empty())
}

/// A variable that must be set and not empty.
fn required(get: Lookup, setting: &'static Setting) -> Result<String, ConfigError> {
    set(get, setting).ok_or(ConfigError::Missing(setting.name))
}

/// A text variable, or its default from the table when it is unset.
fn text(get: Lookup, setting: &Setting) -> String {
    let Kind::Text { default } = setting.kind else {
        unreachable!(
            "{} is text with a default in the settings table",
            setting.name
        )
    };
    get(setting.name).unwrap_or_else(|| default.into())
}

/// A whole-number variable in its range (its default when it is unset; the default is held to
/// the range too), converted to the field's type. Anything else (not a number, negative, out of
/// the range, too big for the type) is refused with the range in the reason, never cut or
/// clamped into shape.
fn whole<T: TryFrom<u64>>(get: Lookup, setting: &'static Setting) -> Result<T, ConfigError> {
    let Kind::Number(number) = setting.kind else {
        unreachable!("{} is a whole number in the settings table", setting.name)
    };
    let value = match get(setting.name) {
        None => Some(number.default),
        Some(text) => text.parse::<u64>().ok(),
    };
    value
        .filter(|v| (number.min..=number.max).contains(v))
        .and_then(|v| T::try_from(v).ok())
        .ok_or_else(|| ConfigError::Invalid {
            name: setting.name,
            reason: format!(
                "must be a whole number from {} to {}",
                number.min, number.max
            ),
        })
}

/// A whole number of seconds or milliseconds (as the table's unit says); see [`whole`].
fn duration(get: Lookup, setting: &'static Setting) -> Result<Duration, ConfigError> {
    let value = whole(get, setting)?;
    match setting.kind {
        Kind::Number(number) if number.unit == Unit::Seconds => Ok(Duration::from_secs(value)),
        Kind::Number(number) if number.unit == Unit::Milliseconds => {
            Ok(Duration::from_millis(value))
        }
        _ => unreachable!("{} is a duration in the settings table", setting.name),
    }
}

/// `JWT_KEYS` is `kid:base64key[,kid:base64key…]`; each key at least 32 bytes.
fn parse_jwt_keys(spec: &str, active: &str) -> Result<JwtKeys, ConfigError> {
    let mut keys = BTreeMap::new();
    for entry in spec.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (kid, key) = entry.split_once(':').ok_or_else(|| ConfigError::Invalid {
            name: setting!("JWT_KEYS").name,
            reason: "each entry must be kid:base64key".into(),
        })?;
        keys.insert(kid.to_owned(), base64_key(setting!("JWT_KEYS").name, key)?);
    }
    if !keys.contains_key(active) {
        return Err(ConfigError::Invalid {
            name: setting!("JWT_ACTIVE_KID").name,
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
        ("IDEMPOTENCY_TABLE", "i"),
        ("ADDRESS_TABLE", "ad"),
        ("REGISTRATIONS_TABLE", "rg"),
        ("SOCIAL_INSURANCE_TABLE", "si"),
        ("PERMITS_TABLE", "p"),
        ("PROCESSING_RECORDS_TABLE", "pr"),
        ("DOCUMENT_KEYS_TABLE", "dk"),
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
        assert_eq!(config.login.access_token_ttl, Duration::from_secs(900));
        assert_eq!(config.login.refresh_idle, Duration::from_secs(30 * 86_400));
        assert_eq!(
            config.login.refresh_absolute,
            Duration::from_secs(180 * 86_400)
        );
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
    fn a_token_lifetime_beyond_fifteen_minutes_is_refused_not_capped() {
        let error = AppConfig::from_lookup(vars(&[("ACCESS_TOKEN_TTL_SECONDS", "86400")]))
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "environment variable ACCESS_TOKEN_TTL_SECONDS is invalid: \
             must be a whole number from 60 to 900"
        );
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

    /// Each numeric row of the table: accepted at both ends of its range, refused just beyond
    /// them, refused when not a whole number or when a cast to `u32` would have wrapped it into
    /// range; every refusal names the variable and gives the table's range.
    #[test]
    fn every_number_of_the_table_is_accepted_at_its_bounds_and_refused_beyond_them() {
        let numbers: Vec<_> = settings::SETTINGS
            .iter()
            .filter_map(|s| match s.kind {
                Kind::Number(n) => Some((s.name, n)),
                _ => None,
            })
            .collect();
        assert_eq!(numbers.len(), 24, "the table's whole numbers");
        for (name, number) in numbers {
            for bound in [number.min, number.max] {
                if let Err(e) = AppConfig::from_lookup(vars(&[(name, &bound.to_string())])) {
                    panic!("{name}={bound} should be accepted: {e}");
                }
            }
            let expected = format!(
                "environment variable {name} is invalid: must be a whole number from {} to {}",
                number.min, number.max
            );
            let mut refused = vec![
                (number.max + 1).to_string(),
                // What a cast to u32 would have read as the default, or as 0.
                (u64::from(u32::MAX) + 1 + number.default).to_string(),
                (u64::from(u32::MAX) + 1).to_string(),
                "18446744073709551616".to_owned(),
            ];
            if number.min > 0 {
                refused.push((number.min - 1).to_string());
            }
            refused.extend(["ten", "-1", "1.5", " 5", "5s"].map(String::from));
            for value in refused {
                let error = AppConfig::from_lookup(vars(&[(name, &value)]))
                    .err()
                    .unwrap_or_else(|| panic!("{name}={value} should be refused"));
                assert_eq!(error.to_string(), expected, "{name}={value}");
            }
        }
    }

    /// Each numeric variable reaches its own field, in its unit, and its default applies when it
    /// is unset.
    #[test]
    fn every_number_reaches_its_field() {
        type Read = fn(&AppConfig) -> u64;
        let fields: [(&str, Read); 24] = [
            ("SMS_CODE_TTL_SECONDS", |c| c.sms.code_ttl.as_secs()),
            ("SMS_RESEND_INTERVAL_SECONDS", |c| {
                c.sms.resend_interval.as_secs()
            }),
            ("SMS_MAX_ATTEMPTS", |c| c.sms.max_attempts.into()),
            ("SMS_DAILY_LIMIT_PER_PHONE", |c| {
                c.sms.daily_limit_per_phone.into()
            }),
            ("SMS_DAILY_LIMIT_PER_DEVICE", |c| {
                c.sms.daily_limit_per_device.into()
            }),
            ("SMS_HOURLY_LIMIT_PER_IP", |c| {
                c.sms.hourly_limit_per_ip.into()
            }),
            ("SMS_HOURLY_LIMIT_PER_IPV6_NETWORK", |c| {
                c.sms.hourly_limit_per_ipv6_network.into()
            }),
            ("SMS_DAILY_LIMIT_GLOBAL", |c| {
                c.sms.daily_limit_global.into()
            }),
            ("SMS_DELIVERY_ATTEMPTS", |c| c.sms.delivery_attempts.into()),
            ("ACCESS_TOKEN_TTL_SECONDS", |c| {
                c.login.access_token_ttl.as_secs()
            }),
            ("REFRESH_IDLE_SECONDS", |c| c.login.refresh_idle.as_secs()),
            ("REFRESH_ABSOLUTE_SECONDS", |c| {
                c.login.refresh_absolute.as_secs()
            }),
            ("TRUSTED_DEVICE_TTL_SECONDS", |c| {
                c.login.trusted_device_ttl.as_secs()
            }),
            ("LOGIN_FAILURES_BEFORE_LOCK", |c| {
                c.login.failures_before_lock.into()
            }),
            ("LOGIN_FAILURES_BEFORE_LOCK_TRUSTED", |c| {
                c.login.failures_before_lock_trusted.into()
            }),
            ("LOGIN_MAX_LOCK_SECONDS", |c| c.login.max_lockout.as_secs()),
            ("LOGIN_FAILURE_MEMORY_SECONDS", |c| {
                c.login.failure_memory.as_secs()
            }),
            ("PUBLIC_READS_PER_MINUTE", |c| {
                c.houses.public_reads_per_minute.into()
            }),
            ("PUBLIC_READS_PER_MINUTE_PER_ADDRESS", |c| {
                c.houses.public_reads_per_minute_per_address.into()
            }),
            ("RECEIPT_CHECKS_PER_MINUTE", |c| {
                c.houses.receipt_checks_per_minute.into()
            }),
            ("MAX_HOUSES_AT_REGISTRATION", |c| {
                c.houses.max_houses_at_registration as u64
            }),
            ("MAX_HOUSES_PER_UNIT_OPENING", |c| {
                c.houses.max_houses_per_unit_opening as u64
            }),
            ("DEREGISTRATION_TIME_BUDGET_MS", |c| {
                c.houses.deregistration_time_budget.as_millis() as u64
            }),
            ("UNIT_FILINGS_PER_DAY", |c| c.units.filings_per_day.into()),
        ];
        let defaults = AppConfig::from_lookup(vars(&[])).unwrap();
        for (name, read) in fields {
            let Kind::Number(number) = settings::find(name).kind else {
                panic!("{name} is not a whole number in the table");
            };
            assert_eq!(read(&defaults), number.default, "{name}'s default");
            // A value in range that is neither its default nor any other's.
            let value = if number.max > number.default {
                number.default + 1
            } else {
                number.default - 1
            };
            let config = AppConfig::from_lookup(vars(&[(name, &value.to_string())])).unwrap();
            assert_eq!(read(&config), value, "{name}");
            for (other, read_other) in fields.iter().filter(|(n, _)| *n != name) {
                assert_eq!(
                    read_other(&config),
                    read_other(&defaults),
                    "{name} set {other}"
                );
            }
        }
    }

    /// Each row the table calls required is refused, by name, when it is missing or empty.
    #[test]
    fn documents_are_signed_by_the_kms_key_the_variables_name_with_its_id_and_algorithm() {
        let config = AppConfig::from_lookup(vars(&[])).unwrap();
        assert!(matches!(config.documents, DocumentSigner::Unconfigured));
        let kms = |algorithm: &str| {
            AppConfig::from_lookup(vars(&[
                ("DOCUMENT_SIGNING_KEY", "arn:aws-cn:kms:cn-north-1:1:key/ab"),
                ("DOCUMENT_SIGNING_KID", "ab12cd34"),
                ("DOCUMENT_SIGNING_ALGORITHM", algorithm),
            ]))
        };
        match kms("SM2-SM3").unwrap().documents {
            DocumentSigner::Kms { kid, algorithm, .. } => {
                assert_eq!(kid, "ab12cd34");
                assert_eq!(algorithm, crate::documents::Algorithm::Sm2Sm3);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            kms("RS256").unwrap_err(),
            ConfigError::Invalid {
                name: "DOCUMENT_SIGNING_ALGORITHM",
                ..
            }
        ));
        let no_kid = AppConfig::from_lookup(vars(&[("DOCUMENT_SIGNING_KEY", "k")])).unwrap_err();
        assert!(matches!(
            no_kid,
            ConfigError::Missing("DOCUMENT_SIGNING_KID")
        ));
    }

    #[test]
    fn every_required_setting_of_the_table_is_required() {
        let required = settings::SETTINGS.iter().filter(|s| {
            matches!(
                s.kind,
                Kind::Required | Kind::KeyList | Kind::Key | Kind::KeyId { .. }
            )
        });
        let mut count = 0;
        for setting in required {
            let error = AppConfig::from_lookup(vars(&[(setting.name, "")])).unwrap_err();
            assert!(
                matches!(error, ConfigError::Missing(name) if name == setting.name),
                "{}: {error}",
                setting.name
            );
            count += 1;
        }
        assert_eq!(
            count, 14,
            "the tables, the queue, the keys and the active key id"
        );
    }

    #[test]
    fn the_secret_variables_are_the_rows_the_secret_sets() {
        assert_eq!(
            SECRET_VARIABLES,
            [
                ("jwt_keys", "JWT_KEYS"),
                ("jwt_active_kid", "JWT_ACTIVE_KID"),
                ("data_hash_key", "DATA_HASH_KEY"),
                ("carrier_check_credential", "CARRIER_CHECK_CREDENTIAL"),
                ("photo_receipt_credential", "PHOTO_RECEIPT_CREDENTIAL"),
                ("face_check_credential", "FACE_CHECK_CREDENTIAL"),
            ]
        );
        assert_eq!(SECRETS_ID, "SECRETS_ID");
    }

    #[test]
    fn the_values_the_tests_and_scripts_set_are_accepted() {
        // tests/e2e/*.rs, benchmarks/src/bin/bench-*.rs, infra/local/contract-checks.sh,
        // infra/src/local/env.rs and the README's example.
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
            ("PUBLIC_READS_PER_MINUTE_PER_ADDRESS", "3"),
            ("PUBLIC_READS_PER_MINUTE_PER_ADDRESS", "1000000"),
            ("PUBLIC_READS_PER_MINUTE_PER_ADDRESS", "1000000000"),
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
        let local = config(&[("LOCAL_IDENTITY_REGISTRY_TABLE", "LocalIdentityRegistry")]);
        #[cfg(feature = "local")]
        {
            let registry = IdentityService::LocalRegistry {
                table: "LocalIdentityRegistry".into(),
            };
            let local = local.unwrap();
            assert_eq!(local.carrier_check, registry);
            assert_eq!(local.face_check, registry);
        }
        #[cfg(not(feature = "local"))]
        assert!(
            local
                .unwrap_err()
                .to_string()
                .contains("LOCAL_IDENTITY_REGISTRY_TABLE")
        );
    }
}
