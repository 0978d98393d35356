//! Finds the receipt font and hands its path to the crate (env `RECEIPT_FONT_PATH`): the file
//! `receipt_pdf` maps when `RECEIPT_FONT_FILE` does not name another.
//!
//! `RECEIPT_FONT` overrides the path (absolute, or relative to the workspace root); the default is
//! `<workspace>/assets/fonts/wqy-microhei.ttc`, put there by `bash infra/fonts/fetch.sh`.

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-env-changed=RECEIPT_FONT");
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let workspace = manifest_dir
        .parent()
        .expect("receipt-pdf sits in the workspace root")
        .to_path_buf();
    let path = match std::env::var_os("RECEIPT_FONT") {
        Some(p) if !p.is_empty() => workspace.join(p),
        _ => workspace.join("assets/fonts/wqy-microhei.ttc"),
    };
    // Also when it is missing: cargo then reruns this script on every build until it appears.
    println!("cargo:rerun-if-changed={}", path.display());
    if let Err(problem) = check(&path) {
        eprintln!();
        eprintln!("error: receipt-pdf: {problem}");
        eprintln!(
            "  Run `bash infra/fonts/fetch.sh` in the repository root: it puts WenQuanYi Micro Hei"
        );
        eprintln!("  (Debian package fonts-wqy-microhei) at assets/fonts/wqy-microhei.ttc.");
        eprintln!("  Or set RECEIPT_FONT to a copy of that file.");
        eprintln!();
        std::process::exit(1);
    }
    let path = path.canonicalize().unwrap_or(path);
    println!("cargo:rustc-env=RECEIPT_FONT_PATH={}", path.display());
}

/// The font must be a TrueType font or collection: rusttype 0.8 cannot read CFF outlines (`OTTO`).
fn check(path: &Path) -> Result<(), String> {
    use std::io::Read;
    let mut magic = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .map_err(|e| format!("cannot read the receipt font {}: {e}", path.display()))?;
    match &magic {
        b"ttcf" | b"true" | [0, 1, 0, 0] => Ok(()),
        b"OTTO" => Err(format!(
            "{} has CFF outlines, which rusttype 0.8 (genpdfi) cannot read: use a TrueType (glyf) font",
            path.display()
        )),
        _ => Err(format!(
            "{} is not a TrueType font or collection",
            path.display()
        )),
    }
}
