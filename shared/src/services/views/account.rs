//! What an account looks like to its owner: personal numbers masked.

use serde::Serialize;

use crate::domain::account::{AccountStatus, AccountType, Role};
use crate::domain::id_document::IdType;
use crate::domain::mask;
use crate::store::accounts::AccountRecord;

#[derive(Debug, Serialize)]
pub struct AccountView {
    pub account_id: String,
    pub account_type: AccountType,
    pub role: Role,
    pub username: String,
    pub real_name: String,
    /// Absent for unit accounts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_type: Option<IdType>,
    /// Masked: first and last four characters. Absent for unit accounts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_number: Option<String>,
    /// Masked: 139****5678.
    pub phone: String,
    pub status: AccountStatus,
    /// Whether the name and ID document are proven (实名认证); always false for unit accounts.
    pub identity_verified: bool,
    pub must_change_password: bool,
    /// For unit accounts: the unit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<UnitBrief>,
    /// For a sub-account: the links (of its unit) assigned to it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_ids: Option<Vec<String>>,
    pub created_at: String,
}

#[derive(Debug, Serialize)]
pub struct UnitBrief {
    pub unit_id: String,
    pub name: String,
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
            id_number: record.id_number.as_deref().map(mask::document_number),
            phone: record.phone.masked(),
            status: record.status,
            identity_verified: record.identity.is_some(),
            must_change_password: record.must_change_password,
            unit: record.unit.as_ref().map(|unit| UnitBrief {
                unit_id: unit.unit_id.clone(),
                name: unit.unit_name.clone(),
            }),
            link_ids: record
                .unit
                .as_ref()
                .filter(|_| record.role == Role::SubAccount)
                .map(|unit| unit.link_ids.clone()),
            created_at: record.created_at.clone(),
        }
    }
}
