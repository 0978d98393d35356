//! The SMS carrier: the one port through which a text leaves the platform. The sender
//! ([`super::sender`]) hands it a number and a text and learns the carrier's message id or its
//! error code; queueing, retries, expiry and dead-lettering stay the sender's and the queue's.
//!
//! The adapter here is Amazon SNS (`Publish` to a phone number, transactional). SNS SMS is not
//! offered in the AWS China regions: a deployment there adds an adapter for a mainland SMS
//! provider (a template-signed HTTPS API) as another [`Carrier`] variant, chosen in
//! [`Carrier::of`], and changes nothing else (docs/deploy.md, "SMS in mainland China").

use aws_sdk_sns::error::ProvideErrorMetadata;
use aws_sdk_sns::types::MessageAttributeValue;

/// The carrier's refusal or failure: its error code only (never the text or the number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarrierError(pub String);

impl std::fmt::Display for CarrierError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An SMS carrier adapter.
#[derive(Debug, Clone)]
pub enum Carrier {
    /// Amazon SNS: retries throttling within a send (the SDK's standard retries).
    Sns(aws_sdk_sns::Client),
}

impl Carrier {
    /// The carrier the platform's context is configured for (SNS, on its client).
    pub fn of(ctx: &crate::context::AppContext) -> Self {
        Carrier::Sns(ctx.sns.clone())
    }

    /// Sends `text` to `phone` (E.164) as a transactional message; the carrier's message id.
    pub async fn send(&self, phone: &str, text: &str) -> Result<String, CarrierError> {
        match self {
            Carrier::Sns(sns) => {
                let sms_type = MessageAttributeValue::builder()
                    .data_type("String")
                    .string_value("Transactional")
                    .build()
                    .expect("data type is set");
                sns.publish()
                    .phone_number(phone)
                    .message(text)
                    .message_attributes("AWS.SNS.SMS.SMSType", sms_type)
                    .send()
                    .await
                    .map(|output| output.message_id().unwrap_or("").to_owned())
                    .map_err(|error| CarrierError(error.code().unwrap_or("unreachable").to_owned()))
            }
        }
    }
}
