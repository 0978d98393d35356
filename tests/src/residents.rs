//! Test data for residents: move-in bodies whose fields agree with their ID number, declarations.

use serde_json::{Value, json};
use shared::domain::id_number::{IdNumber, Sex};

use crate::houses::{approved_link, staff_session};
use crate::{Answer, Client, fixtures};

/// China's date today, as the server reckons deadlines.
pub fn today() -> chrono::NaiveDate {
    shared::clock::today_in_china()
}

pub fn days_ago(days: i64) -> String {
    (today() - chrono::Duration::days(days)).to_string()
}

/// A complete, valid move-in body for a resident with this resident ID number, moved in today.
pub fn resident_body_for(id_number: &str) -> Value {
    let id = IdNumber::parse(id_number).expect("valid ID number");
    json!({
        "name": "王小明",
        "sex": if id.sex() == Sex::Male { "1" } else { "2" },
        "ethnicity": "01",
        "birth_date": id.birth_date().to_string(),
        "id_type": "resident_id",
        "id_number": id_number,
        "household_address": "广东省梅州市梅江区江南路8号",
        "marital_status": "20",
        "education": "30",
        "occupation": "软件工程师",
        "workplace": "深圳市某科技有限公司",
        "relationship": "租客",
        "phone": fixtures::phone(),
        "moved_in_on": today().to_string(),
    })
}

/// A move-in body for the holder of an account the fixtures registered: their ID number and
/// their name, so the registration is theirs (residence records, permit eligibility).
pub fn holder_body(holder: &fixtures::User) -> Value {
    let mut body = resident_body_for(&holder.id_number);
    body["name"] = json!(fixtures::REAL_NAME);
    body
}

/// A valid move-in body for a fresh random resident.
pub fn resident_body() -> Value {
    resident_body_for(&fixtures::id_number())
}

pub fn residents_path(link_id: &str) -> String {
    format!("/v1/me/houses/{link_id}/residents")
}

pub fn counter_residents_path(link_id: &str) -> String {
    format!("/v1/staff/house-links/{link_id}/residents")
}

pub async fn declare(client: &Client, token: &str, link_id: &str, body: &Value) -> Answer {
    client
        .post_auth(&residents_path(link_id), token, body)
        .await
}

/// Declares a move-in; asserts 201 and returns the registration.
pub async fn declared(client: &Client, token: &str, link_id: &str, body: &Value) -> Value {
    let answer = declare(client, token, link_id, body).await;
    assert_eq!(answer.status, 201, "declare: {:#}", answer.body);
    answer.body
}

pub fn registration_path(registration: &Value) -> String {
    format!(
        "/v1/registrations/{}",
        registration["registration_id"]
            .as_str()
            .expect("registration_id")
    )
}

pub async fn end(client: &Client, token: &str, registration: &Value, body: &Value) -> Answer {
    client
        .post_auth(
            &format!("{}/deregistration", registration_path(registration)),
            token,
            body,
        )
        .await
}

/// The declarant ends `registration` as moved out today: 200, the ended registration.
pub async fn moved_out_today(client: &Client, token: &str, registration: &Value) -> Value {
    let body = json!({"reason": "moved_out", "moved_out_on": today().to_string()});
    let ended = end(client, token, registration, &body).await;
    assert_eq!(ended.status, 200, "{:#}", ended.body);
    ended.body
}

/// One resident declared under a fresh approved link: who declared it, and what.
pub struct Declared {
    pub staff_token: String,
    pub token: String,
    /// The approved link (as staff answered the decision).
    pub link: Value,
    /// The move-in body.
    pub body: Value,
    /// The registration as the move-in answered it.
    pub registration: Value,
}

/// Declares `body` under a fresh approved link of a fresh declarant.
pub async fn declared_under_new_link(client: &Client, body: Value) -> Declared {
    let (_, staff_token) = staff_session(client).await;
    let (_, token, link) = approved_link(client, &staff_token).await;
    let link_id = link["link_id"].as_str().expect("link_id").to_owned();
    let registration = declared(client, &token, &link_id, &body).await;
    Declared {
        staff_token,
        token,
        link,
        body,
        registration,
    }
}
