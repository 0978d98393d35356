use super::*;

/// The output of poppler's `tool` (pdftotext, pdfinfo) on `pdf`. Required, never skipped: the
/// tests read the rendered PDFs back with it.
fn poppler(tool: &str, pdf: &[u8]) -> String {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let child = Command::new(tool)
        .args(if tool == "pdffonts" {
            &["-"][..]
        } else {
            &["-enc", "UTF-8", "-"][..]
        })
        .args(if tool == "pdftotext" {
            &["-"][..]
        } else {
            &[][..]
        })
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "{tool} not found: these tests read the rendered PDFs back with it; \
             install poppler-utils (Debian: apt-get install poppler-utils)"
        ),
        Err(e) => panic!("cannot run {tool}: {e}"),
    };
    child.stdin.take().unwrap().write_all(pdf).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("-enc UTF-8")
}

fn pdftotext(pdf: &[u8]) -> String {
    poppler("pdftotext", pdf)
}

/// pdfinfo's "Title" and "Pages".
fn title_and_pages(pdf: &[u8]) -> (String, usize) {
    let info = poppler("pdfinfo", pdf);
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_string())
            .unwrap_or_else(|| panic!("no {name} in pdfinfo's output:\n{info}"))
    };
    (field("Title:"), field("Pages:").parse().unwrap())
}

/// The fonts of the PDF as pdffonts lists them: (name, type, embedded).
fn fonts(pdf: &[u8]) -> Vec<(String, String, bool)> {
    let out = poppler("pdffonts", pdf);
    // Two header lines, then one font a line: name, type (may hold spaces), encoding, emb, ….
    out.lines()
        .skip(2)
        .map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            assert!(cols.len() >= 7, "unexpected pdffonts line: {line:?}");
            let emb = cols[cols.len() - 5] == "yes";
            let kind = cols[1..cols.len() - 6].join(" ");
            (cols[0].to_string(), kind, emb)
        })
        .collect()
}

/// White space carries no meaning across wrapped lines and table cells.
fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn assert_shows(pdf: &[u8], form: &Form) {
    let text = squash(&pdftotext(pdf));
    let expected = std::iter::once(&form.title)
        .chain(form.rows.iter().flat_map(|(l, v)| [l, v]))
        .chain(&form.notes);
    for s in expected {
        assert!(
            text.contains(&squash(s)),
            "{s:?} is not in the PDF's text:\n{text}"
        );
    }
}

#[test]
fn a_receipt_is_small_and_every_value_is_in_its_text() {
    let form = sample_form();
    let pdf = render(&form).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(pdf.len() < 100 * 1024, "{} bytes", pdf.len());
    assert_shows(&pdf, &form);
    // Characters that share a glyph with a CJK compatibility ideograph come out as themselves.
    assert!(pdftotext(&pdf).contains("2026年11月20日"));
    if let Some(dir) = std::env::var_os("RECEIPT_PDF_OUT") {
        std::fs::write(std::path::Path::new(&dir).join("sample.pdf"), &pdf).unwrap();
    }
}

#[test]
fn long_values_wrap_and_nothing_is_dropped() {
    let mut form = sample_form();
    // Chinese without spaces, Latin with them, and one Latin "word" far wider than the column.
    form.rows.push((
        "备注".into(),
        "请于三十日内携带本回执及身份证原件前往社区工作站核验，".repeat(6),
    ));
    form.rows.push((
        "English".into(),
        "The quick brown fox jumps over the lazy dog. ".repeat(8),
    ));
    form.rows
        .push(("Token".into(), "0123456789abcdef".repeat(12)));
    form.rows
        .push(("多行".into(), "第一行\n第二行\r\n第三行".into()));
    form.title =
        "深圳经济特区居住登记申报回执（这是一个特别长的标题，用来检查标题也会自动换行而不会丢失）"
            .into();
    let pdf = render(&form).unwrap();
    let mut expected = form.clone();
    expected.rows.last_mut().unwrap().1 = "第一行第二行第三行".into();
    assert_shows(&pdf, &expected);
    if let Some(dir) = std::env::var_os("RECEIPT_PDF_OUT") {
        std::fs::write(std::path::Path::new(&dir).join("long.pdf"), &pdf).unwrap();
    }
}

#[test]
fn characters_the_font_lacks_are_refused() {
    for (bad, c) in [
        ("张三😀", '😀'),
        ("\u{E000}", '\u{E000}'),
        ("吉𠮷", '𠮷'),
        ("a\u{7}b", '\u{7}'),
    ] {
        let mut form = sample_form();
        form.rows[4].1 = bad.into();
        match render(&form) {
            Err(PdfError::MissingGlyph(got)) => assert_eq!(got, c),
            other => panic!("{bad:?}: {other:?}"),
        }
    }
    let form = Form {
        title: "回执".into(),
        rows: vec![],
        notes: vec!["✈".into()],
        qr_code: None,
        photo: None,
    };
    assert!(matches!(render(&form), Err(PdfError::MissingGlyph('✈'))));
    assert_eq!(
        PdfError::MissingGlyph('😀').to_string(),
        "the receipt font has no glyph for '😀' (U+1F600)"
    );
}

#[test]
fn invisible_and_stand_in_characters_are_handled() {
    let mut form = sample_form();
    form.rows[4].1 = "张\u{200B}三\u{FEFF}".into();
    form.rows.push(("时段".into(), "9:00〜17:00".into()));
    let pdf = render(&form).unwrap();
    let text = squash(&pdftotext(&pdf));
    assert!(text.contains("张三"), "{text}");
    assert!(text.contains("9:00～17:00"), "{text}");
}

#[test]
fn the_document_title_is_the_form_title_and_a_receipt_is_one_page() {
    let (title, pages) = title_and_pages(&render(&sample_form()).unwrap());
    assert_eq!(title, "深圳经济特区居住登记申报回执");
    assert_eq!(pages, 1);
}

#[test]
fn the_catalog_declares_the_document_language_and_poppler_still_reads_it() {
    let pdf = render(&sample_form()).unwrap();
    let lang = b"/Lang(zh-CN)";
    assert!(pdf.windows(lang.len()).any(|w| w == lang));
    assert!(!pdf.windows(9).any(|w| w == b"/PageMode"));
    assert_eq!(title_and_pages(&pdf).1, 1);
    assert!(squash(&pdftotext(&pdf)).contains("张三"));
}

#[test]
fn empty_forms_and_values_render() {
    let pdf = render(&Form::default()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let form = Form {
        title: "回执".into(),
        rows: vec![("空".into(), String::new())],
        notes: vec![String::new()],
        qr_code: None,
        photo: None,
    };
    assert_shows(&render(&form).unwrap(), &form);
    assert_eq!(
        title_and_pages(&render(&form).unwrap()),
        ("回执".to_string(), 1)
    );
}

#[test]
fn forms_longer_than_a_page_continue_on_the_next() {
    let mut form = sample_form();
    for i in 0..60 {
        form.rows.push((format!("行{i}"), format!("值{i}")));
    }
    let pdf = render(&form).unwrap();
    assert_eq!(title_and_pages(&pdf).1, 3);
    assert_shows(&pdf, &form);

    // One value taller than a page: its row is split across pages, nothing is lost (pdftotext
    // reads the next rows' labels before the rest of the value, hence the count).
    let mut form = sample_form();
    form.rows[3].1 = "深圳市罗湖区桂园街道荔枝社区".repeat(300);
    let pdf = render(&form).unwrap();
    assert_eq!(title_and_pages(&pdf).1, 4);
    assert_eq!(squash(&pdftotext(&pdf)).matches("荔枝社区").count(), 300);
}

#[test]
fn a_qr_code_is_drawn_under_the_table_with_its_caption_and_the_receipt_stays_one_page() {
    let mut form = sample_form();
    form.qr_code = Some(QrCode {
        // As long as a signed verification URL (shared::documents): ~330 characters.
        text: format!("https://api.szjzz.example/v1/verify/{}", "A".repeat(290)),
        caption: "手机扫码查验真伪".into(),
    });
    let pdf = render(&form).unwrap();
    assert!(squash(&pdftotext(&pdf)).contains("手机扫码查验真伪"));
    assert_eq!(title_and_pages(&pdf).1, 1);
    // A caption the font cannot draw is refused like any text.
    form.qr_code.as_mut().unwrap().caption = "扫码😀".into();
    assert!(matches!(render(&form), Err(PdfError::MissingGlyph('😀'))));
}

#[test]
fn exactly_one_font_is_in_the_pdf_and_it_is_embedded() {
    let mut form = sample_form();
    form.qr_code = Some(QrCode {
        // As long as a signed verification URL (shared::documents): ~330 characters.
        text: format!("https://api.szjzz.example/v1/verify/{}", "A".repeat(290)),
        caption: "手机扫码查验真伪".into(),
    });
    let fonts = fonts(&render(&form).unwrap());
    assert_eq!(fonts.len(), 1, "{fonts:?}");
    assert_eq!(fonts[0].1, "CID TrueType", "{fonts:?}");
    assert!(fonts[0].2, "not embedded: {fonts:?}");
}

#[test]
fn the_header_declares_the_version_of_the_cross_reference_stream() {
    let pdf = render(&sample_form()).unwrap();
    let info = poppler("pdfinfo", &pdf);
    let version = info
        .lines()
        .find_map(|l| l.strip_prefix("PDF version:"))
        .map(str::trim)
        .unwrap_or_else(|| panic!("no PDF version in pdfinfo's output:\n{info}"));
    let xref_stream = pdf.windows(10).any(|w| w == b"/Type/XRef");
    if xref_stream {
        // Cross-reference streams are PDF 1.5.
        assert!(
            ["1.5", "1.6", "1.7"].contains(&version),
            "PDF {version} with a cross-reference stream"
        );
    }
    assert!(pdf.starts_with(format!("%PDF-{version}").as_bytes()));
}

/// A small colour JPEG of an ID photo's proportions.
fn test_photo() -> Vec<u8> {
    let (width, height) = (72u16, 88u16);
    let pixels: Vec<u8> = (0..usize::from(width) * usize::from(height))
        .flat_map(|i| [(i % 251) as u8, 120, 200])
        .collect();
    let mut jpeg = Vec::new();
    jpeg_encoder::Encoder::new(&mut jpeg, 80)
        .encode(&pixels, width, height, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    jpeg
}

#[test]
fn a_photo_is_embedded_as_the_jpeg_it_is_in_its_box_and_the_card_stays_one_page() {
    let jpeg = test_photo();
    let mut form = sample_form();
    form.photo = Some(jpeg.clone());
    form.qr_code = Some(QrCode {
        text: format!("https://api.szjzz.example/v1/verify/{}", "A".repeat(290)),
        caption: "手机扫码查验真伪".into(),
    });
    let pdf = render(&form).unwrap();
    assert_eq!(title_and_pages(&pdf).1, 1);
    assert!(
        squash(&pdftotext(&pdf)).contains("张三"),
        "the text still reads"
    );
    // The JPEG's own bytes, untouched (DCTDecode): not decoded, not re-encoded.
    assert!(pdf.windows(jpeg.len()).any(|w| w == jpeg.as_slice()));
    let listed = poppler_images(&pdf);
    assert!(
        listed.contains("jpeg") && listed.contains(" 72 ") && listed.contains(" 88 "),
        "{listed}"
    );
    // The title and language survive the rewrite.
    assert_eq!(title_and_pages(&pdf).0, "深圳经济特区居住登记申报回执");
    assert!(pdf.windows(12).any(|w| w == b"/Lang(zh-CN)"));
    // Not a JPEG: refused, not printed blank.
    form.photo = Some(b"\x89PNG\r\n".to_vec());
    assert!(matches!(render(&form), Err(PdfError::Photo)));
}

/// `pdfimages -list` of the PDF.
fn poppler_images(pdf: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("receipt-pdf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("photo.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdfimages")
        .arg("-list")
        .arg(&path)
        .output()
        .expect("pdfimages (poppler-utils)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}
