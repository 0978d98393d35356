//! The public address routes need no login, so each client (IPv4 address, or IPv6 /64) gets a
//! budget of requests per minute, counted in DynamoDB so that it holds across every instance.

use lambda_http::Request;

use crate::context::AppContext;
use crate::error::ApiError;
use crate::http::request::{client_ip, client_network};
use crate::store::rate_limits::{self, Window};

/// Counts one public read for the caller; `RATE_LIMITED` once the minute's budget is spent.
pub async fn admit(ctx: &AppContext, req: &Request) -> Result<(), ApiError> {
    let network = client_network(&client_ip(req));
    let key = rate_limits::key("public-read", &ctx.lookup_hash("ip", &network));
    rate_limits::hit(
        ctx,
        &key,
        Window::MINUTE,
        ctx.config.houses.public_reads_per_minute,
    )
    .await
}
