//! Resident registrations (F16–F21, F23): declaring a move-in, listing a house's residents,
//! changing a registration, ending it, and a resident's own records.
//!
//! Who may act: the account that holds the house link (online; for a unit, its administrator),
//! a unit's sub-account for the links assigned to it, and counter staff on the holder's behalf
//! (F21). Anyone else gets 404 for a registration, as for one that does not exist.

pub mod requests;

use chrono::NaiveDate;

use crate::auth::Principal;
use crate::context::AppContext;
use crate::domain::account::Role;
use crate::domain::house_link::LinkStatus;
use crate::domain::mask;
use crate::domain::receipt::ReceiptNo;
use crate::domain::registration::{Action, Channel, EndReason, RegistrationStatus};
use crate::domain::resident::{Resident, declaration_deadline_days, is_late};
use crate::error::{ApiError, Existing};
use crate::store::house_links::{LinkRecord, LinkedHouse};
use crate::store::processing_records::SubjectKind;
use crate::store::registrations::{
    self, Actor, Declarant, FieldChange, HistoryRecord, RegistrationRecord,
};
use crate::store::{Clash, StoreError, accounts, keys};
use crate::store::{Page, PageRequest};

use super::authorization::{
    Assignment, assigned_link, assignment, own_link, require_house_manager, staff_link,
};
use super::views::registration::{
    HistoryView, RegistrationDetail, RegistrationView, ResidenceRecordView,
};
use requests::{Changes, Declaration, EndRequest, Ending};

use super::conflicts;
use super::data_access::{ReadOf, StaffPurpose, record_staff_reads};

/// Which door a request on a link's residents came through: the declarant's own routes
/// (`/v1/me/houses/…`) or the counter's (`/v1/staff/house-links/…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Own,
    Counter,
}

/// Something the caller may act on, and who they act as (the declarant online, or staff at the
/// counter). Handlers obtain it before reading the body: a caller with no right to the object
/// learns nothing from validation errors.
pub struct Authorized<T> {
    pub target: T,
    pub by: Actor,
}

/// The approved link under which the caller may declare residents: their own (`Via::Own`) or any
/// (`Via::Counter`, staff).
pub async fn declarable_link(
    ctx: &AppContext,
    principal: &Principal,
    via: Via,
    link_id: &str,
) -> Result<Authorized<LinkRecord>, ApiError> {
    let (target, by) = link_for(ctx, principal, via, link_id, true).await?;
    Ok(Authorized { target, by })
}

/// A link whose residents the caller may declare (approved) or list (any status).
async fn link_for(
    ctx: &AppContext,
    principal: &Principal,
    via: Via,
    link_id: &str,
    must_be_approved: bool,
) -> Result<(LinkRecord, Actor), ApiError> {
    match via {
        Via::Own => {
            let link = if principal.role == Role::SubAccount {
                assigned_link(ctx, principal, link_id).await?
            } else {
                own_link(ctx, principal, link_id).await?
            };
            if must_be_approved && link.status != LinkStatus::Approved {
                return Err(ApiError::LinkNotApproved);
            }
            Ok((link, actor(principal, Channel::Online)))
        }
        Via::Counter => {
            let link = staff_link(ctx, principal, link_id).await?;
            if must_be_approved && link.status != LinkStatus::Approved {
                return Err(ApiError::LinkNotApproved);
            }
            Ok((link, actor(principal, Channel::Counter)))
        }
    }
}

fn actor(principal: &Principal, channel: Channel) -> Actor {
    Actor {
        account_id: principal.account_id.clone(),
        channel,
    }
}

/// Whose registrations a caller reaches.
enum Reach {
    /// Staff: any.
    Counter,
    /// The declarant: those under their own links.
    Own,
    /// A sub-account: those under the links assigned to it.
    Assigned(Assignment),
}

/// A registration the caller may see and change: their own (as declarant), one under a link
/// assigned to them (sub-account) or any (staff).
pub async fn accessible(
    ctx: &AppContext,
    principal: &Principal,
    registration_id: &str,
) -> Result<Authorized<RegistrationRecord>, ApiError> {
    let reach = if principal.is_staff() {
        Reach::Counter
    } else if principal.role == Role::SubAccount {
        Reach::Assigned(assignment(ctx, principal).await?)
    } else {
        require_house_manager(principal)?;
        Reach::Own
    };
    if uuid::Uuid::parse_str(registration_id).is_err() {
        return Err(ApiError::NotFound);
    }
    let record = registrations::get_by_id(&ctx.db, registration_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let reached = match &reach {
        Reach::Counter => true,
        Reach::Own => record.declarant.account_id == principal.account_id,
        Reach::Assigned(assignment) => {
            record.declarant.account_id == assignment.admin_account_id
                && assignment.covers(&record.link_id)
        }
    };
    if !reached {
        return Err(ApiError::NotFound);
    }
    let channel = match reach {
        Reach::Counter => Channel::Counter,
        _ => Channel::Online,
    };
    Ok(Authorized {
        target: record,
        by: actor(principal, channel),
    })
}

/// `POST …/residents`: declares a move-in under an approved link (F16); staff at the counter
/// declare on the link holder's behalf (F21). Late declarations are accepted and marked.
pub async fn declare(
    ctx: &AppContext,
    under: Authorized<LinkRecord>,
    declaration: Declaration,
) -> Result<RegistrationView, ApiError> {
    let Authorized { target: link, by } = under;
    let house = link.house.clone().ok_or(ApiError::Internal)?;
    let holder = accounts::find_by_id(&ctx.db, &link.account_id)
        .await?
        .ok_or(ApiError::Internal)?;
    let today = crate::clock::today_in_china();
    let document = &declaration.resident.document;
    let person_key = keys::person_key(&ctx.db, document.id_type(), document.number());
    let mut record = new_registration(NewRegistration {
        registration_id: uuid::Uuid::now_v7().to_string(),
        receipt_no: ReceiptNo::generate(today),
        link: &link,
        house,
        declarant_name: holder.declarant_name().to_owned(),
        declaration,
        person_key,
        by,
        today,
        now: crate::clock::rfc3339(crate::clock::now()),
    });
    record.seal = Some(super::document_seals::seal_receipt(ctx, &record).await?);
    let (house_id, person_key) = (record.house.house_id.clone(), record.person_key.clone());
    let record = match registrations::declare(&ctx.db, &link, record).await {
        Ok(record) => record,
        Err(error) if error.is(Clash::PersonAlreadyRegistered) => {
            return Err(already_registered(ctx, &link, &house_id, &person_key).await);
        }
        Err(error) => return Err(error.into()),
    };
    tracing::info!(
        registration_id = %record.registration_id,
        link_id = %record.link_id,
        channel = ?record.declared_by.channel,
        late = record.late,
        "move-in declared"
    );
    Ok(RegistrationView::of(ctx, &record))
}

/// The person is registered in the house already: under this link (a retry whose answer was
/// lost, say) the answer names that registration; under another declarant's link it only says so.
async fn already_registered(
    ctx: &AppContext,
    link: &LinkRecord,
    house_id: &str,
    person_key: &str,
) -> ApiError {
    let present = match registrations::present_in_house(&ctx.db, house_id, person_key).await {
        Ok(present) => present,
        Err(error) => return error.into(),
    };
    let own = present
        .as_ref()
        .filter(|(_, link_id)| *link_id == link.link_id)
        .map(|(registration_id, _)| registration_id.clone());
    conflicts::already_registered().naming(Existing {
        kind: "registration",
        own: own.is_some(),
        location: own.as_ref().map(|id| format!("/v1/registrations/{id}")),
        id: own,
    })
}

/// Everything a new registration is made of: the ids drawn, the link and its house, the
/// declaration, and who declared it when.
struct NewRegistration<'a> {
    registration_id: String,
    receipt_no: ReceiptNo,
    link: &'a LinkRecord,
    house: LinkedHouse,
    declarant_name: String,
    declaration: Declaration,
    person_key: String,
    by: Actor,
    today: NaiveDate,
    now: String,
}

/// The registration a declaration makes (pure): current, version 1, late when declared after
/// the declarant type's legal deadline (accepted, and marked).
fn new_registration(new: NewRegistration<'_>) -> RegistrationRecord {
    let NewRegistration {
        registration_id,
        receipt_no,
        link,
        house,
        declarant_name,
        declaration: Declaration {
            resident,
            moved_in_on,
        },
        person_key,
        by,
        today,
        now,
    } = new;
    RegistrationRecord {
        pk: keys::registrations_pk(&link.link_id),
        sk: keys::registration_sk(&registration_id),
        kind: "registration".into(),
        link_id: link.link_id.clone(),
        declarant: Declarant {
            account_id: link.account_id.clone(),
            name: declarant_name,
            declarant_type: link.declarant_type,
        },
        house,
        resident,
        person_moves: format!("{moved_in_on}#{registration_id}"),
        moved_in_on,
        person_key,
        status: RegistrationStatus::Current,
        late: is_late(link.declarant_type, moved_in_on, today),
        deadline_days: declaration_deadline_days(link.declarant_type),
        receipt_no,
        declared_at: now.clone(),
        declared_by: by,
        version: 1,
        updated_at: now,
        moved_out_on: None,
        end_reason: None,
        seal: None,
        registration_id,
    }
}

/// `GET …/residents` (F18): a link's registrations, in the order they were declared.
pub async fn list(
    ctx: &AppContext,
    principal: &Principal,
    via: Via,
    link_id: &str,
    status: Option<RegistrationStatus>,
    page: &PageRequest,
) -> Result<Page<RegistrationView>, ApiError> {
    let (link, _) = link_for(ctx, principal, via, link_id, false).await?;
    let page = registrations::list_under_link(&ctx.db, &link.link_id, status, page).await?;
    record_staff_reads(
        ctx,
        principal,
        StaffPurpose::RegistrationService,
        page.items.iter().map(read_of),
    )
    .await?;
    Ok(page.map(|r| RegistrationView::of(ctx, &r)))
}

/// `GET /v1/registrations/{id}`: the registration and its history.
pub async fn detail(
    ctx: &AppContext,
    principal: &Principal,
    registration_id: &str,
) -> Result<RegistrationDetail, ApiError> {
    let record = accessible(ctx, principal, registration_id).await?.target;
    let history = registrations::history(&ctx.db, &record).await?;
    record_staff_reads(
        ctx,
        principal,
        StaffPurpose::RegistrationService,
        [read_of(&record)],
    )
    .await?;
    Ok(RegistrationDetail {
        registration: RegistrationView::of(ctx, &record),
        history: history.iter().map(HistoryView::from).collect(),
    })
}

/// The registration for its receipt: the caller's own, or any for staff.
pub async fn for_receipt(
    ctx: &AppContext,
    principal: &Principal,
    registration_id: &str,
) -> Result<RegistrationRecord, ApiError> {
    let record = accessible(ctx, principal, registration_id).await?.target;
    record_staff_reads(
        ctx,
        principal,
        StaffPurpose::ReceiptPrint,
        [read_of(&record)],
    )
    .await?;
    Ok(record)
}

/// A registration, as a read of its resident's data.
fn read_of(record: &RegistrationRecord) -> ReadOf<'_> {
    ReadOf {
        person_key: &record.person_key,
        name: record.resident.name.as_str(),
        kind: SubjectKind::Registration,
        id: &record.registration_id,
    }
}

fn not_current(record: &RegistrationRecord) -> Result<(), ApiError> {
    if record.status == RegistrationStatus::Current {
        Ok(())
    } else {
        Err(ApiError::Conflict {
            title: "该住户登记已注销，不能再修改或注销",
            errors: Vec::new(),
        })
    }
}

fn check_version(record: &RegistrationRecord, version: Option<u32>) -> Result<(), ApiError> {
    match version {
        Some(version) if version != record.version => Err(conflicts::stale_version(record.version)),
        _ => Ok(()),
    }
}

/// What a failed write of a registration's change answers: when another change came first,
/// 409 `STALE_VERSION` with the version it left; otherwise the store error's answer.
async fn write_failed(ctx: &AppContext, registration_id: &str, error: StoreError) -> ApiError {
    if error.is(Clash::RegistrationChanged)
        && let Ok(Some(now)) = registrations::get_by_id(&ctx.db, registration_id).await
    {
        return conflicts::stale_version(now.version);
    }
    error.into()
}

/// The fields of a resident that a change compares, as stored text.
fn comparable(r: &Resident) -> [(&'static str, Option<String>); 11] {
    [
        ("name", Some(r.name.as_str().to_owned())),
        ("sex", Some(r.sex.code().to_owned())),
        ("ethnicity", Some(r.ethnicity.code().to_owned())),
        ("birth_date", Some(r.birth_date.to_string())),
        ("household_address", Some(r.household_address.clone())),
        ("marital_status", Some(r.marital_status.code().to_owned())),
        ("education", Some(r.education.code().to_owned())),
        ("occupation", Some(r.occupation.clone())),
        ("workplace", Some(r.workplace.clone())),
        ("relationship", Some(r.relationship.clone())),
        ("phone", r.phone.as_ref().map(|p| p.as_str().to_owned())),
    ]
}

fn diff(before: &Resident, after: &Resident) -> Vec<FieldChange> {
    comparable(before)
        .into_iter()
        .zip(comparable(after))
        .filter(|((_, from), (_, to))| from != to)
        .map(|((field, from), (_, to))| FieldChange {
            field: field.to_owned(),
            from,
            to,
        })
        .collect()
}

/// The next version of a registration, changed now.
fn next_version(record: &RegistrationRecord) -> RegistrationRecord {
    let mut next = record.clone();
    next.version += 1;
    next.updated_at = crate::clock::rfc3339(crate::clock::now());
    next
}

/// `PATCH /v1/registrations/{id}` (F19): changes a current registration, if the caller read its
/// latest version; the history records who changed which fields, from what to what, and when.
pub async fn change(
    ctx: &AppContext,
    registration: Authorized<RegistrationRecord>,
    changes: Changes,
) -> Result<RegistrationView, ApiError> {
    let Authorized { target: record, by } = registration;
    let registration_id = record.registration_id.as_str();
    not_current(&record)?;
    check_version(&record, Some(changes.version))?;
    let resident = record
        .resident
        .changed(&changes.resident, record.moved_in_on)
        .map_err(ApiError::Validation)?;
    let fields = diff(&record.resident, &resident);
    if fields.is_empty() {
        return Ok(RegistrationView::of(ctx, &record));
    }
    let mut next = next_version(&record);
    next.resident = resident;
    // The receipt states the resident's name masked to its first character: a correction of it
    // issues the receipt again, signed anew (the old code still verifies; the page shows the
    // registration as it stands).
    if record.seal.is_some()
        && mask::name(next.resident.name.as_str()) != mask::name(record.resident.name.as_str())
    {
        next.seal = Some(super::document_seals::seal_receipt(ctx, &next).await?);
    }
    let history = HistoryRecord::new(&next, Action::Changed, &by, fields);
    if let Err(error) = registrations::change(&ctx.db, &next, record.version, &history).await {
        return Err(write_failed(ctx, registration_id, error).await);
    }
    tracing::info!(registration_id, version = next.version, channel = ?by.channel, "registration changed");
    Ok(RegistrationView::of(ctx, &next))
}

/// `POST /v1/registrations/{id}/deregistration` (F20): `moved_out` on a date not before the
/// move-in, or `info_error`, which voids the registration.
pub async fn deregister(
    ctx: &AppContext,
    registration: Authorized<RegistrationRecord>,
    request: EndRequest,
) -> Result<RegistrationView, ApiError> {
    let Authorized { target: record, by } = registration;
    let registration_id = record.registration_id.as_str();
    not_current(&record)?;
    check_version(&record, request.version)?;
    let mut next = next_version(&record);
    match request.ending {
        Ending::MovedOut(on) => {
            if on < record.moved_in_on {
                return Err(ApiError::validation(
                    crate::error::Invalid::new("BEFORE_MOVE_IN", "搬离日期不能早于入住日期")
                        .at("moved_out_on"),
                ));
            }
            next.moved_out_on = Some(on);
            next.end_reason = Some(EndReason::MovedOut);
        }
        Ending::InfoError => next.end_reason = Some(EndReason::InfoError),
    }
    next.status = next.end_reason.map_or(next.status, EndReason::status);
    let history = HistoryRecord::new(&next, Action::Deregistered, &by, Vec::new());
    if let Err(error) = registrations::end(&ctx.db, &next, record.version, &history).await {
        return Err(write_failed(ctx, registration_id, error).await);
    }
    tracing::info!(registration_id, status = next.status.as_str(), channel = ?by.channel, "registration ended");
    Ok(RegistrationView::of(ctx, &next))
}

/// Moves a resident out because their house link was deregistered with its residents (F15).
/// `false` when the registration changed meanwhile (already moved out, e.g. by an earlier run).
pub async fn move_out_with_house(
    ctx: &AppContext,
    record: &RegistrationRecord,
    moved_out_on: NaiveDate,
    by: &Actor,
) -> Result<bool, ApiError> {
    let mut next = next_version(record);
    next.status = RegistrationStatus::MovedOut;
    next.end_reason = Some(EndReason::HouseDeregistered);
    // Never before the move-in (a resident declared today with a move-in today).
    next.moved_out_on = Some(moved_out_on.max(record.moved_in_on));
    let history = HistoryRecord::new(&next, Action::Deregistered, by, Vec::new());
    match registrations::end(&ctx.db, &next, record.version, &history).await {
        Ok(()) => Ok(true),
        Err(StoreError::Conflict(clashes)) if clashes == [Clash::RegistrationChanged] => Ok(false),
        Err(other) => Err(other.into()),
    }
}

/// `GET /v1/me/residence-records`: the registrations whose resident has the account holder's ID
/// document and name, by move-in date, for a verified identity only (403
/// `IDENTITY_NOT_VERIFIED` before); voided ones are left out (they never count toward a permit).
pub async fn residence_records(
    ctx: &AppContext,
    principal: &Principal,
    page: &PageRequest,
) -> Result<Page<ResidenceRecordView>, ApiError> {
    let account = super::permits::verified_holder(ctx, principal).await?;
    // Residence-permit accounts are personal: they always carry the holder's document.
    let person = account.person_key(&ctx.db).ok_or(ApiError::Internal)?;
    let today = crate::clock::today_in_china();
    let mut page = registrations::list_of_person(&ctx.db, &person, page).await?;
    page.items
        .retain(|r| super::identity::is_holder(ctx, &account, r));
    Ok(page.map(|r| ResidenceRecordView {
        residence_days: (r.moved_out_on.unwrap_or(today) - r.moved_in_on)
            .num_days()
            .max(0),
        registration_id: r.registration_id,
        status: r.status,
        status_label: r.status.label(),
        house: r.house,
        moved_in_on: r.moved_in_on,
        moved_out_on: r.moved_out_on,
        receipt_no: r.receipt_no.as_str().to_owned(),
        declared_at: r.declared_at,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{date, linked_house, resident};

    fn declaration(moved_in_on: &str) -> Declaration {
        Declaration {
            resident: resident(),
            moved_in_on: date(moved_in_on),
        }
    }

    fn registered(declarant_type: &str, moved_in_on: &str, today: &str) -> RegistrationRecord {
        let link = crate::fixtures::link("approved", declarant_type);
        new_registration(NewRegistration {
            registration_id: "r-1".into(),
            receipt_no: ReceiptNo::generate(date(today)),
            link: &link,
            house: linked_house(),
            declarant_name: "张三".into(),
            declaration: declaration(moved_in_on),
            person_key: "PERSON#k".into(),
            by: Actor {
                account_id: "a-1".into(),
                channel: Channel::Online,
            },
            today: date(today),
            now: "2026-12-07T02:00:00Z".into(),
        })
    }

    #[test]
    fn a_declaration_makes_a_current_first_version_under_its_link() {
        let record = registered("lessor", "2026-12-01", "2026-12-07");
        assert_eq!(record.status, RegistrationStatus::Current);
        assert_eq!(record.version, 1);
        assert_eq!(record.link_id, "l-1");
        assert_eq!(record.pk, keys::registrations_pk("l-1"));
        assert_eq!(record.sk, keys::registration_sk("r-1"));
        assert_eq!(record.person_moves, "2026-12-01#r-1");
        assert_eq!(record.declarant.account_id, "a-1");
        assert_eq!(record.declarant.name, "张三");
        assert!(record.resident == declaration("2026-12-01").resident);
        assert_eq!(record.declared_at, record.updated_at);
        assert!(record.moved_out_on.is_none() && record.end_reason.is_none());
    }

    #[test]
    fn a_declaration_after_the_declarant_type_s_deadline_is_marked_late() {
        // Lessors have 7 days, self-owners 15, lodging operators none.
        assert!(!registered("lessor", "2026-11-30", "2026-12-07").late);
        assert!(registered("lessor", "2026-11-29", "2026-12-07").late);
        assert_eq!(
            registered("lessor", "2026-11-29", "2026-12-07").deadline_days,
            7
        );
        assert!(!registered("self", "2026-11-29", "2026-12-07").late);
        assert!(registered("lodging_operator", "2026-12-06", "2026-12-07").late);
        assert!(!registered("lodging_operator", "2026-12-07", "2026-12-07").late);
    }
}
