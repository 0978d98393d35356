//! Processing records (PIPL Art. 55–56, the Shenzhen Data Regulation): every read of a person's
//! data by staff is recorded before the data is answered, and every event about a person
//! delivered to an agency is recorded by the publisher ([`crate::events::publisher`]); the person
//! lists both (`GET /v1/me/data-access`, Art. 45).
//!
//! What is recorded: staff reads of registrations (a link's residents, a registration, its
//! receipt) and of permit applications (the review queue, one application); every filing a unit
//! makes naming the person (单位代办, F25: the unit had their name, ID document and phone),
//! whether or not it matches their account and whether or not they confirm it. The staff's view
//! of house links names an account and a house, no person, and is not recorded. A person's reads
//! of their own data, and declarants' reads of their residents (their own declarations), are
//! not processing by others and are not recorded.
//!
//! Whose a record is: the data subject of the record read (its ID document *and* name,
//! [`keys::subject_key`]), the rule residence records follow too ([`super::identity::is_holder`]):
//! the reads of a registration that carries a person's ID number under another name are not
//! listed to that person, as the registration is not among their residence records. Staff are
//! shown by their office and role, never by name or account id.

use serde::Serialize;

use crate::auth::Principal;
use crate::context::AppContext;
use crate::error::ApiError;
use crate::events::consumers;
use crate::store::page::{Page, PageRequest};
use crate::store::processing_records::{
    self, Processed, Processing, ProcessingRecord, Processor, SubjectKind,
};
use crate::store::{accounts, keys};

use super::identity::require_verified;

/// Why staff read a person's data (shown to the person).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffPurpose {
    /// Registrations under a house link, or one registration: the counter's registration work.
    RegistrationService,
    /// A registration's receipt, printed at the counter.
    ReceiptPrint,
    /// Permit applications under review.
    PermitReview,
}

impl StaffPurpose {
    pub fn text(self) -> &'static str {
        match self {
            Self::RegistrationService => "受理点办理居住登记业务（查阅、变更、注销登记）",
            Self::ReceiptPrint => "受理点打印居住登记申报回执",
            Self::PermitReview => "审核居住证申请",
        }
    }
}

/// A person's record that was read: its data subject (the person key of its ID document and the
/// name it is in), its kind and id.
pub struct ReadOf<'a> {
    pub person_key: &'a str,
    pub name: &'a str,
    pub kind: SubjectKind,
    pub id: &'a str,
}

/// What a staff record shows of an office that was not recorded (staff accounts created before
/// offices were).
const OFFICE_UNKNOWN: &str = "居住登记受理点（未登记名称）";

/// Records that the staff member `principal` read the data of each of `read` for `purpose`;
/// nothing for any other caller. Each record names the staff member's office (read from their
/// account). The records are written before the answer goes out: when they cannot be, the read
/// fails (503), so that no read goes unrecorded.
pub async fn record_staff_reads<'a>(
    ctx: &AppContext,
    principal: &Principal,
    purpose: StaffPurpose,
    read: impl IntoIterator<Item = ReadOf<'a>>,
) -> Result<(), ApiError> {
    if !principal.is_staff() {
        return Ok(());
    }
    let read: Vec<ReadOf<'a>> = read.into_iter().collect();
    if read.is_empty() {
        return Ok(());
    }
    let office = accounts::find_by_id(&ctx.db, &principal.account_id)
        .await?
        .and_then(|staff| staff.office);
    let at = crate::clock::rfc3339(crate::clock::now());
    let records: Vec<ProcessingRecord> = read
        .into_iter()
        .map(|r| {
            let subject_key = keys::subject_key(&ctx.db, r.person_key, r.name);
            let mut record = ProcessingRecord::new(
                Processed {
                    subject_key: &subject_key,
                    subject_kind: r.kind,
                    subject_id: r.id,
                    processor: Processor::Staff,
                    processor_id: &principal.account_id,
                    processing: Processing::Read,
                    purpose: purpose.text(),
                },
                &at,
                &at,
                uuid::Uuid::now_v7().to_string(),
            );
            record.office = office.clone();
            record
        })
        .collect();
    processing_records::put_all(&ctx.db, &records).await?;
    Ok(())
}

/// Why the verification page showed the person's document (shown to them).
pub const PAGE_VIEW_PURPOSE: &str =
    "扫描证件二维码核验真伪及状态（核验页面显示遮挡后的姓名、证件号码和证件状态）";

/// Who the verification page is, as a processor.
const PAGE_PROCESSOR_ID: &str = "verification-page";

/// Records that the verification page showed the document `read` (a receipt's registration,
/// a permit) to whoever held its QR code. Written before the page is answered (503 when it
/// cannot be), so that no view goes unrecorded.
pub async fn record_page_view(ctx: &AppContext, read: ReadOf<'_>) -> Result<(), ApiError> {
    let at = crate::clock::rfc3339(crate::clock::now());
    let subject_key = keys::subject_key(&ctx.db, read.person_key, read.name);
    let record = ProcessingRecord::new(
        Processed {
            subject_key: &subject_key,
            subject_kind: read.kind,
            subject_id: read.id,
            processor: Processor::DocumentCheck,
            processor_id: PAGE_PROCESSOR_ID,
            processing: Processing::Verified,
            purpose: PAGE_VIEW_PURPOSE,
        },
        &at,
        &at,
        uuid::Uuid::now_v7().to_string(),
    );
    processing_records::put_all(&ctx.db, &[record]).await?;
    Ok(())
}

/// Why a unit's filing named the person (shown to them).
pub const UNIT_FILING_PURPOSE: &str = "单位代办居住证申请（须经本人在账号中确认后方可办理）";

/// Records that the unit `unit_id` (named `unit_name`) filed the application `application_id`
/// naming the data subject `subject_key` (the ID document and name the unit gave:
/// `store::keys::subject_key`). Written before the filing is, so that no filing goes unrecorded
/// (503 when it cannot be).
pub async fn record_unit_filing(
    ctx: &AppContext,
    subject_key: &str,
    unit_id: &str,
    unit_name: &str,
    application_id: &str,
) -> Result<(), ApiError> {
    let at = crate::clock::rfc3339(crate::clock::now());
    let mut record = ProcessingRecord::new(
        Processed {
            subject_key,
            subject_kind: SubjectKind::PermitApplication,
            subject_id: application_id,
            processor: Processor::Unit,
            processor_id: unit_id,
            processing: Processing::Filed,
            purpose: UNIT_FILING_PURPOSE,
        },
        &at,
        &at,
        uuid::Uuid::now_v7().to_string(),
    );
    record.processor_name = Some(unit_name.to_owned());
    processing_records::put_all(&ctx.db, &[record]).await?;
    Ok(())
}

/// One processing of the caller's data, as they see it.
#[derive(Debug, Serialize)]
pub struct DataAccessView {
    pub access_id: String,
    pub at: String,
    pub processing: Processing,
    /// 查阅, 共享, 代办申请 or 核验.
    pub processing_label: &'static str,
    pub processor: ProcessorView,
    /// Why: the duty the processing serves.
    pub purpose: String,
    pub subject: SubjectView,
    /// For a delivery: the event's type and view.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub view: Option<String>,
}

/// Who processed it: staff by their office and role (never their name or account id), an agency
/// by its consumer id and name.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProcessorView {
    Staff {
        /// The office (受理点) the staff member worked at.
        office: String,
        role: StaffRole,
        /// The role, in Chinese.
        name: &'static str,
    },
    Agency {
        /// The consumer id (`shared/events/consumers.yaml`).
        id: String,
        name: String,
    },
    /// A unit that filed a permit application naming the person (F25).
    Unit {
        /// The unit's id.
        id: String,
        /// Its name when it filed.
        name: String,
    },
    /// Whoever opened the verification page of the person's document from its QR code.
    DocumentCheck {
        /// 持证件二维码的核验人.
        name: &'static str,
    },
}

/// The role of the staff member who read it (staff accounts have one role today).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// Counter staff of a residence registration office.
    CounterStaff,
}

impl StaffRole {
    pub fn label(self) -> &'static str {
        match self {
            Self::CounterStaff => "居住登记受理点工作人员",
        }
    }
}

#[derive(Debug, Serialize)]
pub struct SubjectView {
    pub kind: SubjectKind,
    pub id: String,
}

impl From<ProcessingRecord> for DataAccessView {
    fn from(record: ProcessingRecord) -> Self {
        let processor = match record.processor {
            Processor::Staff => ProcessorView::Staff {
                office: record.office.unwrap_or_else(|| OFFICE_UNKNOWN.to_owned()),
                role: StaffRole::CounterStaff,
                name: StaffRole::CounterStaff.label(),
            },
            Processor::Agency => ProcessorView::Agency {
                name: consumers::routes()
                    .iter()
                    .find(|r| r.consumer.id == record.processor_id)
                    .map_or_else(|| record.processor_id.clone(), |r| r.consumer.name.clone()),
                id: record.processor_id,
            },
            Processor::Unit => ProcessorView::Unit {
                name: record
                    .processor_name
                    .clone()
                    .unwrap_or_else(|| "代办单位".to_owned()),
                id: record.processor_id,
            },
            Processor::DocumentCheck => ProcessorView::DocumentCheck {
                name: "扫描证件二维码的核验人",
            },
        };
        Self {
            access_id: record.record_id,
            at: record.at,
            processing: record.processing,
            processing_label: match record.processing {
                Processing::Read => "查阅",
                Processing::Delivered => "共享",
                Processing::Filed => "代办申请",
                Processing::Verified => "核验",
            },
            processor,
            purpose: record.purpose,
            subject: SubjectView {
                kind: record.subject_kind,
                id: record.subject_id,
            },
            event_type: record.event_type,
            view: record.view,
        }
    }
}

/// `GET /v1/me/data-access`: who read or received the caller's data, newest first. For a
/// citizen's own account (either platform) whose identity is verified: the records are about
/// the data subject the account's ID document and name make ([`keys::subject_key`]), so an
/// unproven claim to it shows nothing (403 `IDENTITY_NOT_VERIFIED`); unit and staff accounts
/// are 403 `FORBIDDEN`.
pub async fn my_data_access(
    ctx: &AppContext,
    principal: &Principal,
    page: &PageRequest,
) -> Result<Page<DataAccessView>, ApiError> {
    if !principal.is_citizen() {
        return Err(ApiError::Forbidden("仅个人账号可以查询个人信息的处理记录"));
    }
    let account = accounts::find_by_id(&ctx.db, &principal.account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    require_verified(&account)?;
    let subject = account.subject_key(&ctx.db).ok_or(ApiError::Internal)?;
    Ok(processing_records::page_of_subject(&ctx.db, &subject, page)
        .await?
        .map(DataAccessView::from))
}
