//! CSV import of asset registers: all or nothing, row-precise errors, replay by hash,
//! bounded memory.

pub mod batch;
pub mod bulk;
pub mod decode;
pub mod header;
pub mod pipeline;
pub mod reader;
pub mod row;

use serde::Serialize;

pub use batch::BatchReport;
pub use pipeline::{import_file, ImportFailure, ImportOutcome, ImportRequest, Progress};

/// The most errors a rejection lists; the total count is always given.
pub const MAX_LISTED_ERRORS: usize = 1000;

/// The longest field the importer accepts, in characters.
pub const MAX_FIELD_CHARS: usize = 1000;

/// One reason a file or one of its rows was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct RowError {
    /// Physical line of the file, 1-based, title and header rows counted; for a record
    /// spanning lines, the line it starts on. `None` for a file error without a line.
    pub line: Option<u64>,
    /// The column's header text as it appears in the file (or the name of a missing
    /// column); `None` when the error concerns a whole row or file.
    pub column: Option<String>,
    /// Machine-readable code, as the spec names it.
    pub code: &'static str,
    /// What is wrong, in Chinese.
    pub message: String,
    /// For `conflicts_with_register`: the value the register holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registered_value: Option<String>,
    /// For `conflicts_with_register`: the value the file holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_value: Option<String>,
}

impl RowError {
    /// An error at `line` in `column`.
    pub fn cell(line: u64, column: &str, code: &'static str, message: String) -> Self {
        RowError {
            line: Some(line),
            column: Some(column.to_owned()),
            code,
            message,
            registered_value: None,
            file_value: None,
        }
    }

    /// An error about a whole row.
    pub fn row(line: u64, code: &'static str, message: String) -> Self {
        RowError {
            line: Some(line),
            column: None,
            code,
            message,
            registered_value: None,
            file_value: None,
        }
    }

    /// An error about the whole file.
    pub fn file(
        line: Option<u64>,
        column: Option<String>,
        code: &'static str,
        message: String,
    ) -> Self {
        RowError {
            line,
            column,
            code,
            message,
            registered_value: None,
            file_value: None,
        }
    }
}

/// A column in the file that the importer does not use: listed, never imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Warning {
    /// Physical line of the header.
    pub line: u64,
    /// The column's header text.
    pub column: String,
    /// Machine-readable code: `unknown_column`.
    pub code: &'static str,
    /// What the importer did, in Chinese.
    pub message: String,
}
