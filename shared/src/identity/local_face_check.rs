//! LOCAL ONLY: the stand-in for the face check service (人脸核验), so that the local stack and the
//! tests can verify identities by face without it. Its checks live in the local identity
//! registry's table (`FACECHECK#<check id>`), which only the local stack creates.
//!
//! The real service's SDK takes a live face in the app; here [`present_face`] stands for it: it
//! says whose face (the keyed hash of that person's ID document) was shown, and whether it was
//! live. A check passes when a live face was shown and it is the face of the person the check
//! was opened for, whom the registry knows by that name (as the real service compares the face
//! with that document's photo). `rpctl identity present-face` calls it for `make run`.

use serde::{Deserialize, Serialize};

use crate::domain::id_document::IdType;
use crate::domain::identity::FaceVerdict;
use crate::store::Db;
use crate::store::item::{from_item, pk, s, to_item};
use crate::store::keys::person_key;
use crate::store::reads::get_item;
use crate::store::update::ItemUpdate;

use super::port::{FaceCheckStarted, IdentityQuery, IdentityServiceError};

/// How long a check can be completed, as the real service answers.
pub const EXPIRES_IN_SECONDS: u64 = 600;

/// A face check as the stand-in keeps it.
#[derive(Serialize, Deserialize)]
struct FaceCheck {
    pk: String,
    /// Whose document's photo the face is compared with (keyed hash of the document).
    person: String,
    /// The name the check was opened with.
    real_name: String,
    /// Whose face was shown, once it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    presented: Option<String>,
    #[serde(default)]
    live: bool,
    expires_at: i64,
}

fn check_pk(check_id: &str) -> String {
    format!("FACECHECK#{check_id}")
}

fn unavailable(error: impl ToString) -> IdentityServiceError {
    IdentityServiceError::Unavailable(error.to_string())
}

pub async fn start(
    db: &Db,
    table: &str,
    query: &IdentityQuery<'_>,
) -> Result<FaceCheckStarted, IdentityServiceError> {
    let check_id = uuid::Uuid::new_v4().simple().to_string();
    let check = FaceCheck {
        pk: check_pk(&check_id),
        person: person_key(db, query.id_type, query.id_number),
        real_name: query.real_name.to_owned(),
        presented: None,
        live: false,
        expires_at: crate::clock::epoch_seconds() + EXPIRES_IN_SECONDS as i64,
    };
    db.client
        .put_item()
        .table_name(table)
        .set_item(Some(to_item(&check).map_err(unavailable)?))
        .send()
        .await
        .map_err(unavailable)?;
    Ok(FaceCheckStarted {
        check_id,
        expires_in: EXPIRES_IN_SECONDS,
    })
}

pub async fn result(
    db: &Db,
    table: &str,
    check_id: &str,
) -> Result<FaceVerdict, IdentityServiceError> {
    let item = get_item(
        db,
        table,
        pk(check_pk(check_id)),
        &[],
        "local_face_check.get",
    )
    .await
    .map_err(unavailable)?;
    let Some(check) = item
        .map(from_item::<FaceCheck>)
        .transpose()
        .map_err(unavailable)?
    else {
        return Ok(FaceVerdict::Failed);
    };
    if check.expires_at < crate::clock::epoch_seconds() {
        return Ok(FaceVerdict::Failed);
    }
    let Some(presented) = check.presented else {
        return Ok(FaceVerdict::Pending);
    };
    let known = super::local_registry::person_by_key(db, table, check.person.clone())
        .await?
        .is_some_and(|person| person.real_name == check.real_name);
    Ok(if check.live && known && presented == check.person {
        FaceVerdict::Passed
    } else {
        FaceVerdict::Failed
    })
}

/// LOCAL ONLY, what the service's SDK does in the app: the face of the person of this ID
/// document was shown to check `check_id` (`live`: a live person, not a photo). `false` when
/// there is no such check.
pub async fn present_face(
    db: &Db,
    table: &str,
    check_id: &str,
    id_type: IdType,
    id_number: &str,
    live: bool,
) -> crate::store::StoreResult<bool> {
    ItemUpdate::new(table, pk(check_pk(check_id)))
        .set("presented", s(person_key(db, id_type, id_number)))
        .set("live", aws_sdk_dynamodb::types::AttributeValue::Bool(live))
        .condition("attribute_exists(pk)", Vec::new())
        .apply_if(db, "local_face_check.present")
        .await
}
