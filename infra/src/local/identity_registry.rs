//! LOCAL ONLY: the local identity registry, the stand-in for the real-name verification service
//! (see `shared::identity::local_registry`): its table (created by the local stack, never by the
//! template), a generator of people for it, and loading them from CSV
//! (`real_name,id_type,id_number,phone`). `make run` seeds [`LOCAL_IDENTITY_SET`].

use std::path::Path;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use shared::AppContext;
use shared::domain::account::RealName;
use shared::domain::id_document::{IdDocument, IdType};
use shared::domain::phone::PhoneNumber;
use shared::identity::local_registry::RegisteredPerson;

use crate::template::TableDef;

/// The table of the local registry (locally, tables are named by logical id).
pub const LOCAL_IDENTITY_REGISTRY: &str = "LocalIdentityRegistry";

/// The people `make run` puts in the registry: the same every time
/// (`rpctl identity generate --count 1000 --seed 2026` prints them).
pub const LOCAL_IDENTITY_SET: (usize, u64) = (1000, 2026);

/// One person: what the registry holds of them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Person {
    pub real_name: String,
    pub id_type: String,
    pub id_number: String,
    /// The phone registered in their name; empty when unknown.
    pub phone: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("{path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{0} rows refused, nothing loaded; first: line {1}: {2}")]
    Rows(usize, u64, String),
    #[error(transparent)]
    Table(#[from] crate::local::tables::TableError),
    #[error(transparent)]
    Batch(#[from] crate::operator::batch::BatchError),
}

/// Creates the registry's table unless it exists.
pub async fn create_table(ctx: &AppContext) -> Result<bool, RegistryError> {
    let def = TableDef {
        logical_id: LOCAL_IDENTITY_REGISTRY.to_owned(),
        properties: json!({
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        }),
    };
    Ok(crate::local::tables::create_table(&ctx.db.client, &def, LOCAL_IDENTITY_REGISTRY).await?)
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "邓", "冯", "韩", "曹", "曾", "彭", "萧",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "华", "慧", "建国", "晓东", "嘉怡", "子轩", "雨涵", "浩然", "思远", "梓萱",
];
/// Where the generated people were born (the first six digits of their ID numbers).
const AREAS: &[&str] = &[
    "440304", "440305", "440306", "441402", "445102", "430102", "360102", "450102", "510104",
    "420102",
];

/// `count` people with valid resident ID numbers (GB 11643) and mobile numbers, the same for the
/// same seed.
pub fn generate(count: usize, seed: u64) -> Vec<Person> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..count)
        .map(|i| {
            let surname = SURNAMES[rng.random_range(0..SURNAMES.len())];
            let given = GIVEN[rng.random_range(0..GIVEN.len())];
            let area = AREAS[rng.random_range(0..AREAS.len())];
            let year = rng.random_range(1960..2005);
            let month = rng.random_range(1..=12);
            let day = rng.random_range(1..=28);
            // The sequence keeps numbers of one seed apart.
            let sequence = i % 1000;
            let first17 = format!("{area}{year:04}{month:02}{day:02}{sequence:03}");
            let check = shared::domain::id_number::check_char(first17.as_bytes()) as char;
            Person {
                real_name: format!("{surname}{given}"),
                id_type: IdType::ResidentId.as_str().to_owned(),
                id_number: format!("{first17}{check}"),
                // Every other person's phone is unknown to the registry (the real service, too,
                // can tell a phone's real-name registration only for some carriers).
                phone: match i % 2 {
                    0 => format!(
                        "1{}{:09}",
                        rng.random_range(3..=9),
                        rng.random_range(0..1_000_000_000u64)
                    ),
                    _ => String::new(),
                },
            }
        })
        .collect()
}

/// Writes people as CSV.
pub fn write_csv(people: &[Person], out: impl std::io::Write) -> csv::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    for person in people {
        writer.serialize(person)?;
    }
    writer.flush()?;
    Ok(())
}

/// Reads and checks every row of a CSV file; any refused row refuses the file (with its line).
pub fn read_csv(path: &Path) -> Result<Vec<Person>, RegistryError> {
    let file = std::fs::File::open(path).map_err(|source| RegistryError::Read {
        path: path.display().to_string(),
        source,
    })?;
    let mut reader = csv::Reader::from_reader(file);
    let mut people = Vec::new();
    let mut refused: Vec<(u64, String)> = Vec::new();
    for row in reader.deserialize::<Person>() {
        match row {
            Ok(person) => match check(&person) {
                Ok(()) => people.push(person),
                Err(reason) => {
                    refused.push((people.len() as u64 + refused.len() as u64 + 2, reason))
                }
            },
            Err(error) => {
                let line = error.position().map_or(0, |p| p.line());
                refused.push((line, error.to_string()));
            }
        }
    }
    if let Some((line, reason)) = refused.first() {
        return Err(RegistryError::Rows(refused.len(), *line, reason.clone()));
    }
    Ok(people)
}

fn check(person: &Person) -> Result<(), String> {
    RealName::parse(&person.real_name).map_err(|e| format!("real_name: {}", e.message))?;
    let id_type = IdType::parse(&person.id_type).map_err(|e| format!("id_type: {}", e.message))?;
    IdDocument::parse(id_type, &person.id_number)
        .map_err(|e| format!("id_number: {}", e.message))?;
    if !person.phone.is_empty() {
        PhoneNumber::parse(&person.phone).map_err(|e| format!("phone: {}", e.message))?;
    }
    Ok(())
}

/// The local photo studio's receipt of a person's photo (a generated portrait, the same for the
/// same ID document): its 图像号 and the item that holds it.
fn photo_of(
    ctx: &AppContext,
    id_type: IdType,
    id_number: &str,
) -> Result<(String, shared::store::Item), RegistryError> {
    let seed = photo_seed(id_type, id_number);
    let receipt_no = crate::local::portraits::receipt_no(seed);
    let photo = shared::identity::local_photo_studio::StudioPhoto::new(
        &ctx.db,
        &receipt_no,
        id_type,
        id_number,
        &crate::local::portraits::portrait(seed),
    );
    let item = shared::store::to_item(&photo).map_err(crate::operator::batch::BatchError::from)?;
    Ok((receipt_no, item))
}

/// Has the local photo studio take a person's photo (again: the same photo, the same number);
/// returns its 图像号.
pub async fn take_photo(
    ctx: &AppContext,
    id_type: IdType,
    id_number: &str,
) -> Result<String, RegistryError> {
    let (receipt_no, item) = photo_of(ctx, id_type, id_number)?;
    crate::operator::batch::put_all(&ctx.db.client, LOCAL_IDENTITY_REGISTRY, vec![item]).await?;
    Ok(receipt_no)
}

/// The 图像号 of the photo the local studio keeps for a person (`make run` takes one of every
/// person it seeds).
pub fn photo_receipt_no(id_type: IdType, id_number: &str) -> String {
    crate::local::portraits::receipt_no(photo_seed(id_type, id_number))
}

/// The portrait the local studio keeps for a person (what their permit must show).
pub fn portrait_of(id_type: IdType, id_number: &str) -> Vec<u8> {
    crate::local::portraits::portrait(photo_seed(id_type, id_number))
}

/// The seed of a person's portrait and receipt number: drawn from their ID document.
fn photo_seed(id_type: IdType, id_number: &str) -> u64 {
    let digest = shared::crypto::derived_key(b"local-photo-studio", id_type.as_str(), &[id_number]);
    u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"))
}

/// Puts people into the registry (overwriting the same ID documents), each with a photo at the
/// local studio. Returns how many.
pub async fn load(ctx: &AppContext, people: &[Person]) -> Result<usize, RegistryError> {
    let mut items = Vec::with_capacity(2 * people.len());
    for person in people {
        let id_type = IdType::parse(&person.id_type).unwrap_or(IdType::ResidentId);
        items.push(photo_of(ctx, id_type, &person.id_number)?.1);
        let phone = (!person.phone.is_empty()).then_some(person.phone.as_str());
        let record = RegisteredPerson::new(
            &ctx.db,
            id_type,
            &person.id_number,
            &person.real_name,
            phone,
        );
        items.push(
            shared::store::to_item(&record).map_err(crate::operator::batch::BatchError::from)?,
        );
    }
    crate::operator::batch::put_all(&ctx.db.client, LOCAL_IDENTITY_REGISTRY, items).await?;
    Ok(people.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_people_are_valid_and_the_same_for_a_seed() {
        let people = generate(200, 7);
        assert_eq!(people, generate(200, 7));
        assert_ne!(people, generate(200, 8));
        for person in &people {
            check(person).unwrap();
        }
    }

    #[test]
    fn a_file_with_a_bad_row_is_refused_whole_with_the_line() {
        let dir = std::env::temp_dir().join(format!("registry-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("people.csv");
        let mut people = generate(3, 1);
        people[1].id_number = "440304199001011230".into();
        write_csv(&people, std::fs::File::create(&path).unwrap()).unwrap();
        let error = read_csv(&path).unwrap_err().to_string();
        assert!(error.contains("line 3"), "{error}");
        people[1] = generate(3, 1)[1].clone();
        write_csv(&people, std::fs::File::create(&path).unwrap()).unwrap();
        assert_eq!(read_csv(&path).unwrap(), people);
    }
}
