//! Districts and streets as citizens see them: the 10 districts (大鹏新区 shown as an area of its
//! own) and their 74 streets, with the official codes.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::address::StreetCode;

/// One street (街道) with its district (区) and the management area a citizen sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Street {
    pub street_code: String,
    pub street_name: String,
    pub district_code: String,
    pub district_name: String,
    pub area_name: String,
}

/// Functional areas (功能区) that citizens see as districts but that have no code of their own in
/// the national divisions: their code here is the district code their streets carry plus a suffix.
const FUNCTIONAL_AREA_CODES: [(&str, &str); 1] = [("大鹏新区", "440307-DP")];

/// The code of the area a street is shown under.
pub fn area_code(street: &Street) -> Option<String> {
    if street.area_name == street.district_name {
        return Some(street.district_code.clone());
    }
    FUNCTIONAL_AREA_CODES
        .iter()
        .find(|(name, _)| *name == street.area_name)
        .map(|(_, code)| (*code).to_owned())
}

#[derive(Debug, Clone, Serialize)]
pub struct StreetView {
    pub code: String,
    pub name: String,
}

/// A district as citizens see it (大鹏新区 included as its own area).
#[derive(Debug, Clone, Serialize)]
pub struct District {
    pub code: String,
    pub name: String,
    /// The national division code its streets carry (440307 for both 龙岗区 and 大鹏新区).
    pub division_code: String,
    pub streets: Vec<StreetView>,
}

/// All districts and streets, and which area each street belongs to.
#[derive(Debug, Clone, Default)]
pub struct Districts {
    pub districts: Vec<District>,
    street_area: HashMap<String, usize>,
}

impl Districts {
    pub fn from_streets(mut streets: Vec<Street>) -> Self {
        streets.sort_by(|a, b| a.street_code.cmp(&b.street_code));
        let mut out = Self::default();
        let mut by_code: BTreeMap<String, usize> = BTreeMap::new();
        for street in streets {
            let Some(code) = area_code(&street) else {
                tracing::warn!(area = %street.area_name, "street of an area without a code: left out");
                continue;
            };
            let index = *by_code.entry(code.clone()).or_insert_with(|| {
                out.districts.push(District {
                    code,
                    name: street.area_name.clone(),
                    division_code: street.district_code.clone(),
                    streets: Vec::new(),
                });
                out.districts.len() - 1
            });
            out.street_area.insert(street.street_code.clone(), index);
            out.districts[index].streets.push(StreetView {
                code: street.street_code,
                name: street.street_name,
            });
        }
        out
    }

    /// The area a street belongs to.
    pub fn area_of(&self, street: &StreetCode) -> Option<&District> {
        self.street_area
            .get(street.as_str())
            .map(|&i| &self.districts[i])
    }

    pub fn area(&self, code: &str) -> Option<&District> {
        self.districts.iter().find(|d| d.code == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn street(code: &str, area: &str, district: &str) -> Street {
        Street {
            street_code: code.into(),
            street_name: format!("{code}街道"),
            district_code: code[..6].into(),
            district_name: district.into(),
            area_name: area.into(),
        }
    }

    #[test]
    fn dapeng_is_its_own_area_with_its_own_code() {
        let districts = Districts::from_streets(vec![
            street("440307001", "龙岗区", "龙岗区"),
            street("440307009", "大鹏新区", "龙岗区"),
            street("440303001", "罗湖区", "罗湖区"),
        ]);
        let codes: Vec<&str> = districts
            .districts
            .iter()
            .map(|d| d.code.as_str())
            .collect();
        assert_eq!(codes, ["440303", "440307", "440307-DP"]);
        let dapeng = districts.area("440307-DP").unwrap();
        assert_eq!(dapeng.division_code, "440307");
        let kuiyong = StreetCode::parse("440307009").unwrap();
        assert_eq!(districts.area_of(&kuiyong).unwrap().name, "大鹏新区");
    }
}
