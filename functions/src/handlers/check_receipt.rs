//! `GET /v1/receipts/{receipt_no}?check_code=` (public, rate-limited): is this receipt genuine,
//! and what does it certify (F24)?

use lambda_http::Request;
use shared::AppContext;
use shared::domain::receipt::ReceiptNo;
use shared::http::request::{client_ip, public_check};
use shared::http::response::{ApiResult, json};
use shared::services::{public_reads, receipts};

pub async fn handle(ctx: &AppContext, req: Request) -> ApiResult {
    public_reads::admit_receipt_check(ctx, &client_ip(&req)).await?;
    let (receipt_no, check_code) =
        public_check(&req, "receipt_no", ReceiptNo::parse, "请输入回执上的校验码")?;
    json(200, &receipts::check(ctx, &receipt_no, &check_code).await?)
}
