//! Registrations as their declarant, staff and the resident see them: personal numbers masked.

use chrono::NaiveDate;
use serde::Serialize;

use crate::context::AppContext;
use crate::domain::mask;
use crate::domain::phone::PhoneNumber;
use crate::domain::registration::{Action, Channel, EndReason, RegistrationStatus};
use crate::domain::resident::Resident;
use crate::store::house_links::LinkedHouse;
use crate::store::registrations::{HistoryRecord, RegistrationRecord};

/// The resident as the declarant and staff see them: the ID number and phone masked.
#[derive(Debug, Serialize)]
pub struct ResidentView {
    pub name: String,
    pub sex: &'static str,
    pub ethnicity: &'static str,
    pub birth_date: NaiveDate,
    pub id_type: &'static str,
    /// Masked: the first and last four characters.
    pub id_number: String,
    pub household_address: String,
    pub marital_status: &'static str,
    pub education: &'static str,
    pub occupation: String,
    pub workplace: String,
    pub relationship: String,
    /// Masked (139****5678); null when none was given.
    pub phone: Option<String>,
}

impl From<&Resident> for ResidentView {
    fn from(r: &Resident) -> Self {
        Self {
            name: r.name.as_str().to_owned(),
            sex: r.sex.code(),
            ethnicity: r.ethnicity.code(),
            birth_date: r.birth_date,
            id_type: r.document.id_type().as_str(),
            id_number: r.document.masked_number(),
            household_address: r.household_address.clone(),
            marital_status: r.marital_status.code(),
            education: r.education.code(),
            occupation: r.occupation.clone(),
            workplace: r.workplace.clone(),
            relationship: r.relationship.clone(),
            phone: r.phone.as_ref().map(PhoneNumber::masked),
        }
    }
}

/// A registration as its declarant and staff see it.
#[derive(Debug, Serialize)]
pub struct RegistrationView {
    pub registration_id: String,
    pub link_id: String,
    pub status: RegistrationStatus,
    pub status_label: &'static str,
    pub receipt_no: String,
    pub check_code: String,
    /// The verification page its receipt's QR code opens (absent for a registration declared
    /// before receipts were signed): an app may show it as a QR code of its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification_url: Option<String>,
    /// Send it back with a change (`PATCH`): a stale version is refused.
    pub version: u32,
    pub house: LinkedHouse,
    pub declarant_type: crate::domain::address::DeclarantType,
    pub declarant_name: String,
    pub resident: ResidentView,
    pub moved_in_on: NaiveDate,
    pub moved_out_on: Option<NaiveDate>,
    pub end_reason: Option<EndReason>,
    /// Declared after the legal deadline (`deadline_days` after moving in).
    pub late: bool,
    pub deadline_days: i64,
    pub declared_at: String,
    /// `online` (the declarant's account) or `counter` (staff on the declarant's behalf).
    pub channel: Channel,
    pub updated_at: String,
}

impl RegistrationView {
    pub fn of(ctx: &AppContext, r: &RegistrationRecord) -> Self {
        Self {
            registration_id: r.registration_id.clone(),
            link_id: r.link_id.clone(),
            status: r.status,
            status_label: r.status.label(),
            receipt_no: r.receipt_no.as_str().to_owned(),
            check_code: r.receipt_no.check_code(&ctx.config.hash_key),
            verification_url: r
                .seal
                .as_ref()
                .map(|token| crate::services::document_seals::page_url(ctx, token)),
            version: r.version,
            house: r.house.clone(),
            declarant_type: r.declarant.declarant_type,
            declarant_name: r.declarant.name.clone(),
            resident: ResidentView::from(&r.resident),
            moved_in_on: r.moved_in_on,
            moved_out_on: r.moved_out_on,
            end_reason: r.end_reason,
            late: r.late,
            deadline_days: r.deadline_days,
            declared_at: r.declared_at.clone(),
            channel: r.declared_by.channel,
            updated_at: r.updated_at.clone(),
        }
    }
}

/// One entry of a registration's history.
#[derive(Debug, Serialize)]
pub struct HistoryView {
    pub version: u32,
    pub action: Action,
    pub at: String,
    pub by_account_id: String,
    pub channel: Channel,
    /// For `changed`: each field with its value before and after (phones masked).
    pub changes: Vec<ChangeView>,
    pub end_reason: Option<EndReason>,
}

#[derive(Debug, Serialize)]
pub struct ChangeView {
    pub field: String,
    pub from: Option<String>,
    pub to: Option<String>,
}

impl From<&HistoryRecord> for HistoryView {
    fn from(h: &HistoryRecord) -> Self {
        let shown = |field: &str, value: &Option<String>| match field {
            "phone" => value.as_deref().map(mask::phone),
            _ => value.clone(),
        };
        Self {
            version: h.version,
            action: h.action,
            at: h.at.clone(),
            by_account_id: h.by.account_id.clone(),
            channel: h.by.channel,
            changes: h
                .changes
                .iter()
                .map(|c| ChangeView {
                    field: c.field.clone(),
                    from: shown(&c.field, &c.from),
                    to: shown(&c.field, &c.to),
                })
                .collect(),
            end_reason: h.end_reason,
        }
    }
}

/// A registration with its history (`GET /v1/registrations/{id}`).
#[derive(Debug, Serialize)]
pub struct RegistrationDetail {
    #[serde(flatten)]
    pub registration: RegistrationView,
    pub history: Vec<HistoryView>,
}

/// A registration of the account holder, as they see it (F23).
#[derive(Debug, Serialize)]
pub struct ResidenceRecordView {
    pub registration_id: String,
    pub status: RegistrationStatus,
    pub status_label: &'static str,
    pub house: LinkedHouse,
    pub moved_in_on: NaiveDate,
    pub moved_out_on: Option<NaiveDate>,
    /// Days from the move-in to the move-out (or to today while current).
    pub residence_days: i64,
    pub receipt_no: String,
    pub declared_at: String,
}
