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

/// A photo receipt asked about: its 图像号 and the ID document it should have been taken for.
pub struct PhotoQuery<'a> {
    pub photo_receipt_no: &'a str,
    pub id_type: IdType,
    pub id_number: &'a str,
}

/// What the photo-receipt service says of a [`PhotoQuery`].
#[derive(Clone, PartialEq, Eq)]
pub enum PhotoVerdict {
    /// The receipt was taken for that ID document: its photo (JPEG).
    Match(Vec<u8>),
    /// The receipt exists, taken for another person.
    Mismatch,
    /// No such receipt.
    Unknown,
}

impl std::fmt::Debug for PhotoVerdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Match(jpeg) => write!(f, "Match(<{} bytes of photo>)", jpeg.len()),
            Self::Mismatch => write!(f, "Mismatch"),
            Self::Unknown => write!(f, "Unknown"),
        }
    }
}
