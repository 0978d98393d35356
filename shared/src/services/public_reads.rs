//! The public routes need no login, so each client (IPv4 address, or IPv6 /64) gets a budget of
//! requests per minute, counted in DynamoDB so that it holds across every instance.

use lambda_http::Request;

use crate::context::AppContext;
use crate::error::ApiError;
use crate::http::request::{client_ip, client_network};
use crate::store::rate_limits::{self, Window};

/// Counts one public address read for the caller; `RATE_LIMITED` once the minute's budget is
/// spent.
pub async fn admit(ctx: &AppContext, req: &Request) -> Result<(), ApiError> {
    admit_to(
        ctx,
        req,
        "public-read",
        ctx.config.houses.public_reads_per_minute,
    )
    .await
}

/// Counts one receipt check for the caller, against its own (smaller) budget.
pub async fn admit_receipt_check(ctx: &AppContext, req: &Request) -> Result<(), ApiError> {
    admit_to(
        ctx,
        req,
        "receipt-check",
        ctx.config.houses.receipt_checks_per_minute,
    )
    .await
}

async fn admit_to(
    ctx: &AppContext,
    req: &Request,
    bucket: &str,
    per_minute: u32,
) -> Result<(), ApiError> {
    let network = client_network(&client_ip(req));
    let key = rate_limits::key(bucket, &ctx.lookup_hash("ip", &network));
    rate_limits::hit(ctx, &key, Window::MINUTE, per_minute).await
}
