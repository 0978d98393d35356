//! The daily run over permits' milestones (F22, `docs/spec/permits.md` "Reminders"): on the day
//! a permit's endorsement window opens, and 7 days before it closes, the holder gets an SMS; on its
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

/// Permits moved on at once (conditional writes in flight).
const CONCURRENCY: usize = 32;
/// Moved permits told together: their holders read with one BatchGetItem, their SMS queued ten
/// to a SendMessageBatch.
const NOTICE_BATCH: usize = 100;
/// Notice batches in flight at once.
const NOTICE_BATCHES_IN_FLIGHT: usize = 4;

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
        (0..MILESTONE_SHARDS).map(|shard| permits::due_on(&ctx.db, day, shard)),
    )
    .await;
    let mut due = Vec::new();
    for shard in shards {
        due.extend(shard?);
    }
    report.read = due.len();
    let outcomes: Vec<Vec<Outcome>> = futures::stream::iter(due)
        .map(|permit| move_on(ctx, permit, day))
        .buffer_unordered(CONCURRENCY)
        .chunks(NOTICE_BATCH)
        .map(|steps| tell(ctx, steps))
        .buffer_unordered(NOTICE_BATCHES_IN_FLIGHT)
        .collect()
        .await;
    for outcome in outcomes.into_iter().flatten() {
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

/// A permit this run moved on to its next milestone, to be told.
struct Moved {
    /// As read (what to move back to if its SMS cannot be queued).
    read: PermitRecord,
    milestone: Milestone,
    /// The version written.
    version: u32,
}

/// Moves `permit` on past its milestone of `day` with a write conditioned on the version read:
/// only the run whose write succeeds tells the holder.
async fn move_on(ctx: &AppContext, permit: PermitRecord, day: NaiveDate) -> Result<Moved, Outcome> {
    let Some(milestone) = permit.milestone else {
        return Err(Outcome::Skipped);
    };
    // A stale entry of the index: the permit was endorsed or moved on meanwhile.
    let status = permit.status_on(day);
    let due = permit
        .validity
        .milestones()
        .iter()
        .any(|(on, m)| *on == day && *m == milestone);
    if !due || status == PermitStatus::Cancelled && milestone != Milestone::Cancellation {
        return Err(Outcome::Skipped);
    }
    let mut next = permit.clone();
    next.status = status;
    next.version = permit.version + 1;
    next.updated_at = crate::clock::rfc3339(crate::clock::now());
    next.schedule_from(day.succ_opt().unwrap_or(day));
    match permits::move_on(&ctx.db, &next, permit.version).await {
        Ok(true) => Ok(Moved {
            read: permit,
            milestone,
            version: next.version,
        }),
        Ok(false) => Err(Outcome::Skipped),
        Err(error) => {
            tracing::warn!(?error, "permit milestone not written");
            Err(Outcome::Failed)
        }
    }
}

/// Tells the holders of the permits moved on (their accounts read in one batch, their SMS
/// queued in batches); a permit whose SMS cannot be queued is moved back, for a retry to act on.
async fn tell(ctx: &AppContext, steps: Vec<Result<Moved, Outcome>>) -> Vec<Outcome> {
    let mut outcomes = Vec::with_capacity(steps.len());
    let mut moved = Vec::new();
    for step in steps {
        match step {
            Ok(m) => moved.push(m),
            Err(outcome) => outcomes.push(outcome),
        }
    }
    if moved.is_empty() {
        return outcomes;
    }
    let mut ids: Vec<String> = moved.iter().map(|m| m.read.holder.clone()).collect();
    ids.sort();
    ids.dedup();
    let holders = match accounts::find_many(&ctx.db, &ids).await {
        Ok(found) => found,
        Err(error) => {
            tracing::warn!(?error, "permit holders not read");
            for m in &moved {
                move_back(ctx, m).await;
            }
            outcomes.extend(moved.iter().map(|_| Outcome::Failed));
            return outcomes;
        }
    };
    // Each moved permit with the index of its message (none when the account is gone: nobody to
    // tell; the status is written all the same).
    let mut messages = Vec::with_capacity(moved.len());
    let mut message_of = Vec::with_capacity(moved.len());
    for m in &moved {
        let holder = holders.iter().find(|a| a.account_id == m.read.holder);
        message_of.push(holder.map(|holder| {
            let text = crate::domain::sms::permit_notice(
                &ctx.config.sms.signature,
                m.read.permit_no.as_str(),
                &notice(&m.read, m.milestone),
            );
            messages.push(QueuedSms::notice(&holder.phone, text, "permit_reminder"));
            messages.len() - 1
        }));
    }
    let queued = crate::sms::outbox::enqueue_all(ctx, &messages).await;
    for (m, message) in moved.iter().zip(message_of) {
        let sent = message.is_none_or(|i| queued.get(i).copied().unwrap_or(false));
        if !sent {
            move_back(ctx, m).await;
            outcomes.push(Outcome::Failed);
            continue;
        }
        outcomes.push(match m.milestone {
            Milestone::WindowOpens | Milestone::WindowClosing => Outcome::Reminded,
            Milestone::Suspension => Outcome::Suspended,
            Milestone::Cancellation => Outcome::Cancelled,
        });
    }
    outcomes
}

/// Moves a permit back to what was read (conditioned on the version this run wrote), so that a
/// retry acts on it.
async fn move_back(ctx: &AppContext, moved: &Moved) {
    let mut back = moved.read.clone();
    back.version = moved.version + 1;
    if let Err(error) = permits::move_on(&ctx.db, &back, moved.version).await {
        tracing::warn!(?error, "permit milestone not moved back");
    }
}
