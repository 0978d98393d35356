//! Why an input is invalid: a stable code and a Chinese message, and (once the field is known)
//! which field. Domain types answer [`Invalid`] when they refuse a value; request bodies collect
//! [`FieldError`]s.

use serde::Serialize;

/// One invalid input field: which field, a stable code, and a Chinese message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code,
            message: message.into(),
        }
    }
}

/// Why a single value is invalid, before we know which field it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub code: &'static str,
    pub message: String,
}

impl Invalid {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    pub fn at(self, field: impl Into<String>) -> FieldError {
        FieldError::new(field, self.code, self.message)
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Invalid {}
