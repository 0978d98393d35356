//! The Lambda binary as Lambda runs it (issue 14): every function of `template.yaml` started from
//! its package (`make lambdas`) under a Runtime API, with exactly the environment the template
//! gives it, its secrets read from Secrets Manager on the moto server, DynamoDB Local and the
//! SQS/SNS emulator; each gets one real event of its kind (an API Gateway v2 request of its route,
//! an SQS batch, the schedule's input) and must answer as the table says. A function whose
//! configuration is incomplete, whose secret cannot be read, or that is not named, logs one line
//! (without a secret) and exits non-zero.
//!
//! `make test` builds the packages first (`infra/local/test.sh` runs `make lambdas`).

use std::collections::BTreeSet;
use std::time::Duration;

use e2e_tests::lambda_runtime::{
    cold_start, http_event, lambda_environment, one_event_per_function, package_of,
    put_local_secret, put_secret,
};
use e2e_tests::{Client, stack};
use infra::template::Template;
use serde_json::json;

/// How long a start may take before the test gives up on it (a debug-free release binary answers
/// in tens of milliseconds; the limit only bounds a hang).
const LIMIT: Duration = Duration::from_secs(20);

fn bootstrap_of(function: &infra::template::FunctionDef) -> std::path::PathBuf {
    let bootstrap = package_of(function).join("bootstrap");
    assert!(
        bootstrap.is_file(),
        "{} is missing: run `make lambdas` (make test does)",
        bootstrap.display()
    );
    bootstrap
}

#[tokio::test]
async fn every_function_answers_its_event_as_lambda_runs_it() {
    let stack = stack();
    let client = Client::new(stack);
    let template = Template::load_default().unwrap();
    let secret = put_local_secret(stack).await;
    let document_key = e2e_tests::documents::kms_document_key(stack).await;

    let events = one_event_per_function(&client).await;
    let calls = events.calls;
    let named: BTreeSet<&str> = calls.iter().map(|c| c.function).collect();
    let in_template: BTreeSet<&str> = template.functions.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(named, in_template, "one call per function of template.yaml");
    assert_eq!(named.len(), calls.len(), "one call per function");

    let phone = events.sms_phone.clone();
    let sms_before = client.sms_messages(&phone).await.len();
    let mut wrong = Vec::new();
    for call in calls {
        let function = template.function(call.function).unwrap();
        let environment = lambda_environment(stack, &template, function, &secret, &document_key);
        let start = match cold_start(&bootstrap_of(function), &environment, call.event, LIMIT).await
        {
            Ok(start) => start,
            Err(failed) => {
                wrong.push(format!("{}: no answer: {failed:?}", call.function));
                continue;
            }
        };
        // An HTTP function answers with an API Gateway v2 response; a worker or job with its
        // payload (200 stands for "answered, not failed").
        let status = match start.kind {
            "response" => start.answer["statusCode"].as_u64().unwrap_or(200) as u16,
            _ => 500,
        };
        if status != call.expect {
            wrong.push(format!(
                "{}: {status}, expected {}: {:#}",
                call.function, call.expect, start.answer
            ));
            continue;
        }
        match call.function {
            "get-registration-receipt" | "get-permit-card" => {
                assert_eq!(start.answer["isBase64Encoded"], true, "{}", call.function);
                let pdf = base64_decode(start.answer["body"].as_str().unwrap());
                assert!(pdf.starts_with(b"%PDF-"), "{}: a PDF", call.function);
            }
            "check-receipt" | "check-permit" => {
                let body: serde_json::Value =
                    serde_json::from_str(start.answer["body"].as_str().unwrap()).unwrap();
                assert_eq!(body["genuine"], false, "{}: {body:#}", call.function);
            }
            "send-sms" => {
                assert_eq!(start.answer, json!({"batchItemFailures": []}));
            }
            "publish-events" => {
                // Published (nothing to send again), and as three views: one per audience.
                assert_eq!(start.answer, json!({"batchItemFailures": []}));
                assert!(
                    start.output.contains("stream batch published")
                        && start.output.contains("\"entries_put\":3"),
                    "{}",
                    start.output
                );
            }
            "run-permit-milestones" => {
                assert_eq!(start.answer["read"], 0, "{:#}", start.answer);
            }
            _ => {}
        }
        // Nothing it logged holds a token, the secret's keys, or a phone or ID number.
        for secret_text in events
            .tokens
            .iter()
            .chain(&events.personal)
            .map(String::as_str)
            .chain(["bG9jYWwtb25seS1"])
        {
            assert!(
                !start.output.contains(secret_text),
                "{} logged a secret or personal data: {}",
                call.function,
                start.output
            );
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // The sender's message reached SNS.
    let delivered = client.sms_delivered(&phone, sms_before + 1).await;
    assert!(delivered.iter().any(|m| m.contains("Lambda 运行测试")));
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .expect("base64")
}

/// A change to a function's environment.
type EnvChange = Box<dyn Fn(&mut std::collections::BTreeMap<String, String>)>;

/// A start that cannot go on logs one line (no secret in it) and exits with a non-zero code.
#[tokio::test]
async fn a_function_that_cannot_start_says_why_in_one_line_and_exits_non_zero() {
    let stack = stack();
    let template = Template::load_default().unwrap();
    let secret = put_local_secret(stack).await;
    let function = template.function("get-me").unwrap();
    let document_key = e2e_tests::documents::kms_document_key(stack).await;
    let good = lambda_environment(stack, &template, function, &secret, &document_key);
    let event = http_event("GET", "/v1/me", "/v1/me", None, None);
    // The secret as the stack creates it, before the operator fills it (docs/deploy.md), and one
    // that is not JSON at all.
    let unfilled = put_secret(stack, "{}").await;
    let not_json = put_secret(stack, "jwt_keys=k1:abc").await;

    let cases: Vec<(&str, EnvChange, &str)> = vec![
        (
            "a table variable missing",
            Box::new(|env| {
                env.remove("ACCOUNTS_TABLE");
            }),
            "ACCOUNTS_TABLE",
        ),
        (
            "a secret that does not exist",
            Box::new(|env| {
                env.insert("SECRETS_ID".into(), "szjzz/no-such-secret".into());
            }),
            "ResourceNotFoundException",
        ),
        (
            "the secret as the stack creates it, not yet filled",
            Box::new(move |env| {
                env.insert("SECRETS_ID".into(), unfilled.clone());
            }),
            "JWT_KEYS",
        ),
        (
            "a secret that is not JSON",
            Box::new(move |env| {
                env.insert("SECRETS_ID".into(), not_json.clone());
            }),
            "not a JSON object",
        ),
        (
            "no function named",
            Box::new(|env| {
                env.remove("PLATFORM_FUNCTION");
            }),
            "PLATFORM_FUNCTION",
        ),
        (
            "a function that does not exist",
            Box::new(|env| {
                env.insert("PLATFORM_FUNCTION".into(), "get-everything".into());
            }),
            "get-everything",
        ),
        (
            "a function of another binary (the PDF binary's receipt)",
            Box::new(|env| {
                env.insert(
                    "PLATFORM_FUNCTION".into(),
                    "get-registration-receipt".into(),
                );
            }),
            "get-registration-receipt",
        ),
    ];
    for (case, change, named) in cases {
        let mut env = good.clone();
        change(&mut env);
        let failed = cold_start(&bootstrap_of(function), &env, event.clone(), LIMIT)
            .await
            .expect_err(case);
        assert!(
            failed.exit_code.is_some_and(|code| code != 0),
            "{case}: exits non-zero: {failed:?}"
        );
        let lines: Vec<&str> = failed.output.lines().filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), 1, "{case}: one line: {:?}", failed.output);
        assert!(
            lines[0].contains(named),
            "{case}: names {named}: {}",
            lines[0]
        );
        assert!(
            !lines[0].contains("bG9jYWwtb25seS1") && !lines[0].contains("k1:abc"),
            "{case}: no secret: {}",
            lines[0]
        );
    }
}

/// Strings that only the local stack's code uses at run time (issue 29): the operation
/// counter's interceptor name, and the operation names of the local identity registry and the
/// local face check.
const LOCAL_ONLY: [&str; 3] = [
    "CountingInterceptor",
    "local_identity_registry.get",
    "local_face_check.get",
];

#[test]
fn the_lambda_binaries_contain_none_of_the_local_stacks_code() {
    let contains =
        |bytes: &[u8], text: &str| memchr::memmem::find(bytes, text.as_bytes()).is_some();
    // The control: this test binary links the local stack (feature `local`), so each marker is
    // real code that would show if the Lambda build linked it.
    let this = std::fs::read(std::env::current_exe().unwrap()).unwrap();
    for marker in LOCAL_ONLY {
        assert!(contains(&this, marker), "{marker} is not in a local build");
    }
    let template = Template::load_default().unwrap();
    let packages: BTreeSet<std::path::PathBuf> =
        template.functions.iter().map(bootstrap_of).collect();
    assert_eq!(packages.len(), 3, "the three binaries");
    for bootstrap in packages {
        let binary = std::fs::read(&bootstrap).unwrap();
        for marker in LOCAL_ONLY {
            assert!(
                !contains(&binary, marker),
                "{} contains {marker}: the Lambda build linked the local stack",
                bootstrap.display()
            );
        }
    }
}
