//! The sender function's work: each queued message to the SMS carrier ([`super::carrier`], SNS).
//! The carrier absorbs throttling within a try; a try that still fails is reported as a batch item failure, so
//! the queue offers the message again after its visibility timeout, up to
//! `SMS_DELIVERY_ATTEMPTS` tries (the queue's `maxReceiveCount`). On the last failed try the
//! message's code is withdrawn, and the queue moves the message to its dead-letter queue.

use crate::context::AppContext;
use crate::store::verification_codes;
use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};

use super::QueuedSms;

/// What became of one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Sent,
    /// Its code expired while it waited: sending it would only cost money.
    Expired,
    /// To be offered again (or, after the last try, to go to the dead-letter queue).
    Failed,
}

/// Delivers a batch; the answer names the messages that failed (`ReportBatchItemFailures`), so
/// that only those are offered again.
pub async fn deliver(ctx: &AppContext, event: SqsEvent) -> SqsBatchResponse {
    let outcomes =
        futures::future::join_all(event.records.iter().map(|record| deliver_one(ctx, record)))
            .await;
    let mut response = SqsBatchResponse::default();
    for (record, outcome) in event.records.iter().zip(outcomes) {
        if outcome == Outcome::Failed {
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = record.message_id.clone().unwrap_or_default();
            response.batch_item_failures.push(failure);
        }
    }
    response
}

async fn deliver_one(ctx: &AppContext, record: &SqsMessage) -> Outcome {
    let message_id = record.message_id.as_deref().unwrap_or("");
    let attempt: u32 = record
        .attributes
        .get("ApproximateReceiveCount")
        .and_then(|count| count.parse().ok())
        .unwrap_or(1);
    let Some(message) = record
        .body
        .as_deref()
        .and_then(|body| serde_json::from_str::<QueuedSms>(body).ok())
    else {
        tracing::error!(message_id, attempt, "sms message unreadable");
        return Outcome::Failed;
    };
    let purpose = message.purpose.as_str();
    if let Some(code) = &message.code
        && code.expires_at <= crate::clock::epoch_seconds()
    {
        tracing::warn!(purpose, message_id, attempt, "sms code expired unsent");
        return Outcome::Expired;
    }
    match super::carrier::Carrier::of(ctx)
        .send(&message.phone, &message.text)
        .await
    {
        Ok(carrier_message_id) => {
            tracing::info!(purpose, message_id, attempt, %carrier_message_id, "sms sent");
            Outcome::Sent
        }
        Err(error_code) if attempt >= ctx.config.sms.delivery_attempts => {
            if let Some(code) = &message.code
                && let Err(error) =
                    verification_codes::delete_undelivered(&ctx.db, &code.key, &code.code_hash)
                        .await
            {
                tracing::error!(
                    purpose,
                    message_id,
                    ?error,
                    "undelivered code not withdrawn"
                );
            }
            tracing::error!(
                purpose,
                message_id,
                attempt,
                code = %error_code,
                "sms undeliverable: code withdrawn, message left to the dead-letter queue"
            );
            Outcome::Failed
        }
        Err(error_code) => {
            tracing::warn!(purpose, message_id, attempt, code = %error_code, "sms publish failed");
            Outcome::Failed
        }
    }
}
