//! `rpctl`: the operator's command-line tool.
//!
//! - `rpctl local up`: tables, queues, local staff account, the queue workers and the local API
//!   (what `make run` starts).
//! - `rpctl tables create`: the template's tables in a DynamoDB (Local) endpoint.
//! - `rpctl staff create`: a counter-staff account (password from `STAFF_PASSWORD`, never argv).
//! - `rpctl address generate`: synthetic `buildings.csv` and `houses.csv` for every street.
//! - `rpctl address load`: buildings and houses from those files into the address table.
//! - `rpctl identity generate|load|present-face`: LOCAL ONLY, people for the local identity
//!   registry, and a face shown to a face check (what the face service's SDK does in the app).
//! - `rpctl social-insurance generate|load`: the bureau's social-insurance months.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use infra::template::Template;
use shared::context::local::LocalEndpoints;

#[derive(Parser)]
#[command(
    name = "rpctl",
    about = "Operator tool of the Shenzhen residence registration platform"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The local stack.
    Local {
        #[command(subcommand)]
        command: LocalCommand,
    },
    /// DynamoDB tables.
    Tables {
        #[command(subcommand)]
        command: TablesCommand,
    },
    /// Counter-staff accounts.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// Buildings and houses of the address table.
    Address {
        #[command(subcommand)]
        command: AddressCommand,
    },
    /// LOCAL ONLY: the local identity registry, the stand-in for the carrier's real-name check
    /// and the face check service that online identity checks ask on the local stack.
    Identity {
        #[command(subcommand)]
        command: IdentityCommand,
    },
    /// Social-insurance months shared by the bureau (人社局), read by the permit rules.
    SocialInsurance {
        #[command(subcommand)]
        command: SocialInsuranceCommand,
    },
    /// The public keys receipts and permits are signed with (GET /v1/document-keys).
    DocumentKeys {
        #[command(subcommand)]
        command: DocumentKeysCommand,
    },
    /// Residence-permit reminders and the status changes that fall due on a day.
    Reminders {
        #[command(subcommand)]
        command: RemindersCommand,
    },
    /// Rewrites template.yaml's route functions from the route table (functions/src/routes.rs).
    Template {
        /// Only check: exit 1 if template.yaml differs from what would be written.
        #[arg(long)]
        check: bool,
    },
}

#[derive(Subcommand)]
enum DocumentKeysCommand {
    /// Publish a KMS signing key (its public key read from KMS) as the active key, retiring the
    /// one before it (which stays published: its documents keep verifying). Run after every
    /// deployment that creates or replaces the stack's DocumentSigningKey, before it signs.
    Publish {
        /// The key: its ARN (the stack's DocumentSigningKeyArn output), id or alias.
        #[arg(long)]
        key: String,
        /// The id it is published under: the functions' DOCUMENT_SIGNING_KID (the first
        /// group of the key's id).
        #[arg(long)]
        kid: String,
        /// Against the deployed stack (the table from DOCUMENT_KEYS_TABLE, AWS credentials
        /// from the default chain).
        #[arg(long)]
        deployed: bool,
        #[command(flatten)]
        endpoints: Endpoints,
    },
}

#[derive(Subcommand)]
enum RemindersCommand {
    /// Run a day's milestones as the daily scheduled function does (idempotent: a second run of
    /// the same day sends nothing); prints the run's report as JSON.
    Run {
        /// The China date to run (YYYY-MM-DD); today's by default.
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
        /// Against the deployed stack: the tables and queue from the functions' variables and
        /// AWS credentials from the default chain.
        #[arg(long)]
        deployed: bool,
        #[command(flatten)]
        endpoints: Endpoints,
    },
}

#[derive(Subcommand)]
enum SocialInsuranceCommand {
    /// Print generated months (CSV: id_type,id_number,month,status) for the people of
    /// `rpctl identity generate --count N --seed S`, up to last month.
    Generate {
        #[arg(long, default_value_t = 1000)]
        count: usize,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// The most months back a person has paid for.
        #[arg(long, default_value_t = 30)]
        months: usize,
    },
    /// Load a bureau file (id_type,id_number,month YYYY-MM,status paid|unpaid): every row is
    /// checked first, one refused row (named by its line) loads nothing; idempotent.
    Load {
        file: PathBuf,
        /// Against the deployed stack: the table from SOCIAL_INSURANCE_TABLE (and the other
        /// variables the functions get) and AWS credentials from the default chain.
        #[arg(long)]
        deployed: bool,
        #[command(flatten)]
        endpoints: Endpoints,
    },
}

#[derive(Subcommand)]
enum IdentityCommand {
    /// Print a deterministic set of people as CSV (real_name,id_type,id_number,phone); `make run`
    /// seeds the registry with `--count 1000 --seed 2026`.
    Generate {
        #[arg(long, default_value_t = 1000)]
        count: usize,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Load people from a CSV file into the local registry (every row checked first: one refused
    /// row, named by its line, loads nothing).
    Load {
        file: PathBuf,
        #[command(flatten)]
        endpoints: Endpoints,
    },
    /// Have a photo taken at the local photo studio (the stand-in for the studios' photo-receipt
    /// service) for a resident ID number; prints its 图像号 (photo_receipt_no).
    Photo {
        #[arg(long)]
        id_number: String,
        #[command(flatten)]
        endpoints: Endpoints,
    },
    /// Show a face to an open face check, as the face service's SDK does in the app: the face of
    /// the person with this resident ID number (the check passes when it is the face of the person
    /// the check was opened for).
    PresentFace {
        /// The `face_check_id` that `POST /v1/me/identity-verification {"method": "face"}` answered.
        #[arg(long)]
        check: String,
        /// Whose face is shown: a resident ID number.
        #[arg(long)]
        id_number: String,
        /// A photo or a screen instead of a live person (the check fails).
        #[arg(long)]
        not_live: bool,
        #[command(flatten)]
        endpoints: Endpoints,
    },
}

#[derive(Subcommand)]
enum AddressCommand {
    /// Write a deterministic synthetic data set (buildings.csv, houses.csv) for every street.
    Generate {
        /// Directory to write buildings.csv and houses.csv into (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// Houses in all, spread evenly over the streets.
        #[arg(long)]
        houses: usize,
        /// Seed of the random choices: the same seed and count give the same files.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// The streets to generate for (default: the shipped infra/data/shenzhen_streets.csv).
        #[arg(long)]
        streets: Option<PathBuf>,
    },
    /// Load buildings.csv and houses.csv (checked row by row; refused rows are listed with their
    /// line numbers and the rest loads). Idempotent.
    Load {
        /// The buildings file: building_code,name,address.
        #[arg(long)]
        buildings: PathBuf,
        /// The houses file: house_code,room,floor.
        #[arg(long)]
        houses: PathBuf,
        /// Load (or reload) the streets from this CSV first (street_code,street_name,
        /// district_code,district_name,area_name), e.g. infra/data/shenzhen_streets.csv.
        #[arg(long)]
        streets: Option<PathBuf>,
        /// BatchWriteItem calls in flight.
        #[arg(long, default_value_t = infra::operator::batch::DEFAULT_CONCURRENCY)]
        concurrency: usize,
        /// Against the deployed stack: the table from ADDRESS_TABLE (and the other variables the
        /// functions get) and AWS credentials from the default chain.
        #[arg(long)]
        deployed: bool,
        #[command(flatten)]
        endpoints: Endpoints,
    },
}

#[derive(Subcommand)]
enum LocalCommand {
    /// Create tables, queues and the local staff account, then run the queue workers and serve the
    /// API until Ctrl-C.
    Up {
        #[command(flatten)]
        endpoints: Endpoints,
        /// Port of the local API.
        #[arg(long, env = "API_PORT", default_value_t = 3000)]
        port: u16,
    },
}

#[derive(Subcommand)]
enum TablesCommand {
    /// Create every table of template.yaml that does not exist yet (named by logical id).
    Create {
        #[command(flatten)]
        endpoints: Endpoints,
    },
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Create a staff account (idempotent by username). The password comes from STAFF_PASSWORD;
    /// pass the phone and ID number through STAFF_PHONE / STAFF_ID_NUMBER to keep them out of
    /// the process list and shell history.
    Create {
        /// Against the deployed stack: tables and secrets from the same variables the functions
        /// get (ACCOUNTS_TABLE, …, SECRETS_ID) and AWS credentials from the default chain.
        #[arg(long)]
        deployed: bool,
        #[command(flatten)]
        endpoints: Endpoints,
        #[arg(long)]
        username: String,
        #[arg(long)]
        real_name: String,
        #[arg(long, env = "STAFF_PHONE", hide_env_values = true)]
        phone: String,
        #[arg(long, env = "STAFF_ID_NUMBER", hide_env_values = true)]
        id_number: String,
        /// The office (受理点) the staff member works at, e.g. 福田区福田街道居住登记受理点:
        /// the people whose data they read see it instead of the staff member.
        #[arg(long)]
        office: String,
    },
}

#[derive(Args, Clone)]
struct Endpoints {
    /// DynamoDB endpoint (DynamoDB Local).
    #[arg(
        long,
        env = "DYNAMODB_ENDPOINT",
        default_value = "http://127.0.0.1:8000"
    )]
    dynamodb_endpoint: String,
    /// SNS endpoint (the moto emulator).
    #[arg(long, env = "SNS_ENDPOINT", default_value = "http://127.0.0.1:5000")]
    sns_endpoint: String,
    /// SQS and EventBridge endpoint (default: the SNS endpoint, one moto server serves all).
    #[arg(long, env = "SQS_ENDPOINT")]
    sqs_endpoint: Option<String>,
    #[arg(long, env = "AWS_REGION", default_value = "ap-east-1")]
    region: String,
}

impl From<Endpoints> for LocalEndpoints {
    fn from(e: Endpoints) -> Self {
        LocalEndpoints {
            dynamodb: e.dynamodb_endpoint,
            // The moto server for SQS serves EventBridge and KMS too.
            events: e
                .sqs_endpoint
                .clone()
                .unwrap_or_else(|| e.sns_endpoint.clone()),
            kms: e
                .sqs_endpoint
                .clone()
                .unwrap_or_else(|| e.sns_endpoint.clone()),
            sqs: e.sqs_endpoint.unwrap_or_else(|| e.sns_endpoint.clone()),
            sns: e.sns_endpoint,
            region: e.region,
            queue_suffix: String::new(),
            counter: None,
        }
    }
}

fn from_process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,aws_config=warn,aws_smithy_runtime=warn".into()),
        )
        .with_target(false)
        .init();
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("rpctl: {error}");
            ExitCode::FAILURE
        }
    }
}

/// `rpctl template [--check]`.
fn route_functions(check: bool) -> Result<(), Box<dyn std::error::Error>> {
    let path = infra::template::repo_root().join("template.yaml");
    let committed = std::fs::read_to_string(&path)?;
    let written = infra::template::route_functions::rewrite(&committed, functions::ROUTES)?;
    if written == committed {
        println!("{}: the route functions are up to date", path.display());
    } else if check {
        return Err(format!(
            "{}: the route functions differ from the route table: run `make template`",
            path.display()
        )
        .into());
    } else {
        std::fs::write(&path, written)?;
        println!("{}: route functions rewritten", path.display());
    }
    Ok(())
}

async fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    if let Command::Address {
        command: command @ AddressCommand::Generate { .. },
    } = cli.command
    {
        // Needs no stack: not even template.yaml.
        return address(None, command).await;
    }
    if let Command::Identity {
        command: IdentityCommand::Generate { count, seed },
    } = cli.command
    {
        let people = infra::local::identity_registry::generate(count, seed);
        infra::local::identity_registry::write_csv(&people, std::io::stdout().lock())?;
        return Ok(());
    }
    if let Command::SocialInsurance {
        command:
            SocialInsuranceCommand::Generate {
                count,
                seed,
                months,
            },
    } = cli.command
    {
        let people = infra::local::identity_registry::generate(count, seed);
        let this_month =
            shared::domain::eligibility::insurance::YearMonth::of(shared::clock::today_in_china());
        let rows = infra::local::insurance_months::generate(&people, this_month, months, seed);
        infra::operator::social_insurance::write_csv(&rows, std::io::stdout().lock())?;
        return Ok(());
    }
    if let Command::Template { check } = cli.command {
        return route_functions(check);
    }
    let template = Template::load_default()?;
    match cli.command {
        Command::Local {
            command: LocalCommand::Up { endpoints, port },
        } => {
            let endpoints = LocalEndpoints::from(endpoints);
            infra::local::stack::prepare(&template, &endpoints, &from_process_env).await?;
            infra::local::stack::start_queue_workers(&template, &endpoints, &from_process_env)?;
            infra::local::stack::start_stream_workers(&template, &endpoints, &from_process_env)
                .await?;
            let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
            let (bound, listener, api) =
                infra::local::stack::bind_api(&template, &endpoints, &from_process_env, address)
                    .await?;
            println!("API:        http://{bound}  (OpenAPI: http://{bound}/openapi.json)");
            println!("DynamoDB:   {}", endpoints.dynamodb);
            println!(
                "SMS codes:  {}/moto-api/data.json  (list sns.SMS)",
                endpoints.sns
            );
            println!(
                "Events:     each consumer's queue on {}, e.g. ConsumerStatisticsQueue (docs/events.md)",
                endpoints.sqs
            );
            println!(
                "Staff:      username `staff`, password $LOCAL_STAFF_PASSWORD (default staff-local-pass-2026), phone 13900000000"
            );
            println!("Ctrl-C stops everything.");
            infra::local::api::serve(listener, api, async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        }
        Command::Tables {
            command: TablesCommand::Create { endpoints },
        } => {
            let ctx = local_context(&template, endpoints.into())?;
            let created = infra::local::tables::create_all(&ctx.db.client, &template).await?;
            println!(
                "created: {}",
                if created.is_empty() {
                    "none (all exist)".into()
                } else {
                    created.join(", ")
                }
            );
        }
        Command::Staff {
            command:
                StaffCommand::Create {
                    deployed,
                    endpoints,
                    username,
                    real_name,
                    phone,
                    id_number,
                    office,
                },
        } => {
            let password = std::env::var("STAFF_PASSWORD")
                .map_err(|_| "set STAFF_PASSWORD to the initial password")?;
            let ctx = if deployed {
                shared::AppContext::from_env().await?
            } else {
                local_context(&template, endpoints.into())?
            };
            let staff = infra::operator::staff::NewStaff {
                username,
                real_name,
                phone,
                id_number,
                password,
                office,
            };
            match infra::operator::staff::create(&ctx, staff).await? {
                infra::operator::staff::StaffOutcome::Created { account_id } => {
                    println!("created staff account {account_id}")
                }
                infra::operator::staff::StaffOutcome::AlreadyExists { account_id } => {
                    println!("a staff account with that username exists already: {account_id}")
                }
            }
        }
        Command::Address { command } => address(Some(&template), command).await?,
        Command::Identity {
            command: IdentityCommand::Load { file, endpoints },
        } => {
            let people = infra::local::identity_registry::read_csv(&file)?;
            let ctx = local_context(&template, endpoints.into())?;
            infra::local::identity_registry::create_table(&ctx).await?;
            let loaded = infra::local::identity_registry::load(&ctx, &people).await?;
            println!(
                "loaded {loaded} people into {}",
                infra::local::identity_registry::LOCAL_IDENTITY_REGISTRY
            );
        }
        Command::Identity {
            command:
                IdentityCommand::PresentFace {
                    check,
                    id_number,
                    not_live,
                    endpoints,
                },
        } => {
            let ctx = local_context(&template, endpoints.into())?;
            let shown = shared::identity::local_face_check::present_face(
                &ctx.db,
                infra::local::identity_registry::LOCAL_IDENTITY_REGISTRY,
                &check,
                shared::domain::id_document::IdType::ResidentId,
                &id_number,
                !not_live,
            )
            .await?;
            match shown {
                true => println!("face shown to check {check}"),
                false => return Err(format!("no face check {check}").into()),
            }
        }
        Command::Identity {
            command:
                IdentityCommand::Photo {
                    id_number,
                    endpoints,
                },
        } => {
            let ctx = local_context(&template, endpoints.into())?;
            infra::local::identity_registry::create_table(&ctx).await?;
            let no = infra::local::identity_registry::take_photo(
                &ctx,
                shared::domain::id_document::IdType::ResidentId,
                &id_number,
            )
            .await?;
            println!("{no}");
        }
        Command::DocumentKeys {
            command:
                DocumentKeysCommand::Publish {
                    key,
                    kid,
                    deployed,
                    endpoints,
                },
        } => {
            let ctx = target_context(Some(&template), deployed, endpoints).await?;
            let record = infra::operator::document_keys::kms_key(&ctx, &key, &kid).await?;
            infra::operator::document_keys::rotate_to(&ctx, &record).await?;
            println!(
                "published {kid} ({}) as the active document key",
                record.alg.as_str()
            );
        }
        Command::Identity {
            command: IdentityCommand::Generate { .. },
        }
        | Command::SocialInsurance {
            command: SocialInsuranceCommand::Generate { .. },
        }
        | Command::Template { .. } => unreachable!("handled above"),
        Command::SocialInsurance {
            command:
                SocialInsuranceCommand::Load {
                    file,
                    deployed,
                    endpoints,
                },
        } => {
            let rows = infra::operator::social_insurance::read_csv(&file)?;
            let ctx = target_context(Some(&template), deployed, endpoints).await?;
            let progress = std::io::IsTerminal::is_terminal(&std::io::stderr());
            let written = infra::operator::social_insurance::load(&ctx, &rows, progress).await?;
            println!(
                "loaded {written} months into {}",
                ctx.config.tables.social_insurance
            );
        }
        Command::Reminders {
            command:
                RemindersCommand::Run {
                    date,
                    deployed,
                    endpoints,
                },
        } => {
            let ctx = target_context(Some(&template), deployed, endpoints).await?;
            let day = date.unwrap_or_else(shared::clock::today_in_china);
            let report = infra::operator::reminders::run(&ctx, day).await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
        }
    }
    Ok(())
}

/// How many refused rows `address load` lists (all are counted).
const REFUSED_LISTED: usize = 50;

async fn address(
    template: Option<&Template>,
    command: AddressCommand,
) -> Result<(), Box<dyn std::error::Error>> {
    use infra::operator::address_data::{generate, load};
    match command {
        AddressCommand::Generate {
            out,
            houses,
            seed,
            streets,
        } => {
            let path = streets.unwrap_or_else(infra::operator::reference::default_streets_file);
            let streets = read_streets_strictly(&path)?;
            let data = generate::generate(&streets, &generate::GenerateOptions { houses, seed });
            let files = data
                .write_csv(&out)
                .map_err(|e| format!("writing into {}: {e}", out.display()))?;
            println!(
                "wrote {} buildings to {} and {} houses to {} ({} streets, seed {seed})",
                data.buildings.len(),
                files.buildings.display(),
                data.house_count(),
                files.houses.display(),
                streets.len(),
            );
        }
        AddressCommand::Load {
            buildings,
            houses,
            streets,
            concurrency,
            deployed,
            endpoints,
        } => {
            let ctx = target_context(template, deployed, endpoints).await?;
            if let Some(path) = streets {
                let streets = read_streets_strictly(&path)?;
                let table = &ctx.config.tables.address;
                infra::operator::reference::load_streets(&ctx.db.client, table, &streets).await?;
                println!("loaded {} streets from {}", streets.len(), path.display());
            }
            let options = load::LoadOptions {
                concurrency,
                progress: true,
            };
            let report = load::load_files(&ctx, &buildings, &houses, &options).await?;
            println!("{}", report.summary());
            if report.refused_count > 0 {
                println!(
                    "refused rows (the first {}):",
                    REFUSED_LISTED.min(report.refused_count)
                );
                print!("{}", report.refused_listing(REFUSED_LISTED));
            }
        }
    }
    Ok(())
}

/// The streets of a CSV file, refusing the file if any row is malformed.
fn read_streets_strictly(
    path: &std::path::Path,
) -> Result<Vec<shared::domain::districts::Street>, Box<dyn std::error::Error>> {
    let (streets, rejected) = infra::operator::reference::read_streets(path)?;
    if let Some(first) = rejected.first() {
        return Err(format!(
            "{}: {} malformed rows, the first at line {}: {}",
            path.display(),
            rejected.len(),
            first.line,
            first.reason
        )
        .into());
    }
    Ok(streets)
}

/// The deployed stack's context (`--deployed`: the functions' variables and the default AWS
/// credentials), or the local stack's at `endpoints`.
async fn target_context(
    template: Option<&Template>,
    deployed: bool,
    endpoints: Endpoints,
) -> Result<std::sync::Arc<shared::AppContext>, Box<dyn std::error::Error>> {
    if deployed {
        return Ok(shared::AppContext::from_env().await?);
    }
    let template = template.ok_or("template.yaml is needed")?;
    local_context(template, endpoints.into())
}

fn local_context(
    template: &Template,
    endpoints: LocalEndpoints,
) -> Result<std::sync::Arc<shared::AppContext>, Box<dyn std::error::Error>> {
    let config =
        infra::local::env::config(template, &Default::default(), &endpoints, &from_process_env)?;
    Ok(shared::AppContext::local(config, &endpoints))
}
