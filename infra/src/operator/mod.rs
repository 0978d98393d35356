//! The operator's tools (`rpctl`), against the local stack or the deployed one (`--deployed`):
//! what no public route may do.
//!
//! | module | what |
//! |---|---|
//! | [`staff`] | counter-staff accounts |
//! | [`reference`] | Shenzhen's districts and streets, with their official codes |
//! | [`address_data`] | buildings and houses: loading the operator's CSV files, generating a synthetic set |
//! | [`social_insurance`] | the bureau's social-insurance months: importing its CSV files |
//! | [`reminders`] | the daily permit milestones job, run on a chosen day |
//! | [`document_keys`] | the public keys documents are signed with: publishing, rotating |
//! | [`batch`] | bulk writes with back-off |

pub mod address_data;
pub mod batch;
pub mod document_keys;
pub mod reference;
pub mod reminders;
pub mod social_insurance;
pub mod staff;
