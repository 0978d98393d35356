//! One-page A4 PDF receipts with Chinese text.
//!
//! [`render`] lays a [`Form`] out as a centred title, a framed two-column table of labels and
//! values, and small notes below it, in WenQuanYi Micro Hei. The font is a file mapped on first use
//! (5 MB; `font.rs`); each PDF embeds a subset with only the glyphs it uses, so a receipt is ~38 KB
//! and takes ~1.5 ms, the first of a process ~3.5 ms (docs/benchmarks.md).
//!
//! ```
//! let form = receipt_pdf::Form {
//!     title: "深圳经济特区居住登记申报回执".into(),
//!     rows: vec![("回执编号".into(), "20261127-7K3M9QXA2B".into()), ("住户".into(), "张三".into())],
//!     notes: vec!["本回执是居住登记申报的凭证。".into()],
//!     qr_code: None,
//!     photo: None,
//! };
//! let pdf = receipt_pdf::render(&form)?;
//! assert!(pdf.starts_with(b"%PDF-") && pdf.len() < 100 * 1024);
//! // A character the font cannot draw is refused, never printed as a hole.
//! let bad = receipt_pdf::Form { title: "回执😀".into(), ..form };
//! assert!(matches!(receipt_pdf::render(&bad), Err(receipt_pdf::PdfError::MissingGlyph('😀'))));
//! # Ok::<(), receipt_pdf::PdfError>(())
//! ```
//!
//! Design notes (see also docs/decisions/0035-receipt-pdfs-genpdfi-and-a-subset-font.md):
//! - the layout is genpdfi's (a maintained fork of genpdf 0.2, on printpdf 0.7): printpdf 0.7
//!   builds an embedded font's glyph map from the code points of the font's own `cmap`, so a
//!   subset of a few hundred characters costs a few hundred lookups (printpdf 0.3.4, under
//!   genpdf 0.2, looked up every Unicode scalar value, ~13 ms a font);
//! - the subset is `subsetter`'s (it copies only the kept glyphs) with a `cmap` of exactly the
//!   receipt's characters added (`font.rs`);
//! - exactly one font is embedded: the four styles of the family are clones of one font data,
//!   which genpdfi embeds once; the title stands out by size alone;
//! - genpdfi wraps only at spaces and fails on a word wider than its column, so text is handed
//!   to it in pieces that break like Chinese text does (`text.rs`);
//! - a character the font has no glyph for is an error ([`PdfError::MissingGlyph`]): a receipt is
//!   never printed with holes. Invisible format characters are dropped and a few common
//!   characters the font lacks get their usual stand-in first (see `text::lines`).

use std::collections::BTreeSet;

use genpdfi::elements::{
    Break, FrameCellDecorator, LinearLayout, Paragraph, StyledElement, TableLayout,
};
use genpdfi::fonts::{FontData, FontFamily};
use genpdfi::style::{LineStyle, Style};
use genpdfi::{Alignment, Element, Margins, Mm};

mod font;
pub use font::FONT_FILE_VARIABLE;
mod photo;
pub use photo::{JpegInfo, jpeg_info};
mod qr;
mod text;

/// What a receipt shows. Labels, values and notes are plain text; `\n` starts a new line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Form {
    /// The heading, centred at the top; also the PDF's document title.
    pub title: String,
    /// (label, value) pairs, one table row each, in order.
    pub rows: Vec<(String, String)>,
    /// Small paragraphs under the table.
    pub notes: Vec<String>,
    /// A text (the check URL) to print as a QR code under the table, with its caption.
    pub qr_code: Option<QrCode>,
    /// A photo (JPEG: the holder's, on a permit card) shown under the title, embedded as it is.
    pub photo: Option<Vec<u8>>,
}

/// A QR code to print: what it encodes, and the line under it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QrCode {
    pub text: String,
    pub caption: String,
}

/// Why a receipt could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The text holds a character the font cannot draw (an emoji, a private-use character, a rare
    /// ideograph outside GBK such as most of CJK Extension A/B, a control character).
    #[error("the receipt font has no glyph for {0:?} (U+{code:04X})", code = u32::from(*.0))]
    MissingGlyph(char),
    /// The font file could not be read or subset (a deployment problem, not an input problem).
    #[error("receipt font: {0}")]
    Font(String),
    /// genpdfi or printpdf failed.
    #[error("PDF rendering failed: {0}")]
    Render(String),
    /// The photo is not a JPEG (baseline or progressive, grey or colour).
    #[error("the photo is not a JPEG this renderer embeds")]
    Photo,
}

// Layout, in millimetres and points.
const PAGE_WIDTH_MM: f64 = 210.0;
const MARGIN_MM: f64 = 18.0;
const CONTENT_MM: f64 = PAGE_WIDTH_MM - 2.0 * MARGIN_MM;
const TITLE_PT: u8 = 18;
const BODY_PT: u8 = 11;
const NOTE_PT: u8 = 9;
const LINE_SPACING: f32 = 1.25;
/// Label and value columns: 1 : 4.
const COLUMN_WEIGHTS: [usize; 2] = [1, 4];
const CELL_PADDING_V_MM: f32 = 1.8;
const CELL_PADDING_H_MM: f32 = 2.5;
/// Room kept free in every line: genpdfi adds kerning to our measure, and frames take a little.
const WIDTH_SLACK: f64 = 0.94;
/// The side of one QR module: a 37-module code (a check URL) with its quiet zone is 36 mm wide,
/// easily read by a phone from a print or a screen.
const QR_MODULE_MM: f64 = 0.8;

/// Renders `form` as a PDF (A4; a second page only if the content does not fit on one).
///
/// Fails with [`PdfError::MissingGlyph`] for the first character, in reading order, the font
/// cannot draw.
pub fn render(form: &Form) -> Result<Vec<u8>, PdfError> {
    let full = font::full()?;

    // Clean the text, and check every character before anything is built.
    let title = text::lines(&form.title);
    let rows: Vec<(Vec<String>, Vec<String>)> = form
        .rows
        .iter()
        .map(|(label, value)| (text::lines(label), text::lines(value)))
        .collect();
    let notes: Vec<Vec<String>> = form.notes.iter().map(|n| text::lines(n)).collect();
    let caption: Vec<String> = form
        .qr_code
        .as_ref()
        .map(|q| text::lines(&q.caption))
        .unwrap_or_default();
    let qr = form
        .qr_code
        .as_ref()
        .map(|q| qr::QrElement::new(&q.text, QR_MODULE_MM))
        .transpose()
        .map_err(PdfError::Render)?;
    let all_lines = title
        .iter()
        .chain(rows.iter().flat_map(|(l, v)| l.iter().chain(v)))
        .chain(notes.iter().flatten())
        .chain(caption.iter());
    let mut chars = BTreeSet::new();
    for line in all_lines {
        for c in line.chars() {
            if full.glyph_id(c).is_none() {
                return Err(PdfError::MissingGlyph(c));
            }
            chars.insert(c);
        }
    }

    // One embedded font: the subset, for every style. The clones share the font's bytes, and
    // genpdfi embeds font data it has already embedded only once.
    let regular = FontData::new(full.subset(&chars)?, None).map_err(render_err)?;
    let family = FontFamily {
        bold: regular.clone(),
        italic: regular.clone(),
        bold_italic: regular.clone(),
        regular,
    };

    let mut doc = genpdfi::Document::new(family);
    let pdf_title = title.join(" ");
    let title_mark = title_placeholder(&pdf_title);
    doc.set_title(title_mark.clone());
    doc.set_minimal_conformance();
    doc.set_paper_size(genpdfi::PaperSize::A4);
    doc.set_line_spacing(LINE_SPACING);
    doc.set_font_size(BODY_PT);
    let mut decorator = genpdfi::SimplePageDecorator::new();
    decorator.set_margins(Mm::from(MARGIN_MM as f32));
    doc.set_page_decorator(decorator);

    let paragraph = |lines: &[String], size: u8, max_mm: f64, align: Alignment| {
        let mut layout = LinearLayout::vertical();
        for line in lines {
            let mut p = Paragraph::default().aligned(align);
            for piece in text::pieces(line, max_mm * WIDTH_SLACK, |s| full.width_mm(s, size)) {
                p.push(piece);
            }
            layout.push(p);
        }
        StyledElement::new(layout, Style::new().with_font_size(size))
    };

    doc.push(paragraph(&title, TITLE_PT, CONTENT_MM, Alignment::Center));
    doc.push(Break::new(1.2));
    let photo = match &form.photo {
        Some(jpeg) => Some((jpeg, photo::jpeg_info(jpeg).ok_or(PdfError::Photo)?)),
        None => None,
    };
    if photo.is_some() {
        doc.push(photo::PhotoElement);
        doc.push(Break::new(1.0));
    }

    let weight_sum: usize = COLUMN_WEIGHTS.iter().sum();
    let column_mm = |i: usize| {
        CONTENT_MM * COLUMN_WEIGHTS[i] as f64 / weight_sum as f64
            - 2.0 * f64::from(CELL_PADDING_H_MM)
    };
    let padding = Margins::vh(CELL_PADDING_V_MM, CELL_PADDING_H_MM);
    let mut table = TableLayout::new(COLUMN_WEIGHTS.to_vec());
    // PDF's default line width, 1 pt, as genpdf 0.2 drew (genpdfi's default is 0.1 mm).
    let frame = LineStyle::new().with_thickness(Mm::from(printpdf::Pt(1.0)));
    table.set_cell_decorator(FrameCellDecorator::with_line_style(
        true, true, false, frame,
    ));
    for (label, value) in &rows {
        table
            .row()
            .element(paragraph(label, BODY_PT, column_mm(0), Alignment::Left).padded(padding))
            .element(paragraph(value, BODY_PT, column_mm(1), Alignment::Left).padded(padding))
            .push()
            .map_err(render_err)?;
    }
    if !rows.is_empty() {
        doc.push(table);
    }

    // The code's box is reserved here; the code itself is placed as an image once rendered.
    let qr_image = qr.as_ref().map(qr::QrElement::bitmap);
    if let Some(qr) = qr {
        doc.push(Break::new(0.8));
        doc.push(qr);
        doc.push(paragraph(&caption, NOTE_PT, CONTENT_MM, Alignment::Center));
    }

    if !notes.is_empty() {
        doc.push(Break::new(1.0));
        for note in &notes {
            doc.push(
                paragraph(note, NOTE_PT, CONTENT_MM, Alignment::Left)
                    .padded(Margins::trbl(0, 0, 1, 0)),
            );
        }
    }

    let mut pdf = Vec::with_capacity(64 * 1024);
    doc.render(&mut pdf).map_err(render_err)?;
    let mut images = Vec::new();
    if let Some((jpeg, info)) = photo {
        images.push(photo::photo_image(jpeg, info));
    }
    if let Some(qr) = &qr_image {
        images.push(qr.image());
    }
    if !images.is_empty() {
        pdf = photo::embed(&pdf, images)?;
    }
    set_title(&mut pdf, &title_mark, &pdf_title)?;
    set_language(&mut pdf)?;
    declare_version(&mut pdf);
    Ok(pdf)
}

/// printpdf 0.7 heads the file `%PDF-1.3`, but lopdf 0.31 writes its cross-reference table as a
/// stream, which PDF 1.5 introduced. The header is raised to 1.5 in place (same length: the
/// byte offsets stay right) when the file ends with such a stream.
fn declare_version(pdf: &mut [u8]) {
    let tail = &pdf[pdf.len().saturating_sub(1024)..];
    let xref_stream = tail.windows(10).any(|w| w == b"/Type/XRef");
    if xref_stream && pdf.len() > 8 && pdf.starts_with(b"%PDF-1.") && pdf[7] < b'5' {
        pdf[7] = b'5';
    }
}

/// printpdf writes the document title's UTF-8 bytes as they are, which readers take for
/// PDFDocEncoding (mojibake for anything but ASCII). So the document is rendered with an ASCII
/// placeholder exactly as long as the title's UTF-16BE hex string, and the placeholder is then
/// overwritten in place: the byte offsets in the cross-reference table stay right.
fn title_placeholder(title: &str) -> String {
    // `(placeholder)` must be as long as `<FEFF` + 4 hex digits per UTF-16 unit + `>`.
    let len = 4 * title.encode_utf16().count() + 4;
    "receipt-pdf-title-placeholder-"
        .chars()
        .cycle()
        .take(len)
        .collect()
}

fn set_title(pdf: &mut [u8], placeholder: &str, title: &str) -> Result<(), PdfError> {
    let needle = format!("/Title({placeholder})");
    let at = pdf
        .windows(needle.len())
        .position(|w| w == needle.as_bytes())
        .ok_or_else(|| {
            PdfError::Render("the document title was not written where expected".into())
        })?;
    let mut hex = String::with_capacity(needle.len());
    hex.push_str("/Title<FEFF");
    for unit in title.encode_utf16() {
        hex.push_str(&format!("{unit:04X}"));
    }
    hex.push('>');
    debug_assert_eq!(hex.len(), needle.len());
    pdf[at..at + needle.len()].copy_from_slice(hex.as_bytes());
    Ok(())
}

/// The document's language, in its catalog: `/Lang(zh-CN)` (screen readers and text extraction
/// read it). printpdf 0.7 cannot set it, so it takes the place of the catalog's `/PageMode/UseNone`
/// (the default page mode, so nothing is lost), padded to the same length: the byte offsets in
/// the cross-reference table stay right.
pub const LANGUAGE: &str = "zh-CN";

fn set_language(pdf: &mut [u8]) -> Result<(), PdfError> {
    const MODE: &[u8] = b"/PageMode/UseNone";
    let at = pdf
        .windows(MODE.len())
        .position(|w| w == MODE)
        .ok_or_else(|| PdfError::Render("the catalog's page mode was not where expected".into()))?;
    let lang = format!("/Lang({LANGUAGE})");
    let padded = format!("{lang:<width$}", width = MODE.len());
    pdf[at..at + MODE.len()].copy_from_slice(padded.as_bytes());
    Ok(())
}

fn render_err(e: genpdfi::error::Error) -> PdfError {
    PdfError::Render(e.to_string())
}

/// A realistic residence-registration receipt, for the tests and the benchmark.
#[doc(hidden)]
pub fn sample_form() -> Form {
    let row = |l: &str, v: &str| (l.to_string(), v.to_string());
    Form {
        title: "深圳经济特区居住登记申报回执".into(),
        rows: vec![
            row("回执编号", "20261127-7K3M9QXA2B"),
            row("校验码", "AB12CD34"),
            row("申报人", "李四（房屋出租人）"),
            row(
                "房屋地址",
                "深圳市罗湖区桂园街道荔枝社区红岭中路1001号荔景大厦东座A单元23层2301房（整租，含阁楼及地下车库B2-117号车位）",
            ),
            row("住户", "张三"),
            row("证件号码", "1101**********002X"),
            row("入住日期", "2026年11月20日"),
            row("申报时间", "2026-11-27 14:35:08"),
            row("状态", "有效"),
        ],
        notes: vec![
            "1. 本回执是居住登记申报的凭证，可凭回执编号和校验码在“深圳居住登记”App或网站查验真伪。".into(),
            "2. 居住登记信息变更或不再在本地址居住的，应当自变更或迁离之日起10日内申报变更或注销。".into(),
        ],
        qr_code: None,
        photo: None,
    }
}

#[cfg(test)]
mod tests;
