//! `POST /v1/me/identity-verification`: the online real-name check of the caller's name, ID
//! number and phone (实名认证); 200 `{identity_verified}`.

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::http::Fields;
use shared::http::response::{ApiResult, json};
use shared::services::identity;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    identity::require_citizen(&principal)?;
    Fields::from_optional_request(&req)?.finish()?;
    json(200, &identity::verify_online(ctx, &principal).await?)
}
