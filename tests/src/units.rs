//! Test data for units: credit codes, units opened by staff, their administrators and
//! sub-accounts, logged in with their own passwords.

use serde_json::{Value, json};

use crate::fixtures::{self, PASSWORD, User};
use crate::houses::{Seeded, link_body, seed_building, unique_name_part};
use crate::{Answer, Client};

const CREDIT_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// A fresh unified social credit code with a valid check character (found by trying each one).
pub fn credit_code() -> String {
    let mut bytes = [0u8; 17];
    getrandom::fill(&mut bytes).expect("random");
    let mut first17: String = "91440300"
        .chars()
        .chain(
            bytes[8..]
                .iter()
                .map(|b| CREDIT_ALPHABET[*b as usize % 31] as char),
        )
        .collect();
    first17.truncate(17);
    CREDIT_ALPHABET
        .iter()
        .map(|&c| format!("{first17}{}", c as char))
        .find(|code| shared::domain::credit_code::CreditCode::parse(code).is_ok())
        .expect("one check character fits")
}

/// The body of `POST /v1/staff/units` for a fresh unit with the given houses.
pub fn unit_body(house_ids: &[String]) -> Value {
    json!({
        "name": format!("深圳市{}科技有限公司", unique_name_part()),
        "uscc": credit_code(),
        "contact_name": "李经理",
        "admin": {
            "username": fixtures::username(),
            "phone": fixtures::phone(),
            "initial_password": PASSWORD,
        },
        "houses": house_ids.iter().map(|id| link_body(id, "employer_or_school")).collect::<Vec<_>>(),
    })
}

pub async fn open_unit_answer(client: &Client, staff_token: &str, body: &Value) -> Answer {
    client.post_auth("/v1/staff/units", staff_token, body).await
}

/// The administrator of the unit that `body` opened (`answer`: the 201 body), not yet logged in.
pub fn admin_of(body: &Value, answer: &Value) -> User {
    User {
        account_id: answer["admin"]["account_id"].as_str().unwrap().to_owned(),
        account_type: body["platform"]
            .as_str()
            .unwrap_or("residence_registration")
            .to_owned(),
        username: body["admin"]["username"].as_str().unwrap().to_owned(),
        password: body["admin"]["initial_password"]
            .as_str()
            .unwrap()
            .to_owned(),
        phone: body["admin"]["phone"].as_str().unwrap().to_owned(),
        id_number: String::new(),
        role: Some("admin".into()),
    }
}

/// A unit opened by staff, its administrator logged in with a password of their own.
pub struct Unit {
    /// The answer to `POST /v1/staff/units`.
    pub opened: Value,
    pub admin: User,
    pub admin_token: String,
    /// The unit's approved links, in the order of its houses.
    pub link_ids: Vec<String>,
    pub building: Seeded,
}

/// Opens a unit with `rooms` houses in a building of its own and logs its administrator in.
pub async fn open_unit(client: &Client, staff_token: &str, rooms: &[&str]) -> Unit {
    let building = seed_building(&client.stack, "440305001", &unique_name_part(), rooms).await;
    let houses: Vec<String> = rooms.iter().map(|r| building.house_id(r)).collect();
    let body = unit_body(&houses);
    let answer = open_unit_answer(client, staff_token, &body).await;
    assert_eq!(answer.status, 201, "open unit: {:#}", answer.body);
    let (admin, admin_token) = fixtures::first_login(client, &admin_of(&body, &answer.body)).await;
    let link_ids = answer.body["houses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["link_id"].as_str().unwrap().to_owned())
        .collect();
    Unit {
        opened: answer.body,
        admin,
        admin_token,
        link_ids,
        building,
    }
}

/// The body of `POST /v1/unit/sub-accounts` for a fresh sub-account, with a well-formed but made
/// up `sms_code` (enough for bodies refused before the code is checked; see [`with_phone_code`]).
pub fn sub_account_body(link_ids: &[String]) -> Value {
    json!({
        "username": fixtures::username(),
        "real_name": "王小二",
        "phone": fixtures::phone(),
        "password": PASSWORD,
        "link_ids": link_ids,
        "sms_code": "000000",
    })
}

/// A `sub_account_phone` code for `phone`, asked for by the administrator of `admin_token` (as
/// the phone's holder would read it out to them).
pub async fn sub_account_phone_code(client: &Client, admin_token: &str, phone: &str) -> String {
    fixtures::session_code(client, admin_token, phone, "sub_account_phone").await
}

/// Puts the code of `body["phone"]` into `body["sms_code"]` (a creation or a phone change).
pub async fn with_phone_code(client: &Client, admin_token: &str, mut body: Value) -> Value {
    let phone = body["phone"].as_str().expect("a phone").to_owned();
    body["sms_code"] = json!(sub_account_phone_code(client, admin_token, &phone).await);
    body
}

/// Adds a sub-account with `link_ids` (asserting 201); returns it (not logged in) and the answer.
pub async fn add_sub_account(
    client: &Client,
    admin_token: &str,
    link_ids: &[String],
) -> (User, Value) {
    let body = with_phone_code(client, admin_token, sub_account_body(link_ids)).await;
    let answer = client
        .post_auth("/v1/unit/sub-accounts", admin_token, &body)
        .await;
    assert_eq!(answer.status, 201, "add sub-account: {:#}", answer.body);
    let user = User {
        account_id: answer.body["account_id"].as_str().unwrap().to_owned(),
        account_type: "residence_registration".into(),
        username: body["username"].as_str().unwrap().to_owned(),
        password: PASSWORD.into(),
        phone: body["phone"].as_str().unwrap().to_owned(),
        id_number: String::new(),
        role: Some("sub_account".into()),
    };
    (user, answer.body)
}

/// Adds a sub-account with `link_ids` and logs it in with a password of its own.
pub async fn sub_account_session(
    client: &Client,
    admin_token: &str,
    link_ids: &[String],
) -> (User, String) {
    let (user, _) = add_sub_account(client, admin_token, link_ids).await;
    fixtures::first_login(client, &user).await
}

pub fn sub_account_path(account_id: &str) -> String {
    format!("/v1/unit/sub-accounts/{account_id}")
}

/// A unit opened on the residence-permit platform (a unit agent, F25), its administrator logged
/// in with a password of their own: the answer, the administrator and their token.
pub async fn open_permit_unit(client: &Client, staff_token: &str) -> (Value, User, String) {
    let mut body = unit_body(&[]);
    body["platform"] = json!("residence_permit");
    body.as_object_mut().unwrap().remove("houses");
    let answer = open_unit_answer(client, staff_token, &body).await;
    assert_eq!(answer.status, 201, "open permit unit: {:#}", answer.body);
    let (admin, token) = fixtures::first_login(client, &admin_of(&body, &answer.body)).await;
    (answer.body, admin, token)
}
