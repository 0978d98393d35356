//! `GET /v1/receipts/{receipt_no}?check_code=` (public, rate-limited): is this receipt genuine,
//! and what does it certify (F24)?

use lambda_http::Request;
use shared::AppContext;
use shared::domain::receipt::ReceiptNo;
use shared::http::request::public_check;
use shared::http::response::{ApiResult, json, with_quota};
use shared::services::{public_reads, receipts};

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    let quota =
        public_reads::admit_receipt_check(ctx, &super::public_caller(ctx, &req).await).await?;
    let (receipt_no, check_code) =
        public_check(&req, "receipt_no", ReceiptNo::parse, "请输入回执上的校验码")?;
    with_quota(
        json(200, &receipts::check(ctx, &receipt_no, &check_code).await?),
        &quota,
    )
}
