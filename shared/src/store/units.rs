//! Units (F3, F8), in the accounts table next to their accounts.
//!
//! | pk                  | sk                     | what                                            |
//! |---------------------|------------------------|-------------------------------------------------|
//! | `UNIT#<unit_id>`    | `PROFILE`              | the unit ([`UnitRecord`])                       |
//! | `UNIT#<unit_id>`    | `MEMBER#<account_id>`  | one of its sub-accounts (for listing them)      |
//! | `USCC#<code>`       | `CLAIM`                | credit code → unit: one unit per organization   |
//!
//! The administrator is an account (role `admin`) whose house links are the unit's houses.
//! Sub-accounts are accounts (role `sub_account`) whose profile lists the ids of the links
//! assigned to them ([`UnitMembership::link_ids`]). Account ids are UUIDv7, so members list in the
//! order they were added.

use aws_sdk_dynamodb::types::{AttributeValue, Delete, TransactWriteItem, Update};
use serde::{Deserialize, Serialize};

use crate::context::AppContext;
use crate::domain::phone::PhoneNumber;
use crate::error::{ApiError, FieldError};
use crate::http::pagination::{Page, PageRequest};

use super::accounts::{
    self, AccountRecord, ForgottenDevices, Holder, UnitMembership, claim_item,
    end_sessions_for_good_item, phone_taken, taken, values_taken,
};
use super::house_links::{self, LinkRecord};
use super::paged_query::query_page;
use super::{pk_sk, put_if_absent, s, to_item, transact};

const PROFILE: &str = "PROFILE";
const CLAIM: &str = "CLAIM";

/// A unit as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnitRecord {
    pub pk: String,
    pub sk: String,
    pub unit_id: String,
    pub name: String,
    /// The unified social credit code (统一社会信用代码).
    pub uscc: String,
    pub contact_name: String,
    pub admin_account_id: String,
    /// The staff account that opened the unit.
    pub opened_by: String,
    pub created_at: String,
}

pub fn unit_pk(unit_id: &str) -> String {
    format!("UNIT#{unit_id}")
}

fn uscc_claim(uscc: &str) -> String {
    format!("USCC#{uscc}")
}

fn member_sk(account_id: &str) -> String {
    format!("MEMBER#{account_id}")
}

impl UnitRecord {
    pub fn new(
        name: &str,
        uscc: &str,
        contact_name: &str,
        admin_account_id: &str,
        opened_by: &str,
    ) -> Self {
        let unit_id = uuid::Uuid::now_v7().to_string();
        Self {
            pk: unit_pk(&unit_id),
            sk: PROFILE.to_owned(),
            unit_id,
            name: name.to_owned(),
            uscc: uscc.to_owned(),
            contact_name: contact_name.to_owned(),
            admin_account_id: admin_account_id.to_owned(),
            opened_by: opened_by.to_owned(),
            created_at: crate::clock::rfc3339(crate::clock::now()),
        }
    }

    /// What the unit's accounts carry of it.
    pub fn membership(&self) -> UnitMembership {
        UnitMembership {
            unit_id: self.unit_id.clone(),
            unit_name: self.name.clone(),
            admin_account_id: self.admin_account_id.clone(),
            link_ids: Vec::new(),
        }
    }
}

/// Opens a unit in one transaction: its administrator account (profile and claims), the unit and
/// its credit-code claim, and its house links. A credit code already open is `USCC_TAKEN`; the
/// administrator's username or phone taken, `admin.username` / `admin.phone`.
pub async fn open(
    ctx: &AppContext,
    unit: &UnitRecord,
    admin: &Holder<'_>,
    admin_record: &AccountRecord,
    links: &[LinkRecord],
) -> Result<(), ApiError> {
    let table = &ctx.config.tables.accounts;
    let mut items = accounts::create_items(ctx, admin, admin_record);
    let uscc_item = items.len() + 1;
    items.push(put_if_absent(table, to_item(unit)));
    items.push(put_if_absent(
        table,
        claim_item(uscc_claim(&unit.uscc), &unit.unit_id),
    ));
    for link in links {
        items.extend(house_links::create_items(ctx, link));
    }
    transact(ctx, items, "units.open", |failed| {
        let mut errors = taken(failed, admin, "admin.");
        if failed.contains(&uscc_item) {
            errors.push(FieldError::new(
                "uscc",
                "USCC_TAKEN",
                "该统一社会信用代码已开通单位账号",
            ));
        }
        values_taken(errors)
    })
    .await
}

/// Adds a sub-account: its account (profile and claims) and its member item, in one transaction.
pub async fn add_member(
    ctx: &AppContext,
    holder: &Holder<'_>,
    record: &AccountRecord,
) -> Result<(), ApiError> {
    let unit = record.unit.as_ref().ok_or(ApiError::Internal)?;
    let mut items = accounts::create_items(ctx, holder, record);
    let mut member = pk_sk(unit_pk(&unit.unit_id), member_sk(&record.account_id));
    member.insert("account_id".into(), s(&record.account_id));
    items.push(put_if_absent(&ctx.config.tables.accounts, member));
    transact(ctx, items, "units.add_member", |failed| {
        values_taken(taken(failed, holder, ""))
    })
    .await
}

/// A unit's sub-accounts, in the order they were added.
pub async fn members(
    ctx: &AppContext,
    unit_id: &str,
    page: &PageRequest,
) -> Result<Page<AccountRecord>, ApiError> {
    let pk = unit_pk(unit_id);
    let page = query_page(page, "units.members", || {
        ctx.dynamo
            .query()
            .table_name(&ctx.config.tables.accounts)
            .key_condition_expression("pk = :pk AND begins_with(sk, :member)")
            .expression_attribute_values(":pk", s(pk.clone()))
            .expression_attribute_values(":member", s("MEMBER#"))
            .projection_expression("pk, sk, account_id")
            .consistent_read(true)
    })
    .await?;
    let ids: Vec<String> = page
        .items
        .iter()
        .filter_map(|item| item.get("account_id").and_then(|v| v.as_s().ok()).cloned())
        .collect();
    let members = accounts::find_many(ctx, &ids).await?;
    Ok(Page {
        items: members,
        next: page.next,
        read_units: page.read_units,
    })
}

/// What an administrator changes of a sub-account.
pub struct MemberUpdate<'a> {
    pub real_name: &'a str,
    pub phone: &'a PhoneNumber,
    pub link_ids: &'a [String],
}

/// Writes a sub-account's new name, phone and houses, only while it is active and still has the
/// name, phone and houses it was read with (two changes at once: one wins, the other is
/// `CONFLICT`, so neither writes back what the other changed). A new phone moves the phone claim
/// (`PHONE_TAKEN` when another unit account has it) and forgets the devices verified through the
/// old one, in the same transaction: the next login on any device proves the new phone.
pub async fn update_member(
    ctx: &AppContext,
    member: &AccountRecord,
    update: &MemberUpdate<'_>,
) -> Result<(), ApiError> {
    let table = &ctx.config.tables.accounts;
    let list = |ids: &[String]| AttributeValue::L(ids.iter().map(s).collect());
    let old_links = member
        .unit
        .as_ref()
        .map(|u| u.link_ids.as_slice())
        .unwrap_or_default();
    // No houses may be stored as an empty list or (never assigned) as no attribute at all.
    let condition = if old_links.is_empty() {
        "#status = :active AND phone = :old AND real_name = :old_name \
         AND (attribute_not_exists(#unit.link_ids) OR #unit.link_ids = :old_links)"
    } else {
        "#status = :active AND phone = :old AND real_name = :old_name \
         AND #unit.link_ids = :old_links"
    };
    let profile = Update::builder()
        .table_name(table)
        .set_key(Some(pk_sk(&member.pk, &member.sk)))
        .update_expression("SET real_name = :name, phone = :phone, #unit.link_ids = :links")
        .condition_expression(condition)
        .expression_attribute_names("#unit", "unit")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":name", s(update.real_name))
        .expression_attribute_values(":phone", s(update.phone.as_str()))
        .expression_attribute_values(":links", list(update.link_ids))
        .expression_attribute_values(":old_links", list(old_links))
        .expression_attribute_values(":old_name", s(&member.real_name))
        .expression_attribute_values(":active", s("active"))
        .expression_attribute_values(":old", s(&member.phone))
        .build()
        .expect("key and expression are set");
    let mut items = vec![TransactWriteItem::builder().update(profile).build()];
    let mut devices = None;
    if update.phone.as_str() != member.phone {
        let old = PhoneNumber::parse(&member.phone).map_err(|_| ApiError::Internal)?;
        items.push(free_phone_item(ctx, member, &old));
        items.push(put_if_absent(
            table,
            claim_item(member.phone_claim(ctx, update.phone), &member.account_id),
        ));
        let forgotten = ForgottenDevices::of(ctx, &member.account_id).await?;
        items.extend(forgotten.in_transaction.iter().cloned());
        devices = Some(forgotten);
    }
    transact(ctx, items, "units.update_member", |failed| {
        if failed.contains(&2) {
            values_taken(vec![phone_taken("phone")])
        } else {
            changed_meanwhile()
        }
    })
    .await?;
    match devices {
        Some(devices) => devices.finish(ctx).await,
        None => Ok(()),
    }
}

/// Deactivates a sub-account as of `at`: its status, its session ended at once and for good, and
/// its phone claim freed (the number may be given to another account), in one transaction. Its
/// username stays taken and its declarations stay valid (they belong to the unit's links).
pub async fn deactivate_member(
    ctx: &AppContext,
    member: &AccountRecord,
    at: &str,
) -> Result<(), ApiError> {
    let table = &ctx.config.tables.accounts;
    let profile = Update::builder()
        .table_name(table)
        .set_key(Some(pk_sk(&member.pk, &member.sk)))
        .update_expression("SET #status = :deactivated, deactivated_at = :now")
        .condition_expression("#status = :active")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":deactivated", s("deactivated"))
        .expression_attribute_values(":active", s("active"))
        .expression_attribute_values(":now", s(at))
        .build()
        .expect("key and expression are set");
    let phone = PhoneNumber::parse(&member.phone).map_err(|_| ApiError::Internal)?;
    let items = vec![
        TransactWriteItem::builder().update(profile).build(),
        end_sessions_for_good_item(ctx, &member.account_id),
        free_phone_item(ctx, member, &phone),
    ];
    transact(ctx, items, "units.deactivate_member", |_| {
        changed_meanwhile()
    })
    .await
}

/// Frees the member's claim of `phone`: gone already is fine, another account's claim is left
/// alone (the condition fails).
fn free_phone_item(
    ctx: &AppContext,
    member: &AccountRecord,
    phone: &PhoneNumber,
) -> TransactWriteItem {
    let delete = Delete::builder()
        .table_name(&ctx.config.tables.accounts)
        .set_key(Some(pk_sk(member.phone_claim(ctx, phone), CLAIM)))
        .condition_expression("attribute_not_exists(pk) OR account_id = :me")
        .expression_attribute_values(":me", s(&member.account_id))
        .build()
        .expect("key is set");
    TransactWriteItem::builder().delete(delete).build()
}

fn changed_meanwhile() -> ApiError {
    ApiError::Conflict {
        title: "子账号已停用或已被修改，请刷新后重试",
        errors: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_names_its_accounts_membership() {
        let unit = UnitRecord::new(
            "某某公司",
            "91350100M000100Y43",
            "张三",
            "admin-1",
            "staff-1",
        );
        assert_eq!(unit.pk, format!("UNIT#{}", unit.unit_id));
        let membership = unit.membership();
        assert_eq!(membership.unit_name, "某某公司");
        assert_eq!(membership.admin_account_id, "admin-1");
        assert!(membership.link_ids.is_empty());
    }
}
