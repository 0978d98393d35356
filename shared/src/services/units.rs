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
use crate::http::Fields;
use crate::store::accounts::{AccountRecord, Holder};
use crate::store::house_links::LinkRecord;
use crate::store::units::{self, UnitRecord};

use super::account_registration::new_password;
use super::account_view::AccountView;
use super::house_links::{LinkRequest, LinkView, require_listed_houses, require_staff};

/// The body of `POST /v1/staff/units`.
pub struct UnitOpening {
    name: OrganizationName,
    uscc: CreditCode,
    contact_name: RealName,
    admin_username: Username,
    admin_phone: PhoneNumber,
    admin_password: Password,
    houses: Vec<LinkRequest>,
}

struct AdminFields {
    username: Username,
    phone: PhoneNumber,
    password: Password,
}

impl UnitOpening {
    pub fn from_fields(f: &mut Fields, max_houses: usize) -> Option<Self> {
        let name = f.required("name", OrganizationName::parse);
        let uscc = f.required("uscc", CreditCode::parse);
        let contact_name = f.required("contact_name", RealName::parse);
        let admin = f.required_object("admin", |a| {
            let username = a.required("username", Username::parse);
            let phone = a.required("phone", PhoneNumber::parse);
            let raw = a.required_raw("initial_password");
            let password = raw
                .and_then(|raw| new_password(a, "admin.initial_password", &raw, username.as_ref()));
            Some(AdminFields {
                username: username?,
                phone: phone?,
                password: password?,
            })
        });
        let houses = f.optional_objects("houses", max_houses, |item| {
            let prefix = format!("{}.", item.prefix());
            LinkRequest::from_fields(item, &prefix)
        });
        let admin = admin?;
        Some(Self {
            name: name?,
            uscc: uscc?,
            contact_name: contact_name?,
            admin_username: admin.username,
            admin_phone: admin.phone,
            admin_password: admin.password,
            houses: houses.unwrap_or_default(),
        })
    }
}

/// A unit as staff see it once opened.
#[derive(Debug, Serialize)]
pub struct UnitView {
    pub unit_id: String,
    pub name: String,
    pub uscc: String,
    pub contact_name: String,
    /// The administrator account: it logs in on the residence-registration platform with role
    /// `admin` and must replace the initial password at the first login.
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
        account_type: AccountType::ResidenceRegistration,
        role: Role::Admin,
        username: &opening.admin_username,
        real_name: &opening.contact_name,
        document: None,
        phone: &opening.admin_phone,
    };
    let mut admin = AccountRecord::new(&holder, password_hash);
    let unit = UnitRecord::new(
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
            LinkRecord::new(ctx, &admin.account_id, declarant_type, target)
                .approved_at_counter(&principal.account_id)
        })
        .collect();
    units::open(ctx, &unit, &holder, &admin, &links)
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
        name: unit.name,
        uscc: unit.uscc,
        contact_name: unit.contact_name,
        admin: AccountView::from(&admin),
        houses: links.iter().map(LinkView::from).collect(),
        opened_by: unit.opened_by,
        created_at: unit.created_at,
    })
}
