//! The public keys documents are signed with: one item per key in one partition
//! (`pk` = `KEYS`, `sk` = the key id), so the list is one Query and a verification one GetItem.
//! A key is published before it signs (`rpctl document-keys publish`), and a retired key stays,
//! so the documents it signed keep verifying.

use serde::{Deserialize, Serialize};

use super::Db;
use super::error::{StoreResult, unavailable};
use super::item::{from_item, pk_sk, s, to_item};
use super::page::{Page, PageRequest, query_records};
use super::reads::get_item;
use crate::documents::{Algorithm, KeyStatus};

const KEYS_PK: &str = "KEYS";

/// One published key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentKeyRecord {
    pub pk: String,
    /// The key id.
    pub sk: String,
    pub alg: Algorithm,
    /// DER SubjectPublicKeyInfo, standard base64.
    pub public_key: String,
    pub status: KeyStatus,
    /// When it was published (RFC 3339).
    pub published_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired_at: Option<String>,
}

impl DocumentKeyRecord {
    /// An active key, published at `at`.
    pub fn active(kid: &str, alg: Algorithm, public_key: &[u8], at: &str) -> Self {
        use base64::Engine;
        Self {
            pk: KEYS_PK.to_owned(),
            sk: kid.to_owned(),
            alg,
            public_key: base64::engine::general_purpose::STANDARD.encode(public_key),
            status: KeyStatus::Active,
            published_at: at.to_owned(),
            retired_at: None,
        }
    }

    pub fn kid(&self) -> &str {
        &self.sk
    }

    /// The public key's DER bytes (`None` when the stored text is not base64: a corrupt item).
    pub fn public_key_der(&self) -> Option<Vec<u8>> {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(&self.public_key)
            .ok()
    }
}

/// The key `kid` (one GetItem).
pub async fn get(db: &Db, kid: &str) -> StoreResult<Option<DocumentKeyRecord>> {
    get_item(
        db,
        &db.tables.document_keys,
        pk_sk(KEYS_PK, kid),
        &[],
        "document_keys.get",
    )
    .await?
    .map(from_item)
    .transpose()
}

/// The Query of the keys' one partition, in key-id order.
fn keys_query(db: &Db) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
    db.client
        .query()
        .table_name(&db.tables.document_keys)
        .key_condition_expression("pk = :pk")
        .expression_attribute_values(":pk", s(KEYS_PK))
        .consistent_read(true)
}

/// A page of the published keys, in key-id order.
pub async fn list(db: &Db, page: &PageRequest) -> StoreResult<Page<DocumentKeyRecord>> {
    query_records(page, "document_keys.list", || keys_query(db)).await
}

/// Writes `key` (again, when it is published already).
pub async fn put(db: &Db, key: &DocumentKeyRecord) -> StoreResult<()> {
    db.client
        .put_item()
        .table_name(&db.tables.document_keys)
        .set_item(Some(to_item(key)?))
        .send()
        .await
        .map_err(|e| unavailable("document_keys.put", e))?;
    Ok(())
}

/// Every published key (one Query of the one partition).
pub async fn all(db: &Db) -> StoreResult<Vec<DocumentKeyRecord>> {
    super::reads::query_all("document_keys.all", || keys_query(db))
        .await?
        .into_iter()
        .map(from_item)
        .collect()
}

/// Marks `kid` retired at `at`: it signs no more, and still verifies.
pub async fn retire(db: &Db, kid: &str, at: &str) -> StoreResult<()> {
    db.client
        .update_item()
        .table_name(&db.tables.document_keys)
        .set_key(Some(pk_sk(KEYS_PK, kid)))
        .update_expression("SET #status = :retired, retired_at = :at")
        .condition_expression("attribute_exists(pk)")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":retired", s("retired"))
        .expression_attribute_values(":at", s(at))
        .send()
        .await
        .map_err(|e| unavailable("document_keys.retire", e))?;
    Ok(())
}
