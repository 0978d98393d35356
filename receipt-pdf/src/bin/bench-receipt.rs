//! `make bench ARGS="receipt [n] [out.pdf] [photo.jpg]"`: renders the sample receipt, with the QR
//! code of a signed verification URL, n times (default 200) in one process and prints its size,
//! the first (cold) render, which includes reading the font, and the percentiles of the warm
//! renders. With `out.pdf` it also writes the receipt there; with `photo.jpg` the form carries that
//! photo, as a permit card does.
//! Build it in release: `cargo build --release -p receipt-pdf --bin bench-receipt`.

use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = match args.next() {
        Some(s) => s.parse().unwrap_or_else(|_| {
            eprintln!("usage: bench-receipt [renders, default 200] [out.pdf]");
            std::process::exit(2)
        }),
        None => 200,
    };
    let out = args.next();
    let mut form = receipt_pdf::sample_form();
    // As long as a signed verification URL (shared::documents): ~320 characters.
    form.qr_code = Some(receipt_pdf::QrCode {
        text: format!("https://api.szjzz.example/v1/verify/{}", "A".repeat(286)),
        caption: "手机扫描二维码，核验本回执真伪及当前状态".into(),
    });
    form.photo = args
        .next()
        .map(|path| std::fs::read(path).expect("read the photo"));

    let started = Instant::now();
    let first = receipt_pdf::render(&form).expect("the sample receipt renders");
    let cold = started.elapsed();
    if let Some(path) = &out {
        std::fs::write(path, &first).expect("write the PDF");
    }

    let mut times: Vec<Duration> = Vec::with_capacity(n);
    let all = Instant::now();
    for _ in 0..n {
        let started = Instant::now();
        let pdf = receipt_pdf::render(std::hint::black_box(&form)).expect("render");
        times.push(started.elapsed());
        assert!(
            pdf.len().abs_diff(first.len()) < 64,
            "receipts of one form differ in size"
        );
    }
    let total = all.elapsed();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    // Nearest-rank percentile.
    let pct = |p: f64| ms(times[((p / 100.0 * n as f64).ceil() as usize).clamp(1, n) - 1]);

    println!(
        "receipt PDF: {} bytes ({:.1} KB), {} rows",
        first.len(),
        first.len() as f64 / 1024.0,
        form.rows.len()
    );
    println!("cold first render (reads the font): {:.2} ms", ms(cold));
    if n > 0 {
        println!(
            "{n} warm renders: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms; {:.0} receipts/s on one thread",
            pct(50.0),
            pct(90.0),
            pct(99.0),
            ms(times[n - 1]),
            n as f64 / total.as_secs_f64()
        );
    }
    if let Some(path) = out {
        println!("wrote {path}");
    }
}
