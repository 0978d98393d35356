//! Buildings and houses of the address table: loading them from CSV files (`rpctl address load`)
//! and generating realistic synthetic ones (`rpctl address generate`, the local stack's data set
//! and the address benchmark).
//!
//! # File formats
//!
//! UTF-8 CSV with a header line naming the columns (in any order; no other columns). Fields may
//! be quoted; white space around a field is ignored.
//!
//! `buildings.csv`: one building (楼栋) a row.
//!
//! | column          | meaning                                                                  |
//! |-----------------|--------------------------------------------------------------------------|
//! | `building_code` | the 19-digit building code of Shenzhen's address standard: street (9) + community (3) + grid (2) + building (5); its first 9 digits must be a loaded street |
//! | `name`          | the name people search by, 1–60 characters, e.g. `翠竹花园 3栋`           |
//! | `address`       | its street address, 5–120 characters, e.g. `罗湖区翠竹街道翠竹路8号`     |
//!
//! `houses.csv`: one house (房屋) a row.
//!
//! | column       | meaning                                                                      |
//! |--------------|------------------------------------------------------------------------------|
//! | `house_code` | the 25-digit house code: its building's 19-digit code + 6 digits; the building must be in `buildings.csv` or already in the table |
//! | `room`       | the room number as people write it: letters, digits and `-`, 1–16 characters (`1201`, `A-1203`) |
//! | `floor`      | a whole number from -9 to 200, or empty when unknown                         |
//!
//! ```text
//! building_code,name,address
//! 4403030010010300001,翠竹花园 3栋,罗湖区桂园街道翠竹路8号
//!
//! house_code,room,floor
//! 4403030010010300001000301,301,3
//! 4403030010010300001000302,302,
//! ```
//!
//! A row that fails a check is refused with its line number and the reason; the other rows
//! still load. Loading is idempotent: a re-run overwrites the same items, and a building whose
//! name changed loses the name-index entries of its old name.

pub mod generate;
pub mod load;

#[cfg(test)]
pub(crate) mod memory;
