//! End-to-end tests that need their process to themselves: they read counters kept for the
//! whole process (argon2 verifications), which any other test's logins would move. One test
//! binary beside `e2e`, run by `make test` like it.

mod login_cost;
