//! Creating the template's SQS queues on the moto server: locally a queue is named after its
//! logical id plus the stack's suffix ([`crate::local::env::queue_name`]), with the template's
//! visibility timeout, retention and redrive policy (dead-letter queue and `maxReceiveCount`).

use aws_sdk_sqs::Client;
use aws_sdk_sqs::error::ProvideErrorMetadata;
use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::{Value, json};
use shared::context::local::LocalEndpoints;

use crate::local::env::{LOCAL_ACCOUNT, queue_name, queue_url, resolve};
use crate::template::{QueueDef, Template};

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("queue {queue}: {message}")]
    Definition { queue: String, message: String },
    #[error("queue {queue}: SQS refused: {code}")]
    Sqs { queue: String, code: String },
}

/// The ARN of a queue of the template, locally.
pub fn queue_arn(endpoints: &LocalEndpoints, logical_id: &str) -> String {
    format!(
        "arn:aws:sqs:{}:{LOCAL_ACCOUNT}:{}",
        endpoints.region,
        queue_name(endpoints, logical_id)
    )
}

/// Creates every queue of the template (dead-letter queues first) or brings an existing one to
/// the template's attributes; `visibility_timeout` overrides the template's (the tests retry
/// within a second). Returns the local names.
pub async fn create_all(
    sqs: &Client,
    template: &Template,
    endpoints: &LocalEndpoints,
    visibility_timeout: Option<u32>,
) -> Result<Vec<String>, QueueError> {
    let (dead_letter, redriven): (Vec<&QueueDef>, Vec<&QueueDef>) = template
        .queues
        .iter()
        .partition(|q| q.properties["RedrivePolicy"].is_null());
    let mut names = Vec::new();
    for queue in dead_letter.into_iter().chain(redriven) {
        let name = queue_name(endpoints, &queue.logical_id);
        let failed = |e: &dyn ProvideErrorMetadata| QueueError::Sqs {
            queue: name.clone(),
            code: e.code().unwrap_or("unreachable").to_owned(),
        };
        sqs.create_queue()
            .queue_name(&name)
            .send()
            .await
            .map_err(|e| failed(&e))?;
        let mut request = sqs
            .set_queue_attributes()
            .queue_url(queue_url(endpoints, &queue.logical_id));
        for (attribute, value) in attributes(template, endpoints, queue, visibility_timeout)? {
            request = request.attributes(attribute, value);
        }
        request.send().await.map_err(|e| failed(&e))?;
        names.push(name);
    }
    Ok(names)
}

fn attributes(
    template: &Template,
    endpoints: &LocalEndpoints,
    queue: &QueueDef,
    visibility_timeout: Option<u32>,
) -> Result<Vec<(QueueAttributeName, String)>, QueueError> {
    let definition = |message: String| QueueError::Definition {
        queue: queue.logical_id.clone(),
        message,
    };
    let props = &queue.properties;
    let value = |name: &str| resolve(template, endpoints, &props[name]);
    let mut attributes = Vec::new();
    if let Some(seconds) = visibility_timeout
        .map(|s| s.to_string())
        .or_else(|| value("VisibilityTimeout"))
    {
        attributes.push((QueueAttributeName::VisibilityTimeout, seconds));
    }
    if let Some(seconds) = value("MessageRetentionPeriod") {
        attributes.push((QueueAttributeName::MessageRetentionPeriod, seconds));
    }
    let redrive = &props["RedrivePolicy"];
    if !redrive.is_null() {
        let Value::String(target) = &redrive["deadLetterTargetArn"]["Fn::GetAtt"][0] else {
            return Err(definition(
                "RedrivePolicy.deadLetterTargetArn must be !GetAtt <queue>.Arn".into(),
            ));
        };
        if template.queue(target).is_none() {
            return Err(definition(format!(
                "dead-letter queue {target} is not a queue"
            )));
        }
        let max_receives = resolve(template, endpoints, &redrive["maxReceiveCount"])
            .ok_or_else(|| definition("RedrivePolicy.maxReceiveCount is missing".into()))?;
        let policy = json!({
            "deadLetterTargetArn": queue_arn(endpoints, target),
            "maxReceiveCount": max_receives,
        });
        attributes.push((QueueAttributeName::RedrivePolicy, policy.to_string()));
    }
    Ok(attributes)
}
