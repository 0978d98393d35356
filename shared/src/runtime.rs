//! Running a handler as a Lambda function: an HTTP operation (API Gateway events) or a queue
//! worker (SQS events).

use std::future::Future;
use std::sync::Arc;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_http::lambda_runtime::{self, LambdaEvent};
use lambda_http::{Body, Request, Response, service_fn};

use crate::context::AppContext;

/// Logging, then the context (once per cold start); a configuration that is incomplete or a
/// secret that cannot be read ends the start with one line naming what is missing.
async fn start() -> Result<Arc<AppContext>, lambda_http::Error> {
    lambda_http::tracing::init_default_subscriber();
    Ok(AppContext::from_env().await.map_err(|error| {
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
    let ctx = start().await?;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| {
        let ctx = ctx.clone();
        let response = handler(ctx, event.payload);
        async move { Ok::<_, std::convert::Infallible>(response.await) }
    }))
    .await
}
