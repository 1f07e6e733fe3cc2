//! Natural keys: 项目编号 and 资产编号.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde_with::{DeserializeFromStr, SerializeDisplay};

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
    /// Contains a control character.
    ControlCharacter,
}

fn parse_code(raw: &str) -> Result<String, CodeError> {
    let code = raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
    if code.is_empty() {
        return Err(CodeError::Empty);
    }
    if code.chars().count() > MAX_CODE_CHARS {
        return Err(CodeError::TooLong);
    }
    if code.chars().any(char::is_control) {
        return Err(CodeError::ControlCharacter);
    }
    Ok(code.to_owned())
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

impl ProjectCode {
    /// Parses a project code.
    ///
    /// Fails when it is empty, longer than 64 characters or has control characters.
    pub fn parse(raw: &str) -> Result<Self, CodeError> {
        parse_code(raw).map(ProjectCode)
    }

    /// The code's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProjectCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

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

impl AssetCode {
    /// Parses an asset code.
    ///
    /// Fails when it is empty, longer than 64 characters or has control characters.
    pub fn parse(raw: &str) -> Result<Self, CodeError> {
        parse_code(raw).map(AssetCode)
    }

    /// The code's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AssetCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

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
        assert_eq!(
            AssetCode::parse("A\u{7}B"),
            Err(CodeError::ControlCharacter)
        );
    }
}
