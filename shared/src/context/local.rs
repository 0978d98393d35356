//! LOCAL ONLY (feature `local`, which the Lambda build never enables): contexts on the local
//! emulators, whose clients count every call ([`crate::operation_counts`]).

use std::sync::Arc;

use aws_smithy_runtime_api::client::interceptors::SharedInterceptor;

use super::{AppContext, Endpoints, Interceptors, fixed_credentials};
use crate::config::AppConfig;
use crate::operation_counts::{OperationCounter, Service};

/// Where the AWS services are, when they are not AWS itself (the local stack).
#[derive(Debug, Clone)]
pub struct LocalEndpoints {
    pub dynamodb: String,
    pub sns: String,
    pub sqs: String,
    /// EventBridge (the moto server that serves SNS and SQS).
    pub events: String,
    /// KMS (the moto server too): the document signer's KMS adapter, when a stack runs it.
    pub kms: String,
    pub region: String,
    /// Appended to every queue name: stacks side by side in one process (the tests) each have
    /// their own queues. Empty for `make run`.
    pub queue_suffix: String,
    /// Counts the operations of every context made on these endpoints (tests and benchmarks).
    pub counter: Option<OperationCounter>,
}

impl AppContext {
    /// Against local emulators, with fixed credentials (no credential chain to probe).
    pub fn local(config: AppConfig, endpoints: &LocalEndpoints) -> Arc<Self> {
        Self::local_function(config, endpoints, "")
    }

    /// As [`AppContext::local`], for the template's function `function` (its `PLATFORM_FUNCTION`):
    /// what its clients call is recorded under its name.
    pub fn local_function(
        config: AppConfig,
        endpoints: &LocalEndpoints,
        function: &str,
    ) -> Arc<Self> {
        let sdk = fixed_credentials(&endpoints.region);
        let urls = Endpoints {
            dynamodb: Some(endpoints.dynamodb.clone()),
            sns: Some(endpoints.sns.clone()),
            sqs: Some(endpoints.sqs.clone()),
            events: Some(endpoints.events.clone()),
            kms: Some(endpoints.kms.clone()),
        };
        let interceptors = match &endpoints.counter {
            Some(counter) => {
                let counting = |service| {
                    Some(SharedInterceptor::new(
                        counter.interceptor(service, function),
                    ))
                };
                Interceptors {
                    dynamodb: counting(Service::DynamoDb),
                    sns: counting(Service::Sns),
                    sqs: counting(Service::Sqs),
                    events: counting(Service::EventBridge),
                    kms: counting(Service::Kms),
                }
            }
            None => Interceptors::default(),
        };
        let mut ctx = Self::with_clients(config, &sdk, urls, interceptors);
        ctx.stand_in_kms = endpoints
            .counter
            .as_ref()
            .map(|counter| counter.interceptor(Service::Kms, function));
        Arc::new(ctx)
    }
}
