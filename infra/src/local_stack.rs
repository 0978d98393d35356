//! Bringing the local stack up against running emulators: tables, the local staff account, and
//! the API. Used by `rpctl local up` (make run) and by the end-to-end tests.

use std::net::SocketAddr;

use shared::AppContext;
use shared::context::LocalEndpoints;

use crate::local_api::LocalApi;
use crate::template::Template;

#[derive(Debug, thiserror::Error)]
pub enum StackError {
    #[error(transparent)]
    Template(#[from] crate::template::TemplateError),
    #[error(transparent)]
    Tables(#[from] crate::tables::TableError),
    #[error(transparent)]
    Api(#[from] crate::local_api::LocalApiError),
    #[error("staff account: {0}")]
    Staff(#[from] crate::staff::StaffError),
    #[error("reference data: {0}")]
    Reference(#[from] crate::reference::ReferenceError),
    #[error("reference data: {0} malformed rows in the shipped file (first at line {1})")]
    MalformedReference(usize, u64),
    #[error("cannot listen on {0}: {1}")]
    Listen(SocketAddr, std::io::Error),
}

/// Creates the template's tables, loads the reference data and creates the local staff account
/// (all idempotent).
pub async fn prepare(
    template: &Template,
    endpoints: &LocalEndpoints,
    overrides: &dyn Fn(&str) -> Option<String>,
) -> Result<std::sync::Arc<AppContext>, StackError> {
    let config =
        crate::local_env::config(template, &Default::default(), overrides).map_err(|source| {
            crate::local_api::LocalApiError::Config {
                function: "local stack".into(),
                source,
            }
        })?;
    let ctx = AppContext::local(config, endpoints);
    let created = crate::tables::create_all(&ctx.dynamo, template).await?;
    if !created.is_empty() {
        tracing::info!(tables = ?created, "tables created");
    }
    let (streets, rejected) =
        crate::reference::read_streets(&crate::reference::default_streets_file())?;
    if let Some(first) = rejected.first() {
        return Err(StackError::MalformedReference(rejected.len(), first.line));
    }
    crate::reference::load_streets(&ctx.dynamo, &ctx.config.tables.address, &streets).await?;
    let staff = crate::staff::local_staff(overrides("LOCAL_STAFF_PASSWORD"));
    crate::staff::create(&ctx, staff).await?;
    Ok(ctx)
}

/// Builds the API and binds it; returns the bound address and the server future.
pub async fn bind_api(
    template: &Template,
    endpoints: &LocalEndpoints,
    overrides: &dyn Fn(&str) -> Option<String>,
    address: SocketAddr,
) -> Result<(SocketAddr, tokio::net::TcpListener, LocalApi), StackError> {
    let api = LocalApi::build(template, endpoints, overrides)?;
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|e| StackError::Listen(address, e))?;
    let bound = listener
        .local_addr()
        .map_err(|e| StackError::Listen(address, e))?;
    Ok((bound, listener, api))
}
