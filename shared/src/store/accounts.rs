//! The accounts table: one partition per account (profile, session, trusted devices) and one
//! claim item per unique value (username, phone per account type, ID document per account type);
//! the key formats are in [`super::keys`].
//!
//! Unit accounts (administrators and sub-accounts) have no ID document, so no `IDDOC` claim; their
//! unit's items are in [`super::units`].

use aws_sdk_dynamodb::types::{AttributeValue, Delete};
use serde::{Deserialize, Serialize};

use super::Db;
use crate::domain::account::{AccountStatus, AccountType, RealName, Role, Username, phone_scope};
use crate::domain::id_document::{IdDocument, IdType};
use crate::domain::identity::VerificationMethod;
use crate::domain::phone::PhoneNumber;

use super::audit::AuditRecord;
use super::error::{Clash, StoreResult, conditional, written};
use super::house_links::LinkRecord;
use super::item::{Item, from_item, n, pk_sk, s, string_of, to_item};
use super::keys::{self, DEVICE_PREFIX, PROFILE, SESSION, account_pk};
use super::reads::{batch_get, get_item, query_all};
use super::transaction::Transaction;
use super::update::ItemUpdate;
use super::verification_codes::VerifiedCode;

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
    pub phone: PhoneNumber,
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
    /// How and when the holder's name and ID document were proven; absent while unverified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<IdentityProof>,
    /// Why counter staff suspended the account (status `suspended`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspension: Option<Suspension>,
    /// The face check the holder opened to verify their identity, until it is read as passed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub face_check: Option<PendingFaceCheck>,
    /// For a staff account: the office (受理点) the staff member works at, set when the operator
    /// creates the account; the people whose data they read see it instead of the staff member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office: Option<String>,
    /// For a sub-account: when the holder of its phone proved it (a `sub_account_phone` code the
    /// administrator typed in when giving the phone). Absent on sub-accounts given a phone
    /// before that proof existed: they get no login codes until it is proven.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_confirmed_at: Option<String>,
}

/// A face check the face service opened for the account: only this account may read its result,
/// and only until it expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingFaceCheck {
    pub check_id: String,
    /// When it can no longer be completed (seconds since the epoch).
    pub expires_at: i64,
}

/// The proof of an account's identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityProof {
    pub method: VerificationMethod,
    pub verified_at: String,
    /// The staff member, for a verification at the counter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_by: Option<String>,
}

/// The mark a suspended account keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suspension {
    pub suspended_by: String,
    pub suspended_at: String,
    pub reason: String,
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
            phone: holder.phone.clone(),
            password_hash,
            status: AccountStatus::Active,
            created_at: crate::clock::rfc3339(crate::clock::now()),
            must_change_password: false,
            opened_by: None,
            unit: None,
            deactivated_at: None,
            identity: None,
            suspension: None,
            face_check: None,
            office: None,
            phone_confirmed_at: None,
        }
    }

    /// Whether the account's phone may be sent login codes: every account's but that of a
    /// sub-account whose phone the administrator gave without its holder's code.
    pub fn phone_proven(&self) -> bool {
        self.role != Role::SubAccount || self.phone_confirmed_at.is_some()
    }

    /// The holder's ID document (type and number); `None` for unit accounts.
    pub fn document(&self) -> Option<(IdType, &str)> {
        Some((self.id_type?, self.id_number.as_deref()?))
    }

    /// The keyed hash of the holder's ID document ([`keys::person_key`]): how registrations,
    /// insurance months and applications name the person. `None` for unit accounts.
    pub fn person_key(&self, db: &Db) -> Option<String> {
        self.document()
            .map(|(id_type, number)| keys::person_key(db, id_type, number))
    }

    /// The holder as a data subject ([`keys::subject_key`]): their ID document and real name.
    pub fn subject_key(&self, db: &Db) -> Option<String> {
        self.person_key(db)
            .map(|person| keys::subject_key(db, &person, &self.real_name))
    }

    /// The name a declaration under this account's links is made in: the unit's for unit accounts.
    pub fn declarant_name(&self) -> &str {
        self.unit
            .as_ref()
            .map_or(&self.real_name, |unit| &unit.unit_name)
    }

    /// The claim of `phone` among the accounts of this account's scope.
    pub fn phone_claim(&self, db: &Db, phone: &PhoneNumber) -> String {
        keys::phone_claim(db, phone_scope(self.account_type, self.role), phone)
    }

    pub fn key(&self) -> Item {
        pk_sk(&self.pk, &self.sk)
    }
}

/// The item that claims a unique value (`claim_pk`) for `owner_id` (an account or a unit).
pub(crate) fn claim_item(claim_pk: String, owner_id: &str) -> Item {
    let mut item = keys::claim_key(claim_pk);
    item.insert("account_id".into(), s(owner_id));
    item
}

/// Adds what creates an account to `tx`: its profile, then the claims of its username, its phone
/// and (where it has one) its ID document, each put only where absent.
pub fn add_creation(
    tx: &mut Transaction,
    db: &Db,
    holder: &Holder<'_>,
    record: &AccountRecord,
) -> StoreResult<()> {
    let table = &db.tables.accounts;
    let account_id = &record.account_id;
    tx.put_fresh(table, to_item(record)?);
    tx.put_new(
        table,
        claim_item(keys::username_claim(&holder.username.key()), account_id),
        Clash::UsernameTaken,
    );
    tx.put_new(
        table,
        claim_item(record.phone_claim(db, holder.phone), account_id),
        Clash::PhoneTaken,
    );
    if let Some(document) = holder.document {
        tx.put_new(
            table,
            claim_item(
                keys::id_claim(db, record.account_type, document),
                account_id,
            ),
            Clash::IdDocumentTaken,
        );
    }
    Ok(())
}

/// Adds to `tx` the release of `account`'s claim of `phone`: gone already is fine, another
/// account's claim is left alone (the condition fails, meaning `clash`).
pub fn add_phone_release(
    tx: &mut Transaction,
    db: &Db,
    account: &AccountRecord,
    phone: &PhoneNumber,
    clash: Clash,
) {
    let delete = Delete::builder()
        .table_name(&db.tables.accounts)
        .set_key(Some(keys::claim_key(account.phone_claim(db, phone))))
        .condition_expression("attribute_not_exists(pk) OR account_id = :me")
        .expression_attribute_values(":me", s(&account.account_id))
        .build()
        .expect("key is set");
    tx.delete(delete, Some(clash));
}

/// Writes the account and its claims in one transaction, using up the SMS code (self-service)
/// and creating the account's house links in the same transaction: all of it happens or none.
pub async fn create(
    db: &Db,
    holder: &Holder<'_>,
    record: &AccountRecord,
    code: Option<&VerifiedCode>,
    linked: &[LinkRecord],
) -> StoreResult<()> {
    let mut tx = Transaction::new("accounts.create");
    add_creation(&mut tx, db, holder, record)?;
    if let Some(code) = code {
        code.add_use(&mut tx, db);
    }
    for link in linked {
        super::house_links::add_creation(&mut tx, db, link)?;
    }
    tx.commit(db).await
}

/// The account a username belongs to (case-insensitive), read consistently.
pub async fn find_by_username(db: &Db, username_key: &str) -> StoreResult<Option<AccountRecord>> {
    find_by_claim(db, keys::username_claim(username_key), "accounts.username").await
}

/// The account among those of `scope` ([`phone_scope`]) that holds `phone`, read consistently.
pub async fn find_by_phone(
    db: &Db,
    scope: &str,
    phone: &PhoneNumber,
) -> StoreResult<Option<AccountRecord>> {
    find_by_claim(db, keys::phone_claim(db, scope, phone), "accounts.phone").await
}

/// The account of `account_type` that holds the ID document (its claim), read consistently.
pub async fn find_by_document(
    db: &Db,
    account_type: AccountType,
    document: &IdDocument,
) -> StoreResult<Option<AccountRecord>> {
    let claim = keys::id_claim(db, account_type, document);
    find_by_claim(db, claim, "accounts.id_document").await
}

/// The account that holds the unique value `claim_pk` (its claim, then its profile).
async fn find_by_claim(
    db: &Db,
    claim_pk: String,
    operation: &'static str,
) -> StoreResult<Option<AccountRecord>> {
    let Some(claim) = get(db, keys::claim_key(claim_pk), operation).await? else {
        return Ok(None);
    };
    let Some(account_id) = string_of(&claim, "account_id") else {
        return Ok(None);
    };
    find_by_id(db, account_id).await
}

pub async fn find_by_id(db: &Db, account_id: &str) -> StoreResult<Option<AccountRecord>> {
    get(db, keys::profile_key(account_id), "accounts.profile")
        .await?
        .map(from_item)
        .transpose()
}

/// Accounts by id, read consistently, in the order asked; ids with no account are left out.
pub async fn find_many(db: &Db, account_ids: &[String]) -> StoreResult<Vec<AccountRecord>> {
    let keys = account_ids.iter().map(|id| keys::profile_key(id)).collect();
    let items = batch_get(db, &db.tables.accounts, keys, "accounts.find_many").await?;
    let mut found: Vec<AccountRecord> =
        items.into_iter().map(from_item).collect::<Result<_, _>>()?;
    found.sort_by_key(|a| account_ids.iter().position(|id| *id == a.account_id));
    Ok(found)
}

/// A strongly consistent read of one item of the accounts table.
pub(crate) async fn get(db: &Db, key: Item, operation: &'static str) -> StoreResult<Option<Item>> {
    get_item(db, &db.tables.accounts, key, &[], operation).await
}

/// The account's one current session.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionRecord {
    pub pk: String,
    pub sk: String,
    pub session_id: String,
    pub created_at: String,
    /// TTL: the session item goes once neither its access token nor its refresh token can be
    /// used any more.
    pub expires_at: i64,
    /// The account must choose its own password before anything else (see
    /// [`AccountRecord::must_change_password`]); cleared by the password change.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub password_change_required: bool,
    /// What the account is, as read from its profile at login: requests are authorized by these,
    /// never by what a token claims.
    pub account_type: AccountType,
    pub role: Role,
    /// The keyed hash of the device the session was opened on.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub device_hash: String,
    /// The keyed hash of the session's one usable refresh token; absent once it was revoked
    /// (a password change) or for sessions older than refresh tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_hash: Option<String>,
    /// Prints (the first 128 bits) of the hashes of the refresh tokens this session has spent,
    /// newest last (a bounded list): one shown again means a copy is in someone else's hands, and
    /// ends the session.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spent_refresh_hashes: Vec<String>,
    /// Until when the refresh token may be used unused (epoch seconds): each refresh moves it on.
    #[serde(default)]
    pub refresh_idle_until: i64,
    /// The session's end however often it is refreshed (epoch seconds).
    #[serde(default)]
    pub refresh_absolute_until: i64,
}

/// How many spent refresh tokens a session remembers: a stolen copy is shown again soon after the
/// app refreshes, and a made-up token never matches; 16 prints of 128 bits keep the session item
/// under 1 KB, so a refresh writes one unit.
pub const SPENT_REFRESH_REMEMBERED: usize = 16;

/// The account's current session, as far as a request needs it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CurrentSession {
    pub session_id: String,
    #[serde(default)]
    pub password_change_required: bool,
    /// Absent only in sessions written before sessions carried them: such a session must log in
    /// again.
    #[serde(default)]
    pub account_type: Option<AccountType>,
    #[serde(default)]
    pub role: Option<Role>,
}

/// A new session: its id, device, first refresh token (hashed) and lifetimes.
pub struct NewSession<'a> {
    pub session_id: &'a str,
    pub device_hash: &'a str,
    pub refresh_hash: &'a str,
    pub refresh_idle_until: i64,
    pub refresh_absolute_until: i64,
}

/// Makes `session` the account's only session, ending whichever was current (and with it that
/// session's refresh token). A deactivated account's session item is a tombstone
/// ([`add_final_session_end`]) that no login replaces, so a login racing a deactivation cannot
/// leave a working session behind ([`Clash::AccountDeactivated`]).
pub async fn replace_session(
    db: &Db,
    account: &AccountRecord,
    session: &NewSession<'_>,
) -> StoreResult<()> {
    let record = SessionRecord {
        pk: account_pk(&account.account_id),
        sk: SESSION.to_owned(),
        session_id: session.session_id.to_owned(),
        created_at: crate::clock::rfc3339(crate::clock::now()),
        expires_at: session.refresh_idle_until,
        password_change_required: account.must_change_password,
        account_type: account.account_type,
        role: account.role,
        device_hash: session.device_hash.to_owned(),
        refresh_hash: Some(session.refresh_hash.to_owned()),
        spent_refresh_hashes: Vec::new(),
        refresh_idle_until: session.refresh_idle_until,
        refresh_absolute_until: session.refresh_absolute_until,
    };
    let result = db
        .client
        .put_item()
        .table_name(&db.tables.accounts)
        .set_item(Some(to_item(&record)?))
        .condition_expression("attribute_not_exists(deactivated)")
        .send()
        .await;
    conditional("accounts.session_put", result, Clash::AccountDeactivated).map(|_| ())
}

/// The account's session item in full, read consistently; `None` when there is none or it is a
/// tombstone (a deactivated or suspended account).
pub async fn session(db: &Db, account_id: &str) -> StoreResult<Option<SessionRecord>> {
    let item = get(db, keys::session_key(account_id), "accounts.session_read").await?;
    match item {
        Some(item) if item.contains_key("session_id") => from_item(item).map(Some),
        _ => Ok(None),
    }
}

/// What a session remembers of a spent refresh token's hash: its first 128 bits.
pub fn spent_print(hash: &str) -> &str {
    &hash[..hash.len().min(32)]
}

/// Spends the session's refresh token `spent` for `next`: only while `spent` is still the usable
/// one of session `session_id` (`false` otherwise: another refresh spent it first). The spent
/// hash joins the remembered ones (the oldest beyond [`SPENT_REFRESH_REMEMBERED`] forgotten) and
/// the idle limit moves on to `idle_until`, which is also the item's TTL.
pub async fn rotate_refresh(
    db: &Db,
    session: &SessionRecord,
    spent: &str,
    next: &str,
    idle_until: i64,
) -> StoreResult<bool> {
    let mut remembered = session.spent_refresh_hashes.clone();
    remembered.push(spent_print(spent).to_owned());
    let excess = remembered.len().saturating_sub(SPENT_REFRESH_REMEMBERED);
    remembered.drain(..excess);
    let remembered = AttributeValue::L(remembered.into_iter().map(s).collect());
    ItemUpdate::new(&db.tables.accounts, pk_sk(&session.pk, &session.sk))
        .set("refresh_hash", s(next))
        .set("spent_refresh_hashes", remembered)
        .set("refresh_idle_until", n(idle_until))
        .set("expires_at", n(idle_until))
        .condition(
            "#session_id = :sid AND #refresh_hash = :spent",
            vec![(":sid", s(&session.session_id)), (":spent", s(spent))],
        )
        .apply_if(db, "accounts.session_refresh")
        .await
}

/// The account's current session, read consistently (a replaced session must fail at once).
/// `None` also for a tombstone (a deactivated account), which has no session id.
pub async fn current_session(db: &Db, account_id: &str) -> StoreResult<Option<CurrentSession>> {
    let item = get_item(
        db,
        &db.tables.accounts,
        keys::session_key(account_id),
        &[
            "session_id",
            "password_change_required",
            "account_type",
            "role",
        ],
        "accounts.session_get",
    )
    .await?;
    match item {
        Some(item) if item.contains_key("session_id") => from_item(item).map(Some),
        _ => Ok(None),
    }
}

/// Adds to `tx` the end of the account's session, whichever it is, for good (deactivation): the
/// session item becomes a tombstone without a session id, which no token matches and no later
/// login replaces.
pub fn add_final_session_end(tx: &mut Transaction, db: &Db, account_id: &str) {
    let mut tombstone = keys::session_key(account_id);
    tombstone.insert("deactivated".into(), AttributeValue::Bool(true));
    tx.put(&db.tables.accounts, tombstone);
}

/// Ends the session if it is still the current one; `false` if another had replaced it.
pub async fn end_session(db: &Db, account_id: &str, session_id: &str) -> StoreResult<bool> {
    let result = db
        .client
        .delete_item()
        .table_name(&db.tables.accounts)
        .set_key(Some(keys::session_key(account_id)))
        .condition_expression("session_id = :sid")
        .expression_attribute_values(":sid", s(session_id))
        .send()
        .await;
    written("accounts.session_end", result)
}

/// Whether the device is trusted for this account: verified by SMS within the trust period, and
/// `secret_hash` is the hash of the device secret issued then. An item without a secret hash
/// (trusted before devices had secrets) trusts nothing: that device's next login needs a code.
pub async fn device_is_trusted(
    db: &Db,
    account_id: &str,
    device_hash: &str,
    secret_hash: &str,
) -> StoreResult<bool> {
    #[derive(Deserialize)]
    struct Trust {
        trusted_until: i64,
        #[serde(default)]
        secret_hash: Option<String>,
    }
    let item = get(
        db,
        keys::device_key(account_id, device_hash),
        "accounts.device_get",
    )
    .await?;
    let now = crate::clock::epoch_seconds();
    Ok(item
        .map(from_item::<Trust>)
        .transpose()?
        .is_some_and(|trust| {
            trust.trusted_until > now
                && trust
                    .secret_hash
                    .is_some_and(|stored| crate::crypto::constant_time_eq(&stored, secret_hash))
        }))
}

/// Trusts the device until `trusted_until` (epoch seconds) for whoever shows the secret whose
/// hash is `secret_hash` (a new secret replaces the old one); the item expires then by TTL.
pub async fn trust_device(
    db: &Db,
    account_id: &str,
    device_hash: &str,
    secret_hash: &str,
    trusted_until: i64,
) -> StoreResult<()> {
    let mut item = keys::device_key(account_id, device_hash);
    item.insert("trusted_until".into(), n(trusted_until));
    item.insert("expires_at".into(), n(trusted_until));
    item.insert("secret_hash".into(), s(secret_hash));
    item.insert(
        "trusted_at".into(),
        s(crate::clock::rfc3339(crate::clock::now())),
    );
    db.client
        .put_item()
        .table_name(&db.tables.accounts)
        .set_item(Some(item))
        .send()
        .await
        .map_err(|e| super::error::unavailable("accounts.device_put", e))?;
    Ok(())
}

/// Most trusted devices forgotten inside a transaction (one holds at most 100 items); any beyond
/// are deleted right after it.
const DEVICES_IN_TRANSACTION: usize = 90;

/// Forgetting trusted devices (their next login needs an SMS code): the deletes that go into the
/// transaction that makes the change, and the keys left for [`ForgottenDevices::finish`].
pub struct ForgottenDevices {
    in_transaction: Vec<Item>,
    later: Vec<Item>,
}

impl ForgottenDevices {
    /// The account's trusted devices (consistent Query), to be forgotten.
    pub async fn of(db: &Db, account_id: &str) -> StoreResult<Self> {
        let pk = account_pk(account_id);
        let mut keys = query_all("accounts.devices", || {
            db.client
                .query()
                .table_name(&db.tables.accounts)
                .key_condition_expression("pk = :pk AND begins_with(sk, :device)")
                .expression_attribute_values(":pk", s(&pk))
                .expression_attribute_values(":device", s(DEVICE_PREFIX))
                .projection_expression("pk, sk")
                .consistent_read(true)
        })
        .await?;
        let later = keys.split_off(keys.len().min(DEVICES_IN_TRANSACTION));
        Ok(Self {
            in_transaction: keys,
            later,
        })
    }

    /// Adds the deletes that fit to the transaction that makes the change.
    pub fn add_to(&self, tx: &mut Transaction, db: &Db) {
        for key in &self.in_transaction {
            let delete = Delete::builder()
                .table_name(&db.tables.accounts)
                .set_key(Some(key.clone()))
                .build()
                .expect("key is set");
            tx.delete(delete, None);
        }
    }

    /// Deletes the devices that did not fit in the transaction (once it has succeeded).
    pub async fn finish(self, db: &Db) -> StoreResult<()> {
        for key in self.later {
            db.client
                .delete_item()
                .table_name(&db.tables.accounts)
                .set_key(Some(key))
                .send()
                .await
                .map_err(|e| super::error::unavailable("accounts.device_delete", e))?;
        }
        Ok(())
    }
}

/// Replaces the password hash (only while it is still `old_hash`: [`Clash::PasswordChanged`]),
/// uses up the SMS code ([`Clash::CodeSpent`]), lifts the session's password-change requirement
/// and revokes its refresh token (only while `session_id` is still the current session:
/// [`Clash::SessionReplaced`]) and forgets the trusted devices, in one transaction.
pub async fn change_password(
    db: &Db,
    account_id: &str,
    session_id: &str,
    old_hash: &str,
    new_hash: &str,
    code: &VerifiedCode,
    devices: ForgottenDevices,
) -> StoreResult<()> {
    let table = &db.tables.accounts;
    let profile = ItemUpdate::new(table, keys::profile_key(account_id))
        .set("password_hash", s(new_hash))
        .set("must_change_password", AttributeValue::Bool(false))
        .condition("#password_hash = :old", vec![(":old", s(old_hash))]);
    let session = ItemUpdate::new(table, keys::session_key(account_id))
        .remove("password_change_required")
        .remove("refresh_hash")
        .condition("#session_id = :sid", vec![(":sid", s(session_id))]);
    let mut tx = Transaction::new("accounts.change_password");
    tx.update(profile.into_update(), Clash::PasswordChanged);
    code.add_use(&mut tx, db);
    tx.update(session.into_update(), Clash::SessionReplaced);
    devices.add_to(&mut tx, db);
    tx.commit(db).await?;
    devices.finish(db).await
}

/// Resets a forgotten password, in one transaction: the hash replaced (only while the account is
/// active and its hash still `old_hash`: [`Clash::PasswordChanged`]), the `reset_password` code
/// used up ([`Clash::CodeSpent`]), the session and its refresh token ended (a tombstone is left
/// alone), the trusted devices forgotten and the audit record written.
pub async fn reset_password(
    db: &Db,
    account_id: &str,
    old_hash: &str,
    new_hash: &str,
    code: &VerifiedCode,
    devices: ForgottenDevices,
    audit: &AuditRecord,
) -> StoreResult<()> {
    let table = &db.tables.accounts;
    let profile = ItemUpdate::new(table, keys::profile_key(account_id))
        .set("password_hash", s(new_hash))
        .set("must_change_password", AttributeValue::Bool(false))
        .condition(
            "#password_hash = :old AND #status = :active",
            vec![
                (":old", s(old_hash)),
                (
                    ":active",
                    super::item::to_attribute(&AccountStatus::Active)?,
                ),
            ],
        );
    let session = Delete::builder()
        .table_name(table)
        .set_key(Some(keys::session_key(account_id)))
        .condition_expression("attribute_not_exists(deactivated)")
        .build()
        .expect("key is set");
    let mut tx = Transaction::new("accounts.reset_password");
    tx.update(profile.into_update(), Clash::PasswordChanged);
    code.add_use(&mut tx, db);
    tx.delete(session, Some(Clash::AccountNotActive));
    devices.add_to(&mut tx, db);
    tx.put_fresh(table, audit.item()?);
    tx.commit(db).await?;
    devices.finish(db).await
}

/// Moves the account to `new_phone`: the profile (only while it still has the old phone:
/// [`Clash::PhoneChanged`]), the old phone's claim freed, the new one's claimed (only where no
/// account of the scope holds it: [`Clash::PhoneTaken`]), and the SMS code used up
/// ([`Clash::CodeSpent`]), in one transaction.
pub async fn change_phone(
    db: &Db,
    account: &AccountRecord,
    new_phone: &PhoneNumber,
    code: &VerifiedCode,
) -> StoreResult<()> {
    let table = &db.tables.accounts;
    let profile = ItemUpdate::new(table, account.key())
        .set("phone", s(new_phone.as_str()))
        .condition("#phone = :old", vec![(":old", s(account.phone.as_str()))]);
    let mut tx = Transaction::new("accounts.change_phone");
    tx.update(profile.into_update(), Clash::PhoneChanged);
    add_phone_release(&mut tx, db, account, &account.phone, Clash::PhoneChanged);
    tx.put_new(
        table,
        claim_item(account.phone_claim(db, new_phone), &account.account_id),
        Clash::PhoneTaken,
    );
    code.add_use(&mut tx, db);
    tx.commit(db).await
}

/// Records the proof of an active account's identity, with its audit record, in one transaction
/// ([`Clash::AccountNotActive`] when the account is not active).
pub async fn verify_identity(
    db: &Db,
    account_id: &str,
    proof: &IdentityProof,
    audit: &AuditRecord,
) -> StoreResult<()> {
    let table = &db.tables.accounts;
    let profile = ItemUpdate::new(table, keys::profile_key(account_id))
        .set("identity", super::item::to_attribute(proof)?)
        .remove("face_check")
        .condition(
            "#status = :active",
            vec![(
                ":active",
                super::item::to_attribute(&AccountStatus::Active)?,
            )],
        );
    let mut tx = Transaction::new("accounts.verify_identity");
    tx.update(profile.into_update(), Clash::AccountNotActive);
    tx.put_fresh(table, audit.item()?);
    tx.commit(db).await
}

/// Keeps the face check the account opened (replacing an earlier one), while it is active.
pub async fn set_face_check(
    db: &Db,
    account_id: &str,
    check: &PendingFaceCheck,
) -> StoreResult<()> {
    let written = ItemUpdate::new(&db.tables.accounts, keys::profile_key(account_id))
        .set("face_check", super::item::to_attribute(check)?)
        .condition(
            "#status = :active",
            vec![(
                ":active",
                super::item::to_attribute(&AccountStatus::Active)?,
            )],
        )
        .apply_if(db, "accounts.set_face_check")
        .await?;
    match written {
        true => Ok(()),
        false => Err(super::StoreError::conflict(Clash::AccountNotActive)),
    }
}

/// Suspends an active account whose ID document its real holder has reclaimed, in one
/// transaction: status and the suspension mark on the profile (everything else is kept), its
/// session ended at once and for good, its claim of the ID document released (so the holder's own
/// account can be opened with it), and the audit record ([`Clash::AccountNotActive`] when it was
/// not active). Returned uncommitted, so that the caller adds what the suspension ends elsewhere
/// (the account's open applications) to the same transaction.
pub fn suspension(
    db: &Db,
    account: &AccountRecord,
    suspension: &Suspension,
    audit: &AuditRecord,
) -> StoreResult<Transaction> {
    let table = &db.tables.accounts;
    let profile = ItemUpdate::new(table, account.key())
        .set(
            "status",
            super::item::to_attribute(&AccountStatus::Suspended)?,
        )
        .set("suspension", super::item::to_attribute(suspension)?)
        .condition(
            "#status = :active",
            vec![(
                ":active",
                super::item::to_attribute(&AccountStatus::Active)?,
            )],
        );
    let mut tx = Transaction::new("accounts.suspend");
    tx.update(profile.into_update(), Clash::AccountNotActive);
    add_final_session_end(&mut tx, db, &account.account_id);
    if let (Some(id_type), Some(number)) = (account.id_type, account.id_number.as_deref()) {
        let claim = keys::id_claim_of(db, account.account_type, id_type, number);
        let delete = Delete::builder()
            .table_name(table)
            .set_key(Some(keys::claim_key(claim)))
            .condition_expression("attribute_not_exists(pk) OR account_id = :me")
            .expression_attribute_values(":me", s(&account.account_id))
            .build()
            .expect("key is set");
        tx.delete(delete, Some(Clash::AccountNotActive));
    }
    tx.put_fresh(table, audit.item()?);
    Ok(tx)
}
