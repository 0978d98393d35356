//! A record of a table's stream → its domain event: which table the stream is of, which kind of
//! item the record is, and that kind's translator. Items of no kind that makes events (the
//! registrations table's history, presence, pointer and receipt items; the permits table's
//! claims, pointers and histories) are no event.

use serde::de::DeserializeOwned;
use serde_dynamo::{AttributeValue, Item};

use crate::config::Tables;
use crate::store::house_links::LinkRecord;
use crate::store::permits::{ApplicationRecord, PermitRecord, is_application_key, is_permit_key};

use super::event::{Change, DomainEvent, TranslateError};
use super::{house_links, permits, registrations};

/// The tables whose streams the publisher reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceTable {
    Registrations,
    Permits,
    /// For its house links only.
    Accounts,
}

impl SourceTable {
    /// The table a stream is of, from the stream's ARN
    /// (`arn:<partition>:dynamodb:<region>:<account>:table/<name>/stream/<label>`) and the
    /// configured table names.
    pub fn of_stream(stream_arn: &str, tables: &Tables) -> Option<Self> {
        let name = stream_arn.split_once(":table/")?.1.split('/').next()?;
        match name {
            n if n == tables.registrations => Some(Self::Registrations),
            n if n == tables.permits => Some(Self::Permits),
            n if n == tables.accounts => Some(Self::Accounts),
            _ => None,
        }
    }
}

/// The event of one record (the item before and after its write), if its kind makes one.
pub fn translate(
    table: SourceTable,
    change: &Change<Item>,
) -> Result<Option<DomainEvent>, TranslateError> {
    let Some(image) = change.new.as_ref().or(change.old.as_ref()) else {
        return Ok(None);
    };
    match table {
        SourceTable::Registrations => match text(image, "kind") {
            Some(registrations::KIND) => registrations::translate(&read(change)?),
            _ => Ok(None),
        },
        SourceTable::Permits => {
            let (pk, sk) = (
                text(image, "pk").unwrap_or(""),
                text(image, "sk").unwrap_or(""),
            );
            if is_application_key(pk, sk) {
                permits::application(&read::<ApplicationRecord>(change)?)
            } else if is_permit_key(pk, sk) {
                permits::permit(&read::<PermitRecord>(change)?)
            } else {
                Ok(None)
            }
        }
        SourceTable::Accounts => {
            let (pk, sk) = (
                text(image, "pk").unwrap_or(""),
                text(image, "sk").unwrap_or(""),
            );
            match house_links::is_link_key(pk, sk) {
                true => house_links::translate(&read::<LinkRecord>(change)?),
                false => Ok(None),
            }
        }
    }
}

fn text<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    match item.get(name) {
        Some(AttributeValue::S(value)) => Some(value),
        _ => None,
    }
}

/// Both images as their kind's record. The error names the kind only: a serde message could
/// quote a value (a name, an ID number) and errors are logged and dead-lettered.
fn read<T: DeserializeOwned>(change: &Change<Item>) -> Result<Change<T>, TranslateError> {
    let one = |image: &Option<Item>| -> Result<Option<T>, TranslateError> {
        image
            .clone()
            .map(serde_dynamo::from_item)
            .transpose()
            .map_err(|_| {
                TranslateError(format!(
                    "an item that does not read as a {}",
                    std::any::type_name::<T>()
                        .rsplit("::")
                        .next()
                        .unwrap_or("record")
                ))
            })
    };
    Ok(Change {
        old: one(&change.old)?,
        new: one(&change.new)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables() -> Tables {
        crate::config::for_tests(&[]).tables
    }

    fn item(pairs: &[(&str, &str)]) -> Item {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), AttributeValue::S(v.to_string())))
            .collect::<std::collections::HashMap<_, _>>()
            .into()
    }

    #[test]
    fn the_table_is_read_from_the_stream_arn() {
        let t = tables();
        let arn = |name: &str| {
            format!("arn:aws:dynamodb:ap-east-1:1:table/{name}/stream/2026-12-02T00:00:00.000")
        };
        assert_eq!(
            SourceTable::of_stream(&arn(&t.registrations), &t),
            Some(SourceTable::Registrations)
        );
        assert_eq!(
            SourceTable::of_stream(&arn(&t.permits), &t),
            Some(SourceTable::Permits)
        );
        assert_eq!(
            SourceTable::of_stream(&arn(&t.accounts), &t),
            Some(SourceTable::Accounts)
        );
        assert_eq!(SourceTable::of_stream(&arn(&t.address), &t), None);
        assert_eq!(SourceTable::of_stream("not an arn", &t), None);
    }

    #[test]
    fn kinds_that_make_no_event_are_skipped_and_unreadable_items_named_without_values() {
        let presence = Change {
            old: None,
            new: Some(item(&[("kind", "presence"), ("pk", "HOUSE#1")])),
        };
        assert!(
            translate(SourceTable::Registrations, &presence)
                .unwrap()
                .is_none()
        );
        let claim = Change {
            old: None,
            new: Some(item(&[("pk", "PERSON#x"), ("sk", "OPEN_APPLICATION")])),
        };
        assert!(translate(SourceTable::Permits, &claim).unwrap().is_none());
        let broken = Change {
            old: None,
            new: Some(item(&[
                ("kind", "registration"),
                ("resident", "张三 440301199001011234"),
            ])),
        };
        let error = translate(SourceTable::Registrations, &broken)
            .err()
            .expect("an unreadable registration is an error");
        assert_eq!(
            error.0,
            "an item that does not read as a RegistrationRecord"
        );
    }
}
