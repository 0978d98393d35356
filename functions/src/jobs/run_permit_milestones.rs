//! The daily run over residence permits' milestones (EventBridge Scheduler, `ScheduleV2`, every
//! morning China time): reminders when a window opens and 7 days before it closes, suspensions
//! and cancellations as they fall due. `{"day": "YYYY-MM-DD"}` runs another day (catching up a
//! missed run; `rpctl reminders run --date`); without it, today in China.
//!
//! A run with failures answers an error, so that the scheduler retries it: a retry acts only on
//! what is still due (see `shared::services::permit_milestones`).

use serde_json::{Value, json};
use shared::AppContext;
use shared::error::ApiError;
use shared::services::permit_milestones;

pub async fn handle(ctx: &AppContext, event: Value) -> Result<Value, ApiError> {
    let day = match event.get("day").and_then(Value::as_str) {
        Some(day) => shared::domain::date::parse_day(day)
            .map_err(|invalid| ApiError::validation(invalid.at("day")))?,
        None => shared::clock::today_in_china(),
    };
    let report = permit_milestones::run(ctx, day).await?;
    if report.failed > 0 {
        return Err(ApiError::ServiceUnavailable);
    }
    Ok(json!(report))
}
