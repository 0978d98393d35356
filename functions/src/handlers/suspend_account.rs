//! `POST /v1/staff/accounts/{account_id}/suspension` (staff) `{reason}`: a reclaim. The real
//! holder of the account's ID document proved themselves at the counter; the account is
//! suspended (session ended, data kept and marked) and its claim of the document released.

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::http::Fields;
use shared::http::bodies;
use shared::http::fields::checked;
use shared::http::request::path_id;
use shared::http::response::{ApiResult, json};
use shared::services::{authorization, identity};

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    authorization::require_staff(&principal)?;
    let account_id = path_id(&req, "account_id")?;
    let mut f = Fields::from_request(&req)?;
    let reason = bodies::accounts::suspension_reason(&mut f);
    f.finish()?;
    json(
        200,
        &identity::suspend_for_reclaim(ctx, &principal, &account_id, checked(reason)?).await?,
    )
}
