//! Domain types: each validates on construction, so a value of the type is always valid.

/// `TryFrom<String>` (through `parse`) and `From<T> for String` for a validated newtype over a
/// `String`, so that serde reads it with `#[serde(try_from = "String", into = "String")]`.
macro_rules! string_newtype {
    ($name:ident) => {
        impl TryFrom<String> for $name {
            type Error = $crate::error::Invalid;
            fn try_from(value: String) -> Result<Self, $crate::error::Invalid> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }
    };
}
pub(crate) use string_newtype;

pub mod account;
pub mod address;
pub mod client;
pub mod credit_code;
pub mod districts;
pub mod id_document;
pub mod id_number;
pub mod mask;
pub mod password;
pub mod phone;
pub mod receipt;
pub mod registration;
pub mod resident;
pub mod sms;
pub mod unit;

/// Trimmed free text of `min`–`max` characters without control characters.
pub(crate) fn bounded_text(
    value: &str,
    min: usize,
    max: usize,
    code: &'static str,
    message: &str,
) -> Result<String, crate::error::Invalid> {
    let trimmed = value.trim();
    let count = trimmed.chars().count();
    if count < min || count > max || trimmed.chars().any(char::is_control) {
        Err(crate::error::Invalid::new(code, message.to_owned()))
    } else {
        Ok(trimmed.to_owned())
    }
}
