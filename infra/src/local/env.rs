//! The environment the functions get locally: `template.yaml`'s variables with `!Ref`s to tables
//! resolved to the local table names, `!Ref`s to queues to the local queue URLs, parameters to their defaults, and the secrets to local-only
//! development values. Any variable can be overridden from the caller's environment.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use shared::config::{AppConfig, ConfigError};
use shared::context::local::LocalEndpoints;

use crate::template::Template;

/// Development-only secrets: never used by a deployed stack, which reads Secrets Manager.
fn local_secret(key: &str) -> Option<&'static str> {
    match key {
        // base64 of "local-only-jwt-signing-key-not-for-production!"
        "jwt_keys" => {
            Some("local:bG9jYWwtb25seS1qd3Qtc2lnbmluZy1rZXktbm90LWZvci1wcm9kdWN0aW9uIQ==")
        }
        "jwt_active_kid" => Some("local"),
        // base64 of "local-only-data-hash-key-not-for-production!!"
        "data_hash_key" => Some("bG9jYWwtb25seS1kYXRhLWhhc2gta2V5LW5vdC1mb3ItcHJvZHVjdGlvbiEh"),
        _ => None,
    }
}

/// The local stand-in's SM2 document signing key (development only: a deployed stack signs in
/// KMS, whose key never leaves it). The same for every local stack, which publish it at start.
pub const LOCAL_DOCUMENT_SIGNING_KEY: &str =
    "6c6f63616c2d6f6e6c792d736d322d646f63756d656e742d7369676e696e6721";

/// Where a queue of the template is locally: the moto server's URL of the queue named after its
/// logical id (plus the stack's suffix). [`crate::local::queues`] creates them.
pub fn queue_url(endpoints: &LocalEndpoints, logical_id: &str) -> String {
    format!(
        "{}/{LOCAL_ACCOUNT}/{}",
        endpoints.sqs.trim_end_matches('/'),
        queue_name(endpoints, logical_id)
    )
}

/// The local name of a queue of the template.
pub fn queue_name(endpoints: &LocalEndpoints, logical_id: &str) -> String {
    local_name(endpoints, logical_id)
}

/// The local name of a resource of the template that stacks side by side keep apart (queues,
/// event buses, rules, archives): its logical id plus the stack's suffix.
pub fn local_name(endpoints: &LocalEndpoints, logical_id: &str) -> String {
    format!("{logical_id}{}", endpoints.queue_suffix)
}

/// The account id the moto server files resources under.
pub const LOCAL_ACCOUNT: &str = "123456789012";

/// A template value as the local stack sees it: literals as they are, `!Ref`s to tables, queues and
/// parameters resolved; `None` for what has no local meaning.
pub fn resolve(template: &Template, endpoints: &LocalEndpoints, value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("Ref") {
                if template.table(target).is_some() {
                    return Some(target.clone());
                }
                if template.queue(target).is_some() {
                    return Some(queue_url(endpoints, target));
                }
                if template.is_event_bus(target) {
                    return Some(local_name(endpoints, target));
                }
                return template
                    .parameters
                    .get(target)
                    .and_then(|d| resolve(template, endpoints, d));
            }
            None
        }
        _ => None,
    }
}

/// The variables of one function (global ones, then its own), resolved for the local stack.
/// `SECRETS_ID` (the Secrets Manager secret a deployed function reads at cold start) becomes the
/// local secrets themselves.
pub fn variables(
    template: &Template,
    function_env: &Map<String, Value>,
    endpoints: &LocalEndpoints,
) -> BTreeMap<String, String> {
    let mut vars = resolved(template, function_env, endpoints);
    // Online identity checks ask the local identity registry, the stand-in for the real-name
    // verification service (local only: the template never names it).
    vars.insert(
        "LOCAL_IDENTITY_REGISTRY_TABLE".to_owned(),
        crate::local::identity_registry::LOCAL_IDENTITY_REGISTRY.to_owned(),
    );
    // Documents are signed by the local stand-in for KMS's SM2 keys, with a development key.
    vars.insert(
        "LOCAL_DOCUMENT_SIGNING_KEY".to_owned(),
        LOCAL_DOCUMENT_SIGNING_KEY.to_owned(),
    );
    if vars.remove(shared::config::SECRETS_ID).is_some() {
        for (secret_key, var) in shared::config::SECRET_VARIABLES {
            if let Some(secret) = local_secret(secret_key) {
                vars.insert(var.to_owned(), secret.to_owned());
            }
        }
    }
    vars
}

/// The variables of one function exactly as the template gives them to the deployed function,
/// resolved for the local emulators, with `SECRETS_ID` naming `secret_id` (a secret holding
/// [`local_secret_json`] on the moto server): what the Lambda binary gets when the tests run it.
pub fn deployed_variables(
    template: &Template,
    function_env: &Map<String, Value>,
    endpoints: &LocalEndpoints,
    secret_id: &str,
) -> BTreeMap<String, String> {
    let mut vars = resolved(template, function_env, endpoints);
    vars.insert(shared::config::SECRETS_ID.to_owned(), secret_id.to_owned());
    vars
}

/// The development secrets as the deployed stack's secret holds them (one JSON object).
pub fn local_secret_json() -> Value {
    Value::Object(
        shared::config::SECRET_VARIABLES
            .iter()
            .filter_map(|(key, _)| local_secret(key).map(|v| ((*key).to_owned(), v.into())))
            .collect(),
    )
}

/// The template's variables of a function (global ones, then its own) that have a local value.
fn resolved(
    template: &Template,
    function_env: &Map<String, Value>,
    endpoints: &LocalEndpoints,
) -> BTreeMap<String, String> {
    template
        .global_environment
        .iter()
        .chain(function_env.iter())
        .filter_map(|(name, value)| {
            let resolved = match name == shared::config::SECRETS_ID {
                true => Some(String::new()),
                false => resolve(template, endpoints, value),
            };
            resolved.map(|v| (name.clone(), v))
        })
        .collect()
}

/// The configuration a function gets locally; `overrides` (the caller's environment, or a test's
/// settings) win over the template.
pub fn config(
    template: &Template,
    function_env: &Map<String, Value>,
    endpoints: &LocalEndpoints,
    overrides: &dyn Fn(&str) -> Option<String>,
) -> Result<AppConfig, ConfigError> {
    let vars = variables(template, function_env, endpoints);
    AppConfig::from_lookup(|name| overrides(name).or_else(|| vars.get(name).cloned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoints() -> LocalEndpoints {
        LocalEndpoints {
            dynamodb: "http://127.0.0.1:8000".into(),
            sns: "http://127.0.0.1:5000".into(),
            sqs: "http://127.0.0.1:5000".into(),
            events: "http://127.0.0.1:5000".into(),
            kms: "http://127.0.0.1:5000".into(),
            region: "ap-east-1".into(),
            queue_suffix: "-t1".into(),
            counter: None,
        }
    }

    #[test]
    fn the_real_template_resolves_to_a_complete_configuration() {
        let template = Template::load_default().unwrap();
        let endpoints = endpoints();
        let config = config(&template, &Map::new(), &endpoints, &|_| None).unwrap();
        assert_eq!(config.tables.accounts, "AccountsTable");
        assert_eq!(
            config.sms.queue_url,
            "http://127.0.0.1:5000/123456789012/SmsQueue-t1"
        );
        assert_eq!(config.sms.signature, "深圳居住登记");
        assert_eq!(config.jwt.active, "local");
        let overridden = super::config(&template, &Map::new(), &endpoints, &|n| {
            (n == "SMS_CODE_TTL_SECONDS").then(|| "2".into())
        })
        .unwrap();
        assert_eq!(overridden.sms.code_ttl.as_secs(), 2);
    }

    /// A template value as the settings table writes it (`!Ref X`, or the literal).
    /// A template value in YAML's short form, as the settings table writes it.
    fn written(value: &Value) -> String {
        let Some((function, argument)) = value
            .as_object()
            .and_then(|map| (map.len() == 1).then(|| map.iter().next()).flatten())
        else {
            return value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned);
        };
        let tag = function.strip_prefix("Fn::").unwrap_or(function);
        match (tag, argument) {
            ("GetAtt", Value::Array(parts)) => format!(
                "!GetAtt {}",
                parts.iter().map(written).collect::<Vec<_>>().join(".")
            ),
            (_, Value::Array(items)) => {
                let item = |v: &Value| match v.as_str() {
                    Some(text) if !text.chars().all(|c| c.is_ascii_alphanumeric()) => {
                        format!("\"{text}\"")
                    }
                    _ => written(v),
                };
                format!(
                    "!{tag} [{}]",
                    items.iter().map(item).collect::<Vec<_>>().join(", ")
                )
            }
            (_, argument) => format!("!{tag} {}", written(argument)),
        }
    }

    /// Every variable `template.yaml` sets is a row of the settings table
    /// (`shared/src/config/settings.rs`) or a variable read elsewhere, set where the row says
    /// (`Globals` or the named functions) to the value it says; each row the template should set,
    /// it sets; a parameter that sets a row has the row's default and range; and what the table
    /// calls the local stack's, the local stack sets.
    #[test]
    fn the_template_sets_each_variable_where_the_settings_table_says() {
        use shared::config::docs::READ_ELSEWHERE;
        use shared::config::settings::{Kind, SETTINGS, SetBy};

        let template = Template::load_default().unwrap();
        let elsewhere = |name: &str| READ_ELSEWHERE.iter().any(|r| r.names.contains(&name));
        let row = |name: &str| {
            SETTINGS.iter().find(|s| s.name == name).unwrap_or_else(|| {
                panic!("template.yaml sets {name}, which the settings table lacks")
            })
        };
        for (name, value) in &template.global_environment {
            if elsewhere(name) {
                continue;
            }
            match row(name).set_by {
                SetBy::Globals { value: said } => assert_eq!(written(value), said, "{name}"),
                other => panic!("Globals sets {name}; the settings table says {other:?}"),
            }
        }
        for function in &template.functions {
            for (name, value) in &function.environment {
                if elsewhere(name) {
                    continue;
                }
                match row(name).set_by {
                    SetBy::Functions {
                        functions,
                        value: said,
                    } if functions.contains(&function.name.as_str()) => {
                        assert_eq!(written(value), said, "{name} of {}", function.name)
                    }
                    other => panic!(
                        "{} sets {name}; the settings table says {other:?}",
                        function.name
                    ),
                }
            }
        }
        let local = variables(&template, &Map::new(), &endpoints());
        for setting in SETTINGS {
            let name = setting.name;
            let mut setting_it: Vec<&str> = template
                .functions
                .iter()
                .filter(|f| f.environment.contains_key(name))
                .map(|f| f.name.as_str())
                .collect();
            setting_it.sort();
            let in_globals = template.global_environment.contains_key(name);
            let value = match setting.set_by {
                SetBy::Globals { value } => {
                    assert!(in_globals, "the table says Globals set {name}");
                    Some(value)
                }
                SetBy::Functions { functions, value } => {
                    let mut said = functions.to_vec();
                    said.sort();
                    assert_eq!(setting_it, said, "the functions that set {name}");
                    Some(value)
                }
                SetBy::Secret { .. } | SetBy::Unset | SetBy::LocalStack => {
                    assert!(
                        !in_globals && setting_it.is_empty(),
                        "the template sets {name}, which the table says it does not"
                    );
                    None
                }
            };
            if setting.set_by == SetBy::LocalStack {
                assert!(local.contains_key(name), "the local stack sets {name}");
            }
            let Some(parameter) = value
                .and_then(|v| v.strip_prefix("!Ref "))
                .and_then(|p| template.document["Parameters"].get(p))
            else {
                continue;
            };
            let default = &parameter["Default"];
            match setting.kind {
                Kind::Number(number) => {
                    assert_eq!(default.as_u64(), Some(number.default), "{name}'s default");
                    assert_eq!(parameter["MinValue"].as_u64(), Some(number.min), "{name}");
                    assert_eq!(parameter["MaxValue"].as_u64(), Some(number.max), "{name}");
                }
                Kind::Text { default: said } | Kind::BaseUrl { default: said } => {
                    assert_eq!(default.as_str(), Some(said), "{name}'s default")
                }
                _ => {}
            }
        }
    }
}
