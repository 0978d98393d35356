//! Units (F3, F8), in the accounts table next to their accounts.
//!
//! Items (keys in [`super::keys`]): the unit's profile (`UNIT#…`/`PROFILE`), one member item per
//! sub-account (for listing them), and a claim of its credit code: one unit per organization.
//!
//! The administrator is an account (role `admin`) whose house links are the unit's houses.
//! Sub-accounts are accounts (role `sub_account`) whose profile lists the ids of the links
//! assigned to them ([`UnitMembership::link_ids`]). Account ids are UUIDv7, so members list in the
//! order they were added.

use serde::{Deserialize, Serialize};

use super::Db;
use crate::domain::account::{AccountStatus, AccountType};
use crate::domain::phone::PhoneNumber;

use super::accounts::{self, AccountRecord, ForgottenDevices, Holder, UnitMembership, claim_item};
use super::error::{Clash, StoreError, StoreResult};
use super::house_links::{self, LinkRecord};
use super::item::{s, string_of, strings, to_attribute, to_item};
use super::keys::{self, MEMBER_PREFIX, PROFILE, unit_pk};
use super::page::{Page, PageRequest, query_page};
use super::transaction::Transaction;
use super::update::ItemUpdate;
use super::verification_codes::VerifiedCode;

/// A unit as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnitRecord {
    pub pk: String,
    pub sk: String,
    pub unit_id: String,
    /// The platform its administrator logs in on (units from before F25: registration).
    #[serde(default = "registration_platform")]
    pub platform: AccountType,
    pub name: String,
    /// The unified social credit code (GB 32100).
    pub uscc: String,
    pub contact_name: String,
    pub admin_account_id: String,
    /// The staff account that opened the unit.
    pub opened_by: String,
    pub created_at: String,
}

fn registration_platform() -> AccountType {
    AccountType::ResidenceRegistration
}

impl UnitRecord {
    pub fn new(
        platform: AccountType,
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
            platform,
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
/// its credit-code claim ([`Clash::UsccTaken`]), and its house links.
pub async fn open(
    db: &Db,
    unit: &UnitRecord,
    admin: &Holder<'_>,
    admin_record: &AccountRecord,
    links: &[LinkRecord],
) -> StoreResult<()> {
    let table = &db.tables.accounts;
    let mut tx = Transaction::new("units.open");
    accounts::add_creation(&mut tx, db, admin, admin_record)?;
    tx.put_fresh(table, to_item(unit)?);
    tx.put_new(
        table,
        claim_item(keys::uscc_claim(unit.platform, &unit.uscc), &unit.unit_id),
        Clash::UsccTaken,
    );
    for link in links {
        house_links::add_creation(&mut tx, db, link)?;
    }
    tx.commit(db).await
}

/// Adds a sub-account: its account (profile and claims) and its member item, in one transaction.
pub async fn add_member(
    db: &Db,
    holder: &Holder<'_>,
    record: &AccountRecord,
    phone_proof: &VerifiedCode,
) -> StoreResult<()> {
    let unit = record.unit.as_ref().ok_or(StoreError::Corrupt)?;
    let mut tx = Transaction::new("units.add_member");
    accounts::add_creation(&mut tx, db, holder, record)?;
    phone_proof.add_use(&mut tx, db);
    let mut member = keys::member_key(&unit.unit_id, &record.account_id);
    member.insert("account_id".into(), s(&record.account_id));
    tx.put_fresh(&db.tables.accounts, member);
    tx.commit(db).await
}

/// A unit's sub-accounts, in the order they were added.
pub async fn members(
    db: &Db,
    unit_id: &str,
    page: &PageRequest,
) -> StoreResult<Page<AccountRecord>> {
    let pk = unit_pk(unit_id);
    let page = query_page(page, "units.members", || {
        db.client
            .query()
            .table_name(&db.tables.accounts)
            .key_condition_expression("pk = :pk AND begins_with(sk, :member)")
            .expression_attribute_values(":pk", s(pk.clone()))
            .expression_attribute_values(":member", s(MEMBER_PREFIX))
            .projection_expression("pk, sk, account_id")
            .consistent_read(true)
    })
    .await?;
    let ids: Vec<String> = page
        .items
        .iter()
        .filter_map(|item| string_of(item, "account_id").map(str::to_owned))
        .collect();
    let members = accounts::find_many(db, &ids).await?;
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
    /// The code that proves `phone` and when it was proven: used up in the same transaction.
    pub phone_proof: Option<(&'a VerifiedCode, &'a str)>,
}

/// Writes a sub-account's new name, phone and houses, only while it is active and still has the
/// name, phone and houses it was read with ([`Clash::MemberChanged`]: two changes at once, one
/// wins, so neither writes back what the other changed). A new phone moves the phone claim
/// ([`Clash::PhoneTaken`] when another unit account has it) and forgets the devices verified
/// through the old one, in the same transaction: the next login on any device proves the new
/// phone.
pub async fn update_member(
    db: &Db,
    member: &AccountRecord,
    update: &MemberUpdate<'_>,
) -> StoreResult<()> {
    let table = &db.tables.accounts;
    let old_links = member
        .unit
        .as_ref()
        .map(|u| u.link_ids.as_slice())
        .unwrap_or_default();
    // No houses may be stored as an empty list or (never assigned) as no attribute at all.
    let condition = if old_links.is_empty() {
        "#status = :active AND #phone = :old AND #real_name = :old_name \
         AND (attribute_not_exists(#unit.#link_ids) OR #unit.#link_ids = :old_links)"
    } else {
        "#status = :active AND #phone = :old AND #real_name = :old_name \
         AND #unit.#link_ids = :old_links"
    };
    let mut profile = ItemUpdate::new(table, member.key())
        .set("real_name", s(update.real_name))
        .set("phone", s(update.phone.as_str()))
        .set("unit.link_ids", strings(update.link_ids));
    if let Some((_, confirmed_at)) = update.phone_proof {
        profile = profile.set("phone_confirmed_at", s(confirmed_at));
    }
    let profile = profile.condition(
        condition,
        vec![
            (":active", to_attribute(&AccountStatus::Active)?),
            (":old", s(member.phone.as_str())),
            (":old_name", s(&member.real_name)),
            (":old_links", strings(old_links)),
        ],
    );
    let mut tx = Transaction::new("units.update_member");
    tx.update(profile.into_update(), Clash::MemberChanged);
    if let Some((code, _)) = update.phone_proof {
        code.add_use(&mut tx, db);
    }
    let mut devices = None;
    if *update.phone != member.phone {
        accounts::add_phone_release(&mut tx, db, member, &member.phone, Clash::MemberChanged);
        tx.put_new(
            table,
            claim_item(member.phone_claim(db, update.phone), &member.account_id),
            Clash::PhoneTaken,
        );
        let forgotten = ForgottenDevices::of(db, &member.account_id).await?;
        forgotten.add_to(&mut tx, db);
        devices = Some(forgotten);
    }
    tx.commit(db).await?;
    match devices {
        Some(devices) => devices.finish(db).await,
        None => Ok(()),
    }
}

/// Deactivates a sub-account as of `at`: its status, its session ended at once and for good, and
/// its phone claim freed (the number may be given to another account), in one transaction
/// ([`Clash::MemberChanged`] when it was deactivated meanwhile). Its username stays taken and its
/// declarations stay valid (they belong to the unit's links).
pub async fn deactivate_member(db: &Db, member: &AccountRecord, at: &str) -> StoreResult<()> {
    let profile = ItemUpdate::new(&db.tables.accounts, member.key())
        .set("status", to_attribute(&AccountStatus::Deactivated)?)
        .set("deactivated_at", s(at))
        .condition(
            "#status = :active",
            vec![(":active", to_attribute(&AccountStatus::Active)?)],
        );
    let mut tx = Transaction::new("units.deactivate_member");
    tx.update(profile.into_update(), Clash::MemberChanged);
    accounts::add_final_session_end(&mut tx, db, &member.account_id);
    accounts::add_phone_release(&mut tx, db, member, &member.phone, Clash::MemberChanged);
    tx.commit(db).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_names_its_accounts_membership() {
        let unit = UnitRecord::new(
            AccountType::ResidenceRegistration,
            "Example Co.",
            "91350100M000100Y43",
            "Zhang San",
            "admin-1",
            "staff-1",
        );
        assert_eq!(unit.pk, format!("UNIT#{}", unit.unit_id));
        let membership = unit.membership();
        assert_eq!(membership.unit_name, "Example Co.");
        assert_eq!(membership.admin_account_id, "admin-1");
        assert!(membership.link_ids.is_empty());
    }
}
