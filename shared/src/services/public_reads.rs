//! The public routes need no login, so each client (IPv4 address, or IPv6 /64) gets a budget of
//! requests per minute, counted in DynamoDB so that it holds across every instance.

use crate::context::AppContext;
use crate::domain::client::client_network;
use crate::error::ApiError;
use crate::store::rate_limits::Window;

/// Counts one public address read for the client at `client_ip`; `RATE_LIMITED` once the
/// minute's budget is spent.
pub async fn admit(ctx: &AppContext, client_ip: &str) -> Result<(), ApiError> {
    admit_to(
        ctx,
        client_ip,
        "public-read",
        ctx.config.houses.public_reads_per_minute,
    )
    .await
}

/// Counts one receipt check for the client, against its own (smaller) budget.
pub async fn admit_receipt_check(ctx: &AppContext, client_ip: &str) -> Result<(), ApiError> {
    admit_to(
        ctx,
        client_ip,
        "receipt-check",
        ctx.config.houses.receipt_checks_per_minute,
    )
    .await
}

/// Counts one permit check for the client, against the same budget as receipt checks (its own
/// count).
pub async fn admit_permit_check(ctx: &AppContext, client_ip: &str) -> Result<(), ApiError> {
    admit_to(
        ctx,
        client_ip,
        "permit-check",
        ctx.config.houses.receipt_checks_per_minute,
    )
    .await
}

async fn admit_to(
    ctx: &AppContext,
    client_ip: &str,
    scope: &str,
    per_minute: u32,
) -> Result<(), ApiError> {
    let client = ctx.db.lookup_hash("ip", &client_network(client_ip));
    super::limits::hit(ctx, scope, &client, Window::MINUTE, per_minute).await
}
