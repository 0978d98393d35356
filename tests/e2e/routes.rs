//! The template, the Lambda binary's functions, the operations the local API serves and the OpenAPI
//! document must agree route for route.

use std::collections::BTreeSet;

use e2e_tests::{Client, stack};
use infra::template::Template;
use reqwest::Method;

fn repo() -> std::path::PathBuf {
    infra::template::repo_root()
}

#[test]
fn template_functions_and_the_functions_crate_are_the_same_set() {
    let template = Template::load_default().unwrap();
    let in_template: BTreeSet<String> = template.functions.iter().map(|f| f.name.clone()).collect();
    let operations: BTreeSet<String> = functions::OPERATIONS
        .iter()
        .map(|op| op.name.to_owned())
        .chain(functions::WORKERS.iter().map(|w| w.name.to_owned()))
        .chain(functions::JOBS.iter().map(|j| j.name.to_owned()))
        .collect();
    assert_eq!(
        in_template, operations,
        "template.yaml's PLATFORM_FUNCTION values vs functions::OPERATIONS, WORKERS and JOBS"
    );
    assert_eq!(
        in_template.len(),
        template.functions.len(),
        "each function of template.yaml runs a different entry"
    );
    // Three binaries: the platform's (operations, queue workers, jobs), the PDF operations' and
    // the publisher's; each function's package is the one whose binary runs it.
    let binaries: BTreeSet<String> = std::fs::read_dir(repo().join("functions/src/bin"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "rs"))
        .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        binaries,
        BTreeSet::from(["platform", "pdf", "publisher"].map(str::to_owned))
    );
    for function in &template.functions {
        let name = function.name.as_str();
        let package = if functions::PDF_OPERATIONS.iter().any(|op| op.name == name) {
            "build/lambda/platform-pdf/"
        } else if functions::STREAM_WORKERS.iter().any(|w| w.name == name) {
            "build/lambda/publisher/"
        } else {
            "build/lambda/platform/"
        };
        assert_eq!(
            function.code_uri.as_deref(),
            Some(package),
            "{name}: CodeUri"
        );
    }
    // Workers have queues (queue workers) or table streams (stream workers) and no routes, jobs
    // schedules, operations routes only.
    for function in &template.functions {
        let name = &function.name;
        let worker = functions::worker(name).map(|w| w.handler);
        let is_worker = worker.is_some();
        let is_job = functions::job(name).is_some();
        assert_eq!(
            function.queues.is_empty(),
            !matches!(worker, Some(functions::WorkerHandler::Queue(_))),
            "{name}: queue events"
        );
        assert_eq!(
            function.streams.is_empty(),
            !matches!(worker, Some(functions::WorkerHandler::Stream(_))),
            "{name}: stream events"
        );
        assert_eq!(
            function.routes.is_empty(),
            is_worker || is_job,
            "{name}: routes"
        );
        assert_eq!(
            function.schedules.is_empty(),
            !is_job,
            "{name}: schedule events"
        );
    }
}

/// The sender gives up where the queue does: its `SMS_DELIVERY_ATTEMPTS` and the queue's
/// `maxReceiveCount` are one parameter, and the queue has a dead-letter queue.
#[test]
fn the_sms_sender_and_its_queue_agree_on_the_number_of_tries() {
    let template = Template::load_default().unwrap();
    let queue = template.queue("SmsQueue").expect("SmsQueue");
    let redrive = &queue.properties["RedrivePolicy"];
    assert_eq!(
        redrive["maxReceiveCount"],
        serde_json::json!({"Ref": "SmsDeliveryAttempts"})
    );
    assert_eq!(
        redrive["deadLetterTargetArn"]["Fn::GetAtt"][0],
        "SmsDeadLetterQueue"
    );
    let sender = template.function("send-sms").unwrap();
    assert_eq!(sender.queues, ["SmsQueue"]);
    assert_eq!(
        sender.environment["SMS_DELIVERY_ATTEMPTS"],
        serde_json::json!({"Ref": "SmsDeliveryAttempts"})
    );
    // No function but the sender may call SNS.
    let text = std::fs::read_to_string(repo().join("template.yaml")).unwrap();
    assert_eq!(
        text.matches("sns:Publish").count(),
        1,
        "only SendSmsFunction publishes"
    );
}

#[test]
fn every_template_route_is_in_the_openapi_document_and_nothing_else() {
    let template = Template::load_default().unwrap();
    type Routes = BTreeSet<(String, String)>;
    let (heads, in_template): (Routes, Routes) = template
        .routes()
        .into_iter()
        .map(|(r, _)| (r.method.to_lowercase(), r.path))
        .partition(|(method, _)| method == "head");
    // HEAD is routed wherever GET is, and nowhere else (the document describes the GETs).
    let gets: BTreeSet<(String, String)> = in_template
        .iter()
        .filter(|(method, _)| method == "get")
        .map(|(_, path)| ("head".to_owned(), path.clone()))
        .collect();
    assert_eq!(heads, gets, "a HEAD route beside every GET route");
    let doc = infra::local::api::openapi_document().unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                documented.insert((method.to_owned(), path.clone()));
            }
        }
    }
    assert_eq!(documented, in_template);
}

#[test]
fn no_request_path_scans_a_table() {
    // Every request path uses keys (GetItem, Query, conditional writes); a Scan reads the whole
    // table and would not survive a policy-rollout peak.
    for dir in ["functions/src", "shared/src"] {
        for entry in walk(&repo().join(dir)) {
            let source = std::fs::read_to_string(&entry).unwrap();
            assert!(
                !source.contains(".scan()"),
                "{} issues a Scan",
                entry.display()
            );
        }
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

#[tokio::test]
async fn the_local_api_serves_its_openapi_document() {
    let client = Client::new(stack());
    let answer = client.send(Method::GET, "/openapi.json", None, None).await;
    assert_eq!(answer.status, 200);
    assert!(answer.body["paths"]["/v1/accounts"]["post"].is_object());
}

/// The local identity registry is a stand-in the local stack configures: the template never
/// names it, and the deployed verification function asks the configured HTTPS services (the
/// carrier check and the face check).
#[test]
fn the_deployed_stack_never_uses_the_local_identity_registry() {
    let text = std::fs::read_to_string(repo().join("template.yaml")).unwrap();
    assert!(!text.contains("LOCAL_IDENTITY_REGISTRY"));
    assert!(!text.contains(infra::local::identity_registry::LOCAL_IDENTITY_REGISTRY));
    let template = Template::load_default().unwrap();
    let verifier = template.function("verify-identity").unwrap();
    for (variable, parameter, secret) in [
        (
            "CARRIER_CHECK_URL",
            "CarrierCheckUrl",
            "carrier_check_credential",
        ),
        ("FACE_CHECK_URL", "FaceCheckUrl", "face_check_credential"),
    ] {
        assert_eq!(
            verifier.environment[variable],
            serde_json::json!({"Ref": parameter})
        );
        assert!(
            shared::config::SECRET_VARIABLES
                .iter()
                .any(|(key, _)| *key == secret)
        );
    }
}

/// Every problem code the API can answer is in the document's `Problem.code` enum (schemathesis
/// found `NOT_ELIGIBLE` missing once).
#[test]
fn every_problem_code_is_documented() {
    use shared::error::{ApiError, FieldError};
    let doc = infra::local::api::openapi_document().unwrap();
    let documented: BTreeSet<String> =
        doc["components"]["schemas"]["Problem"]["properties"]["code"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_owned())
            .collect();
    let every = [
        ApiError::Validation(Vec::new()),
        ApiError::PayloadTooLarge,
        ApiError::UnsupportedMediaType,
        ApiError::Unauthenticated(""),
        ApiError::SessionReplaced,
        ApiError::SmsCodeRequired {
            phone_hint: String::new(),
            login_ticket: String::new(),
        },
        ApiError::SmsCodeInvalid,
        ApiError::Forbidden(""),
        ApiError::PasswordChangeRequired,
        ApiError::IdentityNotVerified,
        ApiError::NotFound,
        ApiError::Conflict {
            title: "",
            errors: Vec::new(),
        },
        ApiError::RateLimited {
            retry_after: 1,
            policy: None,
        },
        ApiError::AccountLocked { retry_after: 1 },
        ApiError::LinkNotApproved,
        ApiError::ApplicationPending,
        ApiError::NotEligible(vec![FieldError::new("x", "CONDITION_NOT_MET", "")]),
        ApiError::EndorsementNotDue {
            opens_on: chrono::NaiveDate::MIN,
            closes_on: chrono::NaiveDate::MAX,
        },
        ApiError::MethodNotAllowed,
        ApiError::StaleVersion {
            current_version: 2,
            error: FieldError::new("version", "STALE_VERSION", ""),
        },
        ApiError::PreconditionFailed { current_version: 2 },
        ApiError::IdempotencyKeyReused,
        ApiError::RequestInProgress { retry_after: 1 },
        ApiError::ServiceUnavailable,
        ApiError::Internal,
    ];
    for error in every {
        assert!(
            documented.contains(error.code()),
            "{} is not in Problem.code",
            error.code()
        );
    }
}

/// A client generator can trust the document (issue 30): every operation shows an example of its
/// JSON request body and of its JSON success answer (on the media type or its schema), and no
/// object schema leaves its properties open to anything (`type: object` alone).
#[test]
fn every_operation_has_examples_and_no_object_is_left_open() {
    let doc = infra::local::api::openapi_document().unwrap();
    let schemas = &doc["components"]["schemas"];
    let resolve = |value: &serde_json::Value| {
        let mut value = value.clone();
        while let Some(reference) = value["$ref"].as_str().map(str::to_owned) {
            value = schemas[reference.rsplit('/').next().unwrap()].clone();
        }
        value
    };
    let has_example = |media: &serde_json::Value| {
        let schema = resolve(&media["schema"]);
        [media, &schema]
            .iter()
            .any(|v| v.get("example").is_some() || v.get("examples").is_some())
    };
    let mut missing = Vec::new();
    for (_, operations) in doc["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            if !["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            let id = operation["operationId"].as_str().unwrap();
            for (status, answer) in operation["responses"].as_object().unwrap() {
                let answer = resolve(answer);
                if !status.starts_with('2') {
                    continue;
                }
                for (media_type, media) in answer["content"].as_object().into_iter().flatten() {
                    if media_type.contains("json") && !has_example(media) {
                        missing.push(format!("{id}: its {status} answer"));
                    }
                }
            }
            for (_, media) in operation["requestBody"]["content"]
                .as_object()
                .into_iter()
                .flatten()
            {
                if !has_example(media) {
                    missing.push(format!("{id}: its request body"));
                }
            }
        }
    }
    assert!(missing.is_empty(), "no example: {missing:#?}");
    let mut open = Vec::new();
    fn walk(value: &serde_json::Value, at: String, open: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                let shaped = [
                    "properties",
                    "additionalProperties",
                    "allOf",
                    "oneOf",
                    "anyOf",
                ]
                .iter()
                .any(|k| map.contains_key(*k));
                if map.get("type").is_some_and(|t| t == "object") && !shaped {
                    open.push(at.clone());
                }
                for (key, inner) in map {
                    walk(inner, format!("{at}/{key}"), open);
                }
            }
            serde_json::Value::Array(items) => {
                for (i, inner) in items.iter().enumerate() {
                    walk(inner, format!("{at}/{i}"), open);
                }
            }
            _ => {}
        }
    }
    walk(&doc, String::new(), &mut open);
    assert!(open.is_empty(), "objects without properties: {open:#?}");
}

/// The `FieldError.code` enum of the document is exactly the field-error codes the source can
/// send (issue 30): every upper-case code literal of the domain, HTTP, service and handler code
/// outside its unit tests, but for the names of settings and of the function variable.
#[test]
fn every_field_error_code_is_in_the_documents_enum_and_nothing_else() {
    let doc = infra::local::api::openapi_document().unwrap();
    let documented: BTreeSet<String> =
        doc["components"]["schemas"]["FieldError"]["properties"]["code"]["enum"]
            .as_array()
            .expect("FieldError.code is an enum")
            .iter()
            .map(|c| c.as_str().unwrap().to_owned())
            .collect();
    let not_codes: BTreeSet<&str> = shared::config::settings::SETTINGS
        .iter()
        .map(|s| s.name)
        .chain(["PLATFORM_FUNCTION"])
        .collect();
    let mut sent = BTreeSet::new();
    let sources = [
        "shared/src/domain",
        "shared/src/http",
        "shared/src/services",
        "functions/src",
    ]
    .iter()
    .flat_map(|dir| walk(&repo().join(dir)))
    .chain([repo().join("shared/src/invalid.rs")]);
    for file in sources {
        let source = std::fs::read_to_string(&file).unwrap();
        let code = source
            .split("#[cfg(test)]\nmod tests")
            .next()
            .unwrap_or_default();
        for literal in code.split('"').skip(1).step_by(2) {
            let is_code = literal.len() >= 3
                && literal.starts_with(|c: char| c.is_ascii_uppercase())
                && literal
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
            if is_code && !not_codes.contains(literal) {
                sent.insert(literal.to_owned());
            }
        }
    }
    assert_eq!(
        documented, sent,
        "FieldError.code in functions/openapi.yaml must list exactly the codes the source sends"
    );
}
