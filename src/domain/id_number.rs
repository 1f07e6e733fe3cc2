//! 所有权人证件号: resident ID numbers (GB 11643, with their check character) and other
//! identifiers such as unified social credit codes.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde_with::{DeserializeFromStr, SerializeDisplay};

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: &[u8; 11] = b"10X98765432";

/// Why an identifier was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdNumberError {
    /// An 18-character resident ID whose last character is not the GB 11643 check character.
    CheckCharacter {
        /// The check character the first 17 digits call for.
        expected: char,
    },
    /// Characters other than ASCII letters and digits, or longer than 32.
    Malformed,
}

impl fmt::Display for IdNumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdNumberError::CheckCharacter { expected } => {
                write!(f, "身份证号校验位错误（按 GB 11643 应为 {expected}）")
            }
            IdNumberError::Malformed => f.write_str("证件号只能包含数字和字母，且不超过 32 位"),
        }
    }
}

/// An owner's identifier. An 18-character value of 17 digits and a digit or `X` is a
/// resident ID and must carry a valid check character; other alphanumeric identifiers
/// (unified social credit codes, old 15-digit IDs) are kept as written, upper-cased.
#[derive(SerializeDisplay, DeserializeFromStr, JsonSchema)]
#[schemars(
    with = "String",
    description = "An owner's identifier: a resident ID with its GB 11643 check character, or another of up to 32 letters and digits; masked (`610481********4310`) for readers"
)]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);

impl IdNumber {
    /// Parses an identifier.
    ///
    /// Fails when a resident ID's check character is wrong, or the value is not
    /// 1 to 32 ASCII letters and digits.
    pub fn parse(raw: &str) -> Result<Self, IdNumberError> {
        let text = raw
            .trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}')
            .to_ascii_uppercase();
        if text.is_empty() || text.len() > 32 || !text.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(IdNumberError::Malformed);
        }
        if let Some(expected) = resident_check_character(&text) {
            if text.as_bytes()[17] != expected {
                return Err(IdNumberError::CheckCharacter {
                    expected: char::from(expected),
                });
            }
        }
        Ok(IdNumber(text))
    }

    /// The identifier's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The identifier masked as readers see it ([`mask`]): `610481********4310`.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

/// Characters of an identifier that a mask always hides: as many as the birth date of
/// a resident ID (`610481********4310`).
const HIDDEN_AT_LEAST: usize = 8;

/// Masks an identifier so that at least eight of its characters are hidden: all but the
/// first six and last four of one of eighteen characters or more; all but the last four
/// of a shorter one (an old 15-digit ID, another identifier, a mobile number put in the
/// ID column), which would otherwise show nearly all of itself (`139123*5678`); one of
/// eleven characters or fewer is masked whole.
pub fn mask(text: &str) -> String {
    mask_keeping(text, 6, HIDDEN_AT_LEAST)
}

/// Masks `text` so that at least `hidden` of its characters are hidden: its first `head`
/// and last four characters stay when it has `head + hidden + 4` or more, only its last
/// four when it has `hidden + 4` or more, and it is masked whole when shorter (an ID
/// number: `head` 6 and `hidden` 8; a telephone number: 3 and 4).
pub fn mask_keeping(text: &str, head: usize, hidden: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let kept_head = if chars.len() >= head + hidden + 4 {
        head
    } else if chars.len() >= hidden + 4 {
        0
    } else {
        return "*".repeat(chars.len());
    };
    let mut out: String = chars[..kept_head].iter().collect();
    out.push_str(&"*".repeat(chars.len() - kept_head - 4));
    out.extend(&chars[chars.len() - 4..]);
    out
}

/// The check character of an 18-character resident ID (17 digits and a digit or `X`),
/// or `None` when the text does not have that shape.
fn resident_check_character(text: &str) -> Option<u8> {
    let bytes = text.as_bytes();
    if bytes.len() != 18 || !bytes[..17].iter().all(u8::is_ascii_digit) {
        return None;
    }
    if !(bytes[17].is_ascii_digit() || bytes[17] == b'X') {
        return None;
    }
    let sum: u32 = bytes[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    Some(CHECK_CHARS[(sum % 11) as usize])
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for IdNumber {
    type Err = IdNumberError;

    /// Reads an identifier by the rules of [`IdNumber::parse`].
    fn from_str(text: &str) -> Result<Self, IdNumberError> {
        IdNumber::parse(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resident_ids_with_a_valid_check_character_are_accepted() {
        // The GB 11643 standard's own example, with its check character in either case.
        for text in ["11010519491231002X", "11010519491231002x"] {
            assert_eq!(
                IdNumber::parse(text).map(|i| i.to_string()),
                Ok("11010519491231002X".into()),
                "{text}"
            );
        }
    }

    #[test]
    fn a_wrong_check_character_is_rejected_with_the_expected_one() {
        assert_eq!(
            IdNumber::parse("110105194912310021"),
            Err(IdNumberError::CheckCharacter { expected: 'X' })
        );
    }

    #[test]
    fn other_identifiers_are_kept_and_garbage_refused() {
        assert!(IdNumber::parse("91610481MA6XA1234B").is_ok());
        assert_eq!(IdNumber::parse("6104-81"), Err(IdNumberError::Malformed));
        assert_eq!(IdNumber::parse(""), Err(IdNumberError::Malformed));
    }

    #[test]
    fn masking_keeps_six_and_four() {
        assert_eq!(mask("610481199001014310"), "610481********4310");
        assert_eq!(mask("91610481MA6XA1234B99"), "916104**********4B99");
        assert_eq!(mask("610481900315431"), "***********5431");
        assert_eq!(mask("HK1234567890"), "********7890");
        assert_eq!(mask("13912345678"), "***********");
        assert_eq!(mask("12345"), "*****");
    }
}
