//! The keys documents are signed with (issue 31): publishing a key before it signs, so that the
//! verification page and offline verifiers (`GET /v1/document-keys`) know it, and retiring the
//! one it replaces (which stays published: the documents it signed keep verifying).
//!
//! Deployed: after `sam deploy` creates or replaces the stack's KMS key (`DocumentSigningKey`),
//! `rpctl --deployed document-keys publish --key <its ARN> --kid <its id>` reads the public
//! key from KMS (`kms:GetPublicKey`, the operator's own permission: no function has it) and
//! publishes it. Locally the stack publishes its stand-in key itself.

use aws_sdk_kms::types::KeySpec;
use shared::AppContext;
use shared::documents::Algorithm;
use shared::store::document_keys::{self, DocumentKeyRecord};

#[derive(Debug, thiserror::Error)]
pub enum DocumentKeyError {
    #[error("KMS GetPublicKey of {key}: {reason}")]
    Kms { key: String, reason: String },
    #[error(
        "the KMS key {key} is a {spec} key, which signs no documents (SM2 or ECC_NIST_P256 expected)"
    )]
    WrongSpec { key: String, spec: String },
    #[error("document keys table: {0:?}")]
    Store(shared::store::StoreError),
}

impl From<shared::store::StoreError> for DocumentKeyError {
    fn from(e: shared::store::StoreError) -> Self {
        Self::Store(e)
    }
}

/// Publishes `key` as the active key and retires every other active one at `at`.
pub async fn rotate_to(ctx: &AppContext, key: &DocumentKeyRecord) -> Result<(), DocumentKeyError> {
    let at = shared::clock::rfc3339(shared::clock::now());
    document_keys::put(&ctx.db, key).await?;
    for other in document_keys::all(&ctx.db).await? {
        if other.kid() != key.kid() && other.status == shared::documents::KeyStatus::Active {
            document_keys::retire(&ctx.db, other.kid(), &at).await?;
        }
    }
    Ok(())
}

/// The published record of the KMS key `key_id` under the id `kid` (its public key read from
/// KMS; its algorithm from its key spec).
pub async fn kms_key(
    ctx: &AppContext,
    key_id: &str,
    kid: &str,
) -> Result<DocumentKeyRecord, DocumentKeyError> {
    let answer = ctx
        .kms
        .get_public_key()
        .key_id(key_id)
        .send()
        .await
        .map_err(|e| DocumentKeyError::Kms {
            key: key_id.to_owned(),
            reason: format!("{}", aws_sdk_kms::error::DisplayErrorContext(e)),
        })?;
    // KMS answers both names of the spec; the emulator only the older one.
    #[allow(deprecated)]
    let spec = answer
        .key_spec()
        .map(KeySpec::as_str)
        .or_else(|| answer.customer_master_key_spec().map(|s| s.as_str()))
        .unwrap_or("unknown");
    let alg = match spec {
        "SM2" => Algorithm::Sm2Sm3,
        "ECC_NIST_P256" => Algorithm::Es256,
        other => {
            return Err(DocumentKeyError::WrongSpec {
                key: key_id.to_owned(),
                spec: other.to_owned(),
            });
        }
    };
    let public = answer.public_key().ok_or_else(|| DocumentKeyError::Kms {
        key: key_id.to_owned(),
        reason: "no public key in the answer".into(),
    })?;
    Ok(DocumentKeyRecord::active(
        kid,
        alg,
        public.as_ref(),
        &shared::clock::rfc3339(shared::clock::now()),
    ))
}

/// The published record of the local stand-in's SM2 key, when `ctx` signs with it.
pub fn local_key(ctx: &AppContext) -> Option<DocumentKeyRecord> {
    let (kid, public) = ctx.config.documents.local_public_key()?;
    Some(DocumentKeyRecord::active(
        kid,
        Algorithm::Sm2Sm3,
        &public,
        &shared::clock::rfc3339(shared::clock::now()),
    ))
}
