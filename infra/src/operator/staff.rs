//! Counter-staff accounts: created only by the operator tool, never through the public API.

use shared::AppContext;
use shared::domain::account::{AccountType, RealName, Role, Username};
use shared::domain::id_document::{IdDocument, IdType};
use shared::domain::password::{Password, hash_password};
use shared::domain::phone::PhoneNumber;
use shared::domain::text::text;
use shared::error::Invalid;
use shared::store::accounts::{self, AccountRecord, Holder};
use shared::store::{Clash, StoreError};

pub struct NewStaff {
    pub username: String,
    pub real_name: String,
    pub phone: String,
    pub id_number: String,
    pub password: String,
    /// The office (受理点) the staff member works at: what the people whose data they read are
    /// shown instead of them (`GET /v1/me/data-access`).
    pub office: String,
}

/// Characters an office's name may have at most.
pub const OFFICE_MAX_CHARS: usize = 60;

/// The local staff account's office.
pub const LOCAL_OFFICE: &str = "福田区福田街道居住登记受理点（本地开发）";

#[derive(Debug, PartialEq, Eq)]
pub enum StaffOutcome {
    Created { account_id: String },
    AlreadyExists { account_id: String },
}

#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error("{field}: {invalid}")]
    Invalid {
        field: &'static str,
        invalid: Invalid,
    },
    #[error("{0}")]
    Store(#[from] StoreError),
}

fn field<T>(name: &'static str, result: Result<T, Invalid>) -> Result<T, StaffError> {
    result.map_err(|invalid| StaffError::Invalid {
        field: name,
        invalid,
    })
}

/// Creates a staff account unless one with that username exists (idempotent).
pub async fn create(ctx: &AppContext, staff: NewStaff) -> Result<StaffOutcome, StaffError> {
    let username = field("username", Username::parse(&staff.username))?;
    if let Some(existing) = accounts::find_by_username(&ctx.db, &username.key()).await? {
        return Ok(StaffOutcome::AlreadyExists {
            account_id: existing.account_id,
        });
    }
    let real_name = field("real_name", RealName::parse(&staff.real_name))?;
    let phone = field("phone", PhoneNumber::parse(&staff.phone))?;
    let document = field(
        "id_number",
        IdDocument::parse(IdType::ResidentId, &staff.id_number),
    )?;
    let password = field(
        "password",
        Password::new_checked(&staff.password, Some(username.as_str())),
    )?;
    let office = field(
        "office",
        text(
            &staff.office,
            2,
            OFFICE_MAX_CHARS,
            "INVALID_OFFICE",
            "受理点名称须为 2–60 个字符",
        ),
    )?;

    let holder = Holder {
        account_type: AccountType::Staff,
        role: Role::Staff,
        username: &username,
        real_name: &real_name,
        document: Some(&document),
        phone: &phone,
    };
    let mut record = AccountRecord::new(&holder, hash_password(&password));
    record.office = Some(office);
    match accounts::create(&ctx.db, &holder, &record, None, &[]).await {
        Ok(()) => Ok(StaffOutcome::Created {
            account_id: record.account_id,
        }),
        // Made between the look-up above and this write (two local stacks preparing at once
        // on fresh tables): the account that holds the username is the one asked for.
        Err(error) if error.is(Clash::UsernameTaken) => {
            match accounts::find_by_username(&ctx.db, &username.key()).await? {
                Some(existing) => Ok(StaffOutcome::AlreadyExists {
                    account_id: existing.account_id,
                }),
                None => Err(error.into()),
            }
        }
        Err(error) => Err(error.into()),
    }
}

/// The contract's local staff account (`docs/spec/api-contract.md`): username `staff`, phone
/// 13900000000, password from `LOCAL_STAFF_PASSWORD` (default `staff-local-pass-2026`), office
/// [`LOCAL_OFFICE`]. Only the local stack creates it.
pub fn local_staff(password: Option<String>) -> NewStaff {
    NewStaff {
        username: "staff".into(),
        real_name: "受理点工作人员".into(),
        phone: "13900000000".into(),
        // A valid, obviously synthetic number (born 1990-01-01 in Futian).
        id_number: "440304199001010011".into(),
        password: password.unwrap_or_else(|| "staff-local-pass-2026".into()),
        office: LOCAL_OFFICE.into(),
    }
}
