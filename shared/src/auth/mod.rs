//! Who is calling: access tokens (JWT) and the one-session-per-account rule.

pub mod jwt;
pub mod login_ticket;
pub mod refresh_token;
pub mod session;

pub use session::{Gate, Principal, authenticate, authenticate_with};
