//! Sub-accounts as their unit's administrator sees them.

use serde::Serialize;

use crate::domain::account::AccountStatus;
use crate::store::accounts::AccountRecord;

/// A sub-account as its administrator sees it.
#[derive(Debug, Serialize)]
pub struct SubAccountView {
    pub account_id: String,
    pub username: String,
    pub real_name: String,
    /// Masked: 139****5678.
    pub phone: String,
    pub status: AccountStatus,
    /// The unit's links assigned to it.
    pub link_ids: Vec<String>,
    /// Still to replace the password the administrator gave it.
    pub must_change_password: bool,
    /// Whether its phone's holder proved the phone (a `sub_account_phone` code); until then it
    /// gets no login codes.
    pub phone_confirmed: bool,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deactivated_at: Option<String>,
}

impl From<&AccountRecord> for SubAccountView {
    fn from(record: &AccountRecord) -> Self {
        Self {
            account_id: record.account_id.clone(),
            username: record.username.clone(),
            real_name: record.real_name.clone(),
            phone: record.phone.masked(),
            status: record.status,
            link_ids: record
                .unit
                .as_ref()
                .map(|u| u.link_ids.clone())
                .unwrap_or_default(),
            must_change_password: record.must_change_password,
            phone_confirmed: record.phone_proven(),
            created_at: record.created_at.clone(),
            deactivated_at: record.deactivated_at.clone(),
        }
    }
}
