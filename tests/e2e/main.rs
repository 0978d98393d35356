//! The end-to-end tests: one test binary (the SDK linked once, not once per file), a module per
//! area. Every module drives the API through HTTP on the local stack that `make test` starts
//! (`e2e_tests::stack()`, shared by the whole binary, or a stack of its own where a test needs
//! other settings or must count what its functions do).
//!
//! One area: `bash infra/local/test.sh --test e2e -- sessions::`; one test: add its name.
//! Counts taken on the shared stack must hold whatever else runs beside them; a test that needs
//! the whole process to itself (a process-wide counter) lives in `tests/solo/` instead.

mod account_settings;
mod address_loading;
mod address_search;
mod authorization_matrix;
mod conditional_requests;
mod counter_accounts;
mod data_access;
mod deployable_template;
mod documents;
mod event_faults;
mod event_schemas;
mod events;
mod house_links;
mod http_edges;
mod idempotency;
mod identity;
mod lambda_binaries;
mod least_privilege;
mod no_scan;
mod password_reset;
mod path_ids;
mod permit_reminders;
mod permits;
mod receipts;
mod reference_data;
mod registration;
mod residence_permits;
mod residents;
mod routes;
mod session_refresh;
mod sessions;
mod sms_codes;
mod unit_permits;
mod units;
