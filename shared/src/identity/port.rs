//! What the identity services' ports speak, whichever adapter answers: the person asked about,
//! a face check opened, and why no verdict came back.

use crate::domain::id_document::IdType;

/// Whose identity is checked: the account's name and ID document.
pub struct IdentityQuery<'a> {
    pub real_name: &'a str,
    pub id_type: IdType,
    pub id_number: &'a str,
}

/// Why no verdict came back. Carries no personal data (it is logged).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityServiceError {
    #[error("no {0} service is configured")]
    Unconfigured(&'static str),
    #[error("the identity check service failed: {0}")]
    Unavailable(String),
}

/// A face check the service opened: the app hands `check_id` to the service's SDK, which takes
/// the live face; it can be completed until it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaceCheckStarted {
    pub check_id: String,
    pub expires_in: u64,
}
