//! Online identity verification (实名认证) and the holder's photo, through three ports, each with
//! two adapters:
//!
//! - [`carrier_check`]: the carrier's real-name check (运营商三要素核验) of a phone against a
//!   name and an ID number. Deployed: HTTPS to `CARRIER_CHECK_URL` ([`carrier_https`]).
//! - [`start_face_check`] and [`face_check_result`]: a face check (人脸核验), liveness and
//!   comparison with the ID document's photo, which the person completes in the app with the
//!   service's SDK between the two calls. Deployed: HTTPS to `FACE_CHECK_URL` ([`face_https`]).
//! - [`photo_receipt`]: the photo-receipt service of the authorized studios (数码相片回执): is
//!   this 图像号 a photo of this person, and the photo. Deployed: HTTPS to `PHOTO_RECEIPT_URL`
//!   ([`photo_https`]).
//!
//! Locally they answer from the local identity registry ([`local_registry`],
//! [`local_face_check`], [`local_photo_studio`]), stand-ins for those services that only the local stack configures and
//! only a build with the feature `local` contains.
//! Which adapter runs is configuration ([`crate::config::IdentityService`]); callers never know.

pub mod carrier_https;
pub mod face_https;
mod https;
#[cfg(feature = "local")]
pub mod local_face_check;
#[cfg(feature = "local")]
pub mod local_photo_studio;
#[cfg(feature = "local")]
pub mod local_registry;
pub mod photo_https;
pub mod port;

pub use port::{FaceCheckStarted, IdentityQuery, IdentityServiceError, PhotoQuery, PhotoVerdict};

use crate::config::IdentityService;
use crate::context::AppContext;
use crate::domain::identity::{CarrierVerdict, FaceVerdict};
use crate::domain::phone::PhoneNumber;

/// Asks the carrier whether `phone` is registered in the name and ID document of `query`.
pub async fn carrier_check(
    ctx: &AppContext,
    query: &IdentityQuery<'_>,
    phone: &PhoneNumber,
) -> Result<CarrierVerdict, IdentityServiceError> {
    match &ctx.config.carrier_check {
        IdentityService::Https { url, credential } => {
            carrier_https::check(url, credential, query, phone).await
        }
        #[cfg(feature = "local")]
        IdentityService::LocalRegistry { table } => {
            local_registry::carrier_check(&ctx.db, table, query, phone).await
        }
        IdentityService::Unconfigured => Err(IdentityServiceError::Unconfigured("carrier check")),
    }
}

/// Opens a face check of the person `query` names.
pub async fn start_face_check(
    ctx: &AppContext,
    query: &IdentityQuery<'_>,
) -> Result<FaceCheckStarted, IdentityServiceError> {
    match &ctx.config.face_check {
        IdentityService::Https { url, credential } => {
            face_https::start(url, credential, query).await
        }
        #[cfg(feature = "local")]
        IdentityService::LocalRegistry { table } => {
            local_face_check::start(&ctx.db, table, query).await
        }
        IdentityService::Unconfigured => Err(IdentityServiceError::Unconfigured("face check")),
    }
}

/// Where the face check `check_id` (opened by [`start_face_check`]) stands.
pub async fn face_check_result(
    ctx: &AppContext,
    check_id: &str,
) -> Result<FaceVerdict, IdentityServiceError> {
    match &ctx.config.face_check {
        IdentityService::Https { url, credential } => {
            face_https::result(url, credential, check_id).await
        }
        #[cfg(feature = "local")]
        IdentityService::LocalRegistry { table } => {
            local_face_check::result(&ctx.db, table, check_id).await
        }
        IdentityService::Unconfigured => Err(IdentityServiceError::Unconfigured("face check")),
    }
}

/// Asks the photo-receipt service whether `query`'s receipt is a photo of its ID document.
pub async fn photo_receipt(
    ctx: &AppContext,
    query: &PhotoQuery<'_>,
) -> Result<PhotoVerdict, IdentityServiceError> {
    match &ctx.config.photo_receipts {
        IdentityService::Https { url, credential } => {
            photo_https::lookup(url, credential, query).await
        }
        #[cfg(feature = "local")]
        IdentityService::LocalRegistry { table } => {
            local_photo_studio::lookup(&ctx.db, table, query).await
        }
        IdentityService::Unconfigured => Err(IdentityServiceError::Unconfigured("photo receipt")),
    }
}
