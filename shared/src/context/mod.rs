//! What every handler works with: configuration and the AWS clients, built once per cold start.

use std::sync::Arc;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_runtime_api::client::interceptors::SharedInterceptor;

use crate::config::{AppConfig, ConfigError};
use crate::store::Db;

#[cfg(feature = "local")]
pub mod local;

pub struct AppContext {
    pub config: AppConfig,
    /// DynamoDB, as the store uses it (its client, tables and key hashing).
    pub db: Db,
    /// Only the SMS sender publishes; request paths enqueue (`sqs`). Built on first use.
    pub sns: LazyClient<aws_sdk_sns::Client>,
    pub sqs: aws_sdk_sqs::Client,
    /// Only the event publisher puts events (F23). Built on first use.
    pub events: LazyClient<aws_sdk_eventbridge::Client>,
    /// Only the functions that issue documents sign with KMS (`crate::documents`). Built on
    /// first use.
    pub kms: LazyClient<aws_sdk_kms::Client>,
    /// LOCAL ONLY: where the local document signer records the KMS call it stands in for.
    #[cfg(feature = "local")]
    pub stand_in_kms: Option<crate::operation_counts::CountingInterceptor>,
}

/// An AWS client built the first time it is used: most functions never call the service, so
/// their cold start does not pay for its configuration. Dereferences to the client.
pub struct LazyClient<C> {
    client: std::sync::OnceLock<C>,
    build: Box<dyn Fn() -> C + Send + Sync>,
}

impl<C> LazyClient<C> {
    pub fn new(build: impl Fn() -> C + Send + Sync + 'static) -> Self {
        Self {
            client: std::sync::OnceLock::new(),
            build: Box::new(build),
        }
    }

    /// Whether the client was built.
    pub fn is_built(&self) -> bool {
        self.client.get().is_some()
    }
}

impl<C> std::ops::Deref for LazyClient<C> {
    type Target = C;

    fn deref(&self) -> &C {
        self.client.get_or_init(|| (self.build)())
    }
}

impl AppContext {
    /// In Lambda: configuration from the environment, secrets from the Secrets Manager secret
    /// named by `SECRETS_ID` (read once, at cold start). Only what Lambda provides is consulted:
    /// the region and the role's credentials from the environment (no credential chain, no
    /// profile files), HTTPS trusting AWS's roots only ([`crate::aws_tls`]), and the endpoint
    /// variables `AWS_ENDPOINT_URL[_<SERVICE>]` when set (the tests start the binary on the
    /// emulators).
    pub async fn for_lambda() -> Result<Arc<Self>, ConfigError> {
        let region = lambda_variable("AWS_REGION").ok_or(ConfigError::Missing("AWS_REGION"))?;
        let sdk = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(region))
            .credentials_provider(aws_sdk_dynamodb::config::SharedCredentialsProvider::new(
                aws_config::environment::EnvironmentVariableCredentialsProvider::new(),
            ))
            .http_client(crate::aws_tls::http_client())
            .build();
        let endpoint = |service: &str| {
            lambda_variable(&format!("AWS_ENDPOINT_URL_{service}"))
                .or_else(|| lambda_variable("AWS_ENDPOINT_URL"))
        };
        let secrets = aws_sdk_secretsmanager::Client::from_conf({
            let mut builder = aws_sdk_secretsmanager::config::Builder::from(&sdk);
            builder.set_endpoint_url(endpoint("SECRETS_MANAGER"));
            builder.build()
        });
        let config = Self::config_with_secrets(&secrets).await?;
        let endpoints = Endpoints {
            dynamodb: endpoint("DYNAMODB"),
            sns: endpoint("SNS"),
            sqs: endpoint("SQS"),
            events: endpoint("EVENTBRIDGE"),
            kms: endpoint("KMS"),
        };
        Ok(Arc::new(Self::with_clients(
            config,
            &sdk,
            endpoints,
            Interceptors::default(),
        )))
    }

    /// For the operator tool against the deployed stack: as [`AppContext::for_lambda`], with the
    /// SDK's default chain (profiles, SSO, the shell's endpoint variables) for credentials and
    /// region.
    pub async fn from_env() -> Result<Arc<Self>, ConfigError> {
        let sdk = aws_config::load_defaults(BehaviorVersion::latest()).await;
        let config = Self::config_with_secrets(&aws_sdk_secretsmanager::Client::new(&sdk)).await?;
        Ok(Arc::new(Self::with_clients(
            config,
            &sdk,
            Endpoints::default(),
            Interceptors::default(),
        )))
    }

    /// The configuration from the environment and, when `SECRETS_ID` names one, the secret.
    async fn config_with_secrets(
        secrets: &aws_sdk_secretsmanager::Client,
    ) -> Result<AppConfig, ConfigError> {
        let secrets = match std::env::var(crate::config::SECRETS_ID) {
            Ok(secret_id) if !secret_id.is_empty() => {
                let output = secrets
                    .get_secret_value()
                    .secret_id(secret_id)
                    .send()
                    .await
                    .map_err(|e| {
                        use aws_sdk_secretsmanager::error::ProvideErrorMetadata;
                        ConfigError::Secret(e.code().unwrap_or("unreachable").to_owned())
                    })?;
                crate::config::secret_variables(output.secret_string().unwrap_or_default())?
            }
            _ => Default::default(),
        };
        AppConfig::from_lookup(|name| {
            std::env::var(name)
                .ok()
                .or_else(|| secrets.get(name).cloned())
        })
    }

    /// A context for unit tests: test configuration, endpoints that nothing listens on.
    #[cfg(test)]
    pub fn for_tests() -> Arc<Self> {
        let nowhere = || Some("http://127.0.0.1:9".to_owned());
        let endpoints = Endpoints {
            dynamodb: nowhere(),
            sns: nowhere(),
            sqs: nowhere(),
            events: nowhere(),
            kms: nowhere(),
        };
        let sdk = fixed_credentials("ap-east-1");
        let config = crate::config::for_tests(&[]);
        Arc::new(Self::with_clients(
            config,
            &sdk,
            endpoints,
            Interceptors::default(),
        ))
    }

    /// The one place the AWS clients are built: each from `sdk`, with its endpoint when one is
    /// given and its interceptor when there is one (the local stack's operation counter).
    /// SNS, EventBridge and KMS are built on first use.
    fn with_clients(
        config: AppConfig,
        sdk: &SdkConfig,
        endpoints: Endpoints,
        interceptors: Interceptors,
    ) -> Self {
        macro_rules! client {
            ($service:ident, $sdk:expr, $endpoint:expr, $interceptor:expr) => {{
                let mut builder = $service::config::Builder::from($sdk);
                if let Some(url) = $endpoint {
                    builder.set_endpoint_url(Some(url));
                }
                if let Some(interceptor) = $interceptor {
                    builder.push_interceptor(interceptor);
                }
                $service::Client::from_conf(builder.build())
            }};
        }
        let sns = {
            let (sdk, url, interceptor) = (sdk.clone(), endpoints.sns, interceptors.sns);
            LazyClient::new(move || client!(aws_sdk_sns, &sdk, url.clone(), interceptor.clone()))
        };
        let events = {
            let (sdk, url, interceptor) = (sdk.clone(), endpoints.events, interceptors.events);
            LazyClient::new(move || {
                client!(aws_sdk_eventbridge, &sdk, url.clone(), interceptor.clone())
            })
        };
        let kms = {
            let (sdk, url, interceptor) = (sdk.clone(), endpoints.kms, interceptors.kms);
            LazyClient::new(move || client!(aws_sdk_kms, &sdk, url.clone(), interceptor.clone()))
        };
        let dynamo = client!(
            aws_sdk_dynamodb,
            sdk,
            endpoints.dynamodb,
            interceptors.dynamodb
        );
        Self {
            db: Db::new(dynamo, config.tables.clone(), config.hash_key.clone()),
            config,
            sns,
            sqs: client!(aws_sdk_sqs, sdk, endpoints.sqs, interceptors.sqs),
            events,
            kms,
            #[cfg(feature = "local")]
            stand_in_kms: None,
        }
    }
}

/// Where each service's calls go; `None`: the SDK configuration's own endpoint.
#[derive(Default)]
struct Endpoints {
    dynamodb: Option<String>,
    sns: Option<String>,
    sqs: Option<String>,
    events: Option<String>,
    kms: Option<String>,
}

/// What each client carries besides the SDK's own interceptors: nothing deployed; the operation
/// counter on the local stack ([`local`]).
#[derive(Default)]
struct Interceptors {
    dynamodb: Option<SharedInterceptor>,
    sns: Option<SharedInterceptor>,
    sqs: Option<SharedInterceptor>,
    events: Option<SharedInterceptor>,
    kms: Option<SharedInterceptor>,
}

/// An SDK configuration with fixed credentials (no credential chain to probe): the emulators'.
#[cfg(any(test, feature = "local"))]
fn fixed_credentials(region: &str) -> SdkConfig {
    let credentials =
        aws_sdk_dynamodb::config::Credentials::new("local", "local", None, None, "local");
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_owned()))
        .credentials_provider(aws_sdk_dynamodb::config::SharedCredentialsProvider::new(
            credentials,
        ))
        .build()
}

/// A variable of the Lambda environment, if set and not empty.
fn lambda_variable(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sns_and_eventbridge_clients_are_built_only_when_used() {
        let ctx = AppContext::for_tests();
        assert!(!ctx.sns.is_built() && !ctx.events.is_built() && !ctx.kms.is_built());
        let _ = ctx.events.config();
        assert!(ctx.events.is_built());
        assert!(!ctx.sns.is_built(), "one client's use builds no other");
    }
}
