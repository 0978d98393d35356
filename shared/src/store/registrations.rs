//! Resident registrations (F16–F20, F23, F24) in the registrations table.
//!
//! Items (keys in [`super::keys`]), each with its `kind`: `registration` ([`RegistrationRecord`]),
//! `history` ([`HistoryRecord`]), `presence` (the person lives in the house now), `pointer`
//! (registration id → link) and `receipt` (receipt number → registration).
//!
//! * Registration ids are UUIDv7, so a link's registrations list in the order they were declared.
//! * The *person key* is a keyed hash of the ID document (type and number): keys carry no personal
//!   data. Registrations carry it as `person_key`, the hash key of the GSI `registrations_by_person`
//!   (range `person_moves` = `<moved_in_on>#<registration_id>`), which answers "my records" (F23).
//! * A `presence` item exists while its registration is current: the move-in transaction creates
//!   it only where none exists, so the same person cannot be registered twice at once in the same
//!   house, whoever declares; every deregistration deletes it in the same transaction.
//! * Every change is one transaction: the registration is replaced with a condition on the version
//!   read (optimistic concurrency), and a history item is added. The table streams
//!   `NEW_AND_OLD_IMAGES`: the `registration` and `history` items are the events other agencies
//!   consume (schema: `docs/events.md`).
//! * Receipt numbers are random, claimed by a conditional put in the same transaction; a clash
//!   (rare) draws a new number. No counter item: a rush does not serialize on one key.

use aws_sdk_dynamodb::types::{ConditionCheck, Delete, Put};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Db;
use crate::domain::address::DeclarantType;
use crate::domain::house_link::LinkStatus;
use crate::domain::receipt::ReceiptNo;
use crate::domain::registration::{Action, Channel, EndReason, RegistrationStatus};
use crate::domain::resident::Resident;

use super::error::{Clash, StoreError, StoreResult};
use super::house_links::{LinkRecord, LinkedHouse};
use super::item::{Item, from_item, n, pk_sk, s, string_of, to_attribute, to_item};
use super::keys::{self, REGISTRATION_PREFIX, registrations_pk};
use super::page::{Page, PageRequest, query_records};
use super::reads::{get_item, query_all};
use super::transaction::Transaction;

pub const PERSON_INDEX: &str = "registrations_by_person";
/// Draws of a receipt number before giving up (each clash is about one in 10^11).
const RECEIPT_DRAWS: u32 = 3;

/// Who made a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub account_id: String,
    pub channel: Channel,
}

/// The declarant, as on the receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declarant {
    pub account_id: String,
    pub name: String,
    pub declarant_type: DeclarantType,
}

/// A registration as stored. Personal data: deliberately not `Debug`.
#[derive(Clone, Serialize, Deserialize)]
pub struct RegistrationRecord {
    pub pk: String,
    pub sk: String,
    pub kind: String,
    pub registration_id: String,
    pub link_id: String,
    pub declarant: Declarant,
    pub house: LinkedHouse,
    pub resident: Resident,
    pub moved_in_on: NaiveDate,
    /// Keyed hash of the resident's ID document (GSI `registrations_by_person`).
    pub person_key: String,
    /// `<moved_in_on>#<registration_id>`: the GSI's range key.
    pub person_moves: String,
    pub status: RegistrationStatus,
    /// Declared after the legal deadline for its declarant type (accepted, and marked).
    pub late: bool,
    pub deadline_days: i64,
    pub receipt_no: ReceiptNo,
    pub declared_at: String,
    pub declared_by: Actor,
    /// 1 when declared; every change adds one.
    pub version: u32,
    pub updated_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_out_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_reason: Option<EndReason>,
    /// The signed token its receipt's QR code carries (`crate::documents`), made once when
    /// it was declared; absent on registrations declared before receipts were signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seal: Option<String>,
}

impl RegistrationRecord {
    pub fn key(&self) -> Item {
        pk_sk(&self.pk, &self.sk)
    }

    /// The China day it was declared (`None` only for a corrupt `declared_at`).
    pub fn declared_on(&self) -> Option<NaiveDate> {
        crate::clock::china_date_of(&self.declared_at)
    }

    /// Whose the registration is ([`keys::subject_key`]): its resident's document and name.
    pub fn subject_key(&self, db: &Db) -> String {
        keys::subject_key(db, &self.person_key, self.resident.name.as_str())
    }

    fn presence_key(&self) -> Item {
        keys::presence_key(&self.house.house_id, &self.person_key)
    }
}

/// One changed field: its value before and after (absent: none).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
}

/// One entry of a registration's history: who did what, when. Personal data: not `Debug`.
#[derive(Clone, Serialize, Deserialize)]
pub struct HistoryRecord {
    pub pk: String,
    pub sk: String,
    pub kind: String,
    pub registration_id: String,
    /// The registration's version this change produced.
    pub version: u32,
    pub action: Action,
    pub at: String,
    pub by: Actor,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<FieldChange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_reason: Option<EndReason>,
}

impl HistoryRecord {
    pub fn new(
        record: &RegistrationRecord,
        action: Action,
        by: &Actor,
        changes: Vec<FieldChange>,
    ) -> Self {
        Self {
            pk: record.pk.clone(),
            sk: keys::history_sk(&record.registration_id, record.version),
            kind: "history".into(),
            registration_id: record.registration_id.clone(),
            version: record.version,
            action,
            at: record.updated_at.clone(),
            by: by.clone(),
            changes,
            end_reason: record.end_reason,
        }
    }
}

fn table(db: &Db) -> &str {
    &db.tables.registrations
}

/// Adds to `tx` the replacement of a registration by `next`, only while it is still current at
/// the version it was read at ([`Clash::RegistrationChanged`]), with its history entry.
fn add_replacement(
    tx: &mut Transaction,
    db: &Db,
    next: &RegistrationRecord,
    read_version: u32,
    history: &HistoryRecord,
) -> StoreResult<()> {
    let put = Put::builder()
        .table_name(table(db))
        .set_item(Some(to_item(next)?))
        .condition_expression("#status = :current AND version = :version")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":current", to_attribute(&RegistrationStatus::Current)?)
        .expression_attribute_values(":version", n(read_version))
        .build()
        .expect("table and item are set");
    tx.put_if(put, Clash::RegistrationChanged);
    // A concurrent change of the same version writes the same history entry: it clashes too.
    tx.put_new(table(db), to_item(history)?, Clash::RegistrationChanged);
    Ok(())
}

/// Stores a new registration with its first history entry, presence, pointer and receipt claim,
/// only while the link is still approved ([`Clash::LinkNotApproved`]) and the person is not
/// registered in the house already ([`Clash::PersonAlreadyRegistered`]). The receipt number is
/// drawn again on a clash.
pub async fn declare(
    db: &Db,
    link: &LinkRecord,
    mut record: RegistrationRecord,
) -> StoreResult<RegistrationRecord> {
    let registrations = table(db);
    for draw in 1..=RECEIPT_DRAWS {
        let history =
            HistoryRecord::new(&record, Action::Declared, &record.declared_by, Vec::new());
        let mut presence = record.presence_key();
        presence.insert("kind".into(), s("presence"));
        presence.insert("registration_id".into(), s(&record.registration_id));
        let mut pointer = keys::registration_pointer_key(&record.registration_id);
        pointer.insert("kind".into(), s("pointer"));
        pointer.insert("link_id".into(), s(&record.link_id));
        let mut receipt = keys::receipt_key(record.receipt_no.as_str());
        receipt.insert("kind".into(), s("receipt"));
        receipt.insert("link_id".into(), s(&record.link_id));
        receipt.insert("registration_id".into(), s(&record.registration_id));
        let still_approved = ConditionCheck::builder()
            .table_name(&db.tables.accounts)
            .set_key(Some(pk_sk(&link.pk, &link.sk)))
            .condition_expression("#status = :approved")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":approved", to_attribute(&LinkStatus::Approved)?)
            .build()
            .expect("key and condition are set");
        let mut tx = Transaction::new("registrations.declare");
        tx.put_fresh(registrations, to_item(&record)?)
            .put_new(registrations, presence, Clash::PersonAlreadyRegistered)
            .put_fresh(registrations, pointer)
            .put_new(registrations, receipt, Clash::ReceiptNumberTaken)
            .put_fresh(registrations, to_item(&history)?)
            .check(still_approved, Clash::LinkNotApproved);
        match tx.commit(db).await {
            Ok(()) => return Ok(record),
            Err(StoreError::Conflict(clashes)) if clashes == [Clash::ReceiptNumberTaken] => {
                tracing::warn!(draw, "receipt number clash; drawing another");
                record.receipt_no = ReceiptNo::generate(record.receipt_no.day());
            }
            Err(other) => return Err(other),
        }
    }
    // Three clashes in a row (each about one in 10^11): something is wrong with randomness.
    tracing::error!("receipt numbers clashed on every draw");
    Err(StoreError::Unavailable)
}

/// Replaces a current registration (read at `read_version`) by `next`, with its history entry
/// ([`Clash::RegistrationChanged`] when it changed meanwhile).
pub async fn change(
    db: &Db,
    next: &RegistrationRecord,
    read_version: u32,
    history: &HistoryRecord,
) -> StoreResult<()> {
    let mut tx = Transaction::new("registrations.change");
    add_replacement(&mut tx, db, next, read_version, history)?;
    tx.commit(db).await
}

/// Ends a current registration (read at `read_version`): `next` carries the end; its presence in
/// the house goes in the same transaction.
pub async fn end(
    db: &Db,
    next: &RegistrationRecord,
    read_version: u32,
    history: &HistoryRecord,
) -> StoreResult<()> {
    let presence = Delete::builder()
        .table_name(table(db))
        .set_key(Some(next.presence_key()))
        .build()
        .expect("key is set");
    let mut tx = Transaction::new("registrations.end");
    add_replacement(&mut tx, db, next, read_version, history)?;
    tx.delete(presence, None);
    tx.commit(db).await
}

/// The registration that has the person in the house now (its presence), read consistently: its
/// id and link.
pub async fn present_in_house(
    db: &Db,
    house_id: &str,
    person_key: &str,
) -> StoreResult<Option<(String, String)>> {
    let Some(presence) = get_one(db, keys::presence_key(house_id, person_key)).await? else {
        return Ok(None);
    };
    let registration_id = string_of(&presence, "registration_id").ok_or(StoreError::Corrupt)?;
    let Some(pointer) = get_one(db, keys::registration_pointer_key(registration_id)).await? else {
        return Ok(None);
    };
    let link_id = string_of(&pointer, "link_id").ok_or(StoreError::Corrupt)?;
    Ok(Some((registration_id.to_owned(), link_id.to_owned())))
}

/// A registration by its id alone, read consistently.
pub async fn get_by_id(db: &Db, registration_id: &str) -> StoreResult<Option<RegistrationRecord>> {
    let Some(pointer) = get_one(db, keys::registration_pointer_key(registration_id)).await? else {
        return Ok(None);
    };
    let link_id = string_of(&pointer, "link_id").ok_or(StoreError::Corrupt)?;
    get(db, link_id, registration_id).await
}

/// A registration under a link, read consistently.
pub async fn get(
    db: &Db,
    link_id: &str,
    registration_id: &str,
) -> StoreResult<Option<RegistrationRecord>> {
    get_one(db, keys::registration_key(link_id, registration_id))
        .await?
        .map(from_item)
        .transpose()
}

/// The registration a receipt number was given to.
pub async fn get_by_receipt(
    db: &Db,
    receipt_no: &ReceiptNo,
) -> StoreResult<Option<RegistrationRecord>> {
    let Some(claim) = get_one(db, keys::receipt_key(receipt_no.as_str())).await? else {
        return Ok(None);
    };
    let (Some(link_id), Some(registration_id)) = (
        string_of(&claim, "link_id"),
        string_of(&claim, "registration_id"),
    ) else {
        return Err(StoreError::Corrupt);
    };
    get(db, link_id, registration_id).await
}

async fn get_one(db: &Db, key: Item) -> StoreResult<Option<Item>> {
    get_item(db, table(db), key, &[], "registrations.get").await
}

/// A registration's history, oldest first.
pub async fn history(db: &Db, record: &RegistrationRecord) -> StoreResult<Vec<HistoryRecord>> {
    query_all("registrations.history", || {
        db.client
            .query()
            .table_name(table(db))
            .key_condition_expression("pk = :pk AND begins_with(sk, :hist)")
            .expression_attribute_values(":pk", s(&record.pk))
            .expression_attribute_values(":hist", s(keys::history_prefix(&record.registration_id)))
            .consistent_read(true)
    })
    .await?
    .into_iter()
    .map(from_item)
    .collect()
}

/// A link's registrations, in the order they were declared; `status` keeps only those.
pub async fn list_under_link(
    db: &Db,
    link_id: &str,
    status: Option<RegistrationStatus>,
    page: &PageRequest,
) -> StoreResult<Page<RegistrationRecord>> {
    let pk = registrations_pk(link_id);
    let status = status.map(|status| to_attribute(&status)).transpose()?;
    query_records(page, "registrations.list", || {
        let query = db
            .client
            .query()
            .table_name(table(db))
            .key_condition_expression("pk = :pk AND begins_with(sk, :reg)")
            .expression_attribute_values(":pk", s(pk.clone()))
            .expression_attribute_values(":reg", s(REGISTRATION_PREFIX))
            .consistent_read(true);
        match &status {
            Some(status) => query
                .filter_expression("#status = :status")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":status", status.clone()),
            None => query,
        }
    })
    .await
}

/// The Query of a person's registrations (GSI `registrations_by_person`), by move-in date,
/// voided ones left out.
fn person_query(
    db: &Db,
    person_key: &str,
    voided: &aws_sdk_dynamodb::types::AttributeValue,
) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
    db.client
        .query()
        .table_name(table(db))
        .index_name(PERSON_INDEX)
        .key_condition_expression("person_key = :person")
        .filter_expression("#status <> :voided")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":person", s(person_key))
        .expression_attribute_values(":voided", voided.clone())
}

/// The registrations of one person (by person key), by move-in date; voided ones left out.
pub async fn list_of_person(
    db: &Db,
    person_key: &str,
    page: &PageRequest,
) -> StoreResult<Page<RegistrationRecord>> {
    let voided = to_attribute(&RegistrationStatus::Voided)?;
    query_records(page, "registrations.of_person", || {
        person_query(db, person_key, &voided)
    })
    .await
}

/// Every registration of a person, voided ones left out (all pages of [`list_of_person`]'s Query).
pub async fn all_of_person(db: &Db, person_key: &str) -> StoreResult<Vec<RegistrationRecord>> {
    let voided = to_attribute(&RegistrationStatus::Voided)?;
    let items = query_all("registrations.all_of_person", || {
        person_query(db, person_key, &voided)
    })
    .await?;
    items.into_iter().map(from_item).collect()
}

/// Up to `limit` registrations currently under a link (consistent read).
pub async fn current_under_link(
    db: &Db,
    link_id: &str,
    limit: u32,
) -> StoreResult<Vec<RegistrationRecord>> {
    let page = list_under_link(
        db,
        link_id,
        Some(RegistrationStatus::Current),
        &PageRequest::first(limit),
    )
    .await?;
    Ok(page.items)
}
