//! The operator's side: `template.yaml` parsing, table creation, staff accounts, and the local
//! API that serves every function the way API Gateway would.

pub mod address_data;
pub mod batch;
pub mod event_bus;
pub mod identity_registry;
pub mod local_api;
pub mod local_env;
pub mod local_stack;
pub mod permissions;
pub mod queue_workers;
pub mod queues;
pub mod reference;
pub mod reminders;
pub mod route_functions;
pub mod social_insurance;
pub mod staff;
pub mod stream_pollers;
pub mod tables;
pub mod template;
