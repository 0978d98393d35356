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
