//! `GET /v1/permits/{permit_no}?check_code=` (public, rate-limited): is this permit genuine, and
//! is it valid now? The same answer for a wrong code and an unknown number; the name masked.

use lambda_http::Request;
use shared::AppContext;
use shared::domain::residence_permit::PermitNo;
use shared::http::request::public_check;
use shared::http::response::{ApiResult, json, with_quota};
use shared::services::{public_reads, residence_permits};

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let quota =
        public_reads::admit_permit_check(ctx, &super::public_caller(ctx, &req).await).await?;
    let (permit_no, check_code) =
        public_check(&req, "permit_no", PermitNo::parse, "请输入居住证上的校验码")?;
    with_quota(
        json(
            200,
            &residence_permits::check(ctx, &permit_no, &check_code).await?,
        ),
        &quota,
    )
}
