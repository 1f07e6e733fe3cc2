//! Natural keys: 项目编号 and 资产编号. A code is kept as written (in Unicode NFC) and
//! compared as people read it: by its [key](code_key), after NFKC with case ignored,
//! so that `ＦＷ１-01`, `fw1-01` and `FW1-01` are one code. Characters that show
//! nothing (zero-width spaces, byte-order marks, bidi controls, other format and
//! control characters) are refused, as they would make two codes that look alike
//! differ.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde_with::{DeserializeFromStr, SerializeDisplay};
use unicode_normalization::UnicodeNormalization;

use super::wire::WireError;

/// The longest code the register accepts.
pub const MAX_CODE_CHARS: usize = 64;

/// Why a code was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeError {
    /// Empty after trimming.
    Empty,
    /// Longer than [`MAX_CODE_CHARS`].
    TooLong,
    /// Contains a control character or one that shows nothing (a format character:
    /// zero-width space, byte-order mark, bidi control, …).
    Invisible,
}

/// Whether `c` is a control (Cc) or format (Cf) character, or another that shows
/// nothing (fillers, variation selectors, tags, separators of lines and paragraphs).
pub fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}'
            | '\u{17B5}' | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF0}'..='\u{FFFB}'
            | '\u{0600}'..='\u{0605}' | '\u{06DD}' | '\u{070F}' | '\u{0890}' | '\u{0891}'
            | '\u{08E2}' | '\u{110BD}' | '\u{110CD}' | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
}

/// The longest text that is looked up as a key (a code, a UUID, an id) in an address.
pub const MAX_KEY_CHARS: usize = 200;

/// Whether `text` could be a key the register looks up (a code, a UUID, an id): no
/// control character (a NUL would not even reach PostgreSQL) and at most
/// [`MAX_KEY_CHARS`] characters. A text that could not names nothing, and is found
/// nowhere without a query.
pub fn could_be_key(text: &str) -> bool {
    !text.chars().any(char::is_control) && text.chars().count() <= MAX_KEY_CHARS
}

fn trimmed(raw: &str) -> &str {
    raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}')
}

fn parse_code(raw: &str) -> Result<String, CodeError> {
    let code = trimmed(raw);
    if code.is_empty() {
        return Err(CodeError::Empty);
    }
    if code.chars().any(is_invisible) {
        return Err(CodeError::Invisible);
    }
    let code: String = code.nfc().collect();
    if code.chars().count() > MAX_CODE_CHARS {
        return Err(CodeError::TooLong);
    }
    Ok(code)
}

/// The form in which two codes are compared: trimmed, NFKC, lower case (and NFKC again,
/// as lowering may undo it). `ＦＷ１-01`, `fw1-01` and `FW1-01` have one key.
pub fn code_key(code: &str) -> String {
    trimmed(code)
        .nfkc()
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .nfkc()
        .collect()
}

/// The methods a natural key has, whatever it names: [`parse`](ProjectCode::parse) by
/// the rules of `parse_code`, the stored text taken as it is, the text, the key it is
/// compared by, and `Display` as the text. A macro because the two keys are distinct
/// types (one cannot be passed for the other) with the same behaviour.
macro_rules! natural_key {
    ($name:ident, $what:literal) => {
        impl $name {
            #[doc = concat!("Parses ", $what, ".")]
            ///
            /// Fails when it is empty, longer than 64 characters or has invisible characters.
            pub fn parse(raw: &str) -> Result<Self, CodeError> {
                parse_code(raw).map($name)
            }

            /// A code as the register stores it (an earlier release's rules may have let
            /// it in), not checked again.
            pub fn from_stored(stored: &str) -> Self {
                $name(stored.to_owned())
            }

            /// The code's text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The form it is compared in: [`code_key`].
            pub fn key(&self) -> String {
                code_key(&self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

/// 项目编号: a project's unique natural key, 1 to 64 characters, trimmed.
#[derive(SerializeDisplay, DeserializeFromStr, JsonSchema)]
#[schemars(
    with = "String",
    description = "项目编号: 1 to 64 characters, no control characters",
    extend("minLength" = 1, "maxLength" = MAX_CODE_CHARS)
)]
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProjectCode(String);

natural_key!(ProjectCode, "a project code");

impl FromStr for ProjectCode {
    type Err = WireError;

    /// Reads a code by the rules of [`ProjectCode::parse`].
    fn from_str(text: &str) -> Result<Self, WireError> {
        ProjectCode::parse(text)
            .map_err(|e| WireError::new("项目编号", text, format!("无效：{e:?}")))
    }
}

/// 资产编号: an asset's unique natural key, 1 to 64 characters, trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AssetCode(String);

natural_key!(AssetCode, "an asset code");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_trimmed_and_bounded() {
        assert_eq!(
            ProjectCode::parse(" XP2016-0001 ").map(|c| c.to_string()),
            Ok("XP2016-0001".into())
        );
        assert_eq!(AssetCode::parse(""), Err(CodeError::Empty));
        assert_eq!(AssetCode::parse(&"A".repeat(65)), Err(CodeError::TooLong));
        assert!(AssetCode::parse(&"资".repeat(64)).is_ok());
        assert_eq!(AssetCode::parse("A\u{7}B"), Err(CodeError::Invisible));
    }

    #[test]
    fn look_alike_codes_share_a_key_and_invisible_ones_are_refused() {
        let key = |text: &str| AssetCode::parse(text).map(|c| c.key());
        assert_eq!(key("ＦＷ１-01"), key("FW1-01"));
        assert_eq!(key("fw1-01"), key("FW1-01"));
        assert_eq!(key("CAFE\u{301}-1"), key("CAF\u{c9}-1"));
        assert_eq!(key("CAFE\u{301}-1"), key("caf\u{e9}-1"));
        assert_eq!(key("Ⅻ"), key("xii"));
        assert_ne!(key("FW1-01"), key("FW1-02"));
        for invisible in [
            "\u{200b}",
            "\u{feff}",
            "\u{202e}",
            "\u{2066}",
            "\u{ad}",
            "\u{e0041}",
            "\u{0}",
        ] {
            assert_eq!(
                AssetCode::parse(&format!("FW4{invisible}-01")),
                Err(CodeError::Invisible),
                "{invisible:?}"
            );
        }
        assert_eq!(
            AssetCode::parse("CAFE\u{301}-1").map(|c| c.to_string()),
            Ok("CAF\u{c9}-1".into()),
            "kept in NFC"
        );
        assert_eq!(code_key(" FW1-01 "), "fw1-01");
    }
}
