//! `POST /v1/staff/accounts/{account_id}/identity-verification` (staff): the holder's document
//! was seen at the counter; the account's identity is verified.

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::http::Fields;
use shared::http::request::path_id;
use shared::http::response::{ApiResult, json};
use shared::services::{authorization, identity};

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    authorization::require_staff(&principal)?;
    let account_id = path_id(&req, "account_id")?;
    Fields::from_optional_request(&req)?.finish()?;
    json(
        200,
        &identity::verify_at_counter(ctx, &principal, &account_id).await?,
    )
}
