//! Validating a JSON object body field by field, collecting every error at once.
//!
//! ```text
//! let mut f = Fields::from_request(&req)?;
//! let username = f.required("username", Username::parse);
//! let phone = f.optional("phone", PhoneNumber::parse);
//! f.finish()?; // VALIDATION_FAILED listing every bad, missing or unknown field
//! ```

use serde_json::{Map, Value};

use crate::error::{ApiError, FieldError, Invalid};
use lambda_http::Request;

pub struct Fields {
    object: Map<String, Value>,
    prefix: String,
    errors: Vec<FieldError>,
}

impl Fields {
    /// Reads the request body: it must be `application/json`, at most the size limit, and a JSON object.
    pub fn from_request(req: &Request) -> Result<Self, ApiError> {
        let bytes = super::request::body_bytes(req)?;
        let content_type = req
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let essence = content_type.split(';').next().unwrap_or("").trim();
        if bytes.is_empty() {
            return Err(ApiError::validation(FieldError::new(
                "body",
                "REQUIRED",
                "请求内容不能为空",
            )));
        }
        if !essence.eq_ignore_ascii_case("application/json") {
            return Err(ApiError::UnsupportedMediaType);
        }
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(object)) => Ok(Self::new(object, "")),
            Ok(_) => Err(ApiError::validation(FieldError::new(
                "body",
                "INVALID_TYPE",
                "请求内容须为 JSON 对象",
            ))),
            Err(_) => Err(ApiError::validation(FieldError::new(
                "body",
                "MALFORMED_JSON",
                "请求内容不是有效的 JSON",
            ))),
        }
    }

    /// As [`Self::from_request`] for a route whose body has no required field (`{}`): an empty
    /// body is read as `{}`.
    pub fn from_optional_request(req: &Request) -> Result<Self, ApiError> {
        if super::request::body_bytes(req)?.is_empty() {
            return Ok(Self::new(Map::new(), ""));
        }
        Self::from_request(req)
    }

    /// Fields of a nested object; field names in errors are prefixed (`houses[0].house_id`).
    pub fn new(object: Map<String, Value>, prefix: &str) -> Self {
        Self {
            object,
            prefix: prefix.to_owned(),
            errors: Vec::new(),
        }
    }

    fn name(&self, field: &str) -> String {
        if self.prefix.is_empty() {
            field.to_owned()
        } else {
            format!("{}.{}", self.prefix, field)
        }
    }

    fn take(&mut self, field: &str) -> Option<Value> {
        self.object.remove(field).filter(|v| !v.is_null())
    }

    /// Records an error found outside this collector (e.g. across two fields).
    pub fn push(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    /// A required string field, checked by `parse`.
    pub fn required<T>(
        &mut self,
        field: &str,
        parse: impl FnOnce(&str) -> Result<T, Invalid>,
    ) -> Option<T> {
        match self.take(field) {
            None => self.missing(field),
            Some(value) => self.check_str(field, value, parse),
        }
    }

    fn missing<T>(&mut self, field: &str) -> Option<T> {
        let name = self.name(field);
        self.errors
            .push(FieldError::new(name, "REQUIRED", "此项为必填项"));
        None
    }

    /// An optional string field, checked by `parse` when present.
    pub fn optional<T>(
        &mut self,
        field: &str,
        parse: impl FnOnce(&str) -> Result<T, Invalid>,
    ) -> Option<T> {
        let value = self.take(field)?;
        self.check_str(field, value, parse)
    }

    /// A raw string field, unchecked apart from its type (for fields parsed together with another).
    pub fn required_raw(&mut self, field: &str) -> Option<String> {
        self.required(field, |s| Ok(s.to_owned()))
    }

    /// A required boolean.
    pub fn required_bool(&mut self, field: &str) -> Option<bool> {
        match self.take(field) {
            Some(Value::Bool(b)) => Some(b),
            other => {
                let name = self.name(field);
                let (code, message) = if other.is_none() {
                    ("REQUIRED", "此项为必填项")
                } else {
                    ("INVALID_TYPE", "此项须选择是或否")
                };
                self.errors.push(FieldError::new(name, code, message));
                None
            }
        }
    }

    /// A required whole number in `min..=max`.
    pub fn required_integer(&mut self, field: &str, min: u64, max: u64) -> Option<u64> {
        let value = self.take(field);
        let name = self.name(field);
        match value.as_ref().map(Value::as_u64) {
            None => {
                self.errors
                    .push(FieldError::new(name, "REQUIRED", "此项为必填项"));
                None
            }
            Some(Some(number)) if (min..=max).contains(&number) => Some(number),
            Some(_) => {
                self.errors.push(FieldError::new(
                    name,
                    "INVALID_NUMBER",
                    format!("此项须为{min}至{max}的整数"),
                ));
                None
            }
        }
    }

    /// An optional whole number in `min..=max`, checked when present.
    pub fn optional_integer(&mut self, field: &str, min: u64, max: u64) -> Option<u64> {
        if self.has(field) {
            self.required_integer(field, min, max)
        } else {
            None
        }
    }

    /// Whether the body sets `field` to `null` explicitly (e.g. to remove a value).
    pub fn is_null(&self, field: &str) -> bool {
        self.object.get(field).is_some_and(Value::is_null)
    }

    /// Takes `field` out unread (the caller reports it); `true` when it was there.
    pub fn discard(&mut self, field: &str) -> bool {
        self.object.remove(field).is_some_and(|v| !v.is_null())
    }

    /// The fields of a JSON object written in a unit test.
    #[cfg(test)]
    pub(crate) fn of(value: Value) -> Self {
        match value {
            Value::Object(map) => Self::new(map, ""),
            other => panic!("not a JSON object: {other}"),
        }
    }

    /// Where this collector's fields sit in the request (`houses[0]`; empty at the top level).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Whether the body has `field` (and it is not null).
    pub fn has(&self, field: &str) -> bool {
        self.object.get(field).is_some_and(|v| !v.is_null())
    }

    /// A required boolean that may be absent (`None`), checked for its type when present.
    pub fn optional_bool(&mut self, field: &str) -> Option<bool> {
        if self.has(field) {
            self.required_bool(field)
        } else {
            None
        }
    }

    /// A required nested object, handed to `each` with its own collector.
    pub fn required_object<T>(
        &mut self,
        field: &str,
        each: impl FnOnce(&mut Fields) -> Option<T>,
    ) -> Option<T> {
        if !self.has(field) {
            return self.missing(field);
        }
        self.optional_object(field, each)
    }

    /// An optional nested object, handed to `each` with its own collector.
    pub fn optional_object<T>(
        &mut self,
        field: &str,
        each: impl FnOnce(&mut Fields) -> Option<T>,
    ) -> Option<T> {
        let value = self.take(field)?;
        let name = self.name(field);
        let Value::Object(object) = value else {
            self.errors
                .push(FieldError::new(name, "INVALID_TYPE", "此项须为对象"));
            return None;
        };
        self.nested(object, name, each)
    }

    fn nested<T>(
        &mut self,
        object: Map<String, Value>,
        name: String,
        each: impl FnOnce(&mut Fields) -> Option<T>,
    ) -> Option<T> {
        let mut inner = Fields::new(object, &name);
        let parsed = each(&mut inner);
        inner.reject_unknown();
        let failed = !inner.errors.is_empty();
        self.errors.append(&mut inner.errors);
        parsed.filter(|_| !failed)
    }

    /// An optional array of at most `max_items` values, with the field's name.
    fn take_array(&mut self, field: &str, max_items: usize) -> Option<(String, Vec<Value>)> {
        let value = self.take(field)?;
        let name = self.name(field);
        let Value::Array(items) = value else {
            self.errors
                .push(FieldError::new(name, "INVALID_TYPE", "此项须为数组"));
            return None;
        };
        if items.len() > max_items {
            self.errors.push(FieldError::new(
                name,
                "TOO_MANY_ITEMS",
                format!("最多{max_items}项"),
            ));
            return None;
        }
        Some((name, items))
    }

    /// An optional array of at most `max_items` strings.
    pub fn optional_strings(&mut self, field: &str, max_items: usize) -> Option<Vec<String>> {
        let (name, items) = self.take_array(field, max_items)?;
        let mut out = Vec::with_capacity(items.len());
        let mut failed = false;
        for (i, item) in items.into_iter().enumerate() {
            match item {
                Value::String(text) => out.push(text),
                _ => {
                    failed = true;
                    self.errors.push(FieldError::new(
                        format!("{name}[{i}]"),
                        "INVALID_TYPE",
                        "此项须为字符串",
                    ));
                }
            }
        }
        (!failed).then_some(out)
    }

    /// An optional array of objects, each handed to `each` with its own collector.
    pub fn optional_objects<T>(
        &mut self,
        field: &str,
        max_items: usize,
        mut each: impl FnMut(&mut Fields) -> Option<T>,
    ) -> Option<Vec<T>> {
        let (name, items) = self.take_array(field, max_items)?;
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            let item_name = format!("{name}[{i}]");
            let Value::Object(object) = item else {
                self.errors
                    .push(FieldError::new(item_name, "INVALID_TYPE", "此项须为对象"));
                continue;
            };
            out.extend(self.nested(object, item_name, &mut each));
        }
        Some(out)
    }

    fn check_str<T>(
        &mut self,
        field: &str,
        value: Value,
        parse: impl FnOnce(&str) -> Result<T, Invalid>,
    ) -> Option<T> {
        let name = self.name(field);
        match value {
            Value::String(text) => match parse(&text) {
                Ok(parsed) => Some(parsed),
                Err(invalid) => {
                    self.errors.push(invalid.at(name));
                    None
                }
            },
            _ => {
                self.errors
                    .push(FieldError::new(name, "INVALID_TYPE", "此项须为字符串"));
                None
            }
        }
    }

    fn reject_unknown(&mut self) {
        let unknown: Vec<String> = self.object.keys().cloned().collect();
        for key in unknown {
            let name = self.name(&key);
            self.errors
                .push(FieldError::new(name, "UNKNOWN_FIELD", "不支持此字段"));
        }
        self.object.clear();
    }

    /// Ends validation: every field not taken is unknown; any error makes the answer VALIDATION_FAILED.
    pub fn finish(mut self) -> Result<(), ApiError> {
        self.reject_unknown();
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.errors))
        }
    }
}

/// Unwraps a value that `Fields::finish` has vouched for (absent only through a bug).
pub fn checked<T>(value: Option<T>) -> Result<T, ApiError> {
    value.ok_or(ApiError::Internal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(value: Value) -> Fields {
        Fields::of(value)
    }

    #[test]
    fn collects_missing_mistyped_invalid_and_unknown_fields() {
        let mut f = fields(json!({"a": 5, "b": "bad", "extra": true}));
        let a = f.required("a", |s| Ok(s.to_owned()));
        let b = f.required("b", |_| Err::<(), _>(Invalid::new("NOPE", "不行")));
        let c = f.required("c", |s| Ok(s.to_owned()));
        assert!(a.is_none() && b.is_none() && c.is_none());
        let ApiError::Validation(errors) = f.finish().unwrap_err() else {
            panic!()
        };
        let got: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            got,
            vec![
                ("a", "INVALID_TYPE"),
                ("b", "NOPE"),
                ("c", "REQUIRED"),
                ("extra", "UNKNOWN_FIELD")
            ]
        );
    }

    #[test]
    fn nested_arrays_name_their_items() {
        let mut f = fields(json!({"houses": [{"house_id": 1}, "x", {"house_id": "h1", "zz": 1}]}));
        let houses = f.optional_objects("houses", 10, |item| {
            item.required("house_id", |s| Ok(s.to_owned()))
        });
        // An item with any error (here an unknown field) yields nothing.
        assert!(houses.unwrap().is_empty());
        let ApiError::Validation(errors) = f.finish().unwrap_err() else {
            panic!()
        };
        let got: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(got, vec!["houses[0].house_id", "houses[1]", "houses[2].zz"]);
    }

    #[test]
    fn null_counts_as_absent() {
        let mut f = fields(json!({"phone": null}));
        assert!(f.optional("phone", |s| Ok(s.to_owned())).is_none());
        assert!(f.finish().is_ok());
    }

    #[test]
    fn string_lists_name_each_bad_item() {
        let mut f =
            fields(json!({"ids": ["a", 1, "b", null], "ok": ["x"], "long": ["1", "2", "3"]}));
        assert!(f.optional_strings("ids", 10).is_none());
        assert_eq!(f.optional_strings("ok", 10).unwrap(), ["x"]);
        assert!(f.optional_strings("long", 2).is_none());
        assert!(f.optional_strings("absent", 2).is_none());
        let ApiError::Validation(errors) = f.finish().unwrap_err() else {
            panic!()
        };
        let got: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            got,
            [
                ("ids[1]", "INVALID_TYPE"),
                ("ids[3]", "INVALID_TYPE"),
                ("long", "TOO_MANY_ITEMS")
            ]
        );
    }
}
