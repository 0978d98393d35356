//! One module per operation: parse, authorize, call the service, map the result.

pub mod change_password;
pub mod change_phone;
pub mod check_receipt;
pub mod create_account;
pub mod create_house_link;
pub mod create_session;
pub mod create_sms_code;
pub mod decide_house_link;
pub mod declare_resident;
pub mod declare_resident_at_counter;
pub mod delete_session;
pub mod deregister_house_link;
pub mod deregister_registration;
pub mod get_me;
pub mod get_registration;
pub mod get_registration_receipt;
pub mod list_building_houses;
pub mod list_districts;
pub mod list_house_links;
pub mod list_link_residents;
pub mod list_my_houses;
pub mod list_residence_records;
pub mod list_residents;
pub mod residents;
pub mod search_buildings;
pub mod update_registration;
