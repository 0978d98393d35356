//! Reading `template.yaml`: the one place where functions, routes, tables and environment are
//! defined. The local stack derives everything it serves and creates from it.
//!
//! [`permissions`]: the IAM grants of the functions and what their calls need;
//! [`route_functions`]: the route functions `rpctl template` writes from the route table.

pub mod permissions;
pub mod route_functions;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum TemplateError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("template.yaml is not valid YAML: {0}")]
    Yaml(#[from] serde_norway::Error),
    #[error("template.yaml: {0}")]
    Shape(String),
}

/// An HTTP route of a function (an `HttpApi` event).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Route {
    pub method: String,
    pub path: String,
}

#[derive(Debug, Clone)]
pub struct FunctionDef {
    pub logical_id: String,
    /// Which operation, worker or job of the one Lambda binary it is (its `PLATFORM_FUNCTION`).
    pub name: String,
    pub routes: Vec<Route>,
    /// The queues (logical ids) whose messages the function handles (`SQS` events, or
    /// `AWS::Lambda::EventSourceMapping`s naming it).
    pub queues: Vec<String>,
    /// The table streams whose records it handles (`AWS::Lambda::EventSourceMapping`s naming it
    /// with `EventSourceArn: !GetAtt <table>.StreamArn`).
    pub streams: Vec<StreamSource>,
    /// The schedules that invoke it (`ScheduleV2` events' expressions).
    pub schedules: Vec<String>,
    /// Function-level environment variables (over the global ones).
    pub environment: Map<String, Value>,
    /// Where its package is (its `CodeUri`, else the global one), relative to the template.
    pub code_uri: Option<String>,
    /// Its `Policies`, intrinsic functions in their long JSON form (see [`crate::template::permissions`]).
    pub policies: Vec<Value>,
}

/// A table stream feeding a function: the table (logical id) and the mapping's properties
/// (`BatchSize`, `MaximumRetryAttempts`, `BisectBatchOnFunctionError`, `DestinationConfig`, …).
#[derive(Debug, Clone)]
pub struct StreamSource {
    pub table: String,
    pub properties: Value,
}

#[derive(Debug, Clone)]
pub struct TableDef {
    pub logical_id: String,
    pub properties: Value,
}

/// An SQS queue (`AWS::SQS::Queue`).
#[derive(Debug, Clone)]
pub struct QueueDef {
    pub logical_id: String,
    pub properties: Value,
}

#[derive(Debug, Clone)]
pub struct Template {
    pub functions: Vec<FunctionDef>,
    pub tables: Vec<TableDef>,
    pub queues: Vec<QueueDef>,
    /// `Globals.Function.Environment.Variables`, intrinsic functions in their long JSON form.
    pub global_environment: Map<String, Value>,
    /// Parameter defaults.
    pub parameters: BTreeMap<String, Value>,
    /// The whole document, intrinsic functions in their long JSON form.
    pub document: Value,
}

/// The repository's root (where `template.yaml` is), from this crate's location.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("infra/ has a parent")
        .to_path_buf()
}

impl Template {
    pub fn load_default() -> Result<Self, TemplateError> {
        Self::load(&repo_root().join("template.yaml"))
    }

    pub fn load(path: &Path) -> Result<Self, TemplateError> {
        let text = std::fs::read_to_string(path).map_err(|source| TemplateError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text)
    }

    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        let yaml: serde_norway::Value = serde_norway::from_str(text)?;
        let doc = to_json(yaml);
        let shape = |msg: &str| TemplateError::Shape(msg.to_owned());
        let resources = doc["Resources"]
            .as_object()
            .ok_or_else(|| shape("no Resources"))?;

        let mut functions = Vec::new();
        let mut tables = Vec::new();
        let mut queues = Vec::new();
        for (logical_id, resource) in resources {
            match resource["Type"].as_str() {
                Some("AWS::Serverless::Function") => {
                    let mut function = function_def(logical_id, resource)?;
                    if function.code_uri.is_none() {
                        function.code_uri = doc["Globals"]["Function"]["CodeUri"]
                            .as_str()
                            .map(str::to_owned);
                    }
                    functions.push(function)
                }
                Some("AWS::DynamoDB::Table") => tables.push(TableDef {
                    logical_id: logical_id.clone(),
                    properties: resource["Properties"].clone(),
                }),
                Some("AWS::SQS::Queue") => queues.push(QueueDef {
                    logical_id: logical_id.clone(),
                    properties: resource["Properties"].clone(),
                }),
                _ => {}
            }
        }
        // Queues and table streams polled through an explicit event source mapping
        // (`FunctionName: !Ref <function>`, `EventSourceArn: !GetAtt <queue>.Arn` or
        // `!GetAtt <table>.StreamArn`).
        for mapping in resources
            .values()
            .filter(|r| r["Type"] == "AWS::Lambda::EventSourceMapping")
        {
            let props = &mapping["Properties"];
            let source = &props["EventSourceArn"]["Fn::GetAtt"];
            let (Some(function), Some(resource), Some(attribute)) = (
                props["FunctionName"]["Ref"].as_str(),
                source[0].as_str(),
                source[1].as_str(),
            ) else {
                return Err(shape(
                    "an EventSourceMapping needs FunctionName: !Ref <function> and EventSourceArn: !GetAtt <queue>.Arn or <table>.StreamArn",
                ));
            };
            let Some(function) = functions.iter_mut().find(|f| f.logical_id == function) else {
                continue;
            };
            match attribute {
                "StreamArn" => function.streams.push(StreamSource {
                    table: resource.to_owned(),
                    properties: props.clone(),
                }),
                _ => function.queues.push(resource.to_owned()),
            }
        }
        let global_environment = doc["Globals"]["Function"]["Environment"]["Variables"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let parameters = doc["Parameters"]
            .as_object()
            .map(|params| {
                params
                    .iter()
                    .filter_map(|(name, p)| p.get("Default").map(|d| (name.clone(), d.clone())))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Self {
            functions,
            tables,
            queues,
            global_environment,
            parameters,
            document: doc,
        })
    }

    /// Every route of every function, sorted.
    pub fn routes(&self) -> Vec<(Route, String)> {
        let mut routes: Vec<(Route, String)> = self
            .functions
            .iter()
            .flat_map(|f| f.routes.iter().map(|r| (r.clone(), f.name.clone())))
            .collect();
        routes.sort();
        routes
    }

    /// The function whose `PLATFORM_FUNCTION` is `name`.
    pub fn function(&self, name: &str) -> Option<&FunctionDef> {
        self.functions.iter().find(|f| f.name == name)
    }

    pub fn table(&self, logical_id: &str) -> Option<&TableDef> {
        self.tables.iter().find(|t| t.logical_id == logical_id)
    }

    pub fn queue(&self, logical_id: &str) -> Option<&QueueDef> {
        self.queues.iter().find(|q| q.logical_id == logical_id)
    }

    /// The resources of a CloudFormation type (`AWS::Events::Rule`, …): logical id and
    /// properties.
    pub fn resources_of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = (&'a str, &'a Value)> {
        self.document["Resources"]
            .as_object()
            .into_iter()
            .flatten()
            .filter(move |(_, r)| r["Type"] == kind)
            .map(|(id, r)| (id.as_str(), &r["Properties"]))
    }

    /// Whether `logical_id` is an EventBridge bus of the template.
    pub fn is_event_bus(&self, logical_id: &str) -> bool {
        self.resources_of("AWS::Events::EventBus")
            .any(|(id, _)| id == logical_id)
    }
}

fn function_def(logical_id: &str, resource: &Value) -> Result<FunctionDef, TemplateError> {
    let name = resource["Properties"]["Environment"]["Variables"]["PLATFORM_FUNCTION"]
        .as_str()
        .ok_or_else(|| {
            TemplateError::Shape(format!(
                "{logical_id} has no Environment.Variables.PLATFORM_FUNCTION"
            ))
        })?
        .to_owned();
    let mut routes = Vec::new();
    let mut queues = Vec::new();
    let mut schedules = Vec::new();
    if let Some(events) = resource["Properties"]["Events"].as_object() {
        for (name, event) in events {
            let props = &event["Properties"];
            if event["Type"].as_str() == Some("ScheduleV2") {
                let expression = props["ScheduleExpression"].as_str().ok_or_else(|| {
                    TemplateError::Shape(format!("{logical_id}.{name} needs ScheduleExpression"))
                })?;
                schedules.push(expression.to_owned());
                continue;
            }
            if event["Type"].as_str() == Some("SQS") {
                // `Queue: !GetAtt SmsQueue.Arn`
                let queue = props["Queue"]["Fn::GetAtt"][0].as_str().ok_or_else(|| {
                    TemplateError::Shape(format!(
                        "{logical_id}.{name} needs Queue: !GetAtt <queue>.Arn"
                    ))
                })?;
                queues.push(queue.to_owned());
                continue;
            }
            if event["Type"].as_str() != Some("HttpApi") {
                continue;
            }
            let (Some(method), Some(path)) = (props["Method"].as_str(), props["Path"].as_str())
            else {
                return Err(TemplateError::Shape(format!(
                    "{logical_id}.{name} needs Method and Path"
                )));
            };
            routes.push(Route {
                method: method.to_ascii_uppercase(),
                path: path.to_owned(),
            });
        }
    }
    let environment = resource["Properties"]["Environment"]["Variables"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    Ok(FunctionDef {
        logical_id: logical_id.to_owned(),
        name,
        routes,
        queues,
        streams: Vec::new(),
        schedules,
        environment,
        code_uri: resource["Properties"]["CodeUri"]
            .as_str()
            .map(str::to_owned),
        policies: resource["Properties"]["Policies"]
            .as_array()
            .cloned()
            .unwrap_or_default(),
    })
}

/// YAML to JSON, with CloudFormation's short tags (`!Ref X`, `!Sub "…"`) in their long form
/// (`{"Ref": "X"}`, `{"Fn::Sub": "…"}`).
fn to_json(value: serde_norway::Value) -> Value {
    use serde_norway::Value as Y;
    match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => serde_json::to_value(&n).unwrap_or(Value::Null),
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(to_json).collect()),
        Y::Mapping(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let key = match k {
                        Y::String(s) => s,
                        other => serde_norway::to_string(&other)
                            .unwrap_or_default()
                            .trim()
                            .to_owned(),
                    };
                    (key, to_json(v))
                })
                .collect(),
        ),
        Y::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let name = tag.trim_start_matches('!');
            let key = if name == "Ref" || name == "Condition" {
                name.to_owned()
            } else {
                format!("Fn::{name}")
            };
            let mut inner = to_json(tagged.value);
            // `!GetAtt A.B` is `Fn::GetAtt: [A, B]`.
            if name == "GetAtt"
                && let Value::String(s) = &inner
                && let Some((a, b)) = s.split_once('.')
            {
                inner = Value::Array(vec![Value::String(a.into()), Value::String(b.into())]);
            }
            Value::Object(Map::from_iter([(key, inner)]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_functions_routes_tables_and_tags() {
        let t = Template::parse(
            r#"
Parameters:
  Sig: { Type: String, Default: 签名 }
Globals:
  Function:
    Environment:
      Variables:
        T: !Ref Tbl
        S: !Sub "x-${AWS::Region}"
Resources:
  Tbl:
    Type: AWS::DynamoDB::Table
    Properties: { KeySchema: [{ AttributeName: pk, KeyType: HASH }] }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Environment: { Variables: { PLATFORM_FUNCTION: get-me } }
      Events:
        A: { Type: HttpApi, Properties: { Path: /v1/me, Method: get } }
"#,
        )
        .unwrap();
        assert_eq!(t.functions[0].name, "get-me");
        assert_eq!(
            t.routes()[0].0,
            Route {
                method: "GET".into(),
                path: "/v1/me".into()
            }
        );
        assert_eq!(t.tables[0].logical_id, "Tbl");
        assert_eq!(t.global_environment["T"], serde_json::json!({"Ref": "Tbl"}));
        assert_eq!(
            t.global_environment["S"],
            serde_json::json!({"Fn::Sub": "x-${AWS::Region}"})
        );
        assert_eq!(t.parameters["Sig"], "签名");
    }

    #[test]
    fn a_function_without_its_name_is_an_error() {
        let err =
            Template::parse("Resources:\n  F:\n    Type: AWS::Serverless::Function\n").unwrap_err();
        assert!(err.to_string().contains("PLATFORM_FUNCTION"));
    }
}
