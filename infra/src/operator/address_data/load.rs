//! `rpctl address load`: checks building and house rows (see the [module docs](super) for the
//! file formats) and writes them into the address table.
//!
//! - Every row is checked with the domain types; a row that fails is refused with its line
//!   number and the reason, and the rest still loads.
//! - A building's street must be one of the loaded streets; a house's building must be in the
//!   buildings file (and not refused) or already in the table (looked up once per building).
//! - Re-runs are idempotent: the same items are overwritten. When a stored building's name
//!   changed, the name-index items of its old name that the new name does not have are deleted.
//! - Writes are BatchWriteItem calls of 25, several in flight, retrying unprocessed items. The
//!   houses file is streamed: a million rows never sit in memory as items.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::fs::File;
use std::future::Future;
use std::io::Read;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{AttributeValue, WriteRequest};
use futures::stream::{FuturesUnordered, StreamExt};
use indicatif::{ProgressBar, ProgressStyle};
use shared::AppContext;
use shared::domain::address::{BuildingCode, BuildingName, DetailedAddress, HouseCode, Room};
use shared::store::Item;
use shared::store::address::{
    Building, House, building_items, building_key, gram_keys, house_item,
};

use crate::operator::batch::{self, BatchError};

/// The columns of `buildings.csv`.
pub const BUILDING_COLUMNS: [&str; 3] = ["building_code", "name", "address"];
/// The columns of `houses.csv`.
pub const HOUSE_COLUMNS: [&str; 3] = ["house_code", "room", "floor"];

/// The floors a house may be on (basements to the tallest towers).
pub const FLOORS: RangeInclusive<i32> = -9..=200;

/// How many refused rows a report keeps (all are counted).
const MAX_KEPT_REFUSED: usize = 10_000;

/// Keys per BatchGetItem call (DynamoDB's limit).
const BATCH_GET: usize = 100;

/// Which input a row came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Buildings,
    Houses,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Buildings => "buildings",
            Self::Houses => "houses",
        })
    }
}

/// A row that was not loaded: where it is and why. `line` is the line in the CSV file (the
/// header is line 1), or the 1-based position in the list given to [`load_rows`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedRow {
    pub source: Source,
    pub line: u64,
    pub reason: String,
}

impl fmt::Display for RefusedRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} line {}: {}", self.source, self.line, self.reason)
    }
}

/// What a load did.
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    /// Buildings written (new or overwritten).
    pub buildings: usize,
    /// Houses written (new or overwritten).
    pub houses: usize,
    /// Stored buildings whose name changed.
    pub renamed: usize,
    /// Items put: buildings, their name-index items, houses.
    pub items_written: usize,
    /// Name-index items of old names deleted.
    pub items_deleted: usize,
    /// Every refused row is counted here…
    pub refused_count: usize,
    /// …and the first 10,000 are kept here, in file order (buildings first).
    pub refused: Vec<RefusedRow>,
    pub elapsed: Duration,
}

impl LoadReport {
    fn refuse(&mut self, row: RefusedRow) {
        self.refused_count += 1;
        if self.refused.len() < MAX_KEPT_REFUSED {
            self.refused.push(row);
        }
    }

    /// Rows (buildings and houses) written per second.
    pub fn rows_per_second(&self) -> f64 {
        (self.buildings + self.houses) as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Items (puts and deletes) written per second.
    pub fn items_per_second(&self) -> f64 {
        (self.items_written + self.items_deleted) as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// One paragraph for the operator.
    pub fn summary(&self) -> String {
        format!(
            "loaded {} buildings and {} houses in {:.1} s ({:.0} rows/s): {} items written \
             ({:.0} items/s), {} buildings renamed, {} stale name-index items deleted; {} rows refused",
            self.buildings,
            self.houses,
            self.elapsed.as_secs_f64(),
            self.rows_per_second(),
            self.items_written,
            self.items_per_second(),
            self.renamed,
            self.items_deleted,
            self.refused_count,
        )
    }

    /// The first `max` refused rows, one a line.
    pub fn refused_listing(&self, max: usize) -> String {
        let mut text = String::new();
        for row in self.refused.iter().take(max) {
            text.push_str(&format!("  {row}\n"));
        }
        if self.refused_count > max.min(self.refused.len()) {
            text.push_str(&format!(
                "  … and {} more\n",
                self.refused_count - max.min(self.refused.len())
            ));
        }
        text
    }
}

/// How to load.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// BatchWriteItem calls in flight.
    pub concurrency: usize,
    /// Show a progress bar on standard error (drawn only when it is a terminal).
    pub progress: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            concurrency: batch::DEFAULT_CONCURRENCY,
            progress: false,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {0}: {1}")]
    Read(PathBuf, String),
    #[error("{0}: the header line must name the columns {1} (in any order, no others)")]
    Header(PathBuf, String),
    #[error(
        "the address table has no streets: load them first (`rpctl address load --streets infra/data/shenzhen_streets.csv …`)"
    )]
    NoStreets,
    #[error("DynamoDB: {0}")]
    Store(String),
    #[error("DynamoDB: {0}")]
    Records(#[from] shared::store::StoreError),
    #[error(transparent)]
    Batch(#[from] BatchError),
}

// ------------------------------------------------------------------------------ public entries

/// Loads `buildings.csv` then `houses.csv` into the context's address table.
pub async fn load_files(
    ctx: &AppContext,
    buildings: &Path,
    houses: &Path,
    options: &LoadOptions,
) -> Result<LoadReport, LoadError> {
    load_files_into(&DynamoStore { ctx }, buildings, houses, options).await
}

/// Loads buildings and houses given as records (for the local stack's data set and tests). They
/// are checked like file rows; `line` in a refused row is the 1-based position in its list.
pub async fn load_rows(
    ctx: &AppContext,
    buildings: Vec<Building>,
    houses: Vec<House>,
    options: &LoadOptions,
) -> Result<LoadReport, LoadError> {
    load_records_into(&DynamoStore { ctx }, buildings, houses, options).await
}

pub(crate) async fn load_files_into<S: Store>(
    store: &S,
    buildings: &Path,
    houses: &Path,
    options: &LoadOptions,
) -> Result<LoadReport, LoadError> {
    // Both headers are checked before anything is written.
    let building_rows = CsvRows::open(buildings, Source::Buildings, &BUILDING_COLUMNS)?;
    let house_rows = CsvRows::open(houses, Source::Houses, &HOUSE_COLUMNS)?;
    let total = if options.progress {
        count_rows(buildings)? + count_rows(houses)?
    } else {
        0
    };
    let building_rows = building_rows.map(|row| {
        row.map(|fields| {
            fields.map(|(line, [building_code, name, address])| RawBuilding {
                line,
                building_code,
                name,
                address,
            })
        })
    });
    let house_rows = house_rows.map(|row| {
        row.map(|fields| {
            fields.map(|(line, [house_code, room, floor])| RawHouse {
                line,
                house_code,
                room,
                floor,
            })
        })
    });
    load(store, building_rows, house_rows, total, options).await
}

pub(crate) async fn load_records_into<S: Store>(
    store: &S,
    buildings: Vec<Building>,
    houses: Vec<House>,
    options: &LoadOptions,
) -> Result<LoadReport, LoadError> {
    let total = (buildings.len() + houses.len()) as u64;
    let building_rows = buildings.into_iter().zip(1..).map(|(b, line)| {
        Ok(Ok(RawBuilding {
            line,
            building_code: b.building_code,
            name: b.name,
            address: b.address,
        }))
    });
    let house_rows = houses.into_iter().zip(1..).map(|(h, line)| {
        Ok(Ok(RawHouse {
            line,
            house_code: h.house_code,
            room: h.room,
            floor: h.floor.map(|f| f.to_string()).unwrap_or_default(),
        }))
    });
    load(store, building_rows, house_rows, total, options).await
}

// ------------------------------------------------------------------------------ checks

struct RawBuilding {
    line: u64,
    building_code: String,
    name: String,
    address: String,
}

struct RawHouse {
    line: u64,
    house_code: String,
    room: String,
    floor: String,
}

/// A value quoted in a reason, cut short when long.
fn shown(value: &str) -> String {
    const MAX: usize = 40;
    if value.chars().count() > MAX {
        format!("{:?}…", value.chars().take(MAX).collect::<String>())
    } else {
        format!("{value:?}")
    }
}

fn check_building(raw: &RawBuilding, streets: &HashSet<String>) -> Result<Building, String> {
    let code = BuildingCode::parse(&raw.building_code).map_err(|_| {
        format!(
            "building_code {} is not 19 digits starting with 4403",
            shown(&raw.building_code)
        )
    })?;
    let street = code.street_code();
    if !streets.contains(street.as_str()) {
        return Err(format!(
            "building_code {code}: its street {street} is not a loaded street"
        ));
    }
    let name = BuildingName::parse(&raw.name).map_err(|_| {
        format!(
            "name {} is not 1–60 characters without control characters",
            shown(&raw.name)
        )
    })?;
    let address = DetailedAddress::parse(&raw.address).map_err(|_| {
        format!(
            "address {} is not 5–120 characters without control characters",
            shown(&raw.address)
        )
    })?;
    Ok(Building::new(&code, name.as_str(), address.as_str()))
}

fn check_house(raw: &RawHouse) -> Result<House, String> {
    let code = HouseCode::parse(&raw.house_code).map_err(|_| {
        format!(
            "house_code {} is not 25 digits starting with 4403",
            shown(&raw.house_code)
        )
    })?;
    let room = Room::parse(&raw.room).map_err(|_| {
        format!(
            "room {} is not 1–16 letters, digits or '-'",
            shown(&raw.room)
        )
    })?;
    let floor = match raw.floor.trim() {
        "" => None,
        text => match text.parse::<i32>() {
            Ok(floor) if FLOORS.contains(&floor) => Some(floor),
            _ => {
                return Err(format!(
                    "floor {} is not a whole number from {} to {} (or empty)",
                    shown(text),
                    FLOORS.start(),
                    FLOORS.end()
                ));
            }
        },
    };
    Ok(House::new(&code, &room, floor))
}

// ------------------------------------------------------------------------------ the load

/// What the load needs from the table (DynamoDB, or memory in unit tests).
pub(crate) trait Store: Sync {
    /// The codes of the loaded streets.
    fn street_codes(&self) -> impl Future<Output = Result<HashSet<String>, LoadError>> + Send;
    /// The stored buildings among these codes (at most 100).
    fn stored_buildings(
        &self,
        codes: Vec<String>,
    ) -> impl Future<Output = Result<HashMap<String, Building>, LoadError>> + Send;
    /// Whether the table holds this building.
    fn building_exists(
        &self,
        code: BuildingCode,
    ) -> impl Future<Output = Result<bool, LoadError>> + Send;
    /// One batch of at most 25 writes.
    fn write(
        &self,
        requests: Vec<WriteRequest>,
    ) -> impl Future<Output = Result<(), LoadError>> + Send;
}

type RowResult<T> = Result<Result<T, RefusedRow>, LoadError>;

async fn load<S: Store>(
    store: &S,
    buildings: impl Iterator<Item = RowResult<RawBuilding>> + Send,
    houses: impl Iterator<Item = RowResult<RawHouse>> + Send,
    total_rows: u64,
    options: &LoadOptions,
) -> Result<LoadReport, LoadError> {
    let started = Instant::now();
    let streets = store.street_codes().await?;
    if streets.is_empty() {
        return Err(LoadError::NoStreets);
    }
    let bar = progress_bar(options, total_rows);
    let mut report = LoadReport::default();
    let mut writer = Writer::new(store, options.concurrency);

    // Buildings: all in memory (tens of thousands at most), checked, then compared with the
    // stored ones a hundred at a time.
    bar.set_message("buildings");
    let mut lines: HashMap<String, u64> = HashMap::new();
    let mut valid = Vec::new();
    for row in buildings {
        bar.inc(1);
        let raw = match row? {
            Ok(raw) => raw,
            Err(refused) => {
                report.refuse(refused);
                continue;
            }
        };
        let refuse = |reason| RefusedRow {
            source: Source::Buildings,
            line: raw.line,
            reason,
        };
        match check_building(&raw, &streets) {
            Err(reason) => report.refuse(refuse(reason)),
            Ok(building) => match lines.entry(building.building_code.clone()) {
                Entry::Occupied(first) => report.refuse(refuse(format!(
                    "building_code {} repeats line {}",
                    building.building_code,
                    first.get()
                ))),
                Entry::Vacant(slot) => {
                    slot.insert(raw.line);
                    valid.push(building);
                }
            },
        }
    }
    for chunk in valid.chunks(BATCH_GET) {
        let codes = chunk.iter().map(|b| b.building_code.clone()).collect();
        let stored = store.stored_buildings(codes).await?;
        for building in chunk {
            if let Some(old) = stored.get(&building.building_code)
                && old.name != building.name
            {
                report.renamed += 1;
                let keep: HashSet<String> = gram_keys(building).iter().map(partition).collect();
                for key in gram_keys(old) {
                    if !keep.contains(&partition(&key)) {
                        writer.push(batch::delete(key)).await?;
                        report.items_deleted += 1;
                    }
                }
            }
            for item in building_items(building)? {
                writer.push(batch::put(item)).await?;
                report.items_written += 1;
            }
        }
    }
    report.buildings = valid.len();
    drop(valid);

    // Houses: streamed row by row into the writer.
    bar.set_message("houses");
    let mut looked_up: HashMap<String, bool> = HashMap::new();
    let mut seen: HashMap<u128, u64> = HashMap::new();
    for row in houses {
        bar.inc(1);
        let raw = match row? {
            Ok(raw) => raw,
            Err(refused) => {
                report.refuse(refused);
                continue;
            }
        };
        let refuse = |reason| RefusedRow {
            source: Source::Houses,
            line: raw.line,
            reason,
        };
        let house = match check_house(&raw) {
            Ok(house) => house,
            Err(reason) => {
                report.refuse(refuse(reason));
                continue;
            }
        };
        let number: u128 = house.house_code.parse().expect("25 digits");
        if let Some(first) = seen.get(&number) {
            report.refuse(refuse(format!(
                "house_code {} repeats line {first}",
                house.house_code
            )));
            continue;
        }
        let building = &house.building_id;
        let exists = if lines.contains_key(building) {
            true
        } else if let Some(&exists) = looked_up.get(building) {
            exists
        } else {
            let code = BuildingCode::parse(building).expect("a house code's first 19 digits");
            let exists = store.building_exists(code).await?;
            looked_up.insert(building.clone(), exists);
            exists
        };
        if !exists {
            report.refuse(refuse(format!(
                "house_code {}: its building {building} is neither in the buildings rows nor in the table",
                house.house_code
            )));
            continue;
        }
        seen.insert(number, raw.line);
        writer.push(batch::put(house_item(&house)?)).await?;
        report.houses += 1;
        report.items_written += 1;
    }
    writer.finish().await?;
    bar.finish_and_clear();
    report.elapsed = started.elapsed();
    Ok(report)
}

/// The partition key of an item, as text.
fn partition(key: &Item) -> String {
    match key.get("pk") {
        Some(AttributeValue::S(pk)) => pk.clone(),
        _ => String::new(),
    }
}

fn progress_bar(options: &LoadOptions, total: u64) -> ProgressBar {
    if !options.progress {
        return ProgressBar::hidden();
    }
    // Draws on standard error, and not at all when that is not a terminal.
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(
            "{msg:9} [{bar:30}] {human_pos}/{human_len} rows  {per_sec}  {elapsed_precise}  ETA {eta}",
        )
        .expect("a valid template")
        .progress_chars("=> "),
    );
    bar
}

type WriteFuture<'s> = Pin<Box<dyn Future<Output = Result<(), LoadError>> + Send + 's>>;

/// Collects writes into batches of 25 and keeps up to `concurrency` batches in flight.
struct Writer<'s, S: Store> {
    store: &'s S,
    concurrency: usize,
    pending: Vec<WriteRequest>,
    in_flight: FuturesUnordered<WriteFuture<'s>>,
}

impl<'s, S: Store> Writer<'s, S> {
    fn new(store: &'s S, concurrency: usize) -> Self {
        Self {
            store,
            concurrency: concurrency.max(1),
            pending: Vec::with_capacity(batch::CHUNK),
            in_flight: FuturesUnordered::new(),
        }
    }

    async fn push(&mut self, request: WriteRequest) -> Result<(), LoadError> {
        self.pending.push(request);
        if self.pending.len() == batch::CHUNK {
            self.send().await?;
        }
        Ok(())
    }

    async fn send(&mut self) -> Result<(), LoadError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        while self.in_flight.len() >= self.concurrency {
            if let Some(result) = self.in_flight.next().await {
                result?;
            }
        }
        let chunk = std::mem::replace(&mut self.pending, Vec::with_capacity(batch::CHUNK));
        self.in_flight.push(Box::pin(self.store.write(chunk)));
        Ok(())
    }

    async fn finish(mut self) -> Result<(), LoadError> {
        self.send().await?;
        while let Some(result) = self.in_flight.next().await {
            result?;
        }
        Ok(())
    }
}

// ------------------------------------------------------------------------------ CSV input

/// The rows of a CSV file, their fields in the order of `N` expected columns.
struct CsvRows<const N: usize> {
    path: PathBuf,
    source: Source,
    reader: csv::Reader<File>,
    order: [usize; N],
    width: usize,
    record: csv::StringRecord,
}

impl<const N: usize> CsvRows<N> {
    fn open(path: &Path, source: Source, columns: &[&str; N]) -> Result<Self, LoadError> {
        let read_error = |e: csv::Error| LoadError::Read(path.to_owned(), e.to_string());
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::All)
            .from_path(path)
            .map_err(read_error)?;
        let headers: Vec<String> = reader
            .headers()
            .map_err(read_error)?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_owned())
            .collect();
        let header_error = || LoadError::Header(path.to_owned(), columns.join(","));
        if headers.len() != N {
            return Err(header_error());
        }
        let mut order = [0; N];
        for (slot, column) in order.iter_mut().zip(columns) {
            *slot = headers
                .iter()
                .position(|h| h == column)
                .ok_or_else(header_error)?;
        }
        Ok(Self {
            path: path.to_owned(),
            source,
            reader,
            order,
            width: N,
            record: csv::StringRecord::new(),
        })
    }
}

impl<const N: usize> Iterator for CsvRows<N> {
    type Item = RowResult<(u64, [String; N])>;

    fn next(&mut self) -> Option<Self::Item> {
        let refused = |line, reason| {
            Some(Ok(Err(RefusedRow {
                source: self.source,
                line,
                reason,
            })))
        };
        match self.reader.read_record(&mut self.record) {
            Ok(false) => None,
            Ok(true) => {
                let line = self.record.position().map_or(0, |p| p.line());
                if self.record.len() != self.width {
                    return refused(
                        line,
                        format!(
                            "{} columns where the header has {}",
                            self.record.len(),
                            self.width
                        ),
                    );
                }
                let fields = self.order.map(|i| self.record[i].to_owned());
                Some(Ok(Ok((line, fields))))
            }
            Err(error) => {
                if let csv::ErrorKind::Io(io) = error.kind() {
                    return Some(Err(LoadError::Read(self.path.clone(), io.to_string())));
                }
                let line = error.position().map_or(0, |p| p.line());
                refused(line, error.to_string())
            }
        }
    }
}

/// The lines of a file less its header (for the progress bar; quoted line breaks count extra).
fn count_rows(path: &Path) -> Result<u64, LoadError> {
    let read_error = |e: std::io::Error| LoadError::Read(path.to_owned(), e.to_string());
    let mut file = File::open(path).map_err(read_error)?;
    let mut buffer = vec![0u8; 1 << 16];
    let (mut lines, mut last) = (0u64, b'\n');
    loop {
        let read = file.read(&mut buffer).map_err(read_error)?;
        if read == 0 {
            break;
        }
        lines += buffer[..read].iter().filter(|&&b| b == b'\n').count() as u64;
        last = buffer[read - 1];
    }
    if last != b'\n' {
        lines += 1;
    }
    Ok(lines.saturating_sub(1))
}

// ------------------------------------------------------------------------------ DynamoDB

/// The address table of a context.
struct DynamoStore<'a> {
    ctx: &'a AppContext,
}

impl Store for DynamoStore<'_> {
    async fn street_codes(&self) -> Result<HashSet<String>, LoadError> {
        let districts = shared::store::address::districts(&self.ctx.db)
            .await
            .map_err(|e| LoadError::Store(format!("reading the streets: {e:?}")))?;
        Ok(districts
            .districts
            .iter()
            .flat_map(|d| d.streets.iter().map(|s| s.code.clone()))
            .collect())
    }

    async fn stored_buildings(
        &self,
        codes: Vec<String>,
    ) -> Result<HashMap<String, Building>, LoadError> {
        let table = &self.ctx.config.tables.address;
        let mut found = HashMap::new();
        if codes.is_empty() {
            return Ok(found);
        }
        let keys = codes.iter().map(|code| building_key(code)).collect();
        for item in
            shared::store::batch_get(&self.ctx.db, table, keys, "address.load_buildings").await?
        {
            let building: Building = shared::store::from_item(item)?;
            found.insert(building.building_code.clone(), building);
        }
        Ok(found)
    }

    async fn building_exists(&self, code: BuildingCode) -> Result<bool, LoadError> {
        shared::store::address::get_building(&self.ctx.db, &code)
            .await
            .map(|b| b.is_some())
            .map_err(|e| LoadError::Store(format!("GetItem of building {code}: {e:?}")))
    }

    async fn write(&self, requests: Vec<WriteRequest>) -> Result<(), LoadError> {
        let table = &self.ctx.config.tables.address;
        Ok(batch::write_chunk(&self.ctx.db.client, table, requests).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operator::address_data::memory::MemoryStore;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("address-load-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn files(name: &str, buildings: &str, houses: &str) -> (PathBuf, PathBuf) {
        let dir = temp_dir(name);
        let (b, h) = (dir.join("buildings.csv"), dir.join("houses.csv"));
        std::fs::write(&b, buildings).unwrap();
        std::fs::write(&h, houses).unwrap();
        (b, h)
    }

    const BUILDINGS: &str = "building_code,name,address\n\
        4403030010010300001,翠竹花园 3栋,罗湖区桂园街道翠竹路8号\n\
        440303001001030002,短编码大厦,罗湖区桂园街道翠竹路9号\n\
        4403999990010300003,未知街道花园,罗湖区某街道某路1号\n\
        4403030010010300004,只有两列\n\
        \"4403030010010300005\",\"景田苑 A座\",\"罗湖区桂园街道景田路2号\"\n\
        4403030010010300001,重复花园,罗湖区桂园街道翠竹路8号\n";

    const HOUSES: &str = "room,house_code,floor\n\
        301,4403030010010300001000301,3\n\
        302,4403030010010300001000302,\n\
        1201,4403030010010300009001201,12\n\
        3 01,4403030010010300001000303,3\n\
        101,44030300100103000010001,1\n\
        A-1,4403030010010300005000001,-1\n\
        102,4403030010010300005000102,1,extra\n\
        103,4403030010010300005000103,first\n\
        301,4403030010010300001000301,3\n";

    #[tokio::test]
    async fn malformed_rows_are_refused_with_their_line_numbers() {
        let store = MemoryStore::with_streets(&["440303001"]);
        let (b, h) = files("lines", BUILDINGS, HOUSES);
        let report = load_files_into(&store, &b, &h, &LoadOptions::default())
            .await
            .unwrap();
        let refused: Vec<(Source, u64)> =
            report.refused.iter().map(|r| (r.source, r.line)).collect();
        assert_eq!(
            refused,
            [
                (Source::Buildings, 3), // 18-digit code
                (Source::Buildings, 4), // unknown street
                (Source::Buildings, 5), // two columns
                (Source::Buildings, 7), // repeated code
                (Source::Houses, 4),    // unknown building
                (Source::Houses, 5),    // bad room
                (Source::Houses, 6),    // 24-digit code
                (Source::Houses, 8),    // four columns
                (Source::Houses, 9),    // bad floor
                (Source::Houses, 10),   // repeated house
            ],
            "{:#?}",
            report.refused
        );
        let reasons: Vec<&str> = report.refused.iter().map(|r| r.reason.as_str()).collect();
        assert!(reasons[0].contains("19 digits"), "{}", reasons[0]);
        assert!(reasons[1].contains("440399999"), "{}", reasons[1]);
        assert!(reasons[2].contains("2 columns"), "{}", reasons[2]);
        assert!(reasons[3].contains("repeats line 2"), "{}", reasons[3]);
        assert!(reasons[4].contains("4403030010010300009"), "{}", reasons[4]);
        assert!(reasons[5].starts_with("room"), "{}", reasons[5]);
        assert!(reasons[8].starts_with("floor"), "{}", reasons[8]);
        assert!(reasons[9].contains("repeats line 2"), "{}", reasons[9]);
        assert_eq!(report.refused_count, 10);
        assert_eq!((report.buildings, report.houses), (2, 3));
        let house = store
            .get(
                "BUILDING#4403030010010300001",
                "HOUSE#4403030010010300001000302",
            )
            .unwrap();
        assert_eq!(house["room"], AttributeValue::S("302".into()));
        assert!(!house.contains_key("floor"));
        let basement = store
            .get(
                "BUILDING#4403030010010300005",
                "HOUSE#4403030010010300005000001",
            )
            .unwrap();
        assert_eq!(basement["floor"], AttributeValue::N("-1".into()));
        assert!(report.refused_listing(3).contains("and 7 more"));
    }

    #[tokio::test]
    async fn a_wrong_header_refuses_the_file_before_writing() {
        let store = MemoryStore::with_streets(&["440303001"]);
        let (b, h) = files(
            "header",
            BUILDINGS,
            "house_code,room,storey\n4403030010010300001000301,301,3\n",
        );
        let error = load_files_into(&store, &b, &h, &LoadOptions::default())
            .await
            .unwrap_err();
        assert!(matches!(error, LoadError::Header(..)), "{error}");
        assert_eq!(store.len(), 0);
        let missing = Path::new("/nonexistent/houses.csv");
        let error = load_files_into(&store, &b, missing, &LoadOptions::default())
            .await
            .unwrap_err();
        assert!(matches!(error, LoadError::Read(..)), "{error}");
    }

    #[tokio::test]
    async fn houses_may_belong_to_stored_buildings_and_reruns_rename() {
        let store = MemoryStore::with_streets(&["440303001"]);
        let code = BuildingCode::parse("4403030010010300001").unwrap();
        let first = Building::new(&code, "翠竹花园 3栋", "罗湖区桂园街道翠竹路8号");
        let report = load_records_into(&store, vec![first.clone()], vec![], &Default::default())
            .await
            .unwrap();
        assert_eq!(report.items_written, 1 + gram_keys(&first).len());

        // The building is stored: a later load of houses alone finds it.
        let house = House::new(
            &HouseCode::parse("4403030010010300001000301").unwrap(),
            &Room::parse("301").unwrap(),
            Some(3),
        );
        let report = load_records_into(&store, vec![], vec![house], &Default::default())
            .await
            .unwrap();
        assert_eq!((report.houses, report.refused_count), (1, 0));

        // Renamed: the pairs of the old name that the new one lacks go; the shared ones stay.
        let renamed = Building::new(&code, "翠竹苑 3栋", "罗湖区桂园街道翠竹路8号");
        let report = load_records_into(&store, vec![renamed.clone()], vec![], &Default::default())
            .await
            .unwrap();
        assert_eq!(report.renamed, 1);
        // 翠竹花园3栋: 翠竹 竹花 花园 园3 3栋; 翠竹苑3栋: 翠竹 竹苑 苑3 3栋.
        assert_eq!(report.items_deleted, 3);
        let grams = store.partitions_with_prefix("GRAM#440303001#");
        assert_eq!(
            grams,
            [
                "GRAM#440303001#3栋",
                "GRAM#440303001#竹苑",
                "GRAM#440303001#翠竹",
                "GRAM#440303001#苑3"
            ]
        );
        // Idempotent: the same load again changes nothing.
        let before = store.len();
        let report = load_records_into(&store, vec![renamed], vec![], &Default::default())
            .await
            .unwrap();
        assert_eq!((report.renamed, report.items_deleted), (0, 0));
        assert_eq!(store.len(), before);
    }

    #[tokio::test]
    async fn no_streets_no_load() {
        let store = MemoryStore::with_streets(&[]);
        let error = load_records_into(&store, vec![], vec![], &Default::default())
            .await
            .unwrap_err();
        assert!(matches!(error, LoadError::NoStreets));
    }

    #[test]
    fn rows_are_counted_for_the_progress_bar() {
        let (b, h) = files("count", "a\n1\n2", "a\n1\n2\n");
        assert_eq!(count_rows(&b).unwrap(), 2);
        assert_eq!(count_rows(&h).unwrap(), 2);
    }
}
