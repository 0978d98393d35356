//! Running as a Lambda function: which function this process is (`PLATFORM_FUNCTION`), and its
//! handler under the Lambda runtime.

use std::future::Future;
use std::process::ExitCode;

/// The variable that names the function a process runs (an operation, worker or job name).
pub const FUNCTION_VARIABLE: &str = "PLATFORM_FUNCTION";

/// What a function of the platform binary is.
#[derive(Clone, Copy)]
pub enum Function {
    Operation(&'static crate::Operation),
    Worker(&'static crate::Worker),
    Job(&'static crate::Job),
}

impl Function {
    /// The function of that name the platform binary runs, if there is one (an operation, a
    /// queue worker or a job: the PDF operations are the PDF binary's, the stream workers the
    /// publisher binary's).
    pub fn named(name: &str) -> Option<Self> {
        lookup_operation(crate::PLATFORM_OPERATIONS, name)
            .map(Self::Operation)
            .or_else(|| lookup(crate::QUEUE_WORKERS, name).map(Self::Worker))
            .or_else(|| crate::job(name).map(Self::Job))
    }
}

fn lookup(workers: &'static [crate::Worker], name: &str) -> Option<&'static crate::Worker> {
    workers.iter().find(|worker| worker.name == name)
}

fn lookup_operation(
    operations: &'static [crate::Operation],
    name: &str,
) -> Option<&'static crate::Operation> {
    operations.iter().find(|operation| operation.name == name)
}

/// The `main` of the platform binary (`src/bin/platform.rs`): every operation, queue worker and
/// scheduled job. The runtime is single-threaded: a Lambda instance handles one event at a time,
/// and no worker threads need starting. A function that is not named, or whose configuration or
/// secret cannot be read, logs one line and exits with 1.
pub fn main() -> ExitCode {
    block_on(run_platform())
}

/// The `main` of the PDF binary (`src/bin/pdf.rs`): the operations that render PDFs
/// ([`crate::PDF_OPERATIONS`]), so that the platform binary carries no PDF code.
pub fn pdf_main() -> ExitCode {
    block_on(run_pdf())
}

/// The `main` of the publisher binary (`src/bin/publisher.rs`): the stream workers only, so that
/// the platform binary carries no EventBridge client and no stream-record code (and this one no
/// HTTP handler).
pub fn publisher_main() -> ExitCode {
    block_on(run_publisher())
}

fn block_on(run: impl Future<Output = ExitCode>) -> ExitCode {
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(run),
        Err(error) => {
            eprintln!("cannot start the async runtime: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The function this process runs (`PLATFORM_FUNCTION`), logged when it is not one of `kinds`.
fn function_name() -> String {
    shared::runtime::init_logging();
    std::env::var(FUNCTION_VARIABLE).unwrap_or_default()
}

fn unknown(name: &str, kinds: &str) -> ExitCode {
    tracing::error!(
        variable = FUNCTION_VARIABLE,
        value = %name,
        "no such function in this binary: set it to one of {kinds}"
    );
    ExitCode::FAILURE
}

async fn run_platform() -> ExitCode {
    let name = function_name();
    let Some(function) = Function::named(&name) else {
        return unknown(
            &name,
            "functions::PLATFORM_OPERATIONS, QUEUE_WORKERS or JOBS",
        );
    };
    let result = match function {
        Function::Operation(operation) => shared::runtime::run_lambda(operation.handler).await,
        Function::Worker(worker) => match worker.handler {
            crate::WorkerHandler::Queue(handler) => {
                shared::runtime::run_queue_worker(handler).await
            }
            // Not in QUEUE_WORKERS.
            crate::WorkerHandler::Stream(_) => return unknown(&name, "functions::QUEUE_WORKERS"),
        },
        Function::Job(job) => shared::runtime::run_scheduled_job(job.handler).await,
    };
    exit_code(result)
}

async fn run_pdf() -> ExitCode {
    let name = function_name();
    let Some(operation) = lookup_operation(crate::PDF_OPERATIONS, &name) else {
        return unknown(&name, "functions::PDF_OPERATIONS");
    };
    // No warm-up render at start: with the font mapped and printpdf 0.7, a process's first
    // render costs ~8 ms, and a warm-up thread took a core from the start and the first
    // request's reads on this machine
    // (docs/decisions/0001-one-function-per-operation-three-binaries.md).
    exit_code(shared::runtime::run_lambda(operation.handler).await)
}

async fn run_publisher() -> ExitCode {
    let name = function_name();
    let Some(crate::WorkerHandler::Stream(handler)) =
        lookup(crate::STREAM_WORKERS, &name).map(|worker| worker.handler)
    else {
        return unknown(&name, "functions::STREAM_WORKERS");
    };
    exit_code(shared::runtime::run_stream_worker(handler).await)
}

fn exit_code(result: Result<(), lambda_http::Error>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // Already logged (the start logs what is missing; the runtime what failed).
        Err(_) => ExitCode::FAILURE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_worker_runs_in_one_binary() {
        for worker in crate::WORKERS {
            let in_platform = Function::named(worker.name).is_some();
            let in_publisher = lookup(crate::STREAM_WORKERS, worker.name).is_some();
            assert!(in_platform != in_publisher, "{}", worker.name);
            assert_eq!(
                in_publisher,
                matches!(worker.handler, crate::WorkerHandler::Stream(_)),
                "{}",
                worker.name
            );
        }
    }

    #[test]
    fn each_operation_runs_in_one_binary() {
        for operation in crate::OPERATIONS {
            let in_platform = Function::named(operation.name).is_some();
            let in_pdf = lookup_operation(crate::PDF_OPERATIONS, operation.name).is_some();
            assert!(in_platform != in_pdf, "{}", operation.name);
        }
        assert_eq!(
            crate::OPERATIONS.len(),
            crate::PLATFORM_OPERATIONS.len() + crate::PDF_OPERATIONS.len()
        );
    }
}
