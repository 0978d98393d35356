//! Domain types: each validates on construction, so a value of the type is always valid.

pub mod account;
pub mod address;
pub mod id_document;
pub mod id_number;
pub mod mask;
pub mod password;
pub mod phone;
pub mod receipt;
pub mod resident;
pub mod sms;
