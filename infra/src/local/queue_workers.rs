//! The local stand-in for Lambda's SQS event source mapping: for each queue worker of the
//! template, a poller that long-polls its queue, hands each batch to the very same handler the
//! Lambda binary runs (as the SQS event a deployed function receives), deletes the messages the
//! handler did not report as failed, and leaves the failed ones to come back after the visibility
//! timeout (and, after `maxReceiveCount` receives, to the moto server's redrive to the
//! dead-letter queue).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use aws_lambda_events::event::sqs::SqsEvent;
use aws_sdk_sqs::error::ProvideErrorMetadata;
use aws_sdk_sqs::types::{Message, MessageSystemAttributeName};
use functions::WorkerHandler;
use serde_json::{Map, Value, json};
use shared::AppContext;
use shared::context::local::LocalEndpoints;

use crate::local::api::LocalApiError;
use crate::local::env::queue_url;
use crate::local::queues::queue_arn;
use crate::template::Template;

/// The messages one receive takes at most (the template's `BatchSize`).
const BATCH: i32 = 10;

/// Starts a poller for every queue of every queue worker in the template; each runs until the
/// runtime stops. `endpoints` are the workers' own (the tests count the sender's calls apart).
pub fn spawn_all(
    template: &Template,
    endpoints: &LocalEndpoints,
    overrides: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<tokio::task::JoinHandle<()>>, LocalApiError> {
    let mut pollers = Vec::new();
    for function in template.functions.iter().filter(|f| !f.queues.is_empty()) {
        let Some(WorkerHandler::Queue(handler)) =
            functions::worker(&function.name).map(|w| w.handler)
        else {
            return Err(LocalApiError::UnknownFunction(function.name.clone()));
        };
        let ctx = crate::local::api::function_context(template, function, endpoints, overrides)?;
        for queue in &function.queues {
            let source = Source {
                url: queue_url(endpoints, queue),
                arn: queue_arn(endpoints, queue),
                region: endpoints.region.clone(),
            };
            pollers.push(tokio::spawn(poll(ctx.clone(), handler, source)));
        }
    }
    Ok(pollers)
}

struct Source {
    url: String,
    arn: String,
    region: String,
}

async fn poll(
    ctx: Arc<AppContext>,
    handler: fn(Arc<AppContext>, SqsEvent) -> functions::WorkerFuture,
    source: Source,
) {
    loop {
        let received = ctx
            .sqs
            .receive_message()
            .queue_url(&source.url)
            .max_number_of_messages(BATCH)
            .wait_time_seconds(1)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .send()
            .await;
        let messages = match received {
            Ok(output) => output.messages.unwrap_or_default(),
            Err(error) => {
                tracing::warn!(
                    queue = %source.url,
                    code = error.code().unwrap_or("unreachable"),
                    "queue poll failed"
                );
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if messages.is_empty() {
            continue;
        }
        let answer = handler(ctx.clone(), sqs_event(&messages, &source)).await;
        let failed: HashSet<&str> = answer
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.as_str())
            .collect();
        for message in &messages {
            if failed.contains(message.message_id().unwrap_or("")) {
                continue;
            }
            let deleted = ctx
                .sqs
                .delete_message()
                .queue_url(&source.url)
                .receipt_handle(message.receipt_handle().unwrap_or(""))
                .send()
                .await;
            if let Err(error) = deleted {
                tracing::warn!(
                    code = error.code().unwrap_or("unreachable"),
                    "delete failed"
                );
            }
        }
    }
}

/// The SQS event Lambda would hand the function for these messages.
fn sqs_event(messages: &[Message], source: &Source) -> SqsEvent {
    let records: Vec<Value> = messages
        .iter()
        .map(|message| {
            let attributes: Map<String, Value> = message
                .attributes()
                .map(|all| {
                    all.iter()
                        .map(|(name, value)| (name.as_str().to_owned(), json!(value)))
                        .collect()
                })
                .unwrap_or_default();
            json!({
                "messageId": message.message_id(),
                "receiptHandle": message.receipt_handle(),
                "body": message.body(),
                "md5OfBody": message.md5_of_body(),
                "attributes": attributes,
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": source.arn,
                "awsRegion": source.region,
            })
        })
        .collect();
    serde_json::from_value(json!({ "Records": records })).expect("an SQS event")
}
