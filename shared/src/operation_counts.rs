//! Counts the AWS operations clients issue, by kind: the local stack installs a counter on its
//! clients (never the deployed functions) so that the end-to-end tests and benchmarks can prove,
//! by observation, that no request path runs a Scan, that none calls SNS (messages are only
//! enqueued), and what each route costs. Each counter is its own: two stacks in one process, or
//! the API and the SMS sender of one stack, count apart.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_sdk_dynamodb::config::interceptors::BeforeSerializationInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept};
use aws_sdk_dynamodb::error::BoxError;
use aws_sdk_dynamodb::operation::query::QueryInput;
use aws_sdk_dynamodb::operation::scan::ScanInput;
use aws_sdk_sns::operation::publish::PublishInput;
use aws_sdk_sqs::operation::send_message::SendMessageInput;
use aws_sdk_sqs::operation::send_message_batch::SendMessageBatchInput;

/// How many operations of each kind were issued so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationCounts {
    /// DynamoDB operations of any kind.
    pub calls: u64,
    pub queries: u64,
    pub scans: u64,
    /// SNS `Publish` calls (an SMS each).
    pub sns_publishes: u64,
    /// SQS send calls (`SendMessage`, or `SendMessageBatch` of up to ten).
    pub sqs_sends: u64,
    /// The messages those calls carried (an SMS enqueued each).
    pub sqs_messages: u64,
}

#[derive(Debug, Default)]
struct Counters {
    calls: AtomicU64,
    queries: AtomicU64,
    scans: AtomicU64,
    sns_publishes: AtomicU64,
    sqs_sends: AtomicU64,
    sqs_messages: AtomicU64,
}

/// The counts of one stack (or one part of it); clones share their counts.
#[derive(Debug, Clone, Default)]
pub struct OperationCounter(Arc<Counters>);

/// The client an interceptor sits on.
#[derive(Debug, Clone, Copy)]
pub enum Service {
    DynamoDb,
    Sns,
    Sqs,
}

/// The interceptor installed on one client: counts into its [`OperationCounter`].
#[derive(Debug, Clone)]
pub struct CountingInterceptor {
    counters: Arc<Counters>,
    service: Service,
}

impl OperationCounter {
    pub fn counts(&self) -> OperationCounts {
        OperationCounts {
            calls: self.0.calls.load(Ordering::SeqCst),
            queries: self.0.queries.load(Ordering::SeqCst),
            scans: self.0.scans.load(Ordering::SeqCst),
            sns_publishes: self.0.sns_publishes.load(Ordering::SeqCst),
            sqs_sends: self.0.sqs_sends.load(Ordering::SeqCst),
            sqs_messages: self.0.sqs_messages.load(Ordering::SeqCst),
        }
    }

    /// The interceptor for a client of `service`.
    pub fn interceptor(&self, service: Service) -> CountingInterceptor {
        CountingInterceptor {
            counters: self.0.clone(),
            service,
        }
    }
}

impl Intercept for CountingInterceptor {
    fn name(&self) -> &'static str {
        "CountingInterceptor"
    }

    fn read_before_execution(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let input = context.input();
        let count = |counter: &AtomicU64| counter.fetch_add(1, Ordering::SeqCst);
        match self.service {
            Service::DynamoDb => {
                count(&self.counters.calls);
                if input.downcast_ref::<ScanInput>().is_some() {
                    count(&self.counters.scans);
                } else if input.downcast_ref::<QueryInput>().is_some() {
                    count(&self.counters.queries);
                }
            }
            Service::Sns => {
                if input.downcast_ref::<PublishInput>().is_some() {
                    count(&self.counters.sns_publishes);
                }
            }
            Service::Sqs => {
                let messages = match (
                    input.downcast_ref::<SendMessageInput>(),
                    input.downcast_ref::<SendMessageBatchInput>(),
                ) {
                    (Some(_), _) => 1,
                    (None, Some(batch)) => batch.entries().len() as u64,
                    (None, None) => 0,
                };
                if messages > 0 {
                    count(&self.counters.sqs_sends);
                    self.counters
                        .sqs_messages
                        .fetch_add(messages, Ordering::SeqCst);
                }
            }
        }
        Ok(())
    }
}
