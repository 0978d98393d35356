//! `POST /v1/me/houses/{link_id}/deregistration`: end a house link, optionally moving its current
//! residents out with it (F15).

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::http::Fields;
use shared::http::fields::checked;
use shared::http::request::path_id;
use shared::http::response::{ApiResult, json};
use shared::services::{authorization, house_deregistration};

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    let link_id = path_id(&req, "link_id")?;
    let link = authorization::own_link(ctx, &principal, &link_id).await?;
    let mut f = Fields::from_request(&req)?;
    let deregister_residents = f.required_bool("deregister_residents");
    f.finish()?;
    let link =
        house_deregistration::deregister(ctx, &principal, link, checked(deregister_residents)?)
            .await?;
    json(200, &link)
}
