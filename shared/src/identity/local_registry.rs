//! LOCAL ONLY: the local identity registry, a stand-in for the national real-name verification
//! service, so that the local stack and the tests can verify identities without it. It answers
//! from a DynamoDB table that only the local stack creates (`rpctl identity load` fills it; `make
//! run` seeds it with generated residents); the deployed template never names it. People are keyed
//! by the keyed hash of their ID document, as everywhere else.

use serde::{Deserialize, Serialize};

use crate::context::AppContext;
use crate::domain::id_document::IdType;
use crate::domain::identity::{IdentityMatch, PhoneMatch, Verdict};
use crate::store::item::{from_item, pk};
use crate::store::keys::person_key;
use crate::store::reads::get_item;

use super::{IdentityQuery, IdentityServiceError};

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
        ctx: &AppContext,
        id_type: IdType,
        id_number: &str,
        real_name: &str,
        phone: Option<&str>,
    ) -> Self {
        Self {
            pk: person_key(ctx, id_type, id_number),
            real_name: real_name.to_owned(),
            phone: phone.map(str::to_owned),
        }
    }
}

pub async fn verify(
    ctx: &AppContext,
    table: &str,
    query: &IdentityQuery<'_>,
) -> Result<Verdict, IdentityServiceError> {
    let key = pk(person_key(ctx, query.id_type, query.id_number));
    let item = get_item(ctx, table, key, &[], "local_identity_registry.get")
        .await
        .map_err(|e| IdentityServiceError::Unavailable(e.to_string()))?;
    let Some(item) = item else {
        return Ok(Verdict {
            identity: IdentityMatch::NotFound,
            phone: PhoneMatch::Unknown,
        });
    };
    let person: RegisteredPerson =
        from_item(item).map_err(|e| IdentityServiceError::Unavailable(e.to_string()))?;
    Ok(Verdict {
        identity: if person.real_name == query.real_name {
            IdentityMatch::Match
        } else {
            IdentityMatch::Mismatch
        },
        phone: match person.phone {
            None => PhoneMatch::Unknown,
            Some(phone) if phone == query.phone.as_str() => PhoneMatch::Match,
            Some(_) => PhoneMatch::Mismatch,
        },
    })
}

/// Whether the registry holds a resident ID number (the local stack seeds it once).
pub async fn is_registered(
    ctx: &AppContext,
    table: &str,
    resident_id_number: &str,
) -> crate::store::StoreResult<bool> {
    let key = pk(person_key(ctx, IdType::ResidentId, resident_id_number));
    Ok(
        get_item(ctx, table, key, &["pk"], "local_identity_registry.get")
            .await?
            .is_some(),
    )
}
