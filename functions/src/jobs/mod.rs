//! Scheduled jobs: `handle(&AppContext, serde_json::Value) -> Result<Value, ApiError>`, invoked by
//! EventBridge Scheduler with the schedule's input.

pub mod run_permit_milestones;
