//! What can go wrong in an import: a file or row refused ([`RowError`]), a column left
//! out ([`Warning`]), the errors of one file as they are counted and listed
//! ([`ErrorList`]), and an import that could not be carried out ([`ImportFailure`]).

use serde::Serialize;

use crate::db::db_variant_from_query;
use crate::db::DbError;
use crate::register::store::CorruptRow;

/// The most errors a rejection lists; the total count is always given.
pub const MAX_LISTED_ERRORS: usize = 1000;

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
    /// In a workbook: the cell, as Excel names it (`H14`); `None` in a CSV file or
    /// when the error concerns no one cell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<String>,
    /// For `total_row_mismatch`: the figure the totals row declares, in 元.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declared: Option<String>,
    /// For `total_row_mismatch`: the sum of the rows it covers, in 元.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub computed: Option<String>,
}

impl RowError {
    /// An error at `line` in `column`.
    pub fn cell(line: u64, column: &str, code: &'static str, message: String) -> Self {
        RowError::file(Some(line), Some(column.to_owned()), code, message)
    }

    /// An error about a whole row.
    pub fn row(line: u64, code: &'static str, message: String) -> Self {
        RowError::file(Some(line), None, code, message)
    }

    /// An error about the whole file, or (given a line or a column) a part of it; none
    /// of the register's or a totals row's figures attached.
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
            cell: None,
            declared: None,
            computed: None,
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

/// The errors of one file: every one counted, the first [`MAX_LISTED_ERRORS`] kept.
#[derive(Debug, Default)]
pub struct ErrorList {
    listed: Vec<RowError>,
    count: i64,
    /// In a workbook: the header text of each column, by which an error names its cell.
    columns: Option<Vec<String>>,
}

impl ErrorList {
    /// No errors yet, in a workbook whose columns have the header texts `columns`: each
    /// error with a line and a column is given its cell (`H14`).
    pub fn naming_cells(columns: Vec<String>) -> Self {
        ErrorList {
            columns: Some(columns),
            ..ErrorList::default()
        }
    }

    /// Counts `error`, and keeps it while fewer than [`MAX_LISTED_ERRORS`] are listed.
    pub fn push(&mut self, mut error: RowError) {
        self.count += 1;
        if self.listed.len() < MAX_LISTED_ERRORS {
            if let Some(columns) = &self.columns {
                super::read::name_cell(&mut error, |column| {
                    columns.iter().position(|c| c == column)
                });
            }
            self.listed.push(error);
        }
    }

    /// How many errors were found, listed or not.
    pub fn count(&self) -> i64 {
        self.count
    }

    /// Whether no error was found.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The errors kept.
    pub fn listed(&self) -> &[RowError] {
        &self.listed
    }

    /// The errors kept, given up.
    pub fn into_listed(self) -> Vec<RowError> {
        self.listed
    }
}

/// An import that could not be carried out for reasons other than the file's content.
#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    /// The file could not be read.
    #[error("cannot read the import file: {0}")]
    Io(#[from] std::io::Error),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// A stored row is not valid.
    #[error(transparent)]
    Corrupt(#[from] CorruptRow),
}

db_variant_from_query!(ImportFailure);
