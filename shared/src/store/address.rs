//! The address table: reference data from district down to house (F11).
//!
//! | pk                            | sk                  | what                                         |
//! |-------------------------------|---------------------|----------------------------------------------|
//! | `STREETS`                     | `<street code>`     | a street with its district and area          |
//! | `BUILDING#<building code>`    | `BUILDING`          | a building ([`Building`])                    |
//! | `BUILDING#<building code>`    | `HOUSE#<house code>`| a house of it ([`House`]), in floor order    |
//! | `GRAM#<street code>#<pair>`   | `<building code>`   | name index: a building whose name has `pair` |
//!
//! Indexes: `buildings_by_street` (GSI: `gsi_street` + `building_code`, building items only) lists
//! a street's buildings and finds them by code prefix; `houses_by_room` (LSI: `room`) finds a
//! building's houses by room number. Name search reads the name index under the query's first
//! character pair and keeps the buildings whose name contains the whole query. Every read is a
//! Query or a GetItem: never a Scan.
//!
//! The ids of buildings and houses are their codes (stable public identifiers of the standard).

use std::sync::Arc;

use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use serde::{Deserialize, Serialize};

use super::Db;
use crate::domain::address::{
    BuildingCode, BuildingQuery, HouseCode, Room, StreetCode, name_grams, normalize_text,
};
use crate::domain::districts::{Districts, Street};

use super::error::StoreResult;
use super::item::{Item, from_item, pk_sk, s, to_item};
use super::keys::{BUILDING_SK, HOUSE_PREFIX, STREETS_PK, building_pk, gram_pk, house_sk};
use super::page::{Page, PageRequest, query_records};
use super::reads::query_all;
pub const BUILDINGS_BY_STREET: &str = "buildings_by_street";
pub const HOUSES_BY_ROOM: &str = "houses_by_room";

/// A building as stored and as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Building {
    pub building_id: String,
    pub building_code: String,
    pub name: String,
    pub address: String,
    pub street_code: String,
}

/// A house as stored and as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct House {
    pub house_id: String,
    pub house_code: String,
    pub building_id: String,
    pub room: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<i32>,
}

impl Building {
    pub fn new(code: &BuildingCode, name: &str, address: &str) -> Self {
        Self {
            building_id: code.as_str().to_owned(),
            building_code: code.as_str().to_owned(),
            name: name.to_owned(),
            address: address.to_owned(),
            street_code: code.street_code().as_str().to_owned(),
        }
    }
}

impl House {
    pub fn new(code: &HouseCode, room: &Room, floor: Option<i32>) -> Self {
        Self {
            house_id: code.as_str().to_owned(),
            house_code: code.as_str().to_owned(),
            building_id: code.building_code().as_str().to_owned(),
            room: room.as_str().to_owned(),
            floor,
        }
    }
}

/// The item of a street.
pub fn street_item(street: &Street) -> StoreResult<Item> {
    let mut item = to_item(street)?;
    item.extend(pk_sk(STREETS_PK, &street.street_code));
    Ok(item)
}

/// The building's item followed by its name-index items.
pub fn building_items(building: &Building) -> StoreResult<Vec<Item>> {
    let name_key = normalize_text(&building.name);
    let mut main = to_item(building)?;
    main.extend(pk_sk(building_pk(&building.building_code), BUILDING_SK));
    main.insert("name_key".into(), s(&name_key));
    main.insert("gsi_street".into(), s(&building.street_code));
    let mut items = vec![main];
    for key in gram_keys(building) {
        let mut item = to_item(building)?;
        item.extend(key);
        item.insert("name_key".into(), s(&name_key));
        items.push(item);
    }
    Ok(items)
}

/// The keys of a building's name-index items (to remove them when its name changes).
pub fn gram_keys(building: &Building) -> Vec<Item> {
    name_grams(&normalize_text(&building.name))
        .into_iter()
        .map(|gram| {
            pk_sk(
                gram_pk(&building.street_code, &gram),
                &building.building_code,
            )
        })
        .collect()
}

pub fn house_item(house: &House) -> StoreResult<Item> {
    let mut item = to_item(house)?;
    item.extend(pk_sk(
        building_pk(&house.building_id),
        house_sk(&house.house_code),
    ));
    Ok(item)
}

/// The key of a building's item.
pub fn building_key(code: &str) -> Item {
    super::keys::building_key(code)
}

/// The key of a house's item.
pub fn house_key(code: &HouseCode) -> Item {
    super::keys::house_key(code.building_code().as_str(), code.as_str())
}

// ------------------------------------------------------------------ districts and streets

/// The districts and streets, read once per instance (reference data changes only when the
/// operator reloads it; new instances see the change).
pub async fn districts(db: &Db) -> StoreResult<Arc<Districts>> {
    if let Some(cached) = db.reference.get() {
        return Ok(cached.clone());
    }
    let streets = query_all("address.streets", || {
        db.client
            .query()
            .table_name(&db.tables.address)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", s(STREETS_PK))
    })
    .await?
    .into_iter()
    .map(from_item::<Street>)
    .collect::<StoreResult<Vec<_>>>()?;
    let districts = Arc::new(Districts::from_streets(streets));
    if districts.districts.is_empty() {
        // Not loaded yet: do not keep an empty answer for the instance's lifetime.
        return Ok(districts);
    }
    Ok(db
        .reference
        .get_or_init(|| async { districts })
        .await
        .clone())
}

// ------------------------------------------------------------------ reads

pub async fn get_building(db: &Db, code: &BuildingCode) -> StoreResult<Option<Building>> {
    get(db, building_key(code.as_str()), "address.get_building").await
}

pub async fn get_house(db: &Db, code: &HouseCode) -> StoreResult<Option<House>> {
    get(db, house_key(code), "address.get_house").await
}

/// One item of the address table (reference data: an eventually consistent read is enough).
async fn get<T: serde::de::DeserializeOwned>(
    db: &Db,
    key: Item,
    operation: &'static str,
) -> StoreResult<Option<T>> {
    let output = db
        .client
        .get_item()
        .table_name(&db.tables.address)
        .set_key(Some(key))
        .send()
        .await
        .map_err(|e| super::error::unavailable(operation, e))?;
    output.item.map(from_item).transpose()
}

/// The buildings of a street that match the query, a page at a time.
pub async fn search_buildings(
    db: &Db,
    street: &StreetCode,
    query: &BuildingQuery,
    page: &PageRequest,
) -> StoreResult<Page<Building>> {
    let table = &db.tables.address;
    let by_street = || {
        db.client
            .query()
            .table_name(table)
            .index_name(BUILDINGS_BY_STREET)
            .expression_attribute_values(":street", s(street.as_str()))
    };
    let builder: Box<dyn Fn() -> QueryFluentBuilder + Send + Sync> = match query {
        BuildingQuery::All => {
            Box::new(move || by_street().key_condition_expression("gsi_street = :street"))
        }
        BuildingQuery::CodePrefix(prefix) => {
            if !prefix.starts_with(street.as_str()) && !street.as_str().starts_with(prefix.as_str())
            {
                return Ok(Page {
                    items: Vec::new(),
                    next: None,
                    read_units: 0.0,
                });
            }
            let prefix = prefix.clone();
            Box::new(move || {
                by_street()
                    .key_condition_expression(
                        "gsi_street = :street AND begins_with(building_code, :prefix)",
                    )
                    .expression_attribute_values(":prefix", s(prefix.clone()))
            })
        }
        BuildingQuery::NamePart(part) => {
            let grams = name_grams(part);
            match grams.iter().next() {
                // One character: the street's buildings whose name has it.
                None => {
                    let part = part.clone();
                    Box::new(move || {
                        by_street()
                            .key_condition_expression("gsi_street = :street")
                            .filter_expression("contains(name_key, :part)")
                            .expression_attribute_values(":part", s(part.clone()))
                    })
                }
                Some(_) => {
                    // The query's first pair, where names differ most (estates and towers share their
                    // endings: "garden", "mansion").
                    let first: String = part.chars().take(2).collect();
                    let pk = gram_pk(street.as_str(), &first);
                    let part = part.clone();
                    Box::new(move || {
                        let query = db
                            .client
                            .query()
                            .table_name(table)
                            .key_condition_expression("pk = :pk")
                            .expression_attribute_values(":pk", s(pk.clone()));
                        if part.chars().count() > 2 {
                            query
                                .filter_expression("contains(name_key, :part)")
                                .expression_attribute_values(":part", s(part.clone()))
                        } else {
                            query
                        }
                    })
                }
            }
        }
    };
    query_records(page, "address.search_buildings", builder).await
}

/// The houses of a building whose room number starts with `room` (every house when empty), in
/// floor order when listing all.
pub async fn houses(
    db: &Db,
    building: &BuildingCode,
    room: &Room,
    page: &PageRequest,
) -> StoreResult<Page<House>> {
    let table = &db.tables.address;
    let pk = building_pk(building.as_str());
    let room = room.as_str().to_owned();
    query_records(page, "address.houses", move || {
        let query = db
            .client
            .query()
            .table_name(table)
            .expression_attribute_values(":pk", s(pk.clone()));
        if room.is_empty() {
            query
                .key_condition_expression("pk = :pk AND begins_with(sk, :house)")
                .expression_attribute_values(":house", s(HOUSE_PREFIX))
        } else {
            query
                .index_name(HOUSES_BY_ROOM)
                .key_condition_expression("pk = :pk AND begins_with(room, :room)")
                .expression_attribute_values(":room", s(room.clone()))
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn building_items_carry_the_name_index() {
        let code = BuildingCode::parse("4403030010010100001").unwrap();
        let building = Building::new(&code, "Cuizhu Garden 3", "8 Cuizhu Road");
        let items = building_items(&building).unwrap();
        let grams = name_grams(&normalize_text(&building.name)).len();
        assert!(grams > 1);
        assert_eq!(items.len(), 1 + grams);
        assert_eq!(items[0]["gsi_street"], s("440303001"));
        assert!(items[1..].iter().all(|i| !i.contains_key("gsi_street")));
        assert_eq!(items[1]["sk"], s(code.as_str()));
    }
}
