//! The platform's functions, one Lambda function each, served by three binaries (see [`lambda`]):
//! `src/bin/platform.rs` runs the operations, queue workers and jobs, `src/bin/pdf.rs` the
//! operations that render PDFs ([`PDF_OPERATIONS`]), `src/bin/publisher.rs` the stream workers
//! (the event publisher), so that none carries the others' code.
//!
//! Every operation (an HTTP route) is a module of [`handlers`] with
//! `handle(&AppContext, Request) -> ApiResult`, declared once in the route table ([`routes`]:
//! its route, who may call it, what it may call), from which [`OPERATIONS`] lists them so that
//! the Lambda binary and the local API serve the very same handlers, and `rpctl template`
//! writes their functions in `template.yaml`. Workers are modules of [`workers`]
//! fed by a queue (`handle(&AppContext, SqsEvent) -> SqsBatchResponse`) or by table streams
//! (`handle(&AppContext, DynamoDbEvent) -> DynamoDbEventResponse`), listed in [`WORKERS`] (the
//! local stack's queue and stream pollers run them too). Scheduled jobs are modules of [`jobs`] with
//! `handle(&AppContext, Value) -> Result<Value, ApiError>`, listed in [`JOBS`] (run locally by
//! `rpctl`). `template.yaml` names each function's entry in its `PLATFORM_FUNCTION` variable; a
//! test checks that these lists and the template agree.

pub mod handlers;
pub mod idempotency;
pub mod jobs;
pub mod lambda;
pub mod routes;
pub mod workers;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use aws_lambda_events::event::dynamodb::Event as DynamoDbEvent;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use aws_lambda_events::event::streams::DynamoDbEventResponse;
use shared::AppContext;

pub type WorkerFuture = Pin<Box<dyn Future<Output = SqsBatchResponse> + Send>>;
pub type StreamFuture = Pin<Box<dyn Future<Output = DynamoDbEventResponse> + Send>>;
pub type JobFuture =
    Pin<Box<dyn Future<Output = Result<serde_json::Value, shared::error::ApiError>> + Send>>;

pub use routes::{OPERATIONS, Operation, PDF_OPERATIONS, PLATFORM_OPERATIONS, ROUTES, Route};

/// A worker: its function (binary) name and its handler.
#[derive(Clone, Copy)]
pub struct Worker {
    pub name: &'static str,
    pub handler: WorkerHandler,
}

/// What feeds a worker, and its handler of that event.
#[derive(Clone, Copy)]
pub enum WorkerHandler {
    /// Batches of an SQS queue's messages.
    Queue(fn(Arc<AppContext>, SqsEvent) -> WorkerFuture),
    /// Batches of DynamoDB table streams' records.
    Stream(fn(Arc<AppContext>, DynamoDbEvent) -> StreamFuture),
}

macro_rules! workers {
    (
        queue: [$($queue_name:literal => $queue_module:ident),* $(,)?],
        stream: [$($stream_name:literal => $stream_module:ident),* $(,)?] $(,)?
    ) => {
        /// The queue workers, by function name (the platform binary runs them).
        pub const QUEUE_WORKERS: &[Worker] = &[
            $(workers!(@worker $queue_name, Queue, $queue_module)),*
        ];
        /// The stream workers, by function name (the publisher binary runs them).
        pub const STREAM_WORKERS: &[Worker] = &[
            $(workers!(@worker $stream_name, Stream, $stream_module)),*
        ];
        /// Every worker, by function name.
        pub const WORKERS: &[Worker] = &[
            $(workers!(@worker $queue_name, Queue, $queue_module),)*
            $(workers!(@worker $stream_name, Stream, $stream_module),)*
        ];
    };
    (@worker $name:literal, $kind:ident, $module:ident) => {
        Worker {
            name: $name,
            handler: WorkerHandler::$kind(|ctx, event| Box::pin(async move {
                workers::$module::handle(&ctx, event).await
            })),
        }
    };
}

workers! {
    queue: ["send-sms" => send_sms],
    stream: ["publish-events" => publish_events],
}

/// A scheduled job: its function (binary) name and its handler.
#[derive(Clone, Copy)]
pub struct Job {
    pub name: &'static str,
    pub handler: fn(Arc<AppContext>, serde_json::Value) -> JobFuture,
}

macro_rules! jobs {
    ($($name:literal => $module:ident),* $(,)?) => {
        /// Every scheduled job, by binary name.
        pub const JOBS: &[Job] = &[
            $(Job {
                name: $name,
                handler: |ctx, input| Box::pin(async move {
                    jobs::$module::handle(&ctx, input).await
                }),
            }),*
        ];
    };
}

jobs! {
    "run-permit-milestones" => run_permit_milestones,
}

/// Looks a scheduled job up by its binary name.
pub fn job(name: &str) -> Option<&'static Job> {
    JOBS.iter().find(|job| job.name == name)
}

/// Looks a worker up by its binary name.
pub fn worker(name: &str) -> Option<&'static Worker> {
    WORKERS.iter().find(|worker| worker.name == name)
}

/// Looks an operation up by its binary name.
pub fn operation(name: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|op| op.name == name)
}
