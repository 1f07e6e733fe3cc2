//! Text tables for the terminal: the display width of a cell, and padding to a column.

/// Display width of a string in a terminal: CJK characters take two columns.
pub(super) fn width(text: &str) -> usize {
    text.chars()
        .map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 })
        .sum()
}

/// `text` padded with spaces to `columns` display columns.
pub(super) fn pad(text: &str, columns: usize) -> String {
    let fill = columns.saturating_sub(width(text));
    format!("{text}{}", " ".repeat(fill))
}
