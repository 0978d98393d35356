//! Pseudonymous ids per consumer (issue 28): the minimized views carry no id that two consumers
//! share. Each consumer of a minimized view receives every id of a registration, a house link or
//! an application (and its permit) as its own pseudonym: a keyed hash of (consumer, its
//! pseudonym epoch, the id) with the platform's hash key. A consumer sees the same pseudonym for
//! the same object in every event (it can follow a registration from declaration to
//! deregistration, an application to its permit), and two consumers see unrelated ones (the
//! housing agency's house and room cannot be joined with the statistics' age band and sex).
//!
//! The `full` view keeps the real ids: its consumer (the public security organs' population
//! system, which keeps the registration register) receives the person's name and ID number
//! anyway, and must be able to name the registration, the receipt and the application in its
//! own work with the platform and the resident.
//!
//! Only the platform holds the key: it can answer, for an agency with a legal basis to
//! re-identify, which object a pseudonym names (docs/events.md, "Pseudonymous ids").

use serde_json::Value;

use crate::crypto::keyed_hash;

use super::consumers::Consumer;
use super::views::View;

/// The fields of the minimized views that name a registration, a house link or an application
/// (the permit is named by its application): pseudonymized per consumer.
pub const ID_FIELDS: &[&str] = &["registration_id", "link_id", "application_id"];

/// Ids the minimized views carry that name a place, not a person or their records: kept as they
/// are (housing rental management follows houses; a house's code is public, on its door plate).
pub const PLACE_FIELDS: &[&str] = &["house_id", "building_id"];

/// The hash key's domain of pseudonyms.
const DOMAIN: &str = "event-pseudonym";

/// Hex digits of a pseudonym (128 bits).
pub const LENGTH: usize = 32;

/// `id` as `consumer` receives it: stable for the consumer (and its epoch), unrelated across
/// consumers, meaningless without the key.
pub fn pseudonym(key: &[u8], consumer: &Consumer, id: &str) -> String {
    let epoch = consumer.pseudonym_epoch.to_string();
    let mut hash = keyed_hash(key, DOMAIN, &[&consumer.id, &epoch, id]);
    hash.truncate(LENGTH);
    hash
}

/// `id` as `consumer` receives it in `view`: itself in the full view, its pseudonym in a
/// minimized one.
pub fn as_received(key: &[u8], consumer: &Consumer, view: View, id: &str) -> String {
    if view.keeps_real_ids() {
        id.to_owned()
    } else {
        pseudonym(key, consumer, id)
    }
}

/// Replaces each id of [`ID_FIELDS`] in `data` (a minimized view's data) by its pseudonym.
pub fn pseudonymize(key: &[u8], consumer: &Consumer, data: &mut Value) {
    for field in ID_FIELDS {
        if let Some(Value::String(id)) = data.get_mut(*field) {
            *id = pseudonym(key, consumer, id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::catalog::EventType;
    use crate::events::views::fields;
    use serde_json::json;
    use strum::IntoEnumIterator;

    fn consumer(id: &str, epoch: u32) -> Consumer {
        Consumer {
            id: id.into(),
            name: "n".into(),
            basis: "b".into(),
            pseudonym_epoch: epoch,
            receives: Vec::new(),
        }
    }

    #[test]
    fn a_pseudonym_is_stable_per_consumer_and_differs_across_consumers_and_epochs() {
        let key = b"k";
        let (a, b) = (consumer("a", 1), consumer("b", 1));
        let id = "0193a5c4-7e2b-7c41-9d1e-5b8f2a6c3d10";
        assert_eq!(pseudonym(key, &a, id), pseudonym(key, &a, id));
        assert_ne!(pseudonym(key, &a, id), pseudonym(key, &b, id));
        assert_ne!(
            pseudonym(key, &a, id),
            pseudonym(key, &consumer("a", 2), id)
        );
        assert_ne!(pseudonym(key, &a, id), pseudonym(b"other", &a, id));
        let p = pseudonym(key, &a, id);
        assert_eq!(p.len(), LENGTH);
        assert!(p.bytes().all(|c| c.is_ascii_hexdigit()) && !p.contains(id));
    }

    #[test]
    fn every_id_field_is_pseudonymized_and_nothing_else() {
        let a = consumer("a", 1);
        let mut data = json!({"registration_id": "r1", "link_id": "l1", "application_id": "p1",
                              "house_id": "h1", "status": "current"});
        pseudonymize(b"k", &a, &mut data);
        for field in ID_FIELDS {
            assert_eq!(data[field], pseudonym(b"k", &a, data_id(field)), "{field}");
        }
        assert_eq!(
            (data["house_id"].as_str(), data["status"].as_str()),
            (Some("h1"), Some("current"))
        );
    }

    fn data_id(field: &str) -> &'static str {
        match field {
            "registration_id" => "r1",
            "link_id" => "l1",
            _ => "p1",
        }
    }

    /// A new id field in a minimized view must be classified: pseudonymized, or a place.
    #[test]
    fn every_id_a_minimized_view_carries_is_pseudonymized_or_a_place() {
        for event_type in EventType::iter() {
            for view in View::iter().filter(|v| !v.keeps_real_ids()) {
                for field in fields(event_type, view).unwrap_or_default() {
                    if field.ends_with("_id") {
                        assert!(
                            ID_FIELDS.contains(&field) || PLACE_FIELDS.contains(&field),
                            "{event_type:?} {view:?}: {field} is neither pseudonymized nor a place"
                        );
                    }
                }
            }
        }
    }
}
