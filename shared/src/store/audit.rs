//! Audit records of acts on an account (identity verified at the counter or online, suspension for
//! a reclaim, a password reset): who, when, what, why. Kept in the account's partition, never changed or deleted.

use serde::{Deserialize, Serialize};

use super::Db;
use crate::domain::identity::VerificationMethod;

use super::error::StoreResult;
use super::item::{Item, from_item, s, to_item};
use super::keys::{AUDIT_PREFIX, account_pk, audit_sk};
use super::reads::query_all;

/// What was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// The account's identity was verified (by staff at the counter, or online).
    IdentityVerified,
    /// Staff suspended the account: its ID document was reclaimed by its real holder.
    Suspended,
    /// The holder reset a forgotten password with a code sent to the account's phone.
    PasswordReset,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuditRecord {
    pub pk: String,
    pub sk: String,
    pub account_id: String,
    pub action: AuditAction,
    /// The staff member who acted; absent for an online verification (the holder's own act).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<VerificationMethod>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub at: String,
}

impl AuditRecord {
    pub fn new(account_id: &str, action: AuditAction, at: &str) -> Self {
        Self {
            pk: account_pk(account_id),
            sk: audit_sk(at, &uuid::Uuid::new_v4().to_string()),
            account_id: account_id.to_owned(),
            action,
            staff_id: None,
            method: None,
            reason: None,
            at: at.to_owned(),
        }
    }

    pub fn item(&self) -> StoreResult<Item> {
        to_item(self)
    }
}

/// Every audit record of the account, oldest first.
pub async fn list(db: &Db, account_id: &str) -> StoreResult<Vec<AuditRecord>> {
    let items = query_all("audit.list", || {
        db.client
            .query()
            .table_name(&db.tables.accounts)
            .key_condition_expression("pk = :pk AND begins_with(sk, :audit)")
            .expression_attribute_values(":pk", s(account_pk(account_id)))
            .expression_attribute_values(":audit", s(AUDIT_PREFIX))
            .consistent_read(true)
    })
    .await?;
    items.into_iter().map(from_item).collect()
}
