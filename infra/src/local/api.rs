//! The local API: an HTTP server with exactly `template.yaml`'s routes, each request turned into
//! the API Gateway HTTP API (v2) event a deployed function receives and handed to the very same
//! handler the Lambda binary runs.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body as AxumBody, to_bytes};
use axum::extract::{ConnectInfo, State};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use functions::Operation;
use lambda_http::Body;
use lambda_http::request::LambdaRequest;
use serde_json::{Map, Value, json};
use shared::AppContext;
use shared::context::local::LocalEndpoints;
use shared::error::ApiError;

use crate::template::Template;

/// API Gateway's own limit on a request body.
const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum LocalApiError {
    #[error(
        "function `{0}` has no operation, worker or job in the functions crate (a route goes in functions/src/routes.rs)"
    )]
    UnknownFunction(String),
    #[error("route function `{0}` is not in template.yaml: run `make template`")]
    NotInTemplate(String),
    #[error("route {0} is defined twice")]
    DuplicateRoute(String),
    #[error("route path {0} is invalid: {1}")]
    BadPath(String, String),
    #[error("configuration of {function}: {source}")]
    Config {
        function: String,
        source: shared::config::ConfigError,
    },
    #[error("the OpenAPI document: {0}")]
    OpenApi(String),
    #[error("the stream of {table}: {code}")]
    Stream { table: String, code: String },
}

struct Target {
    route_key: String,
    operation: &'static Operation,
    ctx: Arc<AppContext>,
}

pub struct LocalApi {
    routes: matchit::Router<BTreeMap<String, Target>>,
    openapi: Value,
}

/// The context one function of the template gets locally: its configuration (template variables,
/// `overrides` winning) on `endpoints`.
pub fn function_context(
    template: &Template,
    function: &crate::template::FunctionDef,
    endpoints: &LocalEndpoints,
    overrides: &dyn Fn(&str) -> Option<String>,
) -> Result<Arc<AppContext>, LocalApiError> {
    let config = crate::local::env::config(template, &function.environment, endpoints, overrides)
        .map_err(|source| LocalApiError::Config {
        function: function.logical_id.clone(),
        source,
    })?;
    Ok(AppContext::local_function(
        config,
        endpoints,
        &function.name,
    ))
}

/// The OpenAPI document (`functions/openapi.yaml`) as JSON.
pub fn openapi_document() -> Result<Value, LocalApiError> {
    let path = crate::template::repo_root().join("functions/openapi.yaml");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| LocalApiError::OpenApi(format!("{}: {e}", path.display())))?;
    serde_norway::from_str(&text).map_err(|e| LocalApiError::OpenApi(e.to_string()))
}

impl LocalApi {
    /// Builds the routes from the route table ([`functions::ROUTES`]), each served by its
    /// operation with the context of its function in the template (which must have one).
    pub fn build(
        template: &Template,
        endpoints: &LocalEndpoints,
        overrides: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, LocalApiError> {
        let mut by_path: BTreeMap<String, BTreeMap<String, Target>> = BTreeMap::new();
        for route in functions::ROUTES {
            let operation = functions::operation(route.function)
                .ok_or_else(|| LocalApiError::UnknownFunction(route.function.to_owned()))?;
            let function = template
                .function(route.function)
                .ok_or_else(|| LocalApiError::NotInTemplate(route.function.to_owned()))?;
            let ctx = function_context(template, function, endpoints, overrides)?;
            let route_key = format!("{} {}", route.method, route.path);
            let methods = by_path.entry(route.path.to_owned()).or_default();
            let target = Target {
                route_key: route_key.clone(),
                operation,
                ctx,
            };
            // Every GET route answers HEAD too (the template gives each its HEAD route).
            if route.method == "GET" {
                let head = Target {
                    route_key: format!("HEAD {}", route.path),
                    operation,
                    ctx: target.ctx.clone(),
                };
                methods.insert("HEAD".to_owned(), head);
            }
            if methods.insert(route.method.to_owned(), target).is_some() {
                return Err(LocalApiError::DuplicateRoute(route_key));
            }
        }
        let mut routes = matchit::Router::new();
        for (path, methods) in by_path {
            routes
                .insert(path.clone(), methods)
                .map_err(|e| LocalApiError::BadPath(path.clone(), e.to_string()))?;
        }
        Ok(Self {
            routes,
            openapi: openapi_document()?,
        })
    }

    pub fn into_router(self) -> axum::Router {
        axum::Router::new()
            .fallback(dispatch)
            .with_state(Arc::new(self))
    }
}

/// Serves the API on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    api: LocalApi,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        api.into_router()
            .into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

fn problem(error: &ApiError, request_id: &str) -> Response {
    to_axum(shared::http::response::problem(error, request_id))
}

fn to_axum(response: lambda_http::Response<Body>) -> Response {
    let (parts, body) = response.into_parts();
    let bytes = match body {
        Body::Empty => Vec::new(),
        Body::Text(text) => text.into_bytes(),
        Body::Binary(bytes) => bytes,
        _ => Vec::new(),
    };
    Response::from_parts(parts, AxumBody::from(bytes))
}

async fn dispatch(
    State(api): State<Arc<LocalApi>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: axum::extract::Request,
) -> Response {
    let started = Instant::now();
    // API Gateway's request id: in the event the function gets, and on every answer.
    let request_id = uuid::Uuid::new_v4().to_string();
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    let method = parts.method.as_str().to_owned();

    if method == "GET" && path == "/openapi.json" {
        return (
            [
                (http::header::CONTENT_TYPE, "application/json"),
                (
                    http::HeaderName::from_static(shared::http::response::REQUEST_ID_HEADER),
                    request_id.as_str(),
                ),
            ],
            api.openapi.to_string(),
        )
            .into_response();
    }
    let Ok(matched) = api.routes.at(&path) else {
        return problem(&ApiError::NotFound, &request_id);
    };
    let Some(target) = matched.value.get(&method) else {
        let allow: Vec<&str> = matched.value.keys().map(String::as_str).collect();
        let mut response = problem(&ApiError::MethodNotAllowed, &request_id);
        if let Ok(value) = allow.join(", ").parse() {
            response.headers_mut().insert(http::header::ALLOW, value);
        }
        return response;
    };
    let Ok(body) = to_bytes(body, MAX_BODY_BYTES).await else {
        return problem(&ApiError::PayloadTooLarge, &request_id);
    };
    let path_parameters: Map<String, Value> = matched
        .params
        .iter()
        .map(|(k, v)| (k.to_owned(), Value::String(v.to_owned())))
        .collect();
    let event = api_gateway_event(
        &parts,
        &body,
        &target.route_key,
        path_parameters,
        peer,
        &request_id,
    );
    let request: lambda_http::Request = match serde_json::from_value::<LambdaRequest>(event) {
        Ok(lambda_request) => lambda_request.into(),
        Err(error) => {
            tracing::error!(%error, "could not build the API Gateway event");
            return problem(&ApiError::ServiceUnavailable, &request_id);
        }
    };
    let response = (target.operation.handler)(target.ctx.clone(), request).await;
    tracing::info!(
        request_id = %request_id,
        route = %target.route_key,
        status = response.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    to_axum(response)
}

/// The API Gateway HTTP API payload (format 2.0) for a request.
fn api_gateway_event(
    parts: &http::request::Parts,
    body: &[u8],
    route_key: &str,
    path_parameters: Map<String, Value>,
    peer: SocketAddr,
    request_id: &str,
) -> Value {
    let mut headers = Map::new();
    for (name, value) in &parts.headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        headers
            .entry(name.as_str().to_owned())
            .and_modify(|existing| {
                if let Value::String(s) = existing {
                    s.push(',');
                    s.push_str(&value);
                }
            })
            .or_insert(Value::String(value));
    }
    // lambda_http reads query parameters from rawQueryString, as it does in Lambda.
    let raw_query = parts.uri.query().unwrap_or("").to_owned();
    let (body_value, is_base64) = if body.is_empty() {
        (Value::Null, false)
    } else {
        match std::str::from_utf8(body) {
            Ok(text) => (Value::String(text.to_owned()), false),
            Err(_) => (
                Value::String(base64::engine::general_purpose::STANDARD.encode(body)),
                true,
            ),
        }
    };
    let now = chrono::Utc::now();
    json!({
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": parts.uri.path(),
        "rawQueryString": raw_query,
        "headers": headers,
        "pathParameters": if path_parameters.is_empty() { Value::Null } else { Value::Object(path_parameters) },
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "local",
            "domainName": parts.headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1"),
            "domainPrefix": "local",
            "http": {
                "method": parts.method.as_str(),
                "path": parts.uri.path(),
                "protocol": "HTTP/1.1",
                "sourceIp": peer.ip().to_string(),
                "userAgent": parts.headers.get("user-agent").and_then(|h| h.to_str().ok()).unwrap_or(""),
            },
            "requestId": request_id,
            "routeKey": route_key,
            "stage": "$default",
            "time": now.format("%d/%b/%Y:%H:%M:%S %z").to_string(),
            "timeEpoch": now.timestamp_millis(),
        },
        "body": body_value,
        "isBase64Encoded": is_base64,
    })
}
