//! Test data: valid random identities, registered accounts, logged-in sessions.

use serde_json::{Value, json};

use crate::Client;

fn random_u64() -> u64 {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).expect("random");
    u64::from_le_bytes(b)
}

/// A mainland mobile number nobody else in the test run uses (in practice).
pub fn phone() -> String {
    format!(
        "1{}{:09}",
        3 + random_u64() % 7,
        random_u64() % 1_000_000_000
    )
}

/// A valid resident ID number (GB 11643), random birth date and sequence.
pub fn id_number() -> String {
    let r = random_u64();
    let year = 1960 + r % 45;
    let month = 1 + (r >> 8) % 12;
    let day = 1 + (r >> 16) % 28;
    let seq = (r >> 24) % 1000;
    let first17 = format!("440304{year:04}{month:02}{day:02}{seq:03}");
    let check = shared::domain::id_number::check_char(first17.as_bytes()) as char;
    format!("{first17}{check}")
}

/// A fresh valid username.
pub fn username() -> String {
    format!("u{:012x}", random_u64() & 0xffff_ffff_ffff)
}

/// A fresh device id.
pub fn device_id() -> String {
    format!("test-device-{:016x}", random_u64())
}

pub const PASSWORD: &str = "Lychee-Season-2026";

/// The one run of exactly six digits in a message.
pub fn six_digit_code(message: &str) -> Option<String> {
    let runs: Vec<&str> = message
        .split(|c: char| !c.is_ascii_digit())
        .filter(|run| run.len() == 6)
        .collect();
    match runs.as_slice() {
        [code] => Some((*code).to_owned()),
        _ => None,
    }
}

/// A registered (not yet logged-in) account.
#[derive(Debug, Clone)]
pub struct User {
    pub account_id: String,
    pub account_type: String,
    pub username: String,
    pub password: String,
    pub phone: String,
    /// Empty for unit accounts.
    pub id_number: String,
    /// The role a unit account states at login (`admin`, `sub_account`).
    pub role: Option<String>,
}

/// The account a registration body (`POST /v1/accounts`, answered 201 with `answer`) created.
pub fn registered_user(body: &Value, answer: &Value) -> User {
    let text = |value: &Value, name: &str| value[name].as_str().expect(name).to_owned();
    User {
        account_id: text(answer, "account_id"),
        account_type: text(body, "account_type"),
        username: text(body, "username"),
        password: text(body, "password"),
        phone: text(body, "phone"),
        id_number: text(body, "id_number"),
        role: None,
    }
}

/// A registration body with fresh values.
/// The real name every registration body gives (the holder's name on their own records).
pub const REAL_NAME: &str = "张三";

pub fn registration_body(account_type: &str, sms_code: &str, phone: &str) -> Value {
    json!({
        "account_type": account_type,
        "username": username(),
        "password": PASSWORD,
        "real_name": REAL_NAME,
        "id_type": "resident_id",
        "id_number": id_number(),
        "phone": phone,
        "sms_code": sms_code,
    })
}

/// The body of `POST /v1/staff/accounts` with fresh values: a registration without `sms_code`,
/// with `initial_password` for `password`.
pub fn counter_registration_body(account_type: &str, houses: Value) -> Value {
    let mut body = registration_body(account_type, "000000", &phone());
    let object = body.as_object_mut().expect("an object");
    object.remove("sms_code");
    let password = object.remove("password").expect("password");
    object.insert("initial_password".into(), password);
    object.insert("houses".into(), houses);
    body
}

/// Registers an account of `account_type` through the API, SMS code and all.
pub async fn register(client: &Client, account_type: &str) -> User {
    let phone = phone();
    let code = client.code_for(&phone, "register").await;
    let body = registration_body(account_type, &code, &phone);
    let answer = client.post("/v1/accounts", &body).await;
    assert_eq!(answer.status, 201, "registration: {:#}", answer.body);
    let user = registered_user(&body, &answer.body);
    if account_type == "residence_permit" {
        // Whoever may apply for a permit has had an ID photo taken at a studio (the local
        // stand-in of the photo-receipt service): `crate::permits::photo_receipt_no`.
        infra::local::identity_registry::take_photo(
            &client.stack.context(),
            shared::domain::id_document::IdType::ResidentId,
            &user.id_number,
        )
        .await
        .expect("the local studio takes the photo");
    }
    user
}

/// The device secrets this test process was given (`device_secret` of a login that verified a
/// device by SMS), per username (lower case) and device id: as an app keeps its secret, so that
/// [`login_body`] proves the device as the app would.
static DEVICE_SECRETS: std::sync::Mutex<Vec<((String, String), String)>> =
    std::sync::Mutex::new(Vec::new());

/// Keeps the `device_secret` of a 201 login `answer` of `user` on `device_id`, if it has one.
pub fn keep_device_secret(user: &User, device_id: &str, answer: &Value) {
    let Some(secret) = answer["device_secret"].as_str() else {
        return;
    };
    let key = (user.username.to_lowercase(), device_id.to_owned());
    let mut secrets = DEVICE_SECRETS.lock().expect("not poisoned");
    secrets.retain(|(k, _)| *k != key);
    secrets.push((key, secret.to_owned()));
}

/// The secret kept for `user` on `device_id` (see [`keep_device_secret`]).
pub fn device_secret(user: &User, device_id: &str) -> Option<String> {
    let key = (user.username.to_lowercase(), device_id.to_owned());
    DEVICE_SECRETS
        .lock()
        .expect("not poisoned")
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, secret)| secret.clone())
}

/// A login body as the app sends it: with the device's secret when this device was verified.
pub fn login_body(user: &User, device_id: &str) -> Value {
    let mut body = login_body_without_secret(user, device_id);
    if let Some(secret) = device_secret(user, device_id) {
        body["device_secret"] = json!(secret);
    }
    body
}

/// A login body naming the device by its id alone (what someone who learnt the id can send).
pub fn login_body_without_secret(user: &User, device_id: &str) -> Value {
    let mut body = json!({
        "platform": user.account_type,
        "username": user.username,
        "password": user.password,
        "device_id": device_id,
    });
    if let Some(role) = &user.role {
        body["role"] = json!(role);
    }
    body
}

/// A login with the user's name and a wrong password.
pub fn wrong_password_body(user: &User) -> Value {
    let mut body = login_body(user, &device_id());
    body["password"] = json!("not-the-password");
    body
}

/// A login with a username nobody has (the user's password).
pub fn unknown_user_body(user: &User) -> Value {
    let mut body = login_body(user, &device_id());
    body["username"] = json!(username());
    body
}

/// A login body for a new device, with the account's phone and an SMS code.
pub fn login_body_with_code(user: &User, device_id: &str, phone: &str, code: &str) -> Value {
    let mut body = login_body(user, device_id);
    body["phone"] = json!(phone);
    body["sms_code"] = json!(code);
    body
}

/// A 6-digit code that is not `code` (`offset` apart).
pub fn other_code(code: &str, offset: u32) -> String {
    let n: u32 = code.parse().expect("a 6-digit code");
    format!("{:06}", (n + offset) % 1_000_000)
}

/// Logs in on `device_id`, verifying the device by SMS when asked (and keeping the device secret
/// that answers, [`keep_device_secret`]); returns the access token.
pub async fn login(client: &Client, user: &User, device_id: &str) -> String {
    login_answer(client, user, device_id).await["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

/// [`login`], answering the whole 201 body (tokens, refresh token, account).
pub async fn login_answer(client: &Client, user: &User, device_id: &str) -> Value {
    let first = client
        .post("/v1/sessions", &login_body(user, device_id))
        .await;
    let answer = if first.status == 401 && first.code() == "SMS_CODE_REQUIRED" {
        let ticket = first.body["login_ticket"].as_str().expect("login_ticket");
        let code = code_with_ticket(client, &user.phone, ticket).await;
        let body = login_body_with_code(user, device_id, &user.phone, &code);
        client.post("/v1/sessions", &body).await
    } else {
        first
    };
    assert_eq!(answer.status, 201, "login: {:#}", answer.body);
    keep_device_secret(user, device_id, &answer.body);
    answer.body
}

/// A login code for `user` on `device_id`, asked for as a client must: the password first (its
/// `SMS_CODE_REQUIRED` answer carries the login ticket), then the code with the ticket.
pub async fn login_code(client: &Client, user: &User, device_id: &str) -> String {
    let first = client
        .post("/v1/sessions", &login_body(user, device_id))
        .await;
    first.assert_problem(401, "SMS_CODE_REQUIRED");
    let ticket = first.body["login_ticket"].as_str().expect("login_ticket");
    code_with_ticket(client, &user.phone, ticket).await
}

/// A login code for `phone`, asked for with a login ticket.
pub async fn code_with_ticket(client: &Client, phone: &str, ticket: &str) -> String {
    let body = json!({"phone": phone, "purpose": "login", "login_ticket": ticket});
    client
        .code_from(phone, client.post("/v1/sms-codes", &body))
        .await
}

/// A code for `purpose` (`change_password`, `change_phone`), asked for while logged in.
pub async fn session_code(client: &Client, token: &str, phone: &str, purpose: &str) -> String {
    let body = json!({"phone": phone, "purpose": purpose});
    client
        .code_from(phone, client.post_auth("/v1/sms-codes", token, &body))
        .await
}

/// The password a test account chooses in place of an initial one.
pub const CHOSEN_PASSWORD: &str = "Longan-Harvest-2027";

/// Logs in an account opened with an initial password and replaces it (the first thing such a
/// session may do); returns the account with its new password and a token of a session that
/// may do everything.
pub async fn first_login(client: &Client, user: &User) -> (User, String) {
    let token = login(client, user, &device_id()).await;
    let code = session_code(client, &token, &user.phone, "change_password").await;
    let answer = client
        .send(
            reqwest::Method::PUT,
            "/v1/me/password",
            Some(&token),
            Some(&json!({
                "old_password": user.password,
                "new_password": CHOSEN_PASSWORD,
                "sms_code": code,
            })),
        )
        .await;
    assert_eq!(answer.status, 204, "password change: {:#}", answer.body);
    let user = User {
        password: CHOSEN_PASSWORD.into(),
        ..user.clone()
    };
    (user, token)
}

/// Registers and logs in; returns the user and a token.
pub async fn logged_in(client: &Client, account_type: &str) -> (User, String) {
    let user = register(client, account_type).await;
    let token = login(client, &user, &device_id()).await;
    (user, token)
}
