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

#[cfg(test)]
mod tests {
    use super::mask_middle;

    #[test]
    fn masks_the_middle() {
        assert_eq!(mask_middle("13912345678", 3, 4), "139****5678");
        assert_eq!(mask_middle("张三丰", 1, 0), "张**");
        assert_eq!(mask_middle("abc", 2, 2), "***");
    }
}
