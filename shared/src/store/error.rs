//! What the store answers when it cannot do what was asked, in storage terms: which stored state
//! a condition found instead of the one it required, an unreachable DynamoDB, or an item that
//! cannot be read. Services decide what each means to the caller.

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};

/// The state a conditional write found in place of the one it required.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clash {
    /// Another account holds the username.
    UsernameTaken,
    /// Another account of the phone's scope holds the phone.
    PhoneTaken,
    /// Another account of the type holds the ID document.
    IdDocumentTaken,
    /// The organization (credit code) already has a unit.
    UsccTaken,
    /// The SMS code was used, replaced, exhausted or expired meanwhile.
    CodeSpent,
    /// The session is no longer the account's current one.
    SessionReplaced,
    /// The account was deactivated.
    AccountDeactivated,
    /// The password hash is no longer the one read.
    PasswordChanged,
    /// The account's phone is no longer the one read.
    PhoneChanged,
    /// A sub-account was deactivated or changed since it was read.
    MemberChanged,
    /// The account already has an active link to the house.
    HouseAlreadyLinked,
    /// The link's status is no longer the one read.
    LinkChanged,
    /// A house with that code exists already.
    HouseCodeTaken,
    /// The link is not (or no longer) approved.
    LinkNotApproved,
    /// The person is currently registered in the house.
    PersonAlreadyRegistered,
    /// The receipt number was given out already.
    ReceiptNumberTaken,
    /// The registration is no longer current at the version read.
    RegistrationChanged,
    /// The account is no longer active (suspended or deactivated meanwhile).
    AccountNotActive,
    /// The person has an open residence-permit application already.
    ApplicationPending,
    /// The application changed since it was read.
    ApplicationChanged,
    /// The permit number was given out already.
    PermitNumberTaken,
    /// The permit changed since it was read.
    PermitChanged,
    /// The request's `Idempotency-Key` is no longer held by this run (it outlived its lock and
    /// a retry took the key over).
    KeyOvertaken,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// One or more conditions failed; each says what it found (in the order of the write's
    /// items). Never empty.
    #[error("conditions failed: {0:?}")]
    Conflict(Vec<Clash>),
    /// DynamoDB failed, timed out or throttled: the write did not happen; safe to retry.
    #[error("DynamoDB is unavailable")]
    Unavailable,
    /// A stored item has an unexpected shape, or a record could not be written as an item: a bug.
    #[error("a stored item or a record has an unexpected shape")]
    Corrupt,
}

impl StoreError {
    pub fn conflict(clash: Clash) -> Self {
        Self::Conflict(vec![clash])
    }

    /// Whether the write failed (also) because of `clash`.
    pub fn is(&self, clash: Clash) -> bool {
        matches!(self, Self::Conflict(clashes) if clashes.contains(&clash))
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Logs a failed DynamoDB call (error code and operation only: no keys or values, which may hold
/// personal data) and answers [`StoreError::Unavailable`].
pub fn unavailable<E: ProvideErrorMetadata + std::fmt::Debug, R>(
    operation: &'static str,
    error: SdkError<E, R>,
) -> StoreError {
    let code = error.code().unwrap_or("none").to_owned();
    let kind = match &error {
        SdkError::ServiceError(_) => "service",
        SdkError::TimeoutError(_) => "timeout",
        SdkError::DispatchFailure(_) => "dispatch",
        SdkError::ResponseError(_) => "response",
        SdkError::ConstructionFailure(_) => "construction",
        _ => "other",
    };
    tracing::error!(operation, kind, code, "DynamoDB call failed");
    StoreError::Unavailable
}

/// Whether a failed call was a conditional check failing (an expected outcome, not an outage).
pub fn is_condition_failure<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> bool {
    error.code() == Some("ConditionalCheckFailedException")
}

/// A conditional single-item write's result: `Ok(())`, `clash` when its condition failed.
pub fn conditional<T, E: ProvideErrorMetadata + std::fmt::Debug, R>(
    operation: &'static str,
    result: Result<T, SdkError<E, R>>,
    clash: Clash,
) -> StoreResult<T> {
    match result {
        Ok(output) => Ok(output),
        Err(error) if is_condition_failure(&error) => Err(StoreError::conflict(clash)),
        Err(error) => Err(unavailable(operation, error)),
    }
}

/// A conditional single-item write whose failed condition is an answer, not an error: `Ok(true)`
/// when it was written, `Ok(false)` when its condition failed.
pub fn written<T, E: ProvideErrorMetadata + std::fmt::Debug, R>(
    operation: &'static str,
    result: Result<T, SdkError<E, R>>,
) -> StoreResult<bool> {
    match result {
        Ok(_) => Ok(true),
        Err(error) if is_condition_failure(&error) => Ok(false),
        Err(error) => Err(unavailable(operation, error)),
    }
}
