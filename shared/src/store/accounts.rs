//! The accounts table: one partition per account (profile, session, trusted devices) and one
//! claim item per unique value (username, phone per account type, ID document per account type).
//!
//! | pk                              | sk              | what                                   |
//! |---------------------------------|-----------------|----------------------------------------|
//! | `ACCOUNT#<account_id>`          | `PROFILE`       | the account ([`AccountRecord`])        |
//! | `ACCOUNT#<account_id>`          | `SESSION`       | the one current session                |
//! | `ACCOUNT#<account_id>`          | `DEVICE#<hash>` | a device trusted for SMS-free login    |
//! | `USERNAME#<lower-case name>`    | `CLAIM`         | username → account_id                  |
//! | `PHONE#<scope>#<keyed hash>`    | `CLAIM`         | phone (per [`phone_scope`]) → account_id |
//! | `IDDOC#<type>#<keyed hash>`     | `CLAIM`         | ID document (per type) → account_id    |
//!
//! Unit accounts (administrators and sub-accounts) have no ID document, so no `IDDOC` claim; their
//! unit's items are in [`super::units`].
//!
//! Phones and ID numbers in keys are keyed hashes, so keys (which show up in metrics and
//! diagnostics) carry no personal data.

use serde::{Deserialize, Serialize};

use crate::context::AppContext;
use crate::domain::account::{AccountType, PHONE_SCOPES, RealName, Role, Username, phone_scope};
use crate::domain::id_document::{IdDocument, IdType};
use crate::domain::phone::PhoneNumber;
use crate::error::{ApiError, FieldError};

use super::verification_codes::VerifiedCode;
use super::{
    Item, from_item, is_condition_failure, n, pk_sk, put_if_absent, s, to_item, transact,
    unavailable,
};
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};

const PROFILE: &str = "PROFILE";
const SESSION: &str = "SESSION";
const CLAIM: &str = "CLAIM";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    Active,
    Deactivated,
}

/// An account as stored. Holds personal data: deliberately not `Debug`.
#[derive(Clone, Serialize, Deserialize)]
pub struct AccountRecord {
    pub pk: String,
    pub sk: String,
    pub account_id: String,
    pub account_type: AccountType,
    pub role: Role,
    pub username: String,
    pub real_name: String,
    /// The holder's ID document; absent for unit accounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_type: Option<IdType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_number: Option<String>,
    pub phone: String,
    pub password_hash: String,
    pub status: AccountStatus,
    pub created_at: String,
    /// Set for accounts opened with a password someone else chose (staff, a unit administrator):
    /// the holder must choose their own at the first login.
    #[serde(default)]
    pub must_change_password: bool,
    /// The staff account that opened this account at the counter (F3, F4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opened_by: Option<String>,
    /// For unit accounts: the unit and, for a sub-account, the houses assigned to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<UnitMembership>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deactivated_at: Option<String>,
}

/// What ties a unit account to its unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitMembership {
    pub unit_id: String,
    /// The unit's name: the declarant named on its residents' records and receipts.
    pub unit_name: String,
    /// The administrator's account, which holds the unit's house links.
    pub admin_account_id: String,
    /// A sub-account's assigned links (ids of the administrator's links).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub link_ids: Vec<String>,
}

/// Who a new account belongs to: the validated values it is created from.
pub struct Holder<'a> {
    pub account_type: AccountType,
    pub role: Role,
    pub username: &'a Username,
    pub real_name: &'a RealName,
    /// `None` for unit accounts only.
    pub document: Option<&'a IdDocument>,
    pub phone: &'a PhoneNumber,
}

impl AccountRecord {
    /// A new, active account with a fresh id (UUIDv7: a unit's sub-accounts list in the order they
    /// were added).
    pub fn new(holder: &Holder<'_>, password_hash: String) -> Self {
        let account_id = uuid::Uuid::now_v7().to_string();
        Self {
            pk: account_pk(&account_id),
            sk: PROFILE.to_owned(),
            account_id,
            account_type: holder.account_type,
            role: holder.role,
            username: holder.username.as_str().to_owned(),
            real_name: holder.real_name.as_str().to_owned(),
            id_type: holder.document.map(IdDocument::id_type),
            id_number: holder.document.map(|d| d.number().to_owned()),
            phone: holder.phone.as_str().to_owned(),
            password_hash,
            status: AccountStatus::Active,
            created_at: crate::clock::rfc3339(crate::clock::now()),
            must_change_password: false,
            opened_by: None,
            unit: None,
            deactivated_at: None,
        }
    }

    /// The name a declaration under this account's links is made in: the unit's for unit accounts.
    pub fn declarant_name(&self) -> &str {
        self.unit
            .as_ref()
            .map_or(&self.real_name, |unit| &unit.unit_name)
    }

    /// The claim of this account's phone.
    pub fn phone_claim(&self, ctx: &AppContext, phone: &PhoneNumber) -> String {
        phone_claim(ctx, phone_scope(self.account_type, self.role), phone)
    }
}

pub fn account_pk(account_id: &str) -> String {
    format!("ACCOUNT#{account_id}")
}

pub fn username_claim(username_key: &str) -> String {
    format!("USERNAME#{username_key}")
}

/// The claim of a phone among the accounts of `scope` ([`phone_scope`]).
pub fn phone_claim(ctx: &AppContext, scope: &str, phone: &PhoneNumber) -> String {
    format!("PHONE#{scope}#{}", ctx.lookup_hash("phone", phone.as_str()))
}

pub fn id_claim(ctx: &AppContext, account_type: AccountType, doc: &IdDocument) -> String {
    let hash = crate::crypto::keyed_hash(
        &ctx.config.hash_key,
        "id-document",
        &[doc.id_type().as_str(), doc.number()],
    );
    format!("IDDOC#{}#{hash}", account_type.as_str())
}

pub(crate) fn claim_item(claim_pk: String, account_id: &str) -> Item {
    let mut item = pk_sk(claim_pk, CLAIM);
    item.insert("account_id".into(), s(account_id));
    item
}

/// The transaction items that create an account: its profile, then the claims of its username,
/// its phone and (where it has one) its ID document, each put only if absent. A transaction that
/// starts with them maps its failed conditions with [`taken`].
pub fn create_items(
    ctx: &AppContext,
    holder: &Holder<'_>,
    record: &AccountRecord,
) -> Vec<TransactWriteItem> {
    let table = &ctx.config.tables.accounts;
    let account_id = &record.account_id;
    let mut items = vec![
        put_if_absent(table, to_item(record)),
        put_if_absent(
            table,
            claim_item(username_claim(&holder.username.key()), account_id),
        ),
        put_if_absent(
            table,
            claim_item(record.phone_claim(ctx, holder.phone), account_id),
        ),
    ];
    if let Some(document) = holder.document {
        items.push(put_if_absent(
            table,
            claim_item(id_claim(ctx, record.account_type, document), account_id),
        ));
    }
    items
}

/// The fields whose values another account holds, from the failed items of a transaction that
/// starts with [`create_items`] for `holder`; `prefix` is where the account sat in the request
/// (`""`, `admin.`).
pub fn taken(failed: &[usize], holder: &Holder<'_>, prefix: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if failed.contains(&1) {
        errors.push(FieldError::new(
            format!("{prefix}username"),
            "USERNAME_TAKEN",
            "该用户名已被使用",
        ));
    }
    if failed.contains(&2) {
        errors.push(phone_taken(&format!("{prefix}phone")));
    }
    if holder.document.is_some() && failed.contains(&3) {
        errors.push(FieldError::new(
            format!("{prefix}id_number"),
            "ID_TAKEN",
            "该证件已注册同类型的账号",
        ));
    }
    errors
}

pub fn phone_taken(field: &str) -> FieldError {
    FieldError::new(field, "PHONE_TAKEN", "该手机号码已绑定同类型的其他账号")
}

const TAKEN_TITLE: &str = "账号信息与已有账号冲突";

/// Writes the account and its claims in one transaction, consuming the SMS code (self-service)
/// and creating the account's house links in the same transaction: all of it happens or none.
pub async fn create(
    ctx: &AppContext,
    holder: &Holder<'_>,
    record: &AccountRecord,
    code: Option<&VerifiedCode>,
    linked: &[super::house_links::LinkRecord],
) -> Result<(), ApiError> {
    let mut items = create_items(ctx, holder, record);
    let code_item = code.map(|_| items.len());
    if let Some(code) = code {
        items.push(code.consume_in_transaction(ctx));
    }
    for link in linked {
        items.extend(super::house_links::create_items(ctx, link));
    }
    transact(ctx, items, "accounts.create", |failed| {
        if code_item.is_some_and(|i| failed.contains(&i)) {
            return ApiError::SmsCodeInvalid;
        }
        ApiError::Conflict {
            title: TAKEN_TITLE,
            errors: taken(failed, holder, ""),
        }
    })
    .await
}

/// The conflict answer for an account whose unique values are taken.
pub fn values_taken(errors: Vec<FieldError>) -> ApiError {
    ApiError::Conflict {
        title: TAKEN_TITLE,
        errors,
    }
}

/// The account a username belongs to (case-insensitive), read consistently.
pub async fn find_by_username(
    ctx: &AppContext,
    username_key: &str,
) -> Result<Option<AccountRecord>, ApiError> {
    let Some(claim) = get(
        ctx,
        pk_sk(username_claim(username_key), CLAIM),
        "accounts.username",
    )
    .await?
    else {
        return Ok(None);
    };
    let Some(account_id) = claim.get("account_id").and_then(|v| v.as_s().ok()) else {
        return Ok(None);
    };
    find_by_id(ctx, account_id).await
}

pub async fn find_by_id(
    ctx: &AppContext,
    account_id: &str,
) -> Result<Option<AccountRecord>, ApiError> {
    get(
        ctx,
        pk_sk(account_pk(account_id), PROFILE),
        "accounts.profile",
    )
    .await?
    .map(from_item)
    .transpose()
}

/// Accounts by id, read consistently, in the order asked; ids with no account are left out.
pub async fn find_many(
    ctx: &AppContext,
    account_ids: &[String],
) -> Result<Vec<AccountRecord>, ApiError> {
    let keys = account_ids
        .iter()
        .map(|id| pk_sk(account_pk(id), PROFILE))
        .collect();
    let items =
        super::batch_get(ctx, &ctx.config.tables.accounts, keys, "accounts.find_many").await?;
    let mut found: Vec<AccountRecord> =
        items.into_iter().map(from_item).collect::<Result<_, _>>()?;
    found.sort_by_key(|a| account_ids.iter().position(|id| *id == a.account_id));
    Ok(found)
}

/// Whether any account has this phone: a login code is only sent to such phones. One
/// consistent GetItem per phone scope, in parallel.
pub async fn phone_has_account(ctx: &AppContext, phone: &PhoneNumber) -> Result<bool, ApiError> {
    let lookups = PHONE_SCOPES.into_iter().map(|scope| {
        get(
            ctx,
            pk_sk(phone_claim(ctx, scope, phone), CLAIM),
            "accounts.phone",
        )
    });
    let found = futures::future::try_join_all(lookups).await?;
    Ok(found.iter().any(Option::is_some))
}

/// A strongly consistent read of one item of the accounts table.
pub(crate) async fn get(
    ctx: &AppContext,
    key: Item,
    operation: &'static str,
) -> Result<Option<Item>, ApiError> {
    let output = ctx
        .dynamo
        .get_item()
        .table_name(&ctx.config.tables.accounts)
        .set_key(Some(key))
        .consistent_read(true)
        .send()
        .await
        .map_err(|e| unavailable(operation, e))?;
    Ok(output.item)
}

/// The account's one current session.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionRecord {
    pub pk: String,
    pub sk: String,
    pub session_id: String,
    pub created_at: String,
    /// TTL: the session pointer is useless once its token has expired.
    pub expires_at: i64,
    /// The account must choose its own password before anything else (see
    /// [`AccountRecord::must_change_password`]); cleared by the password change.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub password_change_required: bool,
}

/// The account's current session, as far as a request needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentSession {
    pub session_id: String,
    pub password_change_required: bool,
}

/// Makes `session_id` the account's only session, ending whichever was current. A deactivated
/// account's session item is a tombstone ([`end_sessions_for_good_item`]) that no login replaces,
/// so a login racing a deactivation cannot leave a working session behind.
pub async fn replace_session(
    ctx: &AppContext,
    account: &AccountRecord,
    session_id: &str,
    expires_at: i64,
) -> Result<(), ApiError> {
    let record = SessionRecord {
        pk: account_pk(&account.account_id),
        sk: SESSION.to_owned(),
        session_id: session_id.to_owned(),
        created_at: crate::clock::rfc3339(crate::clock::now()),
        expires_at,
        password_change_required: account.must_change_password,
    };
    let result = ctx
        .dynamo
        .put_item()
        .table_name(&ctx.config.tables.accounts)
        .set_item(Some(to_item(&record)))
        .condition_expression("attribute_not_exists(deactivated)")
        .send()
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(error) if is_condition_failure(&error) => Err(ApiError::Forbidden("该账号已停用")),
        Err(error) => Err(unavailable("accounts.session_put", error)),
    }
}

/// The account's current session, read consistently (a replaced session must fail at once).
pub async fn current_session(
    ctx: &AppContext,
    account_id: &str,
) -> Result<Option<CurrentSession>, ApiError> {
    let output = ctx
        .dynamo
        .get_item()
        .table_name(&ctx.config.tables.accounts)
        .set_key(Some(pk_sk(account_pk(account_id), SESSION)))
        .consistent_read(true)
        .projection_expression("session_id, password_change_required")
        .send()
        .await
        .map_err(|e| unavailable("accounts.session_get", e))?;
    let Some(item) = output.item else {
        return Ok(None);
    };
    let Some(session_id) = item.get("session_id").and_then(|v| v.as_s().ok()) else {
        return Ok(None);
    };
    Ok(Some(CurrentSession {
        session_id: session_id.clone(),
        password_change_required: item
            .get("password_change_required")
            .and_then(|v| v.as_bool().ok())
            .copied()
            .unwrap_or(false),
    }))
}

/// The transaction item that ends the account's session, whichever it is, for good
/// (deactivation): the session item becomes a tombstone without a session id, which no token
/// matches and no later login replaces.
pub fn end_sessions_for_good_item(ctx: &AppContext, account_id: &str) -> TransactWriteItem {
    let mut tombstone = pk_sk(account_pk(account_id), SESSION);
    tombstone.insert("deactivated".into(), AttributeValue::Bool(true));
    TransactWriteItem::builder()
        .put(
            aws_sdk_dynamodb::types::Put::builder()
                .table_name(&ctx.config.tables.accounts)
                .set_item(Some(tombstone))
                .build()
                .expect("table and item are set"),
        )
        .build()
}

/// Ends the session if it is still the current one; `false` if another had replaced it.
pub async fn end_session(
    ctx: &AppContext,
    account_id: &str,
    session_id: &str,
) -> Result<bool, ApiError> {
    let result = ctx
        .dynamo
        .delete_item()
        .table_name(&ctx.config.tables.accounts)
        .set_key(Some(pk_sk(account_pk(account_id), SESSION)))
        .condition_expression("session_id = :sid")
        .expression_attribute_values(":sid", s(session_id))
        .send()
        .await;
    match result {
        Ok(_) => Ok(true),
        Err(error) if is_condition_failure(&error) => Ok(false),
        Err(error) => Err(unavailable("accounts.session_end", error)),
    }
}

fn device_key(account_id: &str, device_hash: &str) -> Item {
    pk_sk(account_pk(account_id), format!("DEVICE#{device_hash}"))
}

/// Whether the device is trusted for this account (verified by SMS within the trust period).
pub async fn device_is_trusted(
    ctx: &AppContext,
    account_id: &str,
    device_hash: &str,
) -> Result<bool, ApiError> {
    let item = get(
        ctx,
        device_key(account_id, device_hash),
        "accounts.device_get",
    )
    .await?;
    let now = crate::clock::epoch_seconds();
    Ok(item
        .and_then(|i| {
            i.get("trusted_until")
                .and_then(|v| v.as_n().ok())
                .and_then(|v| v.parse::<i64>().ok())
        })
        .is_some_and(|until| until > now))
}

/// Trusts the device until `trusted_until` (epoch seconds); the item expires then by TTL.
pub async fn trust_device(
    ctx: &AppContext,
    account_id: &str,
    device_hash: &str,
    trusted_until: i64,
) -> Result<(), ApiError> {
    let mut item = device_key(account_id, device_hash);
    item.insert("trusted_until".into(), n(trusted_until));
    item.insert("expires_at".into(), n(trusted_until));
    item.insert(
        "trusted_at".into(),
        s(crate::clock::rfc3339(crate::clock::now())),
    );
    ctx.dynamo
        .put_item()
        .table_name(&ctx.config.tables.accounts)
        .set_item(Some(item))
        .send()
        .await
        .map_err(|e| unavailable("accounts.device_put", e))?;
    Ok(())
}

/// The keys of the account's trusted devices (consistent read).
async fn trusted_device_keys(ctx: &AppContext, account_id: &str) -> Result<Vec<Item>, ApiError> {
    let mut keys = Vec::new();
    let mut start = None;
    loop {
        let output = ctx
            .dynamo
            .query()
            .table_name(&ctx.config.tables.accounts)
            .key_condition_expression("pk = :pk AND begins_with(sk, :device)")
            .expression_attribute_values(":pk", s(account_pk(account_id)))
            .expression_attribute_values(":device", s("DEVICE#"))
            .projection_expression("pk, sk")
            .consistent_read(true)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| unavailable("accounts.devices", e))?;
        keys.extend(output.items.unwrap_or_default());
        start = output.last_evaluated_key;
        if start.is_none() {
            return Ok(keys);
        }
    }
}

/// Most trusted devices forgotten inside a transaction (one holds at most 100 items); any beyond
/// are deleted right after it.
const DEVICES_IN_TRANSACTION: usize = 90;

/// Forgetting trusted devices (their next login needs an SMS code): the deletes that go into the
/// transaction that makes the change, and the keys left for [`ForgottenDevices::finish`].
pub struct ForgottenDevices {
    pub in_transaction: Vec<TransactWriteItem>,
    later: Vec<Item>,
}

impl ForgottenDevices {
    /// The account's trusted devices (consistent Query), to be forgotten.
    pub async fn of(ctx: &AppContext, account_id: &str) -> Result<Self, ApiError> {
        let mut keys = trusted_device_keys(ctx, account_id).await?;
        let later = keys.split_off(keys.len().min(DEVICES_IN_TRANSACTION));
        let in_transaction = keys
            .into_iter()
            .map(|key| {
                TransactWriteItem::builder()
                    .delete(
                        aws_sdk_dynamodb::types::Delete::builder()
                            .table_name(&ctx.config.tables.accounts)
                            .set_key(Some(key))
                            .build()
                            .expect("key is set"),
                    )
                    .build()
            })
            .collect();
        Ok(Self {
            in_transaction,
            later,
        })
    }

    /// Deletes the devices that did not fit in the transaction (once it has succeeded).
    pub async fn finish(self, ctx: &AppContext) -> Result<(), ApiError> {
        for key in self.later {
            ctx.dynamo
                .delete_item()
                .table_name(&ctx.config.tables.accounts)
                .set_key(Some(key))
                .send()
                .await
                .map_err(|e| unavailable("accounts.device_delete", e))?;
        }
        Ok(())
    }
}

/// Replaces the password hash (only while it is still `old_hash`: a concurrent change wins once),
/// uses up the SMS code, lifts the session's password-change requirement (only while `session_id`
/// is still the current session) and forgets the trusted devices, in one transaction.
pub async fn change_password(
    ctx: &AppContext,
    account_id: &str,
    session_id: &str,
    old_hash: &str,
    new_hash: &str,
    code: &VerifiedCode,
    devices: ForgottenDevices,
) -> Result<(), ApiError> {
    let table = &ctx.config.tables.accounts;
    let update = aws_sdk_dynamodb::types::Update::builder()
        .table_name(table)
        .set_key(Some(pk_sk(account_pk(account_id), PROFILE)))
        .update_expression("SET password_hash = :new, must_change_password = :false")
        .condition_expression("password_hash = :old")
        .expression_attribute_values(":new", s(new_hash))
        .expression_attribute_values(":old", s(old_hash))
        .expression_attribute_values(
            ":false",
            aws_sdk_dynamodb::types::AttributeValue::Bool(false),
        )
        .build()
        .expect("key and expression are set");
    let session = aws_sdk_dynamodb::types::Update::builder()
        .table_name(table)
        .set_key(Some(pk_sk(account_pk(account_id), SESSION)))
        .update_expression("REMOVE password_change_required")
        .condition_expression("session_id = :sid")
        .expression_attribute_values(":sid", s(session_id))
        .build()
        .expect("key and expression are set");
    let mut items = vec![
        aws_sdk_dynamodb::types::TransactWriteItem::builder()
            .update(update)
            .build(),
        code.consume_in_transaction(ctx),
        aws_sdk_dynamodb::types::TransactWriteItem::builder()
            .update(session)
            .build(),
    ];
    items.extend(devices.in_transaction.iter().cloned());
    transact(ctx, items, "accounts.change_password", |failed| {
        if failed.contains(&2) {
            ApiError::SessionReplaced
        } else if failed.contains(&0) {
            ApiError::Conflict {
                title: "密码已被修改，请重新操作",
                errors: Vec::new(),
            }
        } else {
            ApiError::SmsCodeInvalid
        }
    })
    .await?;
    devices.finish(ctx).await
}

/// Moves the account to `new_phone`: the profile (only while it still has the old phone), the old
/// phone's claim freed, the new one's claimed (only where no account of the type holds it), and the
/// SMS code used up, in one transaction. `CONFLICT` `PHONE_TAKEN` when another account of the
/// same type has the new phone.
pub async fn change_phone(
    ctx: &AppContext,
    account: &AccountRecord,
    new_phone: &PhoneNumber,
    code: &VerifiedCode,
) -> Result<(), ApiError> {
    use aws_sdk_dynamodb::types::{Delete, TransactWriteItem, Update};
    let table = &ctx.config.tables.accounts;
    let old_phone = PhoneNumber::parse(&account.phone).map_err(|_| ApiError::Internal)?;
    let update = Update::builder()
        .table_name(table)
        .set_key(Some(pk_sk(&account.pk, &account.sk)))
        .update_expression("SET phone = :new")
        .condition_expression("phone = :old")
        .expression_attribute_values(":new", s(new_phone.as_str()))
        .expression_attribute_values(":old", s(old_phone.as_str()))
        .build()
        .expect("key and expression are set");
    let free_old = Delete::builder()
        .table_name(table)
        .set_key(Some(pk_sk(account.phone_claim(ctx, &old_phone), CLAIM)))
        .condition_expression("account_id = :me")
        .expression_attribute_values(":me", s(&account.account_id))
        .build()
        .expect("key is set");
    let items = vec![
        TransactWriteItem::builder().update(update).build(),
        TransactWriteItem::builder().delete(free_old).build(),
        put_if_absent(
            table,
            claim_item(account.phone_claim(ctx, new_phone), &account.account_id),
        ),
        code.consume_in_transaction(ctx),
    ];
    transact(ctx, items, "accounts.change_phone", |failed| {
        if failed.contains(&2) {
            ApiError::Conflict {
                title: TAKEN_TITLE,
                errors: vec![phone_taken("new_phone")],
            }
        } else if failed.contains(&3) {
            ApiError::SmsCodeInvalid
        } else {
            ApiError::Conflict {
                title: "手机号码已被修改，请重新操作",
                errors: Vec::new(),
            }
        }
    })
    .await
}
