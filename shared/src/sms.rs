//! Sending text messages through SNS (the emulator locally).

use aws_sdk_sns::types::MessageAttributeValue;

use crate::context::AppContext;
use crate::domain::phone::PhoneNumber;
use crate::error::ApiError;

/// Sends `text` to `phone` as a transactional SMS (E.164 `+86…`). The text and the number are not
/// logged: the text carries a code.
pub async fn send(
    ctx: &AppContext,
    phone: &PhoneNumber,
    text: &str,
    purpose: &'static str,
) -> Result<(), ApiError> {
    let sms_type = MessageAttributeValue::builder()
        .data_type("String")
        .string_value("Transactional")
        .build()
        .expect("data type is set");
    let result = ctx
        .sns
        .publish()
        .phone_number(phone.e164())
        .message(text)
        .message_attributes("AWS.SNS.SMS.SMSType", sms_type)
        .send()
        .await;
    match result {
        Ok(output) => {
            tracing::info!(
                purpose,
                message_id = output.message_id().unwrap_or(""),
                "sms sent"
            );
            Ok(())
        }
        Err(error) => {
            use aws_sdk_sns::error::ProvideErrorMetadata;
            tracing::error!(
                purpose,
                code = error.code().unwrap_or("none"),
                "sms publish failed"
            );
            Err(ApiError::ServiceUnavailable)
        }
    }
}
