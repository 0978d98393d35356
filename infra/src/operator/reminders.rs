//! `rpctl reminders run --date D`: the scheduled function's job (`run-permit-milestones`, the
//! reminders and the status changes that fall due on a day), run here on the local stack or
//! against the deployed tables: the very same handler the schedule invokes.

use std::sync::Arc;

use chrono::NaiveDate;
use serde_json::{Value, json};
use shared::AppContext;
use shared::error::ApiError;

/// The binary (and job) name of the scheduled function.
pub const JOB: &str = "run-permit-milestones";

/// Runs the day's milestones; answers the run's report (`read`, `reminded`, `suspended`,
/// `cancelled`, `skipped`, `failed`).
pub async fn run(ctx: &Arc<AppContext>, day: NaiveDate) -> Result<Value, ApiError> {
    let job = functions::job(JOB).expect("the job is listed in functions::JOBS");
    (job.handler)(ctx.clone(), json!({ "day": day.to_string() })).await
}
