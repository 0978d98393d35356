//! Every route, declared once: its method and path, the function that serves it (its
//! `PLATFORM_FUNCTION` and its handler in [`crate::handlers`]), what it does, who may call it,
//! and what it may call in AWS. From this table:
//!
//! - the platform and PDF binaries take their operations ([`crate::PLATFORM_OPERATIONS`],
//!   [`crate::PDF_OPERATIONS`]) and the local API serves [`crate::OPERATIONS`] on these routes;
//! - `rpctl template` writes each route's function in `template.yaml` (description, package,
//!   environment, an IAM policy of exactly [`Route::calls`] plus the platform's secret, the API
//!   event), and a test fails when the committed template differs;
//! - the authorization matrix (`tests/e2e/authorization_matrix.rs`) holds [`Route::callers`]
//!   against what every kind of caller is answered, and the least-privilege test holds
//!   [`Route::calls`] (through the template) against what the function was seen calling.
//!
//! A new route: its handler module, its service, an entry here, and its operation in
//! `functions/openapi.yaml` (then `rpctl template`).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use lambda_http::{Body, Request, Response};
use shared::AppContext;

pub type HandlerFuture = Pin<Box<dyn Future<Output = Response<Body>> + Send>>;

/// An operation: its function (binary) name and its handler, errors already mapped to problem+json.
#[derive(Clone, Copy)]
pub struct Operation {
    pub name: &'static str,
    pub handler: fn(Arc<AppContext>, Request) -> HandlerFuture,
}

/// Which binary serves a route (and which package its function deploys).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binary {
    /// `src/bin/platform.rs` (`build/lambda/platform/`).
    Platform,
    /// `src/bin/pdf.rs`, the PDF renderer with its font (`build/lambda/platform-pdf/`).
    Pdf,
}

/// A kind of caller, by account type and role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Caller {
    /// No token.
    Anonymous,
    /// A citizen's own residence-registration account (declares the residents of its houses).
    Individual,
    /// A citizen's own residence-permit account (applies for and holds a permit).
    PermitApplicant,
    /// The administrator of a unit (an employer or landlord) on the residence-registration side.
    UnitAdmin,
    /// A unit's sub-account.
    SubAccount,
    /// The administrator of a unit that files permit applications for its employees.
    PermitUnitAdmin,
    /// Counter staff.
    Staff,
}

/// Every kind of caller, with or without a token.
pub const EVERYONE: &[Caller] = &[
    Caller::Anonymous,
    Caller::Individual,
    Caller::PermitApplicant,
    Caller::UnitAdmin,
    Caller::SubAccount,
    Caller::PermitUnitAdmin,
    Caller::Staff,
];

/// Every signed-in caller.
pub const SIGNED_IN: &[Caller] = EVERYONE.split_at(1).1;

/// What a function may do to one resource of the template: `resource` is a logical id
/// (`AccountsTable`, `SmsQueue`) or a table's index (`PermitsTable/index/permit_review_queue`);
/// `actions` are the service's action names without its prefix (`GetItem`, `SendMessage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Calls {
    pub resource: &'static str,
    pub actions: &'static [&'static str],
}

/// [`Calls`] on `resource`.
pub const fn on(resource: &'static str, actions: &'static [&'static str]) -> Calls {
    Calls { resource, actions }
}

/// One route of the API.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    /// The function's name: its `PLATFORM_FUNCTION`, and in PascalCase with `Function` its
    /// logical id in the template.
    pub function: &'static str,
    pub method: &'static str,
    /// As API Gateway writes it: `/v1/registrations/{registration_id}`.
    pub path: &'static str,
    /// What it does (the template's description after the route).
    pub summary: &'static str,
    pub binary: Binary,
    /// Who may call it: every other kind of caller is refused (401 or 403) whatever the object.
    pub callers: &'static [Caller],
    /// What it may call besides reading the platform's secret at cold start.
    pub calls: &'static [Calls],
    /// Variables of its own beyond the template's `Globals`, with their values as the template
    /// writes them (`!Ref CarrierCheckUrl`).
    pub environment: &'static [(&'static str, &'static str)],
}

impl Route {
    /// The function's logical id in the template: `create-sms-code` → `CreateSmsCodeFunction`.
    pub fn logical_id(&self) -> String {
        let mut id = String::new();
        for word in self.function.split('-') {
            let mut chars = word.chars();
            if let Some(first) = chars.next() {
                id.extend(first.to_uppercase());
                id.push_str(chars.as_str());
            }
        }
        id.push_str("Function");
        id
    }
}

/// The route a function serves.
pub fn route(function: &str) -> Option<&'static Route> {
    ROUTES.iter().find(|route| route.function == function)
}

macro_rules! routes {
    (
        platform: [$($module:ident: $method:ident $path:literal => $function:literal $body:tt),* $(,)?],
        renders_pdf: [$($pdf_module:ident: $pdf_method:ident $pdf_path:literal => $pdf_function:literal $pdf_body:tt),* $(,)?] $(,)?
    ) => {
        /// Every route, in the order of the template.
        pub const ROUTES: &[Route] = &[
            $(routes!(@route Platform, $method, $path, $function, $body),)*
            $(routes!(@route Pdf, $pdf_method, $pdf_path, $pdf_function, $pdf_body),)*
        ];
        /// The operations the platform binary runs, by function name.
        pub const PLATFORM_OPERATIONS: &[Operation] = &[
            $(routes!(@operation $function, $module)),*
        ];
        /// The operations that render PDFs, by function name: the PDF binary runs them, so that
        /// the platform binary carries no PDF code (docs/benchmarks.md, "Lambda binaries").
        pub const PDF_OPERATIONS: &[Operation] = &[
            $(routes!(@operation $pdf_function, $pdf_module)),*
        ];
        /// Every operation, by function name (the local API serves them all).
        pub const OPERATIONS: &[Operation] = &[
            $(routes!(@operation $function, $module),)*
            $(routes!(@operation $pdf_function, $pdf_module),)*
        ];
    };
    (@route $binary:ident, $method:ident, $path:literal, $function:literal, {
        summary: $summary:literal,
        callers: $callers:expr,
        calls: $calls:expr
        $(, environment: $environment:expr)?
        $(,)?
    }) => {
        Route {
            function: $function,
            method: stringify!($method),
            path: $path,
            summary: $summary,
            binary: Binary::$binary,
            callers: $callers,
            calls: $calls,
            environment: routes!(@or $($environment)?),
        }
    };
    (@or) => { &[] };
    (@or $given:expr) => { $given };
    (@operation $function:literal, $module:ident) => {
        Operation {
            name: $function,
            handler: |ctx, req| Box::pin(async move {
                shared::http::response::respond(req, |req| async move {
                    crate::idempotency::idempotent(&ctx, req, |req| {
                        crate::handlers::$module::handle(&ctx, req)
                    })
                    .await
                })
                .await
            }),
        }
    };
}

use Caller::*;

/// What a function that issues documents (and so signs them, `shared::documents`) is told of
/// the signing key.
const DOCUMENT_SIGNING: &[(&str, &str)] = &[
    ("DOCUMENT_SIGNING_KEY", "!GetAtt DocumentSigningKey.Arn"),
    (
        "DOCUMENT_SIGNING_KID",
        "!Select [0, !Split [\"-\", !Ref DocumentSigningKey]]",
    ),
    (
        "DOCUMENT_SIGNING_ALGORITHM",
        "!If [SignsWithSm2, \"SM2-SM3\", ES256]",
    ),
];

/// What a function that checks or fetches a permit application's photo is told of the
/// photo-receipt service.
const PHOTOS: &[(&str, &str)] = &[("PHOTO_RECEIPT_URL", "!Ref PhotoReceiptUrl")];

/// Both: the functions that approve an application issue its permit with the photo.
const DOCUMENT_SIGNING_AND_PHOTOS: &[(&str, &str)] = &[
    DOCUMENT_SIGNING[0],
    DOCUMENT_SIGNING[1],
    DOCUMENT_SIGNING[2],
    PHOTOS[0],
];

routes! {
    platform: [
        create_sms_code: POST "/v1/sms-codes" => "create-sms-code" {
            summary: "issue an SMS verification code and queue its message",
            callers: EVERYONE,
            calls: &[
                on("AccountsTable", &["GetItem"]),
                on("IdempotencyKeysTable", &["UpdateItem"]),
                on("RateLimitsTable", &["UpdateItem"]),
                on("SmsQueue", &["SendMessage"]),
                on("VerificationCodesTable", &["GetItem", "PutItem"]),
            ],
        },
        create_account: POST "/v1/accounts" => "create-account" {
            summary: "self-registration",
            callers: EVERYONE,
            calls: &[
                on("AccountsTable", &["PutItem"]),
                on("AddressTable", &["GetItem", "Query"]),
                on("IdempotencyKeysTable", &["UpdateItem"]),
                on("VerificationCodesTable", &["DeleteItem", "UpdateItem"]),
            ],
        },
        create_session: POST "/v1/sessions" => "create-session" {
            summary: "login",
            callers: EVERYONE,
            calls: &[
                on("AccountsTable", &["DeleteItem", "GetItem", "PutItem"]),
                on("IdempotencyKeysTable", &["UpdateItem"]),
                on("VerificationCodesTable", &["DeleteItem", "UpdateItem"]),
            ],
        },
        refresh_session: POST "/v1/sessions/refresh" => "refresh-session" {
            summary: "spend the session's refresh token for a new access token and the next refresh token",
            callers: EVERYONE,
            calls: &[
                on("AccountsTable", &["DeleteItem", "GetItem", "UpdateItem"]),
                on("IdempotencyKeysTable", &["UpdateItem"]),
            ],
        },
        reset_password: POST "/v1/password-resets" => "reset-password" {
            summary: "reset a forgotten password with a code sent to the account's phone; the session ends",
            callers: EVERYONE,
            calls: &[
                on("AccountsTable", &["DeleteItem", "GetItem", "PutItem", "Query", "UpdateItem"]),
                on("IdempotencyKeysTable", &["UpdateItem"]),
                on("SmsQueue", &["SendMessage"]),
                on("VerificationCodesTable", &["DeleteItem", "UpdateItem"]),
            ],
        },
        delete_session: DELETE "/v1/sessions/current" => "delete-session" {
            summary: "logout",
            callers: SIGNED_IN,
            calls: &[
                on("AccountsTable", &["DeleteItem", "GetItem"]),
            ],
        },
        get_me: GET "/v1/me" => "get-me" {
            summary: "the caller's account",
            callers: SIGNED_IN,
            calls: &[
                on("AccountsTable", &["GetItem"]),
            ],
        },
        change_password: PUT "/v1/me/password" => "change-password" {
            summary: "change one's password (old password + SMS code); trusted devices are forgotten",
            callers: SIGNED_IN,
            calls: &[
                on("AccountsTable", &["DeleteItem", "GetItem", "Query", "UpdateItem"]),
                on("IdempotencyKeysTable", &["UpdateItem"]),
                on("SmsQueue", &["SendMessage"]),
                on("VerificationCodesTable", &["DeleteItem", "UpdateItem"]),
            ],
        },
        change_phone: PUT "/v1/me/phone" => "change-phone" {
            summary: "move the account to a new phone (SMS code to the new phone)",
            callers: SIGNED_IN,
            calls: &[
                on("AccountsTable", &["DeleteItem", "GetItem", "PutItem", "UpdateItem"]),
                on("IdempotencyKeysTable", &["UpdateItem"]),
                on("SmsQueue", &["SendMessage"]),
                on("VerificationCodesTable", &["DeleteItem", "UpdateItem"]),
            ],
        },
        list_districts: GET "/v1/districts" => "list-districts" {
            summary: "districts and streets (public, rate-limited)",
            callers: EVERYONE,
            calls: &[
                on("AccountsTable", &["GetItem"]),
                on("AddressTable", &["Query"]),
                on("RateLimitsTable", &["UpdateItem"]),
            ],
        },
        search_buildings: GET "/v1/buildings" => "search-buildings" {
            summary: "search a street's buildings by name or code (public, rate-limited)",
            callers: EVERYONE,
            calls: &[
                on("AccountsTable", &["GetItem"]),
                on("AddressTable", &["Query"]),
                on("AddressTable/index/buildings_by_street", &["Query"]),
                on("RateLimitsTable", &["UpdateItem"]),
            ],
        },
        list_building_houses: GET "/v1/buildings/{building_id}/houses" => "list-building-houses" {
            summary: "a building's houses by room (public, rate-limited)",
            callers: EVERYONE,
            calls: &[
                on("AccountsTable", &["GetItem"]),
                on("AddressTable", &["GetItem", "Query"]),
                on("AddressTable/index/houses_by_room", &["Query"]),
                on("RateLimitsTable", &["UpdateItem"]),
            ],
        },
        list_my_houses: GET "/v1/me/houses" => "list-my-houses" {
            summary: "the caller's house links",
            callers: &[Individual, UnitAdmin, SubAccount],
            calls: &[
                on("AccountsTable", &["BatchGetItem", "GetItem", "Query"]),
            ],
        },
        create_house_link: POST "/v1/me/houses" => "create-house-link" {
            summary: "link a house for staff review",
            callers: &[Individual, UnitAdmin],
            calls: &[
                on("AccountsTable", &["GetItem", "PutItem"]),
                on("AddressTable", &["GetItem", "Query"]),
                on("IdempotencyKeysTable", &["UpdateItem"]),
            ],
        },
        deregister_house_link: POST "/v1/me/houses/{link_id}/deregistration" => "deregister-house-link" {
            summary: "end a house link, optionally with its residents",
            callers: &[Individual, UnitAdmin],
            calls: &[
                on("AccountsTable", &["DeleteItem", "GetItem", "UpdateItem"]),
                on("IdempotencyKeysTable", &["UpdateItem"]),
                on("RegistrationsTable", &["DeleteItem", "PutItem", "Query"]),
            ],
        },
        list_house_links: GET "/v1/staff/house-links" => "list-house-links" {
            summary: "pending house links, oldest first (staff)",
            callers: &[Staff],
            calls: &[
                on("AccountsTable", &["GetItem"]),
                on("AccountsTable/index/review_queue", &["Query"]),
            ],
        },
        decide_house_link: POST "/v1/staff/house-links/{link_id}/decision" => "decide-house-link" {
            summary: "approve or reject a house link (staff)",
            callers: &[Staff],
            calls: &[
                on("AccountsTable", &["DeleteItem", "GetItem", "PutItem", "UpdateItem"]),
                on("AddressTable", &["GetItem", "PutItem"]),
                on("IdempotencyKeysTable", &["UpdateItem"]),
            ],
        },
        list_residents: GET "/v1/me/houses/{link_id}/residents" => "list-residents" {
            summary: "the residents declared under one's house link",
            callers: &[Individual, UnitAdmin, SubAccount],
            calls: &[
                on("AccountsTable", &["GetItem"]),
                on("RegistrationsTable", &["Query"]),
            ],
        },
        declare_resident: POST "/v1/me/houses/{link_id}/residents" => "declare-resident" {
            summary: "declare a resident's move-in; answers the receipt number",
            callers: &[Individual, UnitAdmin, SubAccount],
            calls: &[
                on("AccountsTable", &["ConditionCheckItem", "GetItem"]),
                on("DocumentSigningKey", &["Sign"]),
                on("IdempotencyKeysTable", &["UpdateItem"]),
                on("RegistrationsTable", &["GetItem", "PutItem"]),
            ],
            environment: DOCUMENT_SIGNING,
        },
        list_link_residents: GET "/v1/staff/house-links/{link_id}/residents" => "list-link-residents" {
            summary: "a house link's residents (staff)",
            callers: &[Staff],
            calls: &[
                on("AccountsTable", &["GetItem"]),
                on("ProcessingRecordsTable", &["BatchWriteItem"]),
                on("RegistrationsTable", &["Query"]),
            ],
        },
        declare_resident_at_counter: POST "/v1/staff/house-links/{link_id}/residents" => "declare-resident-at-counter" {
            summary: "declare a move-in on the declarant's behalf (staff)",
            callers: &[Staff],
            calls: &[
                on("AccountsTable", &["ConditionCheckItem", "GetItem"]),
                on("DocumentSigningKey", &["Sign"]),
                on("IdempotencyKeysTable", &["UpdateItem"]),
                on("RegistrationsTable", &["GetItem", "PutItem"]),
            ],
            environment: DOCUMENT_SIGNING,
        },
        get_registration: GET "/v1/registrations/{registration_id}" => "get-registration" {
            summary: "a registration with its history",
            callers: &[Individual, UnitAdmin, SubAccount, Staff],
            calls: &[
                on("AccountsTable", &["GetItem"]),
                on("ProcessingRecordsTable", &["BatchWriteItem"]),
                on("RegistrationsTable", &["GetItem", "Query"]),
            ],
        },
        update_registration: PATCH "/v1/registrations/{registration_id}" => "update-registration" {
            summary: "change a resident's information (optimistic concurrency)",
            callers: &[Individual, UnitAdmin, SubAccount, Staff],
            calls: &[
                on("AccountsTable", &["GetItem"]),
                on("DocumentSigningKey", &["Sign"]),
                on("IdempotencyKeysTable", &["UpdateItem"]),
                on("RegistrationsTable", &["GetItem", "PutItem"]),
            ],
            environment: DOCUMENT_SIGNING,
        },
        deregister_registration: POST "/v1/registrations/{registration_id}/deregistration" => "deregister-registration" {
            summary: "a resident moved out, or the registration is void",
            callers: &[Individual, UnitAdmin, SubAccount, Staff],
            calls: &[
                on("AccountsTable", &["GetItem"]),
                on("IdempotencyKeysTable", &["UpdateItem"]),
                on("RegistrationsTable", &["DeleteItem", "GetItem", "PutItem"]),
            ],
        },
        check_receipt: GET "/v1/receipts/{receipt_no}" => "check-receipt" {
            summary: "is a receipt genuine, and what it certifies (public, rate-limited)",
            callers: EVERYONE,
            calls: &[
                on("AccountsTable", &["GetItem"]),
                on("RateLimitsTable", &["UpdateItem"]),
                on("RegistrationsTable", &["GetItem"]),
            ],
        },
        list_residence_records: GET "/v1/me/residence-records" => "list-residence-records" {
            summary: "the account holder's own registrations with their durations",
            callers: &[PermitApplicant],
            calls: &[
                on("AccountsTable", &["GetItem"]),
                on("RegistrationsTable/index/registrations_by_person", &["Query"]),
            ],
        },
        list_my_data_access: GET "/v1/me/data-access" => "list-my-data-access" {
            summary: "who read or received the caller's personal data (PIPL processing records)",
            callers: &[PermitApplicant],
            calls: &[
                on("AccountsTable", &["GetItem"]),
                on("ProcessingRecordsTable", &["Query"]),
            ],
        },
        open_account: POST "/v1/staff/accounts" => "open-account" {
            summary: "counter staff open an individual account (initial password, approved houses)",
            callers: &[Staff],
            calls: &[
                on("AccountsTable", &["GetItem", "PutItem"]),
                on("AddressTable", &["GetItem"]),
                on("IdempotencyKeysTable", &["UpdateItem"]),
            ],
        },
        open_unit: POST "/v1/staff/units" => "open-unit" {
            summary: "counter staff open a unit account with its administrator and approved houses",
            callers: &[Staff],
            calls: &[
                on("AccountsTable", &["GetItem", "PutItem"]),
                on("AddressTable", &["GetItem"]),
                on("IdempotencyKeysTable", &["UpdateItem"]),
            ],
        },
        list_sub_accounts: GET "/v1/unit/sub-accounts" => "list-sub-accounts" {
            summary: "the unit administrator's sub-accounts",
            callers: &[UnitAdmin],
            calls: &[
                on("AccountsTable", &["BatchGetItem", "GetItem", "Query"]),
            ],
        },
        create_sub_account: POST "/v1/unit/sub-accounts" => "create-sub-account" {
            summary: "add a sub-account with some of the unit's approved houses",
            callers: &[UnitAdmin],
            calls: &[
                on("AccountsTable", &["BatchGetItem", "GetItem", "PutItem"]),
                on("IdempotencyKeysTable", &["UpdateItem"]),
                on("VerificationCodesTable", &["DeleteItem", "UpdateItem"]),
            ],
        },
        update_sub_account: PATCH "/v1/unit/sub-accounts/{account_id}" => "update-sub-account" {
            summary: "change a sub-account's name, phone or houses",
            callers: &[UnitAdmin],
            calls: &[
                on("AccountsTable", &["BatchGetItem", "DeleteItem", "GetItem", "PutItem", "Query", "UpdateItem"]),
                on("IdempotencyKeysTable", &["UpdateItem"]),
                on("VerificationCodesTable", &["DeleteItem", "UpdateItem"]),
            ],
        },
        deactivate_sub_account: POST "/v1/unit/sub-accounts/{account_id}/deactivation" => "deactivate-sub-account" {
            summary: "deactivate a sub-account; its session ends at once",
            callers: &[UnitAdmin],
            calls: &[
                on("AccountsTable", &["DeleteItem", "GetItem", "PutItem", "UpdateItem"]),
                on("IdempotencyKeysTable", &["UpdateItem"]),
            ],
        },
        // The carrier's real-name check and the face check service (requests and answers:
        // shared/src/identity/carrier_https.rs, face_https.rs); their credentials are
        // carrier_check_credential and face_check_credential in the secret.
        verify_identity: POST "/v1/me/identity-verification" => "verify-identity" {
            summary: "online identity proof (实名认证) by the carrier's real-name check of the account's phone or by a face check",
            callers: &[Individual, PermitApplicant],
            calls: &[
                on("AccountsTable", &["GetItem", "PutItem", "UpdateItem"]),
                on("IdempotencyKeysTable", &["UpdateItem"]),
                on("RateLimitsTable", &["UpdateItem"]),
            ],
            environment: &[
                ("CARRIER_CHECK_URL", "!Ref CarrierCheckUrl"),
                ("FACE_CHECK_URL", "!Ref FaceCheckUrl"),
            ],
        },
        verify_identity_at_counter: POST "/v1/staff/accounts/{account_id}/identity-verification" => "verify-identity-at-counter" {
            summary: "staff saw the holder's document; the identity is verified (audited)",
            callers: &[Staff],
            calls: &[
                on("AccountsTable", &["GetItem", "PutItem", "UpdateItem"]),
                on("IdempotencyKeysTable", &["UpdateItem"]),
            ],
        },
        suspend_account: POST "/v1/staff/accounts/{account_id}/suspension" => "suspend-account" {
            summary: "reclaim an ID document; the account holding it is suspended (session ended, data kept and marked, audited)",
            callers: &[Staff],
            calls: &[
                on("AccountsTable", &["DeleteItem", "GetItem", "PutItem", "UpdateItem"]),
                on("IdempotencyKeysTable", &["UpdateItem"]),
                on("PermitsTable", &["DeleteItem", "GetItem", "PutItem", "UpdateItem"]),
            ],
        },
        get_permit_eligibility: GET "/v1/me/permit-eligibility" => "get-permit-eligibility" {
            summary: "each residence-permit condition from the registrations and the bureau's insurance months (F22)",
            callers: &[PermitApplicant],
            calls: &[
                on("AccountsTable", &["GetItem"]),
                on("RegistrationsTable/index/registrations_by_person", &["Query"]),
                on("SocialInsuranceTable", &["Query"]),
            ],
        },
        create_permit_application: POST "/v1/me/permit-applications" => "create-permit-application" {
            summary: "apply for a residence permit, decided from the records at once where they prove it (F22)",
            callers: &[PermitApplicant],
            calls: &[
                on("AccountsTable", &["ConditionCheckItem", "GetItem"]),
                on("AddressTable", &["Query"]),
                on("DocumentSigningKey", &["Sign"]),
                on("IdempotencyKeysTable", &["UpdateItem"]),
                on("PermitsTable", &["GetItem", "PutItem", "UpdateItem"]),
                on("RegistrationsTable/index/registrations_by_person", &["Query"]),
                on("SmsQueue", &["SendMessage"]),
                on("SocialInsuranceTable", &["Query"]),
            ],
            environment: DOCUMENT_SIGNING_AND_PHOTOS,
        },
        list_permit_applications: GET "/v1/me/permit-applications" => "list-permit-applications" {
            summary: "the holder's residence-permit applications",
            callers: &[PermitApplicant],
            calls: &[
                on("AccountsTable", &["GetItem"]),
                on("PermitsTable/index/applications_by_applicant", &["Query"]),
            ],
        },
        get_permit_application: GET "/v1/permit-applications/{application_id}" => "get-permit-application" {
            summary: "one application with its history (its applicant, staff)",
            callers: SIGNED_IN,
            calls: &[
                on("AccountsTable", &["GetItem"]),
                on("PermitsTable", &["GetItem", "Query"]),
                on("ProcessingRecordsTable", &["BatchWriteItem"]),
            ],
        },
        withdraw_permit_application: POST "/v1/permit-applications/{application_id}/withdrawal" => "withdraw-permit-application" {
            summary: "the applicant withdraws before approval",
            callers: &[Individual, PermitApplicant, UnitAdmin, SubAccount, PermitUnitAdmin],
            calls: &[
                on("AccountsTable", &["ConditionCheckItem", "GetItem"]),
                on("IdempotencyKeysTable", &["UpdateItem"]),
                on("PermitsTable", &["DeleteItem", "GetItem", "PutItem", "Query", "UpdateItem"]),
                on("SmsQueue", &["SendMessage"]),
            ],
        },
        consent_permit_application: POST "/v1/permit-applications/{application_id}/consent" => "consent-permit-application" {
            summary: "the employee confirms or refuses a unit's filing; confirmed, it is decided from their records (F25)",
            callers: &[PermitApplicant],
            calls: &[
                on("AccountsTable", &["ConditionCheckItem", "GetItem"]),
                on("DocumentSigningKey", &["Sign"]),
                on("IdempotencyKeysTable", &["UpdateItem"]),
                on("PermitsTable", &["GetItem", "PutItem", "Query", "UpdateItem"]),
                on("RegistrationsTable/index/registrations_by_person", &["Query"]),
                on("SmsQueue", &["SendMessage"]),
                on("SocialInsuranceTable", &["Query"]),
            ],
            environment: DOCUMENT_SIGNING_AND_PHOTOS,
        },
        list_permit_review_queue: GET "/v1/staff/permit-applications" => "list-permit-review-queue" {
            summary: "applications waiting for a staff decision, oldest first (staff)",
            callers: &[Staff],
            calls: &[
                on("AccountsTable", &["BatchGetItem", "GetItem"]),
                on("PermitsTable/index/permit_review_queue", &["Query"]),
                on("ProcessingRecordsTable", &["BatchWriteItem"]),
            ],
        },
        decide_permit_application: POST "/v1/staff/permit-applications/{application_id}/decision" => "decide-permit-application" {
            summary: "approve (the permit is issued) or refuse with a reason (staff)",
            callers: &[Staff],
            calls: &[
                on("AccountsTable", &["ConditionCheckItem", "GetItem"]),
                on("DocumentSigningKey", &["Sign"]),
                on("IdempotencyKeysTable", &["UpdateItem"]),
                on("PermitsTable", &["DeleteItem", "GetItem", "PutItem", "Query", "UpdateItem"]),
                on("RegistrationsTable/index/registrations_by_person", &["Query"]),
                on("SmsQueue", &["SendMessage"]),
                on("SocialInsuranceTable", &["Query"]),
            ],
            environment: DOCUMENT_SIGNING_AND_PHOTOS,
        },
        record_permit_progress: POST "/v1/staff/permit-applications/{application_id}/progress" => "record-permit-progress" {
            summary: "the next step until the card is collected (staff)",
            callers: &[Staff],
            calls: &[
                on("AccountsTable", &["ConditionCheckItem", "GetItem"]),
                on("IdempotencyKeysTable", &["UpdateItem"]),
                on("PermitsTable", &["DeleteItem", "GetItem", "PutItem", "Query", "UpdateItem"]),
                on("SmsQueue", &["SendMessage"]),
            ],
        },
        get_my_permit: GET "/v1/me/permit" => "get-my-permit" {
            summary: "the holder's residence permit, its status today and the next endorsement window",
            callers: &[PermitApplicant],
            calls: &[
                on("AccountsTable", &["GetItem"]),
                on("PermitsTable", &["GetItem", "Query"]),
            ],
        },
        endorse_permit: POST "/v1/me/permit/endorsements" => "endorse-permit" {
            summary: "the yearly endorsement, decided at once from the records (F22)",
            callers: &[PermitApplicant],
            calls: &[
                on("AccountsTable", &["GetItem"]),
                on("IdempotencyKeysTable", &["UpdateItem"]),
                on("PermitsTable", &["GetItem", "PutItem", "Query", "UpdateItem"]),
                on("RegistrationsTable/index/registrations_by_person", &["Query"]),
                on("SmsQueue", &["SendMessage"]),
                on("SocialInsuranceTable", &["Query"]),
            ],
        },
        check_permit: GET "/v1/permits/{permit_no}" => "check-permit" {
            summary: "is a residence permit genuine and valid now (public, rate-limited)",
            callers: EVERYONE,
            calls: &[
                on("AccountsTable", &["GetItem"]),
                on("PermitsTable", &["GetItem"]),
                on("RateLimitsTable", &["UpdateItem"]),
            ],
        },
        verify_document: GET "/v1/verify/{token}" => "verify-document" {
            summary: "the verification page a document's QR code opens: genuine or not, its live status (public, HTML)",
            callers: EVERYONE,
            calls: &[
                on("AccountsTable", &["GetItem"]),
                on("DocumentKeysTable", &["GetItem"]),
                on("PermitsTable", &["GetItem"]),
                on("ProcessingRecordsTable", &["BatchWriteItem"]),
                on("RateLimitsTable", &["UpdateItem"]),
                on("RegistrationsTable", &["GetItem"]),
            ],
        },
        list_document_keys: GET "/v1/document-keys" => "list-document-keys" {
            summary: "the public keys documents are signed with, retired ones included (public)",
            callers: EVERYONE,
            calls: &[
                on("AccountsTable", &["GetItem"]),
                on("DocumentKeysTable", &["Query"]),
                on("RateLimitsTable", &["UpdateItem"]),
            ],
        },
        cancel_permit: POST "/v1/staff/permits/{permit_no}/cancellation" => "cancel-permit" {
            summary: "cancel a permit with a reason (staff)",
            callers: &[Staff],
            calls: &[
                on("AccountsTable", &["GetItem"]),
                on("IdempotencyKeysTable", &["UpdateItem"]),
                on("PermitsTable", &["GetItem", "Query", "UpdateItem"]),
                on("SmsQueue", &["SendMessage"]),
            ],
        },
        create_unit_permit_application: POST "/v1/unit/permit-applications" => "create-unit-permit-application" {
            summary: "a permit-platform unit files for an employee, who must consent before anything is decided (F25)",
            callers: &[PermitUnitAdmin],
            calls: &[
                on("AccountsTable", &["GetItem"]),
                on("AddressTable", &["Query"]),
                on("IdempotencyKeysTable", &["UpdateItem"]),
                on("PermitsTable", &["PutItem"]),
                on("ProcessingRecordsTable", &["BatchWriteItem"]),
                on("RateLimitsTable", &["UpdateItem"]),
                on("SmsQueue", &["SendMessage"]),
            ],
            environment: PHOTOS,
        },
        list_unit_permit_applications: GET "/v1/unit/permit-applications" => "list-unit-permit-applications" {
            summary: "the applications a unit filed for its employees (F25)",
            callers: &[PermitUnitAdmin],
            calls: &[
                on("AccountsTable", &["GetItem"]),
                on("PermitsTable/index/applications_by_unit", &["Query"]),
            ],
        },
        endorse_unit_permit: POST "/v1/unit/permits/{permit_no}/endorsements" => "endorse-unit-permit" {
            summary: "a unit endorses a permit issued on its application (F25)",
            callers: &[PermitUnitAdmin],
            calls: &[
                on("AccountsTable", &["GetItem"]),
                on("IdempotencyKeysTable", &["UpdateItem"]),
                on("PermitsTable", &["GetItem", "PutItem", "Query", "UpdateItem"]),
                on("RegistrationsTable/index/registrations_by_person", &["Query"]),
                on("SmsQueue", &["SendMessage"]),
                on("SocialInsuranceTable", &["Query"]),
            ],
        },
    ],
    renders_pdf: [
        get_registration_receipt: GET "/v1/registrations/{registration_id}/receipt" => "get-registration-receipt" {
            summary: "the receipt PDF",
            callers: &[Individual, UnitAdmin, SubAccount, Staff],
            calls: &[
                on("AccountsTable", &["GetItem"]),
                on("ProcessingRecordsTable", &["BatchWriteItem"]),
                on("RegistrationsTable", &["GetItem"]),
            ],
        },
        get_permit_card: GET "/v1/me/permit/card" => "get-permit-card" {
            summary: "the electronic residence permit (PDF with a QR code of its check)",
            callers: &[PermitApplicant],
            calls: &[
                on("AccountsTable", &["GetItem"]),
                on("PermitsTable", &["GetItem"]),
            ],
        },
    ],
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every change takes an `Idempotency-Key` ([`crate::idempotency`]): its function claims
    /// (`UpdateItem`) and ends (`UpdateItem`) the key's record; no other route writes there.
    #[test]
    fn every_change_may_keep_its_answer_for_retries_and_nothing_else_does() {
        for route in ROUTES {
            let grants = route
                .calls
                .iter()
                .find(|calls| calls.resource == "IdempotencyKeysTable");
            let changes = matches!(route.method, "POST" | "PUT" | "PATCH");
            assert_eq!(
                grants.map(|calls| calls.actions),
                changes.then_some(&["UpdateItem"][..]),
                "{} {}",
                route.method,
                route.path
            );
        }
    }
}
