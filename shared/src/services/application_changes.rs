//! Writing a change of a permit application and answering a change that cannot be made: 409
//! with the application's status now, whether the status did not allow the act or another
//! change (a concurrent decision, progress step or withdrawal) came first.

use crate::context::AppContext;
use crate::domain::permit::ApplicationStatus;
use crate::error::ApiError;
use crate::store::permits::{self, ApplicationChange, ApplicationRecord};
use crate::store::{Clash, StoreError};

/// 409 for an application that is not in a status the act needs, with its status now.
pub fn status_conflict(title: &'static str, status: ApplicationStatus) -> ApiError {
    ApiError::StatusConflict {
        title,
        current_status: status.as_str(),
        current_label: status.label(),
    }
}

/// What a failed write of an application's change answers: when another change came first (a
/// concurrent decision, progress step or withdrawal), 409 with the status it left; otherwise
/// the store error's answer.
pub async fn change_failed(ctx: &AppContext, application_id: &str, error: StoreError) -> ApiError {
    if error.is(Clash::ApplicationChanged)
        && let Ok(Some(now)) = permits::get(&ctx.db, application_id).await
    {
        return status_conflict("该申请的状态已变化，请刷新后重试", now.status);
    }
    error.into()
}

/// [`permits::change_status`], with a lost race answered by [`change_failed`].
pub async fn change_status(
    ctx: &AppContext,
    next: &ApplicationRecord,
    read_version: u32,
    change: &ApplicationChange,
) -> Result<(), ApiError> {
    match permits::change_status(&ctx.db, next, read_version, change).await {
        Ok(()) => Ok(()),
        Err(error) => Err(change_failed(ctx, &next.application_id, error).await),
    }
}
