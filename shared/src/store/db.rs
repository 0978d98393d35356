//! The store's handle: what every store function needs, and nothing else — the DynamoDB
//! client, the table names, the key that hashes personal identifiers into keys, and the
//! districts read once per instance.

use std::sync::Arc;

use crate::config::Tables;
use crate::domain::districts::Districts;

pub struct Db {
    pub client: aws_sdk_dynamodb::Client,
    pub tables: Tables,
    hash_key: Vec<u8>,
    /// Districts and streets, read on first use (see [`super::address::districts`]).
    pub(super) reference: tokio::sync::OnceCell<Arc<Districts>>,
}

impl Db {
    pub fn new(client: aws_sdk_dynamodb::Client, tables: Tables, hash_key: Vec<u8>) -> Self {
        Self {
            client,
            tables,
            hash_key,
            reference: Default::default(),
        }
    }

    /// A keyed hash of a personal identifier (`kind`: "phone", "ip", …), for use in keys and
    /// counters where the value itself must not appear.
    pub fn lookup_hash(&self, kind: &str, value: &str) -> String {
        crate::crypto::keyed_hash(&self.hash_key, kind, &[value])
    }

    /// The key that keyed hashes in item keys are made with.
    pub(super) fn hash_key(&self) -> &[u8] {
        &self.hash_key
    }
}
