//! LOCAL ONLY: the local photo studio, a stand-in for the photo-receipt service of the
//! authorized studios ([`super::photo_https`]), so that the local stack and the tests can issue
//! permits with a photo. It answers from the local identity registry's table, where `make run`
//! (and the tests, for the people they make up) put a generated portrait under each receipt
//! number: `pk` = `PHOTO#<图像号>`, with the keyed hash of the ID document it was taken for.

use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::store::Db;
use crate::store::item::{from_item, pk};
use crate::store::keys::person_key;
use crate::store::reads::get_item;

use super::port::{IdentityServiceError, PhotoQuery, PhotoVerdict};

/// One photo receipt as the stand-in keeps it.
#[derive(Clone, Serialize, Deserialize)]
pub struct StudioPhoto {
    /// `PHOTO#<图像号>`.
    pub pk: String,
    /// The keyed hash of the ID document the photo was taken for ([`person_key`]).
    pub person_key: String,
    /// The JPEG, standard base64.
    pub photo_jpeg: String,
}

impl StudioPhoto {
    pub fn new(
        db: &Db,
        photo_receipt_no: &str,
        id_type: crate::domain::id_document::IdType,
        id_number: &str,
        jpeg: &[u8],
    ) -> Self {
        Self {
            pk: photo_pk(photo_receipt_no),
            person_key: person_key(db, id_type, id_number),
            photo_jpeg: base64::engine::general_purpose::STANDARD.encode(jpeg),
        }
    }
}

fn photo_pk(photo_receipt_no: &str) -> String {
    format!("PHOTO#{photo_receipt_no}")
}

/// The stand-in's answer: `match` with the photo when the receipt was taken for the queried ID
/// document, `mismatch` when for another, `unknown` when there is no such receipt.
pub async fn lookup(
    db: &Db,
    table: &str,
    query: &PhotoQuery<'_>,
) -> Result<PhotoVerdict, IdentityServiceError> {
    let unavailable = |e: String| IdentityServiceError::Unavailable(e);
    let Some(item) = get_item(
        db,
        table,
        pk(photo_pk(query.photo_receipt_no)),
        &[],
        "local_photo_studio.get",
    )
    .await
    .map_err(|e| unavailable(e.to_string()))?
    else {
        return Ok(PhotoVerdict::Unknown);
    };
    let photo: StudioPhoto = from_item(item).map_err(|e| unavailable(e.to_string()))?;
    if photo.person_key != person_key(db, query.id_type, query.id_number) {
        return Ok(PhotoVerdict::Mismatch);
    }
    let jpeg = base64::engine::general_purpose::STANDARD
        .decode(&photo.photo_jpeg)
        .map_err(|_| unavailable("a stored photo that is not base64".into()))?;
    Ok(PhotoVerdict::Match(jpeg))
}
