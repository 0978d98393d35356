//! Text preparation: character clean-up, and line-break opportunities genpdfi understands.
//!
//! genpdfi (like genpdf 0.2) wraps a paragraph only at spaces, and a "word" wider than its column
//! fails the whole render (genpdf dropped it without a trace). Chinese has no spaces, so a
//! paragraph is handed to genpdfi as pieces: one per
//! CJK character (with the usual line-breaking rules: no line starts with `，。）」` …, none ends with
//! `（「` …), Latin words whole, and a Latin word too wide for the column one character a piece.

/// Splits `text` into lines (at `\n`, `\r\n`, `\r`, U+2028, U+2029, U+0085) and cleans each line
/// for printing: other white space becomes a space (U+00A0, U+3000 stay), invisible format
/// characters (zero-width spaces and joiners, bidi controls, BOM, variation selectors, soft
/// hyphens) are dropped, and a few characters the font lacks get their usual stand-in
/// (U+2011 and U+2012 `-`, U+301C `～`).
pub(crate) fn lines(text: &str) -> Vec<String> {
    let mut lines = vec![String::new()];
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let line = lines.last_mut().expect("never empty");
        match c {
            '\r' => {
                chars.next_if_eq(&'\n');
                lines.push(String::new());
            }
            '\n' | '\u{0085}' | '\u{2028}' | '\u{2029}' => lines.push(String::new()),
            '\u{00A0}' | '\u{3000}' => line.push(c),
            '\u{2007}' | '\u{202F}' => line.push('\u{00A0}'), // no-break spaces
            c if c.is_whitespace() => line.push(' '),
            c if is_invisible(c) => {}
            '\u{2011}' | '\u{2012}' => line.push('-'),
            '\u{301C}' => line.push('～'),
            c => line.push(c),
        }
    }
    lines
}

/// Default-ignorable format characters that print as nothing.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FEFF}'
        | '\u{E0100}'..='\u{E01EF}')
}

/// Characters that may stand alone on either side of a line break: CJK ideographs, kana, Hangul,
/// CJK and full-width punctuation.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{1100}'..='\u{115F}'
        | '\u{2E80}'..='\u{303E}'
        | '\u{3041}'..='\u{33FF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{A000}'..='\u{A4CF}'
        | '\u{AC00}'..='\u{D7A3}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FE30}'..='\u{FE4F}'
        | '\u{FF00}'..='\u{FF60}'
        | '\u{FFE0}'..='\u{FFE6}'
        | '\u{20000}'..='\u{3FFFD}')
}

/// No line may start with these.
fn is_closing(c: char) -> bool {
    "，。、；：？！）」』】》〉〕〗〙〛’”…‥·・％‰℃°～,.;:!?)]}%".contains(c)
}

/// No line may end with these.
fn is_opening(c: char) -> bool {
    "（「『【《〈〔〖〘〚‘“([{".contains(c)
}

/// The pieces of one line for genpdfi's `Paragraph::push`, each at most `max_width` wide as
/// measured by `width` (so genpdfi never refuses one). Their concatenation is `line`.
pub(crate) fn pieces(line: &str, max_width: f64, width: impl Fn(&str) -> f64) -> Vec<String> {
    // Atoms: one CJK char, or one Latin word with its trailing spaces (genpdfi breaks after spaces).
    let mut atoms: Vec<String> = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, atoms: &mut Vec<String>| {
        if word.is_empty() {
            return;
        }
        if width(word.trim_end_matches(' ')) > max_width {
            let mut chars: Vec<String> = word
                .trim_end_matches(' ')
                .chars()
                .map(String::from)
                .collect();
            let spaces = &word[word.trim_end_matches(' ').len()..];
            if let Some(last) = chars.last_mut() {
                last.push_str(spaces);
            } else {
                chars.push(spaces.to_string());
            }
            atoms.extend(chars);
        } else {
            atoms.push(word.clone());
        }
        word.clear();
    };
    for c in line.chars() {
        if is_cjk(c) {
            flush(&mut word, &mut atoms);
            atoms.push(c.to_string());
        } else {
            if c != ' ' && word.ends_with(' ') {
                flush(&mut word, &mut atoms);
            }
            word.push(c);
        }
    }
    flush(&mut word, &mut atoms);

    // Glue what must not be separated: a closing mark to what precedes it, an opening mark to
    // what follows it. A glued piece that became too wide is split into characters again.
    let mut pieces: Vec<String> = Vec::with_capacity(atoms.len());
    for atom in atoms {
        let glue = match pieces.last() {
            Some(prev) => atom.starts_with(is_closing) || prev.ends_with(is_opening),
            None => false,
        };
        match pieces.last_mut() {
            Some(prev) if glue && width(&format!("{prev}{atom}")) <= max_width => {
                prev.push_str(&atom)
            }
            _ => pieces.push(atom),
        }
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 1 unit per char: the column holds `max` chars.
    fn split(line: &str, max: usize) -> Vec<String> {
        pieces(line, max as f64, |s| s.chars().count() as f64)
    }

    #[test]
    fn chinese_breaks_between_characters_latin_between_words() {
        assert_eq!(split("深圳市", 10), ["深", "圳", "市"]);
        assert_eq!(
            split("荔枝路171号 3栋 301", 10),
            ["荔", "枝", "路", "171", "号", " ", "3", "栋", " ", "301"]
        );
        assert_eq!(split("ZHANG Wei", 10), ["ZHANG ", "Wei"]);
    }

    #[test]
    fn punctuation_stays_with_its_neighbour() {
        assert_eq!(
            split("已受理（ACCEPTED）。", 20),
            ["已", "受", "理", "（ACCEPTED）。"]
        );
        assert_eq!(split("张三，李四", 20), ["张", "三，", "李", "四"]);
        assert_eq!(split("《条例》", 20), ["《条", "例》"]);
        assert_eq!(split("见(附件)", 20), ["见", "(附", "件)"]);
    }

    #[test]
    fn words_wider_than_the_column_are_split_into_characters() {
        assert_eq!(split("abcdef gh", 4), ["a", "b", "c", "d", "e", "f ", "gh"]);
        // Glue never makes a piece too wide.
        assert_eq!(split("（abcd", 4), ["（", "abcd"]);
        for p in split(&"x".repeat(50), 3) {
            assert!(p.chars().count() <= 3);
        }
    }

    #[test]
    fn nothing_is_lost() {
        for s in [
            "",
            " ",
            "a  b",
            "深圳 经济特区 ",
            "（（（）））",
            "abc（def）ghi，。",
            "  lead",
        ] {
            assert_eq!(split(s, 3).concat(), s);
        }
    }

    #[test]
    fn lines_are_split_and_cleaned() {
        assert_eq!(lines("a\r\nb\nc\rd"), ["a", "b", "c", "d"]);
        assert_eq!(lines("张\t三\u{200B}\u{FEFF}"), ["张 三"]);
        assert_eq!(lines("9:00〜17:00 A\u{2011}1"), ["9:00～17:00 A-1"]);
        assert_eq!(lines("\u{3000}X\u{A0}Y"), ["\u{3000}X\u{A0}Y"]);
        assert_eq!(lines(""), [""]);
    }
}
