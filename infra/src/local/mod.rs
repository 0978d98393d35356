//! LOCAL ONLY: the platform on DynamoDB Local and the moto server, as Lambda and API Gateway
//! would run it. Nothing here is deployed.
//!
//! | module | what |
//! |---|---|
//! | [`stack`] | bringing the whole stack up (tables, queues, bus, reference data, staff, workers, API) |
//! | [`env`] | each function's environment, from the template, with local names and development secrets |
//! | [`tables`], [`queues`], [`event_bus`] | the template's tables, queues and EventBridge resources, created on the emulators |
//! | [`api`] | the local API: the template's routes, each request handed to its function's handler |
//! | [`queue_workers`], [`stream_pollers`] | the stand-ins for Lambda's SQS and DynamoDB-stream event source mappings |
//! | [`identity_registry`] | the stand-in for the real-name and face checks and the photo studio: its table, people and photos |
//! | [`portraits`] | generated ID photos for the local photo studio |
//! | [`insurance_months`] | the bureau's social-insurance months for those people, generated |

pub mod api;
pub mod env;
pub mod event_bus;
pub mod identity_registry;
pub mod insurance_months;
pub mod portraits;
pub mod queue_workers;
pub mod queues;
pub mod stack;
pub mod stream_pollers;
pub mod tables;
