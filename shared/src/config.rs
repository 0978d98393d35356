//! Configuration, read once per cold start from the environment that `template.yaml` sets
//! (and that the local stack sets the same way).

use std::collections::BTreeMap;
use std::time::Duration;

use thiserror::Error;

/// The variable naming the Secrets Manager secret (JSON) that holds the secrets.
pub const SECRETS_ID: &str = "SECRETS_ID";

/// The secret's JSON keys and the variables they stand for.
pub const SECRET_VARIABLES: [(&str, &str); 3] = [
    ("jwt_keys", "JWT_KEYS"),
    ("jwt_active_kid", "JWT_ACTIVE_KID"),
    ("data_hash_key", "DATA_HASH_KEY"),
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
#[derive(Debug, Clone)]
pub struct SmsSettings {
    /// The 【signature】 every message starts with.
    pub signature: String,
    pub code_ttl: Duration,
    pub resend_interval: Duration,
    pub max_attempts: u32,
    pub daily_limit_per_phone: u32,
    pub hourly_limit_per_ip: u32,
    /// A ceiling on all codes sent in a day (China time), whatever their phones and clients.
    pub daily_limit_global: u32,
}

/// Login and session settings.
#[derive(Debug, Clone)]
pub struct LoginSettings {
    pub issuer: String,
    pub audience: String,
    pub access_token_ttl: Duration,
    pub trusted_device_ttl: Duration,
    /// The failure that first locks the account (for 1 s; each further one doubles the lock).
    pub failures_before_lock: u32,
    pub max_lockout: Duration,
    /// Quiet time after which the failure count starts over.
    pub failure_memory: Duration,
}

/// House and address settings.
#[derive(Debug, Clone)]
pub struct HouseSettings {
    /// Requests to the public address routes per client (IPv4 address or IPv6 /64) per minute.
    pub public_reads_per_minute: u32,
    /// Receipt checks (`GET /v1/receipts/{receipt_no}`) per client per minute.
    pub receipt_checks_per_minute: u32,
    /// Most houses one registration may link (`houses` of `POST /v1/accounts`).
    pub max_houses_at_registration: usize,
    /// Most houses a unit may be opened with (`houses` of `POST /v1/staff/units`); at most 31,
    /// which keeps the opening within one 100-item transaction.
    pub max_houses_per_unit_opening: usize,
    /// How long one deregistration request works through residents before it answers
    /// `in_progress` (the job resumes on the next request).
    pub deregistration_time_budget: Duration,
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
}

impl std::fmt::Debug for AppConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppConfig")
            .field("tables", &self.tables)
            .field("jwt", &self.jwt)
            .field("hash_key", &"<redacted>")
            .field("sms", &self.sms)
            .field("login", &self.login)
            .field("houses", &self.houses)
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
        let required = |name: &'static str| {
            get(name)
                .filter(|v| !v.is_empty())
                .ok_or(ConfigError::Missing(name))
        };
        let number = |name: &'static str, default: u64| -> Result<u64, ConfigError> {
            match get(name) {
                None => Ok(default),
                Some(v) => v.parse().map_err(|_| ConfigError::Invalid {
                    name,
                    reason: "not a whole number".into(),
                }),
            }
        };
        let seconds =
            |name: &'static str, default: u64| number(name, default).map(Duration::from_secs);

        let jwt = parse_jwt_keys(&required("JWT_KEYS")?, &required("JWT_ACTIVE_KID")?)?;
        let hash_key = base64_key("DATA_HASH_KEY", &required("DATA_HASH_KEY")?)?;

        Ok(Self {
            tables: Tables {
                accounts: required("ACCOUNTS_TABLE")?,
                verification_codes: required("VERIFICATION_CODES_TABLE")?,
                rate_limits: required("RATE_LIMITS_TABLE")?,
                address: required("ADDRESS_TABLE")?,
                registrations: required("REGISTRATIONS_TABLE")?,
            },
            jwt,
            hash_key,
            sms: SmsSettings {
                signature: get("SMS_SIGNATURE").unwrap_or_else(|| "深圳居住登记".into()),
                code_ttl: seconds("SMS_CODE_TTL_SECONDS", 300)?,
                resend_interval: seconds("SMS_RESEND_INTERVAL_SECONDS", 60)?,
                max_attempts: number("SMS_MAX_ATTEMPTS", 5)? as u32,
                daily_limit_per_phone: number("SMS_DAILY_LIMIT_PER_PHONE", 10)? as u32,
                hourly_limit_per_ip: number("SMS_HOURLY_LIMIT_PER_IP", 30)? as u32,
                daily_limit_global: number("SMS_DAILY_LIMIT_GLOBAL", 3_000_000)? as u32,
            },
            login: LoginSettings {
                issuer: get("JWT_ISSUER").unwrap_or_else(|| "szjzz-platform".into()),
                audience: get("JWT_AUDIENCE").unwrap_or_else(|| "szjzz-mobile".into()),
                access_token_ttl: seconds("ACCESS_TOKEN_TTL_SECONDS", 3600)?
                    .min(Duration::from_secs(3600)),
                trusted_device_ttl: seconds("TRUSTED_DEVICE_TTL_SECONDS", 30 * 24 * 3600)?,
                failures_before_lock: number("LOGIN_FAILURES_BEFORE_LOCK", 5)?.max(1) as u32,
                max_lockout: seconds("LOGIN_MAX_LOCK_SECONDS", 15 * 60)?,
                failure_memory: seconds("LOGIN_FAILURE_MEMORY_SECONDS", 15 * 60)?,
            },
            houses: HouseSettings {
                public_reads_per_minute: number("PUBLIC_READS_PER_MINUTE", 120)? as u32,
                receipt_checks_per_minute: number("RECEIPT_CHECKS_PER_MINUTE", 30)? as u32,
                max_houses_at_registration: number("MAX_HOUSES_AT_REGISTRATION", 10)?.clamp(1, 20)
                    as usize,
                max_houses_per_unit_opening: number("MAX_HOUSES_PER_UNIT_OPENING", 30)?.clamp(1, 31)
                    as usize,
                deregistration_time_budget: Duration::from_millis(number(
                    "DEREGISTRATION_TIME_BUDGET_MS",
                    6000,
                )?),
            },
        })
    }
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
        assert_eq!(config.login.access_token_ttl, Duration::from_secs(3600));
        assert!(!format!("{config:?}").contains(KEY));
    }

    #[test]
    fn token_lifetime_is_capped_at_one_hour() {
        let config =
            AppConfig::from_lookup(vars(&[("ACCESS_TOKEN_TTL_SECONDS", "86400")])).unwrap();
        assert_eq!(config.login.access_token_ttl, Duration::from_secs(3600));
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
}
