//! One module per operation: parse, authorize, call the service, map the result.

pub mod cancel_permit;
pub mod change_password;
pub mod change_phone;
pub mod check_permit;
pub mod check_receipt;
pub mod consent_permit_application;
pub mod create_account;
pub mod create_house_link;
pub mod create_permit_application;
pub mod create_session;
pub mod create_sms_code;
pub mod create_sub_account;
pub mod create_unit_permit_application;
pub mod deactivate_sub_account;
pub mod decide_house_link;
pub mod decide_permit_application;
pub mod declare_resident;
pub mod declare_resident_at_counter;
pub mod delete_session;
pub mod deregister_house_link;
pub mod deregister_registration;
pub mod endorse_permit;
pub mod endorse_unit_permit;
pub mod get_me;
pub mod get_my_permit;
pub mod get_permit_application;
pub mod get_permit_card;
pub mod get_permit_eligibility;
pub mod get_registration;
pub mod get_registration_receipt;
pub mod list_building_houses;
pub mod list_districts;
pub mod list_document_keys;
pub mod list_house_links;
pub mod list_link_residents;
pub mod list_my_data_access;
pub mod list_my_houses;
pub mod list_permit_applications;
pub mod list_permit_review_queue;
pub mod list_residence_records;
pub mod list_residents;
pub mod list_sub_accounts;
pub mod list_unit_permit_applications;
pub mod open_account;
pub mod open_unit;
pub mod record_permit_progress;
pub mod refresh_session;
pub mod reset_password;
pub mod residents;
pub mod search_buildings;
pub mod suspend_account;
pub mod update_registration;
pub mod update_sub_account;
pub mod verify_document;
pub mod verify_identity;
pub mod verify_identity_at_counter;
pub mod withdraw_permit_application;

/// Who a public read is counted for: the account of a valid bearer token, else the address the
/// connection came from (a missing or invalid token never refuses a public read).
pub(crate) async fn public_caller(
    ctx: &shared::AppContext,
    req: &lambda_http::Request,
) -> shared::services::public_reads::Caller {
    use shared::services::public_reads::Caller;
    match shared::auth::authenticate(ctx, req).await {
        Ok(principal) => Caller::Account(principal.account_id),
        Err(_) => Caller::Address(shared::http::request::client_ip(req)),
    }
}
