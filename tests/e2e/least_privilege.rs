//! Least privilege, proven by observation (issue 14): every route is driven through a real flow
//! ([`e2e_tests::sweep`]), the SMS sender delivers and gives up on a message, and the daily
//! permit run sends a reminder, while the stack records what each function called
//! ([`shared::operation_counts::Access`]). Every test process of `make test` records the same
//! way into `ACCESS_RECORD_DIR`, which this test reads too.
//!
//! Each function's policy in `template.yaml` must grant everything it was seen calling, with its
//! secret and its queue's polling. After the whole suite has run (`make test` runs this test again
//! then, with `LEAST_PRIVILEGE_EXACT=1`), it must also grant nothing more.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{Days, Months};
use e2e_tests::houses::staff_session;
use e2e_tests::permits::{eligible_holder, issued_permit, reschedule, today};
use e2e_tests::{Client, Stack, fixtures, stack};
use infra::local::identity_registry::LOCAL_IDENTITY_REGISTRY;
use infra::template::Template;
use infra::template::permissions::{self, Grant};
use serde_json::json;

/// A day with one reminder due: a permit whose endorsement window opens today.
async fn run_the_day_with_a_reminder(stack: &Stack) {
    let client = Client::new(stack);
    let (_, staff) = staff_session(&client).await;
    let (holder, token) = eligible_holder(&client, &staff).await;
    let (_, permit) = issued_permit(&client, &holder, &token).await;
    let no = permit["permit_no"].as_str().unwrap();
    let anniversary = today() + Days::new(60);
    let issued = anniversary.checked_sub_months(Months::new(12)).unwrap();
    reschedule(&client, no, issued, 1, today()).await;
    let report =
        infra::operator::reminders::run(&stack.function_context("run-permit-milestones"), today())
            .await
            .expect("the run succeeds");
    assert!(report["reminded"].as_u64().unwrap() >= 1, "{report:#}");
}

/// A stack whose SMS sender meets an SNS that refuses every message: one code's message is tried
/// until the sender gives up (withdrawing the code) and the queue dead-letters it.
async fn give_up_on_one_message() -> Stack {
    let refusing = e2e_tests::refusing_sns::start();
    let failing = e2e_tests::start_with_sender_sns(
        &[(infra::local::stack::LOCAL_QUEUE_VISIBILITY_TIMEOUT, "1")],
        Some(&refusing.url),
    );
    let client = Client::new(&failing);
    let asked = client
        .post(
            "/v1/sms-codes",
            &json!({"phone": fixtures::phone(), "purpose": "register"}),
        )
        .await;
    assert_eq!(asked.status, 202, "{:#}", asked.body);
    assert!(
        failing
            .first_dead_letter(Duration::from_secs(60))
            .await
            .is_some(),
        "the message was dead-lettered"
    );
    failing
}

#[tokio::test]
async fn every_function_is_granted_exactly_what_it_calls() {
    let stack = stack();
    let called = e2e_tests::sweep::every_route(stack).await;
    assert_eq!(called, e2e_tests::declared_routes(), "every route driven");
    run_the_day_with_a_reminder(stack).await;
    let failing = give_up_on_one_message().await;

    let template = Template::load_default().expect("template.yaml loads");
    let mut accesses = stack.accesses();
    if let Some(dir) = std::env::var_os(e2e_tests::ACCESS_RECORD_DIR) {
        accesses.extend(
            shared::operation_counts::read_accesses(std::path::Path::new(&dir))
                .expect("the other test processes' records"),
        );
    }
    // The local identity registry stands in for the real-name verification service, which the
    // deployed function calls over HTTPS: its table is local only, no function's to be granted.
    let stand_in = shared::operation_counts::Resource::Table(LOCAL_IDENTITY_REGISTRY.to_owned());
    accesses.retain(|access| access.resource != stand_in);
    let exact = std::env::var_os("LEAST_PRIVILEGE_EXACT").is_some();
    // The failing stack's functions have the same names; its queues are its own.
    let failing_accesses: BTreeSet<_> = failing
        .accesses()
        .into_iter()
        .filter(|a| a.function == "send-sms")
        .collect();
    let mut mismatches = Vec::new();
    for function in &template.functions {
        let mut needed =
            permissions::needed(&template, function, &accesses).unwrap_or_else(|e| panic!("{e}"));
        needed.extend(
            permissions::needed(&template, function, &failing_accesses)
                .unwrap_or_else(|e| panic!("{e}")),
        );
        assert!(
            needed.len() > 1,
            "{}: nothing but its secret was observed (was it called?)",
            function.logical_id
        );
        let granted = match permissions::granted(function) {
            Ok(granted) => granted,
            Err(error) => {
                mismatches.push(format!(
                    "{error}; the policy that fits:\n{}",
                    permissions::statements(&needed)
                ));
                continue;
            }
        };
        let more: Vec<&Grant> = granted.difference(&needed).collect();
        let less: Vec<&Grant> = needed.difference(&granted).collect();
        if !less.is_empty() || (exact && !more.is_empty()) {
            let fits = match functions::routes::route(&function.name) {
                Some(_) => format!(
                    "its calls in functions/src/routes.rs that fit (then `make template`):\n{}",
                    infra::template::route_functions::calls_source(&needed)
                ),
                None => format!(
                    "the policy that fits:\n{}",
                    permissions::statements(&needed)
                ),
            };
            mismatches.push(format!(
                "{}: granted but not used {more:?}; used but not granted {less:?}; {fits}",
                function.logical_id,
            ));
        }
    }
    accesses.retain(|a| !a.function.is_empty() && template.function(&a.function).is_none());
    assert!(
        accesses.is_empty(),
        "calls by no function of the template: {accesses:?}"
    );
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
