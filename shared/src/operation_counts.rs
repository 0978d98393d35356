//! Counts the DynamoDB operations a client issues, by kind: the local stack installs a counter
//! on its clients (never the deployed functions) so that the end-to-end tests and benchmarks can
//! prove, by observation, that no request path runs a Scan and what each route costs. Each
//! counter is its own: two stacks in one process count apart.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_sdk_dynamodb::config::interceptors::BeforeSerializationInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept};
use aws_sdk_dynamodb::error::BoxError;
use aws_sdk_dynamodb::operation::query::QueryInput;
use aws_sdk_dynamodb::operation::scan::ScanInput;

/// How many DynamoDB operations of each kind were issued so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationCounts {
    pub calls: u64,
    pub queries: u64,
    pub scans: u64,
}

#[derive(Debug, Default)]
struct Counters {
    calls: AtomicU64,
    queries: AtomicU64,
    scans: AtomicU64,
}

/// The interceptor that counts; clones share their counts.
#[derive(Debug, Clone, Default)]
pub struct OperationCounter(Arc<Counters>);

impl OperationCounter {
    pub fn counts(&self) -> OperationCounts {
        OperationCounts {
            calls: self.0.calls.load(Ordering::SeqCst),
            queries: self.0.queries.load(Ordering::SeqCst),
            scans: self.0.scans.load(Ordering::SeqCst),
        }
    }
}

impl Intercept for OperationCounter {
    fn name(&self) -> &'static str {
        "OperationCounter"
    }

    fn read_before_execution(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.calls.fetch_add(1, Ordering::SeqCst);
        let input = context.input();
        if input.downcast_ref::<ScanInput>().is_some() {
            self.0.scans.fetch_add(1, Ordering::SeqCst);
        } else if input.downcast_ref::<QueryInput>().is_some() {
            self.0.queries.fetch_add(1, Ordering::SeqCst);
        }
        Ok(())
    }
}
