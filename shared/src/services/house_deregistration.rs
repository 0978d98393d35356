//! Deregistering a linked house (F15), with its current residents when asked: the link ends at
//! once; the residents are moved out one atomic write each, by a job recorded on the link that
//! any later request for it resumes.

use crate::auth::Principal;
use crate::context::AppContext;
use crate::domain::house_link::LinkStatus;
use crate::domain::registration::Channel;
use crate::error::ApiError;
use crate::store::house_links::{self, LinkRecord, ResidentsJob};
use crate::store::registrations::{self, Actor};

use super::views::house_link::LinkView;

/// `POST /v1/me/houses/{link_id}/deregistration`: ends the link and, when asked, moves its current
/// residents out as of today, each resident in one atomic write. Work that does not fit in the
/// time budget is left recorded on the link and finished by the next request (any of them: the
/// job is idempotent).
/// `link` is the caller's own ([`own_link`], obtained before the body is read).
pub async fn deregister(
    ctx: &AppContext,
    principal: &Principal,
    link: LinkRecord,
    deregister_residents: bool,
) -> Result<LinkView, ApiError> {
    let link_id = link.link_id.clone();
    let job = || ResidentsJob {
        moved_out_on: crate::clock::today_in_china(),
        started_at: crate::clock::rfc3339(crate::clock::now()),
    };
    let mut link = match link.status {
        LinkStatus::Pending | LinkStatus::Approved => {
            let link =
                house_links::deregister(&ctx.db, &link, deregister_residents.then(job)).await?;
            tracing::info!(account_id = %principal.account_id, %link_id, "house link deregistered");
            link
        }
        LinkStatus::Rejected => {
            return Err(ApiError::Conflict {
                title: "已驳回的房屋关联无需注销",
                errors: Vec::new(),
            });
        }
        LinkStatus::Deregistered => {
            if deregister_residents && link.residents_job.is_none() {
                let job = job();
                house_links::start_residents_job(&ctx.db, &link, &job).await?;
                // Whichever request started it, the stored job is the one to finish.
                house_links::get(&ctx.db, &link.account_id, &link.link_id)
                    .await?
                    .ok_or(ApiError::NotFound)?
            } else {
                link
            }
        }
    };
    let mut completed = false;
    if let Some(job) = link.residents_job.clone() {
        completed = run_residents_job(ctx, &link, &job).await?;
        if completed {
            link.residents_job = None;
        }
    }
    let mut view = LinkView::from(&link);
    if completed {
        view.residents_deregistration = Some("completed");
    }
    Ok(view)
}

/// Works through the link's current residents until none is left (`true`) or the time budget is
/// spent (`false`; at least one resident is done per call, so every call makes progress).
pub async fn run_residents_job(
    ctx: &AppContext,
    link: &LinkRecord,
    job: &ResidentsJob,
) -> Result<bool, ApiError> {
    let deadline = std::time::Instant::now() + ctx.config.houses.deregistration_time_budget;
    let by = Actor {
        account_id: link.account_id.clone(),
        channel: Channel::Online,
    };
    loop {
        let residents = registrations::current_under_link(&ctx.db, &link.link_id, 25).await?;
        if residents.is_empty() {
            house_links::finish_residents_job(&ctx.db, link).await?;
            return Ok(true);
        }
        for resident in &residents {
            super::registrations::move_out_with_house(ctx, resident, job.moved_out_on, &by).await?;
            if std::time::Instant::now() >= deadline {
                tracing::info!(link_id = %link.link_id, "residents deregistration continues on the next request");
                return Ok(false);
            }
        }
    }
}
