//! `docs/configuration.md`, rendered from the settings table ([`super::settings::SETTINGS`]) with
//! the prose around it. The test below fails when the committed file differs from [`markdown`],
//! and writes it when `UPDATE_DOCS=1` is set.

use super::settings::{Kind, Number, SETTINGS, SetBy, Setting, Unit};

/// A variable read outside the configuration (a hand-kept row of the documentation).
#[derive(Debug, Clone, Copy)]
pub struct ReadElsewhere {
    pub names: &'static [&'static str],
    /// Where it is read.
    pub read_by: &'static str,
    pub meaning: &'static str,
    /// Where the deployment sets it (Markdown).
    pub set_by: &'static str,
}

/// The functions' variables that the configuration does not read.
pub const READ_ELSEWHERE: &[ReadElsewhere] = &[
    ReadElsewhere {
        names: &["PLATFORM_FUNCTION"],
        read_by: "`functions/src/lambda.rs`",
        meaning: "the operation, worker or job this function runs; a binary started with a name it does not run logs one line and exits non-zero",
        set_by: "F: every function",
    },
    ReadElsewhere {
        names: &["RECEIPT_FONT_FILE"],
        read_by: "`receipt-pdf/src/font.rs`",
        meaning: "the font file the PDF functions map, relative to the package (`fonts/wqy-microhei.ttc`); unset, the workspace copy found at build time",
        set_by: "F: get-registration-receipt, get-permit-card",
    },
    ReadElsewhere {
        names: &["RUST_LOG", "AWS_LAMBDA_LOG_FORMAT"],
        read_by: "`shared/src/runtime.rs` (`lambda_http`'s subscriber)",
        meaning: "log level (template parameter `LogLevel`, default `info`) and JSON logs",
        set_by: "G: `!Ref LogLevel`, `JSON`",
    },
    ReadElsewhere {
        names: &["AWS_REGION"],
        read_by: "`shared/src/context.rs`",
        meaning: "set by Lambda, with the credentials; in Lambda only the environment's region and credentials are used",
        set_by: "Lambda",
    },
    ReadElsewhere {
        names: &["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_<SERVICE>"],
        read_by: "`shared/src/context.rs`",
        meaning: "endpoint overrides (the tests start the binaries on the emulators)",
        set_by: "never deployed",
    },
];

const HEADER: &str = "\
# Configuration: the functions' environment

> Generated from the settings table in `shared/src/config/settings.rs` by
> `shared/src/config/docs.rs`: do not edit by hand. After changing either, regenerate it with
> `UPDATE_DOCS=1 cargo test --workspace --lib configuration_md` (without `UPDATE_DOCS`, that test
> fails when this file differs from what it would write).
";

const INTRODUCTION: &str = "\
The functions read their configuration once per cold start (`shared/src/config/`), from the
environment that `template.yaml` sets and, for the secrets, from the stack's Secrets Manager
secret. The local stack sets the same variables from the template's `Globals`
(`infra/src/local/env.rs`), and any of them can be overridden for `make run` from the shell, e.g.
`SMS_HOURLY_LIMIT_PER_IP=1000 make run`.

Every number is checked at start-up: a value that is not a whole number, or lies outside its range,
fails the cold start with one line naming the variable and the range
(`environment variable ACCESS_TOKEN_TTL_SECONDS is invalid: must be a whole number from 60 to 900`).
Nothing is truncated or silently clamped; a default is held to the range too
([decision 0036](decisions/0036-settings-checked-at-start-secrets-in-secrets-manager.md)).

Where a value comes from in the deployment: **G** the template's `Globals` (every function), **F**
set on the named functions only, **S** the secret, with the template's value or the secret's key;
**—** not set by the template (the default applies); **L** set by the local stack only.
";

const SETTINGS_HEADING: &str = "\
## Settings read by `config`

In the order of the settings table (`shared/src/config/settings.rs`); the parser reads each one
through its row, so the ranges and defaults here are the ones it applies.
";

const SECRET: &str = "\
The secret's keys are read once per cold start with `secretsmanager:GetSecretValue` from
`PlatformSecret` (named by the `SecretsName` parameter, encrypted with the stack's KMS key) and are
never copied into the functions' environment, where `GetFunctionConfiguration` would show them. A
variable set in the environment wins over the secret (the local stack sets them directly). Filling
and rotating the secret: [deploy.md](deploy.md), \"Secrets\".
";

const ELSEWHERE_HEADING: &str = "## Read elsewhere\n";

const BUILD_TIME: &str = "\
Build time: `RECEIPT_FONT` (`receipt-pdf/build.rs`) overrides where the font is found
(default `assets/fonts/wqy-microhei.ttc`); `AWS_LC_SYS_NO_JITTER_ENTROPY=1` is set in
`.cargo/config.toml`. The local stack's own variables (`API_PORT`, `DYNAMODB_PORT`, `SNS_PORT`,
`LOCAL_STAFF_PASSWORD`, `RP_CACHE_DIR`) are in the [README](../README.md); `rpctl`'s in
[operations.md](operations.md).
";

const PARAMETERS: &str = "\
## Template parameters

The deployment's parameters (`Architecture`, `SecretsName`, `PublicBaseUrl`, `SmsSignature`,
`SmsDeliveryAttempts`, `SmsSenderConcurrency`, `CarrierCheckUrl`, `FaceCheckUrl`, `LogLevel`,
`LogRetentionDays`, throttling, CORS, custom domain, alarms, events) are in
[deploy.md](deploy.md), \"Parameters\".
";

/// The whole of `docs/configuration.md`.
pub fn markdown() -> String {
    let mut out = String::new();
    for part in [HEADER, INTRODUCTION, SETTINGS_HEADING] {
        out.push_str(part);
        out.push('\n');
    }
    out.push_str("| variable | meaning | default | accepted | set by |\n");
    out.push_str("|---|---|---|---|---|\n");
    for setting in SETTINGS {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            setting.name,
            setting.meaning,
            default(setting),
            accepted(setting),
            set_by(setting.set_by),
        ));
    }
    out.push('\n');
    for part in [SECRET, ELSEWHERE_HEADING] {
        out.push_str(part);
        out.push('\n');
    }
    out.push_str("| variable | read by | meaning | set by |\n");
    out.push_str("|---|---|---|---|\n");
    for row in READ_ELSEWHERE {
        let names: Vec<String> = row.names.iter().map(|n| format!("`{n}`")).collect();
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            names.join(", "),
            row.read_by,
            row.meaning,
            row.set_by
        ));
    }
    out.push('\n');
    out.push_str(BUILD_TIME);
    out.push('\n');
    out.push_str(PARAMETERS);
    out
}

/// What applies when the variable is unset.
fn default(setting: &Setting) -> String {
    match setting.kind {
        Kind::Required | Kind::KeyList | Kind::Key | Kind::KeyId { .. } => "**required**".into(),
        Kind::Text { default } | Kind::BaseUrl { default } => format!("`{default}`"),
        Kind::Optional { unset } => unset.into(),
        Kind::RequiredWith { with } => format!("required when `{with}` is set"),
        Kind::Number(number) => quantity(number.default, number.unit),
        Kind::HttpsUrl => "unset: not configured".into(),
    }
}

/// What the variable accepts (any text when empty).
fn accepted(setting: &Setting) -> String {
    match setting.kind {
        Kind::Required | Kind::Text { .. } | Kind::Optional { .. } | Kind::RequiredWith { .. } => {
            String::new()
        }
        Kind::Number(Number { min, max, unit, .. }) => format!("{min}–{}", quantity(max, unit)),
        Kind::BaseUrl { .. } => {
            "an `http://` or `https://` URL with a host; trailing slashes dropped".into()
        }
        Kind::HttpsUrl => "an `https://` URL".into(),
        Kind::KeyList => {
            "`kid:base64key[,kid:base64key…]`; each key standard base64, at least 32 bytes".into()
        }
        Kind::Key => "standard base64, at least 32 bytes".into(),
        Kind::KeyId { of } => format!("a kid of `{of}`"),
    }
}

fn set_by(set_by: SetBy) -> String {
    match set_by {
        SetBy::Globals { value } => format!("G: `{value}`"),
        SetBy::Functions { functions, value } => {
            format!("F: {} (`{value}`)", functions.join(", "))
        }
        SetBy::Secret { key } => format!("S: `{key}`"),
        SetBy::Unset => "—".into(),
        SetBy::LocalStack => "L".into(),
    }
}

/// A number in its unit, with the larger unit it is a whole number of (`2592000 s (30 days)`),
/// or the name of `u32::MAX`.
fn quantity(value: u64, unit: Unit) -> String {
    const DAY: u64 = 24 * 3600;
    let plural = |n: u64, one: &str| match n {
        1 => format!("1 {one}"),
        n => format!("{n} {one}s"),
    };
    let note = match unit {
        Unit::Count if value == u64::from(u32::MAX) => Some("`u32::MAX`".to_owned()),
        Unit::Count => None,
        Unit::Seconds if value >= DAY && value.is_multiple_of(DAY) => {
            Some(plural(value / DAY, "day"))
        }
        Unit::Seconds if value >= 3600 && value.is_multiple_of(3600) => {
            Some(plural(value / 3600, "hour"))
        }
        Unit::Seconds if value >= 60 && value.is_multiple_of(60) => {
            Some(format!("{} min", value / 60))
        }
        Unit::Seconds => None,
        Unit::Milliseconds if value >= 1000 && value.is_multiple_of(1000) => {
            Some(format!("{} s", value / 1000))
        }
        Unit::Milliseconds => None,
    };
    let symbol = match unit {
        Unit::Count => "",
        Unit::Seconds => " s",
        Unit::Milliseconds => " ms",
    };
    match note {
        Some(note) => format!("{value}{symbol} ({note})"),
        None => format!("{value}{symbol}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configuration_md_is_the_rendered_settings_table() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/configuration.md");
        let rendered = markdown();
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(&path, &rendered).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != rendered {
            let line = committed
                .lines()
                .zip(rendered.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(committed.lines().count().min(rendered.lines().count()));
            panic!(
                "docs/configuration.md differs from the settings table (shared/src/config/settings.rs) \
                 from line {}:\n  committed: {}\n  rendered:  {}\n\
                 Regenerate it: UPDATE_DOCS=1 cargo test --workspace --lib configuration_md",
                line + 1,
                committed.lines().nth(line).unwrap_or("(end of file)"),
                rendered.lines().nth(line).unwrap_or("(end of file)"),
            );
        }
    }

    #[test]
    fn every_setting_is_a_row_of_the_document() {
        let text = markdown();
        for setting in SETTINGS {
            assert!(
                text.contains(&format!("| `{}` |", setting.name)),
                "{}",
                setting.name
            );
        }
        assert!(text.contains("| `ACCESS_TOKEN_TTL_SECONDS` | access token lifetime"));
        assert!(text.contains("| 900 s (15 min) | 60–900 s (15 min) | —"));
    }

    #[test]
    fn quantities_are_shown_in_their_unit_and_a_larger_one_when_whole() {
        assert_eq!(quantity(2_592_000, Unit::Seconds), "2592000 s (30 days)");
        assert_eq!(quantity(86_400, Unit::Seconds), "86400 s (1 day)");
        assert_eq!(quantity(7200, Unit::Seconds), "7200 s (2 hours)");
        assert_eq!(quantity(900, Unit::Seconds), "900 s (15 min)");
        assert_eq!(quantity(90, Unit::Seconds), "90 s");
        assert_eq!(quantity(6000, Unit::Milliseconds), "6000 ms (6 s)");
        assert_eq!(quantity(60, Unit::Count), "60");
        assert_eq!(
            quantity(4_294_967_295, Unit::Count),
            "4294967295 (`u32::MAX`)"
        );
    }
}
