//! A QR code on the page: its box reserved by the layout ([`QrElement`], a marker stroke of a
//! width nothing else uses), and the code itself placed there once the page is rendered as a
//! 1-bit image of its modules and quiet zone ([`QrBitmap::image`], `crate::photo::embed`): a few
//! hundred bytes, sharp at any size (no interpolation). It was drawn as one vector stroke a run of
//! dark modules: a signed URL's code (version 13, 69 modules a side) has about a thousand runs,
//! which cost ~3 ms a render.

use genpdfi::error::{Error, ErrorKind};
use genpdfi::render::Area;
use genpdfi::style::{LineStyle, Style};
use genpdfi::{Context, Element, Mm, Position, RenderResult, Size};

/// The light border the QR specification asks for, in modules.
const QUIET_MODULES: usize = 4;

fn mm(value: f64) -> Mm {
    Mm::from(value as f32)
}

fn value(length: Mm) -> f64 {
    f64::from(f32::from(length))
}

/// The width of the marker stroke, in points: no other stroke of a form has it (the photo's is
/// 0.123).
const MARKER_PT: f32 = 0.127;

/// A QR code of a text, centred in its row.
pub struct QrElement {
    width: usize,
    dark: Vec<bool>,
    module_mm: f64,
}

impl QrElement {
    /// The code of `text` (error correction level M), each module `module_mm` wide.
    pub fn new(text: &str, module_mm: f64) -> Result<Self, String> {
        let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M)
            .map_err(|e| e.to_string())?;
        Ok(Self {
            width: code.width(),
            dark: code
                .to_colors()
                .into_iter()
                .map(|c| c == qrcode::Color::Dark)
                .collect(),
            module_mm,
        })
    }

    /// The side of the code with its quiet zone.
    pub fn side_mm(&self) -> f64 {
        (self.width + 2 * QUIET_MODULES) as f64 * self.module_mm
    }

    /// The code's modules, to be placed as an image once the page is rendered.
    pub fn bitmap(&self) -> QrBitmap {
        QrBitmap {
            width: self.width,
            dark: self.dark.clone(),
        }
    }
}

/// A QR code's modules.
pub struct QrBitmap {
    width: usize,
    dark: Vec<bool>,
}

impl QrBitmap {
    /// The rows of the code with its quiet zone, one bit a module (1 light, 0 dark: DeviceGray),
    /// each row padded to a byte.
    fn rows(&self) -> (usize, Vec<u8>) {
        let side = self.width + 2 * QUIET_MODULES;
        let row_bytes = side.div_ceil(8);
        let mut bits = vec![0xFFu8; row_bytes * side];
        for y in 0..self.width {
            for x in 0..self.width {
                if self.dark[y * self.width + x] {
                    let (row, column) = (y + QUIET_MODULES, x + QUIET_MODULES);
                    bits[row * row_bytes + column / 8] &= !(0x80 >> (column % 8));
                }
            }
        }
        (side, bits)
    }

    /// The image placed over the box [`QrElement`] reserved.
    pub(crate) fn image(&self) -> crate::photo::Placed {
        let (side, bits) = self.rows();
        let mut dictionary =
            crate::photo::image_dictionary(side as i64, side as i64, "DeviceGray", 1);
        dictionary.set("Interpolate", lopdf::Object::Boolean(false));
        crate::photo::Placed {
            marker_pt: MARKER_PT,
            name: "QrCode",
            image: lopdf::Stream::new(dictionary, bits),
        }
    }
}

impl Element for QrElement {
    fn render(
        &mut self,
        _context: &Context,
        area: Area<'_>,
        _style: Style,
    ) -> Result<RenderResult, Error> {
        let side = self.side_mm();
        if value(area.size().width) < side {
            return Err(Error::new(
                "the QR code is wider than the page",
                ErrorKind::InvalidData,
            ));
        }
        if value(area.size().height) < side {
            // Onto the next page, whole.
            return Ok(RenderResult {
                size: Size::new(0, 0),
                has_more: true,
            });
        }
        // The marker: the box's diagonal (with the quiet zone), bottom left to top right.
        let left = (value(area.size().width) - side) / 2.0;
        area.draw_line(
            [
                Position::new(mm(left), mm(side)),
                Position::new(mm(left + side), mm(0.0)),
            ],
            LineStyle::new().with_thickness(Mm::from(printpdf::Pt(MARKER_PT))),
        );
        Ok(RenderResult {
            size: Size::new(area.size().width, mm(side)),
            has_more: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_image_has_a_bit_for_each_module_and_a_light_quiet_zone() {
        let qr = QrElement::new(
            "https://api.szjzz.example/v1/permits/440300-0123456789?check_code=ABCDEFGH",
            0.8,
        )
        .unwrap();
        let bitmap = qr.bitmap();
        let (side, bits) = bitmap.rows();
        assert_eq!(side, qr.width + 8);
        let row_bytes = side.div_ceil(8);
        let dark = |x: usize, y: usize| bits[y * row_bytes + x / 8] & (0x80 >> (x % 8)) == 0;
        for y in 0..side {
            for x in 0..side {
                let inside = (4..4 + qr.width).contains(&x) && (4..4 + qr.width).contains(&y);
                let expected = inside && qr.dark[(y - 4) * qr.width + (x - 4)];
                assert_eq!(dark(x, y), expected, "module ({x}, {y})");
            }
        }
    }
}
