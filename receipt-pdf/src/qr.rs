//! A QR code drawn as vector strokes (no image: nothing to decode or embed, and it stays sharp
//! at any zoom). Each run of dark modules in a row is one horizontal stroke as wide as a module
//! is high, through the row's middle: it fills the run's square exactly (PDF's default butt caps
//! end a stroke at its end points). One stroke a run keeps the page's content small: a signed
//! URL's code (version 13, 69 modules a side) has about a thousand runs.

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

/// A stroke as wide as a module is high, black (genpdfi writes the width once, when it changes).
fn stroke(module_mm: f64) -> LineStyle {
    LineStyle::new().with_thickness(mm(module_mm))
}

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

    /// The runs of dark modules of row `y`: `(first, past the last)`.
    fn runs(&self, y: usize) -> Vec<(usize, usize)> {
        let row = &self.dark[y * self.width..(y + 1) * self.width];
        let mut runs = Vec::new();
        let mut start = None;
        for (x, &dark) in row.iter().chain(std::iter::once(&false)).enumerate() {
            match (dark, start) {
                (true, None) => start = Some(x),
                (false, Some(s)) => {
                    runs.push((s, x));
                    start = None;
                }
                _ => {}
            }
        }
        runs
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
        let left = (value(area.size().width) - side) / 2.0 + QUIET_MODULES as f64 * self.module_mm;
        let top = QUIET_MODULES as f64 * self.module_mm;
        let stroke = stroke(self.module_mm);
        for y in 0..self.width {
            let middle = top + (y as f64 + 0.5) * self.module_mm;
            for (start, end) in self.runs(y) {
                let (x0, x1) = (
                    left + start as f64 * self.module_mm,
                    left + end as f64 * self.module_mm,
                );
                area.draw_line(
                    [
                        Position::new(mm(x0), mm(middle)),
                        Position::new(mm(x1), mm(middle)),
                    ],
                    stroke,
                );
            }
        }
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
    fn each_run_of_dark_modules_is_one_stroke_as_wide_as_a_module() {
        let qr = QrElement::new(
            "https://api.szjzz.example/v1/permits/440300-0123456789?check_code=ABCDEFGH",
            0.8,
        )
        .unwrap();
        assert_eq!(stroke(0.8).thickness(), mm(0.8));
        // Every dark module is in exactly one run of its row.
        for y in 0..qr.width {
            let covered: usize = qr.runs(y).iter().map(|(s, e)| e - s).sum();
            let dark = qr.dark[y * qr.width..(y + 1) * qr.width]
                .iter()
                .filter(|d| **d)
                .count();
            assert_eq!(covered, dark);
        }
    }
}
