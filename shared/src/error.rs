//! The one error type every operation returns, and its `application/problem+json` form.
//!
//! Codes are stable (clients switch on them); titles are short Simplified Chinese texts for users.

pub use crate::invalid::{FieldError, Invalid};

/// Everything an operation can answer other than success.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// 400: the input is wrong; `errors` says where.
    Validation(Vec<FieldError>),
    /// 413: the body is larger than any valid request.
    PayloadTooLarge,
    /// 415: the body is not `application/json`.
    UnsupportedMediaType,
    /// 401: no valid credentials (also: wrong username or password).
    Unauthenticated(&'static str),
    /// 401: a newer login ended this session.
    SessionReplaced,
    /// 401: this device is not yet verified for the account; carries a masked phone hint.
    SmsCodeRequired {
        phone_hint: String,
        /// What `POST /v1/sms-codes` takes to send this login's code.
        login_ticket: String,
    },
    /// 400: the SMS code is wrong, expired, used or for another purpose.
    SmsCodeInvalid,
    /// 403: authenticated, but this operation is not for this account.
    Forbidden(&'static str),
    /// 403: the account was opened with a password someone else chose; it must change it
    /// (`PUT /v1/me/password`) before anything else.
    PasswordChangeRequired,
    /// 403: the account's name and ID document are not verified yet (实名认证), and the
    /// operation shows or decides from personal records.
    IdentityNotVerified,
    /// 404: absent, or not the caller's to see.
    NotFound,
    /// 409: the request clashes with the current state; `errors` may name the field.
    Conflict {
        title: &'static str,
        errors: Vec<FieldError>,
    },
    /// 409: the object is not (or no longer) in a status the request needs; the answer carries
    /// its status now (`current_status`, with its Chinese label in `detail`), so the caller
    /// can refresh without another read.
    StatusConflict {
        title: &'static str,
        current_status: &'static str,
        current_label: &'static str,
    },
    /// 409: the object changed since the version the caller sent (`STALE_VERSION` at
    /// `version`); the answer carries the version now.
    StaleVersion {
        current_version: u32,
        error: FieldError,
    },
    /// 412: the `If-Match` of the request names another version than the object's now.
    PreconditionFailed { current_version: u32 },
    /// 429: too many requests; try again after `retry_after` seconds.
    RateLimited {
        retry_after: u64,
        /// The limit that refused, when it is a counted policy (its `RateLimit` headers).
        policy: Option<Box<LimitPolicy>>,
    },
    /// 429: too many failed logins; try again after `retry_after` seconds.
    AccountLocked { retry_after: u64 },
    /// 409: residents can only be declared for an approved house link.
    LinkNotApproved,
    /// 409: the person has an open residence-permit application already.
    ApplicationPending,
    /// 422: the records do not prove the conditions; `errors` names each unmet one.
    NotEligible(Vec<FieldError>),
    /// 422: the photo-receipt service knows no such 图像号, or it is another person's photo
    /// (`errors` names `photo_receipt_no`).
    PhotoReceiptRefused(Vec<FieldError>),
    /// 409: outside the endorsement window (its days are given).
    EndorsementNotDue {
        opens_on: chrono::NaiveDate,
        closes_on: chrono::NaiveDate,
    },
    /// 405: the route exists but not with this method.
    MethodNotAllowed,
    /// 422: this `Idempotency-Key` was used for another request (another route, body or caller).
    IdempotencyKeyReused,
    /// 409: the first request with this `Idempotency-Key` is still running; try again after
    /// `retry_after` seconds for its answer.
    RequestInProgress { retry_after: u64 },
    /// 409 (the status and code of `error`): what the request would create exists already, and
    /// the answer names it, so that a retry whose first answer was lost can be reconciled.
    Exists {
        error: Box<ApiError>,
        existing: Box<Existing>,
    },
    /// 503: a dependency (DynamoDB, SNS) failed or throttled; safe to retry.
    ServiceUnavailable,
    /// 500: a bug (a broken invariant), never the client's input.
    Internal,
}

/// The object a request would have created, found in its place (`existing` of a 409).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Existing {
    /// What it is: `registration`, `house_link`, `permit_application`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Whether it is the caller's own (made by this account, under this link): then its id is
    /// given; another's is only said to exist.
    pub own: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Where it is read (the answer's `Location`), for the caller's own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

/// A counted limit: its name, hits per window and the window's length in seconds (what the
/// `RateLimit-Policy` header says).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitPolicy {
    pub name: String,
    pub limit: u32,
    pub window: i64,
}

impl ApiError {
    pub fn validation(error: FieldError) -> Self {
        Self::Validation(vec![error])
    }

    pub fn conflict(field: &str, code: &'static str, message: &str) -> Self {
        Self::Conflict {
            title: "与现有数据冲突",
            errors: vec![FieldError::new(field, code, message)],
        }
    }

    /// This conflict, naming what exists in the request's place.
    pub fn naming(self, existing: Existing) -> Self {
        Self::Exists {
            error: Box::new(self),
            existing: Box::new(existing),
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            Self::Exists { error, .. } => error.status(),
            Self::Validation(_) | Self::SmsCodeInvalid => 400,
            Self::Unauthenticated(_) | Self::SessionReplaced | Self::SmsCodeRequired { .. } => 401,
            Self::Forbidden(_) | Self::PasswordChangeRequired | Self::IdentityNotVerified => 403,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::Conflict { .. }
            | Self::StatusConflict { .. }
            | Self::StaleVersion { .. }
            | Self::LinkNotApproved
            | Self::ApplicationPending
            | Self::EndorsementNotDue { .. }
            | Self::RequestInProgress { .. } => 409,
            Self::PreconditionFailed { .. } => 412,
            Self::NotEligible(_) | Self::PhotoReceiptRefused(_) | Self::IdempotencyKeyReused => 422,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::RateLimited { .. } | Self::AccountLocked { .. } => 429,
            Self::ServiceUnavailable => 503,
            Self::Internal => 500,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::Exists { error, .. } => error.code(),
            Self::Validation(_) => "VALIDATION_FAILED",
            Self::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            Self::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            Self::Unauthenticated(_) => "UNAUTHENTICATED",
            Self::SessionReplaced => "SESSION_REPLACED",
            Self::SmsCodeRequired { .. } => "SMS_CODE_REQUIRED",
            Self::SmsCodeInvalid => "SMS_CODE_INVALID",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::PasswordChangeRequired => "PASSWORD_CHANGE_REQUIRED",
            Self::IdentityNotVerified => "IDENTITY_NOT_VERIFIED",
            Self::NotFound => "NOT_FOUND",
            Self::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            Self::Conflict { .. } | Self::StatusConflict { .. } | Self::StaleVersion { .. } => {
                "CONFLICT"
            }
            Self::PreconditionFailed { .. } => "PRECONDITION_FAILED",
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::AccountLocked { .. } => "ACCOUNT_LOCKED",
            Self::LinkNotApproved => "LINK_NOT_APPROVED",
            Self::ApplicationPending => "APPLICATION_PENDING",
            Self::NotEligible(_) => "NOT_ELIGIBLE",
            Self::PhotoReceiptRefused(_) => "PHOTO_RECEIPT_INVALID",
            Self::EndorsementNotDue { .. } => "ENDORSEMENT_NOT_DUE",
            Self::IdempotencyKeyReused => "IDEMPOTENCY_KEY_REUSED",
            Self::RequestInProgress { .. } => "REQUEST_IN_PROGRESS",
            Self::ServiceUnavailable => "SERVICE_UNAVAILABLE",
            Self::Internal => "INTERNAL_ERROR",
        }
    }

    pub fn title(&self) -> &'static str {
        match self {
            Self::Exists { error, .. } => error.title(),
            Self::Validation(_) => "提交的信息有误，请检查后重试",
            Self::PayloadTooLarge => "请求内容过大",
            Self::UnsupportedMediaType => "请求内容须为 JSON 格式",
            Self::Unauthenticated(title) => title,
            Self::SessionReplaced => "您的账号已在其他设备登录，本次登录已失效",
            Self::SmsCodeRequired { .. } => "首次在此设备登录，请输入手机短信验证码",
            Self::SmsCodeInvalid => "短信验证码错误、已过期或已使用",
            Self::Forbidden(title) => title,
            Self::PasswordChangeRequired => "首次登录请先修改初始密码",
            Self::IdentityNotVerified => "请先完成实名认证（在线核验或携带身份证件到受理点核验）",
            Self::NotFound => "请求的资源不存在",
            Self::MethodNotAllowed => "不支持该请求方法",
            Self::Conflict { title, .. } | Self::StatusConflict { title, .. } => title,
            Self::StaleVersion { .. } => "该信息已被修改，请刷新后重试",
            Self::PreconditionFailed { .. } => "该信息已被他人修改，请刷新后重试",
            Self::RateLimited { .. } => "操作过于频繁，请稍后再试",
            Self::AccountLocked { .. } => "登录失败次数过多，账号已暂时锁定，请稍后再试",
            Self::LinkNotApproved => "该房屋尚未通过审核，暂不能申报住户",
            Self::ApplicationPending => "您已有一份正在办理的居住证申请",
            Self::NotEligible(_) => "暂不符合居住证申领条件",
            Self::PhotoReceiptRefused(_) => "数码相片回执无法使用，请核对图像号",
            Self::EndorsementNotDue { .. } => "尚未到签注办理期（每满一年前60日内办理）",
            Self::IdempotencyKeyReused => "该请求编号已用于另一项操作，请为新操作使用新的编号",
            Self::RequestInProgress { .. } => "该操作正在处理中，请稍后查看结果",
            Self::ServiceUnavailable => "服务暂时不可用，请稍后再试",
            Self::Internal => "系统内部错误，请稍后再试",
        }
    }

    /// Seconds for the `Retry-After` header, where the answer has one.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Self::RateLimited { retry_after, .. }
            | Self::AccountLocked { retry_after }
            | Self::RequestInProgress { retry_after } => Some((*retry_after).max(1)),
            Self::ServiceUnavailable => Some(1),
            _ => None,
        }
    }

    /// The `application/problem+json` body (RFC 9457).
    pub fn problem(&self) -> serde_json::Value {
        if let Self::Exists { error, existing } = self {
            let mut body = error.problem();
            body["existing"] = serde_json::json!(existing);
            return body;
        }
        let code = self.code();
        let mut body = serde_json::json!({
            "type": format!("https://api.szjzz.example/problems/{}", code.to_ascii_lowercase().replace('_', "-")),
            "title": self.title(),
            "status": self.status(),
            "code": code,
        });
        let errors = match self {
            Self::Validation(errors)
            | Self::NotEligible(errors)
            | Self::PhotoReceiptRefused(errors) => Some(errors),
            Self::Conflict { errors, .. } if !errors.is_empty() => Some(errors),
            _ => None,
        };
        if let Some(errors) = errors {
            body["errors"] = serde_json::json!(errors);
        }
        if let Self::StaleVersion {
            current_version,
            error,
        } = self
        {
            body["errors"] = serde_json::json!([error]);
            body["current_version"] = serde_json::json!(current_version);
        }
        if let Self::PreconditionFailed { current_version } = self {
            body["current_version"] = serde_json::json!(current_version);
        }
        if let Self::SmsCodeRequired {
            phone_hint,
            login_ticket,
        } = self
        {
            body["phone_hint"] = serde_json::json!(phone_hint);
            body["login_ticket"] = serde_json::json!(login_ticket);
        }
        if let Self::EndorsementNotDue {
            opens_on,
            closes_on,
        } = self
        {
            body["detail"] = serde_json::json!(format!("签注办理期：{opens_on} 至 {closes_on}"));
            body["window"] = serde_json::json!({"opens_on": opens_on, "closes_on": closes_on});
        }
        if let Self::StatusConflict {
            current_status,
            current_label,
            ..
        } = self
        {
            body["current_status"] = serde_json::json!(current_status);
            body["detail"] = serde_json::json!(format!("当前状态：{current_label}"));
        }
        if let Some(seconds) = self.retry_after() {
            body["retry_after"] = serde_json::json!(seconds);
        }
        body
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.code(), self.status())
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_problem_lists_field_errors() {
        let err = ApiError::validation(FieldError::new(
            "id_number",
            "INVALID_CHECK_DIGIT",
            "校验位错误",
        ));
        let body = err.problem();
        assert_eq!(body["status"], 400);
        assert_eq!(body["code"], "VALIDATION_FAILED");
        assert_eq!(body["errors"][0]["field"], "id_number");
        assert_eq!(body["errors"][0]["code"], "INVALID_CHECK_DIGIT");
    }

    #[test]
    fn rate_limited_carries_retry_after_of_at_least_one_second() {
        let err = ApiError::RateLimited {
            retry_after: 0,
            policy: None,
        };
        assert_eq!(err.retry_after(), Some(1));
        assert_eq!(err.problem()["retry_after"], 1);
        assert!(err.problem().get("errors").is_none());
    }
}
