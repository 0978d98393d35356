//! What an account looks like to its owner: personal numbers masked.

use serde::Serialize;

use crate::domain::account::{AccountType, Role};
use crate::domain::id_document::IdType;
use crate::domain::mask;
use crate::store::accounts::{AccountRecord, AccountStatus};

#[derive(Debug, Serialize)]
pub struct AccountView {
    pub account_id: String,
    pub account_type: AccountType,
    pub role: Role,
    pub username: String,
    pub real_name: String,
    pub id_type: IdType,
    /// Masked: first and last four characters.
    pub id_number: String,
    /// Masked: 139****5678.
    pub phone: String,
    pub status: AccountStatus,
    pub must_change_password: bool,
    pub created_at: String,
}

impl From<&AccountRecord> for AccountView {
    fn from(record: &AccountRecord) -> Self {
        Self {
            account_id: record.account_id.clone(),
            account_type: record.account_type,
            role: record.role,
            username: record.username.clone(),
            real_name: record.real_name.clone(),
            id_type: record.id_type,
            id_number: mask::document_number(&record.id_number),
            phone: mask::phone(&record.phone),
            status: record.status,
            must_change_password: record.must_change_password,
            created_at: record.created_at.clone(),
        }
    }
}
