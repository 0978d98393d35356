//! Bringing the local stack up against running emulators: tables, queues, reference data (streets
//! and a small generated set of buildings and houses), the local staff account, the queue
//! workers, and the API. Used by
//! `rpctl local up` (make run) and by the end-to-end tests.

use std::net::SocketAddr;
use std::time::Instant;

use shared::AppContext;
use shared::context::local::LocalEndpoints;

use crate::local::api::LocalApi;
use crate::operator::address_data::generate::{self, GenerateOptions};
use crate::operator::address_data::load::{self, LoadError, LoadOptions, LoadReport};
use crate::template::Template;

/// The buildings and houses of the local stack: the same every time, 100 houses a street.
pub const LOCAL_ADDRESS_SET: GenerateOptions = GenerateOptions {
    houses: 7_400,
    seed: 2026,
};

#[derive(Debug, thiserror::Error)]
pub enum StackError {
    #[error(transparent)]
    Template(#[from] crate::template::TemplateError),
    #[error(transparent)]
    Tables(#[from] crate::local::tables::TableError),
    #[error(transparent)]
    Api(#[from] crate::local::api::LocalApiError),
    #[error("staff account: {0}")]
    Staff(#[from] crate::operator::staff::StaffError),
    #[error("reference data: {0}")]
    Reference(#[from] crate::operator::reference::ReferenceError),
    #[error("reference data: {0} malformed rows in the shipped file (first at line {1})")]
    MalformedReference(usize, u64),
    #[error("address data: {0}")]
    AddressData(#[from] LoadError),
    #[error(transparent)]
    Queues(#[from] crate::local::queues::QueueError),
    #[error(transparent)]
    EventBus(#[from] crate::local::event_bus::EventBusError),
    #[error("local identity registry: {0}")]
    IdentityRegistry(#[from] crate::local::identity_registry::RegistryError),
    #[error("social-insurance months: {0}")]
    SocialInsurance(#[from] crate::operator::social_insurance::ImportError),
    #[error("document keys: {0}")]
    DocumentKeys(#[from] crate::operator::document_keys::DocumentKeyError),
    #[error("{0} must be {1}")]
    Setting(&'static str, &'static str),
    #[error("cannot listen on {0}: {1}")]
    Listen(SocketAddr, std::io::Error),
}

/// Overrides the visibility timeout of every local queue: how long a message a worker failed
/// stays invisible before it is tried again (the tests set 1 s to see retries and dead-lettering
/// quickly).
pub const LOCAL_QUEUE_VISIBILITY_TIMEOUT: &str = "LOCAL_QUEUE_VISIBILITY_TIMEOUT_SECONDS";

/// Creates the template's tables and queues, loads the reference data (streets, then the local set of
/// buildings and houses) and creates the local staff account (all idempotent).
pub async fn prepare(
    template: &Template,
    endpoints: &LocalEndpoints,
    overrides: &dyn Fn(&str) -> Option<String>,
) -> Result<std::sync::Arc<AppContext>, StackError> {
    let config = crate::local::env::config(template, &Default::default(), endpoints, overrides)
        .map_err(|source| crate::local::api::LocalApiError::Config {
            function: "local stack".into(),
            source,
        })?;
    let ctx = AppContext::local(config, endpoints);
    let created = crate::local::tables::create_all(&ctx.db.client, template).await?;
    if !created.is_empty() {
        tracing::info!(tables = ?created, "tables created");
    }
    let visibility = match overrides(LOCAL_QUEUE_VISIBILITY_TIMEOUT) {
        Some(seconds) => Some(seconds.parse().map_err(|_| {
            StackError::Setting(LOCAL_QUEUE_VISIBILITY_TIMEOUT, "a whole number of seconds")
        })?),
        None => None,
    };
    crate::local::queues::create_all(&ctx.sqs, template, endpoints, visibility).await?;
    crate::local::event_bus::create_all(&ctx.events, template, endpoints).await?;
    let (streets, rejected) = crate::operator::reference::read_streets(
        &crate::operator::reference::default_streets_file(),
    )?;
    if let Some(first) = rejected.first() {
        return Err(StackError::MalformedReference(rejected.len(), first.line));
    }
    crate::operator::reference::load_streets(&ctx.db.client, &ctx.config.tables.address, &streets)
        .await?;
    seed_identity_registry(&ctx).await?;
    if let Some(key) = crate::operator::document_keys::local_key(&ctx) {
        crate::operator::document_keys::rotate_to(&ctx, &key).await?;
    }
    load_local_address_set(&ctx, &streets).await?;
    let staff = crate::operator::staff::local_staff(overrides("LOCAL_STAFF_PASSWORD"));
    crate::operator::staff::create(&ctx, staff).await?;
    Ok(ctx)
}

/// Starts the queue workers' pollers (the SMS sender) on `endpoints`.
pub fn start_queue_workers(
    template: &Template,
    endpoints: &LocalEndpoints,
    overrides: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<tokio::task::JoinHandle<()>>, StackError> {
    Ok(crate::local::queue_workers::spawn_all(
        template, endpoints, overrides,
    )?)
}

/// Starts the stream workers' pollers (the event publisher) on `endpoints`, each at its
/// stream's end.
pub async fn start_stream_workers(
    template: &Template,
    endpoints: &LocalEndpoints,
    overrides: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<tokio::task::JoinHandle<()>>, StackError> {
    Ok(crate::local::stream_pollers::spawn_all(template, endpoints, overrides).await?)
}

/// Binds the API's address and builds the API; returns the bound address and the server future.
/// Unless overridden, the functions' `PUBLIC_BASE_URL` (what QR codes point to) is the bound
/// address itself, so that a code scanned from a local receipt reaches this API.
pub async fn bind_api(
    template: &Template,
    endpoints: &LocalEndpoints,
    overrides: &dyn Fn(&str) -> Option<String>,
    address: SocketAddr,
) -> Result<(SocketAddr, tokio::net::TcpListener, LocalApi), StackError> {
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|e| StackError::Listen(address, e))?;
    let bound = listener
        .local_addr()
        .map_err(|e| StackError::Listen(address, e))?;
    // Bound on every interface: a phone on this machine reaches it on the loopback address.
    let reachable = match bound.ip().is_unspecified() {
        true => SocketAddr::from(([127, 0, 0, 1], bound.port())),
        false => bound,
    };
    let own_url = format!("http://{reachable}");
    let with_own_url = |name: &str| {
        overrides(name).or_else(|| (name == "PUBLIC_BASE_URL").then(|| own_url.clone()))
    };
    let api = LocalApi::build(template, endpoints, &with_own_url)?;
    Ok((bound, listener, api))
}

/// Creates the local identity registry (the stand-in for the real-name verification service) and
/// puts [`crate::local::identity_registry::LOCAL_IDENTITY_SET`] in it, with their generated
/// social-insurance months (the last 30 months at most), unless its last person is there.
async fn seed_identity_registry(ctx: &AppContext) -> Result<(), StackError> {
    use crate::local::identity_registry::{self as registry, LOCAL_IDENTITY_SET};
    static SEEDING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let _seeding = SEEDING.lock().await;
    registry::create_table(ctx).await?;
    let (count, seed) = LOCAL_IDENTITY_SET;
    let people = registry::generate(count, seed);
    let last = people.last().expect("people");
    let present = shared::identity::local_registry::is_registered(
        &ctx.db,
        registry::LOCAL_IDENTITY_REGISTRY,
        &last.id_number,
    )
    .await
    .map_err(|e| crate::local::identity_registry::RegistryError::Batch(e.into()))?;
    if !present {
        let loaded = registry::load(ctx, &people).await?;
        // Their social-insurance months too, as the bureau would share them.
        let this_month =
            shared::domain::eligibility::insurance::YearMonth::of(shared::clock::today_in_china());
        let months = crate::local::insurance_months::generate(&people, this_month, 30, seed);
        let months = crate::operator::social_insurance::load(ctx, &months, false).await?;
        tracing::info!(people = loaded, months, "local identity registry seeded");
    }
    Ok(())
}

/// Loads [`LOCAL_ADDRESS_SET`] unless it is there already (its last house is checked: houses are
/// written after buildings), so that restarts against the same DynamoDB are quick. Returns the
/// report when it loaded.
pub async fn load_local_address_set(
    ctx: &AppContext,
    streets: &[shared::domain::districts::Street],
) -> Result<Option<LoadReport>, StackError> {
    // Stacks started side by side in one process (the test harness) load it once: the others
    // wait here, then find it loaded.
    static LOADING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let _loading = LOADING.lock().await;
    let started = Instant::now();
    let data = generate::generate(streets, &LOCAL_ADDRESS_SET);
    let Some(last) = data.buildings.last().and_then(|b| b.houses().last()) else {
        return Ok(None);
    };
    let code = shared::domain::address::HouseCode::parse(&last.house_code)
        .expect("generated house codes are valid");
    let present = shared::store::address::get_house(&ctx.db, &code)
        .await
        .map_err(|e| LoadError::Store(format!("GetItem of house {code}: {e:?}")))?;
    if present.is_some() {
        return Ok(None);
    }
    let houses = data.houses().collect();
    let buildings = data.buildings.into_iter().map(|b| b.building).collect();
    let report = load::load_rows(ctx, buildings, houses, &LoadOptions::default()).await?;
    if report.refused_count > 0 {
        tracing::warn!(refused = report.refused_count, first = %report.refused[0], "local address set: rows refused");
    }
    tracing::info!(
        buildings = report.buildings,
        houses = report.houses,
        seconds = format!("{:.1}", started.elapsed().as_secs_f64()),
        "local address set loaded"
    );
    Ok(Some(report))
}
