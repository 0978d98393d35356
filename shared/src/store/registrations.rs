//! Resident registrations (F16–F20), declared under a house link.
//!
//! | pk               | sk                        | what                                        |
//! |------------------|---------------------------|---------------------------------------------|
//! | `LINK#<link_id>` | `REG#<registration_id>`   | a registration; `status` `current`, `moved_out` or `voided` |
//!
//! This part holds what deregistering a house needs (F15): finding the link's current residents
//! and moving each out, one atomic conditional write per resident, so that a job that stops
//! midway leaves every resident either untouched or fully moved out, and a rerun skips the done.

use aws_sdk_dynamodb::types::AttributeValue;

use crate::context::AppContext;
use crate::error::ApiError;

use super::{Item, is_condition_failure, pk_sk, s, unavailable};

pub const CURRENT: &str = "current";
pub const MOVED_OUT: &str = "moved_out";

pub fn link_pk(link_id: &str) -> String {
    format!("LINK#{link_id}")
}

pub fn registration_sk(registration_id: &str) -> String {
    format!("REG#{registration_id}")
}

/// The keys of up to `limit` residents currently registered under a link (consistent read).
pub async fn current_under_link(
    ctx: &AppContext,
    link_id: &str,
    limit: usize,
) -> Result<Vec<Item>, ApiError> {
    let mut keys = Vec::new();
    let mut start = None;
    loop {
        let output = ctx
            .dynamo
            .query()
            .table_name(&ctx.config.tables.registrations)
            .key_condition_expression("pk = :pk AND begins_with(sk, :reg)")
            .filter_expression("#status = :current")
            .projection_expression("pk, sk")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":pk", s(link_pk(link_id)))
            .expression_attribute_values(":reg", s("REG#"))
            .expression_attribute_values(":current", s(CURRENT))
            .consistent_read(true)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| unavailable("registrations.current_under_link", e))?;
        keys.extend(output.items.unwrap_or_default());
        start = output.last_evaluated_key;
        if start.is_none() || keys.len() >= limit {
            keys.truncate(limit);
            return Ok(keys);
        }
    }
}

/// Moves one resident out because their house was deregistered. `false` when the resident was no
/// longer current (moved out meanwhile, e.g. by an earlier run of the same job).
pub async fn move_out_with_house(
    ctx: &AppContext,
    key: Item,
    moved_out_on: &str,
) -> Result<bool, ApiError> {
    let now = crate::clock::rfc3339(crate::clock::now());
    let result = ctx
        .dynamo
        .update_item()
        .table_name(&ctx.config.tables.registrations)
        .set_key(Some(key))
        .update_expression(
            "SET #status = :moved_out, moved_out_on = :on, deregistration_reason = :reason, updated_at = :now",
        )
        .condition_expression("#status = :current")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":moved_out", s(MOVED_OUT))
        .expression_attribute_values(":current", s(CURRENT))
        .expression_attribute_values(":on", s(moved_out_on))
        .expression_attribute_values(":reason", s("house_deregistered"))
        .expression_attribute_values(":now", s(now))
        .send()
        .await;
    match result {
        Ok(_) => Ok(true),
        Err(error) if is_condition_failure(&error) => Ok(false),
        Err(error) => Err(unavailable("registrations.move_out_with_house", error)),
    }
}

/// The key of a registration.
pub fn key(link_id: &str, registration_id: &str) -> Item {
    pk_sk(link_pk(link_id), registration_sk(registration_id))
}

/// A registration's status, read consistently (tests and jobs).
pub async fn status(ctx: &AppContext, key: Item) -> Result<Option<String>, ApiError> {
    let output = ctx
        .dynamo
        .get_item()
        .table_name(&ctx.config.tables.registrations)
        .set_key(Some(key))
        .consistent_read(true)
        .send()
        .await
        .map_err(|e| unavailable("registrations.status", e))?;
    Ok(output
        .item
        .and_then(|mut item| item.remove("status"))
        .and_then(|v| match v {
            AttributeValue::S(text) => Some(text),
            _ => None,
        }))
}
