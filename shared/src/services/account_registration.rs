//! Opening an individual account: by the citizen online (F1, F2) or by counter staff for a person
//! who cannot register online (F4).

use crate::context::AppContext;
use crate::domain::account::{AccountType, RealName, Role, Username};
use crate::domain::id_document::IdDocument;
use crate::domain::password::Password;
use crate::domain::phone::PhoneNumber;
use crate::domain::sms::SmsPurpose;
use crate::error::{ApiError, FieldError};
use crate::store::accounts::{self, AccountRecord, Holder};
use crate::store::house_links::LinkRecord;
use crate::store::{Clash, StoreError};

use super::house_links::{LinkRequest, require_listed_houses};
use super::views::account::AccountView;
use super::views::house_link::LinkView;

/// A new account and the house links made with it.
#[derive(Debug, serde::Serialize)]
pub struct OpenedAccount {
    #[serde(flatten)]
    pub account: AccountView,
    pub houses: Vec<LinkView>,
}

/// How an account is being opened.
pub enum Opening {
    /// By the citizen: the phone is proven by a `register` code.
    Online { sms_code: String },
    /// By counter staff, who checked the person and their houses in person: the password is an
    /// initial one the person replaces at the first login, and the houses are approved by the
    /// same staff member.
    Counter { staff_id: String },
}

/// A registration whose every field has been validated.
pub struct Registration {
    pub account_type: AccountType,
    pub username: Username,
    pub password: Password,
    pub real_name: RealName,
    pub document: IdDocument,
    pub phone: PhoneNumber,
    /// Houses to link at once (residence-registration accounts only).
    pub houses: Vec<LinkRequest>,
    pub opening: Opening,
}

/// The houses a registration asks for must suit it: only residence-registration accounts link
/// houses, and staff approve only houses found in the reference data (a hand-written address
/// goes through the review queue instead).
fn check_houses_allowed(registration: &Registration) -> Result<(), ApiError> {
    if !registration.houses.is_empty()
        && registration.account_type != AccountType::ResidenceRegistration
    {
        return Err(ApiError::validation(FieldError::new(
            "houses",
            "NOT_ALLOWED",
            "只有居住登记账号可以关联房屋",
        )));
    }
    match registration.opening {
        Opening::Counter { .. } => require_listed_houses(&registration.houses),
        Opening::Online { .. } => Ok(()),
    }
}

/// Checks the houses (and, online, the SMS code), then writes the account, its unique claims, its
/// house links and the code's consumption in one transaction. Two registrations of one username
/// at once: exactly one succeeds.
pub async fn register(
    ctx: &AppContext,
    mut registration: Registration,
) -> Result<OpenedAccount, ApiError> {
    check_houses_allowed(&registration)?;
    // Before the code check, so that a mistyped house does not use up one of the code's tries.
    let houses = super::house_links::resolve(ctx, std::mem::take(&mut registration.houses)).await?;
    let code = match &registration.opening {
        Opening::Online { sms_code } => Some(
            super::sms_codes::check(
                ctx,
                &registration.phone,
                SmsPurpose::Register,
                &[],
                sms_code,
            )
            .await?,
        ),
        Opening::Counter { .. } => None,
    };

    let password_hash = super::hashed(registration.password).await?;

    let holder = Holder {
        account_type: registration.account_type,
        role: Role::Individual,
        username: &registration.username,
        real_name: &registration.real_name,
        document: Some(&registration.document),
        phone: &registration.phone,
    };
    let mut record = AccountRecord::new(&holder, password_hash);
    let approved_by = match &registration.opening {
        Opening::Online { .. } => None,
        Opening::Counter { staff_id } => {
            record.must_change_password = true;
            record.opened_by = Some(staff_id.clone());
            // Staff have seen the document: the identity is verified at opening.
            record.identity = Some(super::identity::counter_proof(staff_id, &record.created_at));
            Some(staff_id.as_str())
        }
    };
    let links: Vec<LinkRecord> = houses
        .into_iter()
        .map(|(declarant_type, target)| {
            let link = LinkRecord::new(&ctx.db, &record.account_id, declarant_type, target);
            match approved_by {
                Some(staff_id) => link.approved_at_counter(staff_id),
                None => link,
            }
        })
        .collect();
    match accounts::create(&ctx.db, &holder, &record, code.as_ref(), &links).await {
        Ok(()) => {}
        // A spent code answers first: the values taken are not shown without a valid code.
        Err(error) if error.is(Clash::CodeSpent) => return Err(ApiError::SmsCodeInvalid),
        Err(error) => {
            // An answer that tells an ID document has an account uses the code up: one code
            // probes one document at most (a new code costs an SMS and its limits).
            if let Some(code) = code.as_ref().filter(|_| error.is(Clash::IdDocumentTaken)) {
                match code.consume(&ctx.db).await {
                    Ok(()) | Err(StoreError::Conflict(_)) => {}
                    Err(other) => return Err(other.into()),
                }
            }
            return Err(error.into());
        }
    }
    let view = AccountView::from(&record);
    tracing::info!(
        account_id = %view.account_id,
        account_type = view.account_type.as_str(),
        opened_by = record.opened_by.as_deref().unwrap_or("self"),
        houses = links.len(),
        "account opened"
    );
    Ok(OpenedAccount {
        account: view,
        houses: links.iter().map(LinkView::from).collect(),
    })
}
