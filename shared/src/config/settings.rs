//! The settings table: every environment variable the configuration reads, with its meaning, what
//! it accepts, its default and where the deployment sets it.
//!
//! It is the one place a setting is described. The parser (`AppConfig::from_lookup`) takes every
//! range and default from it (and a variable missing from it does not build), the range tests loop
//! over it, `docs/configuration.md` is rendered from it (`config::docs`), and `infra` holds it
//! against `template.yaml` (`infra/src/local/env.rs`). A new setting is a row here, a field of
//! `AppConfig` read through the table, and, when the deployment sets it, a line of the template.

/// One environment variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    pub name: &'static str,
    /// What it does, on one line (Markdown, no `|`).
    pub meaning: &'static str,
    /// What it accepts, and its default.
    pub kind: Kind,
    /// Where the deployment sets it.
    pub set_by: SetBy,
}

/// What a variable accepts and what applies when it is unset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text that must be set and not empty (a table's name, a queue's URL).
    Required,
    /// Text with a default when unset.
    Text { default: &'static str },
    /// Text that may be unset: `unset` says what happens then.
    Optional { unset: &'static str },
    /// Text that is required when the variable `with` is set (and is not read otherwise).
    RequiredWith { with: &'static str },
    /// A whole number (a count, seconds or milliseconds) in a range, with a default.
    Number(Number),
    /// An `http://` or `https://` URL with a host, kept without its trailing slashes.
    BaseUrl { default: &'static str },
    /// An `https://` URL, or unset (or empty): the service is not configured.
    HttpsUrl,
    /// Signing keys, `kid:base64key[,kid:base64key…]`: each key standard base64, at least 32 bytes.
    KeyList,
    /// One key: standard base64, at least 32 bytes.
    Key,
    /// The key id of one of the keys of the variable `of`.
    KeyId { of: &'static str },
}

/// A whole number's range (both ends included) and default. A value that is not a whole number
/// or lies outside the range fails the cold start; nothing is cut or clamped, and the default is
/// held to the range too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Number {
    pub min: u64,
    pub max: u64,
    pub default: u64,
    pub unit: Unit,
}

/// What a whole number counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    Seconds,
    Milliseconds,
}

/// Where the deployment (`template.yaml`) sets a variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetBy {
    /// The template's `Globals` (every function), to `value` as the template writes it.
    Globals { value: &'static str },
    /// The named functions only (their `PLATFORM_FUNCTION`s), to `value` as the template writes it.
    Functions {
        functions: &'static [&'static str],
        value: &'static str,
    },
    /// The key `key` of the stack's secret (`PlatformSecret`, named by `SECRETS_ID`).
    Secret { key: &'static str },
    /// Not set by the template: the default applies.
    Unset,
    /// LOCAL ONLY: set by the local stack (`infra/src/local/env.rs`), never by the template.
    LocalStack,
}

const DAY: u64 = 24 * 3600;

/// The functions that check a permit application's photo receipt (at filing) or fetch its photo
/// (at approval).
pub const PHOTO_FUNCTIONS: &[&str] = &[
    "create-permit-application",
    "create-unit-permit-application",
    "consent-permit-application",
    "decide-permit-application",
];

/// The functions that issue documents (a receipt at a move-in, again when the resident's name is
/// corrected; a permit at an approval), and so sign them.
pub const ISSUING_FUNCTIONS: &[&str] = &[
    "declare-resident",
    "declare-resident-at-counter",
    "update-registration",
    "create-permit-application",
    "consent-permit-application",
    "decide-permit-application",
];

const U32_MAX: u64 = u32::MAX as u64;

const fn count(min: u64, max: u64, default: u64) -> Kind {
    Kind::Number(Number {
        min,
        max,
        default,
        unit: Unit::Count,
    })
}

const fn seconds(min: u64, max: u64, default: u64) -> Kind {
    Kind::Number(Number {
        min,
        max,
        default,
        unit: Unit::Seconds,
    })
}

const fn milliseconds(min: u64, max: u64, default: u64) -> Kind {
    Kind::Number(Number {
        min,
        max,
        default,
        unit: Unit::Milliseconds,
    })
}

const fn globals(value: &'static str) -> SetBy {
    SetBy::Globals { value }
}

const fn secret(key: &'static str) -> SetBy {
    SetBy::Secret { key }
}

/// A table's name, required and set in `Globals` to the template's table.
const fn table(name: &'static str, meaning: &'static str, value: &'static str) -> Setting {
    Setting {
        name,
        meaning,
        kind: Kind::Required,
        set_by: globals(value),
    }
}

/// A number the template does not set (its default applies unless the environment says otherwise).
const fn number(name: &'static str, meaning: &'static str, kind: Kind) -> Setting {
    Setting {
        name,
        meaning,
        kind,
        set_by: SetBy::Unset,
    }
}

/// Every variable the configuration reads, in the order `docs/configuration.md` lists them.
pub const SETTINGS: &[Setting] = &[
    Setting {
        name: "SECRETS_ID",
        meaning: "the Secrets Manager secret (JSON), read once per cold start; its keys stand for the five variables below it",
        kind: Kind::Optional {
            unset: "unset: no secret is read",
        },
        set_by: globals("!Ref PlatformSecret"),
    },
    Setting {
        name: "JWT_KEYS",
        meaning: "the access tokens' signing keys by key id (several during a rotation: the active one signs, all verify)",
        kind: Kind::KeyList,
        set_by: secret("jwt_keys"),
    },
    Setting {
        name: "JWT_ACTIVE_KID",
        meaning: "the key id that signs new tokens",
        kind: Kind::KeyId { of: "JWT_KEYS" },
        set_by: secret("jwt_active_kid"),
    },
    Setting {
        name: "DATA_HASH_KEY",
        meaning: "keys SMS-code hashes, lookup hashes (phones, ID documents), cursors, check codes, login tickets, device secrets and event pseudonyms",
        kind: Kind::Key,
        set_by: secret("data_hash_key"),
    },
    Setting {
        name: "CARRIER_CHECK_CREDENTIAL",
        meaning: "the carrier real-name check's bearer credential",
        kind: Kind::RequiredWith {
            with: "CARRIER_CHECK_URL",
        },
        set_by: secret("carrier_check_credential"),
    },
    Setting {
        name: "PHOTO_RECEIPT_CREDENTIAL",
        meaning: "the photo-receipt service's bearer credential",
        kind: Kind::RequiredWith {
            with: "PHOTO_RECEIPT_URL",
        },
        set_by: secret("photo_receipt_credential"),
    },
    Setting {
        name: "FACE_CHECK_CREDENTIAL",
        meaning: "the face check service's bearer credential",
        kind: Kind::RequiredWith {
            with: "FACE_CHECK_URL",
        },
        set_by: secret("face_check_credential"),
    },
    Setting {
        name: "EVENT_BUS_NAME",
        meaning: "the EventBridge bus the event publisher puts events on",
        kind: Kind::Optional {
            unset: "unset: the function is not the publisher",
        },
        set_by: SetBy::Functions {
            functions: &["publish-events"],
            value: "!Ref EventBus",
        },
    },
    Setting {
        name: "EVENTS_DEAD_LETTER_QUEUE_URL",
        meaning: "where the publisher puts a stream record it cannot make an event (its coordinates, no data)",
        kind: Kind::RequiredWith {
            with: "EVENT_BUS_NAME",
        },
        set_by: SetBy::Functions {
            functions: &["publish-events"],
            value: "!Ref EventsDeadLetterQueue",
        },
    },
    Setting {
        name: "PUBLIC_BASE_URL",
        meaning: "the API's public address, which the QR codes of receipts and permit cards point to; locally the API's own address",
        kind: Kind::BaseUrl {
            default: "https://api.szjzz.example",
        },
        set_by: globals("!Ref PublicBaseUrl"),
    },
    Setting {
        name: "LOCAL_IDENTITY_REGISTRY_TABLE",
        meaning: "LOCAL ONLY: both identity checks and the photo-receipt service ask the local identity registry's stand-ins instead of HTTPS services; wins over their URLs",
        kind: Kind::Optional {
            unset: "unset: the checks' URLs apply",
        },
        set_by: SetBy::LocalStack,
    },
    table(
        "ACCOUNTS_TABLE",
        "accounts, their unique claims (username, phone, ID), sessions, trusted devices, house links, units",
        "!Ref AccountsTable",
    ),
    table(
        "VERIFICATION_CODES_TABLE",
        "SMS codes (hashed), login-ticket claims, expiring by TTL",
        "!Ref VerificationCodesTable",
    ),
    table(
        "RATE_LIMITS_TABLE",
        "fixed-window rate counters, expiring by TTL",
        "!Ref RateLimitsTable",
    ),
    table(
        "IDEMPOTENCY_TABLE",
        "the answers kept for retries with the same `Idempotency-Key`, expiring by TTL after 24 hours",
        "!Ref IdempotencyKeysTable",
    ),
    table(
        "ADDRESS_TABLE",
        "reference address data: districts, streets, buildings, houses, the name index",
        "!Ref AddressTable",
    ),
    table(
        "REGISTRATIONS_TABLE",
        "residence registrations, their history, pointers, receipt claims, presence",
        "!Ref RegistrationsTable",
    ),
    table(
        "SOCIAL_INSURANCE_TABLE",
        "the social-insurance contribution months the bureau shares (imported)",
        "!Ref SocialInsuranceTable",
    ),
    table(
        "PERMITS_TABLE",
        "residence-permit applications, their history, permits, endorsements (F22)",
        "!Ref PermitsTable",
    ),
    table(
        "DOCUMENT_KEYS_TABLE",
        "the public keys documents are signed with, retired ones included (`GET /v1/document-keys`)",
        "!Ref DocumentKeysTable",
    ),
    Setting {
        name: "DOCUMENT_SIGNING_KEY",
        meaning: "the KMS key (id, ARN or alias) that signs each receipt and permit once, when it is issued; unset: issuing a document answers 503",
        kind: Kind::Optional {
            unset: "unset: no document can be issued (503)",
        },
        set_by: SetBy::Functions {
            functions: ISSUING_FUNCTIONS,
            value: "!GetAtt DocumentSigningKey.Arn",
        },
    },
    Setting {
        name: "DOCUMENT_SIGNING_KID",
        meaning: "the id `DOCUMENT_SIGNING_KEY` is published under (`GET /v1/document-keys`, `rpctl document-keys publish`)",
        kind: Kind::RequiredWith {
            with: "DOCUMENT_SIGNING_KEY",
        },
        set_by: SetBy::Functions {
            functions: ISSUING_FUNCTIONS,
            value: "!Select [0, !Split [\"-\", !Ref DocumentSigningKey]]",
        },
    },
    Setting {
        name: "DOCUMENT_SIGNING_ALGORITHM",
        meaning: "how `DOCUMENT_SIGNING_KEY` signs: `SM2-SM3` (KMS key spec `SM2`, China regions) or `ES256` (`ECC_NIST_P256`)",
        kind: Kind::RequiredWith {
            with: "DOCUMENT_SIGNING_KEY",
        },
        set_by: SetBy::Functions {
            functions: ISSUING_FUNCTIONS,
            value: "!If [SignsWithSm2, \"SM2-SM3\", ES256]",
        },
    },
    Setting {
        name: "LOCAL_DOCUMENT_SIGNING_KEY",
        meaning: "LOCAL ONLY: documents are signed with this SM2 key (64 hex digits) by the local stand-in for KMS instead; wins over `DOCUMENT_SIGNING_KEY`",
        kind: Kind::Optional {
            unset: "unset: `DOCUMENT_SIGNING_KEY` applies",
        },
        set_by: SetBy::LocalStack,
    },
    table(
        "PROCESSING_RECORDS_TABLE",
        "who read or received each person's data (processing records, PIPL Art. 55–56)",
        "!Ref ProcessingRecordsTable",
    ),
    Setting {
        name: "SMS_SIGNATURE",
        meaning: "the 【signature】 every SMS starts with (the one registered for SMS in China)",
        kind: Kind::Text {
            default: "深圳居住登记",
        },
        set_by: globals("!Ref SmsSignature"),
    },
    number(
        "SMS_CODE_TTL_SECONDS",
        "how long a code can be used (the tests set 1 or 2 s to see codes expire)",
        seconds(1, 1800, 300),
    ),
    number(
        "SMS_RESEND_INTERVAL_SECONDS",
        "least wait before another code for the same phone and purpose (and account and device, for `login`); 0: no wait",
        seconds(0, 3600, 60),
    ),
    number(
        "SMS_MAX_ATTEMPTS",
        "tries (wrong or right) one code allows",
        count(1, 20, 5),
    ),
    number(
        "SMS_DAILY_LIMIT_PER_PHONE",
        "codes a day (China time) per phone and purpose, each purpose counted apart (`register` requests cannot use up a number's `login` codes); `login` codes per account and phone; `sub_account_phone` codes at most 3 whatever this says; 0 refuses all",
        count(0, 1000, 10),
    ),
    number(
        "SMS_DAILY_LIMIT_PER_DEVICE",
        "`login` codes a day per device",
        count(1, 100, 5),
    ),
    number(
        "SMS_HOURLY_LIMIT_PER_IP",
        "codes an hour per client IPv4 address (carrier NAT puts many subscribers behind one; the benchmarks lift it to 100000000); 0 refuses all",
        count(0, U32_MAX, 1000),
    ),
    number(
        "SMS_HOURLY_LIMIT_PER_IPV6_NETWORK",
        "codes an hour per client IPv6 /64 network (one subscriber's); 0 refuses all",
        count(0, U32_MAX, 30),
    ),
    number(
        "SMS_DAILY_LIMIT_GLOBAL",
        "a ceiling on all codes sent in a day (China time), whatever their phones and clients, over 32 sharded counters; 0 refuses all",
        count(0, U32_MAX, 3_000_000),
    ),
    Setting {
        name: "SMS_QUEUE_URL",
        meaning: "the queue requests put their SMS on, for the sender function (`SmsQueue`)",
        kind: Kind::Required,
        set_by: globals("!Ref SmsQueue"),
    },
    Setting {
        name: "SMS_DELIVERY_ATTEMPTS",
        meaning: "the sender's tries before a message goes to the dead-letter queue (on the last failed try its code is withdrawn, so that the user's next request gets a fresh one at once); must equal the queue's `maxReceiveCount`, which the same template parameter sets",
        kind: count(1, 20, 5),
        set_by: SetBy::Functions {
            functions: &["send-sms"],
            value: "!Ref SmsDeliveryAttempts",
        },
    },
    Setting {
        name: "JWT_ISSUER",
        meaning: "the access tokens' `iss`",
        kind: Kind::Text {
            default: "szjzz-platform",
        },
        set_by: SetBy::Unset,
    },
    Setting {
        name: "JWT_AUDIENCE",
        meaning: "the access tokens' `aud`",
        kind: Kind::Text {
            default: "szjzz-mobile",
        },
        set_by: SetBy::Unset,
    },
    number(
        "ACCESS_TOKEN_TTL_SECONDS",
        "access token lifetime (15 minutes at most: a session lasts through its refresh token); a token whose `exp - iat` exceeds it is refused",
        seconds(60, 900, 900),
    ),
    number(
        "REFRESH_IDLE_SECONDS",
        "how long a session's refresh token stays usable without being used (each refresh starts it again)",
        seconds(3600, 90 * DAY, 30 * DAY),
    ),
    number(
        "REFRESH_ABSOLUTE_SECONDS",
        "how long a session lasts from its login at most, however often it is refreshed",
        seconds(DAY, 365 * DAY, 180 * DAY),
    ),
    number(
        "TRUSTED_DEVICE_TTL_SECONDS",
        "how long an SMS-verified device is trusted; 0: every login needs a code",
        seconds(0, 90 * DAY, 30 * DAY),
    ),
    number(
        "LOGIN_FAILURES_BEFORE_LOCK",
        "the failed login that first locks the account (for 1 s; each further one doubles the lock)",
        count(1, 100, 5),
    ),
    number(
        "LOGIN_FAILURES_BEFORE_LOCK_TRUSTED",
        "the same for logins from a device the account verified by SMS, counted apart (failures from elsewhere never lock such a device out)",
        count(1, 1000, 50),
    ),
    number(
        "LOGIN_MAX_LOCK_SECONDS",
        "the longest lock",
        seconds(1, DAY, 15 * 60),
    ),
    number(
        "LOGIN_FAILURE_MEMORY_SECONDS",
        "the quiet time after which the failure count starts over",
        seconds(1, DAY, 15 * 60),
    ),
    number(
        "PUBLIC_READS_PER_MINUTE",
        "requests to the public address routes per minute by a signed-in caller, counted per account (the benchmarks lift it to 1000000000); 0 refuses all",
        count(0, U32_MAX, 120),
    ),
    number(
        "PUBLIC_READS_PER_MINUTE_PER_ADDRESS",
        "the same for callers without a login, counted per IPv4 address (which carrier NAT shares among many phones: sized in the README) or IPv6 /64; 0 refuses all",
        count(0, U32_MAX, 600),
    ),
    number(
        "RECEIPT_CHECKS_PER_MINUTE",
        "receipt checks (`GET /v1/receipts/{receipt_no}`) per client per minute; permit checks (`GET /v1/permits/…`) get as many, counted apart; 0 refuses all",
        count(0, U32_MAX, 30),
    ),
    number(
        "MAX_HOUSES_AT_REGISTRATION",
        "most houses one registration may link (`houses` of `POST /v1/accounts`)",
        count(1, 20, 10),
    ),
    number(
        "MAX_HOUSES_PER_UNIT_OPENING",
        "most houses a unit may be opened with (`houses` of `POST /v1/staff/units`; 31 keeps the opening within one 100-item transaction)",
        count(1, 31, 30),
    ),
    number(
        "DEREGISTRATION_TIME_BUDGET_MS",
        "how long one house deregistration request works through residents before it answers `in_progress` (the job resumes on the next request); 0: one resident a request; at most 8 s leaves time to answer within the functions' 10 s timeout",
        milliseconds(0, 8000, 6000),
    ),
    number(
        "UNIT_FILINGS_PER_DAY",
        "permit applications one unit may file for employees per day (China time), counted before anything else is done (F25); 0 refuses all",
        count(0, 100_000, 200),
    ),
    Setting {
        name: "CARRIER_CHECK_URL",
        meaning: "the carrier's real-name check (三要素) of online identity verification; unset or empty: that check answers 503",
        kind: Kind::HttpsUrl,
        set_by: SetBy::Functions {
            functions: &["verify-identity"],
            value: "!Ref CarrierCheckUrl",
        },
    },
    Setting {
        name: "PHOTO_RECEIPT_URL",
        meaning: "the photo-receipt service of the authorized studios (数码相片回执): a permit application's photo is checked and, at approval, fetched; unset or empty: applications answer 503",
        kind: Kind::HttpsUrl,
        set_by: SetBy::Functions {
            functions: PHOTO_FUNCTIONS,
            value: "!Ref PhotoReceiptUrl",
        },
    },
    Setting {
        name: "FACE_CHECK_URL",
        meaning: "the face check (人脸核验) service of online identity verification; unset or empty: face checks answer 503",
        kind: Kind::HttpsUrl,
        set_by: SetBy::Functions {
            functions: &["verify-identity"],
            value: "!Ref FaceCheckUrl",
        },
    },
];

/// The table's entry of `name`. Called in a `const` (as the parser does), a name the table lacks
/// does not build.
pub const fn find(name: &str) -> &'static Setting {
    let mut i = 0;
    while i < SETTINGS.len() {
        if same(SETTINGS[i].name, name) {
            return &SETTINGS[i];
        }
        i += 1;
    }
    panic!("a variable missing from the settings table (shared/src/config/settings.rs)")
}

/// The settings the stack's secret provides, as (the secret's JSON key, the variable), in the
/// table's order. Called in a `const`, `N` must be their number.
pub const fn secret_variables<const N: usize>() -> [(&'static str, &'static str); N] {
    let mut pairs = [("", ""); N];
    let mut found = 0;
    let mut i = 0;
    while i < SETTINGS.len() {
        if let SetBy::Secret { key } = SETTINGS[i].set_by {
            assert!(found < N, "more secret settings than N");
            pairs[found] = (key, SETTINGS[i].name);
            found += 1;
        }
        i += 1;
    }
    assert!(found == N, "fewer secret settings than N");
    pairs
}

/// String equality usable in a `const fn`.
const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_variable_is_in_the_table_once() {
        let mut names: Vec<_> = SETTINGS.iter().map(|s| s.name).collect();
        names.sort();
        let count = names.len();
        names.dedup();
        assert_eq!(names.len(), count, "a variable is listed twice");
    }

    #[test]
    fn each_default_lies_in_its_range() {
        for setting in SETTINGS {
            if let Kind::Number(n) = setting.kind {
                assert!(n.min <= n.max, "{}: empty range", setting.name);
                assert!(
                    (n.min..=n.max).contains(&n.default),
                    "{}: default {} outside {}..={}",
                    setting.name,
                    n.default,
                    n.min,
                    n.max
                );
                assert!(n.max <= u64::from(u32::MAX), "{}: beyond u32", setting.name);
            }
        }
    }

    #[test]
    fn each_row_is_one_line_of_a_markdown_table_naming_only_variables_of_the_table() {
        for setting in SETTINGS {
            assert!(
                !setting.meaning.contains(['|', '\n']) && !setting.meaning.is_empty(),
                "{}: the meaning must be one line without `|`",
                setting.name
            );
            let other = match setting.kind {
                Kind::RequiredWith { with } => with,
                Kind::KeyId { of } => of,
                _ => continue,
            };
            assert!(
                SETTINGS.iter().any(|s| s.name == other),
                "{} names {other}, which the table lacks",
                setting.name
            );
        }
    }

    #[test]
    fn find_finds_by_name() {
        assert_eq!(find("SMS_MAX_ATTEMPTS").name, "SMS_MAX_ATTEMPTS");
        assert_eq!(find("JWT_KEYS").kind, Kind::KeyList);
    }
}
