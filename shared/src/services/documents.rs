//! Documents an officer can check (issue 31): each receipt and permit is signed once when it is
//! issued ([`super::document_seals`]); its QR code opens the verification page ([`verify`]:
//! genuine or not, the live status, the masked holder, for a permit the photo); the keys are
//! public ([`keys`]).
//!
//! A page view of a genuine document is a processing record of its holder's data
//! (`GET /v1/me/data-access`): someone holding the document's QR code saw their masked name and
//! status.

use chrono::NaiveDate;
use serde::Serialize;

use crate::context::AppContext;
use crate::documents::keys::{Unverified, verify as verify_signature};
use crate::documents::seal::Malformed;
use crate::documents::{Algorithm, DocumentKind, KeyStatus, Sealed};
use crate::domain::mask;
use crate::domain::receipt::ReceiptNo;
use crate::domain::registration::RegistrationStatus;
use crate::domain::residence_permit::{PermitNo, PermitStatus};
use crate::error::ApiError;
use crate::store::document_keys::{self, DocumentKeyRecord};
use crate::store::page::{Page, PageRequest};
use crate::store::permits;
use crate::store::processing_records::SubjectKind;
use crate::store::registrations;

/// Which key signed a genuine document.
#[derive(Debug, Clone, Serialize)]
pub struct SignedBy {
    pub kid: String,
    pub alg: Algorithm,
    pub status: KeyStatus,
    /// The day the document was signed (its issue date).
    pub signed_on: NaiveDate,
}

/// What the page says of a genuine receipt: the registration as it stands now, masked.
#[derive(Debug, Clone)]
pub struct ReceiptPage {
    pub signed_by: SignedBy,
    pub receipt_no: String,
    pub status: RegistrationStatus,
    pub status_label: String,
    pub resident_name: String,
    pub id_type: &'static str,
    pub id_number: String,
    pub house_address: String,
    pub moved_in_on: NaiveDate,
    pub moved_out_on: Option<NaiveDate>,
    pub declared_on: NaiveDate,
    pub late: bool,
}

/// What the page says of a genuine permit: its status today, masked, with the holder's photo.
#[derive(Debug, Clone)]
pub struct PermitPage {
    pub signed_by: SignedBy,
    pub permit_no: String,
    pub status: PermitStatus,
    pub status_label: &'static str,
    pub valid_until: Option<NaiveDate>,
    pub holder_name: String,
    pub id_type: &'static str,
    pub id_number: String,
    pub issued_on: NaiveDate,
    /// The holder's photo (JPEG), when the permit has one.
    pub photo: Option<Vec<u8>>,
}

/// What a token proves.
#[derive(Debug, Clone)]
pub enum Verification {
    /// Not signed by a published key, or of no document the platform holds.
    NotGenuine,
    Receipt(Box<ReceiptPage>),
    Permit(Box<PermitPage>),
}

/// Checks a token read from a URL (`Sealed::parse`, which the caller also asks what kind of
/// document it claims to be) against the published keys and, when its signature holds, reads the
/// document it names as it stands now. A page view of a genuine document is recorded for its
/// holder before the answer goes out (503 when it cannot be).
pub async fn verify(
    ctx: &AppContext,
    token: Result<Sealed, Malformed>,
) -> Result<Verification, ApiError> {
    let Some((sealed, key)) = genuine_seal(ctx, token).await? else {
        return Ok(Verification::NotGenuine);
    };
    let signed_by = SignedBy {
        kid: key.kid().to_owned(),
        alg: key.alg,
        status: key.status,
        signed_on: sealed.payload.iat,
    };
    let number = &sealed.payload.no;
    match sealed.payload.typ {
        DocumentKind::Receipt => {
            let Ok(receipt_no) = ReceiptNo::parse(number) else {
                return Ok(Verification::NotGenuine);
            };
            let Some(r) = registrations::get_by_receipt(&ctx.db, &receipt_no).await? else {
                return Ok(Verification::NotGenuine);
            };
            super::data_access::record_page_view(
                ctx,
                super::data_access::ReadOf {
                    person_key: &r.person_key,
                    name: r.resident.name.as_str(),
                    kind: SubjectKind::Registration,
                    id: &r.registration_id,
                },
            )
            .await?;
            Ok(Verification::Receipt(Box::new(ReceiptPage {
                signed_by,
                receipt_no: r.receipt_no.as_str().to_owned(),
                status: r.status,
                status_label: super::receipts::status_text(&r),
                resident_name: mask::name(r.resident.name.as_str()),
                id_type: r.resident.document.id_type().label(),
                id_number: r.resident.document.masked_number(),
                house_address: super::receipts::house_address(&r),
                moved_in_on: r.moved_in_on,
                moved_out_on: r.moved_out_on,
                declared_on: r.declared_on().unwrap_or(r.moved_in_on),
                late: r.late,
            })))
        }
        DocumentKind::Permit => {
            let Ok(permit_no) = PermitNo::parse(number) else {
                return Ok(Verification::NotGenuine);
            };
            let Some(p) = permits::get_permit(&ctx.db, &permit_no).await? else {
                return Ok(Verification::NotGenuine);
            };
            super::data_access::record_page_view(
                ctx,
                super::data_access::ReadOf {
                    person_key: &p.person_key,
                    name: &p.card.name,
                    kind: SubjectKind::Permit,
                    id: p.permit_no.as_str(),
                },
            )
            .await?;
            let today = crate::clock::today_in_china();
            let status = p.status_on(today);
            let photo = super::permit_photos::photo_of(ctx, &p.permit_no).await?;
            Ok(Verification::Permit(Box::new(PermitPage {
                signed_by,
                permit_no: p.permit_no.as_str().to_owned(),
                status,
                status_label: status.label(),
                valid_until: super::residence_permits::valid_until(&p, today),
                holder_name: mask::name(&p.card.name),
                id_type: p.card.id_type.label(),
                id_number: mask::document_number(&p.card.id_number),
                issued_on: p.issued_on,
                photo,
            })))
        }
    }
}

/// The token's payload and the published key whose signature it carries; `None` when it is not
/// a token, names no published key, or its signature does not hold.
async fn genuine_seal(
    ctx: &AppContext,
    token: Result<Sealed, Malformed>,
) -> Result<Option<(Sealed, DocumentKeyRecord)>, ApiError> {
    let sealed = match token {
        Ok(sealed) => sealed,
        Err(reason) => {
            tracing::info!(%reason, "verification page: not a document token");
            return Ok(None);
        }
    };
    let Some(key) = document_keys::get(&ctx.db, &sealed.payload.kid).await? else {
        tracing::info!("verification page: the token names no published key");
        return Ok(None);
    };
    let checked = key
        .public_key_der()
        .ok_or(Unverified::BadKey("stored"))
        .and_then(|public| {
            verify_signature(key.alg, &public, &sealed.signed_bytes, &sealed.signature)
        });
    match checked {
        Ok(()) => Ok(Some((sealed, key))),
        Err(reason) => {
            tracing::info!(%reason, kid = key.kid(), "verification page: signature refused");
            Ok(None)
        }
    }
}

/// One published key, as `GET /v1/document-keys` lists it.
#[derive(Debug, Serialize)]
pub struct DocumentKeyView {
    pub kid: String,
    pub alg: Algorithm,
    /// DER SubjectPublicKeyInfo, standard base64.
    pub public_key: String,
    pub status: KeyStatus,
    pub published_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retired_at: Option<String>,
}

/// `GET /v1/document-keys`: every key documents were signed with, retired ones included.
pub async fn keys(ctx: &AppContext, page: &PageRequest) -> Result<Page<DocumentKeyView>, ApiError> {
    Ok(document_keys::list(&ctx.db, page)
        .await?
        .map(|k| DocumentKeyView {
            kid: k.sk,
            alg: k.alg,
            public_key: k.public_key,
            status: k.status,
            published_at: k.published_at,
            retired_at: k.retired_at,
        }))
}
