//! Running a handler as a Lambda function: an HTTP operation (API Gateway events), a queue
//! worker (SQS events), a table stream's worker (DynamoDB stream events) or a scheduled job (EventBridge Scheduler's input).

use std::future::Future;
use std::sync::Arc;

use aws_lambda_events::event::dynamodb::Event as DynamoDbEvent;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use aws_lambda_events::event::streams::DynamoDbEventResponse;
use lambda_http::lambda_runtime::{self, LambdaEvent};
use lambda_http::{Body, Request, Response, service_fn};

use crate::context::AppContext;

/// JSON logs, as Lambda's log format (`AWS_LAMBDA_LOG_FORMAT`) and level (`RUST_LOG`,
/// `AWS_LAMBDA_LOG_LEVEL`) ask.
pub fn init_logging() {
    lambda_http::tracing::init_default_subscriber();
}

/// The context (once per cold start); a configuration that is incomplete or a secret that cannot
/// be read ends the start with one line naming what is missing (never a value).
async fn start() -> Result<Arc<AppContext>, lambda_http::Error> {
    Ok(AppContext::for_lambda().await.map_err(|error| {
        tracing::error!(%error, "configuration is incomplete");
        error
    })?)
}

/// The entry point of every HTTP function binary: each request through `handler`.
pub async fn run_lambda<F, Fut>(handler: F) -> Result<(), lambda_http::Error>
where
    F: Fn(Arc<AppContext>, Request) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Response<Body>> + Send,
{
    let ctx = start().await?;
    lambda_http::run(service_fn(move |req: Request| {
        let ctx = ctx.clone();
        let response = handler(ctx, req);
        async move { Ok::<_, std::convert::Infallible>(response.await) }
    }))
    .await
}

/// The entry point of a queue worker binary: each batch through `handler`, whose answer names the
/// messages that failed (`ReportBatchItemFailures`).
pub async fn run_queue_worker<F, Fut>(handler: F) -> Result<(), lambda_http::Error>
where
    F: Fn(Arc<AppContext>, SqsEvent) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = SqsBatchResponse> + Send,
{
    serve_batches(start().await?, handler).await
}

/// The entry point of a table stream's worker (the event publisher): each batch of stream
/// records through `handler`, whose answer names the first record to send again. Without the
/// bus it publishes to (`EVENT_BUS_NAME`) the start ends as an incomplete configuration does.
pub async fn run_stream_worker<F, Fut>(handler: F) -> Result<(), lambda_http::Error>
where
    F: Fn(Arc<AppContext>, DynamoDbEvent) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = DynamoDbEventResponse> + Send,
{
    let ctx = start().await?;
    if ctx.config.events.is_none() {
        let error = crate::config::ConfigError::Missing("EVENT_BUS_NAME");
        tracing::error!(%error, "configuration is incomplete");
        return Err(error.into());
    }
    serve_batches(ctx, handler).await
}

/// Each event of type `E` through `handler`, its answer `R` returned as it is (a batch answer
/// never fails the invocation: it names what to retry).
async fn serve_batches<E, R, F, Fut>(
    ctx: Arc<AppContext>,
    handler: F,
) -> Result<(), lambda_http::Error>
where
    E: serde::de::DeserializeOwned + Send + 'static,
    R: serde::Serialize + Send + 'static,
    F: Fn(Arc<AppContext>, E) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = R> + Send,
{
    lambda_runtime::run(service_fn(move |event: LambdaEvent<E>| {
        let ctx = ctx.clone();
        let response = handler(ctx, event.payload);
        async move { Ok::<_, std::convert::Infallible>(response.await) }
    }))
    .await
}

/// The entry point of a scheduled job binary: the schedule's input through `handler`; an error
/// fails the invocation (logged by its code), so that the scheduler retries it.
pub async fn run_scheduled_job<F, Fut>(handler: F) -> Result<(), lambda_http::Error>
where
    F: Fn(Arc<AppContext>, serde_json::Value) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<serde_json::Value, crate::error::ApiError>> + Send,
{
    let ctx = start().await?;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<serde_json::Value>| {
        let ctx = ctx.clone();
        let response = handler(ctx, event.payload);
        async move {
            response.await.map_err(|error| {
                tracing::error!(code = error.code(), "scheduled job failed");
                lambda_http::Error::from(error.to_string())
            })
        }
    }))
    .await
}
