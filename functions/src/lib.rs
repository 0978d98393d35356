//! The platform's functions, one Lambda function each, served by three binaries (see [`lambda`]):
//! `src/bin/platform.rs` runs the operations, queue workers and jobs, `src/bin/pdf.rs` the
//! operations that render PDFs ([`PDF_OPERATIONS`]), `src/bin/publisher.rs` the stream workers
//! (the event publisher), so that none carries the others' code.
//!
//! Every operation (an HTTP route) is a module of [`handlers`] with
//! `handle(&AppContext, Request) -> ApiResult`, listed in [`OPERATIONS`] so that the Lambda
//! binary and the local API serve the very same handlers. Workers are modules of [`workers`]
//! fed by a queue (`handle(&AppContext, SqsEvent) -> SqsBatchResponse`) or by table streams
//! (`handle(&AppContext, DynamoDbEvent) -> DynamoDbEventResponse`), listed in [`WORKERS`] (the
//! local stack's queue and stream pollers run them too). Scheduled jobs are modules of [`jobs`] with
//! `handle(&AppContext, Value) -> Result<Value, ApiError>`, listed in [`JOBS`] (run locally by
//! `rpctl`). `template.yaml` names each function's entry in its `PLATFORM_FUNCTION` variable; a
//! test checks that these lists and the template agree.

pub mod handlers;
pub mod jobs;
pub mod lambda;
pub mod workers;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use aws_lambda_events::event::dynamodb::Event as DynamoDbEvent;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use aws_lambda_events::event::streams::DynamoDbEventResponse;
use lambda_http::{Body, Request, Response};
use shared::AppContext;

pub type HandlerFuture = Pin<Box<dyn Future<Output = Response<Body>> + Send>>;
pub type WorkerFuture = Pin<Box<dyn Future<Output = SqsBatchResponse> + Send>>;
pub type StreamFuture = Pin<Box<dyn Future<Output = DynamoDbEventResponse> + Send>>;
pub type JobFuture =
    Pin<Box<dyn Future<Output = Result<serde_json::Value, shared::error::ApiError>> + Send>>;

/// An operation: its function (binary) name and its handler, errors already mapped to problem+json.
#[derive(Clone, Copy)]
pub struct Operation {
    pub name: &'static str,
    pub handler: fn(Arc<AppContext>, Request) -> HandlerFuture,
}

macro_rules! operations {
    (
        platform: [$($name:literal => $module:ident),* $(,)?],
        renders_pdf: [$($pdf_name:literal => $pdf_module:ident),* $(,)?] $(,)?
    ) => {
        /// The operations the platform binary runs, by function name.
        pub const PLATFORM_OPERATIONS: &[Operation] = &[
            $(operations!(@operation $name, $module)),*
        ];
        /// The operations that render PDFs, by function name: the PDF binary runs them, so that
        /// the platform binary carries no PDF code (docs/benchmarks.md, "Lambda binaries").
        pub const PDF_OPERATIONS: &[Operation] = &[
            $(operations!(@operation $pdf_name, $pdf_module)),*
        ];
        /// Every operation, by function name (the local API serves them all).
        pub const OPERATIONS: &[Operation] = &[
            $(operations!(@operation $name, $module),)*
            $(operations!(@operation $pdf_name, $pdf_module),)*
        ];
    };
    (@operation $name:literal, $module:ident) => {
        Operation {
            name: $name,
            handler: |ctx, req| Box::pin(async move {
                shared::http::response::finish(handlers::$module::handle(&ctx, req).await)
            }),
        }
    };
}

operations! {
    platform: [
        "create-sms-code" => create_sms_code,
        "create-account" => create_account,
        "create-session" => create_session,
        "delete-session" => delete_session,
        "get-me" => get_me,
        "change-password" => change_password,
        "change-phone" => change_phone,
        "list-districts" => list_districts,
        "search-buildings" => search_buildings,
        "list-building-houses" => list_building_houses,
        "list-my-houses" => list_my_houses,
        "create-house-link" => create_house_link,
        "deregister-house-link" => deregister_house_link,
        "list-house-links" => list_house_links,
        "decide-house-link" => decide_house_link,
        "list-residents" => list_residents,
        "declare-resident" => declare_resident,
        "list-link-residents" => list_link_residents,
        "declare-resident-at-counter" => declare_resident_at_counter,
        "get-registration" => get_registration,
        "update-registration" => update_registration,
        "deregister-registration" => deregister_registration,
        "check-receipt" => check_receipt,
        "list-residence-records" => list_residence_records,
        "list-my-data-access" => list_my_data_access,
        "open-account" => open_account,
        "open-unit" => open_unit,
        "list-sub-accounts" => list_sub_accounts,
        "create-sub-account" => create_sub_account,
        "update-sub-account" => update_sub_account,
        "deactivate-sub-account" => deactivate_sub_account,
        "verify-identity" => verify_identity,
        "verify-identity-at-counter" => verify_identity_at_counter,
        "suspend-account" => suspend_account,
        "get-permit-eligibility" => get_permit_eligibility,
        "create-permit-application" => create_permit_application,
        "list-permit-applications" => list_permit_applications,
        "get-permit-application" => get_permit_application,
        "withdraw-permit-application" => withdraw_permit_application,
        "consent-permit-application" => consent_permit_application,
        "list-permit-review-queue" => list_permit_review_queue,
        "decide-permit-application" => decide_permit_application,
        "record-permit-progress" => record_permit_progress,
        "get-my-permit" => get_my_permit,
        "endorse-permit" => endorse_permit,
        "check-permit" => check_permit,
        "cancel-permit" => cancel_permit,
        "create-unit-permit-application" => create_unit_permit_application,
        "list-unit-permit-applications" => list_unit_permit_applications,
        "endorse-unit-permit" => endorse_unit_permit,
    ],
    renders_pdf: [
        "get-registration-receipt" => get_registration_receipt,
        "get-permit-card" => get_permit_card,
    ],
}

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
