//! The public routes need no login, so each client gets a budget of requests per minute, counted
//! in DynamoDB so that it holds across every instance: a signed-in caller (a valid bearer token)
//! per account, so that the thousands of phones behind one carrier-NAT address do not share one
//! budget; anyone else per IPv4 address (or IPv6 /64).

use lambda_http::Request;

use super::limits::Quota;
use crate::context::AppContext;
use crate::domain::client::client_network;
use crate::error::ApiError;
use crate::http::request::client_ip;
use crate::store::rate_limits::Window;

/// Counts one public address read for the caller of `req`; `RATE_LIMITED` once the minute's
/// budget is spent.
pub async fn admit(ctx: &AppContext, req: &Request) -> Result<Quota, ApiError> {
    admit_to(
        ctx,
        req,
        "public-read",
        ctx.config.houses.public_reads_per_minute,
    )
    .await
}

/// Counts one receipt check for the caller, against its own (smaller) budget.
pub async fn admit_receipt_check(ctx: &AppContext, req: &Request) -> Result<Quota, ApiError> {
    admit_to(
        ctx,
        req,
        "receipt-check",
        ctx.config.houses.receipt_checks_per_minute,
    )
    .await
}

/// Counts one permit check for the client, against the same budget as receipt checks (its own
/// count).
pub async fn admit_permit_check(ctx: &AppContext, req: &Request) -> Result<Quota, ApiError> {
    admit_to(
        ctx,
        req,
        "permit-check",
        ctx.config.houses.receipt_checks_per_minute,
    )
    .await
}

async fn admit_to(
    ctx: &AppContext,
    req: &Request,
    scope: &str,
    per_minute: u32,
) -> Result<Quota, ApiError> {
    let caller = match crate::auth::authenticate(ctx, req).await {
        Ok(principal) => format!("account:{}", principal.account_id),
        // No token, or one that is not valid (now): counted by address, never refused for it.
        Err(_) => ctx.db.lookup_hash("ip", &client_network(&client_ip(req))),
    };
    super::limits::hit(ctx, scope, &caller, Window::MINUTE, per_minute).await
}
