//! SMS verification codes as stored: only a keyed hash of the code, never the code; the item is
//! keyed by a keyed hash of phone and purpose, and expires by TTL.

use aws_sdk_dynamodb::types::{Delete, ReturnValue, TransactWriteItem};
use serde::{Deserialize, Serialize};

use crate::context::AppContext;
use crate::domain::phone::PhoneNumber;
use crate::domain::sms::SmsPurpose;
use crate::error::ApiError;

use super::{from_item, is_condition_failure, n, pk, s, to_item, unavailable};

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

/// The item key for a phone's code of one purpose.
pub fn record_key(ctx: &AppContext, phone: &PhoneNumber, purpose: SmsPurpose) -> String {
    crate::crypto::keyed_hash(
        &ctx.config.hash_key,
        "sms-code-key",
        &[purpose.as_str(), phone.as_str()],
    )
}

/// The stored form of a code: bound to phone and purpose, keyed so that a leaked table cannot be
/// brute-forced without the key.
pub fn code_hash(ctx: &AppContext, phone: &PhoneNumber, purpose: SmsPurpose, code: &str) -> String {
    crate::crypto::keyed_hash(
        &ctx.config.hash_key,
        "sms-code",
        &[purpose.as_str(), phone.as_str(), code],
    )
}

pub async fn get(ctx: &AppContext, key: &str) -> Result<Option<CodeRecord>, ApiError> {
    let output = ctx
        .dynamo
        .get_item()
        .table_name(&ctx.config.tables.verification_codes)
        .set_key(Some(pk(key)))
        .consistent_read(true)
        .send()
        .await
        .map_err(|e| unavailable("verification_codes.get", e))?;
    output.item.map(from_item).transpose()
}

/// Stores a new code unless the last one was sent after `resend_cutoff`; `false` when too early.
pub async fn put_unless_too_early(
    ctx: &AppContext,
    record: &CodeRecord,
    resend_cutoff: i64,
) -> Result<bool, ApiError> {
    let result = ctx
        .dynamo
        .put_item()
        .table_name(&ctx.config.tables.verification_codes)
        .set_item(Some(to_item(record)))
        .condition_expression("attribute_not_exists(pk) OR sent_at <= :cutoff")
        .expression_attribute_values(":cutoff", n(resend_cutoff))
        .send()
        .await;
    match result {
        Ok(_) => Ok(true),
        Err(error) if is_condition_failure(&error) => Ok(false),
        Err(error) => Err(unavailable("verification_codes.put", error)),
    }
}

/// Removes a code that could not be delivered, so the user may ask again at once.
pub async fn delete_undelivered(
    ctx: &AppContext,
    key: &str,
    code_hash: &str,
) -> Result<(), ApiError> {
    let result = ctx
        .dynamo
        .delete_item()
        .table_name(&ctx.config.tables.verification_codes)
        .set_key(Some(pk(key)))
        .condition_expression("code_hash = :hash")
        .expression_attribute_values(":hash", s(code_hash))
        .send()
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(error) if is_condition_failure(&error) => Ok(()),
        Err(error) => Err(unavailable("verification_codes.delete", error)),
    }
}

/// Counts one try against the code before it is compared, so that parallel guesses cannot
/// outrun the limit: returns the code as it is after counting, or `None` when there is no live
/// code (absent, expired, or out of tries).
pub async fn count_try(ctx: &AppContext, key: &str) -> Result<Option<CodeRecord>, ApiError> {
    let result = ctx
        .dynamo
        .update_item()
        .table_name(&ctx.config.tables.verification_codes)
        .set_key(Some(pk(key)))
        .update_expression("ADD attempts :one")
        .condition_expression("attribute_exists(pk) AND attempts < :max AND expires_at > :now")
        .expression_attribute_values(":one", n(1))
        .expression_attribute_values(":max", n(ctx.config.sms.max_attempts))
        .expression_attribute_values(":now", n(crate::clock::epoch_seconds()))
        .return_values(ReturnValue::AllNew)
        .send()
        .await;
    match result {
        Ok(output) => output.attributes.map(from_item).transpose(),
        Err(error) if is_condition_failure(&error) => Ok(None),
        Err(error) => Err(unavailable("verification_codes.try", error)),
    }
}

/// A checked, still-unused code: consuming it deletes it, on the condition that it is the same,
/// unexpired, not exhausted code (so a code is used at most once, even by concurrent requests).
#[derive(Debug, Clone)]
pub struct VerifiedCode {
    pub key: String,
    pub code_hash: String,
}

impl VerifiedCode {
    fn delete(&self, ctx: &AppContext) -> Delete {
        Delete::builder()
            .table_name(&ctx.config.tables.verification_codes)
            .set_key(Some(pk(&self.key)))
            // The try that verified the code was counted already, hence `<=`.
            .condition_expression("code_hash = :hash AND attempts <= :max AND expires_at > :now")
            .expression_attribute_values(":hash", s(&self.code_hash))
            .expression_attribute_values(":max", n(ctx.config.sms.max_attempts))
            .expression_attribute_values(":now", n(crate::clock::epoch_seconds()))
            .build()
            .expect("key and table are set")
    }

    /// The deletion as one step of a transaction that must not happen without it.
    pub fn consume_in_transaction(&self, ctx: &AppContext) -> TransactWriteItem {
        TransactWriteItem::builder()
            .delete(self.delete(ctx))
            .build()
    }

    /// Uses the code up on its own.
    pub async fn consume(&self, ctx: &AppContext) -> Result<(), ApiError> {
        let d = self.delete(ctx);
        let result = ctx
            .dynamo
            .delete_item()
            .table_name(d.table_name())
            .set_key(Some(d.key().clone()))
            .set_condition_expression(d.condition_expression().map(str::to_owned))
            .set_expression_attribute_values(d.expression_attribute_values().cloned())
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(error) if is_condition_failure(&error) => Err(ApiError::SmsCodeInvalid),
            Err(error) => Err(unavailable("verification_codes.consume", error)),
        }
    }
}
