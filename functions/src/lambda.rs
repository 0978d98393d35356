//! Running as a Lambda function: which function this process is (`PLATFORM_FUNCTION`), and its
//! handler under the Lambda runtime.

use std::process::ExitCode;

/// The variable that names the function a process runs (an operation, worker or job name).
pub const FUNCTION_VARIABLE: &str = "PLATFORM_FUNCTION";

/// The operations that render PDFs. Each warms the renderer up on a thread of its own as it
/// starts ([`receipt_pdf::warm_up`]): its first render would otherwise cost twice a later one,
/// on the first request's path (BENCHMARKS.md, "Lambda binaries").
pub const RENDERS_PDF: &[&str] = &["get-registration-receipt", "get-permit-card"];

/// What a function is.
#[derive(Clone, Copy)]
pub enum Function {
    Operation(&'static crate::Operation),
    Worker(&'static crate::Worker),
    Job(&'static crate::Job),
}

impl Function {
    /// The function of that name, if there is one.
    pub fn named(name: &str) -> Option<Self> {
        crate::operation(name)
            .map(Self::Operation)
            .or_else(|| crate::worker(name).map(Self::Worker))
            .or_else(|| crate::job(name).map(Self::Job))
    }
}

/// The `main` of the Lambda binary. The runtime is single-threaded: a Lambda instance handles one
/// event at a time, and no worker threads need starting. A function that is not named, or whose
/// configuration or secret cannot be read, logs one line and exits with 1.
pub fn main() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run())
}

async fn run() -> ExitCode {
    shared::runtime::init_logging();
    let name = std::env::var(FUNCTION_VARIABLE).unwrap_or_default();
    let Some(function) = Function::named(&name) else {
        tracing::error!(
            variable = FUNCTION_VARIABLE,
            value = %name,
            "no such function: set it to an operation, worker or job of functions::OPERATIONS, WORKERS or JOBS"
        );
        return ExitCode::FAILURE;
    };
    if RENDERS_PDF.contains(&name.as_str()) {
        // Detached: the process ends with the runtime, and a failed warm-up only means the
        // first request renders cold (and reports whatever failed itself).
        std::thread::spawn(receipt_pdf::warm_up);
    }
    let result = match function {
        Function::Operation(operation) => shared::runtime::run_lambda(operation.handler).await,
        Function::Worker(worker) => match worker.handler {
            crate::WorkerHandler::Queue(handler) => {
                shared::runtime::run_queue_worker(handler).await
            }
            crate::WorkerHandler::Stream(handler) => {
                shared::runtime::run_stream_worker(handler).await
            }
        },
        Function::Job(job) => shared::runtime::run_scheduled_job(job.handler).await,
    };
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
    fn the_pdf_renderers_are_operations() {
        for name in RENDERS_PDF {
            assert!(
                matches!(Function::named(name), Some(Function::Operation(_))),
                "{name} is not an operation"
            );
        }
    }
}
