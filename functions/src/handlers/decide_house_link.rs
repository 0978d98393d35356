//! `POST /v1/staff/house-links/{link_id}/decision` (staff): approve or reject a pending link; a
//! hand-written address is approved onto a house record (`house_id`, or `new_house` to create it).

use lambda_http::Request;
use shared::AppContext;
use shared::auth::authenticate;
use shared::http::Fields;
use shared::http::bodies;
use shared::http::fields::checked;
use shared::http::request::path_id;
use shared::http::response::{ApiResult, json};
use shared::services::authorization;
use shared::services::house_links;

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let principal = authenticate(ctx, &req).await?;
    let link_id = path_id(&req, "link_id")?;
    let link = authorization::staff_link(ctx, &principal, &link_id).await?;
    let mut f = Fields::from_request(&req)?;
    let request = bodies::houses::decision_request(&mut f);
    f.finish()?;
    let link = house_links::decide(ctx, &principal, link, checked(request)?).await?;
    json(200, &link)
}
