//! Opening a unit account at the counter (F3): the organization, its administrator account and
//! its houses, approved by the staff member who opened it.

use serde::Serialize;

use crate::auth::Principal;
use crate::context::AppContext;
use crate::domain::account::{AccountType, RealName, Role, Username};
use crate::domain::credit_code::CreditCode;
use crate::domain::password::Password;
use crate::domain::phone::PhoneNumber;
use crate::domain::unit::OrganizationName;
use crate::error::ApiError;
use crate::store::accounts::{AccountRecord, Holder};
use crate::store::house_links::LinkRecord;
use crate::store::units::{self, UnitRecord};

use super::authorization::require_staff;
use super::house_links::{LinkRequest, require_listed_houses};
use super::views::account::AccountView;
use super::views::house_link::LinkView;

/// The body of `POST /v1/staff/units`.
pub struct UnitOpening {
    /// The platform its administrator logs in on: `residence_registration` (a landlord or
    /// employer declaring residents), or `residence_permit` (an employer filing permit
    /// applications for its employees, F25).
    pub platform: AccountType,
    pub name: OrganizationName,
    pub uscc: CreditCode,
    pub contact_name: RealName,
    pub admin_username: Username,
    pub admin_phone: PhoneNumber,
    pub admin_password: Password,
    pub houses: Vec<LinkRequest>,
}

/// A unit as staff see it once opened.
#[derive(Debug, Serialize)]
pub struct UnitView {
    pub unit_id: String,
    pub platform: AccountType,
    pub name: String,
    pub uscc: String,
    pub contact_name: String,
    /// The administrator account: it logs in on the unit's platform with role `admin` and must
    /// replace the initial password at the first login.
    pub admin: AccountView,
    pub houses: Vec<LinkView>,
    pub opened_by: String,
    pub created_at: String,
}

/// `POST /v1/staff/units`: checks the houses, then writes the unit, its administrator and its
/// approved links in one transaction.
pub async fn open(
    ctx: &AppContext,
    principal: &Principal,
    opening: UnitOpening,
) -> Result<UnitView, ApiError> {
    require_staff(principal)?;
    require_listed_houses(&opening.houses)?;
    let houses = super::house_links::resolve(ctx, opening.houses).await?;
    let password_hash = super::hashed(opening.admin_password).await?;

    let holder = Holder {
        account_type: opening.platform,
        role: Role::Admin,
        username: &opening.admin_username,
        real_name: &opening.contact_name,
        document: None,
        phone: &opening.admin_phone,
    };
    let mut admin = AccountRecord::new(&holder, password_hash);
    let unit = UnitRecord::new(
        opening.platform,
        opening.name.as_str(),
        opening.uscc.as_str(),
        opening.contact_name.as_str(),
        &admin.account_id,
        &principal.account_id,
    );
    admin.must_change_password = true;
    admin.opened_by = Some(principal.account_id.clone());
    admin.unit = Some(unit.membership());
    let links: Vec<LinkRecord> = houses
        .into_iter()
        .map(|(declarant_type, target)| {
            LinkRecord::new(&ctx.db, &admin.account_id, declarant_type, target)
                .approved_at_counter(&principal.account_id)
        })
        .collect();
    units::open(&ctx.db, &unit, &holder, &admin, &links)
        .await
        .map_err(|error| super::conflicts::answer(error, "admin."))?;
    tracing::info!(
        unit_id = %unit.unit_id,
        admin_account_id = %admin.account_id,
        staff_id = %principal.account_id,
        houses = links.len(),
        "unit opened"
    );
    Ok(UnitView {
        unit_id: unit.unit_id,
        platform: unit.platform,
        name: unit.name,
        uscc: unit.uscc,
        contact_name: unit.contact_name,
        admin: AccountView::from(&admin),
        houses: links.iter().map(LinkView::from).collect(),
        opened_by: unit.opened_by,
        created_at: unit.created_at,
    })
}
