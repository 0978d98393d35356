//! Running a handler as a Lambda function.

use std::future::Future;
use std::sync::Arc;

use lambda_http::{Body, Request, Response, service_fn};

use crate::context::AppContext;

/// The entry point of every function binary: logging, the context (once per cold start), then
/// each request through `handler`.
pub async fn run_lambda<F, Fut>(handler: F) -> Result<(), lambda_http::Error>
where
    F: Fn(Arc<AppContext>, Request) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Response<Body>> + Send,
{
    lambda_http::tracing::init_default_subscriber();
    let ctx = AppContext::from_env().await.map_err(|error| {
        tracing::error!(%error, "configuration is incomplete");
        error
    })?;
    lambda_http::run(service_fn(move |req: Request| {
        let ctx = ctx.clone();
        let response = handler(ctx, req);
        async move { Ok::<_, std::convert::Infallible>(response.await) }
    }))
    .await
}
