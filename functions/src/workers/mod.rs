//! One module per worker: a function fed by an SQS queue or by table streams rather than by a
//! route.

pub mod publish_events;
pub mod send_sms;
