//! `POST /v1/me/identity-verification`: the caller proves their identity online (实名认证): by
//! the carrier's real-name check of their phone (`{}` or `{"method": "carrier"}`), or by a face
//! check (`{"method": "face"}` opens it, `{"method": "face", "face_check_id"}` reads it once the
//! app completed it); 200 `{identity_verified, …}`.

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::http::Fields;
use shared::http::bodies;
use shared::http::fields::checked;
use shared::http::response::{ApiResult, json};
use shared::services::identity;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    identity::require_citizen(&principal)?;
    let mut f = Fields::from_optional_request(&req)?;
    let check = bodies::accounts::identity_check(&mut f);
    f.finish()?;
    json(
        200,
        &identity::verify_online(ctx, &principal, checked(check)?).await?,
    )
}
