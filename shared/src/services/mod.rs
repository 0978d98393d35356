//! The operations themselves, between thin handlers and the store: each takes validated domain
//! values and returns a result or an `ApiError`.

pub mod account_registration;
pub mod account_settings;
pub mod addresses;
pub mod application_changes;
pub mod authorization;
pub mod conflicts;
pub mod data_access;
pub mod document_seals;
pub mod documents;
pub mod house_deregistration;
pub mod house_links;
pub mod idempotency;
pub mod identity;
pub mod limits;
pub mod login;
pub mod password_reset;
pub mod permit_applications;
pub mod permit_decisions;
pub mod permit_milestones;
pub mod permit_photos;
pub mod permits;
pub mod public_reads;
pub mod receipts;
pub mod registrations;
pub mod residence_permits;
pub mod sessions;
pub mod sms_codes;
pub mod sub_accounts;
pub mod unit_permits;
pub mod units;
pub mod views;

/// Runs CPU-heavy work (password hashing) off the async workers.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, crate::error::ApiError> {
    tokio::task::spawn_blocking(work).await.map_err(|error| {
        tracing::error!(%error, "blocking task failed");
        crate::error::ApiError::Internal
    })
}

/// The stored hash of a new password, computed off the async workers.
pub async fn hashed(
    password: crate::domain::password::Password,
) -> Result<String, crate::error::ApiError> {
    blocking(move || crate::domain::password::hash_password(&password)).await
}
