//! Domain types: each validates on construction, so a value of the type is always valid.

/// `TryFrom<String>` (through `parse`) and `From<T> for String` for a validated newtype over a
/// `String`, so that serde reads it with `#[serde(try_from = "String", into = "String")]`.
macro_rules! string_newtype {
    ($name:ident) => {
        impl TryFrom<String> for $name {
            type Error = $crate::invalid::Invalid;
            fn try_from(value: String) -> Result<Self, $crate::invalid::Invalid> {
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

/// The glue of a fieldless enum whose strings are its strum attributes, the one table of its
/// names: the enum derives `strum::IntoStaticStr`, `strum::EnumString` and `strum::VariantArray`,
/// and serde goes through the same strings with
/// `#[serde(into = "&'static str", try_from = "String")]`. Gives `ALL`, `as_str` and
/// `TryFrom<String>`; given an error code and message, also `parse`, whose error a deserializer
/// reports too.
macro_rules! code_enum {
    ($name:ident) => {
        $crate::domain::code_enum!(@names $name);

        impl TryFrom<String> for $name {
            type Error = strum::ParseError;
            fn try_from(value: String) -> Result<Self, strum::ParseError> {
                value.parse()
            }
        }
    };
    ($name:ident, $error:literal, $message:literal) => {
        $crate::domain::code_enum!(@names $name);

        impl $name {
            pub fn parse(value: &str) -> Result<Self, $crate::invalid::Invalid> {
                value
                    .parse()
                    .map_err(|_: strum::ParseError| $crate::invalid::Invalid::new($error, $message))
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::invalid::Invalid;
            fn try_from(value: String) -> Result<Self, $crate::invalid::Invalid> {
                Self::parse(&value)
            }
        }
    };
    (@names $name:ident) => {
        impl $name {
            /// Every value, in the order of the declaration.
            pub const ALL: &'static [Self] = <Self as strum::VariantArray>::VARIANTS;

            /// The name in the API and in storage.
            pub fn as_str(self) -> &'static str {
                self.into()
            }
        }
    };
}
pub(crate) use code_enum;

/// Checks a code enum against its contract: `names` are its strings in the order of `all`; each
/// value parses back to itself, serde writes it as that string and reads it back, and serde
/// rejects a string that is none of them.
#[cfg(test)]
pub(crate) fn assert_code_enum<T>(
    all: &[T],
    names: &[&str],
    as_str: fn(T) -> &'static str,
    parse: fn(&str) -> Option<T>,
) where
    T: Copy + PartialEq + std::fmt::Debug + serde::Serialize + serde::de::DeserializeOwned,
{
    assert_eq!(all.iter().map(|&v| as_str(v)).collect::<Vec<_>>(), names);
    for &value in all {
        let name = as_str(value);
        assert_eq!(parse(name), Some(value), "{name}");
        let json = serde_json::to_string(&value).unwrap();
        assert_eq!(json, format!("\"{name}\""));
        assert_eq!(serde_json::from_str::<T>(&json).unwrap(), value);
    }
    assert_eq!(parse("no_such_value"), None);
    assert!(serde_json::from_str::<T>("\"no_such_value\"").is_err());
}

pub mod account;
pub mod address;
pub mod client;
pub mod credit_code;
pub mod date;
pub mod districts;
pub mod eligibility;
pub mod house_link;
pub mod id_document;
pub mod id_number;
pub mod identity;
pub mod issuer;
pub mod mask;
pub mod password;
pub mod permit;
pub mod phone;
pub mod public_code;
pub mod receipt;
pub mod registration;
pub mod residence_permit;
pub mod resident;
pub mod sms;
pub mod text;
pub mod unit;
