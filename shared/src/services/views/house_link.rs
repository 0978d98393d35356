//! House links as their account and staff see them.

use serde::Serialize;

use crate::domain::address::DeclarantType;
use crate::domain::house_link::LinkStatus;
use crate::store::house_links::{LinkRecord, LinkedHouse, ManualAddress};

/// A link as its account (and staff) see it.
#[derive(Debug, Serialize)]
pub struct LinkView {
    pub link_id: String,
    pub status: LinkStatus,
    pub declarant_type: DeclarantType,
    /// 申报人类型 in Chinese.
    pub declarant_type_label: &'static str,
    /// The house (absent for a hand-written address not yet placed on a house by staff).
    pub house: Option<LinkedHouse>,
    pub manual_address: Option<ManualAddress>,
    /// Why staff rejected the link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deregistered_on: Option<String>,
    /// For a deregistered link whose residents are deregistered with it: `in_progress` until
    /// every resident is done (repeat the request to finish), then `completed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub residents_deregistration: Option<&'static str>,
}

/// What staff see: the link and whose it is.
#[derive(Debug, Serialize)]
pub struct StaffLinkView {
    pub account_id: String,
    #[serde(flatten)]
    pub link: LinkView,
}

impl From<&LinkRecord> for LinkView {
    fn from(link: &LinkRecord) -> Self {
        Self {
            link_id: link.link_id.clone(),
            status: link.status,
            declarant_type: link.declarant_type,
            declarant_type_label: link.declarant_type.label(),
            house: link.house.clone(),
            manual_address: link.manual_address.clone(),
            reason: link.reason.clone(),
            created_at: link.created_at.clone(),
            decided_at: link.decided_at.clone(),
            deregistered_on: link.deregistered_on.clone(),
            residents_deregistration: link.residents_job.as_ref().map(|_| "in_progress"),
        }
    }
}

impl From<&LinkRecord> for StaffLinkView {
    fn from(link: &LinkRecord) -> Self {
        Self {
            account_id: link.account_id.clone(),
            link: LinkView::from(link),
        }
    }
}
