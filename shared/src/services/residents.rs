//! What a move-in declaration (F16), a change (F19) and a deregistration (F20) of a resident
//! hold, as validated values (the bodies are read in `http::bodies::residents`), and what they
//! make of the stored resident.

use chrono::NaiveDate;

use crate::domain::account::RealName;
use crate::domain::id_document::IdDocument;
use crate::domain::phone::PhoneNumber;
use crate::domain::resident::{Education, Ethnicity, MaritalStatus, SexCode, disagreements};
use crate::error::{ApiError, Invalid};
use crate::store::registrations::Resident;

/// A move-in declaration whose every field is valid.
#[derive(Clone)]
pub struct Declaration {
    pub name: RealName,
    pub sex: SexCode,
    pub ethnicity: Ethnicity,
    pub birth_date: NaiveDate,
    pub document: IdDocument,
    pub household_address: String,
    pub marital_status: MaritalStatus,
    pub education: Education,
    pub occupation: String,
    pub workplace: String,
    pub relationship: String,
    pub phone: Option<PhoneNumber>,
    pub moved_in_on: NaiveDate,
}

impl Declaration {
    /// The resident as stored.
    pub fn resident(&self) -> Resident {
        Resident {
            name: self.name.as_str().to_owned(),
            sex: self.sex,
            ethnicity: self.ethnicity,
            birth_date: self.birth_date,
            id_type: self.document.id_type(),
            id_number: self.document.number().to_owned(),
            household_address: self.household_address.clone(),
            marital_status: self.marital_status,
            education: self.education,
            occupation: self.occupation.clone(),
            workplace: self.workplace.clone(),
            relationship: self.relationship.clone(),
            phone: self.phone.clone(),
        }
    }
}

/// The fields a `PATCH` may change: each one present replaces the stored value (`phone: null`
/// removes the phone). The ID document and the move-in date cannot change: a registration with
/// a wrong one is deregistered as `info_error` and declared again.
pub struct Changes {
    /// The version the caller read (optimistic concurrency).
    pub version: u32,
    pub name: Option<RealName>,
    pub sex: Option<SexCode>,
    pub ethnicity: Option<Ethnicity>,
    pub birth_date: Option<NaiveDate>,
    pub household_address: Option<String>,
    pub marital_status: Option<MaritalStatus>,
    pub education: Option<Education>,
    pub occupation: Option<String>,
    pub workplace: Option<String>,
    pub relationship: Option<String>,
    /// `Some(None)`: remove the phone.
    pub phone: Option<Option<PhoneNumber>>,
}

impl Changes {
    /// The resident with these changes, checked as a whole: a resident ID must still agree with
    /// the birth date and sex, and nobody moves in before being born.
    pub fn apply(&self, resident: &Resident, moved_in_on: NaiveDate) -> Result<Resident, ApiError> {
        let mut next = resident.clone();
        if let Some(name) = &self.name {
            next.name = name.as_str().to_owned();
        }
        if let Some(sex) = self.sex {
            next.sex = sex;
        }
        if let Some(ethnicity) = self.ethnicity {
            next.ethnicity = ethnicity;
        }
        if let Some(date) = self.birth_date {
            next.birth_date = date;
        }
        let texts = [
            (&self.household_address, &mut next.household_address),
            (&self.occupation, &mut next.occupation),
            (&self.workplace, &mut next.workplace),
            (&self.relationship, &mut next.relationship),
        ];
        for (change, field) in texts {
            if let Some(value) = change {
                value.clone_into(field);
            }
        }
        if let Some(status) = self.marital_status {
            next.marital_status = status;
        }
        if let Some(education) = self.education {
            next.education = education;
        }
        if let Some(phone) = &self.phone {
            next.phone = phone.clone();
        }

        let document =
            IdDocument::parse(next.id_type, &next.id_number).map_err(|_| ApiError::Internal)?;
        let mut errors = disagreements(&document, next.birth_date, next.sex);
        if next.birth_date > moved_in_on {
            errors.push(Invalid::new("BEFORE_BIRTH", "出生日期不能晚于入住日期").at("birth_date"));
        }
        if errors.is_empty() {
            Ok(next)
        } else {
            Err(ApiError::Validation(errors))
        }
    }
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
