//! House links (F12–F15), in the accounts table next to the account they belong to.
//!
//! Keys: [`super::keys`] (`LINK#`, `ACTIVE#…` claims, `LINKID#` pointers).
//!
//! A link is *active* while pending or approved: its claim item exists, so a second link of the
//! same house by the same account fails its condition (two at once: one wins). Rejection and
//! deregistration delete the claim in the same transaction that changes the status.
//!
//! Pending links carry `review_queue` (`pending#<shard>`) and `review_key` (`<epoch ms>#<link_id>`):
//! the sparse GSI `review_queue` lists them oldest first for staff, spread over
//! [`REVIEW_SHARDS`] partitions so that a registration rush writes no single hot key.
//! Link ids are UUIDv7: time-ordered, so an account's links list in the order they were made.

use aws_sdk_dynamodb::types::Delete;
use serde::{Deserialize, Serialize};

use super::Db;
use crate::domain::address::DeclarantType;
use crate::domain::house_link::LinkStatus;

use super::error::{Clash, StoreResult};
use super::item::{Item, from_item, pk_sk, s, string_of, to_attribute, to_item};
use super::keys::{self, LINK_PREFIX, account_pk, house_claim, link_sk};
use super::page::{Page, PageRequest, query_records};
use super::reads::{batch_get, get_item};
use super::review_queue::{ReviewQueue, oldest_first};
use super::transaction::Transaction;
use super::update::ItemUpdate;

pub const REVIEW_SHARDS: u32 = 8;
pub const REVIEW_INDEX: &str = "review_queue";

/// The house a link is on, as it was when linked (what the declarant sees and prints).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedHouse {
    pub house_id: String,
    pub house_code: String,
    pub room: String,
    pub building_id: String,
    pub building_name: String,
    pub address: String,
    pub street_code: String,
}

/// A house address written by hand because the house could not be found (F13).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManualAddress {
    /// The area code (`GET /v1/districts`).
    pub district: String,
    /// The street code.
    pub street: String,
    pub address: String,
}

/// Residents still to be deregistered with their house (F15): the job survives a function that
/// dies midway, and the next request for the link finishes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResidentsJob {
    /// The move-out date given to every resident: the day the job started (the day of the house's
    /// deregistration, or of the later request that asked for its residents to follow).
    pub moved_out_on: chrono::NaiveDate,
    pub started_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinkRecord {
    pub pk: String,
    pub sk: String,
    pub link_id: String,
    pub account_id: String,
    pub status: LinkStatus,
    pub declarant_type: DeclarantType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub house: Option<LinkedHouse>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manual_address: Option<ManualAddress>,
    pub created_at: String,
    /// The sort key of the link's claim item (see the module docs).
    pub claim: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deregistered_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deregistered_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub residents_job: Option<ResidentsJob>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_queue: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_key: Option<String>,
}

/// What a new link points at.
pub enum Target {
    House(LinkedHouse),
    Manual(ManualAddress),
}

impl LinkRecord {
    /// A new pending link, queued for review.
    pub fn new(db: &Db, account_id: &str, declarant_type: DeclarantType, target: Target) -> Self {
        let link_id = uuid::Uuid::now_v7().to_string();
        let now = crate::clock::now();
        let (house, manual_address, claim) = match target {
            Target::House(house) => {
                let claim = house_claim(&house.house_code);
                (Some(house), None, claim)
            }
            Target::Manual(manual) => {
                let claim = keys::manual_claim(db, &manual.street, &manual.address);
                (None, Some(manual), claim)
            }
        };
        let (queue, key) =
            keys::review_slot("pending", REVIEW_SHARDS, now.timestamp_millis(), &link_id);
        Self {
            pk: account_pk(account_id),
            sk: link_sk(&link_id),
            review_queue: Some(queue),
            review_key: Some(key),
            link_id,
            account_id: account_id.to_owned(),
            status: LinkStatus::Pending,
            declarant_type,
            house,
            manual_address,
            created_at: crate::clock::rfc3339(now),
            claim,
            decided_at: None,
            decided_by: None,
            reason: None,
            deregistered_on: None,
            deregistered_at: None,
            residents_job: None,
        }
    }

    /// The link approved at once by the staff member who checked it in person (an account or a
    /// unit opened at the counter): it never enters the review queue.
    pub fn approved_at_counter(mut self, staff_id: &str) -> Self {
        self.status = LinkStatus::Approved;
        self.decided_at = Some(self.created_at.clone());
        self.decided_by = Some(staff_id.to_owned());
        self.review_queue = None;
        self.review_key = None;
        self
    }

    /// Whether a link's claim is held (pending or approved).
    pub fn is_active(&self) -> bool {
        self.status.is_active()
    }
}

/// The item of an account's claim on a house (`claim`: its sort key), held by `link_id`.
fn claim_item(account_pk: &str, claim: &str, link_id: &str) -> Item {
    let mut item = pk_sk(account_pk, claim);
    item.insert("link_id".into(), s(link_id));
    item
}

/// Adds what creates a link to `tx`: the link, its id pointer and its claim. The claim is taken
/// when the account already has an active link to the house ([`Clash::HouseAlreadyLinked`]).
pub fn add_creation(tx: &mut Transaction, db: &Db, link: &LinkRecord) -> StoreResult<()> {
    let table = &db.tables.accounts;
    let mut pointer = keys::link_pointer_key(&link.link_id);
    pointer.insert("account_id".into(), s(&link.account_id));
    tx.put_fresh(table, to_item(link)?);
    tx.put_fresh(table, pointer);
    tx.put_new(
        table,
        claim_item(&link.pk, &link.claim, &link.link_id),
        Clash::HouseAlreadyLinked,
    );
    Ok(())
}

/// Creates one link ([`Clash::HouseAlreadyLinked`] when the account has an active link to the
/// house).
pub async fn create(db: &Db, link: &LinkRecord) -> StoreResult<()> {
    let mut tx = Transaction::new("house_links.create");
    add_creation(&mut tx, db, link)?;
    tx.commit(db).await
}

/// The link that holds `link`'s claim on its house (the account's active link to it), read
/// consistently.
pub async fn holder_of_claim(db: &Db, link: &LinkRecord) -> StoreResult<Option<String>> {
    let item = get_item(
        db,
        &db.tables.accounts,
        pk_sk(&link.pk, &link.claim),
        &["link_id"],
        "house_links.claim",
    )
    .await?;
    Ok(item.and_then(|item| super::item::string_of(&item, "link_id").map(str::to_owned)))
}

/// A link of an account, read consistently.
pub async fn get(db: &Db, account_id: &str, link_id: &str) -> StoreResult<Option<LinkRecord>> {
    get_item(
        db,
        &db.tables.accounts,
        keys::link_key(account_id, link_id),
        &[],
        "house_links.get",
    )
    .await?
    .map(from_item)
    .transpose()
}

/// Links of an account by id, read consistently, in the order asked; ids with no link are left
/// out.
pub async fn get_many(
    db: &Db,
    account_id: &str,
    link_ids: &[String],
) -> StoreResult<Vec<LinkRecord>> {
    let keys = link_ids
        .iter()
        .map(|id| keys::link_key(account_id, id))
        .collect();
    let items = batch_get(db, &db.tables.accounts, keys, "house_links.get_many").await?;
    let mut links: Vec<LinkRecord> = items.into_iter().map(from_item).collect::<Result<_, _>>()?;
    links.sort_by_key(|link| link_ids.iter().position(|id| *id == link.link_id));
    Ok(links)
}

/// A link by its id alone (staff), read consistently.
pub async fn get_by_id(db: &Db, link_id: &str) -> StoreResult<Option<LinkRecord>> {
    let pointer = get_item(
        db,
        &db.tables.accounts,
        keys::link_pointer_key(link_id),
        &[],
        "house_links.pointer",
    )
    .await?;
    let Some(account_id) = pointer
        .as_ref()
        .and_then(|item| string_of(item, "account_id"))
    else {
        return Ok(None);
    };
    get(db, account_id, link_id).await
}

/// An account's links, oldest first.
pub async fn list(db: &Db, account_id: &str, page: &PageRequest) -> StoreResult<Page<LinkRecord>> {
    let pk = account_pk(account_id);
    query_records(page, "house_links.list", || {
        db.client
            .query()
            .table_name(&db.tables.accounts)
            .key_condition_expression("pk = :pk AND begins_with(sk, :link)")
            .expression_attribute_values(":pk", s(pk.clone()))
            .expression_attribute_values(":link", s(LINK_PREFIX))
            .consistent_read(true)
    })
    .await
}

/// Pending links of every account, oldest first: one Query per shard of the review queue, merged.
pub async fn pending(db: &Db, page: &PageRequest) -> StoreResult<Page<LinkRecord>> {
    let queue = ReviewQueue {
        table: &db.tables.accounts,
        index: REVIEW_INDEX,
        queue: "pending",
        shards: REVIEW_SHARDS,
        operation: "house_links.pending",
    };
    oldest_first(db, &queue, page).await
}

/// The change of a link, only while its status is still the one read ([`Clash::LinkChanged`]).
fn link_update(db: &Db, link: &LinkRecord) -> StoreResult<ItemUpdate> {
    Ok(
        ItemUpdate::new(&db.tables.accounts, pk_sk(&link.pk, &link.sk)).condition(
            "#status = :expected",
            vec![(":expected", to_attribute(&link.status)?)],
        ),
    )
}

/// Adds the release of the link's claim to `tx`.
fn add_claim_release(tx: &mut Transaction, db: &Db, link: &LinkRecord) {
    let delete = Delete::builder()
        .table_name(&db.tables.accounts)
        .set_key(Some(pk_sk(&link.pk, &link.claim)))
        .build()
        .expect("key is set");
    tx.delete(delete, None);
}

/// A staff decision, written atomically with the claim it frees or moves.
pub enum Decision<'a> {
    Reject {
        reason: &'a str,
    },
    Approve,
    /// Approve a hand-written address onto a house record; `new_house` is the address-table item
    /// of a house staff create for it (absent: an existing house).
    ApproveOnto {
        house: Box<LinkedHouse>,
        new_house: Option<Item>,
    },
}

/// Applies a decision to a pending link, by staff member `staff_id`. Returns the link as it is
/// now. Conflicts: [`Clash::LinkChanged`] (decided or deregistered meanwhile); approving onto a
/// house, [`Clash::HouseAlreadyLinked`] (the account has an active link to it) and
/// [`Clash::HouseCodeTaken`] (the new house's code exists).
pub async fn decide(
    db: &Db,
    link: &LinkRecord,
    staff_id: &str,
    decision: Decision<'_>,
) -> StoreResult<LinkRecord> {
    let now = crate::clock::rfc3339(crate::clock::now());
    let mut next = link.clone();
    next.decided_at = Some(now.clone());
    next.decided_by = Some(staff_id.to_owned());
    next.review_queue = None;
    next.review_key = None;
    let update = |status: LinkStatus| -> StoreResult<ItemUpdate> {
        Ok(link_update(db, link)?
            .set("status", to_attribute(&status)?)
            .set("decided_at", s(&now))
            .set("decided_by", s(staff_id))
            .remove("review_queue")
            .remove("review_key"))
    };
    let mut tx = Transaction::new("house_links.decide");
    match decision {
        Decision::Reject { reason } => {
            next.status = LinkStatus::Rejected;
            next.reason = Some(reason.to_owned());
            let change = update(LinkStatus::Rejected)?.set("reason", s(reason));
            tx.update(change.into_update(), Clash::LinkChanged);
            add_claim_release(&mut tx, db, link);
        }
        Decision::Approve => {
            next.status = LinkStatus::Approved;
            tx.update(
                update(LinkStatus::Approved)?.into_update(),
                Clash::LinkChanged,
            );
        }
        Decision::ApproveOnto { house, new_house } => {
            next.status = LinkStatus::Approved;
            next.claim = house_claim(&house.house_code);
            let change = update(LinkStatus::Approved)?
                .set("house", to_attribute(house.as_ref())?)
                .set("claim", s(&next.claim));
            tx.update(change.into_update(), Clash::LinkChanged);
            next.house = Some(*house);
            add_claim_release(&mut tx, db, link);
            tx.put_new(
                &db.tables.accounts,
                claim_item(&link.pk, &next.claim, &link.link_id),
                Clash::HouseAlreadyLinked,
            );
            if let Some(item) = new_house {
                tx.put_new(&db.tables.address, item, Clash::HouseCodeTaken);
            }
        }
    }
    tx.commit(db).await?;
    Ok(next)
}

/// Ends an active link (the claim goes with it); with `job`, records the residents still to be
/// deregistered in the same write. [`Clash::LinkChanged`] when it changed meanwhile.
pub async fn deregister(
    db: &Db,
    link: &LinkRecord,
    job: Option<ResidentsJob>,
) -> StoreResult<LinkRecord> {
    let today = crate::clock::today_in_china().to_string();
    let now = crate::clock::rfc3339(crate::clock::now());
    let mut change = link_update(db, link)?
        .set("status", to_attribute(&LinkStatus::Deregistered)?)
        .set("deregistered_on", s(&today))
        .set("deregistered_at", s(&now));
    if let Some(job) = &job {
        change = change.set("residents_job", to_attribute(job)?);
    }
    change = change.remove("review_queue").remove("review_key");
    let mut tx = Transaction::new("house_links.deregister");
    tx.update(change.into_update(), Clash::LinkChanged);
    add_claim_release(&mut tx, db, link);
    tx.commit(db).await?;
    let mut next = link.clone();
    next.status = LinkStatus::Deregistered;
    next.deregistered_on = Some(today);
    next.deregistered_at = Some(now);
    next.review_queue = None;
    next.review_key = None;
    next.residents_job = job;
    Ok(next)
}

/// Records a residents job on a link deregistered earlier without one. Another request that
/// started one meanwhile does the same work: that is no error.
pub async fn start_residents_job(
    db: &Db,
    link: &LinkRecord,
    job: &ResidentsJob,
) -> StoreResult<()> {
    ItemUpdate::new(&db.tables.accounts, pk_sk(&link.pk, &link.sk))
        .set("residents_job", to_attribute(job)?)
        .condition(
            "#status = :deregistered AND attribute_not_exists(#residents_job)",
            vec![(":deregistered", to_attribute(&LinkStatus::Deregistered)?)],
        )
        .apply_if(db, "house_links.start_residents_job")
        .await
        .map(|_| ())
}

/// Marks a link's residents job finished.
pub async fn finish_residents_job(db: &Db, link: &LinkRecord) -> StoreResult<()> {
    ItemUpdate::new(&db.tables.accounts, pk_sk(&link.pk, &link.sk))
        .remove("residents_job")
        .condition("attribute_exists(#residents_job)", Vec::new())
        .apply_if(db, "house_links.finish_residents_job")
        .await
        .map(|_| ())
}
