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

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use serde::{Deserialize, Serialize};

use super::paged_query::query_records;
use crate::context::AppContext;
use crate::domain::address::{
    BuildingCode, BuildingQuery, HouseCode, Room, StreetCode, name_grams, normalize_text,
};
use crate::error::ApiError;
use crate::http::pagination::{Page, PageRequest};

use super::{Item, from_item, pk_sk, s, to_item, unavailable};

pub const STREETS_PK: &str = "STREETS";
pub const BUILDING_SK: &str = "BUILDING";
pub const BUILDINGS_BY_STREET: &str = "buildings_by_street";
pub const HOUSES_BY_ROOM: &str = "houses_by_room";

/// One street (街道) with its district (区) and the management area a citizen sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Street {
    pub street_code: String,
    pub street_name: String,
    pub district_code: String,
    pub district_name: String,
    pub area_name: String,
}

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

pub fn building_pk(code: &str) -> String {
    format!("BUILDING#{code}")
}

pub fn house_sk(code: &str) -> String {
    format!("HOUSE#{code}")
}

fn gram_pk(street_code: &str, gram: &str) -> String {
    format!("GRAM#{street_code}#{gram}")
}

/// The item of a street.
pub fn street_item(street: &Street) -> Item {
    let mut item = to_item(street);
    item.extend(pk_sk(STREETS_PK, &street.street_code));
    item
}

/// The building's item followed by its name-index items.
pub fn building_items(building: &Building) -> Vec<Item> {
    let name_key = normalize_text(&building.name);
    let mut main = to_item(building);
    main.extend(pk_sk(building_pk(&building.building_code), BUILDING_SK));
    main.insert("name_key".into(), s(&name_key));
    main.insert("gsi_street".into(), s(&building.street_code));
    let mut items = vec![main];
    for key in gram_keys(building) {
        let mut item = to_item(building);
        item.extend(key);
        item.insert("name_key".into(), s(&name_key));
        items.push(item);
    }
    items
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

pub fn house_item(house: &House) -> Item {
    let mut item = to_item(house);
    item.extend(pk_sk(
        building_pk(&house.building_id),
        house_sk(&house.house_code),
    ));
    item
}

/// The key of a building's item.
pub fn building_key(code: &str) -> Item {
    pk_sk(building_pk(code), BUILDING_SK)
}

/// The key of a house's item.
pub fn house_key(code: &HouseCode) -> Item {
    pk_sk(
        building_pk(code.building_code().as_str()),
        house_sk(code.as_str()),
    )
}

// ------------------------------------------------------------------ districts and streets

/// Functional areas (功能区) that citizens see as districts but that have no code of their own in
/// the national divisions: their code here is the district code their streets carry plus a suffix.
const FUNCTIONAL_AREA_CODES: [(&str, &str); 1] = [("大鹏新区", "440307-DP")];

/// The code of the area a street is shown under.
pub fn area_code(street: &Street) -> Option<String> {
    if street.area_name == street.district_name {
        return Some(street.district_code.clone());
    }
    FUNCTIONAL_AREA_CODES
        .iter()
        .find(|(name, _)| *name == street.area_name)
        .map(|(_, code)| (*code).to_owned())
}

#[derive(Debug, Clone, Serialize)]
pub struct StreetView {
    pub code: String,
    pub name: String,
}

/// A district as citizens see it (大鹏新区 included as its own area).
#[derive(Debug, Clone, Serialize)]
pub struct District {
    pub code: String,
    pub name: String,
    /// The national division code its streets carry (440307 for both 龙岗区 and 大鹏新区).
    pub division_code: String,
    pub streets: Vec<StreetView>,
}

/// All districts and streets, and which area each street belongs to.
#[derive(Debug, Clone, Default)]
pub struct Districts {
    pub districts: Vec<District>,
    street_area: HashMap<String, usize>,
}

impl Districts {
    pub fn from_streets(mut streets: Vec<Street>) -> Self {
        streets.sort_by(|a, b| a.street_code.cmp(&b.street_code));
        let mut out = Self::default();
        let mut by_code: BTreeMap<String, usize> = BTreeMap::new();
        for street in streets {
            let Some(code) = area_code(&street) else {
                tracing::warn!(area = %street.area_name, "street of an area without a code: left out");
                continue;
            };
            let index = *by_code.entry(code.clone()).or_insert_with(|| {
                out.districts.push(District {
                    code,
                    name: street.area_name.clone(),
                    division_code: street.district_code.clone(),
                    streets: Vec::new(),
                });
                out.districts.len() - 1
            });
            out.street_area.insert(street.street_code.clone(), index);
            out.districts[index].streets.push(StreetView {
                code: street.street_code,
                name: street.street_name,
            });
        }
        out
    }

    /// The area a street belongs to.
    pub fn area_of(&self, street: &StreetCode) -> Option<&District> {
        self.street_area
            .get(street.as_str())
            .map(|&i| &self.districts[i])
    }

    pub fn area(&self, code: &str) -> Option<&District> {
        self.districts.iter().find(|d| d.code == code)
    }
}

/// The districts and streets, read once per instance (reference data changes only when the
/// operator reloads it; new instances see the change).
pub async fn districts(ctx: &AppContext) -> Result<Arc<Districts>, ApiError> {
    if let Some(cached) = ctx.reference.get() {
        return Ok(cached.clone());
    }
    let mut streets = Vec::new();
    let mut start = None;
    loop {
        let output = ctx
            .dynamo
            .query()
            .table_name(&ctx.config.tables.address)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", s(STREETS_PK))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| unavailable("address.streets", e))?;
        for item in output.items.unwrap_or_default() {
            streets.push(from_item::<Street>(item)?);
        }
        start = output.last_evaluated_key;
        if start.is_none() {
            break;
        }
    }
    let districts = Arc::new(Districts::from_streets(streets));
    if districts.districts.is_empty() {
        // Not loaded yet: do not keep an empty answer for the instance's lifetime.
        return Ok(districts);
    }
    Ok(ctx
        .reference
        .get_or_init(|| async { districts })
        .await
        .clone())
}

// ------------------------------------------------------------------ reads

pub async fn get_building(
    ctx: &AppContext,
    code: &BuildingCode,
) -> Result<Option<Building>, ApiError> {
    get(ctx, building_key(code.as_str()), "address.get_building").await
}

pub async fn get_house(ctx: &AppContext, code: &HouseCode) -> Result<Option<House>, ApiError> {
    get(ctx, house_key(code), "address.get_house").await
}

async fn get<T: serde::de::DeserializeOwned>(
    ctx: &AppContext,
    key: Item,
    operation: &'static str,
) -> Result<Option<T>, ApiError> {
    let output = ctx
        .dynamo
        .get_item()
        .table_name(&ctx.config.tables.address)
        .set_key(Some(key))
        .send()
        .await
        .map_err(|e| unavailable(operation, e))?;
    output.item.map(from_item).transpose()
}

/// The buildings of a street that match the query, a page at a time.
pub async fn search_buildings(
    ctx: &AppContext,
    street: &StreetCode,
    query: &BuildingQuery,
    page: &PageRequest,
) -> Result<Page<Building>, ApiError> {
    let table = &ctx.config.tables.address;
    let by_street = || {
        ctx.dynamo
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
                    // The query's first pair, where names differ most (…花园, …大厦 share their ends).
                    let first: String = part.chars().take(2).collect();
                    let pk = gram_pk(street.as_str(), &first);
                    let part = part.clone();
                    Box::new(move || {
                        let query = ctx
                            .dynamo
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
    ctx: &AppContext,
    building: &BuildingCode,
    room: &Room,
    page: &PageRequest,
) -> Result<Page<House>, ApiError> {
    let table = &ctx.config.tables.address;
    let pk = building_pk(building.as_str());
    let room = room.as_str().to_owned();
    query_records(page, "address.houses", move || {
        let query = ctx
            .dynamo
            .query()
            .table_name(table)
            .expression_attribute_values(":pk", s(pk.clone()));
        if room.is_empty() {
            query
                .key_condition_expression("pk = :pk AND begins_with(sk, :house)")
                .expression_attribute_values(":house", s("HOUSE#"))
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

    fn street(code: &str, area: &str, district: &str) -> Street {
        Street {
            street_code: code.into(),
            street_name: format!("{code}街道"),
            district_code: code[..6].into(),
            district_name: district.into(),
            area_name: area.into(),
        }
    }

    #[test]
    fn dapeng_is_its_own_area_with_its_own_code() {
        let districts = Districts::from_streets(vec![
            street("440307001", "龙岗区", "龙岗区"),
            street("440307009", "大鹏新区", "龙岗区"),
            street("440303001", "罗湖区", "罗湖区"),
        ]);
        let codes: Vec<&str> = districts
            .districts
            .iter()
            .map(|d| d.code.as_str())
            .collect();
        assert_eq!(codes, ["440303", "440307", "440307-DP"]);
        let dapeng = districts.area("440307-DP").unwrap();
        assert_eq!(dapeng.division_code, "440307");
        let kuiyong = StreetCode::parse("440307009").unwrap();
        assert_eq!(districts.area_of(&kuiyong).unwrap().name, "大鹏新区");
    }

    #[test]
    fn building_items_carry_the_name_index() {
        let code = BuildingCode::parse("4403030010010100001").unwrap();
        let building = Building::new(&code, "翠竹花园 3栋", "罗湖区桂园街道翠竹路1号");
        let items = building_items(&building);
        assert_eq!(items.len(), 1 + 5);
        assert_eq!(items[0]["gsi_street"], s("440303001"));
        assert!(items[1..].iter().all(|i| !i.contains_key("gsi_street")));
        assert_eq!(items[1]["sk"], s(code.as_str()));
    }
}
