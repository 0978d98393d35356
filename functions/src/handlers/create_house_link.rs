//! `POST /v1/me/houses`: link a house (found by search, or written by hand) for staff review.

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::http::Fields;
use shared::http::bodies;
use shared::http::fields::checked;
use shared::http::response::{ApiResult, json};
use shared::services::authorization;
use shared::services::house_links;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    authorization::require_house_manager(&principal)?;
    let mut f = Fields::from_request(&req)?;
    let request = bodies::houses::link_request(&mut f, "");
    f.finish()?;
    let link = house_links::create(ctx, &principal, checked(request)?).await?;
    json(201, &link)
}
