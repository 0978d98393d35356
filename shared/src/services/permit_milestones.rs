//! The daily run over permits' milestones (F22, `permits.md` "Reminders"): on the day a permit's
//! endorsement window opens, and 7 days before it closes, the holder gets an SMS; on its
//! anniversary an unendorsed permit is written down as suspended, and 2 years later as cancelled
//! (each told by SMS too). The run reads only the day's permits, through the `permit_milestones`
//! index, one Query per shard (never a Scan).
//!
//! Exactly once per milestone, whatever runs twice: acting on a permit first moves it on to its
//! next milestone with a write conditioned on the version read, so a second run (or a retry, or
//! a stale read of the index) finds the permit moved or fails the condition and does nothing.
//! Only the run whose write succeeded queues the SMS; if queueing fails, the permit is moved
//! back (conditioned on the version it wrote) and the run reports the failure, so a retry sends
//! it. (A crash between the write and the queueing loses that one reminder: at most once, never
//! twice.)

use chrono::NaiveDate;
use futures::StreamExt;
use serde::Serialize;

use crate::context::AppContext;
use crate::domain::residence_permit::{Milestone, PermitStatus};
use crate::error::ApiError;
use crate::sms::QueuedSms;
use crate::store::accounts;
use crate::store::permits::{self, MILESTONE_SHARDS, PermitRecord};

/// Permits acted on at once (DynamoDB writes and SQS sends in flight).
const CONCURRENCY: usize = 32;

/// What a run did.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct RunReport {
    pub day: Option<NaiveDate>,
    /// Permits the index listed for the day.
    pub read: usize,
    /// Reminders queued (window opening, window closing).
    pub reminded: usize,
    pub suspended: usize,
    pub cancelled: usize,
    /// Permits another run had acted on already (or that changed meanwhile).
    pub skipped: usize,
    /// Permits whose SMS could not be queued (moved back: a retry acts on them).
    pub failed: usize,
}

enum Outcome {
    Reminded,
    Suspended,
    Cancelled,
    Skipped,
    Failed,
}

/// Runs the milestones of `day` (a China date).
pub async fn run(ctx: &AppContext, day: NaiveDate) -> Result<RunReport, ApiError> {
    let mut report = RunReport {
        day: Some(day),
        ..RunReport::default()
    };
    let shards = futures::future::join_all(
        (0..MILESTONE_SHARDS).map(|shard| permits::due_on(ctx, day, shard)),
    )
    .await;
    let mut due = Vec::new();
    for shard in shards {
        due.extend(shard?);
    }
    report.read = due.len();
    let outcomes: Vec<Outcome> = futures::stream::iter(due)
        .map(|permit| act(ctx, permit, day))
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    for outcome in outcomes {
        match outcome {
            Outcome::Reminded => report.reminded += 1,
            Outcome::Suspended => report.suspended += 1,
            Outcome::Cancelled => report.cancelled += 1,
            Outcome::Skipped => report.skipped += 1,
            Outcome::Failed => report.failed += 1,
        }
    }
    tracing::info!(
        read = report.read,
        reminded = report.reminded,
        suspended = report.suspended,
        cancelled = report.cancelled,
        skipped = report.skipped,
        failed = report.failed,
        "permit milestones run"
    );
    Ok(report)
}

/// What the holder is told at a milestone.
fn notice(permit: &PermitRecord, milestone: Milestone) -> String {
    let window = permit.validity.window();
    match milestone {
        Milestone::WindowOpens => format!(
            "签注期已开始（{} 至 {}），请及时办理签注。",
            window.opens_on, window.closes_on
        ),
        Milestone::WindowClosing => format!(
            "签注期将于 {} 结束，逾期未签注将中止使用。",
            window.closes_on
        ),
        Milestone::Suspension => format!(
            "因逾期未签注已中止使用；{} 前办理签注可恢复使用。",
            permit
                .validity
                .cancelled_from()
                .pred_opt()
                .unwrap_or(window.closes_on)
        ),
        Milestone::Cancellation => "因中止使用满2年未签注已注销，如需居住证请重新申领。".to_owned(),
    }
}

async fn act(ctx: &AppContext, permit: PermitRecord, day: NaiveDate) -> Outcome {
    let Some(milestone) = permit.milestone else {
        return Outcome::Skipped;
    };
    // A stale entry of the index: the permit was endorsed or moved on meanwhile.
    let status = permit.status_on(day);
    let due = permit
        .validity
        .milestones()
        .iter()
        .any(|(on, m)| *on == day && *m == milestone);
    if !due || status == PermitStatus::Cancelled && milestone != Milestone::Cancellation {
        return Outcome::Skipped;
    }
    let mut next = permit.clone();
    next.status = status;
    next.version = permit.version + 1;
    next.updated_at = crate::clock::rfc3339(crate::clock::now());
    next.schedule_from(day.succ_opt().unwrap_or(day));
    match permits::move_on(ctx, &next, permit.version).await {
        Ok(true) => {}
        Ok(false) => return Outcome::Skipped,
        Err(error) => {
            tracing::warn!(?error, "permit milestone not written");
            return Outcome::Failed;
        }
    }
    let sent = match accounts::find_by_id(ctx, &permit.holder).await {
        Ok(Some(holder)) => {
            let text = crate::domain::sms::permit_notice(
                &ctx.config.sms.signature,
                permit.permit_no.as_str(),
                &notice(&permit, milestone),
            );
            let message = QueuedSms::notice(&holder.phone, text, "permit_reminder");
            crate::sms::outbox::enqueue(ctx, &message).await.is_ok()
        }
        // No account any more: nobody to tell; the status is written all the same.
        Ok(None) => true,
        Err(_) => false,
    };
    if !sent {
        let mut back = permit.clone();
        back.version = next.version + 1;
        if let Err(error) = permits::move_on(ctx, &back, next.version).await {
            tracing::warn!(?error, "permit milestone not moved back");
        }
        return Outcome::Failed;
    }
    match milestone {
        Milestone::WindowOpens | Milestone::WindowClosing => Outcome::Reminded,
        Milestone::Suspension => Outcome::Suspended,
        Milestone::Cancellation => Outcome::Cancelled,
    }
}
