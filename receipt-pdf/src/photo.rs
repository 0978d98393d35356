//! A photo on the page (the holder's, on a permit card): the studio's JPEG embedded as it is
//! (a `DCTDecode` image: no decoding, no loss, a few tens of KB).
//!
//! genpdfi lays the page out but cannot place an image without decoding it (its `images`
//! feature re-encodes pixels), so the layout reserves the photo's box ([`PhotoElement`]: a frame,
//! and inside it one marker stroke of a width nothing else uses), and once the PDF is rendered
//! [`embed`] replaces the marker in the page's content with the image drawn over the marker's
//! diagonal (lopdf, which printpdf already brings, adds the image and writes the file again).

use genpdfi::error::Error;
use genpdfi::render::Area;
use genpdfi::style::{LineStyle, Style};
use genpdfi::{Context, Element, Mm, Position, RenderResult, Size};

use crate::PdfError;

/// The photo's box on the page: an ID photo's proportions (26 × 32 mm, as on the card).
pub const PHOTO_WIDTH_MM: f64 = 26.0;
pub const PHOTO_HEIGHT_MM: f64 = 32.0;

/// The width of the marker stroke, in points: no other stroke of a form has it.
const MARKER_PT: f32 = 0.123;

/// A JPEG's size and colour components, from its frame header (SOF0–SOF2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JpegInfo {
    pub width: u16,
    pub height: u16,
    pub components: u8,
}

/// The frame header of a baseline or progressive JPEG; `None` for anything else.
pub fn jpeg_info(jpeg: &[u8]) -> Option<JpegInfo> {
    if !jpeg.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut at = 2;
    while at + 4 <= jpeg.len() {
        if jpeg[at] != 0xFF {
            return None;
        }
        let marker = jpeg[at + 1];
        let length = usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
        if matches!(marker, 0xC0..=0xC2) {
            let frame = jpeg.get(at + 4..at + 10)?;
            let info = JpegInfo {
                height: u16::from_be_bytes([frame[1], frame[2]]),
                width: u16::from_be_bytes([frame[3], frame[4]]),
                components: frame[5],
            };
            return (info.width > 0 && info.height > 0 && matches!(info.components, 1 | 3))
                .then_some(info);
        }
        if length < 2 {
            return None;
        }
        at += 2 + length;
    }
    None
}

/// Reserves the photo's box, centred in its row, framed, with the marker [`embed`] replaces.
pub struct PhotoElement;

impl Element for PhotoElement {
    fn render(
        &mut self,
        _context: &Context,
        area: Area<'_>,
        _style: Style,
    ) -> Result<RenderResult, Error> {
        let (width, height) = (PHOTO_WIDTH_MM, PHOTO_HEIGHT_MM);
        if f64::from(f32::from(area.size().height)) < height {
            return Ok(RenderResult {
                size: Size::new(0, 0),
                has_more: true,
            });
        }
        let left = (f64::from(f32::from(area.size().width)) - width) / 2.0;
        let at = |x: f64, y: f64| Position::new(Mm::from(x as f32), Mm::from(y as f32));
        let frame = LineStyle::new().with_thickness(Mm::from(printpdf::Pt(1.0)));
        area.draw_line(
            [
                at(left, 0.0),
                at(left + width, 0.0),
                at(left + width, height),
                at(left, height),
                at(left, 0.0),
            ],
            frame,
        );
        // The marker: the box's diagonal, bottom left to top right.
        area.draw_line(
            [at(left, height), at(left + width, 0.0)],
            LineStyle::new().with_thickness(Mm::from(printpdf::Pt(MARKER_PT))),
        );
        Ok(RenderResult {
            size: Size::new(area.size().width, Mm::from(height as f32)),
            has_more: false,
        })
    }
}

/// An image to place over the box a layout element reserved, marked by a stroke of width
/// `marker_pt`; drawn as the page resource `name`.
pub(crate) struct Placed {
    pub marker_pt: f32,
    pub name: &'static str,
    pub image: lopdf::Stream,
}

/// An image XObject's dictionary: its size in pixels, colour space and bits a component.
pub(crate) fn image_dictionary(
    width: i64,
    height: i64,
    color_space: &str,
    bits: i64,
) -> lopdf::Dictionary {
    use lopdf::Object;
    lopdf::Dictionary::from_iter(vec![
        ("Type", Object::Name(b"XObject".to_vec())),
        ("Subtype", Object::Name(b"Image".to_vec())),
        ("Width", Object::Integer(width)),
        ("Height", Object::Integer(height)),
        ("ColorSpace", Object::Name(color_space.as_bytes().to_vec())),
        ("BitsPerComponent", Object::Integer(bits)),
    ])
}

/// The photo, as [`PhotoElement`] reserved its box: the JPEG as it is (`DCTDecode`).
pub(crate) fn photo_image(jpeg: &[u8], info: JpegInfo) -> Placed {
    let color_space = match info.components {
        1 => "DeviceGray",
        _ => "DeviceRGB",
    };
    let mut dictionary = image_dictionary(
        i64::from(info.width),
        i64::from(info.height),
        color_space,
        8,
    );
    dictionary.set("Filter", lopdf::Object::Name(b"DCTDecode".to_vec()));
    Placed {
        marker_pt: MARKER_PT,
        name: "Photo",
        image: lopdf::Stream::new(dictionary, jpeg.to_vec()).with_compression(false),
    }
}

/// Replaces each marker the layout drew on the first page with its image, filling its box.
///
/// The page's content is printpdf's: one operation a line. A marker is the line `<width> w`
/// (its [`Placed::marker_pt`]), then `x0 y0 m`, `x1 y1 l` and `S`; those four lines become `q`,
/// `w 0 0 h x y cm`, `/<name> Do`, `Q`. Only that stream is decoded and compressed again, and the
/// file is read back with lopdf's nom parser (its pom parser took ~6 ms a page).
pub(crate) fn embed(pdf: &[u8], images: Vec<Placed>) -> Result<Vec<u8>, PdfError> {
    use lopdf::Object;
    let failed = |what: &str| PdfError::Render(format!("images: {what}"));
    let mut doc = lopdf::Document::load_mem(pdf).map_err(|e| failed(&e.to_string()))?;
    let page = *doc
        .get_pages()
        .get(&1)
        .ok_or_else(|| failed("no first page"))?;
    let contents = doc.get_page_contents(page);
    let mut added = 0;
    for id in contents {
        let Ok(Object::Stream(stream)) = doc.get_object_mut(id) else {
            continue;
        };
        let mut content = stream
            .decompressed_content()
            .unwrap_or_else(|_| stream.content.clone());
        let mut changed = false;
        for placed in &images {
            if let Some(replaced) = place(&content, placed.marker_pt, placed.name) {
                content = replaced;
                changed = true;
                added += 1;
            }
        }
        if changed {
            stream.dict.remove(b"Filter");
            stream.set_content(content);
            stream.compress().map_err(|e| failed(&e.to_string()))?;
        }
    }
    if added != images.len() {
        return Err(failed("a box reserved for an image is missing"));
    }
    let mut out = Vec::with_capacity(pdf.len() + 64 * 1024);
    for placed in images {
        let mut image = placed.image;
        if !image.dict.has(b"Filter") {
            image.compress().map_err(|e| failed(&e.to_string()))?;
        }
        let id = doc.add_object(image);
        doc.add_xobject(page, placed.name, id)
            .map_err(|e| failed(&e.to_string()))?;
    }
    doc.save_to(&mut out).map_err(|e| failed(&e.to_string()))?;
    Ok(out)
}

/// `content` with the marker of width `marker_pt` replaced by the image `name` drawn over its
/// diagonal; `None` when it holds no such marker.
fn place(content: &[u8], marker_pt: f32, name: &str) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(content).ok()?;
    let lines: Vec<&str> = text.split('\n').collect();
    let numbers = |line: &str, operator: &str| -> Option<Vec<f32>> {
        let operands = line.strip_suffix(operator)?.trim_end();
        operands.split(' ').map(|n| n.parse().ok()).collect()
    };
    let at = lines.windows(4).position(|w| {
        numbers(w[0], " w").is_some_and(|n| n.len() == 1 && (n[0] - marker_pt).abs() < 1e-3)
            && numbers(w[1], " m").is_some_and(|n| n.len() == 2)
            && numbers(w[2], " l").is_some_and(|n| n.len() == 2)
            && w[3] == "S"
    })?;
    let (start, end) = (numbers(lines[at + 1], " m")?, numbers(lines[at + 2], " l")?);
    let (x, y) = (start[0].min(end[0]), start[1].min(end[1]));
    let (w, h) = ((end[0] - start[0]).abs(), (end[1] - start[1]).abs());
    let drawn = format!("q\n{w} 0 0 {h} {x} {y} cm\n/{name} Do\nQ");
    let mut out: Vec<&str> = Vec::with_capacity(lines.len());
    out.extend_from_slice(&lines[..at]);
    out.push(&drawn);
    out.extend_from_slice(&lines[at + 4..]);
    Some(out.join("\n").into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_bytes_from_the_photo_service_are_read_without_a_panic(
            bytes in proptest::collection::vec(any::<u8>(), 0..512),
        ) {
            let mut jpeg = vec![0xFF, 0xD8];
            jpeg.extend(bytes);
            if let Some(info) = jpeg_info(&jpeg) {
                prop_assert!(info.width > 0 && info.height > 0);
                prop_assert!(matches!(info.components, 1 | 3));
            }
        }

        #[test]
        fn any_page_content_is_searched_for_a_marker_without_a_panic(
            lines in proptest::collection::vec("[-0-9. a-zA-Z]{0,24}", 0..40),
        ) {
            let content = lines.join("\n");
            let _ = place(content.as_bytes(), MARKER_PT, "Photo");
        }
    }

    #[test]
    fn a_jpegs_frame_header_gives_its_size_and_anything_else_none() {
        // SOI, an APP0 of 16 bytes, SOF0 of a 358 × 441 colour image.
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
        jpeg.extend([0u8; 14]);
        jpeg.extend([0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0xB9, 0x01, 0x66, 0x03]);
        jpeg.extend([0u8; 9]);
        assert_eq!(
            jpeg_info(&jpeg),
            Some(JpegInfo {
                width: 358,
                height: 441,
                components: 3
            })
        );
        assert_eq!(jpeg_info(b"\x89PNG\r\n"), None);
        assert_eq!(jpeg_info(&jpeg[..12]), None, "cut short");
        assert_eq!(jpeg_info(&[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x00]), None);
    }
}
