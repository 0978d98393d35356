//! The full font (mapped from its file on first use, parsed once) and the per-receipt subset
//! that goes into the PDF.
//!
//! The font is a file beside the program, not part of it: only the package of the PDF binary
//! (the two functions that render PDFs) carries the 5 MB font, and it is mapped when the first
//! PDF is rendered, not at start. `RECEIPT_FONT_FILE` names the file (the template sets it for
//! those functions); unset, the workspace's copy that `build.rs` found is read (tests, the local
//! stack, benchmarks).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use subsetter::GlyphRemapper;

use crate::PdfError;

/// Where the font is when `RECEIPT_FONT_FILE` does not say: WenQuanYi Micro Hei in the workspace
/// (`build.rs` finds it; `infra/fonts/fetch.sh` fetches it).
const DEFAULT_FONT_FILE: &str = env!("RECEIPT_FONT_PATH");
/// The variable naming the font file at run time.
pub const FONT_FILE_VARIABLE: &str = "RECEIPT_FONT_FILE";

static FONT_BYTES: OnceLock<Result<&'static [u8], String>> = OnceLock::new();

/// The font file's bytes, mapped once (kept for the life of the process). Mapped rather than
/// read: a render touches a few of the 5 MB (the tables and the glyphs it subsets), and a read
/// would copy all of it into fresh memory on the first request of a cold start.
fn font_bytes() -> Result<&'static [u8], String> {
    FONT_BYTES
        .get_or_init(|| {
            let path = std::env::var_os(FONT_FILE_VARIABLE)
                .filter(|p| !p.is_empty())
                .map_or_else(|| DEFAULT_FONT_FILE.into(), std::path::PathBuf::from);
            let cannot =
                |e: std::io::Error| format!("cannot read the font file {}: {e}", path.display());
            let file = std::fs::File::open(&path).map_err(cannot)?;
            // SAFETY: the map is only read, and the font file is not written while the process
            // runs: in Lambda it is part of the read-only deployment package, locally an asset
            // that only `infra/fonts/fetch.sh` writes (replacing it, which keeps this map intact).
            let map = unsafe { memmap2::Mmap::map(&file) }.map_err(cannot)?;
            Ok(&**Box::leak(Box::new(map)))
        })
        .clone()
}
/// The face of the collection: 0 is WenQuanYi Micro Hei, 1 its monospaced sibling.
const FACE: usize = 0;

/// The full font, parsed on first use (a few microseconds: rusttype reads tables lazily).
pub(crate) struct FullFont {
    rt: rusttype::Font<'static>,
    /// The scale genpdfi uses: ascent to descent is one unit.
    scale: rusttype::Scale,
}

static FULL: OnceLock<Result<FullFont, String>> = OnceLock::new();

pub(crate) fn full() -> Result<&'static FullFont, PdfError> {
    FULL.get_or_init(|| {
        let bytes = font_bytes()?;
        let collection = rusttype::FontCollection::from_bytes(bytes)
            .map_err(|e| format!("cannot read the font collection: {e}"))?;
        let rt = collection
            .font_at(FACE)
            .map_err(|e| format!("cannot read face {FACE} of the font: {e}"))?;
        let v = rt.v_metrics_unscaled();
        let scale = rusttype::Scale::uniform((v.ascent - v.descent) / f32::from(rt.units_per_em()));
        Ok(FullFont { rt, scale })
    })
    .as_ref()
    .map_err(|e| PdfError::Font(e.clone()))
}

impl FullFont {
    /// The glyph of `c`, or `None` when the font has none (glyph 0, `.notdef`).
    pub(crate) fn glyph_id(&self, c: char) -> Option<u16> {
        match self.rt.glyph(c).id().0 {
            0 => None,
            g => u16::try_from(g).ok(),
        }
    }

    /// Width of `s` in millimetres at `size` points, as genpdfi measures it (without kerning).
    pub(crate) fn width_mm(&self, s: &str, size: u8) -> f64 {
        let em: f32 = s
            .chars()
            .map(|c| {
                self.rt
                    .glyph(c)
                    .scaled(self.scale)
                    .h_metrics()
                    .advance_width
            })
            .sum();
        f64::from(em) * f64::from(size) * 25.4 / 72.0
    }

    /// A TrueType font with only the glyphs of `chars` (which must all have one: see
    /// [`FullFont::glyph_id`]), `.notdef`, the space and the glyphs those are composed of, and a
    /// `cmap` that maps exactly `chars` and the space.
    ///
    /// `subsetter` copies only the kept glyphs (it reads `loca` for them, never the whole `glyf`)
    /// and numbers them afresh; it leaves out `cmap`, which a PDF does not need but printpdf
    /// reads its glyph map from, so one is built here. Built from the wanted chars alone, not
    /// from the full font's: this font draws 不 年 北 女 了 … and their CJK compatibility twins
    /// (U+F967 …) with one glyph, and printpdf writes the ToUnicode map from one code point per
    /// glyph, so a `cmap` carrying the twins could make `年` copy out of the PDF as U+F98E. (A
    /// receipt holding both twins still extracts one of them for both: they share a glyph.)
    pub(crate) fn subset(&self, chars: &BTreeSet<char>) -> Result<Vec<u8>, PdfError> {
        let mut wanted: BTreeSet<char> = chars.clone();
        wanted.insert(' ');
        let mut remapper = GlyphRemapper::new(); // .notdef is glyph 0
        let mut old_glyphs = Vec::with_capacity(wanted.len());
        for &c in &wanted {
            let g = self.glyph_id(c).ok_or(PdfError::MissingGlyph(c))?;
            remapper.remap(g);
            old_glyphs.push((c, g));
        }
        let sub = subsetter::subset(
            font_bytes().map_err(PdfError::Font)?,
            FACE as u32,
            &remapper,
        )
        .map_err(|e| PdfError::Font(format!("cannot subset the font: {e}")))?;
        let map: BTreeMap<u32, u16> = old_glyphs
            .into_iter()
            .map(|(c, g)| (u32::from(c), remapper.get(g).expect("remapped above")))
            .collect();
        with_cmap(&sub, &build_cmap(&map)?).map_err(|e| PdfError::Font(format!("font subset: {e}")))
    }
}

/// A `cmap` table with one subtable: format 4 (platform 3, encoding 1) when every code point is
/// in the BMP and it fits, else format 12 (3, 10).
fn build_cmap(map: &BTreeMap<u32, u16>) -> Result<Vec<u8>, PdfError> {
    // Runs of consecutive code points on consecutive glyphs: (first char, last char, first glyph).
    let mut groups: Vec<(u32, u32, u16)> = Vec::new();
    for (&c, &g) in map {
        if let Some((start, end, start_g)) = groups.last_mut()
            && c == *end + 1
            && u32::from(g) == u32::from(*start_g) + (c - *start)
        {
            *end = c;
            continue;
        }
        groups.push((c, c, g));
    }

    let mut out = Vec::new();
    let put16 = |out: &mut Vec<u8>, v: u16| out.extend_from_slice(&v.to_be_bytes());
    let put32 = |out: &mut Vec<u8>, v: u32| out.extend_from_slice(&v.to_be_bytes());
    let bmp = groups.iter().all(|&(_, end, _)| end < 0xFFFF);
    // 16 bytes of header, 8 per segment (one more for the final 0xFFFF segment).
    let format4_len = 16 + 8 * (groups.len() + 1);
    put16(&mut out, 0); // version
    put16(&mut out, 1); // one encoding record
    if bmp && format4_len <= usize::from(u16::MAX) {
        put16(&mut out, 3);
        put16(&mut out, 1);
        put32(&mut out, 12);
        let seg_count = u16::try_from(groups.len() + 1).expect("checked above");
        let floor_log2 = 15 - seg_count.leading_zeros() as u16;
        let search_range = 2 * (1u16 << floor_log2);
        put16(&mut out, 4);
        put16(&mut out, format4_len as u16);
        put16(&mut out, 0); // language
        put16(&mut out, seg_count * 2);
        put16(&mut out, search_range);
        put16(&mut out, floor_log2);
        put16(&mut out, seg_count * 2 - search_range);
        for &(_, end, _) in &groups {
            put16(&mut out, end as u16);
        }
        put16(&mut out, 0xFFFF);
        put16(&mut out, 0); // reservedPad
        for &(start, _, _) in &groups {
            put16(&mut out, start as u16);
        }
        put16(&mut out, 0xFFFF);
        for &(start, _, g) in &groups {
            // glyph = (code + delta) mod 65536
            put16(&mut out, g.wrapping_sub(start as u16));
        }
        put16(&mut out, 1); // 0xFFFF + 1 = glyph 0
        for _ in 0..seg_count {
            put16(&mut out, 0); // idRangeOffset: deltas only
        }
    } else {
        put16(&mut out, 3);
        put16(&mut out, 10);
        put32(&mut out, 12);
        let len = u32::try_from(16 + 12 * groups.len())
            .map_err(|_| PdfError::Font("too many characters for one cmap".into()))?;
        put16(&mut out, 12);
        put16(&mut out, 0); // reserved
        put32(&mut out, len);
        put32(&mut out, 0); // language
        put32(&mut out, groups.len() as u32);
        for &(start, end, g) in &groups {
            put32(&mut out, start);
            put32(&mut out, end);
            put32(&mut out, u32::from(g));
        }
    }
    Ok(out)
}

/// The TrueType font `font` with `cmap` as its `cmap` table (added, or in place of the one it
/// has): tables sorted by tag, each 4-byte aligned, with fresh checksums, directory search fields
/// and `head.checkSumAdjustment`.
fn with_cmap(font: &[u8], cmap: &[u8]) -> Result<Vec<u8>, String> {
    let bytes = |o: usize, n: usize| font.get(o..o + n).ok_or_else(|| "truncated".to_string());
    let u32_at = |o: usize| bytes(o, 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
    let num_tables = bytes(4, 2).map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))?;
    let mut tables: Vec<([u8; 4], &[u8])> = vec![(*b"cmap", cmap)];
    for i in 0..num_tables {
        let rec = 12 + 16 * i;
        let tag: [u8; 4] = bytes(rec, 4)?.try_into().expect("4 bytes");
        if &tag != b"cmap" {
            let data = bytes(u32_at(rec + 8)? as usize, u32_at(rec + 12)? as usize)
                .map_err(|_| format!("table {} out of bounds", String::from_utf8_lossy(&tag)))?;
            tables.push((tag, data));
        }
    }
    tables.sort_by_key(|&(tag, _)| tag);

    let count = u16::try_from(tables.len()).map_err(|_| "too many tables".to_string())?;
    let entry_selector = 15 - count.leading_zeros() as u16; // floor(log2(count))
    let search_range = 16 * (1u16 << entry_selector);
    let mut out = Vec::with_capacity(font.len() + cmap.len() + 16);
    out.extend_from_slice(bytes(0, 4)?); // sfnt version
    for field in [
        count,
        search_range,
        entry_selector,
        16 * count - search_range,
    ] {
        out.extend_from_slice(&field.to_be_bytes());
    }
    let mut offset = 12 + 16 * tables.len();
    let mut head_at = None;
    for &(tag, data) in &tables {
        let sum = if &tag == b"head" {
            if data.len() < 12 {
                return Err("short head table".into());
            }
            head_at = Some(offset);
            // The checksum of `head` counts checkSumAdjustment as zero.
            checksum(data).wrapping_sub(u32::from_be_bytes(data[8..12].try_into().expect("4")))
        } else {
            checksum(data)
        };
        out.extend_from_slice(&tag);
        out.extend_from_slice(&sum.to_be_bytes());
        out.extend_from_slice(&(offset as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        offset += data.len().div_ceil(4) * 4;
    }
    for &(_, data) in &tables {
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(4) * 4, 0);
    }
    if let Some(at) = head_at {
        out[at + 8..at + 12].fill(0);
        let adjustment = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
        out[at + 8..at + 12].copy_from_slice(&adjustment.to_be_bytes());
    }
    Ok(out)
}

/// The sfnt checksum: the sum of big-endian u32 words, the last one zero-padded.
fn checksum(data: &[u8]) -> u32 {
    data.chunks(4).fold(0u32, |sum, chunk| {
        let mut word = [0u8; 4];
        word[..chunk.len()].copy_from_slice(chunk);
        sum.wrapping_add(u32::from_be_bytes(word))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_font_has_the_usual_characters_and_lacks_rare_ones() {
        let f = full().unwrap();
        for c in "深圳居住登记回执年北不 ABCxyz0123456789-:：，。（）·　".chars()
        {
            assert!(f.glyph_id(c).is_some(), "{c:?}");
        }
        for c in ['😀', '\u{E000}', '𠮷', '\u{7}'] {
            assert_eq!(f.glyph_id(c), None, "{c:?}");
        }
    }

    #[test]
    fn subsets_map_exactly_the_wanted_characters() {
        let f = full().unwrap();
        // 年 and 北 share their glyphs with U+F98E and U+F963 in the full font.
        let chars: BTreeSet<char> = "2026年北京A".chars().collect();
        let sub = f.subset(&chars).unwrap();
        let rt = rusttype::Font::from_bytes(&sub[..]).unwrap();
        for c in "2026年北京A ".chars() {
            assert_ne!(rt.glyph(c).id().0, 0, "{c:?}");
        }
        for c in ['\u{F98E}', '\u{F963}', 'B', '深'] {
            assert_eq!(rt.glyph(c).id().0, 0, "{c:?}");
        }
        // Widths survive: a subset glyph is as wide as the full font's.
        let w =
            |font: &rusttype::Font<'_>, c| font.glyph(c).scaled(f.scale).h_metrics().advance_width;
        assert_eq!(w(&rt, '年'), w(&f.rt, '年'));
        assert_eq!(w(&rt, 'A'), w(&f.rt, 'A'));
        assert!(sub.len() < 20_000, "{} bytes", sub.len());
    }

    #[test]
    fn a_cmap_is_added_once_and_the_directory_stays_sorted() {
        let f = full().unwrap();
        let sub = f.subset(&"回执".chars().collect()).unwrap();
        let tags = |font: &[u8]| -> Vec<[u8; 4]> {
            let n = usize::from(u16::from_be_bytes([font[4], font[5]]));
            (0..n)
                .map(|i| font[12 + 16 * i..16 + 16 * i].try_into().unwrap())
                .collect()
        };
        let first = tags(&sub);
        assert!(first.is_sorted(), "{first:?}");
        assert_eq!(first.iter().filter(|t| *t == b"cmap").count(), 1);
        // searchRange, entrySelector, rangeShift for the table count.
        let n = first.len() as u16;
        let field = |i: usize| u16::from_be_bytes([sub[6 + 2 * i], sub[7 + 2 * i]]);
        assert!(field(0) <= 16 * n && 16 * n < 2 * field(0));
        assert_eq!(field(0), 16 << field(1));
        assert_eq!(field(2), 16 * n - field(0));
        // A font that has a cmap gets it replaced, not a second one.
        let again = with_cmap(&sub, &build_cmap(&[(0x56DE, 1)].into()).unwrap()).unwrap();
        assert_eq!(tags(&again), first);
        assert_eq!(checksum(&again), 0xB1B0_AFBA);
        let rt = rusttype::Font::from_bytes(&again[..]).unwrap();
        assert_eq!(rt.glyph('回').id().0, 1);
        assert_eq!(rt.glyph('执').id().0, 0);
    }

    #[test]
    fn checksums_are_consistent() {
        let f = full().unwrap();
        let sub = f.subset(&"回执".chars().collect()).unwrap();
        // A font whose checkSumAdjustment is right sums to 0xB1B0AFBA as a whole.
        assert_eq!(checksum(&sub), 0xB1B0_AFBA);
    }

    #[test]
    fn cmap_falls_back_to_format_12_outside_the_bmp() {
        let map: BTreeMap<u32, u16> = [(0x41, 1), (0x42, 2), (0x20BB7, 3)].into();
        let cmap = build_cmap(&map).unwrap();
        assert_eq!(&cmap[4..8], &[0, 3, 0, 10]);
        assert_eq!(&cmap[12..14], &[0, 12]);
        // Two groups: A-B on glyphs 1-2, then U+20BB7.
        assert_eq!(u32::from_be_bytes(cmap[24..28].try_into().unwrap()), 2);
    }
}
