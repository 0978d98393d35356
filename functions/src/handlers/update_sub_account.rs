//! `PATCH /v1/unit/sub-accounts/{account_id}`: the unit administrator changes a sub-account's
//! name, phone or houses (F8).

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::http::Fields;
use shared::http::bodies;
use shared::http::fields::checked;
use shared::http::request::path_id;
use shared::http::response::{ApiResult, json};
use shared::services::sub_accounts;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    let account_id = path_id(&req, "account_id")?;
    let member = sub_accounts::managed(ctx, &principal, &account_id).await?;
    let mut f = Fields::from_request(&req)?;
    let changes = bodies::units::sub_account_changes(&mut f);
    f.finish()?;
    json(
        200,
        &sub_accounts::update(ctx, member, checked(changes)?).await?,
    )
}
