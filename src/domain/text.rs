//! What a text a person writes (an entry's description, a notice's place, an
//! objection, a note) may hold: no control character but tab and line breaks, and no
//! bidi control, which would make a page or a printed notice show the text otherwise
//! than it is stored (`合同\u{202e}fdp.exe` shows as 合同exe.pdf).

/// The first character of `text` that it may not hold, if any: a control character
/// other than tab, line feed and carriage return (NUL, DEL, the C1 controls), or a bidi
/// control (the marks, embeddings, overrides and isolates).
pub fn unshowable(text: &str) -> Option<char> {
    text.chars()
        .find(|&c| (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || is_bidi_control(c))
}

/// Whether `c` is a bidi control: the Arabic letter mark, the left-to-right and
/// right-to-left marks, embeddings and overrides, and isolates.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// How a refusal names `c`: 空字符（NUL） for a NUL, as before there was more to refuse,
/// else 控制字符或双向控制符（U+XXXX）.
pub fn described(c: char) -> String {
    if c == '\0' {
        "空字符（NUL）".to_owned()
    } else {
        format!("控制字符或双向控制符（U+{:04X}）", u32::from(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_and_tabs_are_kept_and_controls_refused() {
        assert_eq!(unshowable("更换水泵\r\n\t两台"), None);
        assert_eq!(unshowable("全村脱贫户"), None);
        assert_eq!(unshowable("a\u{0}b"), Some('\0'));
        assert_eq!(unshowable("铃\u{7}"), Some('\u{7}'));
        assert_eq!(unshowable("\u{7f}"), Some('\u{7f}'));
        assert_eq!(unshowable("x\u{85}"), Some('\u{85}'));
        assert_eq!(unshowable("合同\u{202e}fdp.exe"), Some('\u{202e}'));
        assert_eq!(unshowable("\u{2067}甲"), Some('\u{2067}'));
        assert_eq!(described('\0'), "空字符（NUL）");
        assert_eq!(described('\u{202e}'), "控制字符或双向控制符（U+202E）");
    }
}
