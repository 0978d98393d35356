//! The holder's photo on a permit (issue 31): the studio's 数码相片回执 an application names is
//! checked when it is filed (it must exist, and be a photo of the applicant), and fetched once
//! when the permit is issued. The photo is kept with the permit, encrypted under a key of its own
//! (derived from the data key and the permit number), and shown on the card and the
//! verification page only: never in a log, an event or the JSON check.

use crate::context::AppContext;
use crate::domain::id_document::IdType;
use crate::domain::residence_permit::PermitNo;
use crate::error::{ApiError, FieldError};
use crate::identity::{IdentityServiceError, PhotoQuery, PhotoVerdict};
use crate::store::permits;

/// What the photo of `photo_receipt_no` is, checked against the ID document it must have been
/// taken for: the photo (JPEG), or 422 `PHOTO_RECEIPT_INVALID` naming `photo_receipt_no`.
pub async fn photo_for(
    ctx: &AppContext,
    photo_receipt_no: &str,
    id_type: IdType,
    id_number: &str,
) -> Result<Vec<u8>, ApiError> {
    let query = PhotoQuery {
        photo_receipt_no,
        id_type,
        id_number,
    };
    let refused = |code: &'static str, message: &str| {
        ApiError::PhotoReceiptRefused(vec![FieldError::new("photo_receipt_no", code, message)])
    };
    match crate::identity::photo_receipt(ctx, &query).await {
        Ok(PhotoVerdict::Match(jpeg)) => Ok(jpeg),
        Ok(PhotoVerdict::Unknown) => Err(refused(
            "PHOTO_RECEIPT_UNKNOWN",
            "相片回执服务中没有该图像号，请核对数码相片回执上的图像号",
        )),
        Ok(PhotoVerdict::Mismatch) => Err(refused(
            "PHOTO_RECEIPT_NOT_APPLICANTS",
            "该数码相片回执不是申请人本人的相片，请使用申请人本人的相片回执",
        )),
        Err(error) => {
            match &error {
                IdentityServiceError::Unconfigured(_) => tracing::error!(%error, "photo receipt"),
                IdentityServiceError::Unavailable(_) => tracing::warn!(%error, "photo receipt"),
            }
            Err(ApiError::ServiceUnavailable)
        }
    }
}

/// The key a permit's photo is sealed under.
fn photo_key(ctx: &AppContext, permit_no: &PermitNo) -> [u8; 32] {
    crate::crypto::derived_key(&ctx.config.hash_key, "permit-photo", &[permit_no.as_str()])
}

/// `jpeg` sealed for the permit `permit_no` (what the store keeps).
pub fn seal(ctx: &AppContext, permit_no: &PermitNo, jpeg: &[u8]) -> Vec<u8> {
    crate::crypto::seal(&photo_key(ctx, permit_no), jpeg)
}

/// The photo of a permit (`None` for a permit issued before permits carried one).
pub async fn photo_of(ctx: &AppContext, permit_no: &PermitNo) -> Result<Option<Vec<u8>>, ApiError> {
    let Some(sealed) = permits::sealed_photo(&ctx.db, permit_no).await? else {
        return Ok(None);
    };
    crate::crypto::open(&photo_key(ctx, permit_no), &sealed)
        .map(Some)
        .ok_or_else(|| {
            tracing::error!("a permit's photo does not open with its key");
            ApiError::Internal
        })
}
