//! Signing a document when it is issued (issue 31): a receipt at its declaration, a permit at
//! its approval, one signature each, kept with the record (rendering a PDF or a page never signs
//! again); and the page its QR code opens. The signer is the port of
//! [`crate::documents::signing_key`]: KMS deployed, the local stand-in's SM2 key locally.

use crate::context::AppContext;
use crate::documents::seal::{Facts, token as token_of};
use crate::documents::{DocumentKind, DocumentSigner, SignError};
use crate::domain::mask;
use crate::error::ApiError;
use crate::store::permits::PermitRecord;
use crate::store::registrations::RegistrationRecord;

/// What the local stand-in records its signatures as: the alias of the template's key.
#[cfg(feature = "local")]
const LOCAL_KEY_ALIAS: &str = "alias/DocumentSigningKey";

/// Where the verification page of a token is, under the API's public address.
pub const PAGE_PATH: &str = "/v1/verify/";

/// The page a document's QR code opens.
pub fn page_url(ctx: &AppContext, token: &str) -> String {
    format!("{}{PAGE_PATH}{token}", ctx.config.public_base_url)
}

fn sign_failed(error: SignError) -> ApiError {
    match &error {
        SignError::Unconfigured => tracing::error!(%error, "document signing"),
        SignError::Unavailable(_) => tracing::warn!(%error, "document signing"),
    }
    ApiError::ServiceUnavailable
}

/// Signs a new registration's receipt (one signature, at declaration).
pub async fn seal_receipt(ctx: &AppContext, r: &RegistrationRecord) -> Result<String, ApiError> {
    let facts = Facts {
        typ: DocumentKind::Receipt,
        no: r.receipt_no.as_str().to_owned(),
        iat: r.declared_on().unwrap_or(r.moved_in_on),
        name: mask::name(r.resident.name.as_str()),
        id: r.resident.document.masked_number(),
        moved_in_on: Some(r.moved_in_on),
    };
    sign(ctx, facts).await.map_err(sign_failed)
}

/// Signs a new permit's card (one signature, at issue).
pub async fn seal_permit(ctx: &AppContext, p: &PermitRecord) -> Result<String, ApiError> {
    let facts = Facts {
        typ: DocumentKind::Permit,
        no: p.permit_no.as_str().to_owned(),
        iat: p.issued_on,
        name: mask::name(&p.card.name),
        id: mask::document_number(&p.card.id_number),
        moved_in_on: None,
    };
    sign(ctx, facts).await.map_err(sign_failed)
}

/// Signs `facts` with the configured key: the token the QR code carries.
async fn sign(ctx: &AppContext, facts: Facts) -> Result<String, SignError> {
    match &ctx.config.documents {
        DocumentSigner::Kms {
            key_id,
            kid,
            algorithm,
        } => {
            let bytes = facts.payload(kid).to_bytes();
            let signature =
                crate::documents::kms::sign(&ctx.kms, key_id, *algorithm, &bytes).await?;
            Ok(token_of(&bytes, &signature))
        }
        #[cfg(feature = "local")]
        DocumentSigner::LocalSm2 { key, kid } => {
            if let Some(record) = &ctx.stand_in_kms {
                record.stand_in_call(
                    "kms:Sign",
                    crate::operation_counts::Resource::Key(LOCAL_KEY_ALIAS.to_owned()),
                );
            }
            let bytes = facts.payload(kid).to_bytes();
            Ok(token_of(&bytes, &key.sign(&bytes)))
        }
        DocumentSigner::Unconfigured => Err(SignError::Unconfigured),
    }
}
