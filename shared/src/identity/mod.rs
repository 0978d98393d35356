//! Online identity verification (实名认证) through one port, [`verify`], with two adapters: the
//! deployed one asks the configured real-name verification service over HTTPS ([`https`]); the
//! local one answers from the local identity registry ([`local_registry`]), a stand-in for that
//! service that only the local stack configures. Which one runs is configuration
//! ([`crate::config::IdentityService`]); callers never know.

pub mod https;
pub mod local_registry;

use crate::config::IdentityService;
use crate::context::AppContext;
use crate::domain::id_document::IdType;
use crate::domain::identity::Verdict;
use crate::domain::phone::PhoneNumber;

/// What is checked: the account's name, ID document and phone.
pub struct IdentityQuery<'a> {
    pub real_name: &'a str,
    pub id_type: IdType,
    pub id_number: &'a str,
    pub phone: &'a PhoneNumber,
}

/// Why no verdict came back. Carries no personal data (it is logged).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityServiceError {
    #[error("no identity verification service is configured")]
    Unconfigured,
    #[error("the identity verification service failed: {0}")]
    Unavailable(String),
}

/// Asks the configured service about `query`.
pub async fn verify(
    ctx: &AppContext,
    query: &IdentityQuery<'_>,
) -> Result<Verdict, IdentityServiceError> {
    match &ctx.config.identity {
        IdentityService::Https { url, credential } => https::verify(url, credential, query).await,
        IdentityService::LocalRegistry { table } => local_registry::verify(ctx, table, query).await,
        IdentityService::Unconfigured => Err(IdentityServiceError::Unconfigured),
    }
}
