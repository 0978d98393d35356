//! HTTP on the Lambda side: reading requests, validating JSON bodies, writing responses.

pub mod bodies;
pub mod fields;
pub mod pages;
pub mod pagination;
pub mod request;
pub mod response;

pub use fields::Fields;
pub use lambda_http::{Body, Request, Response};
