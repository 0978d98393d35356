//! `SmsQueue` → SNS: delivers the messages requests have queued (see `shared::sms`).

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use shared::AppContext;

pub async fn handle(ctx: &AppContext, event: SqsEvent) -> SqsBatchResponse {
    shared::sms::sender::deliver(ctx, event).await
}
