//! Resident registrations (F16–F20, F23, F24) in the registrations table.
//!
//! | pk                     | sk                          | `kind`         | what                                   |
//! |------------------------|-----------------------------|----------------|----------------------------------------|
//! | `LINK#<link_id>`       | `REG#<registration_id>`     | `registration` | the registration ([`RegistrationRecord`]) |
//! | `LINK#<link_id>`       | `HIST#<registration_id>#<version>` | `history` | one change: who, when, what ([`HistoryRecord`]) |
//! | `HOUSE#<house_id>`     | `PERSON#<person key>`       | `presence`     | the person is currently registered in this house |
//! | `REGID#<registration_id>` | `POINTER`                | `pointer`      | registration id → link                  |
//! | `RECEIPT#<receipt_no>` | `RECEIPT`                   | `receipt`      | receipt number → registration (and its claim) |
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

use aws_sdk_dynamodb::types::{ConditionCheck, Delete, Put, TransactWriteItem};
use serde::{Deserialize, Serialize};

use crate::context::AppContext;
use crate::domain::address::DeclarantType;
use crate::domain::id_document::IdType;
use crate::domain::receipt::ReceiptNo;
use crate::domain::resident::{Education, Ethnicity, MaritalStatus, SexCode};
use crate::error::ApiError;
use crate::http::pagination::{Page, PageRequest};

use super::house_links::{LinkRecord, LinkStatus, LinkedHouse};
use super::paged_query::query_records;
use super::{Item, from_item, pk_sk, put_if_absent, s, to_item, transact, unavailable};

pub const PERSON_INDEX: &str = "registrations_by_person";
const POINTER: &str = "POINTER";
const RECEIPT: &str = "RECEIPT";
/// Draws of a receipt number before giving up (each clash is about one in 10^11).
const RECEIPT_DRAWS: u32 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationStatus {
    /// The resident lives there.
    Current,
    /// The resident moved out (`moved_out_on`), or the house was deregistered with its residents.
    MovedOut,
    /// Deregistered because the information was wrong: never counts toward a residence permit.
    Voided,
}

impl RegistrationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Current => "current",
            Self::MovedOut => "moved_out",
            Self::Voided => "voided",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Current => "在住",
            Self::MovedOut => "已搬离",
            Self::Voided => "已作废（信息有误）",
        }
    }
}

/// Why a registration ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// 搬离: the resident moved out.
    MovedOut,
    /// 信息错误: the registration was wrong and is void.
    InfoError,
    /// The declarant deregistered the house with its residents (F15).
    HouseDeregistered,
}

impl EndReason {
    pub fn label(self) -> &'static str {
        match self {
            Self::MovedOut => "搬离",
            Self::InfoError => "信息错误",
            Self::HouseDeregistered => "房屋注销",
        }
    }

    pub fn status(self) -> RegistrationStatus {
        match self {
            Self::InfoError => RegistrationStatus::Voided,
            Self::MovedOut | Self::HouseDeregistered => RegistrationStatus::MovedOut,
        }
    }
}

/// Through which channel a change was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The declarant's own account (mobile app).
    Online,
    /// Counter staff on the declarant's behalf (F21).
    Counter,
}

/// Who made a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub account_id: String,
    pub channel: Channel,
}

/// What the ordinance requires about a resident (Art. 9). Personal data: deliberately not `Debug`.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Resident {
    pub name: String,
    pub sex: SexCode,
    pub ethnicity: Ethnicity,
    pub birth_date: String,
    pub id_type: IdType,
    pub id_number: String,
    pub household_address: String,
    pub marital_status: MaritalStatus,
    pub education: Education,
    pub occupation: String,
    pub workplace: String,
    pub relationship: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
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
    pub moved_in_on: String,
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
    pub moved_out_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_reason: Option<EndReason>,
}

impl RegistrationRecord {
    pub fn key(&self) -> Item {
        pk_sk(&self.pk, &self.sk)
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

/// What a history item records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Declared,
    Changed,
    Deregistered,
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
            sk: history_sk(&record.registration_id, record.version),
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

pub fn link_pk(link_id: &str) -> String {
    format!("LINK#{link_id}")
}

pub fn registration_sk(registration_id: &str) -> String {
    format!("REG#{registration_id}")
}

fn history_sk(registration_id: &str, version: u32) -> String {
    format!("HIST#{registration_id}#{version:08}")
}

fn pointer_pk(registration_id: &str) -> String {
    format!("REGID#{registration_id}")
}

fn receipt_pk(receipt_no: &ReceiptNo) -> String {
    format!("RECEIPT#{}", receipt_no.as_str())
}

fn presence_key(record: &RegistrationRecord) -> Item {
    pk_sk(
        format!("HOUSE#{}", record.house.house_id),
        format!("PERSON#{}", record.person_key),
    )
}

/// The person key of an ID document: the same for a resident's registrations and for their
/// residence-permit account.
pub fn person_key(ctx: &AppContext, id_type: IdType, number: &str) -> String {
    crate::crypto::keyed_hash(
        &ctx.config.hash_key,
        "resident",
        &[id_type.as_str(), number],
    )
}

fn table(ctx: &AppContext) -> &str {
    &ctx.config.tables.registrations
}

/// Replaces a registration only while it is still current at the version it was read at.
fn replace_current(
    ctx: &AppContext,
    next: &RegistrationRecord,
    read_version: u32,
) -> TransactWriteItem {
    let put = Put::builder()
        .table_name(table(ctx))
        .set_item(Some(to_item(next)))
        .condition_expression("#status = :current AND version = :version")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":current", s(RegistrationStatus::Current.as_str()))
        .expression_attribute_values(":version", super::n(read_version));
    TransactWriteItem::builder()
        .put(put.build().expect("table and item are set"))
        .build()
}

/// The answer when a registration changed since the caller read it.
pub fn stale_version() -> ApiError {
    ApiError::conflict(
        "version",
        "STALE_VERSION",
        "该住户信息已被修改，请刷新后重试",
    )
}

/// The answer when the person is already registered in the house.
pub fn already_registered() -> ApiError {
    ApiError::conflict(
        "id_number",
        "ALREADY_REGISTERED",
        "此人已登记居住在该房屋，无需重复申报",
    )
}

/// Stores a new registration with its first history entry, presence, pointer and receipt claim,
/// only while the link is still approved. The receipt number is drawn again on a clash.
pub async fn declare(
    ctx: &AppContext,
    link: &LinkRecord,
    mut record: RegistrationRecord,
) -> Result<RegistrationRecord, ApiError> {
    let registrations = table(ctx);
    for draw in 1..=RECEIPT_DRAWS {
        let history =
            HistoryRecord::new(&record, Action::Declared, &record.declared_by, Vec::new());
        let mut presence = presence_key(&record);
        presence.insert("kind".into(), s("presence"));
        presence.insert("registration_id".into(), s(&record.registration_id));
        let mut pointer = pk_sk(pointer_pk(&record.registration_id), POINTER);
        pointer.insert("kind".into(), s("pointer"));
        pointer.insert("link_id".into(), s(&record.link_id));
        let mut receipt = pk_sk(receipt_pk(&record.receipt_no), RECEIPT);
        receipt.insert("kind".into(), s("receipt"));
        receipt.insert("link_id".into(), s(&record.link_id));
        receipt.insert("registration_id".into(), s(&record.registration_id));
        let still_approved = ConditionCheck::builder()
            .table_name(&ctx.config.tables.accounts)
            .set_key(Some(pk_sk(&link.pk, &link.sk)))
            .condition_expression("#status = :approved")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":approved", s(LinkStatus::Approved.as_str()))
            .build()
            .expect("key and condition are set");
        let items = vec![
            put_if_absent(registrations, to_item(&record)),
            put_if_absent(registrations, presence),
            put_if_absent(registrations, pointer),
            put_if_absent(registrations, receipt),
            put_if_absent(registrations, to_item(&history)),
            TransactWriteItem::builder()
                .condition_check(still_approved)
                .build(),
        ];
        let clash = std::sync::atomic::AtomicBool::new(false);
        let outcome = transact(ctx, items, "registrations.declare", |failed| {
            if failed.contains(&5) {
                ApiError::LinkNotApproved
            } else if failed.contains(&1) {
                already_registered()
            } else {
                // The receipt number (index 3) is taken: draw again. Anything else is a bug.
                clash.store(failed.contains(&3), std::sync::atomic::Ordering::Relaxed);
                ApiError::Internal
            }
        })
        .await;
        match outcome {
            Ok(()) => return Ok(record),
            Err(_) if clash.load(std::sync::atomic::Ordering::Relaxed) => {
                tracing::warn!(draw, "receipt number clash; drawing another");
                let day =
                    chrono::NaiveDate::parse_from_str(&record.receipt_no.as_str()[..8], "%Y%m%d")
                        .map_err(|_| ApiError::Internal)?;
                record.receipt_no = ReceiptNo::generate(day);
            }
            Err(other) => return Err(other),
        }
    }
    // Three clashes in a row (each about one in 10^11): something is wrong with randomness.
    tracing::error!("receipt numbers clashed on every draw");
    Err(ApiError::ServiceUnavailable)
}

/// Replaces a current registration (read at `read_version`) by `next`, with its history entry.
pub async fn change(
    ctx: &AppContext,
    next: &RegistrationRecord,
    read_version: u32,
    history: &HistoryRecord,
) -> Result<(), ApiError> {
    let items = vec![
        replace_current(ctx, next, read_version),
        put_if_absent(table(ctx), to_item(history)),
    ];
    transact(ctx, items, "registrations.change", |_| stale_version()).await
}

/// Ends a current registration (read at `read_version`): `next` carries the end; its presence in
/// the house goes in the same transaction.
pub async fn end(
    ctx: &AppContext,
    next: &RegistrationRecord,
    read_version: u32,
    history: &HistoryRecord,
) -> Result<(), ApiError> {
    let delete = Delete::builder()
        .table_name(table(ctx))
        .set_key(Some(presence_key(next)))
        .build()
        .expect("key is set");
    let items = vec![
        replace_current(ctx, next, read_version),
        put_if_absent(table(ctx), to_item(history)),
        TransactWriteItem::builder().delete(delete).build(),
    ];
    transact(ctx, items, "registrations.end", |_| stale_version()).await
}

/// A registration by its id alone, read consistently.
pub async fn get_by_id(
    ctx: &AppContext,
    registration_id: &str,
) -> Result<Option<RegistrationRecord>, ApiError> {
    let Some(pointer) = get_item(ctx, pk_sk(pointer_pk(registration_id), POINTER)).await? else {
        return Ok(None);
    };
    let Some(link_id) = pointer.get("link_id").and_then(|v| v.as_s().ok()) else {
        return Err(ApiError::Internal);
    };
    get(ctx, link_id, registration_id).await
}

/// A registration under a link, read consistently.
pub async fn get(
    ctx: &AppContext,
    link_id: &str,
    registration_id: &str,
) -> Result<Option<RegistrationRecord>, ApiError> {
    get_item(ctx, key(link_id, registration_id))
        .await?
        .map(from_item)
        .transpose()
}

/// The registration a receipt number was given to.
pub async fn get_by_receipt(
    ctx: &AppContext,
    receipt_no: &ReceiptNo,
) -> Result<Option<RegistrationRecord>, ApiError> {
    let Some(claim) = get_item(ctx, pk_sk(receipt_pk(receipt_no), RECEIPT)).await? else {
        return Ok(None);
    };
    let field = |name: &str| claim.get(name).and_then(|v| v.as_s().ok()).cloned();
    let (Some(link_id), Some(registration_id)) = (field("link_id"), field("registration_id"))
    else {
        return Err(ApiError::Internal);
    };
    get(ctx, &link_id, &registration_id).await
}

async fn get_item(ctx: &AppContext, key: Item) -> Result<Option<Item>, ApiError> {
    let output = ctx
        .dynamo
        .get_item()
        .table_name(table(ctx))
        .set_key(Some(key))
        .consistent_read(true)
        .send()
        .await
        .map_err(|e| unavailable("registrations.get", e))?;
    Ok(output.item)
}

/// A registration's history, oldest first.
pub async fn history(
    ctx: &AppContext,
    record: &RegistrationRecord,
) -> Result<Vec<HistoryRecord>, ApiError> {
    let mut entries = Vec::new();
    let mut start = None;
    loop {
        let output = ctx
            .dynamo
            .query()
            .table_name(table(ctx))
            .key_condition_expression("pk = :pk AND begins_with(sk, :hist)")
            .expression_attribute_values(":pk", s(&record.pk))
            .expression_attribute_values(":hist", s(format!("HIST#{}#", record.registration_id)))
            .consistent_read(true)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| unavailable("registrations.history", e))?;
        for item in output.items.unwrap_or_default() {
            entries.push(from_item(item)?);
        }
        start = output.last_evaluated_key;
        if start.is_none() {
            return Ok(entries);
        }
    }
}

/// A link's registrations, in the order they were declared; `status` keeps only those.
pub async fn list_under_link(
    ctx: &AppContext,
    link_id: &str,
    status: Option<RegistrationStatus>,
    page: &PageRequest,
) -> Result<Page<RegistrationRecord>, ApiError> {
    let pk = link_pk(link_id);
    query_records(page, "registrations.list", || {
        let query = ctx
            .dynamo
            .query()
            .table_name(table(ctx))
            .key_condition_expression("pk = :pk AND begins_with(sk, :reg)")
            .expression_attribute_values(":pk", s(pk.clone()))
            .expression_attribute_values(":reg", s("REG#"))
            .consistent_read(true);
        match status {
            Some(status) => query
                .filter_expression("#status = :status")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":status", s(status.as_str())),
            None => query,
        }
    })
    .await
}

/// The registrations of one person (by person key), by move-in date; voided ones left out.
pub async fn list_of_person(
    ctx: &AppContext,
    person_key: &str,
    page: &PageRequest,
) -> Result<Page<RegistrationRecord>, ApiError> {
    query_records(page, "registrations.of_person", || {
        ctx.dynamo
            .query()
            .table_name(table(ctx))
            .index_name(PERSON_INDEX)
            .key_condition_expression("person_key = :person")
            .filter_expression("#status <> :voided")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":person", s(person_key))
            .expression_attribute_values(":voided", s(RegistrationStatus::Voided.as_str()))
    })
    .await
}

/// Up to `limit` registrations currently under a link (consistent read).
pub async fn current_under_link(
    ctx: &AppContext,
    link_id: &str,
    limit: u32,
) -> Result<Vec<RegistrationRecord>, ApiError> {
    let page = list_under_link(
        ctx,
        link_id,
        Some(RegistrationStatus::Current),
        &PageRequest::first(limit),
    )
    .await?;
    Ok(page.items)
}

/// The key of a registration.
pub fn key(link_id: &str, registration_id: &str) -> Item {
    pk_sk(link_pk(link_id), registration_sk(registration_id))
}
