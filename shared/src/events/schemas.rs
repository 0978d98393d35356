//! The JSON Schema (draft 2020-12) of each type and view: the CloudEvents envelope with its
//! attributes fixed to the type and view, and `data` holding exactly the view's fields
//! ([`super::views::fields`]), each with its JSON type, format or values; in a minimized view the
//! subject and every id of [`super::pseudonyms::ID_FIELDS`] are pseudonyms (32 hex digits) and
//! `time` is the start of a day. `docs/events/` holds
//! them as files (`<type>.<view>.schema.json`, written from here: the test below fails when they
//! differ, and writes them with `UPDATE_EVENT_SCHEMAS=1`); the end-to-end tests validate every
//! event the consumers receive against those files.

use serde_json::{Map, Value, json};
use strum::VariantArray;

use crate::domain::address::DeclarantType;
use crate::domain::house_link::LinkStatus;
use crate::domain::id_document::IdType;
use crate::domain::permit::ApplicationStatus;
use crate::domain::registration::{Channel, EndReason, RegistrationStatus};
use crate::domain::residence_permit::PermitStatus;
use crate::domain::resident::SexCode;

use super::catalog::EventType;
use super::envelope::{SCHEMA_BASE, SPEC_VERSION};
use super::pseudonyms::{ID_FIELDS, LENGTH};
use super::views::{View, fields};

/// The schema's file name under `docs/events/`.
pub fn file_name(event_type: EventType, view: View) -> String {
    format!("{}.{}.schema.json", event_type.as_ref(), view.as_ref())
}

/// The schema of `event_type` as `view`, or `None` when the type has no such view.
pub fn schema(event_type: EventType, view: View) -> Option<Value> {
    let fields = fields(event_type, view)?;
    let pseudonymous = !view.keeps_real_ids();
    let pseudonym = json!({ "type": "string", "pattern": format!("^[0-9a-f]{{{LENGTH}}}$") });
    let properties: Map<String, Value> = fields
        .iter()
        .map(|f| {
            let schema = if pseudonymous && ID_FIELDS.contains(f) {
                pseudonym.clone()
            } else {
                field(f)
            };
            ((*f).to_owned(), schema)
        })
        .collect();
    let (subject, subject_pattern, time) = if pseudonymous {
        (
            pseudonym.clone(),
            format!("[0-9a-f]{{{LENGTH}}}"),
            json!({ "type": "string", "format": "date-time", "pattern": "T16:00:00Z$",
                    "description": "The start of the commit's day, China time (16:00 UTC the day before)." }),
        )
    } else {
        (
            json!({ "type": "string", "minLength": 1 }),
            "[^/]+".to_owned(),
            json!({ "type": "string", "format": "date-time" }),
        )
    };
    let required: Vec<&str> = fields
        .iter()
        .copied()
        .filter(|f| ALWAYS_PRESENT.contains(f))
        .collect();
    let kind: &str = event_type.subject_kind().into();
    let type_name = event_type.wire_name();
    Some(json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("{SCHEMA_BASE}:{type_name}:{}", view.as_ref()),
        "title": format!("{type_name} ({} view)", view.as_ref()),
        "type": "object",
        "additionalProperties": false,
        "required": ["specversion", "id", "source", "type", "subject", "time", "datacontenttype",
            "dataschema", "sequence", "view", "consumer", "data"],
        "properties": {
            "specversion": { "const": SPEC_VERSION },
            "id": { "type": "string", "pattern": format!("^{kind}/{subject_pattern}/[0-9]{{12}}/{}$", view.as_ref()) },
            "source": { "const": format!("/residence-platform/{kind}") },
            "type": { "const": type_name },
            "subject": subject,
            "time": time,
            "datacontenttype": { "const": "application/json" },
            "dataschema": { "const": format!("{SCHEMA_BASE}:{type_name}:{}", view.as_ref()) },
            "sequence": { "type": "string", "pattern": "^[0-9]{12}$" },
            "view": { "const": view.as_ref() },
            "consumer": { "type": "string", "pattern": "^[a-z0-9-]+$" },
            "data": {
                "type": "object",
                "additionalProperties": false,
                "required": required,
                "properties": properties,
            },
        },
    }))
}

/// The facts every event of their kind carries.
const ALWAYS_PRESENT: &[&str] = &[
    "registration_id",
    "link_id",
    "application_id",
    "status",
    "basis",
    "street_code",
    "district_code",
];

fn names<T: VariantArray + Copy + Into<&'static str>>() -> Vec<&'static str> {
    T::VARIANTS.iter().map(|v| (*v).into()).collect()
}

fn text() -> Value {
    json!({ "type": "string", "minLength": 1 })
}

fn one_of(values: Vec<&'static str>) -> Value {
    json!({ "type": "string", "enum": values })
}

/// The schema of one fact.
fn field(name: &str) -> Value {
    let date = json!({ "type": "string", "format": "date" });
    match name {
        "status" => {
            let mut all = names::<RegistrationStatus>();
            // A unit's filing is published only once consented (`events::permits`): its
            // `awaiting_consent` and `expired` are never an event's status.
            all.extend(names::<ApplicationStatus>().into_iter().filter(|s| {
                ![
                    ApplicationStatus::AwaitingConsent.as_str(),
                    ApplicationStatus::Expired.as_str(),
                ]
                .contains(s)
            }));
            all.extend(names::<PermitStatus>());
            all.extend(names::<LinkStatus>());
            all.sort_unstable();
            all.dedup();
            one_of(all)
        }
        "end_reason" => one_of(names::<EndReason>()),
        "declarant_type" => one_of(names::<DeclarantType>()),
        "channel" => one_of(names::<Channel>()),
        "id_type" => one_of(names::<IdType>()),
        "sex" => one_of(names::<SexCode>()),
        "age_band" => one_of(vec![
            "0-13", "14-17", "18-29", "30-39", "40-49", "50-59", "60+",
        ]),
        "district_code" => json!({ "type": "string", "pattern": "^[0-9]{6}$" }),
        "street_code" => json!({ "type": "string", "pattern": "^[0-9]{9}$" }),
        "moved_in_on" | "moved_out_on" | "issued_on" | "next_anniversary" | "deregistered_on" => {
            date
        }
        "declared_at" | "applied_at" | "requested_at" | "decided_at" => {
            json!({ "type": "string", "format": "date-time" })
        }
        "late" | "filed_by_unit" | "manual_address" => json!({ "type": "boolean" }),
        "endorsements" => json!({ "type": "integer", "minimum": 0 }),
        "changed_fields" => json!({ "type": "array", "items": text(), "uniqueItems": true }),
        "changes" => json!({
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field"],
                "properties": { "field": text(), "from": {}, "to": {} },
                "additionalProperties": false,
            },
        }),
        "resident" | "delivery" | "card" | "cancellation" => json!({ "type": "object" }),
        _ => text(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    fn docs() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/events")
    }

    /// `docs/events/` is exactly the schemas of the types and views that exist.
    #[test]
    fn the_documented_schemas_are_the_generated_ones() {
        let update = std::env::var_os("UPDATE_EVENT_SCHEMAS").is_some();
        let mut expected = std::collections::BTreeSet::new();
        for event_type in EventType::iter() {
            for view in View::iter() {
                let Some(schema) = schema(event_type, view) else {
                    continue;
                };
                let path = docs().join(file_name(event_type, view));
                let text = serde_json::to_string_pretty(&schema).unwrap() + "\n";
                if update {
                    std::fs::create_dir_all(docs()).unwrap();
                    std::fs::write(&path, &text).unwrap();
                }
                let written = std::fs::read_to_string(&path).unwrap_or_default();
                assert_eq!(
                    written,
                    text,
                    "{} differs: UPDATE_EVENT_SCHEMAS=1 cargo test -p shared --lib schemas",
                    path.display()
                );
                expected.insert(file_name(event_type, view));
            }
        }
        let present: std::collections::BTreeSet<String> = std::fs::read_dir(docs())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".schema.json"))
            .collect();
        assert_eq!(present, expected, "docs/events/ holds a schema of no type");
    }

    #[test]
    fn data_admits_no_field_its_view_does_not_list() {
        let s = schema(EventType::RegistrationDeclared, View::Statistical).unwrap();
        let data = &s["properties"]["data"];
        assert_eq!(data["additionalProperties"], false);
        assert!(data["properties"].get("resident").is_none());
        assert!(data["properties"].get("age_band").is_some());
        assert!(schema(EventType::PermitIssued, View::Housing).is_none());
    }

    #[test]
    fn minimized_views_carry_pseudonyms_and_days_the_full_view_real_ids() {
        let stats = schema(EventType::RegistrationDeclared, View::Statistical).unwrap();
        let pattern = |s: &Value, at: &str| s.pointer(at).cloned().unwrap_or_default();
        assert_eq!(
            pattern(
                &stats,
                "/properties/data/properties/registration_id/pattern"
            ),
            "^[0-9a-f]{32}$"
        );
        assert_eq!(
            pattern(&stats, "/properties/subject/pattern"),
            "^[0-9a-f]{32}$"
        );
        assert_eq!(pattern(&stats, "/properties/time/pattern"), "T16:00:00Z$");
        let full = schema(EventType::RegistrationDeclared, View::Full).unwrap();
        assert_eq!(
            pattern(&full, "/properties/data/properties/registration_id/pattern"),
            Value::Null
        );
        assert_eq!(pattern(&full, "/properties/time/pattern"), Value::Null);
    }
}
