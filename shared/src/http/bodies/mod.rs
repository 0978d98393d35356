//! Request bodies read into the typed inputs the services take: every field checked, every bad,
//! missing, mistyped or unknown field named at once (through [`super::Fields`]). Services never
//! see JSON; a queue consumer or a CLI could build the same inputs.

pub mod accounts;
pub mod houses;
pub mod permits;
pub mod registrations;
pub mod units;
