//! The PDF binary: the operations that render PDFs (`functions::PDF_OPERATIONS`: the registration
//! receipt and the electronic permit card), named by `PLATFORM_FUNCTION`. Apart from the platform
//! binary so that the other functions carry no PDF layout, font or QR code (docs/benchmarks.md,
//! "Lambda binaries"); its package carries the font it renders with.

fn main() -> std::process::ExitCode {
    functions::lambda::pdf_main()
}
