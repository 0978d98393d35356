//! LOCAL ONLY: the local identity registry, a stand-in for the carrier's real-name check (and,
//! with [`super::local_face_check`], for the face check), so that the local stack and the tests
//! can verify identities without them. It answers
//! from a DynamoDB table that only the local stack creates (`rpctl identity load` fills it; `make
//! run` seeds it with generated residents); the deployed template never names it. People are keyed
//! by the keyed hash of their ID document, as everywhere else.

use serde::{Deserialize, Serialize};

use crate::domain::id_document::IdType;
use crate::domain::identity::CarrierVerdict;
use crate::domain::phone::PhoneNumber;
use crate::store::Db;
use crate::store::item::{from_item, pk};
use crate::store::keys::person_key;
use crate::store::reads::get_item;

use super::port::{IdentityQuery, IdentityServiceError};

/// A person as the registry knows them.
#[derive(Clone, Serialize, Deserialize)]
pub struct RegisteredPerson {
    /// The keyed hash of the ID document ([`person_key`]).
    pub pk: String,
    pub real_name: String,
    /// The phone registered in their name (11 digits), where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

impl RegisteredPerson {
    pub fn new(
        db: &Db,
        id_type: IdType,
        id_number: &str,
        real_name: &str,
        phone: Option<&str>,
    ) -> Self {
        Self {
            pk: person_key(db, id_type, id_number),
            real_name: real_name.to_owned(),
            phone: phone.map(str::to_owned),
        }
    }
}

/// The person of an ID document, if the registry holds them.
pub async fn person(
    db: &Db,
    table: &str,
    id_type: IdType,
    id_number: &str,
) -> Result<Option<RegisteredPerson>, IdentityServiceError> {
    person_by_key(db, table, person_key(db, id_type, id_number)).await
}

/// The person whose ID document has the keyed hash `key`, if the registry holds them.
pub async fn person_by_key(
    db: &Db,
    table: &str,
    key: String,
) -> Result<Option<RegisteredPerson>, IdentityServiceError> {
    let unavailable = |e: String| IdentityServiceError::Unavailable(e);
    get_item(db, table, pk(key), &[], "local_identity_registry.get")
        .await
        .map_err(|e| unavailable(e.to_string()))?
        .map(from_item)
        .transpose()
        .map_err(|e| unavailable(e.to_string()))
}

/// The stand-in for the carrier's answer: `match` when the registry knows the person, with that
/// name, and the phone registered in their name is `phone`; `unknown` when it knows no phone of
/// theirs (or not the person); `mismatch` otherwise.
pub async fn carrier_check(
    db: &Db,
    table: &str,
    query: &IdentityQuery<'_>,
    phone: &PhoneNumber,
) -> Result<CarrierVerdict, IdentityServiceError> {
    let person = person(db, table, query.id_type, query.id_number).await?;
    Ok(match person {
        None | Some(RegisteredPerson { phone: None, .. }) => CarrierVerdict::Unknown,
        Some(person)
            if person.real_name == query.real_name
                && person.phone.as_deref() == Some(phone.as_str()) =>
        {
            CarrierVerdict::Match
        }
        Some(_) => CarrierVerdict::Mismatch,
    })
}

/// Whether the registry holds a resident ID number (the local stack seeds it once).
pub async fn is_registered(
    db: &Db,
    table: &str,
    resident_id_number: &str,
) -> crate::store::StoreResult<bool> {
    let key = pk(person_key(db, IdType::ResidentId, resident_id_number));
    Ok(
        get_item(db, table, key, &["pk"], "local_identity_registry.get")
            .await?
            .is_some(),
    )
}
