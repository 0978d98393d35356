//! The route functions of `template.yaml`, written from the route table
//! ([`functions::ROUTES`]): for each route its function's description, package, environment,
//! IAM policy (exactly the table's calls, plus reading the platform's secret at cold start, in
//! the form [`crate::template::permissions::statements`] writes) and API event. They sit between two
//! marker lines; `rpctl template` rewrites what lies between them, and a test fails when the
//! committed template differs from what it would write.

use std::collections::BTreeSet;

use functions::routes::{Binary, Route};
use serde_json::Value;
use thiserror::Error;

use crate::template::permissions::{Grant, Target, statements};

/// The line before the route functions.
pub const BEGIN: &str = "  # ---------------------------------------------------------------- route functions\n  # Written by `rpctl template` from the route table (functions/src/routes.rs): change the\n  # table there and run it, never these lines.\n";
/// The line after them.
pub const END: &str =
    "  # ---------------------------------------------------------------- end of route functions\n";

/// The secret every function reads at cold start.
const SECRET: &str = "PlatformSecret";

#[derive(Debug, Error, PartialEq, Eq)]
pub enum RouteFunctionsError {
    #[error("{function}: {resource} is not a table, an index of one, or a queue of the template")]
    UnknownResource { function: String, resource: String },
    #[error("{function}: no actions on {resource}")]
    NoActions { function: String, resource: String },
    #[error("template.yaml: {0}")]
    Template(String),
    #[error(
        "the template has no route-function markers (the lines `{}` and `{}`)",
        BEGIN.lines().next().unwrap_or_default().trim(),
        END.trim()
    )]
    NoMarkers,
}

impl From<crate::template::TemplateError> for RouteFunctionsError {
    fn from(error: crate::template::TemplateError) -> Self {
        Self::Template(error.to_string())
    }
}

/// What a route may call, as grants on the template's resources (`document` is the template's
/// whole document, in which each resource is looked up).
pub fn grants(route: &Route, document: &Value) -> Result<BTreeSet<Grant>, RouteFunctionsError> {
    let mut grants = BTreeSet::from([Grant {
        action: "secretsmanager:GetSecretValue".to_owned(),
        target: Target::Secret(SECRET.to_owned()),
    }]);
    for calls in route.calls {
        let unknown = || RouteFunctionsError::UnknownResource {
            function: route.function.to_owned(),
            resource: calls.resource.to_owned(),
        };
        if calls.actions.is_empty() {
            return Err(RouteFunctionsError::NoActions {
                function: route.function.to_owned(),
                resource: calls.resource.to_owned(),
            });
        }
        let (logical_id, index) = match calls.resource.split_once("/index/") {
            Some((table, index)) => (table, Some(index)),
            None => (calls.resource, None),
        };
        let resource = &document["Resources"][logical_id];
        let (service, target) = match (resource["Type"].as_str(), index) {
            (Some("AWS::DynamoDB::Table"), None) => {
                ("dynamodb", Target::Table(logical_id.to_owned()))
            }
            (Some("AWS::DynamoDB::Table"), Some(index)) => {
                let indexes = ["GlobalSecondaryIndexes", "LocalSecondaryIndexes"]
                    .iter()
                    .filter_map(|kind| resource["Properties"][kind].as_array())
                    .flatten();
                if !indexes
                    .map(|i| &i["IndexName"])
                    .any(|name| name.as_str() == Some(index))
                {
                    return Err(unknown());
                }
                (
                    "dynamodb",
                    Target::Index {
                        table: logical_id.to_owned(),
                        index: index.to_owned(),
                    },
                )
            }
            (Some("AWS::SQS::Queue"), None) => ("sqs", Target::Queue(logical_id.to_owned())),
            (Some("AWS::KMS::Key"), None) => ("kms", Target::Key(logical_id.to_owned())),
            _ => return Err(unknown()),
        };
        for action in calls.actions {
            grants.insert(Grant {
                action: format!("{service}:{action}"),
                target: target.clone(),
            });
        }
    }
    Ok(grants)
}

/// `grants` as a route's `calls` in the route table (the secret left out: every function has
/// it), for a message that says what to write there.
pub fn calls_source(grants: &BTreeSet<Grant>) -> String {
    let mut by_resource: std::collections::BTreeMap<String, Vec<&str>> = Default::default();
    for grant in grants {
        let resource = match &grant.target {
            Target::Table(table) => table.clone(),
            Target::Index { table, index } => format!("{table}/index/{index}"),
            Target::Queue(queue) => queue.clone(),
            Target::Key(key) => key.clone(),
            _ => continue,
        };
        let action = grant
            .action
            .split_once(':')
            .map_or(grant.action.as_str(), |(_, action)| action);
        by_resource.entry(resource).or_default().push(action);
    }
    let mut source = String::from("        calls: &[\n");
    for (resource, actions) in by_resource {
        let actions: Vec<String> = actions.iter().map(|a| format!("\"{a}\"")).collect();
        source.push_str(&format!(
            "            on(\"{resource}\", &[{}]),\n",
            actions.join(", ")
        ));
    }
    source.push_str("        ],\n");
    source
}

/// One route's function, as the template writes it (ending with a blank line).
pub fn render(route: &Route, document: &Value) -> Result<String, RouteFunctionsError> {
    let mut yaml = format!(
        "  {}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Description: {}\n",
        route.logical_id(),
        scalar(
            &format!("{} {} — {}", route.method, route.path, route.summary),
            false
        ),
    );
    let mut environment: Vec<(&str, &str)> = vec![("PLATFORM_FUNCTION", route.function)];
    if route.binary == Binary::Pdf {
        yaml.push_str(
            "      # The package with the font beside the binary (make lambdas); read on the first render.\n      CodeUri: build/lambda/platform-pdf/\n",
        );
        environment.push(("RECEIPT_FONT_FILE", "fonts/wqy-microhei.ttc"));
    }
    environment.extend(route.environment.iter().copied());
    if environment.len() == 1 {
        yaml.push_str(&format!(
            "      Environment: {{ Variables: {{ PLATFORM_FUNCTION: {} }} }}\n",
            route.function
        ));
    } else {
        yaml.push_str("      Environment:\n        Variables:\n");
        for (name, value) in environment {
            yaml.push_str(&format!("          {name}: {value}\n"));
        }
    }
    if route.binary == Binary::Pdf {
        yaml.push_str(
            "      # Rendering is CPU-bound: Lambda gives CPU in proportion to memory.\n      MemorySize: 1024\n",
        );
    }
    yaml.push_str(&statements(&grants(route, document)?));
    let event = |name: &str, method: &str| {
        format!(
            "        {name}:\n          Type: HttpApi\n          Properties: {{ ApiId: !Ref Api, Path: {}, Method: {method} }}\n",
            scalar(route.path, true)
        )
    };
    yaml.push_str("      Events:\n");
    yaml.push_str(&event("Api", route.method));
    // HEAD is routed to the GET's function (API Gateway matches methods exactly); the function
    // answers it with the GET's headers and no body.
    if route.method == "GET" {
        yaml.push_str(&event("Head", "HEAD"));
    }
    yaml.push('\n');
    Ok(yaml)
}

/// Every route's function, between the markers.
pub fn render_all(routes: &[Route], document: &Value) -> Result<String, RouteFunctionsError> {
    let mut yaml = String::from(BEGIN);
    for route in routes {
        yaml.push_str(&render(route, document)?);
    }
    yaml.push_str(END);
    Ok(yaml)
}

/// `template` (its text) with the route functions rewritten from `routes`.
pub fn rewrite(template: &str, routes: &[Route]) -> Result<String, RouteFunctionsError> {
    let start = template.find(BEGIN).ok_or(RouteFunctionsError::NoMarkers)?;
    let end = template[start..]
        .find(END)
        .map(|i| start + i + END.len())
        .ok_or(RouteFunctionsError::NoMarkers)?;
    let document = crate::template::Template::parse(template)?.document;
    Ok(format!(
        "{}{}{}",
        &template[..start],
        render_all(routes, &document)?,
        &template[end..]
    ))
}

/// A plain YAML scalar, or a double-quoted one where plain would mean something else (in a
/// flow mapping, `{ … }`, also where it holds a bracket or a comma).
fn scalar(text: &str, in_flow: bool) -> String {
    let needs_quotes = text.contains(": ")
        || text.contains(" #")
        || (in_flow && text.contains(|c: char| "{}[],".contains(c)))
        || text.starts_with(|c: char| "[]{}&*!|>'\"%@`#,?:-".contains(c));
    if needs_quotes {
        format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_template_has_the_route_functions_the_table_writes() {
        let path = crate::template::repo_root().join("template.yaml");
        let committed = std::fs::read_to_string(&path).expect("template.yaml reads");
        let written = rewrite(&committed, functions::ROUTES).expect("the route table renders");
        if written != committed {
            let line = committed
                .lines()
                .zip(written.lines())
                .position(|(a, b)| a != b)
                .map_or(0, |i| i + 1);
            panic!(
                "template.yaml's route functions differ from the route table (functions/src/routes.rs) from line {line}: run `make template` (rpctl template) and commit the result"
            );
        }
    }

    #[test]
    fn every_route_calls_only_what_the_template_has() {
        let template = crate::template::Template::load_default().expect("template.yaml loads");
        for route in functions::ROUTES {
            grants(route, &template.document).unwrap_or_else(|e| panic!("{e}"));
        }
    }

    #[test]
    fn a_route_s_calls_written_back_as_source_are_its_calls() {
        let template = crate::template::Template::load_default().expect("template.yaml loads");
        let route = functions::routes::route("create-sms-code").expect("create-sms-code");
        let source = calls_source(&grants(route, &template.document).unwrap());
        for calls in route.calls {
            let actions: Vec<String> = calls.actions.iter().map(|a| format!("\"{a}\"")).collect();
            let line = format!("on(\"{}\", &[{}]),", calls.resource, actions.join(", "));
            assert!(source.contains(&line), "{line} in {source}");
        }
        assert!(!source.contains("PlatformSecret"), "{source}");
    }

    #[test]
    fn an_unknown_resource_or_index_is_refused() {
        let template = crate::template::Template::load_default().expect("template.yaml loads");
        let mut route = *functions::routes::route("get-me").expect("get-me");
        for resource in [
            "NoSuchTable",
            "AccountsTable/index/no_such_index",
            "PlatformSecret",
        ] {
            let calls = [functions::routes::on(resource, &["GetItem"])];
            route.calls = Box::leak(Box::new(calls));
            assert_eq!(
                grants(&route, &template.document),
                Err(RouteFunctionsError::UnknownResource {
                    function: "get-me".into(),
                    resource: resource.into()
                })
            );
        }
    }

    #[test]
    fn descriptions_and_paths_are_quoted_only_when_yaml_needs_it() {
        let description = "GET /v1/buildings/{building_id}/houses — a building's houses";
        assert_eq!(scalar(description, false), description);
        assert_eq!(scalar("/v1/me", true), "/v1/me");
        assert_eq!(
            scalar("/v1/buildings/{building_id}/houses", true),
            "\"/v1/buildings/{building_id}/houses\""
        );
        assert_eq!(scalar("a: b", false), "\"a: b\"");
        assert_eq!(scalar("say \"hi\": now", false), "\"say \\\"hi\\\": now\"");
    }
}
