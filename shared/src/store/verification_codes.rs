//! SMS verification codes as stored: only a keyed hash of the code, never the code; the item is
//! keyed by a keyed hash of phone, purpose and whom the code is bound to
//! ([`super::keys::verification_code_key`]), and expires by TTL. Beside them, the claims of login
//! tickets that have asked for their code.

use aws_sdk_dynamodb::types::Delete;
use serde::{Deserialize, Serialize};

use super::Db;
use crate::domain::phone::PhoneNumber;
use crate::domain::sms::SmsPurpose;

use super::error::{Clash, StoreResult, conditional, written};
use super::item::{from_item, n, s, to_item};
use super::keys::verification_code_item_key;
use super::reads::get_item;
use super::transaction::Transaction;
use super::update::ItemUpdate;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CodeRecord {
    pub pk: String,
    pub code_hash: String,
    /// When the code was sent (epoch seconds).
    pub sent_at: i64,
    /// When the code stops being valid (epoch seconds); also the TTL attribute.
    pub expires_at: i64,
    /// Tries so far (each counted before it is compared).
    pub attempts: u32,
}

/// The stored form of a code: bound to phone, purpose and `bound_to` (see
/// [`super::keys::verification_code_key`]), keyed so that a leaked table cannot be brute-forced
/// without the key.
pub fn code_hash(
    db: &Db,
    phone: &PhoneNumber,
    purpose: SmsPurpose,
    bound_to: &[&str],
    code: &str,
) -> String {
    let mut parts = vec![purpose.as_str(), phone.as_str()];
    parts.extend_from_slice(bound_to);
    parts.push(code);
    crate::crypto::keyed_hash(db.hash_key(), "sms-code", &parts)
}

/// Marks the login ticket `ticket_id` as having asked for its code, until it expires
/// (`expires_at`, epoch seconds; the TTL then removes the mark). `false` when it already had: a
/// ticket asks once.
pub async fn claim_ticket(db: &Db, ticket_id: &str, expires_at: i64) -> StoreResult<bool> {
    let mut item = super::keys::login_ticket_claim_key(ticket_id);
    item.insert("expires_at".into(), n(expires_at));
    let result = db
        .client
        .put_item()
        .table_name(&db.tables.verification_codes)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(pk)")
        .send()
        .await;
    written("verification_codes.claim_ticket", result)
}

pub async fn get(db: &Db, key: &str) -> StoreResult<Option<CodeRecord>> {
    get_item(
        db,
        &db.tables.verification_codes,
        verification_code_item_key(key),
        &[],
        "verification_codes.get",
    )
    .await?
    .map(from_item)
    .transpose()
}

/// Stores a new code unless the last one was sent after `resend_cutoff`; `false` when too early.
pub async fn put_unless_too_early(
    db: &Db,
    record: &CodeRecord,
    resend_cutoff: i64,
) -> StoreResult<bool> {
    let result = db
        .client
        .put_item()
        .table_name(&db.tables.verification_codes)
        .set_item(Some(to_item(record)?))
        .condition_expression("attribute_not_exists(pk) OR sent_at <= :cutoff")
        .expression_attribute_values(":cutoff", n(resend_cutoff))
        .send()
        .await;
    written("verification_codes.put", result)
}

/// Removes a code that could not be delivered, so the user may ask again at once (a newer code
/// in its place is left alone).
pub async fn delete_undelivered(db: &Db, key: &str, code_hash: &str) -> StoreResult<()> {
    let result = db
        .client
        .delete_item()
        .table_name(&db.tables.verification_codes)
        .set_key(Some(verification_code_item_key(key)))
        .condition_expression("code_hash = :hash")
        .expression_attribute_values(":hash", s(code_hash))
        .send()
        .await;
    written("verification_codes.delete", result).map(|_| ())
}

/// Counts one try against the code before it is compared, so that parallel guesses cannot
/// outrun the limit: returns the code as it is after counting, or `None` when there is no live
/// code (absent, expired, or out of tries).
pub async fn count_try(db: &Db, key: &str, max_attempts: u32) -> StoreResult<Option<CodeRecord>> {
    ItemUpdate::new(
        &db.tables.verification_codes,
        verification_code_item_key(key),
    )
    .add("attempts", n(1))
    .condition(
        "attribute_exists(pk) AND #attempts < :max AND #expires_at > :now",
        vec![
            (":max", n(max_attempts)),
            (":now", n(crate::clock::epoch_seconds())),
        ],
    )
    .apply_returning_new(db, "verification_codes.try")
    .await?
    .map(from_item)
    .transpose()
}

/// A checked, still-unused code: using it deletes it, on the condition that it is the same,
/// unexpired, not exhausted code (so a code is used at most once, even by concurrent requests:
/// [`Clash::CodeSpent`]).
#[derive(Debug, Clone)]
pub struct VerifiedCode {
    pub key: String,
    pub code_hash: String,
    /// The tries the code allows (`SMS_MAX_ATTEMPTS` when it was checked).
    pub max_attempts: u32,
}

impl VerifiedCode {
    fn delete(&self, db: &Db) -> Delete {
        Delete::builder()
            .table_name(&db.tables.verification_codes)
            .set_key(Some(verification_code_item_key(&self.key)))
            // The try that verified the code was counted already, hence `<=`.
            .condition_expression("code_hash = :hash AND attempts <= :max AND expires_at > :now")
            .expression_attribute_values(":hash", s(&self.code_hash))
            .expression_attribute_values(":max", n(self.max_attempts))
            .expression_attribute_values(":now", n(crate::clock::epoch_seconds()))
            .build()
            .expect("key and table are set")
    }

    /// Adds the use of the code to a transaction that must not happen without it.
    pub fn add_use(&self, tx: &mut Transaction, db: &Db) {
        tx.delete(self.delete(db), Some(Clash::CodeSpent));
    }

    /// Uses the code up on its own.
    pub async fn consume(&self, db: &Db) -> StoreResult<()> {
        let d = self.delete(db);
        let result = db
            .client
            .delete_item()
            .table_name(d.table_name())
            .set_key(Some(d.key().clone()))
            .set_condition_expression(d.condition_expression().map(str::to_owned))
            .set_expression_attribute_values(d.expression_attribute_values().cloned())
            .send()
            .await;
        conditional("verification_codes.consume", result, Clash::CodeSpent).map(|_| ())
    }
}
