//! Values for unit tests (invented people and places), so that each test module does not write
//! its own.

use chrono::NaiveDate;

use crate::domain::account::RealName;
use crate::domain::id_document::{IdDocument, IdType};
use crate::domain::resident::{Education, Ethnicity, MaritalStatus, Resident, SexCode};
use crate::store::house_links::{LinkRecord, LinkedHouse};

/// A date written `YYYY-MM-DD`.
pub fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a YYYY-MM-DD date")
}

/// A resident whose resident ID agrees with their birth date (1949-12-31) and sex (female); no
/// phone.
pub fn resident() -> Resident {
    Resident {
        name: RealName::parse("李四").unwrap(),
        sex: SexCode::parse("2").unwrap(),
        ethnicity: Ethnicity::parse("01").unwrap(),
        birth_date: date("1949-12-31"),
        document: IdDocument::parse(IdType::ResidentId, "11010519491231002X").unwrap(),
        household_address: "北京市朝阳区某街道1号".into(),
        marital_status: MaritalStatus::parse("20").unwrap(),
        education: Education::parse("20").unwrap(),
        occupation: "教师".into(),
        workplace: "某某学校".into(),
        relationship: "租客".into(),
        phone: None,
    }
}

/// A house of the address table, as a link records it.
pub fn linked_house() -> LinkedHouse {
    LinkedHouse {
        house_id: "h-1".into(),
        house_code: "4403050070000000001000001".into(),
        room: "101".into(),
        building_id: "b-1".into(),
        building_name: "一栋".into(),
        address: "深圳市南山区测试路1号".into(),
        street_code: "440305007".into(),
    }
}

/// Link `l-1` of account `a-1`, with this status and declarant type (wire names) and no house.
pub fn link(status: &str, declarant_type: &str) -> LinkRecord {
    serde_json::from_value(serde_json::json!({
        "pk": "ACCOUNT#a-1", "sk": "LINK#l-1", "link_id": "l-1", "account_id": "a-1",
        "status": status, "declarant_type": declarant_type,
        "created_at": "2026-12-03T01:00:00Z", "claim": "ACTIVE#h-1",
    }))
    .expect("a stored link")
}
