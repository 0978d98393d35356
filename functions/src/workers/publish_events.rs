//! The registrations and permits tables' streams → the event bus: every committed change as the
//! domain events other agencies receive (F23; see `shared::events::publisher`).

use aws_lambda_events::event::dynamodb::Event;
use aws_lambda_events::event::streams::DynamoDbEventResponse;
use shared::AppContext;

pub async fn handle(ctx: &AppContext, event: Event) -> DynamoDbEventResponse {
    shared::events::publisher::publish(ctx, event).await
}
