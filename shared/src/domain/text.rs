//! Free text as people type it (names, addresses, occupations, reasons), made safe to store, match
//! and print: normalized to NFC (so the same text typed two ways is one value), trimmed, and
//! refused when it holds characters that show nothing or change how the rest shows: controls,
//! format characters (General_Category Cf: zero-width characters, bidi overrides and isolates,
//! tags), line and paragraph separators, and the other default-ignorable code points a font draws
//! as blank (Hangul fillers, variation selectors, the combining grapheme joiner, Mongolian
//! variation selectors, Khmer inherent vowels). Every free-text field goes through [`text`].

use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

use crate::invalid::Invalid;

/// Whether `c` shows nothing by itself, or changes how the text around it shows.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c.general_category(),
        GeneralCategory::Control
            | GeneralCategory::Format
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
    ) || matches!(
        c,
        // Hangul fillers: letters (Lo) that every font draws as blank.
        '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}'
        // The combining grapheme joiner, Khmer inherent vowels, Mongolian variation selectors.
        | '\u{034F}' | '\u{17B4}' | '\u{17B5}' | '\u{180B}'..='\u{180F}'
        // Variation selectors.
        | '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}'
    )
}

/// `input` in NFC, trimmed, `min`–`max` characters long, with no invisible character. A wrong
/// length is refused with `code` and `message`; an invisible character with
/// `INVISIBLE_CHARACTER`.
pub fn text(
    input: &str,
    min: usize,
    max: usize,
    code: &'static str,
    message: &str,
) -> Result<String, Invalid> {
    let normalized: String = input.nfc().collect();
    let value = normalized.trim();
    if value.chars().any(is_invisible) {
        return Err(Invalid::new(
            "INVISIBLE_CHARACTER",
            "不能包含不可见字符、控制字符或改变文字方向的字符",
        ));
    }
    if !(min..=max).contains(&value.chars().count()) {
        return Err(Invalid::new(code, message.to_owned()));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(input: &str) -> Result<String, &'static str> {
        text(input, 1, 50, "INVALID_LENGTH", "长度不对").map_err(|e| e.code)
    }

    #[test]
    fn fillers_format_and_bidi_characters_are_refused() {
        for bad in [
            "\u{3164}\u{3164}",
            "\u{FFA0}",
            "\u{115F}张",
            "张\u{200B}三",
            "深圳\u{202E}路",
            "a\u{2066}b\u{2069}",
            "\u{FEFF}张三",
            "张三\u{FE0F}",
            "line\u{2028}break",
            "tab\there",
            "tag\u{E0041}",
        ] {
            assert_eq!(clean(bad), Err("INVISIBLE_CHARACTER"), "{bad:?}");
        }
    }

    #[test]
    fn text_is_normalized_and_trimmed() {
        // e + combining acute is the same text as é.
        assert_eq!(clean(" Jose\u{301} ").unwrap(), "José");
        assert_eq!(clean("张三").unwrap(), "张三");
        assert_eq!(clean("Zhang San").unwrap(), "Zhang San");
        assert_eq!(clean("   "), Err("INVALID_LENGTH"));
    }

    #[test]
    fn length_counts_characters_after_normalization() {
        let decomposed = "e\u{301}".repeat(50);
        assert!(clean(&decomposed).is_ok());
        assert_eq!(clean(&"字".repeat(51)), Err("INVALID_LENGTH"));
    }
}
