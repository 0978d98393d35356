//! The public routes need no login, so each client gets a budget of requests per minute, counted
//! in DynamoDB so that it holds across every instance: a signed-in caller (a valid bearer token)
//! per account, so that the thousands of phones behind one carrier-NAT address do not share one
//! budget; anyone else per IPv4 address (or IPv6 /64), with a budget sized for the many phones
//! such an address stands for (the README's sizing).

use super::limits::Quota;
use crate::context::AppContext;
use crate::domain::client::client_network;
use crate::error::ApiError;
use crate::store::rate_limits::Window;

/// Who a public read is counted for (`crate::auth::public_caller` tells from the request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// A signed-in caller: its account id.
    Account(String),
    /// Anyone else: the address the connection came from.
    Address(String),
}

/// Counts one public address read for `caller`; `RATE_LIMITED` once the minute's
/// budget is spent.
pub async fn admit(ctx: &AppContext, caller: &Caller) -> Result<Quota, ApiError> {
    let settings = &ctx.config.houses;
    let per_minute = match caller {
        Caller::Account(_) => settings.public_reads_per_minute,
        Caller::Address(_) => settings.public_reads_per_minute_per_address,
    };
    admit_to(ctx, caller, "public-read", per_minute).await
}

/// Counts one receipt check for the caller, against its own (smaller) budget.
pub async fn admit_receipt_check(ctx: &AppContext, caller: &Caller) -> Result<Quota, ApiError> {
    admit_to(
        ctx,
        caller,
        "receipt-check",
        ctx.config.houses.receipt_checks_per_minute,
    )
    .await
}

/// Counts one permit check for the client, against the same budget as receipt checks (its own
/// count).
pub async fn admit_permit_check(ctx: &AppContext, caller: &Caller) -> Result<Quota, ApiError> {
    admit_to(
        ctx,
        caller,
        "permit-check",
        ctx.config.houses.receipt_checks_per_minute,
    )
    .await
}

async fn admit_to(
    ctx: &AppContext,
    caller: &Caller,
    scope: &str,
    per_minute: u32,
) -> Result<Quota, ApiError> {
    let subject = match caller {
        Caller::Account(account_id) => format!("account:{account_id}"),
        Caller::Address(ip) => ctx.db.lookup_hash("ip", &client_network(ip)),
    };
    super::limits::hit(ctx, scope, &subject, Window::MINUTE, per_minute).await
}
