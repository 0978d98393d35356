//! Masking personal data for display: what a user may see of a number without the number.

/// Keeps `head` leading and `tail` trailing characters and stars the rest.
pub fn mask_middle(value: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    let mut out = String::with_capacity(chars.len());
    out.extend(&chars[..head]);
    out.extend(std::iter::repeat_n('*', chars.len() - head - tail));
    out.extend(&chars[chars.len() - tail..]);
    out
}

/// An ID document number as it may be shown: first and last four characters (two for short ones).
pub fn document_number(number: &str) -> String {
    let keep = if number.len() >= 12 { 4 } else { 2 };
    mask_middle(number, keep, keep)
}

/// A mobile number as it may be shown: 139****5678.
pub fn phone(number: &str) -> String {
    mask_middle(number, 3, 4)
}

/// A person's name as it may be shown to someone who is not its holder: the first character
/// (the family name, for most Chinese names) and a star for each other one.
pub fn name(value: &str) -> String {
    let count = value.chars().count();
    if count <= 1 {
        return "*".to_owned();
    }
    mask_middle(value, 1, 0)
}

#[cfg(test)]
mod tests {
    use super::mask_middle;

    #[test]
    fn masks_the_middle() {
        assert_eq!(mask_middle("13912345678", 3, 4), "139****5678");
        assert_eq!(mask_middle("张三丰", 1, 0), "张**");
        assert_eq!(mask_middle("abc", 2, 2), "***");
    }

    #[test]
    fn names_keep_only_their_first_character() {
        assert_eq!(super::name("张三"), "张*");
        assert_eq!(super::name("欧阳娜娜"), "欧***");
        assert_eq!(super::name("李"), "*");
    }
}
