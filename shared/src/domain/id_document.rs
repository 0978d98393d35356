//! Identity documents: the type and a number that is valid for that type.

use serde::{Deserialize, Serialize};
use strum::{EnumMessage, EnumString, IntoStaticStr, VariantArray};

use crate::invalid::{FieldError, Invalid};

use super::id_number::IdNumber;

/// The identity documents the platform accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
#[derive(IntoStaticStr, EnumString, VariantArray, EnumMessage)]
#[strum(serialize_all = "snake_case")]
pub enum IdType {
    /// GB 11643.
    #[strum(message = "居民身份证")]
    ResidentId,
    #[strum(message = "港澳居民来往内地通行证")]
    HkMacaoPermit,
    #[strum(message = "台湾居民来往大陆通行证")]
    TaiwanPermit,
    /// A foreign passport.
    #[strum(message = "护照")]
    Passport,
}

super::code_enum!(
    IdType,
    "INVALID_ID_TYPE",
    "证件类型须为居民身份证、港澳居民来往内地通行证、台湾居民来往大陆通行证或护照"
);

impl IdType {
    /// The name in Chinese.
    pub fn label(self) -> &'static str {
        self.get_message().expect("every ID type has a message")
    }
}

/// A document type with a number valid for it, normalized (upper case, no spaces). Stored as
/// the two fields `id_type` and `id_number` (flattened into the record that holds it), and
/// checked again when read back.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "StoredDocument", into = "StoredDocument")]
pub struct IdDocument {
    id_type: IdType,
    number: String,
}

impl IdDocument {
    /// Checks `number` against the rules of `id_type`.
    pub fn parse(id_type: IdType, number: &str) -> Result<Self, Invalid> {
        let number = match id_type {
            IdType::ResidentId => IdNumber::parse(number)?.as_str().to_owned(),
            other => {
                let value = number.trim().to_ascii_uppercase();
                let b = value.as_bytes();
                let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
                let ok = match other {
                    // H or M followed by 8 digits (10 on older cards).
                    IdType::HkMacaoPermit => {
                        (b.len() == 9 || b.len() == 11)
                            && matches!(b[0], b'H' | b'M')
                            && digits(&b[1..])
                    }
                    // 8 digits (10 on older cards).
                    IdType::TaiwanPermit => (b.len() == 8 || b.len() == 10) && digits(b),
                    IdType::Passport => {
                        (5..=17).contains(&b.len()) && b.iter().all(u8::is_ascii_alphanumeric)
                    }
                    IdType::ResidentId => unreachable!("handled above"),
                };
                if !ok {
                    return Err(Invalid::new(
                        "INVALID_FORMAT",
                        format!("{}号码格式不正确", other.label()),
                    ));
                }
                value
            }
        };
        Ok(Self { id_type, number })
    }

    /// Parses the pair of request fields, blaming the right one.
    pub fn parse_fields(id_type: &str, number: &str) -> Result<Self, FieldError> {
        let id_type = IdType::parse(id_type).map_err(|e| e.at("id_type"))?;
        Self::parse(id_type, number).map_err(|e| e.at("id_number"))
    }

    pub fn id_type(&self) -> IdType {
        self.id_type
    }

    pub fn number(&self) -> &str {
        &self.number
    }

    /// What may be shown: the first and last four characters.
    pub fn masked_number(&self) -> String {
        super::mask::document_number(&self.number)
    }
}

/// [`IdDocument`] as stored.
#[derive(Serialize, Deserialize)]
struct StoredDocument {
    id_type: IdType,
    id_number: String,
}

impl TryFrom<StoredDocument> for IdDocument {
    type Error = Invalid;

    fn try_from(stored: StoredDocument) -> Result<Self, Invalid> {
        Self::parse(stored.id_type, &stored.id_number)
    }
}

impl From<IdDocument> for StoredDocument {
    fn from(document: IdDocument) -> Self {
        Self {
            id_type: document.id_type,
            id_number: document.number,
        }
    }
}

impl std::fmt::Debug for IdDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "IdDocument({}, {})",
            self.id_type.as_str(),
            self.masked_number()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_type_has_its_format() {
        assert!(IdDocument::parse(IdType::ResidentId, "11010519491231002X").is_ok());
        assert!(IdDocument::parse(IdType::HkMacaoPermit, "h12345678").is_ok());
        assert!(IdDocument::parse(IdType::HkMacaoPermit, "X12345678").is_err());
        assert!(IdDocument::parse(IdType::TaiwanPermit, "12345678").is_ok());
        assert!(IdDocument::parse(IdType::TaiwanPermit, "1234567").is_err());
        assert!(IdDocument::parse(IdType::Passport, "E12345678").is_ok());
        assert!(IdDocument::parse(IdType::Passport, "E1234-5678").is_err());
    }

    #[test]
    fn field_errors_blame_the_right_field() {
        assert_eq!(
            IdDocument::parse_fields("driver_license", "x")
                .unwrap_err()
                .field,
            "id_type"
        );
        let err = IdDocument::parse_fields("resident_id", "110105194912310021").unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.code),
            ("id_number", "INVALID_CHECK_DIGIT")
        );
    }

    #[test]
    fn masking() {
        let doc = IdDocument::parse(IdType::ResidentId, "11010519491231002X").unwrap();
        assert_eq!(doc.masked_number(), "1101**********002X");
        assert!(!format!("{doc:?}").contains("19491231"));
    }

    #[test]
    fn id_types_round_trip() {
        crate::domain::assert_code_enum(
            IdType::ALL,
            &[
                "resident_id",
                "hk_macao_permit",
                "taiwan_permit",
                "passport",
            ],
            IdType::as_str,
            |name| IdType::parse(name).ok(),
        );
        assert_eq!(IdType::HkMacaoPermit.label(), "港澳居民来往内地通行证");
        assert!(IdType::ALL.iter().all(|t| !t.label().is_empty()));
        assert_eq!(
            IdType::parse("Passport").unwrap_err().code,
            "INVALID_ID_TYPE"
        );
    }
}
