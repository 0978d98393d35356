//! One module per queue worker: a function fed by an SQS queue rather than by a route.

pub mod send_sms;
