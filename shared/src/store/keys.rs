//! Every key format of every table, in one place. Personal identifiers (phones, ID documents,
//! addresses typed by hand) appear in keys only as keyed hashes, so keys (which show up in
//! metrics and diagnostics) carry no personal data.
//!
//! Accounts table (`pk`, `sk`):
//!
//! | pk                              | sk                     | item                                 |
//! |---------------------------------|------------------------|--------------------------------------|
//! | `ACCOUNT#<account_id>`          | `PROFILE`              | the account                          |
//! | `ACCOUNT#<account_id>`          | `SESSION`              | its one current session              |
//! | `ACCOUNT#<account_id>`          | `DEVICE#<hash>`        | a device trusted for SMS-free login  |
//! | `ACCOUNT#<account_id>`          | `LINK#<link_id>`       | a house link                         |
//! | `ACCOUNT#<account_id>`          | `ACTIVE#HOUSE#<code>`  | claim: its one active link to a house |
//! | `ACCOUNT#<account_id>`          | `ACTIVE#MANUAL#<hash>` | … to a hand-written address           |
//! | `LINKID#<link_id>`              | `POINTER`              | link id → account                    |
//! | `USERNAME#<lower-case name>`    | `CLAIM`                | username → account                   |
//! | `PHONE#<scope>#<hash>`          | `CLAIM`                | phone (per scope) → account          |
//! | `IDDOC#<type>#<hash>`           | `CLAIM`                | ID document (per account type) → account |
//! | `LOGIN#<lower-case name>`       | `GUARD`                | failed logins of a username          |
//! | `LOGIN#<lower-case name>`       | `GUARD#TRUSTED`        | … from its SMS-verified devices      |
//! | `UNIT#<unit_id>`                | `PROFILE`              | a unit                               |
//! | `UNIT#<unit_id>`                | `MEMBER#<account_id>`  | one of its sub-accounts              |
//! | `USCC#[<platform>#]<code>`      | `CLAIM`                | credit code → unit (per platform)    |
//!
//! Registrations table (`pk`, `sk`):
//!
//! | pk                        | sk                                 | item                       |
//! |---------------------------|------------------------------------|----------------------------|
//! | `LINK#<link_id>`          | `REG#<registration_id>`            | a registration             |
//! | `LINK#<link_id>`          | `HIST#<registration_id>#<version>` | one change of it           |
//! | `HOUSE#<house_id>`        | `PERSON#<person key>`              | the person lives there now |
//! | `REGID#<registration_id>` | `POINTER`                          | registration id → link     |
//! | `RECEIPT#<receipt_no>`    | `RECEIPT`                          | receipt number → registration |
//!
//! Address table (`pk`, `sk`): `STREETS` / `<street code>`; `BUILDING#<code>` / `BUILDING` and
//! `HOUSE#<house code>`; `GRAM#<street code>#<pair>` / `<building code>` (the name index).
//!
//! Processing records (`pk`, `sk`): `SUBJECT#<subject key>` / `<at>#<record id>`
//! ([`super::processing_records`]).
//!
//! Verification codes (`pk`): a keyed hash of purpose, phone and whom the code is bound to (a
//! login code: account and device; a sub-account phone code: the administrator who asked), or
//! `TICKET#<ticket id>` (a login ticket that has asked for its code). Rate limits (`pk`):
//! `<scope>#<subject>#<window start>`.

use super::Db;
use crate::crypto::keyed_hash;
use crate::domain::account::AccountType;
use crate::domain::id_document::{IdDocument, IdType};
use crate::domain::phone::PhoneNumber;
use crate::domain::sms::SmsPurpose;

use super::item::{Item, pk, pk_sk};

pub const PROFILE: &str = "PROFILE";
pub const SESSION: &str = "SESSION";
pub const CLAIM: &str = "CLAIM";
pub const POINTER: &str = "POINTER";
pub const GUARD: &str = "GUARD";
pub const RECEIPT: &str = "RECEIPT";
pub const STREETS_PK: &str = "STREETS";
pub const BUILDING_SK: &str = "BUILDING";

/// Sort-key prefixes of an account's partition.
pub const DEVICE_PREFIX: &str = "DEVICE#";
pub const LINK_PREFIX: &str = "LINK#";
pub const MEMBER_PREFIX: &str = "MEMBER#";
/// Sort-key prefix of an account's audit records (staff acts on it).
pub const AUDIT_PREFIX: &str = "AUDIT#";
/// Sort-key prefixes of a link's partition in the registrations table.
pub const REGISTRATION_PREFIX: &str = "REG#";
pub const HOUSE_PREFIX: &str = "HOUSE#";

// ------------------------------------------------------------------ accounts

pub fn account_pk(account_id: &str) -> String {
    format!("ACCOUNT#{account_id}")
}

pub fn profile_key(account_id: &str) -> Item {
    pk_sk(account_pk(account_id), PROFILE)
}

/// The sort key of an audit record of an account: ordered by time, unique by a fresh id.
pub fn audit_sk(at: &str, audit_id: &str) -> String {
    format!("{AUDIT_PREFIX}{at}#{audit_id}")
}

/// A place in a sharded, oldest-first review queue (a sparse GSI): the partition
/// `<queue>#<random shard>` (a rush writes no single hot key) and the sort key
/// `<epoch ms, 13 digits>#<id>`. Staff read it with one Query per shard.
pub fn review_slot(queue: &str, shards: u32, now_ms: i64, id: &str) -> (String, String) {
    let shard = crate::crypto::random_u32() % shards;
    (format!("{queue}#{shard}"), format!("{now_ms:013}#{id}"))
}

pub fn session_key(account_id: &str) -> Item {
    pk_sk(account_pk(account_id), SESSION)
}

pub fn device_key(account_id: &str, device_hash: &str) -> Item {
    pk_sk(
        account_pk(account_id),
        format!("{DEVICE_PREFIX}{device_hash}"),
    )
}

pub fn username_claim(username_key: &str) -> String {
    format!("USERNAME#{username_key}")
}

/// The claim of a phone among the accounts of `scope` ([`crate::domain::account::phone_scope`]).
pub fn phone_claim(db: &Db, scope: &str, phone: &PhoneNumber) -> String {
    format!("PHONE#{scope}#{}", db.lookup_hash("phone", phone.as_str()))
}

pub fn id_claim(db: &Db, account_type: AccountType, doc: &IdDocument) -> String {
    id_claim_of(db, account_type, doc.id_type(), doc.number())
}

/// [`id_claim`] of a document as stored (type and number).
pub fn id_claim_of(db: &Db, account_type: AccountType, id_type: IdType, number: &str) -> String {
    let hash = keyed_hash(db.hash_key(), "id-document", &[id_type.as_str(), number]);
    format!("IDDOC#{}#{hash}", account_type.as_str())
}

pub fn claim_key(claim_pk: impl Into<String>) -> Item {
    pk_sk(claim_pk, CLAIM)
}

/// The failed-login count of a username: for logins from devices the account verified by SMS
/// (`trusted`), or from any other.
pub fn login_guard_key(username_key: &str, trusted: bool) -> Item {
    let sk = if trusted { "GUARD#TRUSTED" } else { GUARD };
    pk_sk(format!("LOGIN#{username_key}"), sk)
}

// ------------------------------------------------------------------ house links

pub fn link_sk(link_id: &str) -> String {
    format!("{LINK_PREFIX}{link_id}")
}

pub fn link_key(account_id: &str, link_id: &str) -> Item {
    pk_sk(account_pk(account_id), link_sk(link_id))
}

pub fn link_pointer_key(link_id: &str) -> Item {
    pk_sk(format!("LINKID#{link_id}"), POINTER)
}

/// The sort key of an account's claim on a house.
pub fn house_claim(house_code: &str) -> String {
    format!("ACTIVE#HOUSE#{house_code}")
}

/// The sort key of an account's claim on a hand-written address: a keyed hash of the street and
/// the normalized address, so that the same address typed twice (spacing, letter case aside)
/// counts as one house.
pub fn manual_claim(db: &Db, street: &str, address: &str) -> String {
    let normalized = crate::domain::address::normalize_text(address);
    let hash = keyed_hash(db.hash_key(), "manual-address", &[street, &normalized]);
    format!("ACTIVE#MANUAL#{}", &hash[..32])
}

// ------------------------------------------------------------------ units

pub fn unit_pk(unit_id: &str) -> String {
    format!("UNIT#{unit_id}")
}

/// The claim of a credit code: one unit per organization and platform (an employer may run both a
/// registration unit and a permit-agent unit).
pub fn uscc_claim(platform: AccountType, uscc: &str) -> String {
    match platform {
        AccountType::ResidenceRegistration => format!("USCC#{uscc}"),
        other => format!("USCC#{}#{uscc}", other.as_str()),
    }
}

pub fn member_key(unit_id: &str, account_id: &str) -> Item {
    pk_sk(unit_pk(unit_id), format!("{MEMBER_PREFIX}{account_id}"))
}

// ------------------------------------------------------------------ registrations

/// The partition of a link's registrations and their history.
pub fn registrations_pk(link_id: &str) -> String {
    format!("LINK#{link_id}")
}

pub fn registration_sk(registration_id: &str) -> String {
    format!("{REGISTRATION_PREFIX}{registration_id}")
}

pub fn registration_key(link_id: &str, registration_id: &str) -> Item {
    pk_sk(registrations_pk(link_id), registration_sk(registration_id))
}

/// The sort-key prefix of one registration's history entries.
pub fn history_prefix(registration_id: &str) -> String {
    format!("HIST#{registration_id}#")
}

pub fn history_sk(registration_id: &str, version: u32) -> String {
    format!("{}{version:08}", history_prefix(registration_id))
}

pub fn registration_pointer_key(registration_id: &str) -> Item {
    pk_sk(format!("REGID#{registration_id}"), POINTER)
}

pub fn receipt_key(receipt_no: &str) -> Item {
    pk_sk(format!("RECEIPT#{receipt_no}"), RECEIPT)
}

pub fn presence_key(house_id: &str, person_key: &str) -> Item {
    pk_sk(format!("HOUSE#{house_id}"), format!("PERSON#{person_key}"))
}

/// The person key of an ID document: the same for a resident's registrations and for their
/// residence-permit account.
pub fn person_key(db: &Db, id_type: IdType, number: &str) -> String {
    keyed_hash(db.hash_key(), "resident", &[id_type.as_str(), number])
}

/// The key of a data subject: whose a personal record is. A record (a registration, an
/// application, a permit) is a holder's when its ID document *and* the name it is made in are the
/// holder's (a declarant's typo in either names someone else), so the key hashes both: the
/// person key of the document and the name. Every list of a holder's own records decides by it
/// ([`crate::services::identity::is_holder`]), and processing records are filed under it, so
/// that residence records and processing records agree on whose a record is.
pub fn subject_key(db: &Db, person_key: &str, name: &str) -> String {
    keyed_hash(db.hash_key(), "data-subject", &[person_key, name])
}

// ------------------------------------------------------------------ processing records

/// The partition of a data subject's processing records ([`subject_key`]).
pub fn processing_pk(subject_key: &str) -> String {
    format!("SUBJECT#{subject_key}")
}

/// A processing record's sort key: ordered by time, unique by its id.
pub fn processing_sk(at: &str, record_id: &str) -> String {
    format!("{at}#{record_id}")
}

// ------------------------------------------------------------------ address

pub fn building_pk(code: &str) -> String {
    format!("BUILDING#{code}")
}

pub fn house_sk(code: &str) -> String {
    format!("{HOUSE_PREFIX}{code}")
}

pub fn gram_pk(street_code: &str, gram: &str) -> String {
    format!("GRAM#{street_code}#{gram}")
}

pub fn building_key(code: &str) -> Item {
    pk_sk(building_pk(code), BUILDING_SK)
}

pub fn house_key(building_code: &str, house_code: &str) -> Item {
    pk_sk(building_pk(building_code), house_sk(house_code))
}

// ------------------------------------------------------------------ codes and limits

/// The item key for a phone's code of one purpose, bound to `bound_to` (empty for a code anyone
/// holding the phone may use; the key is then what it was before codes were bound).
pub fn verification_code_key(
    db: &Db,
    phone: &PhoneNumber,
    purpose: SmsPurpose,
    bound_to: &[&str],
) -> String {
    let mut parts = vec![purpose.as_str(), phone.as_str()];
    parts.extend_from_slice(bound_to);
    keyed_hash(db.hash_key(), "sms-code-key", &parts)
}

/// The claim a login ticket writes when it asks for its code: a ticket asks once.
pub fn login_ticket_claim_key(ticket_id: &str) -> Item {
    pk(format!("TICKET#{ticket_id}"))
}

pub fn verification_code_item_key(key: &str) -> Item {
    pk(key)
}

/// A rate-limit counter: what is limited and for whom (`sms-ip`, a hashed address), and the
/// window it counts.
pub fn rate_limit_key(scope: &str, subject: &str, window_start: i64) -> Item {
    pk(format!("{scope}#{subject}#{window_start}"))
}
