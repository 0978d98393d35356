//! The permits table: residence-permit applications with their history, and the claim that keeps
//! one application open per person.
//!
//! | item | pk | sk |
//! |---|---|---|
//! | application | `APP#<id>` | `APP` |
//! | its history, one per change | `APP#<id>` | `HIST#<version, 4 digits>` |
//! | the person's open application (the claim) | `PERSON#<person key>` | `OPEN_APPLICATION` |
//! | a permit | `PERMIT#<permit no>` | `PERMIT` |
//! | one of its endorsements | `PERMIT#<permit no>` | `END#<number, 4 digits>` |
//! | its holder's photo, sealed | `PERMIT#<permit no>` | `PHOTO` |
//! | the person's latest permit | `PERSON#<person key>` | `PERMIT` |
//!
//! The claim is held by every open application but a unit's filing awaiting the employee's
//! consent ([`ApplicationStatus::holds_claim`]): a filing takes it when the employee consents,
//! so that no unit can block the person's own application with a filing they never confirm.
//!
//! Applications carry `applicant` and `applied_key` (GSI `applications_by_applicant`: an
//! account's applications, oldest first), and while they wait for staff `review_queue`
//! (`submitted#<shard>`) and `review_key` (the sparse GSI `permit_review_queue`, as the house-link
//! review queue: sharded, oldest first).
//!
//! Permits carry `reminder_queue` (`<China date>#<shard>`), `reminder_key` (the permit number) and
//! `milestone`: the next day of the permit's year the daily run acts on (GSI `permit_milestones`,
//! one Query per shard for a day). Acting moves it on to the next milestone, conditionally, so a
//! second run of the same day finds nothing.

use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, Delete};
use serde::{Deserialize, Serialize};

use super::Db;
use crate::domain::account::AccountStatus;
use crate::domain::eligibility::Basis;
use crate::domain::id_document::IdType;
use crate::domain::permit::{ApplicationStatus, Delivery};
use crate::domain::residence_permit::{Milestone, PermitNo, PermitStatus, Validity};
use crate::domain::resident::{Ethnicity, SexCode};
use chrono::NaiveDate;

use super::error::{Clash, StoreError, StoreResult};
use super::item::{Item, from_item, pk_sk, s, to_attribute, to_item};
use super::page::{Page, PageRequest, query_records};
use super::reads::get_item;
use super::transaction::Transaction;
use super::update::ItemUpdate;

pub const APPLICANT_INDEX: &str = "applications_by_applicant";
/// Applications a unit filed for its employees, oldest first (sparse: `filed_unit`).
pub const UNIT_INDEX: &str = "applications_by_unit";
pub const REVIEW_INDEX: &str = "permit_review_queue";
/// Shards of the staff review queue (a policy rollout must not write one hot key).
pub const REVIEW_SHARDS: u32 = 8;
pub const MILESTONE_INDEX: &str = "permit_milestones";
/// Shards of a day's milestones (a day of a policy rollout's anniversaries is a hot day).
pub const MILESTONE_SHARDS: u32 = 8;
const APPLICATION_SK: &str = "APP";
const OPEN_SK: &str = "OPEN_APPLICATION";
const PERMIT_SK: &str = "PERMIT";

fn table(db: &Db) -> &str {
    &db.tables.permits
}

pub fn application_pk(application_id: &str) -> String {
    format!("APP#{application_id}")
}

fn open_claim_key(person_key: &str) -> Item {
    pk_sk(format!("PERSON#{person_key}"), OPEN_SK)
}

/// Whether a key of the permits table is an application's item (not its history or claim).
pub fn is_application_key(pk: &str, sk: &str) -> bool {
    pk.starts_with(&application_pk("")) && sk == APPLICATION_SK
}

/// Whether a key of the permits table is a permit's own item (not the holder's pointer to it).
pub fn is_permit_key(pk: &str, sk: &str) -> bool {
    pk.starts_with("PERMIT#") && sk == PERMIT_SK
}

fn permit_pk(permit_no: &PermitNo) -> String {
    format!("PERMIT#{}", permit_no.as_str())
}

pub fn permit_key(permit_no: &PermitNo) -> Item {
    pk_sk(permit_pk(permit_no), PERMIT_SK)
}

const PHOTO_SK: &str = "PHOTO";

fn photo_key(permit_no: &PermitNo) -> Item {
    pk_sk(permit_pk(permit_no), PHOTO_SK)
}

fn person_permit_key(person_key: &str) -> Item {
    pk_sk(format!("PERSON#{person_key}"), PERMIT_SK)
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
    /// The unit that filed it for its employee (F25; GSI `applications_by_unit`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filed_unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<Agent>,
    /// A unit's filing: the time (RFC 3339, UTC) after which it can no longer be confirmed and
    /// reads as expired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_expires_at: Option<String>,
}

/// A unit filing for its employee (单位代办, F25): which unit, by whom, on which authorization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agent {
    pub unit_id: String,
    pub unit_name: String,
    /// The unit administrator's account that filed it.
    pub by: String,
    /// The number of the employee's written authorization (委托书).
    pub authorization_no: String,
}

impl ApplicationRecord {
    pub fn key(&self) -> Item {
        pk_sk(&self.pk, &self.sk)
    }

    /// Its status at `now`: a filing still awaiting consent past its deadline is expired (the
    /// deadline is checked on every read and write, not left to a clean-up).
    pub fn status_at(&self, now: chrono::DateTime<chrono::Utc>) -> ApplicationStatus {
        let lapsed = self
            .consent_expires_at
            .as_deref()
            .and_then(|at| chrono::DateTime::parse_from_rfc3339(at).ok())
            .is_some_and(|deadline| now >= deadline);
        match self.status {
            ApplicationStatus::AwaitingConsent if lapsed => ApplicationStatus::Expired,
            status => status,
        }
    }

    /// The application moved to `status` at `at`, one version on, out of the review queue.
    pub fn moved_to(&self, status: ApplicationStatus, at: &str) -> Self {
        let mut next = self.clone();
        next.status = status;
        next.version = self.version + 1;
        next.updated_at = at.to_owned();
        next.review_queue = None;
        next.review_key = None;
        next
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

fn claim_item(application: &ApplicationRecord) -> Item {
    let mut claim = open_claim_key(&application.person_key);
    claim.insert("application_id".into(), s(&application.application_id));
    claim
}

/// Creates an application with its first history item and, when its status holds it, the
/// person's open-application claim, in one transaction ([`Clash::ApplicationPending`] when the
/// person has one open already).
pub async fn create(
    db: &Db,
    application: &ApplicationRecord,
    change: &ApplicationChange,
) -> StoreResult<()> {
    let mut tx = Transaction::new("permits.create_application");
    if application.status.holds_claim() {
        tx.put_new(
            table(db),
            claim_item(application),
            Clash::ApplicationPending,
        );
    }
    tx.put_fresh(table(db), to_item(application)?);
    tx.put_fresh(table(db), to_item(change)?);
    tx.commit(db).await
}

pub async fn get(db: &Db, application_id: &str) -> StoreResult<Option<ApplicationRecord>> {
    get_item(
        db,
        table(db),
        application_key(application_id),
        &[],
        "permits.get_application",
    )
    .await?
    .map(from_item)
    .transpose()
}

/// The person's open application, if any (read consistently through their claim).
pub async fn open_application_of(
    db: &Db,
    person_key: &str,
) -> StoreResult<Option<ApplicationRecord>> {
    let claim = get_item(
        db,
        table(db),
        open_claim_key(person_key),
        &["application_id"],
        "permits.open_claim",
    )
    .await?;
    let Some(application_id) = claim
        .as_ref()
        .and_then(|item| super::item::string_of(item, "application_id"))
    else {
        return Ok(None);
    };
    get(db, application_id).await
}

/// An account's applications, oldest first.
pub async fn list_of_applicant(
    db: &Db,
    account_id: &str,
    page: &PageRequest,
) -> StoreResult<Page<ApplicationRecord>> {
    query_records(page, "permits.of_applicant", || {
        db.client
            .query()
            .table_name(table(db))
            .index_name(APPLICANT_INDEX)
            .key_condition_expression("applicant = :applicant")
            .expression_attribute_values(":applicant", s(account_id))
    })
    .await
}

/// The applications a unit filed, oldest first.
pub async fn list_of_unit(
    db: &Db,
    unit_id: &str,
    page: &PageRequest,
) -> StoreResult<Page<ApplicationRecord>> {
    query_records(page, "permits.of_unit", || {
        db.client
            .query()
            .table_name(table(db))
            .index_name(UNIT_INDEX)
            .key_condition_expression("filed_unit = :unit")
            .expression_attribute_values(":unit", s(unit_id))
    })
    .await
}

/// The application's history, oldest first.
pub async fn history(db: &Db, application_id: &str) -> StoreResult<Vec<ApplicationChange>> {
    let pk = application_pk(application_id);
    let items = super::reads::query_all("permits.history", || {
        db.client
            .query()
            .table_name(table(db))
            .key_condition_expression("pk = :pk AND begins_with(sk, :hist)")
            .expression_attribute_values(":pk", s(&pk))
            .expression_attribute_values(":hist", s("HIST#"))
            .consistent_read(true)
    })
    .await?;
    items.into_iter().map(from_item).collect()
}

/// Moves an application to `next` (its status, version and time already set), on the conditions
/// that it is still at the version read ([`Clash::ApplicationChanged`]) and that its applicant's
/// account is active ([`Clash::AccountNotActive`]: nothing moves the application of a suspended
/// account on); writes the history item; takes the person's claim when the application comes to
/// hold it (a unit's filing the employee consented to: [`Clash::ApplicationPending`] when another
/// is open) and releases it when the application no longer holds it.
pub async fn change_status(
    db: &Db,
    next: &ApplicationRecord,
    read_version: u32,
    change: &ApplicationChange,
) -> StoreResult<()> {
    let mut tx = Transaction::new("permits.change_status");
    add_status_change(&mut tx, db, next, read_version, change)?;
    tx.check(
        applicant_active(db, &next.applicant)?,
        Clash::AccountNotActive,
    );
    tx.commit(db).await
}

/// The condition that the applicant's account is active.
fn applicant_active(db: &Db, applicant: &str) -> StoreResult<ConditionCheck> {
    Ok(ConditionCheck::builder()
        .table_name(&db.tables.accounts)
        .set_key(Some(super::keys::profile_key(applicant)))
        .condition_expression("#status = :active")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":active", to_attribute(&AccountStatus::Active)?)
        .build()
        .expect("key and condition are set"))
}

/// Adds an application's move to `next` to `tx` (as [`change_status`] does, without the
/// applicant's condition: for a transaction that changes the applicant's account itself, as a
/// suspension does).
pub fn add_status_change(
    tx: &mut Transaction,
    db: &Db,
    next: &ApplicationRecord,
    read_version: u32,
    change: &ApplicationChange,
) -> StoreResult<()> {
    let mut update = ItemUpdate::new(table(db), next.key())
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
    tx.update(update.into_update(), Clash::ApplicationChanged);
    // A concurrent change from the same version writes the same history item: it clashes too.
    tx.put_new(table(db), to_item(change)?, Clash::ApplicationChanged);
    let held = change.from.is_some_and(ApplicationStatus::holds_claim);
    if !held && next.status.holds_claim() {
        tx.put_new(table(db), claim_item(next), Clash::ApplicationPending);
    }
    if held && !next.status.holds_claim() {
        let release = Delete::builder()
            .table_name(table(db))
            .set_key(Some(open_claim_key(&next.person_key)))
            .build()
            .expect("key is set");
        tx.delete(release, None);
    }
    Ok(())
}

/// The review queue of applications waiting for staff.
fn review_queue(db: &Db) -> super::review_queue::ReviewQueue<'_> {
    super::review_queue::ReviewQueue {
        table: table(db),
        index: REVIEW_INDEX,
        queue: "submitted",
        shards: REVIEW_SHARDS,
        operation: "permits.review_queue",
    }
}

/// Applications waiting for staff, oldest first (one Query per shard).
pub async fn submitted(db: &Db, page: &PageRequest) -> StoreResult<Page<ApplicationRecord>> {
    super::review_queue::oldest_first(db, &review_queue(db), page).await
}

/// What the card shows of its holder, copied from the holder's current registration on issue.
/// Personal data: not `Debug`.
#[derive(Clone, Serialize, Deserialize)]
pub struct Card {
    pub name: String,
    pub sex: SexCode,
    pub ethnicity: Ethnicity,
    pub birth_date: NaiveDate,
    pub id_type: IdType,
    pub id_number: String,
    pub household_address: String,
    pub current_address: String,
    pub photo_receipt_no: String,
}

/// Why and by whom staff cancelled a permit.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Cancellation {
    pub on: NaiveDate,
    pub by: String,
    pub reason: String,
}

/// A permit as stored. `status` is the status last written (the daily run writes suspensions
/// and cancellations as they fall due, so that each is recorded); the status on a day is
/// [`PermitRecord::status_on`]. Holds personal data: not `Debug`.
#[derive(Clone, Serialize, Deserialize)]
pub struct PermitRecord {
    pub pk: String,
    pub sk: String,
    pub permit_no: PermitNo,
    /// The account that holds it.
    pub holder: String,
    pub person_key: String,
    pub application_id: String,
    pub basis: Basis,
    pub card: Card,
    pub issued_on: NaiveDate,
    pub validity: Validity,
    pub status: PermitStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancellation: Option<Cancellation>,
    pub endorsements: u32,
    pub version: u32,
    pub updated_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminder_queue: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminder_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub milestone: Option<Milestone>,
    /// The unit whose application it was issued on (it may endorse it, F25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filed_unit: Option<String>,
    /// The signed token its card's QR code carries (`crate::documents`), made once when it
    /// was issued; absent on permits issued before cards were signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seal: Option<String>,
}

impl PermitRecord {
    pub fn key(&self) -> Item {
        permit_key(&self.permit_no)
    }

    /// What the permit is worth on `day`.
    pub fn status_on(&self, day: NaiveDate) -> PermitStatus {
        match self.cancellation {
            Some(_) => PermitStatus::Cancelled,
            None => self.validity.status_on(day),
        }
    }

    /// Schedules the permit's next milestone on or after `from` (none once it has passed them all).
    pub fn schedule_from(&mut self, from: NaiveDate) {
        match self.validity.next_milestone(from) {
            Some((day, milestone)) if self.cancellation.is_none() => {
                let shard = crate::crypto::random_u32() % MILESTONE_SHARDS;
                self.reminder_queue = Some(milestone_queue(day, shard));
                self.reminder_key = Some(self.permit_no.as_str().to_owned());
                self.milestone = Some(milestone);
            }
            _ => {
                self.reminder_queue = None;
                self.reminder_key = None;
                self.milestone = None;
            }
        }
    }

    /// The `pk` and `sk` of a new permit's record.
    pub fn keys_of(permit_no: &PermitNo) -> (String, String) {
        (permit_pk(permit_no), PERMIT_SK.to_owned())
    }
}

fn milestone_queue(day: NaiveDate, shard: u32) -> String {
    format!("{day}#{shard}")
}

/// One endorsement of a permit: when, by whom, and the anniversary it moved the permit to.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EndorsementRecord {
    pub pk: String,
    pub sk: String,
    pub endorsed_on: NaiveDate,
    /// The account that asked: the holder, or the unit that endorsed on the holder's behalf.
    pub by: String,
    /// Whether it restored a suspended permit.
    pub restored: bool,
    pub next_anniversary: NaiveDate,
    pub at: String,
}

impl EndorsementRecord {
    pub fn new(permit: &PermitRecord, by: &str, restored: bool, on: NaiveDate, at: &str) -> Self {
        Self {
            pk: permit.pk.clone(),
            sk: format!("END#{:04}", permit.endorsements),
            endorsed_on: on,
            by: by.to_owned(),
            restored,
            next_anniversary: permit.validity.anniversary(),
            at: at.to_owned(),
        }
    }
}

/// Approves an application and issues its permit, in one transaction: the application's change
/// (as [`change_status`]), the permit ([`Clash::PermitNumberTaken`] on the rare clash of a random
/// number), and the person's pointer to their latest permit.
/// Issues `permit` for `next` (the application approved) with its holder's photo (`sealed_photo`,
/// encrypted by the caller), all in one transaction.
pub async fn issue(
    db: &Db,
    next: &ApplicationRecord,
    read_version: u32,
    change: &ApplicationChange,
    permit: &PermitRecord,
    sealed_photo: &[u8],
) -> StoreResult<()> {
    let mut tx = Transaction::new("permits.issue");
    add_status_change(&mut tx, db, next, read_version, change)?;
    tx.check(
        applicant_active(db, &next.applicant)?,
        Clash::AccountNotActive,
    );
    tx.put_new(table(db), to_item(permit)?, Clash::PermitNumberTaken);
    let mut photo = photo_key(&permit.permit_no);
    photo.insert(
        "sealed".into(),
        AttributeValue::B(aws_sdk_dynamodb::primitives::Blob::new(sealed_photo)),
    );
    tx.put(table(db), photo);
    let mut pointer = person_permit_key(&permit.person_key);
    pointer.insert("permit_no".into(), s(permit.permit_no.as_str()));
    tx.put(table(db), pointer);
    tx.commit(db).await
}

/// A permit's sealed photo (`None` for a permit issued before permits carried one).
pub async fn sealed_photo(db: &Db, permit_no: &PermitNo) -> StoreResult<Option<Vec<u8>>> {
    let item = get_item(
        db,
        table(db),
        photo_key(permit_no),
        &["sealed"],
        "permits.photo",
    )
    .await?;
    match item.as_ref().and_then(|i| i.get("sealed")) {
        None => Ok(None),
        Some(AttributeValue::B(blob)) => Ok(Some(blob.as_ref().to_vec())),
        Some(_) => Err(StoreError::Corrupt),
    }
}

pub async fn get_permit(db: &Db, permit_no: &PermitNo) -> StoreResult<Option<PermitRecord>> {
    get_item(
        db,
        table(db),
        permit_key(permit_no),
        &[],
        "permits.get_permit",
    )
    .await?
    .map(from_item)
    .transpose()
}

/// The person's latest permit (whatever its status), through their pointer.
pub async fn permit_of_person(db: &Db, person_key: &str) -> StoreResult<Option<PermitRecord>> {
    let pointer = get_item(
        db,
        table(db),
        person_permit_key(person_key),
        &["permit_no"],
        "permits.person_permit",
    )
    .await?;
    let Some(permit_no) = pointer
        .as_ref()
        .and_then(|item| super::item::string_of(item, "permit_no"))
        .and_then(|no| PermitNo::parse(no).ok())
    else {
        return Ok(None);
    };
    get_permit(db, &permit_no).await
}

/// The permit's endorsements, oldest first.
pub async fn endorsements(db: &Db, permit_no: &PermitNo) -> StoreResult<Vec<EndorsementRecord>> {
    let pk = permit_pk(permit_no);
    let items = super::reads::query_all("permits.endorsements", || {
        db.client
            .query()
            .table_name(table(db))
            .key_condition_expression("pk = :pk AND begins_with(sk, :end)")
            .expression_attribute_values(":pk", s(&pk))
            .expression_attribute_values(":end", s("END#"))
            .consistent_read(true)
    })
    .await?;
    items.into_iter().map(from_item).collect()
}

/// Writes a permit's new state (validity, status, cancellation, counters, next milestone) on the
/// condition that it is still at the version read ([`Clash::PermitChanged`]).
fn permit_update(next: &PermitRecord, read_version: u32, table: &str) -> StoreResult<ItemUpdate> {
    let mut update = ItemUpdate::new(table, next.key())
        .set("validity", to_attribute(&next.validity)?)
        .set("status", to_attribute(&next.status)?)
        .set("endorsements", super::item::n(next.endorsements))
        .set("version", super::item::n(next.version))
        .set("updated_at", s(&next.updated_at))
        .condition(
            "#version = :read",
            vec![(":read", super::item::n(read_version))],
        );
    if let Some(cancellation) = &next.cancellation {
        update = update.set("cancellation", to_attribute(cancellation)?);
    }
    Ok(
        match (&next.reminder_queue, &next.reminder_key, &next.milestone) {
            (Some(queue), Some(key), Some(milestone)) => update
                .set("reminder_queue", s(queue))
                .set("reminder_key", s(key))
                .set("milestone", to_attribute(milestone)?),
            _ => update
                .remove("reminder_queue")
                .remove("reminder_key")
                .remove("milestone"),
        },
    )
}

/// Records an endorsement: the permit's new state and the endorsement item, in one transaction.
pub async fn endorse(
    db: &Db,
    next: &PermitRecord,
    read_version: u32,
    endorsement: &EndorsementRecord,
) -> StoreResult<()> {
    let mut tx = Transaction::new("permits.endorse");
    tx.update(
        permit_update(next, read_version, table(db))?.into_update(),
        Clash::PermitChanged,
    );
    // A concurrent endorsement from the same version writes the same item: it clashes too.
    tx.put_new(table(db), to_item(endorsement)?, Clash::PermitChanged);
    tx.commit(db).await
}

/// Writes a permit's new state alone (a cancellation).
pub async fn update_permit(db: &Db, next: &PermitRecord, read_version: u32) -> StoreResult<()> {
    let mut tx = Transaction::new("permits.update_permit");
    tx.update(
        permit_update(next, read_version, table(db))?.into_update(),
        Clash::PermitChanged,
    );
    tx.commit(db).await
}

/// Writes a permit's new state (a milestone acted on) with one conditional UpdateItem: `false`
/// when it is no longer at the version read (another run acted first).
pub async fn move_on(db: &Db, next: &PermitRecord, read_version: u32) -> StoreResult<bool> {
    permit_update(next, read_version, table(db))?
        .apply_if(db, "permits.move_on")
        .await
}

/// The permits whose next milestone falls on `day`, shard by shard (one Query per shard, every
/// page).
pub async fn due_on(db: &Db, day: NaiveDate, shard: u32) -> StoreResult<Vec<PermitRecord>> {
    let queue = milestone_queue(day, shard);
    let items = super::reads::query_all("permits.due_on", || {
        db.client
            .query()
            .table_name(table(db))
            .index_name(MILESTONE_INDEX)
            .key_condition_expression("reminder_queue = :queue")
            .expression_attribute_values(":queue", s(&queue))
    })
    .await?;
    items.into_iter().map(from_item).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filing(status: &str, deadline: Option<&str>) -> ApplicationRecord {
        serde_json::from_value(serde_json::json!({
            "pk": "APP#a1", "sk": "APP", "application_id": "a1", "applicant": "acc1",
            "applied_key": "2026-12-01T00:00:00Z#a1", "person_key": "p1", "holder_name": "张三",
            "basis": "standard", "photo_receipt_no": "PR1234",
            "delivery": {"pickup_point": "440305001"}, "status": status,
            "applied_at": "2026-12-01T00:00:00Z", "updated_at": "2026-12-01T00:00:00Z",
            "version": 1, "consent_expires_at": deadline
        }))
        .unwrap()
    }

    #[test]
    fn a_filing_awaiting_consent_reads_expired_from_its_deadline_on() {
        let at = |t: &str| {
            chrono::DateTime::parse_from_rfc3339(t)
                .unwrap()
                .with_timezone(&chrono::Utc)
        };
        let awaiting = filing("awaiting_consent", Some("2026-12-08T00:00:00Z"));
        assert_eq!(
            awaiting.status_at(at("2026-12-07T23:59:59Z")),
            ApplicationStatus::AwaitingConsent
        );
        assert_eq!(
            awaiting.status_at(at("2026-12-08T00:00:00Z")),
            ApplicationStatus::Expired
        );
        // Answered in time: the deadline no longer matters.
        let answered = filing("submitted", Some("2026-12-08T00:00:00Z"));
        assert_eq!(
            answered.status_at(at("2027-01-01T00:00:00Z")),
            ApplicationStatus::Submitted
        );
        // The holder's own application has no deadline.
        let own = filing("accepted", None);
        assert_eq!(
            own.status_at(at("2030-01-01T00:00:00Z")),
            ApplicationStatus::Accepted
        );
    }
}
