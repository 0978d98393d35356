//! One module per operation: parse, authorize, call the service, map the result.

pub mod create_account;
pub mod create_session;
pub mod create_sms_code;
pub mod delete_session;
pub mod get_me;
