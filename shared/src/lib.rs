//! What the platform's functions share: domain types that validate on construction, DynamoDB
//! access, SMS sending, authentication, HTTP and error mapping, and configuration.

pub mod auth;
pub mod aws_tls;
pub mod clock;
pub mod config;
pub mod context;
pub mod crypto;
pub mod documents;
pub mod domain;
pub mod error;
pub mod events;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod http;
pub mod identity;
pub mod invalid;
#[cfg(feature = "local")]
pub mod operation_counts;
pub mod runtime;
pub mod services;
pub mod sms;
pub mod social_insurance;
pub mod store;

pub use context::AppContext;
pub use error::ApiError;
