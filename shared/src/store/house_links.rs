//! House links (F12–F15), in the accounts table next to the account they belong to.
//!
//! | pk                        | sk                     | what                                          |
//! |---------------------------|------------------------|-----------------------------------------------|
//! | `ACCOUNT#<account_id>`    | `LINK#<link_id>`       | the link ([`LinkRecord`])                      |
//! | `ACCOUNT#<account_id>`    | `ACTIVE#HOUSE#<code>`  | claim: the account's one active link to a house |
//! | `ACCOUNT#<account_id>`    | `ACTIVE#MANUAL#<hash>` | claim: … to a hand-written address              |
//! | `LINKID#<link_id>`        | `POINTER`              | link id → account (for staff, by id alone)     |
//!
//! A link is *active* while pending or approved: its claim item exists, so a second link of the
//! same house by the same account fails its condition (two at once: one wins). Rejection and
//! deregistration delete the claim in the same transaction that changes the status.
//!
//! Pending links carry `review_queue` (`pending#<shard>`) and `review_key` (`<epoch ms>#<link_id>`):
//! the sparse GSI `review_queue` lists them oldest first for staff, spread over
//! [`REVIEW_SHARDS`] partitions so that a registration rush writes no single hot key.
//! Link ids are UUIDv7: time-ordered, so an account's links list in the order they were made.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::types::{Delete, ReturnConsumedCapacity, TransactWriteItem, Update};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::context::AppContext;
use crate::domain::address::DeclarantType;
use crate::error::ApiError;
use crate::http::pagination::{Page, PageRequest};

use super::accounts::account_pk;
use super::paged_query::query_records;
use super::{Item, from_item, pk_sk, put_if_absent, s, to_item, unavailable};

pub const REVIEW_SHARDS: u32 = 8;
pub const REVIEW_INDEX: &str = "review_queue";
const POINTER: &str = "POINTER";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkStatus {
    Pending,
    Approved,
    Rejected,
    Deregistered,
}

impl LinkStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Deregistered => "deregistered",
        }
    }
}

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
    pub moved_out_on: String,
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

pub fn link_sk(link_id: &str) -> String {
    format!("LINK#{link_id}")
}

fn pointer_pk(link_id: &str) -> String {
    format!("LINKID#{link_id}")
}

pub fn house_claim(house_code: &str) -> String {
    format!("ACTIVE#HOUSE#{house_code}")
}

/// The claim of a hand-written address: a keyed hash of the street and the normalized address,
/// so that the same address typed twice (spacing, letter case aside) counts as one house.
pub fn manual_claim(ctx: &AppContext, manual: &ManualAddress) -> String {
    let normalized = crate::domain::address::normalize_text(&manual.address);
    let hash = crate::crypto::keyed_hash(
        &ctx.config.hash_key,
        "manual-address",
        &[&manual.street, &normalized],
    );
    format!("ACTIVE#MANUAL#{}", &hash[..32])
}

impl LinkRecord {
    /// A new pending link, queued for review.
    pub fn new(
        ctx: &AppContext,
        account_id: &str,
        declarant_type: DeclarantType,
        target: Target,
    ) -> Self {
        let link_id = uuid::Uuid::now_v7().to_string();
        let now = crate::clock::now();
        let (house, manual_address, claim) = match target {
            Target::House(house) => {
                let claim = house_claim(&house.house_code);
                (Some(house), None, claim)
            }
            Target::Manual(manual) => {
                let claim = manual_claim(ctx, &manual);
                (None, Some(manual), claim)
            }
        };
        let shard = crate::crypto::random_u32() % REVIEW_SHARDS;
        Self {
            pk: account_pk(account_id),
            sk: link_sk(&link_id),
            review_queue: Some(format!("pending#{shard}")),
            review_key: Some(format!("{:013}#{link_id}", now.timestamp_millis())),
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
        matches!(self.status, LinkStatus::Pending | LinkStatus::Approved)
    }
}

/// The transaction items that create a link: the link, its id pointer and its claim. The claim's
/// condition is the one that fails when the account already has an active link to the house.
pub fn create_items(ctx: &AppContext, link: &LinkRecord) -> [TransactWriteItem; 3] {
    let table = &ctx.config.tables.accounts;
    let mut pointer = pk_sk(pointer_pk(&link.link_id), POINTER);
    pointer.insert("account_id".into(), s(&link.account_id));
    let mut claim = pk_sk(&link.pk, &link.claim);
    claim.insert("link_id".into(), s(&link.link_id));
    [
        put_if_absent(table, to_item(link)),
        put_if_absent(table, pointer),
        put_if_absent(table, claim),
    ]
}

/// Index, within [`create_items`], of the claim item.
pub const CLAIM_ITEM: usize = 2;

/// Creates one link. `Err(Conflict)` when the account already has an active link to the house.
pub async fn create(ctx: &AppContext, link: &LinkRecord) -> Result<(), ApiError> {
    super::transact(
        ctx,
        create_items(ctx, link).to_vec(),
        "house_links.create",
        |failed| {
            if failed.contains(&CLAIM_ITEM) {
                already_linked()
            } else {
                ApiError::Internal
            }
        },
    )
    .await
}

pub fn already_linked() -> ApiError {
    ApiError::Conflict {
        title: "该房屋已关联到当前账号",
        errors: Vec::new(),
    }
}

/// A link of an account, read consistently.
pub async fn get(
    ctx: &AppContext,
    account_id: &str,
    link_id: &str,
) -> Result<Option<LinkRecord>, ApiError> {
    let output = ctx
        .dynamo
        .get_item()
        .table_name(&ctx.config.tables.accounts)
        .set_key(Some(pk_sk(account_pk(account_id), link_sk(link_id))))
        .consistent_read(true)
        .send()
        .await
        .map_err(|e| unavailable("house_links.get", e))?;
    output.item.map(from_item).transpose()
}

/// Links of an account by id, read consistently, in the order asked; ids with no link are left
/// out.
pub async fn get_many(
    ctx: &AppContext,
    account_id: &str,
    link_ids: &[String],
) -> Result<Vec<LinkRecord>, ApiError> {
    let pk = account_pk(account_id);
    let keys = link_ids.iter().map(|id| pk_sk(&pk, link_sk(id))).collect();
    let items = super::batch_get(
        ctx,
        &ctx.config.tables.accounts,
        keys,
        "house_links.get_many",
    )
    .await?;
    let mut links: Vec<LinkRecord> = items.into_iter().map(from_item).collect::<Result<_, _>>()?;
    links.sort_by_key(|link| link_ids.iter().position(|id| *id == link.link_id));
    Ok(links)
}

/// A link by its id alone (staff), read consistently.
pub async fn get_by_id(ctx: &AppContext, link_id: &str) -> Result<Option<LinkRecord>, ApiError> {
    let output = ctx
        .dynamo
        .get_item()
        .table_name(&ctx.config.tables.accounts)
        .set_key(Some(pk_sk(pointer_pk(link_id), POINTER)))
        .consistent_read(true)
        .send()
        .await
        .map_err(|e| unavailable("house_links.pointer", e))?;
    let Some(account_id) = output
        .item
        .as_ref()
        .and_then(|item| item.get("account_id"))
        .and_then(|v| v.as_s().ok())
    else {
        return Ok(None);
    };
    get(ctx, account_id, link_id).await
}

/// An account's links, oldest first.
pub async fn list(
    ctx: &AppContext,
    account_id: &str,
    page: &PageRequest,
) -> Result<Page<LinkRecord>, ApiError> {
    let pk = account_pk(account_id);
    query_records(page, "house_links.list", || {
        ctx.dynamo
            .query()
            .table_name(&ctx.config.tables.accounts)
            .key_condition_expression("pk = :pk AND begins_with(sk, :link)")
            .expression_attribute_values(":pk", s(pk.clone()))
            .expression_attribute_values(":link", s("LINK#"))
            .consistent_read(true)
    })
    .await
}

/// Pending links of every account, oldest first: one Query per shard of the review queue, merged.
/// The position is, per shard, the last review key handed out (absent: from the start), and the
/// shards known to be exhausted.
pub async fn pending(ctx: &AppContext, page: &PageRequest) -> Result<Page<LinkRecord>, ApiError> {
    let mut after: BTreeMap<String, String> = page
        .after
        .as_ref()
        .and_then(|p| serde_json::from_value(p["after"].clone()).ok())
        .unwrap_or_default();
    let mut done: Vec<u32> = page
        .after
        .as_ref()
        .and_then(|p| serde_json::from_value(p["done"].clone()).ok())
        .unwrap_or_default();
    let shards: Vec<u32> = (0..REVIEW_SHARDS).filter(|s| !done.contains(s)).collect();
    let queries = shards.iter().map(|&shard| {
        let mut query = ctx
            .dynamo
            .query()
            .table_name(&ctx.config.tables.accounts)
            .index_name(REVIEW_INDEX)
            .expression_attribute_values(":queue", s(format!("pending#{shard}")))
            .limit(page.limit as i32)
            .return_consumed_capacity(ReturnConsumedCapacity::Total);
        query = match after.get(&shard.to_string()) {
            Some(key) => query
                .key_condition_expression("review_queue = :queue AND review_key > :after")
                .expression_attribute_values(":after", s(key.clone())),
            None => query.key_condition_expression("review_queue = :queue"),
        };
        async move { (shard, query.send().await) }
    });
    let mut read_units = 0.0;
    let mut candidates = Vec::new();
    let mut more = BTreeMap::new();
    for (shard, result) in futures::future::join_all(queries).await {
        let output = result.map_err(|e| unavailable("house_links.pending", e))?;
        read_units += output
            .consumed_capacity()
            .and_then(|c| c.capacity_units())
            .unwrap_or(0.0);
        more.insert(shard, output.last_evaluated_key.is_some());
        for item in output.items.unwrap_or_default() {
            candidates.push((shard, from_item::<LinkRecord>(item)?));
        }
    }
    candidates.sort_by(|a, b| a.1.review_key.cmp(&b.1.review_key));
    let returned_per_shard = |candidates: &[(u32, LinkRecord)], shard: u32| {
        candidates.iter().filter(|(s, _)| *s == shard).count()
    };
    let fetched: BTreeMap<u32, usize> = shards
        .iter()
        .map(|&shard| (shard, returned_per_shard(&candidates, shard)))
        .collect();
    candidates.truncate(page.limit as usize);
    for (shard, link) in &candidates {
        if let Some(key) = &link.review_key {
            after.insert(shard.to_string(), key.clone());
        }
    }
    for &shard in &shards {
        let taken = returned_per_shard(&candidates, shard);
        if !more[&shard] && taken == fetched[&shard] {
            done.push(shard);
        }
    }
    let next = (done.len() < REVIEW_SHARDS as usize).then(|| json!({"after": after, "done": done}));
    Ok(Page {
        items: candidates.into_iter().map(|(_, link)| link).collect(),
        next,
        read_units,
    })
}

fn update(
    ctx: &AppContext,
    link: &LinkRecord,
    expression: &str,
    values: Vec<(&str, aws_sdk_dynamodb::types::AttributeValue)>,
) -> TransactWriteItem {
    let mut update = Update::builder()
        .table_name(&ctx.config.tables.accounts)
        .set_key(Some(pk_sk(&link.pk, &link.sk)))
        .update_expression(expression)
        .condition_expression("#status = :expected")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":expected", s(link.status.as_str()));
    for (name, value) in values {
        update = update.expression_attribute_values(name, value);
    }
    TransactWriteItem::builder()
        .update(update.build().expect("key and expression are set"))
        .build()
}

fn delete_claim(ctx: &AppContext, link: &LinkRecord) -> TransactWriteItem {
    let delete = Delete::builder()
        .table_name(&ctx.config.tables.accounts)
        .set_key(Some(pk_sk(&link.pk, &link.claim)))
        .build()
        .expect("key is set");
    TransactWriteItem::builder().delete(delete).build()
}

/// The answer when a link changed under a request (decided or deregistered meanwhile).
pub fn changed_meanwhile() -> ApiError {
    ApiError::Conflict {
        title: "该房屋关联的状态已变化，请刷新后重试",
        errors: Vec::new(),
    }
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
        /// The request field that named the house (for errors).
        field: &'static str,
    },
}

/// Applies a decision to a pending link, by staff member `staff_id`. Returns the link as it is now.
pub async fn decide(
    ctx: &AppContext,
    link: &LinkRecord,
    staff_id: &str,
    decision: Decision<'_>,
) -> Result<LinkRecord, ApiError> {
    let now = crate::clock::rfc3339(crate::clock::now());
    let mut next = link.clone();
    next.decided_at = Some(now.clone());
    next.decided_by = Some(staff_id.to_owned());
    next.review_queue = None;
    next.review_key = None;
    let common = "SET #status = :status, decided_at = :now, decided_by = :staff REMOVE review_queue, review_key";
    let base = |status: LinkStatus| {
        vec![
            (":status", s(status.as_str())),
            (":now", s(now.clone())),
            (":staff", s(staff_id)),
        ]
    };
    let mut items = Vec::new();
    let mut new_house_index = None;
    let mut claim_index = None;
    let mut house_field = "house_id";
    match decision {
        Decision::Reject { reason } => {
            next.status = LinkStatus::Rejected;
            next.reason = Some(reason.to_owned());
            let mut values = base(LinkStatus::Rejected);
            values.push((":reason", s(reason)));
            items.push(update(
                ctx,
                link,
                &common.replace(" REMOVE", ", reason = :reason REMOVE"),
                values,
            ));
            items.push(delete_claim(ctx, link));
        }
        Decision::Approve => {
            next.status = LinkStatus::Approved;
            items.push(update(ctx, link, common, base(LinkStatus::Approved)));
        }
        Decision::ApproveOnto {
            house,
            new_house,
            field,
        } => {
            house_field = field;
            next.status = LinkStatus::Approved;
            next.claim = house_claim(&house.house_code);
            let mut values = base(LinkStatus::Approved);
            values.push((":house", super::to_attribute(house.as_ref())));
            values.push((":claim", s(next.claim.clone())));
            items.push(update(
                ctx,
                link,
                &common.replace(" REMOVE", ", house = :house, claim = :claim REMOVE"),
                values,
            ));
            next.house = Some(*house);
            items.push(delete_claim(ctx, link));
            let mut claim = pk_sk(&link.pk, &next.claim);
            claim.insert("link_id".into(), s(&link.link_id));
            claim_index = Some(items.len());
            items.push(put_if_absent(&ctx.config.tables.accounts, claim));
            if let Some(item) = new_house {
                new_house_index = Some(items.len());
                items.push(put_if_absent(&ctx.config.tables.address, item));
            }
        }
    }
    super::transact(ctx, items, "house_links.decide", |failed| {
        if failed.contains(&0) {
            changed_meanwhile()
        } else if claim_index.is_some_and(|i| failed.contains(&i)) {
            ApiError::conflict(house_field, "ALREADY_LINKED", "该账号已有此房屋的有效关联")
        } else if new_house_index.is_some_and(|i| failed.contains(&i)) {
            ApiError::conflict(
                "new_house.house_code",
                "HOUSE_EXISTS",
                "该房屋编码已存在，请使用 house_id",
            )
        } else {
            ApiError::Internal
        }
    })
    .await?;
    Ok(next)
}

/// Ends an active link (the claim goes with it); with `job`, records the residents still to be
/// deregistered in the same write.
pub async fn deregister(
    ctx: &AppContext,
    link: &LinkRecord,
    job: Option<ResidentsJob>,
) -> Result<LinkRecord, ApiError> {
    let today = crate::clock::today_in_china().to_string();
    let now = crate::clock::rfc3339(crate::clock::now());
    let mut expression =
        "SET #status = :status, deregistered_on = :today, deregistered_at = :now".to_owned();
    let mut values = vec![
        (":status", s(LinkStatus::Deregistered.as_str())),
        (":today", s(today.clone())),
        (":now", s(now.clone())),
    ];
    if let Some(job) = &job {
        expression.push_str(", residents_job = :job");
        values.push((":job", super::to_attribute(job)));
    }
    expression.push_str(" REMOVE review_queue, review_key");
    let items = vec![
        update(ctx, link, &expression, values),
        delete_claim(ctx, link),
    ];
    super::transact(ctx, items, "house_links.deregister", |_| {
        changed_meanwhile()
    })
    .await?;
    let mut next = link.clone();
    next.status = LinkStatus::Deregistered;
    next.deregistered_on = Some(today);
    next.deregistered_at = Some(now);
    next.review_queue = None;
    next.review_key = None;
    next.residents_job = job;
    Ok(next)
}

/// Records a residents job on a link deregistered earlier without one.
pub async fn start_residents_job(
    ctx: &AppContext,
    link: &LinkRecord,
    job: &ResidentsJob,
) -> Result<(), ApiError> {
    let result = ctx
        .dynamo
        .update_item()
        .table_name(&ctx.config.tables.accounts)
        .set_key(Some(pk_sk(&link.pk, &link.sk)))
        .update_expression("SET residents_job = :job")
        .condition_expression("#status = :deregistered AND attribute_not_exists(residents_job)")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":deregistered", s(LinkStatus::Deregistered.as_str()))
        .expression_attribute_values(":job", super::to_attribute(job))
        .send()
        .await;
    match result {
        Ok(_) => Ok(()),
        // Another request started it meanwhile: that job does the same work.
        Err(error) if super::is_condition_failure(&error) => Ok(()),
        Err(error) => Err(unavailable("house_links.start_residents_job", error)),
    }
}

/// Marks a link's residents job finished.
pub async fn finish_residents_job(ctx: &AppContext, link: &LinkRecord) -> Result<(), ApiError> {
    let result = ctx
        .dynamo
        .update_item()
        .table_name(&ctx.config.tables.accounts)
        .set_key(Some(pk_sk(&link.pk, &link.sk)))
        .update_expression("REMOVE residents_job")
        .condition_expression("attribute_exists(residents_job)")
        .send()
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(error) if super::is_condition_failure(&error) => Ok(()),
        Err(error) => Err(unavailable("house_links.finish_residents_job", error)),
    }
}
