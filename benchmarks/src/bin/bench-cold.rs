//! Cold starts of the Lambda binary (issue 14): every function of `template.yaml` started from its
//! package (`make lambdas`) 10 times under a Runtime API, as `tests/e2e/lambda_binaries.rs` starts it
//! (the template's environment, the secret on the moto server, DynamoDB Local), timed from the
//! process's spawn to the runtime's first request for work (init) and to its first answer. The
//! starts go round by round (every function once, then again), so the machine's slow spells
//! spread over all functions.
//!
//! Run with `make bench ARGS="cold [starts]"`, on an idle machine; results in docs/benchmarks.md.

use std::time::Duration;

use e2e_tests::lambda_runtime::{
    cold_start, lambda_environment, one_event_per_function, package_of, put_local_secret,
};
use e2e_tests::{Client, start};
use infra::template::Template;

/// The median; of an even number of values, the mean of the middle two.
fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let args = e2e_tests::bench_args();
    let starts = args.first().copied().unwrap_or(10).max(1);
    let stack = start(&[]);
    let client = Client::new(&stack);
    let template = Template::load_default().expect("template.yaml");
    let secret = put_local_secret(&stack).await;
    let document_key = e2e_tests::documents::kms_document_key(&stack).await;
    let events = one_event_per_function(&client).await;
    let bootstrap = package_of(&template.functions[0]).join("bootstrap");
    let size = std::fs::metadata(&bootstrap)
        .expect("run make lambdas first")
        .len();
    println!(
        "\nbootstrap: {size} bytes ({:.2} MiB), {starts} starts per function\n",
        size as f64 / 1_048_576.0
    );
    println!(
        "| function | init median ms | first answer median ms | first answer max ms | status |"
    );
    println!("|---|---:|---:|---:|---|");
    // Each function's environment and package, in the order of the events.
    let functions: Vec<_> = events
        .calls
        .iter()
        .map(|call| {
            let function = template.function(call.function).expect("in the template");
            (
                lambda_environment(&stack, &template, function, &secret, &document_key),
                package_of(function).join("bootstrap"),
            )
        })
        .collect();
    // Round by round, every function once a round: a slow spell of the machine (a neighbour of
    // this VM, the emulators' garbage collection) then costs every function a start or two,
    // instead of every start of the one or two functions that happened to run in it.
    let mut samples: Vec<Vec<(Duration, Duration, u64)>> = vec![Vec::new(); functions.len()];
    for _ in 0..starts {
        for ((call, (environment, bootstrap)), runs) in
            events.calls.iter().zip(&functions).zip(&mut samples)
        {
            match cold_start(
                bootstrap,
                environment,
                call.event.clone(),
                Duration::from_secs(20),
            )
            .await
            {
                Ok(s) => runs.push((
                    s.to_first_next,
                    s.to_answer,
                    s.answer["statusCode"].as_u64().unwrap_or(200),
                )),
                Err(failed) => panic!("{}: {failed:?}", call.function),
            }
        }
    }
    let (mut inits, mut answers) = (Vec::new(), Vec::new());
    for (call, runs) in events.calls.iter().zip(samples) {
        let mut statuses: Vec<u64> = runs.iter().map(|r| r.2).collect();
        statuses.sort();
        statuses.dedup();
        let max = runs.iter().map(|r| r.1).max().expect("at least one start");
        let i = median(runs.iter().map(|r| r.0).collect());
        let a = median(runs.iter().map(|r| r.1).collect());
        inits.push(i);
        answers.push(a);
        println!(
            "| {} | {:.1} | {:.1} | {:.1} | {statuses:?} |",
            call.function,
            ms(i),
            ms(a),
            ms(max)
        );
    }
    inits.sort();
    answers.sort();
    println!(
        "\nAcross functions: init median {:.1} ms (max {:.1}), first answer median {:.1} ms (max {:.1}).",
        ms(median(inits.clone())),
        ms(*inits.last().unwrap()),
        ms(median(answers.clone())),
        ms(*answers.last().unwrap())
    );
}
