//! One module per operation: parse, authorize, call the service, map the result.

pub mod create_account;
pub mod create_house_link;
pub mod create_session;
pub mod create_sms_code;
pub mod decide_house_link;
pub mod delete_session;
pub mod deregister_house_link;
pub mod get_me;
pub mod list_building_houses;
pub mod list_districts;
pub mod list_house_links;
pub mod list_my_houses;
pub mod search_buildings;
