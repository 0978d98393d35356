//! The permits table: residence-permit applications with their history, and the claim that keeps
//! one application open per person.
//!
//! | item | pk | sk |
//! |---|---|---|
//! | application | `APP#<id>` | `APP` |
//! | its history, one per change | `APP#<id>` | `HIST#<version, 4 digits>` |
//! | the person's open application | `PERSON#<person key>` | `OPEN_APPLICATION` |
//!
//! Applications carry `applicant` and `applied_key` (GSI `applications_by_applicant`: an
//! account's applications, oldest first), and while they wait for staff `review_queue`
//! (`submitted#<shard>`) and `review_key` (the sparse GSI `permit_review_queue`, as the house-link
//! review queue: sharded, oldest first).

use aws_sdk_dynamodb::types::Delete;
use serde::{Deserialize, Serialize};

use crate::context::AppContext;
use crate::domain::eligibility::Basis;
use crate::domain::permit::{ApplicationStatus, Delivery};

use super::error::{Clash, StoreResult};
use super::item::{Item, from_item, pk_sk, s, to_attribute, to_item};
use super::page::{Page, PageRequest, query_records};
use super::reads::get_item;
use super::transaction::Transaction;
use super::update::ItemUpdate;

pub const APPLICANT_INDEX: &str = "applications_by_applicant";
pub const REVIEW_INDEX: &str = "permit_review_queue";
/// Shards of the staff review queue (a policy rollout must not write one hot key).
pub const REVIEW_SHARDS: u32 = 8;
const APPLICATION_SK: &str = "APP";
const OPEN_SK: &str = "OPEN_APPLICATION";

fn table(ctx: &AppContext) -> &str {
    &ctx.config.tables.permits
}

pub fn application_pk(application_id: &str) -> String {
    format!("APP#{application_id}")
}

fn open_claim_key(person_key: &str) -> Item {
    pk_sk(format!("PERSON#{person_key}"), OPEN_SK)
}

/// An application as stored. Holds personal data: not `Debug`.
#[derive(Clone, Serialize, Deserialize)]
pub struct ApplicationRecord {
    pub pk: String,
    pub sk: String,
    pub application_id: String,
    /// The account that applied (the holder's own).
    pub applicant: String,
    /// `<applied_at>#<application_id>`: the applicant index's range key.
    pub applied_key: String,
    /// The keyed hash of the holder's ID document.
    pub person_key: String,
    pub holder_name: String,
    pub basis: Basis,
    pub photo_receipt_no: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_no: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub school: Option<String>,
    pub delivery: Delivery,
    pub status: ApplicationStatus,
    pub applied_at: String,
    pub updated_at: String,
    pub version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_queue: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_key: Option<String>,
}

impl ApplicationRecord {
    pub fn key(&self) -> Item {
        pk_sk(&self.pk, &self.sk)
    }

    /// Puts the application in the staff review queue (status `submitted`).
    pub fn queue_for_review(&mut self, now_ms: i64) {
        let (queue, key) =
            super::keys::review_slot("submitted", REVIEW_SHARDS, now_ms, &self.application_id);
        self.review_queue = Some(queue);
        self.review_key = Some(key);
    }
}

/// The sort key of every application item.
pub const APPLICATION: &str = APPLICATION_SK;

/// The application key of an id.
pub fn application_key(application_id: &str) -> Item {
    pk_sk(application_pk(application_id), APPLICATION_SK)
}

/// One change of an application: who, when, from what to what, why.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ApplicationChange {
    pub pk: String,
    pub sk: String,
    pub version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<ApplicationStatus>,
    pub to: ApplicationStatus,
    /// The account that made the change (`system` for a decision the records made).
    pub by: String,
    pub at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl ApplicationChange {
    pub fn new(
        application: &ApplicationRecord,
        from: Option<ApplicationStatus>,
        by: &str,
        reason: Option<String>,
    ) -> Self {
        Self {
            pk: application.pk.clone(),
            sk: format!("HIST#{:04}", application.version),
            version: application.version,
            from,
            to: application.status,
            by: by.to_owned(),
            at: application.updated_at.clone(),
            reason,
        }
    }
}

/// Creates an application with its first history item and the person's open-application claim,
/// in one transaction ([`Clash::ApplicationPending`] when the person has one open already).
pub async fn create(
    ctx: &AppContext,
    application: &ApplicationRecord,
    change: &ApplicationChange,
) -> StoreResult<()> {
    let mut claim = open_claim_key(&application.person_key);
    claim.insert("application_id".into(), s(&application.application_id));
    let mut tx = Transaction::new("permits.create_application");
    tx.put_new(table(ctx), claim, Clash::ApplicationPending);
    tx.put_fresh(table(ctx), to_item(application)?);
    tx.put_fresh(table(ctx), to_item(change)?);
    tx.commit(ctx).await
}

pub async fn get(ctx: &AppContext, application_id: &str) -> StoreResult<Option<ApplicationRecord>> {
    get_item(
        ctx,
        table(ctx),
        application_key(application_id),
        &[],
        "permits.get_application",
    )
    .await?
    .map(from_item)
    .transpose()
}

/// An account's applications, oldest first.
pub async fn list_of_applicant(
    ctx: &AppContext,
    account_id: &str,
    page: &PageRequest,
) -> StoreResult<Page<ApplicationRecord>> {
    query_records(page, "permits.of_applicant", || {
        ctx.dynamo
            .query()
            .table_name(table(ctx))
            .index_name(APPLICANT_INDEX)
            .key_condition_expression("applicant = :applicant")
            .expression_attribute_values(":applicant", s(account_id))
    })
    .await
}

/// The application's history, oldest first.
pub async fn history(
    ctx: &AppContext,
    application_id: &str,
) -> StoreResult<Vec<ApplicationChange>> {
    let pk = application_pk(application_id);
    let items = super::reads::query_all("permits.history", || {
        ctx.dynamo
            .query()
            .table_name(table(ctx))
            .key_condition_expression("pk = :pk AND begins_with(sk, :hist)")
            .expression_attribute_values(":pk", s(&pk))
            .expression_attribute_values(":hist", s("HIST#"))
            .consistent_read(true)
    })
    .await?;
    items.into_iter().map(from_item).collect()
}

/// Moves an application to `next` (its status, version and time already set), on the condition
/// that it is still at the version read ([`Clash::ApplicationChanged`]); writes the history item,
/// and releases the person's claim when the application is no longer open.
pub async fn change_status(
    ctx: &AppContext,
    next: &ApplicationRecord,
    read_version: u32,
    change: &ApplicationChange,
) -> StoreResult<()> {
    let mut update = ItemUpdate::new(table(ctx), next.key())
        .set("status", to_attribute(&next.status)?)
        .set("version", super::item::n(next.version))
        .set("updated_at", s(&next.updated_at))
        .condition(
            "#version = :read",
            vec![(":read", super::item::n(read_version))],
        );
    update = match (&next.review_queue, &next.review_key) {
        (Some(queue), Some(key)) => update
            .set("review_queue", s(queue))
            .set("review_key", s(key)),
        _ => update.remove("review_queue").remove("review_key"),
    };
    let mut tx = Transaction::new("permits.change_status");
    tx.update(update.into_update(), Clash::ApplicationChanged);
    tx.put_fresh(table(ctx), to_item(change)?);
    if !next.status.is_open() {
        let release = Delete::builder()
            .table_name(table(ctx))
            .set_key(Some(open_claim_key(&next.person_key)))
            .build()
            .expect("key is set");
        tx.delete(release, None);
    }
    tx.commit(ctx).await
}
