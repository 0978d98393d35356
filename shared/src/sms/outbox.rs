//! The request side: a message goes onto the SMS queue, never to SNS.

use aws_sdk_sqs::error::ProvideErrorMetadata;

use crate::context::AppContext;
use crate::error::ApiError;

use super::QueuedSms;

/// Puts `message` on the SMS queue (`SMS_QUEUE_URL`). The answer does not wait for SNS: the
/// sender function delivers it. Fails (503) only when the queue cannot be reached; the caller then
/// withdraws what the message was about.
pub async fn enqueue(ctx: &AppContext, message: &QueuedSms) -> Result<(), ApiError> {
    let body = serde_json::to_string(message).map_err(|_| ApiError::Internal)?;
    let result = ctx
        .sqs
        .send_message()
        .queue_url(&ctx.config.sms.queue_url)
        .message_body(body)
        .send()
        .await;
    match result {
        Ok(output) => {
            tracing::info!(
                purpose = %message.purpose,
                message_id = output.message_id().unwrap_or(""),
                "sms queued"
            );
            Ok(())
        }
        Err(error) => {
            tracing::error!(
                purpose = %message.purpose,
                code = error.code().unwrap_or("unreachable"),
                "sms queue unavailable"
            );
            Err(ApiError::ServiceUnavailable)
        }
    }
}

/// Messages one SendMessageBatch carries at most (SQS's limit).
const BATCH: usize = 10;

/// Puts many messages on the SMS queue, ten to a SendMessageBatch (a tenth of the calls of
/// [`enqueue`], for runs that tell thousands of holders). Answers, in the order given, whether
/// each message was queued: a batch that cannot be sent at all fails each of its messages, and
/// SQS may refuse single entries of a batch it accepts.
pub async fn enqueue_all(ctx: &AppContext, messages: &[QueuedSms]) -> Vec<bool> {
    let batches = messages
        .chunks(BATCH)
        .map(|batch| enqueue_batch(ctx, batch));
    futures::future::join_all(batches)
        .await
        .into_iter()
        .flatten()
        .collect()
}

async fn enqueue_batch(ctx: &AppContext, batch: &[QueuedSms]) -> Vec<bool> {
    let mut entries = Vec::with_capacity(batch.len());
    for (i, message) in batch.iter().enumerate() {
        let Ok(body) = serde_json::to_string(message) else {
            return vec![false; batch.len()];
        };
        let entry = aws_sdk_sqs::types::SendMessageBatchRequestEntry::builder()
            .id(i.to_string())
            .message_body(body)
            .build()
            .expect("id and body are set");
        entries.push(entry);
    }
    let purpose = batch.first().map_or("", |m| m.purpose.as_str());
    let output = match ctx
        .sqs
        .send_message_batch()
        .queue_url(&ctx.config.sms.queue_url)
        .set_entries(Some(entries))
        .send()
        .await
    {
        Ok(output) => output,
        Err(error) => {
            tracing::error!(
                purpose,
                messages = batch.len(),
                code = error.code().unwrap_or("unreachable"),
                "sms queue unavailable"
            );
            return vec![false; batch.len()];
        }
    };
    let mut queued = vec![false; batch.len()];
    for entry in output.successful() {
        if let Some(slot) = entry
            .id()
            .parse::<usize>()
            .ok()
            .and_then(|i| queued.get_mut(i))
        {
            *slot = true;
        }
    }
    let refused = output.failed();
    if let Some(first) = refused.first() {
        tracing::error!(
            purpose,
            refused = refused.len(),
            code = first.code(),
            "sms queue refused messages of a batch"
        );
    }
    tracing::info!(
        purpose,
        queued = queued.iter().filter(|q| **q).count(),
        "sms batch queued"
    );
    queued
}
