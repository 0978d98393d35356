//! The environment the functions get locally: `template.yaml`'s variables with `!Ref`s to tables
//! resolved to the local table names, parameters to their defaults, and the secrets to local-only
//! development values. Any variable can be overridden from the caller's environment.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use shared::config::{AppConfig, ConfigError};

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

fn resolve(template: &Template, value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("Ref") {
                if template.table(target).is_some() {
                    return Some(target.clone());
                }
                return template
                    .parameters
                    .get(target)
                    .and_then(|d| resolve(template, d));
            }
            if let Some(Value::String(text)) = map.get("Fn::Sub") {
                // Only the secret references are substituted locally.
                let key = text
                    .strip_prefix("{{resolve:secretsmanager:")?
                    .strip_suffix("}}")?
                    .rsplit(':')
                    .next()?;
                return local_secret(key).map(str::to_owned);
            }
            None
        }
        _ => None,
    }
}

/// The variables of one function (global ones, then its own), resolved for the local stack.
pub fn variables(
    template: &Template,
    function_env: &Map<String, Value>,
) -> BTreeMap<String, String> {
    template
        .global_environment
        .iter()
        .chain(function_env.iter())
        .filter_map(|(name, value)| resolve(template, value).map(|v| (name.clone(), v)))
        .collect()
}

/// The configuration a function gets locally; `overrides` (the caller's environment, or a test's
/// settings) win over the template.
pub fn config(
    template: &Template,
    function_env: &Map<String, Value>,
    overrides: &dyn Fn(&str) -> Option<String>,
) -> Result<AppConfig, ConfigError> {
    let vars = variables(template, function_env);
    AppConfig::from_lookup(|name| overrides(name).or_else(|| vars.get(name).cloned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_real_template_resolves_to_a_complete_configuration() {
        let template = Template::load_default().unwrap();
        let config = config(&template, &Map::new(), &|_| None).unwrap();
        assert_eq!(config.tables.accounts, "AccountsTable");
        assert_eq!(config.sms.signature, "深圳居住登记");
        assert_eq!(config.jwt.active, "local");
        let overridden = super::config(&template, &Map::new(), &|n| {
            (n == "SMS_CODE_TTL_SECONDS").then(|| "2".into())
        })
        .unwrap();
        assert_eq!(overridden.sms.code_ttl.as_secs(), 2);
    }
}
