//! An address table in memory, for the loader's unit tests. It checks what DynamoDB would refuse
//! (more than 25 writes in a batch, one key twice in a batch).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;

use aws_sdk_dynamodb::types::{AttributeValue, WriteRequest};
use shared::domain::address::BuildingCode;
use shared::store::Item;
use shared::store::address::Building;
use shared::store::keys::{BUILDING_SK, building_pk};

use super::load::{LoadError, Store};

pub(crate) struct MemoryStore {
    streets: HashSet<String>,
    items: Mutex<BTreeMap<(String, String), Item>>,
}

fn text(item: &Item, name: &str) -> String {
    match item.get(name) {
        Some(AttributeValue::S(value)) => value.clone(),
        other => panic!("{name} is not a string: {other:?}"),
    }
}

impl MemoryStore {
    pub(crate) fn with_streets(codes: &[&str]) -> Self {
        Self {
            streets: codes.iter().map(|c| (*c).to_owned()).collect(),
            items: Mutex::default(),
        }
    }

    pub(crate) fn get(&self, pk: &str, sk: &str) -> Option<Item> {
        let items = self.items.lock().unwrap();
        items.get(&(pk.to_owned(), sk.to_owned())).cloned()
    }

    pub(crate) fn len(&self) -> usize {
        self.items.lock().unwrap().len()
    }

    /// The distinct partition keys that start with `prefix`, in order.
    pub(crate) fn partitions_with_prefix(&self, prefix: &str) -> Vec<String> {
        let items = self.items.lock().unwrap();
        let mut partitions: Vec<String> = items
            .keys()
            .filter(|(pk, _)| pk.starts_with(prefix))
            .map(|(pk, _)| pk.clone())
            .collect();
        partitions.dedup();
        partitions
    }
}

impl Store for MemoryStore {
    async fn street_codes(&self) -> Result<HashSet<String>, LoadError> {
        Ok(self.streets.clone())
    }

    async fn stored_buildings(
        &self,
        codes: Vec<String>,
    ) -> Result<HashMap<String, Building>, LoadError> {
        assert!(codes.len() <= 100, "BatchGetItem takes at most 100 keys");
        let items = self.items.lock().unwrap();
        Ok(codes
            .into_iter()
            .filter_map(|code| {
                let item = items.get(&(building_pk(&code), BUILDING_SK.to_owned()))?;
                Some((code, shared::store::from_item(item.clone()).unwrap()))
            })
            .collect())
    }

    async fn building_exists(&self, code: BuildingCode) -> Result<bool, LoadError> {
        let items = self.items.lock().unwrap();
        Ok(items.contains_key(&(building_pk(code.as_str()), BUILDING_SK.to_owned())))
    }

    async fn write(&self, requests: Vec<WriteRequest>) -> Result<(), LoadError> {
        assert!(requests.len() <= 25, "BatchWriteItem takes at most 25");
        let mut keys = HashSet::new();
        let mut items = self.items.lock().unwrap();
        for request in requests {
            if let Some(put) = request.put_request {
                let key = (text(&put.item, "pk"), text(&put.item, "sk"));
                assert!(keys.insert(key.clone()), "{key:?} twice in a batch");
                items.insert(key, put.item);
            } else if let Some(delete) = request.delete_request {
                let key = (text(&delete.key, "pk"), text(&delete.key, "sk"));
                assert!(keys.insert(key.clone()), "{key:?} twice in a batch");
                items.remove(&key);
            }
        }
        Ok(())
    }
}
