//! Counts the DynamoDB operations this process issues, by kind: installed on the local stack's
//! clients so that the end-to-end tests can prove, by observation, that no request path runs a
//! Scan (besides the source check in `tests/tests/routes.rs`).

use std::sync::atomic::{AtomicU64, Ordering};

use aws_sdk_dynamodb::config::interceptors::BeforeSerializationInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept};
use aws_sdk_dynamodb::error::BoxError;
use aws_sdk_dynamodb::operation::query::QueryInput;
use aws_sdk_dynamodb::operation::scan::ScanInput;

static CALLS: AtomicU64 = AtomicU64::new(0);
static QUERIES: AtomicU64 = AtomicU64::new(0);
static SCANS: AtomicU64 = AtomicU64::new(0);

/// How many DynamoDB operations of each kind this process has issued so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationCounts {
    pub calls: u64,
    pub queries: u64,
    pub scans: u64,
}

pub fn counts() -> OperationCounts {
    OperationCounts {
        calls: CALLS.load(Ordering::SeqCst),
        queries: QUERIES.load(Ordering::SeqCst),
        scans: SCANS.load(Ordering::SeqCst),
    }
}

/// The interceptor that counts (see [`counts`]).
#[derive(Debug, Default)]
pub struct OperationCounter;

impl Intercept for OperationCounter {
    fn name(&self) -> &'static str {
        "OperationCounter"
    }

    fn read_before_execution(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        CALLS.fetch_add(1, Ordering::SeqCst);
        let input = context.input();
        if input.downcast_ref::<ScanInput>().is_some() {
            SCANS.fetch_add(1, Ordering::SeqCst);
        } else if input.downcast_ref::<QueryInput>().is_some() {
            QUERIES.fetch_add(1, Ordering::SeqCst);
        }
        Ok(())
    }
}
