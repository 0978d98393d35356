//! Test data for houses: buildings of our own (unique names and codes), staff sessions, links.

use serde_json::{Value, json};
use shared::domain::address::{BuildingCode, HouseCode, Room};
use shared::store::address::{Building, House, building_items, house_item};

use crate::fixtures::{self, PASSWORD, User};
use crate::{Answer, Client, Stack};

fn random_u64() -> u64 {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).expect("random");
    u64::from_le_bytes(b)
}

/// Three random CJK characters: a name part no other test's building has.
pub fn unique_name_part() -> String {
    (0..3)
        .map(|i| char::from_u32(0x4E00 + ((random_u64() >> (i * 16)) % 0x5000) as u32).unwrap())
        .collect()
}

/// A building written straight into the address table (the items the operator tool writes).
#[derive(Debug, Clone)]
pub struct Seeded {
    pub building: Building,
    pub houses: Vec<House>,
}

impl Seeded {
    pub fn house_id(&self, room: &str) -> String {
        self.houses
            .iter()
            .find(|h| h.room == room)
            .unwrap_or_else(|| panic!("room {room}"))
            .house_id
            .clone()
    }
}

/// Seeds a building named `name` in `street` with the given rooms (numbered rooms get the
/// standard's 6-digit room part).
pub async fn seed_building(stack: &Stack, street: &str, name: &str, rooms: &[&str]) -> Seeded {
    let ctx = stack.context();
    let code = BuildingCode::parse(&format!("{street}{:010}", random_u64() % 10_000_000_000))
        .expect("building code");
    let building = Building::new(
        &code,
        name,
        &format!("深圳市测试路{}号", random_u64() % 1000),
    );
    let houses: Vec<House> = rooms
        .iter()
        .enumerate()
        .map(|(i, room)| {
            let room = Room::parse(room).expect("room");
            let house_code = HouseCode::parse(&format!("{code}{:06}", i + 1)).expect("code");
            let floor = room.as_str().parse::<i32>().ok().map(|n| n / 100);
            House::new(&house_code, &room, floor)
        })
        .collect();
    let items = building_items(&building)
        .expect("building items")
        .into_iter()
        .chain(
            houses
                .iter()
                .map(|house| house_item(house).expect("house item")),
        );
    for item in items {
        ctx.db
            .client
            .put_item()
            .table_name(&ctx.config.tables.address)
            .set_item(Some(item))
            .send()
            .await
            .expect("seed item");
    }
    Seeded { building, houses }
}

/// The office of the tests' staff accounts (what the people whose data they read are shown).
pub const STAFF_OFFICE: &str = "罗湖区桂园街道居住登记受理点";

/// A staff account of its own (the operator tool's code path), logged in.
pub async fn staff_session(client: &Client) -> (User, String) {
    let ctx = client.stack.context();
    let user = User {
        account_id: String::new(),
        account_type: "staff".into(),
        username: fixtures::username(),
        password: PASSWORD.into(),
        phone: fixtures::phone(),
        id_number: fixtures::id_number(),
        role: None,
    };
    let outcome = infra::operator::staff::create(
        &ctx,
        infra::operator::staff::NewStaff {
            username: user.username.clone(),
            real_name: "审核员".into(),
            phone: user.phone.clone(),
            id_number: user.id_number.clone(),
            password: user.password.clone(),
            office: STAFF_OFFICE.into(),
        },
    )
    .await
    .expect("staff account");
    let account_id = match outcome {
        infra::operator::staff::StaffOutcome::Created { account_id } => account_id,
        infra::operator::staff::StaffOutcome::AlreadyExists { account_id } => account_id,
    };
    let user = User { account_id, ..user };
    let token = fixtures::login(client, &user, &fixtures::device_id()).await;
    (user, token)
}

pub fn link_body(house_id: &str, declarant_type: &str) -> Value {
    json!({"house_id": house_id, "declarant_type": declarant_type})
}

pub fn manual_body(district: &str, street: &str, address: &str) -> Value {
    json!({
        "declarant_type": "lessor",
        "manual_address": {"district": district, "street": street, "address": address},
    })
}

/// Links a house; asserts 201 and returns the link.
pub async fn link(client: &Client, token: &str, body: &Value) -> Value {
    let answer = client.post_auth("/v1/me/houses", token, body).await;
    assert_eq!(answer.status, 201, "link: {:#}", answer.body);
    answer.body
}

pub async fn decide(client: &Client, staff_token: &str, link_id: &str, body: &Value) -> Answer {
    client
        .post_auth(
            &format!("/v1/staff/house-links/{link_id}/decision"),
            staff_token,
            body,
        )
        .await
}

/// Links `house_id` and has staff reject it; returns the rejected link.
pub async fn rejected_link(
    client: &Client,
    token: &str,
    staff_token: &str,
    house_id: &str,
) -> Value {
    let created = link(client, token, &link_body(house_id, "lessor")).await;
    let link_id = created["link_id"].as_str().unwrap();
    let answer = decide(
        client,
        staff_token,
        link_id,
        &json!({"approve": false, "reason": "材料不全"}),
    )
    .await;
    assert_eq!(answer.status, 200, "reject: {:#}", answer.body);
    answer.body
}

/// A residence-registration account with an approved link to a fresh house.
pub async fn approved_link(client: &Client, staff_token: &str) -> (User, String, Value) {
    let (user, token) = fixtures::logged_in(client, "residence_registration").await;
    let seeded = seed_building(&client.stack, "440303001", &unique_name_part(), &["101"]).await;
    let link = link(
        client,
        &token,
        &link_body(&seeded.house_id("101"), "lessor"),
    )
    .await;
    let link_id = link["link_id"].as_str().unwrap();
    let answer = decide(client, staff_token, link_id, &json!({"approve": true})).await;
    assert_eq!(answer.status, 200, "approve: {:#}", answer.body);
    (user, token, answer.body)
}

/// Staff verify the account's identity at the counter (as if they had seen the document).
pub async fn verify_at_counter(client: &Client, staff_token: &str, account_id: &str) {
    let verified = client
        .post_auth(
            &format!("/v1/staff/accounts/{account_id}/identity-verification"),
            staff_token,
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(verified.status, 200, "{:#}", verified.body);
}
