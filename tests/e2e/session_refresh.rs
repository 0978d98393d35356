//! Sessions that last (issue 30): 15-minute access tokens and a refresh token that rotates on
//! every use, is stored only as a hash, and dies with its session.

use e2e_tests::fixtures::{self, User};
use e2e_tests::{Answer, Client, stack};
use serde_json::{Value, json};

async fn refresh(client: &Client, token: &str) -> Answer {
    client
        .post("/v1/sessions/refresh", &json!({"refresh_token": token}))
        .await
}

fn text(body: &Value, name: &str) -> String {
    body[name]
        .as_str()
        .unwrap_or_else(|| panic!("{name} in {body:#}"))
        .to_owned()
}

/// A registered user logged in on a new device: the user, the device and the login's answer.
async fn session(client: &Client) -> (User, String, Value) {
    let user = fixtures::register(client, "residence_registration").await;
    let device = fixtures::device_id();
    let answer = fixtures::login_answer(client, &user, &device).await;
    (user, device, answer)
}

#[tokio::test]
async fn a_refresh_token_rotates_and_a_spent_one_shown_again_ends_the_session() {
    let client = Client::new(stack());
    let (user, _, login) = session(&client).await;
    assert_eq!(login["expires_in"], 900);
    let first = text(&login, "refresh_token");

    // Stored only as a keyed hash: the session item holds neither the token nor its secret.
    let stored = shared::store::accounts::session(&stack().context().db, &user.account_id)
        .await
        .unwrap()
        .expect("a session");
    let secret = first.rsplit('.').next().unwrap();
    let hash = stored.refresh_hash.clone().expect("a refresh hash");
    assert!(!hash.contains(secret) && hash != first);

    let renewed = refresh(&client, &first).await;
    assert_eq!(renewed.status, 201, "{:#}", renewed.body);
    let second = text(&renewed.body, "refresh_token");
    let access = text(&renewed.body, "access_token");
    assert_ne!(second, first);
    assert_eq!(renewed.body["expires_in"], 900);
    assert_eq!(
        renewed.body["account"]["account_id"],
        user.account_id.as_str()
    );
    assert!(renewed.body.get("device_secret").is_none());
    assert_eq!(client.get_auth("/v1/me", &access).await.status, 200);

    // The first token is spent: shown again, it ends the session for every holder.
    refresh(&client, &first)
        .await
        .assert_problem(401, "UNAUTHENTICATED");
    client
        .get_auth("/v1/me", &access)
        .await
        .assert_problem(401, "UNAUTHENTICATED");
    refresh(&client, &second)
        .await
        .assert_problem(401, "UNAUTHENTICATED");
}

#[tokio::test]
async fn a_refresh_token_dies_with_its_session() {
    let client = Client::new(stack());
    // A newer login replaces the session: its refresh token is told so.
    let (user, device, login) = session(&client).await;
    fixtures::login(&client, &user, &device).await;
    refresh(&client, &text(&login, "refresh_token"))
        .await
        .assert_problem(401, "SESSION_REPLACED");

    // Logout ends it.
    let login = fixtures::login_answer(&client, &user, &device).await;
    let logout = client
        .send(
            reqwest::Method::DELETE,
            "/v1/sessions/current",
            Some(&text(&login, "access_token")),
            None,
        )
        .await;
    assert_eq!(logout.status, 204, "{:#}", logout.body);
    refresh(&client, &text(&login, "refresh_token"))
        .await
        .assert_problem(401, "UNAUTHENTICATED");

    // A password change revokes it (the access token lives on to its expiry).
    let login = fixtures::login_answer(&client, &user, &device).await;
    let token = text(&login, "access_token");
    let code = fixtures::session_code(&client, &token, &user.phone, "change_password").await;
    let changed = client
        .send(
            reqwest::Method::PUT,
            "/v1/me/password",
            Some(&token),
            Some(
                &json!({"old_password": user.password, "new_password": fixtures::CHOSEN_PASSWORD,
                         "sms_code": code}),
            ),
        )
        .await;
    assert_eq!(changed.status, 204, "{:#}", changed.body);
    refresh(&client, &text(&login, "refresh_token"))
        .await
        .assert_problem(401, "UNAUTHENTICATED");
}

#[tokio::test]
async fn a_refresh_needs_a_live_token_of_the_sessions_own_device() {
    let client = Client::new(stack());
    let (_, device, login) = session(&client).await;
    let token = text(&login, "refresh_token");
    client
        .post("/v1/sessions/refresh", &json!({}))
        .await
        .assert_problem(400, "VALIDATION_FAILED");
    for made_up in ["not-a-token", "a.b.c"] {
        refresh(&client, made_up)
            .await
            .assert_problem(401, "UNAUTHENTICATED");
    }
    // A token of the right session with another secret is not a spent one: it ends nothing.
    let forged = format!("{}.{}", token.rsplit_once('.').unwrap().0, "A".repeat(43));
    refresh(&client, &forged)
        .await
        .assert_problem(401, "UNAUTHENTICATED");
    let elsewhere = json!({"refresh_token": token, "device_id": fixtures::device_id()});
    client
        .post("/v1/sessions/refresh", &elsewhere)
        .await
        .assert_problem(401, "UNAUTHENTICATED");
    let own = json!({"refresh_token": token, "device_id": device});
    let renewed = client.post("/v1/sessions/refresh", &own).await;
    assert_eq!(renewed.status, 201, "{:#}", renewed.body);
}
