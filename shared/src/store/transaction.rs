//! Transactions whose items say what their failed conditions mean.
//!
//! Each item is added with the [`Clash`] its condition failing stands for (or none, for an item
//! without a condition, or whose condition only a bug can fail: a put of a fresh id). A
//! cancelled transaction answers `Err(StoreError::Conflict(clashes))`, in the order of the items;
//! nobody counts item positions.

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{ConditionCheck, Delete, Put, TransactWriteItem, Update};

use super::Db;

use super::error::{Clash, StoreError, StoreResult, unavailable};
use super::item::Item;
use super::retry::Backoff;

/// Attempts of a transaction that keeps meeting a concurrent one on the same items.
const CONTENDED_ATTEMPTS: u32 = 4;

/// A write of several items that happens entirely or not at all.
#[derive(Debug, Clone)]
pub struct Transaction {
    operation: &'static str,
    items: Vec<TransactWriteItem>,
    /// What each item's failed condition means (`None`: it has no condition that may fail).
    clashes: Vec<Option<Clash>>,
}

impl Transaction {
    /// `operation` names the write in logs and errors.
    pub fn new(operation: &'static str) -> Self {
        Self {
            operation,
            items: Vec::new(),
            clashes: Vec::new(),
        }
    }

    fn push(&mut self, item: TransactWriteItem, clash: Option<Clash>) -> &mut Self {
        self.items.push(item);
        self.clashes.push(clash);
        self
    }

    /// Puts `item` only where no item has its key yet; another item there means `clash`.
    pub fn put_new(&mut self, table: &str, item: Item, clash: Clash) -> &mut Self {
        self.push(put_if_absent(table, item), Some(clash))
    }

    /// Puts an item under a key nobody else can hold (a fresh id): only where none is, and a
    /// failure is a bug.
    pub fn put_fresh(&mut self, table: &str, item: Item) -> &mut Self {
        self.push(put_if_absent(table, item), None)
    }

    /// Puts an item without condition (replacing whatever is there).
    pub fn put(&mut self, table: &str, item: Item) -> &mut Self {
        let put = Put::builder()
            .table_name(table)
            .set_item(Some(item))
            .build()
            .expect("table and item are set");
        self.push(TransactWriteItem::builder().put(put).build(), None)
    }

    /// A put built by the caller (with its own condition), whose condition failing means `clash`.
    pub fn put_if(&mut self, put: Put, clash: Clash) -> &mut Self {
        self.push(TransactWriteItem::builder().put(put).build(), Some(clash))
    }

    /// An update whose condition failing means `clash`.
    pub fn update(&mut self, update: Update, clash: Clash) -> &mut Self {
        self.push(
            TransactWriteItem::builder().update(update).build(),
            Some(clash),
        )
    }

    /// A delete whose condition failing means `clash` (`None`: an unconditional delete).
    pub fn delete(&mut self, delete: Delete, clash: Option<Clash>) -> &mut Self {
        self.push(TransactWriteItem::builder().delete(delete).build(), clash)
    }

    /// A condition on an item the transaction does not write; failing means `clash`.
    pub fn check(&mut self, check: ConditionCheck, clash: Clash) -> &mut Self {
        self.push(
            TransactWriteItem::builder().condition_check(check).build(),
            Some(clash),
        )
    }

    /// Runs the transaction. A conflict with a concurrent transaction on the same items is
    /// retried briefly; failed conditions answer [`StoreError::Conflict`] with what they mean.
    ///
    /// The first transaction a request with an `Idempotency-Key` commits also marks the key's
    /// record (see [`super::idempotency::join`]).
    pub async fn commit(mut self, db: &Db) -> StoreResult<()> {
        let key = super::idempotency::join(db).map(|(mark, key)| {
            self.update(mark, Clash::KeyOvertaken);
            key
        });
        let mut backoff = Backoff::contention();
        loop {
            let result = db
                .client
                .transact_write_items()
                .set_transact_items(Some(self.items.clone()))
                .send()
                .await;
            let error = match result {
                Ok(_) => {
                    if let Some(key) = &key {
                        super::idempotency::joined(key);
                    }
                    return Ok(());
                }
                Err(error) => error,
            };
            let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
                error.as_service_error()
            else {
                return Err(unavailable(self.operation, error));
            };
            let reasons = cancelled.cancellation_reasons();
            let failed: Vec<Option<Clash>> = reasons
                .iter()
                .zip(&self.clashes)
                .filter(|(reason, _)| reason.code() == Some("ConditionalCheckFailed"))
                .map(|(_, clash)| *clash)
                .collect();
            if !failed.is_empty() {
                return Err(self.conflict(failed));
            }
            let contended = reasons
                .iter()
                .any(|r| r.code() == Some("TransactionConflict"));
            if contended && backoff.attempts() < CONTENDED_ATTEMPTS {
                // Another transaction holds one of the items: back off briefly and look again.
                backoff.wait().await;
                continue;
            }
            return Err(unavailable(self.operation, error));
        }
    }

    fn conflict(&self, failed: Vec<Option<Clash>>) -> StoreError {
        let clashes: Vec<Clash> = failed.iter().flatten().copied().collect();
        if clashes.len() < failed.len() {
            // A condition that should never fail did: a broken invariant, not the caller's doing.
            tracing::error!(
                operation = self.operation,
                "a transaction item without a conflict meaning failed its condition"
            );
            return StoreError::Corrupt;
        }
        StoreError::Conflict(clashes)
    }
}

/// The transaction item that puts `item` only where no item has its key yet.
fn put_if_absent(table: &str, item: Item) -> TransactWriteItem {
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(pk)")
        .build()
        .expect("table and item are set");
    TransactWriteItem::builder().put(put).build()
}
