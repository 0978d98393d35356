//! What a move-in declaration (F16), a change (F19) and a deregistration (F20) of a
//! registration hold, as validated values (the bodies are read in
//! `http::bodies::registrations`). The resident in them is the domain's [`Resident`], the very
//! value the registration stores.

use chrono::NaiveDate;

use crate::domain::resident::{Resident, ResidentChanges};

/// A move-in declaration whose every field is valid.
#[derive(Clone)]
pub struct Declaration {
    pub resident: Resident,
    pub moved_in_on: NaiveDate,
}

/// A change of a registration (`PATCH`): what changes about its resident, and the version the
/// caller read (optimistic concurrency). The move-in date cannot change.
pub struct Changes {
    pub version: u32,
    pub resident: ResidentChanges,
}

/// How a registration ends (F20), as asked: `moved_out` with its date, or `info_error`.
#[derive(Debug)]
pub enum Ending {
    MovedOut(NaiveDate),
    InfoError,
}

/// A deregistration request: the ending, and optionally the version the caller read.
#[derive(Debug)]
pub struct EndRequest {
    pub ending: Ending,
    pub version: Option<u32>,
}
