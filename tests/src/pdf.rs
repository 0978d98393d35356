//! Reading PDFs back: their text with poppler's `pdftotext`, and their QR codes as a phone would
//! (`infra/local/qr_decode.py`: poppler renders the page, ZXing decodes it) with the local
//! stack's venv python (`STACK_PYTHON`, exported by `infra/local/test.sh`). Both required: a
//! test fails, never skips, without them.

use std::io::Write;
use std::process::{Command, Stdio};

use std::sync::atomic::{AtomicUsize, Ordering};

static FILES: AtomicUsize = AtomicUsize::new(0);

/// The text of a PDF as `pdftotext` extracts it, white space removed (CJK lines wrap anywhere).
pub fn text(pdf: &[u8]) -> String {
    let mut child = Command::new("pdftotext")
        .args(["-enc", "UTF-8", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("pdftotext runs (install poppler-utils)");
    child.stdin.take().unwrap().write_all(pdf).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "pdftotext failed");
    String::from_utf8(output.stdout)
        .unwrap()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Every QR code's text on the PDF's first page.
pub fn qr_codes(pdf: &[u8]) -> Vec<String> {
    let python = std::env::var("STACK_PYTHON").unwrap_or_else(|_| {
        panic!(
            "STACK_PYTHON is not set: run the tests through `make test` (or \
             infra/local/test.sh), which installs the QR decoder into the stack's venv"
        )
    });
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../infra/local/qr_decode.py");
    let path = std::env::temp_dir().join(format!(
        "qr-{}-{}.pdf",
        std::process::id(),
        FILES.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&path, pdf).expect("write the PDF");
    let out = Command::new(&python)
        .arg(script)
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "no QR code read from the PDF: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("UTF-8")
        .lines()
        .map(str::to_owned)
        .collect()
}
