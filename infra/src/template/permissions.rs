//! The IAM grants of `template.yaml`'s functions and the grants their calls need.
//!
//! A function's `Policies` must be explicit statements: SAM's policy templates grant more than a
//! function uses (`DynamoDBCrudPolicy` and `DynamoDBReadPolicy` include `Scan` and every index). [`granted`] reads them into
//! [`Grant`]s; [`needed`] turns the local stack's record of a function's calls
//! ([`shared::operation_counts::Access`]) and what Lambda itself does for it (reading its secret at
//! cold start, polling its queues) into the same form. `tests/e2e/least_privilege.rs` holds one
//! against the other; [`statements`] writes the YAML a function's policy should have.

use std::collections::BTreeSet;
use std::fmt;

use serde_json::Value;
use shared::operation_counts::{Access, Resource};
use thiserror::Error;

use crate::template::{FunctionDef, Template};

/// What a grant is on, by the template's logical ids.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    Table(String),
    Index {
        table: String,
        index: String,
    },
    Queue(String),
    /// The platform's secret (`SECRETS_ID`).
    Secret(String),
    /// SMS published straight to phone numbers: every SNS resource excluded (`NotResource`).
    PhoneNumbers,
    /// An EventBridge bus.
    EventBus(String),
    /// A table's stream.
    Stream(String),
    /// A KMS key (the document signing key).
    Key(String),
}

/// One action allowed on one target.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Grant {
    pub action: String,
    pub target: Target,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum PolicyError {
    #[error(
        "{function}: policy {index} is not an explicit `Statement` list (SAM policy templates grant more than a function uses)"
    )]
    NotExplicit { function: String, index: usize },
    #[error("{function}: statement {index}: {problem}")]
    Statement {
        function: String,
        index: usize,
        problem: String,
    },
    #[error("{function} made a call this check does not know: {action} on {resource}")]
    UnknownCall {
        function: String,
        action: String,
        resource: String,
    },
}

/// The SNS resources `NotResource` must exclude for a publish to phone numbers only.
pub const ALL_SNS_RESOURCES: &str = "arn:${AWS::Partition}:sns:*:*:*";

/// What Lambda's SQS event source does with the function's role.
const QUEUE_POLLING: [&str; 4] = [
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueAttributes",
];

/// What Lambda's DynamoDB stream event source does with the function's role.
const STREAM_POLLING: [&str; 4] = [
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:ListStreams",
];

/// The grants of `function`'s `Policies`.
pub fn granted(function: &FunctionDef) -> Result<BTreeSet<Grant>, PolicyError> {
    let mut grants = BTreeSet::new();
    for (index, policy) in function.policies.iter().enumerate() {
        let statements = policy
            .get("Statement")
            .and_then(Value::as_array)
            .filter(|_| policy.as_object().is_some_and(|p| p.len() == 1))
            .ok_or_else(|| PolicyError::NotExplicit {
                function: function.logical_id.clone(),
                index,
            })?;
        for (index, statement) in statements.iter().enumerate() {
            let problem = |problem: String| PolicyError::Statement {
                function: function.logical_id.clone(),
                index,
                problem,
            };
            if statement["Effect"] != "Allow" {
                return Err(problem("only Allow statements are expected".into()));
            }
            let actions = strings(&statement["Action"])
                .ok_or_else(|| problem("Action must be a name or a list of names".into()))?;
            if let Some(action) = actions.iter().find(|a| a.contains('*')) {
                return Err(problem(format!("no wildcard actions ({action})")));
            }
            let targets: Vec<Target> = match (&statement["Resource"], &statement["NotResource"]) {
                (Value::Null, not) if not["Fn::Sub"] == ALL_SNS_RESOURCES => {
                    vec![Target::PhoneNumbers]
                }
                (Value::Null, _) => {
                    return Err(problem(format!(
                        "NotResource is only for SMS to phone numbers: !Sub \"{ALL_SNS_RESOURCES}\""
                    )));
                }
                (resources, Value::Null) => one_or_many(resources)
                    .iter()
                    .map(|r| target(r).ok_or_else(|| problem(format!("unknown resource {r}"))))
                    .collect::<Result<_, _>>()?,
                _ => return Err(problem("Resource or NotResource, not both".into())),
            };
            for action in &actions {
                for target in &targets {
                    grants.insert(Grant {
                        action: action.clone(),
                        target: target.clone(),
                    });
                }
            }
        }
    }
    Ok(grants)
}

/// What `function` needs: the calls recorded under its name in `accesses` (by their local
/// names: tables are named by their logical ids, queues by [`crate::local::env::queue_url`]),
/// its secret if it reads one, and the polling of its queues. A call to a resource the template
/// does not define is an error: the caller leaves out the local stand-ins' own tables.
pub fn needed<'a>(
    template: &Template,
    function: &FunctionDef,
    accesses: impl IntoIterator<Item = &'a Access>,
) -> Result<BTreeSet<Grant>, PolicyError> {
    let mut grants = BTreeSet::new();
    for access in accesses.into_iter().filter(|a| a.function == function.name) {
        let unknown = || PolicyError::UnknownCall {
            function: function.logical_id.clone(),
            action: access.action.clone(),
            resource: format!("{:?}", access.resource),
        };
        let target = match &access.resource {
            Resource::Table(name) if template.table(name).is_some() => Target::Table(name.clone()),
            Resource::Index { table, index } if template.table(table).is_some() => Target::Index {
                table: table.clone(),
                index: index.clone(),
            },
            Resource::Queue(url) => queue_of(template, url)
                .map(Target::Queue)
                .ok_or_else(unknown)?,
            Resource::PhoneNumber => Target::PhoneNumbers,
            Resource::EventBus(name) => local_resource(
                template
                    .resources_of("AWS::Events::EventBus")
                    .map(|(id, _)| id),
                name,
            )
            .map(Target::EventBus)
            .ok_or_else(unknown)?,
            // Locally a key is named by its alias: `alias/<logical id>[-<stack suffix>]`.
            Resource::Key(name) => local_resource(
                template.resources_of("AWS::KMS::Key").map(|(id, _)| id),
                name.strip_prefix("alias/").unwrap_or(name),
            )
            .map(Target::Key)
            .ok_or_else(unknown)?,
            _ => return Err(unknown()),
        };
        grants.insert(Grant {
            action: access.action.clone(),
            target,
        });
    }
    if let Some(secret) = secret_of(template, function) {
        grants.insert(Grant {
            action: "secretsmanager:GetSecretValue".into(),
            target: Target::Secret(secret),
        });
    }
    for queue in &function.queues {
        for action in QUEUE_POLLING {
            grants.insert(Grant {
                action: action.into(),
                target: Target::Queue(queue.clone()),
            });
        }
    }
    for source in &function.streams {
        for action in STREAM_POLLING {
            grants.insert(Grant {
                action: action.into(),
                target: Target::Stream(source.table.clone()),
            });
        }
        // The mapping sends a batch it gives up on to its destination with the function's role.
        if let Some(queue) =
            source.properties["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0]
                .as_str()
        {
            grants.insert(Grant {
                action: "sqs:SendMessage".into(),
                target: Target::Queue(queue.to_owned()),
            });
        }
    }
    Ok(grants)
}

/// The template queue a local queue URL is of.
fn queue_of(template: &Template, url: &str) -> Option<String> {
    let name = url.rsplit('/').next()?;
    local_resource(template.queues.iter().map(|q| q.logical_id.as_str()), name)
}

/// The logical id among `ids` a local name is of: the logical id, with a stack's suffix
/// (`-<hex>`) when stacks run side by side ([`crate::local::env::local_name`]).
fn local_resource<'a>(ids: impl IntoIterator<Item = &'a str>, name: &str) -> Option<String> {
    ids.into_iter()
        .find(|id| {
            name.strip_prefix(id).is_some_and(|rest| {
                rest.is_empty()
                    || rest
                        .strip_prefix('-')
                        .is_some_and(|hex| hex.chars().all(|c| c.is_ascii_hexdigit()))
            })
        })
        .map(str::to_owned)
}

/// The secret resource `SECRETS_ID: !Ref <secret>` names for `function` (its own variable, else
/// the global one).
fn secret_of(template: &Template, function: &FunctionDef) -> Option<String> {
    let variable = shared::config::SECRETS_ID;
    let value = function
        .environment
        .get(variable)
        .or_else(|| template.global_environment.get(variable))?;
    value["Ref"].as_str().map(str::to_owned)
}

/// The policy (SAM `Policies` YAML, indented for a function's properties) that grants exactly
/// `grants`: one statement per set of targets that share their actions.
pub fn statements(grants: &BTreeSet<Grant>) -> String {
    let mut by_target: std::collections::BTreeMap<&Target, BTreeSet<&str>> = Default::default();
    for grant in grants {
        by_target
            .entry(&grant.target)
            .or_default()
            .insert(&grant.action);
    }
    let mut by_actions: std::collections::BTreeMap<BTreeSet<&str>, Vec<&Target>> =
        Default::default();
    for (target, actions) in by_target {
        by_actions.entry(actions).or_default().push(target);
    }
    let mut yaml = String::from("      Policies:\n        - Statement:\n");
    for (actions, targets) in by_actions {
        let list = |items: Vec<String>| {
            if items.len() == 1 {
                items[0].clone()
            } else {
                format!("[{}]", items.join(", "))
            }
        };
        yaml.push_str("            - Effect: Allow\n");
        yaml.push_str(&format!(
            "              Action: {}\n",
            list(actions.iter().map(|a| a.to_string()).collect())
        ));
        if targets == [&Target::PhoneNumbers] {
            yaml.push_str(&format!(
                "              NotResource: !Sub \"{ALL_SNS_RESOURCES}\"\n"
            ));
        } else {
            yaml.push_str(&format!(
                "              Resource: {}\n",
                list(targets.iter().map(|t| t.to_string()).collect())
            ));
        }
    }
    yaml
}

impl fmt::Display for Target {
    /// As the template writes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Table(table) => write!(f, "!GetAtt {table}.Arn"),
            Target::Index { table, index } => write!(f, "!Sub \"${{{table}.Arn}}/index/{index}\""),
            Target::Queue(queue) => write!(f, "!GetAtt {queue}.Arn"),
            Target::Secret(secret) => write!(f, "!Ref {secret}"),
            Target::PhoneNumbers => write!(f, "(phone numbers)"),
            Target::EventBus(bus) => write!(f, "!GetAtt {bus}.Arn"),
            Target::Stream(table) => write!(f, "!GetAtt {table}.StreamArn"),
            Target::Key(key) => write!(f, "!GetAtt {key}.Arn"),
        }
    }
}

/// A resource as the template writes it: `!GetAtt X.Arn` (a table, a queue, a bus or a key),
/// `!GetAtt X.StreamArn` (a table's stream),
/// `!Sub "${X.Arn}/index/NAME"`, `!Ref SECRET`.
fn target(resource: &Value) -> Option<Target> {
    if let Some([logical_id, attribute]) = resource["Fn::GetAtt"].as_array().map(Vec::as_slice) {
        let logical_id = logical_id.as_str()?.to_owned();
        return match attribute.as_str()? {
            "StreamArn" if logical_id.ends_with("Table") => Some(Target::Stream(logical_id)),
            "Arn" if logical_id.ends_with("Table") => Some(Target::Table(logical_id)),
            "Arn" if logical_id.ends_with("Queue") => Some(Target::Queue(logical_id)),
            "Arn" if logical_id.ends_with("Bus") => Some(Target::EventBus(logical_id)),
            "Arn" if logical_id.ends_with("Key") => Some(Target::Key(logical_id)),
            _ => None,
        };
    }
    if let Some(text) = resource["Fn::Sub"].as_str() {
        let (table, index) = text.strip_prefix("${")?.split_once(".Arn}/index/")?;
        return Some(Target::Index {
            table: table.to_owned(),
            index: index.to_owned(),
        });
    }
    resource["Ref"]
        .as_str()
        .map(|secret| Target::Secret(secret.to_owned()))
}

fn one_or_many(value: &Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    }
}

fn strings(value: &Value) -> Option<Vec<String>> {
    one_or_many(value)
        .iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn function(policies: &str) -> FunctionDef {
        let template = Template::parse(&format!(
            r#"
Resources:
  AccountsTable:
    Type: AWS::DynamoDB::Table
    Properties: {{ KeySchema: [{{ AttributeName: pk, KeyType: HASH }}] }}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Environment: {{ Variables: {{ PLATFORM_FUNCTION: get-me }} }}
{policies}
"#
        ))
        .expect("parses");
        template.functions[0].clone()
    }

    fn grant_set<const N: usize>(pairs: [(&str, Target); N]) -> BTreeSet<Grant> {
        pairs
            .into_iter()
            .map(|(action, target)| Grant {
                action: action.into(),
                target,
            })
            .collect()
    }

    #[test]
    fn reads_explicit_statements_as_action_target_pairs() {
        let grants = granted(&function(
            r#"      Policies:
        - Statement:
            - Effect: Allow
              Action: [dynamodb:GetItem, dynamodb:Query]
              Resource: [!GetAtt AccountsTable.Arn, !Sub "${AccountsTable.Arn}/index/review_queue"]
            - Effect: Allow
              Action: sns:Publish
              NotResource: !Sub "arn:${AWS::Partition}:sns:*:*:*"
"#,
        ))
        .expect("explicit");
        let table = Target::Table("AccountsTable".into());
        let index = Target::Index {
            table: "AccountsTable".into(),
            index: "review_queue".into(),
        };
        let expected = grant_set([
            ("dynamodb:GetItem", table.clone()),
            ("dynamodb:Query", table),
            ("dynamodb:GetItem", index.clone()),
            ("dynamodb:Query", index),
            ("sns:Publish", Target::PhoneNumbers),
        ]);
        assert_eq!(grants, expected);
    }

    #[test]
    fn refuses_policy_templates_wildcards_and_unknown_resources() {
        let template = function(
            "      Policies:\n        - DynamoDBCrudPolicy: { TableName: !Ref AccountsTable }\n",
        );
        assert!(matches!(
            granted(&template),
            Err(PolicyError::NotExplicit { index: 0, .. })
        ));
        for statement in [
            "Action: dynamodb:*\n              Resource: !GetAtt AccountsTable.Arn",
            "Action: dynamodb:GetItem\n              Resource: \"*\"",
            "Action: sns:Publish\n              NotResource: \"*\"",
        ] {
            let policies = format!(
                "      Policies:\n        - Statement:\n            - Effect: Allow\n              {statement}\n"
            );
            assert!(
                matches!(
                    granted(&function(&policies)),
                    Err(PolicyError::Statement { .. })
                ),
                "{statement}"
            );
        }
    }

    #[test]
    fn writes_the_statements_that_grant_exactly_what_is_needed() {
        let grants = grant_set([
            ("dynamodb:GetItem", Target::Table("AccountsTable".into())),
            ("dynamodb:PutItem", Target::Table("AccountsTable".into())),
            ("sns:Publish", Target::PhoneNumbers),
        ]);
        let yaml = statements(&grants);
        assert!(yaml.contains("Action: [dynamodb:GetItem, dynamodb:PutItem]\n              Resource: !GetAtt AccountsTable.Arn"), "{yaml}");
        let reread = granted(&function(&yaml)).expect("the written policy reads back");
        assert_eq!(reread, grants);
    }
}
