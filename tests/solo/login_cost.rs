//! An unknown username costs the same work as a wrong password: one argon2 verification (against
//! a dummy hash), so response times do not tell which usernames exist. Counted, not timed; this
//! binary (`tests/solo`) runs no other login meanwhile.

use e2e_tests::fixtures;
use e2e_tests::{Client, stack};
use shared::domain::password::verification_count;

#[tokio::test]
async fn unknown_usernames_and_wrong_passwords_each_run_argon2_once() {
    let client = Client::new(stack());
    let user = fixtures::register(&client, "residence_registration").await;
    let wrong = fixtures::wrong_password_body(&user);
    let unknown = fixtures::unknown_user_body(&user);

    for body in [&wrong, &unknown] {
        let before = verification_count();
        client
            .post("/v1/sessions", body)
            .await
            .assert_problem(401, "UNAUTHENTICATED");
        assert_eq!(
            verification_count() - before,
            1,
            "one argon2 verification for {}",
            body["username"]
        );
    }
}
