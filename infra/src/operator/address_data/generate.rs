//! `rpctl address generate`: a deterministic, realistic-looking set of buildings and houses for
//! every street, for local development and benchmarks.
//!
//! For each street the generator lays out complexes one after another until the street's share
//! of houses is reached:
//!
//! | kind        | name                         | buildings | floors | rooms a floor |
//! |-------------|------------------------------|----------:|-------:|--------------:|
//! | estate      | `翠竹花园 3栋`, `景田苑 A座`   |     2–12  |  6–33  |          4–8  |
//! | tower       | `华侨大厦`, `莲花中心 B座`    |      1–3  | 18–40  |          4–8  |
//! | village     | `龙城新村 12号楼`             |     4–20  |   2–8  |          2–4  |
//! | apartments  | `阳光公寓`, `海滨人才公寓 2栋` |      1–3  |  6–25  |          6–8  |
//! | dormitories | `金色工业区 宿舍3栋`          |      2–8  |   4–7  |          6–8  |
//!
//! Names combine a two-character stem (翠竹, 华侨, 桂园, …), sometimes two, with a suffix of the
//! kind; a street never has two complexes of one name. Addresses read
//! `<area><street><stem>路<n>号`. Building codes follow the standard (street 9 digits, community
//! 3, grid 2, building 5), numbered per community; rooms are numbered by floor (floor 12:
//! `1201`–`1208`) and a house code is the building code followed by the room number as 6 digits
//! (`001201`). The last building of a street is cut short so that the total is exactly the
//! number of houses asked for.
//!
//! The same seed and house count give the same files (each street has its own random stream, so
//! a street's buildings depend only on the seed, the street and its share).

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use shared::domain::address::{BuildingCode, HouseCode, Room};
use shared::domain::districts::Street;
use shared::store::address::{Building, House};

/// Two-character stems of estate, road and village names.
const STEMS: [&str; 96] = [
    "翠竹", "华侨", "桂园", "景田", "莲花", "海滨", "金色", "阳光", "碧海", "龙城", "蓝天", "彩田",
    "百花", "梅林", "香蜜", "福星", "东湖", "银湖", "春风", "荔枝", "桃源", "凤凰", "锦绣", "丽景",
    "星河", "嘉和", "富康", "安居", "和平", "幸福", "康乐", "怡景", "紫荆", "木棉", "榕树", "松柏",
    "青山", "绿景", "明珠", "金海", "银河", "东方", "南国", "北岸", "西湖", "滨江", "半山", "云峰",
    "泰然", "新洲", "上沙", "下沙", "田贝", "清水", "黄木", "丰泽", "兴华", "振业", "宝华", "永安",
    "长城", "华富", "鹏城", "海景", "湾畔", "天健", "鸿福", "瑞和", "祥云", "华丰", "鼎盛", "金港",
    "润园", "书香", "文华", "雅居", "翡翠", "玉龙", "金桥", "花城", "白石", "红岭", "新秀", "水榭",
    "碧波", "山湖", "岭南", "福海", "聚龙", "德兴", "友谊", "光华", "朝阳", "逸翠", "盛世", "恒福",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Estate,
    Tower,
    Village,
    Apartments,
    Dormitories,
}

struct Shape {
    kind: Kind,
    /// Out of 100.
    weight: u32,
    suffixes: &'static [&'static str],
    buildings: (u32, u32),
    floors: (i32, i32),
    rooms: (i32, i32),
}

const SHAPES: [Shape; 5] = [
    Shape {
        kind: Kind::Estate,
        weight: 45,
        suffixes: &[
            "花园", "苑", "雅苑", "名苑", "家园", "华庭", "豪庭", "山庄", "新城", "公馆", "嘉园",
            "花城", "半岛", "府",
        ],
        buildings: (2, 12),
        floors: (6, 33),
        rooms: (4, 8),
    },
    Shape {
        kind: Kind::Tower,
        weight: 15,
        suffixes: &["大厦", "中心", "商务大厦", "国际大厦", "广场", "大楼"],
        buildings: (1, 3),
        floors: (18, 40),
        rooms: (4, 8),
    },
    Shape {
        kind: Kind::Village,
        weight: 25,
        suffixes: &["新村", "村", "旧村"],
        buildings: (4, 20),
        floors: (2, 8),
        rooms: (2, 4),
    },
    Shape {
        kind: Kind::Apartments,
        weight: 10,
        suffixes: &["公寓", "人才公寓", "青年公寓", "国际公寓"],
        buildings: (1, 3),
        floors: (6, 25),
        rooms: (6, 8),
    },
    Shape {
        kind: Kind::Dormitories,
        weight: 5,
        suffixes: &["工业区", "工业园", "科技园"],
        buildings: (2, 8),
        floors: (4, 7),
        rooms: (6, 8),
    },
];

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// Houses in all (spread evenly over the streets).
    pub houses: usize,
    pub seed: u64,
}

/// A generated building and the shape of its houses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedBuilding {
    pub building: Building,
    pub floors: i32,
    pub rooms_per_floor: i32,
    /// Houses in it: `floors × rooms_per_floor`, less for the last building of a street.
    pub house_count: usize,
}

impl PlannedBuilding {
    /// Its houses, floor by floor.
    pub fn houses(&self) -> impl Iterator<Item = House> + '_ {
        let code = &self.building.building_code;
        (1..=self.floors)
            .flat_map(move |floor| (1..=self.rooms_per_floor).map(move |room| (floor, room)))
            .take(self.house_count)
            .map(move |(floor, room)| {
                let number = floor * 100 + room;
                let house = HouseCode::parse(&format!("{code}{number:06}")).expect("25 digits");
                let room = Room::parse(&number.to_string()).expect("digits");
                House::new(&house, &room, Some(floor))
            })
    }
}

/// A generated data set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dataset {
    pub buildings: Vec<PlannedBuilding>,
}

/// The files a data set was written to.
#[derive(Debug, Clone)]
pub struct DatasetFiles {
    pub buildings: PathBuf,
    pub houses: PathBuf,
}

impl Dataset {
    pub fn house_count(&self) -> usize {
        self.buildings.iter().map(|b| b.house_count).sum()
    }

    /// Every house, building by building.
    pub fn houses(&self) -> impl Iterator<Item = House> + '_ {
        self.buildings.iter().flat_map(PlannedBuilding::houses)
    }

    /// Writes `buildings.csv` and `houses.csv` into `dir` (created if missing).
    pub fn write_csv(&self, dir: &Path) -> std::io::Result<DatasetFiles> {
        std::fs::create_dir_all(dir)?;
        let files = DatasetFiles {
            buildings: dir.join("buildings.csv"),
            houses: dir.join("houses.csv"),
        };
        let mut out = csv::Writer::from_path(&files.buildings)?;
        out.write_record(super::load::BUILDING_COLUMNS)?;
        for planned in &self.buildings {
            let b = &planned.building;
            out.write_record([&b.building_code, &b.name, &b.address])?;
        }
        out.flush()?;
        // Houses are written by hand: a million rows of plain digits need no quoting.
        let mut out =
            std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&files.houses)?);
        writeln!(out, "{}", super::load::HOUSE_COLUMNS.join(","))?;
        for house in self.houses() {
            let floor = house.floor.map(|f| f.to_string()).unwrap_or_default();
            writeln!(out, "{},{},{}", house.house_code, house.room, floor)?;
        }
        out.flush()?;
        Ok(files)
    }
}

/// Generates buildings and houses for `streets` (in code order), `options.houses` houses in all.
pub fn generate(streets: &[Street], options: &GenerateOptions) -> Dataset {
    let mut streets: Vec<&Street> = streets.iter().collect();
    streets.sort_by(|a, b| a.street_code.cmp(&b.street_code));
    let mut buildings = Vec::new();
    if streets.is_empty() {
        return Dataset { buildings };
    }
    let share = options.houses / streets.len();
    let extra = options.houses % streets.len();
    for (i, street) in streets.into_iter().enumerate() {
        let quota = share + usize::from(i < extra);
        generate_street(street, quota, options.seed, &mut buildings);
    }
    Dataset { buildings }
}

fn street_rng(seed: u64, street: &Street) -> StdRng {
    let street_number: u64 = street.street_code.parse().unwrap_or(0);
    StdRng::seed_from_u64(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ street_number)
}

fn pick_shape(rng: &mut StdRng) -> &'static Shape {
    let mut roll = rng.random_range(0..100);
    for shape in &SHAPES {
        if roll < shape.weight {
            return shape;
        }
        roll -= shape.weight;
    }
    &SHAPES[0]
}

fn complex_name(rng: &mut StdRng, shape: &Shape, taken: &mut HashSet<String>) -> String {
    for _ in 0..50 {
        let stem = *STEMS.choose(rng).expect("stems");
        let base = if rng.random_bool(0.3) {
            let second = *STEMS.choose(rng).expect("stems");
            if second == stem {
                continue;
            }
            format!("{stem}{second}")
        } else {
            stem.to_owned()
        };
        let name = format!("{base}{}", shape.suffixes.choose(rng).expect("suffixes"));
        if taken.insert(name.clone()) {
            return name;
        }
    }
    // Every short name is taken (a street with thousands of complexes): number the phases.
    let base = format!(
        "{}{}",
        STEMS.choose(rng).expect("stems"),
        shape.suffixes.choose(rng).expect("suffixes")
    );
    (2..)
        .map(|phase| format!("{base}{phase}期"))
        .find(|name| taken.insert(name.clone()))
        .expect("an unused phase")
}

/// The label of the `index`-th (0-based) of `count` buildings of a complex.
fn label(kind: Kind, index: u32, count: u32, letters: bool) -> Option<String> {
    match kind {
        Kind::Tower | Kind::Apartments if count == 1 => None,
        Kind::Tower => Some(format!("{}座", char::from(b'A' + index as u8))),
        Kind::Estate if letters && count <= 8 => {
            Some(format!("{}座", char::from(b'A' + index as u8)))
        }
        Kind::Village => Some(format!("{}号楼", index + 1)),
        Kind::Dormitories => Some(format!("宿舍{}栋", index + 1)),
        _ => Some(format!("{}栋", index + 1)),
    }
}

fn generate_street(street: &Street, quota: usize, seed: u64, out: &mut Vec<PlannedBuilding>) {
    let mut rng = street_rng(seed, street);
    let communities: u32 = rng.random_range(6..=15);
    let mut next_building = vec![1u32; communities as usize + 1];
    let mut taken = HashSet::new();
    // Small data sets (the local stack's) still get several buildings a street.
    let cap = (quota / 4).max(6) as i32;
    let mut left = quota;
    while left > 0 {
        let shape = pick_shape(&mut rng);
        let name = complex_name(&mut rng, shape, &mut taken);
        let road = STEMS.choose(&mut rng).expect("stems");
        let number: u32 = rng.random_range(1..=300);
        let community = rng.random_range(1..=communities);
        let grid: u32 = rng.random_range(1..=20);
        let count = rng.random_range(shape.buildings.0..=shape.buildings.1);
        let letters = rng.random_bool(0.3);
        let old = shape.kind == Kind::Estate && rng.random_bool(0.25);
        for index in 0..count {
            if left == 0 {
                break;
            }
            let mut floors = if old {
                rng.random_range(6..=9)
            } else {
                rng.random_range(shape.floors.0..=shape.floors.1)
            };
            let mut rooms = rng.random_range(shape.rooms.0..=shape.rooms.1);
            if floors * rooms > cap {
                rooms = rooms.min(cap / 2).max(1);
                floors = (cap / rooms).max(1);
            }
            let house_count = ((floors * rooms) as usize).min(left);
            left -= house_count;

            let sequence = &mut next_building[community as usize];
            let code = format!(
                "{}{community:03}{grid:02}{:05}",
                street.street_code, *sequence
            );
            *sequence += 1;
            let code = BuildingCode::parse(&code).expect("19 digits");
            let full_name = match label(shape.kind, index, count, letters) {
                Some(label) => format!("{name} {label}"),
                None => name.clone(),
            };
            // Estates and towers share one gate number; rows of village houses are numbered on.
            let door = match shape.kind {
                Kind::Estate | Kind::Tower | Kind::Apartments => number,
                Kind::Village | Kind::Dormitories => number + index,
            };
            let address = format!("{}{}{road}路{door}号", street.area_name, street.street_name);
            out.push(PlannedBuilding {
                building: Building::new(&code, &full_name, &address),
                floors,
                rooms_per_floor: rooms,
                house_count,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operator::address_data::load::{LoadOptions, load_files_into};
    use crate::operator::address_data::memory::MemoryStore;
    use crate::operator::reference::{default_streets_file, read_streets};

    fn streets() -> Vec<Street> {
        read_streets(&default_streets_file()).unwrap().0
    }

    fn generated(houses: usize, seed: u64) -> Dataset {
        generate(&streets(), &GenerateOptions { houses, seed })
    }

    #[test]
    fn the_same_seed_gives_the_same_data() {
        let a = generated(20_000, 7);
        assert_eq!(a, generated(20_000, 7));
        assert_ne!(a, generated(20_000, 8));
        let houses: Vec<House> = a.houses().take(100).collect();
        assert_eq!(
            houses,
            generated(20_000, 7).houses().take(100).collect::<Vec<_>>()
        );
    }

    #[test]
    fn exactly_the_houses_asked_for_over_every_street_with_unique_codes() {
        let data = generated(20_000, 2026);
        assert_eq!(data.house_count(), 20_000);
        let houses: Vec<House> = data.houses().collect();
        assert_eq!(houses.len(), 20_000);
        let codes: HashSet<&str> = houses.iter().map(|h| h.house_code.as_str()).collect();
        assert_eq!(codes.len(), houses.len());
        let buildings: HashSet<&str> = data
            .buildings
            .iter()
            .map(|b| b.building.building_code.as_str())
            .collect();
        assert_eq!(buildings.len(), data.buildings.len());
        let streets: HashSet<&str> = data
            .buildings
            .iter()
            .map(|b| b.building.street_code.as_str())
            .collect();
        assert_eq!(streets.len(), 74);
        for planned in &data.buildings {
            assert!((1..=40).contains(&planned.floors), "{planned:?}");
            assert!((1..=8).contains(&planned.rooms_per_floor), "{planned:?}");
        }
        // Rooms by floor: floor 12 of a building with 8 rooms a floor is 1201–1208.
        let data = generated(100_000, 2026);
        let tall = data
            .buildings
            .iter()
            .find(|b| {
                b.floors >= 12 && b.rooms_per_floor == 8 && b.house_count == 8 * b.floors as usize
            })
            .expect("a tall building");
        let twelfth: Vec<String> = tall
            .houses()
            .filter(|h| h.floor == Some(12))
            .map(|h| h.room)
            .collect();
        assert_eq!(
            twelfth,
            [
                "1201", "1202", "1203", "1204", "1205", "1206", "1207", "1208"
            ]
        );
        let first = tall.houses().next().unwrap();
        assert_eq!(
            first.house_code,
            format!("{}000101", tall.building.building_code)
        );
    }

    #[test]
    fn small_sets_still_have_several_buildings_a_street() {
        let data = generated(7_400, 2026);
        let mut per_street = std::collections::HashMap::<&str, usize>::new();
        for b in &data.buildings {
            *per_street
                .entry(b.building.street_code.as_str())
                .or_default() += 1;
        }
        assert_eq!(per_street.len(), 74);
        assert!(per_street.values().all(|&n| n >= 3), "{per_street:?}");
    }

    #[test]
    fn names_and_addresses_look_real() {
        let data = generated(50_000, 1);
        let names: Vec<&str> = data
            .buildings
            .iter()
            .map(|b| b.building.name.as_str())
            .collect();
        for suffix in ["栋", "座", "大厦", "新村", "号楼", "公寓", "宿舍"] {
            assert!(names.iter().any(|n| n.contains(suffix)), "no {suffix}");
        }
        let first = &data.buildings[0].building;
        assert!(
            first.address.starts_with("罗湖区桂园街道"),
            "{}",
            first.address
        );
        assert!(first.address.ends_with('号') && first.address.contains('路'));
    }

    #[tokio::test]
    async fn every_generated_row_passes_the_loader() {
        let data = generated(3_000, 2026);
        let dir = std::env::temp_dir().join(format!("address-generate-{}", std::process::id()));
        let files = data.write_csv(&dir).unwrap();
        let codes: Vec<String> = streets().into_iter().map(|s| s.street_code).collect();
        let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
        let store = MemoryStore::with_streets(&codes);
        let report = load_files_into(
            &store,
            &files.buildings,
            &files.houses,
            &LoadOptions::default(),
        )
        .await
        .unwrap();
        assert_eq!(report.refused, []);
        assert_eq!(report.houses, 3_000);
        assert_eq!(report.buildings, data.buildings.len());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
