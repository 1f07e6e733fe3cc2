//! Import batches: the record of every committed or rejected import, with its counts
//! and row errors.

use std::collections::BTreeMap;

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::prelude::*;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;
use serde::Serialize;

use super::error::{RowError, Warning};
use super::warnings::WarningSummary;
use crate::db::pool::DbBackend;
use crate::db::rows::ImportErrorRow;
use crate::db::schema::{import_batches, import_errors};
use crate::db::seek::newest_first;
use crate::db::DbConnection;
use crate::domain::codes::could_be_key;
use crate::domain::vocabulary::closed_vocabulary;
use crate::domain::{Scope, Spelling, Vocabulary};
use crate::register::scope::{batches_in, narrowed};

// Read from the name stored and sent only.
closed_vocabulary! {
    /// How an import ended, as its batch and report say.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema, AsExpression, FromSqlRow)]
    #[serde(rename_all = "snake_case")]
    #[diesel(sql_type = Text)]
    pub enum BatchStatus {
        /// Registered (已导入).
        Committed => Spelling::new("committed", "已导入"),
        /// Refused for the file's errors; nothing registered (被拒绝).
        Rejected => Spelling::new("rejected", "被拒绝"),
        /// A dry run: what a commit would do. Never stored.
        DryRun => Spelling::new("dry_run", "试导入"),
    }
}

impl<DB> ToSql<Text, DB> for BatchStatus
where
    DB: Backend,
    str: ToSql<Text, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
        self.as_str().to_sql(out)
    }
}

impl<DB> FromSql<Text, DB> for BatchStatus
where
    DB: Backend,
    String: FromSql<Text, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
        let name = String::from_sql(bytes)?;
        BatchStatus::parse(&name).ok_or_else(|| format!("unknown batch status {name:?}").into())
    }
}

/// An `import_batches` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = import_batches, treat_none_as_default_value = false)]
pub struct BatchRow {
    /// UUID v4.
    pub id: String,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
    /// Committed or rejected (a dry run stores no batch).
    pub status: BatchStatus,
    /// The file's name, if known.
    pub filename: Option<String>,
    /// The encoding detected.
    pub encoding: String,
    /// Size in bytes.
    pub byte_size: i64,
    /// Data rows read (blank rows not counted).
    pub data_rows: i64,
    /// Projects registered.
    pub projects_created: i64,
    /// Assets registered.
    pub assets_created: i64,
    /// Projects already registered with the same values.
    pub projects_unchanged: i64,
    /// Assets already registered with the same values.
    pub assets_unchanged: i64,
    /// Rows whose asset (or project, for a row without asset) was already registered.
    pub rows_unchanged: i64,
    /// Errors found (all of them, not only those listed).
    pub error_count: i64,
    /// Columns left out, as JSON.
    pub warnings: String,
    /// The token name that imported it.
    pub actor: String,
    /// When (RFC 3339).
    pub created_at: String,
    /// The scope of the token that imported it: who else sees it.
    pub scope: String,
    /// The sheet read, for a workbook.
    pub sheet: Option<String>,
    /// Rows that continued the project of the row above (its project cells empty, as
    /// merged cells look once saved as CSV).
    pub continued_rows: i64,
    /// Totals rows (合计, 总计, 小计) checked and found to add up.
    pub totals_checked: i64,
}

/// What an import did or would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct BatchReport {
    /// The batch id (`None` for a dry run, which records nothing).
    pub id: Option<String>,
    /// Committed, rejected or a dry run.
    pub status: BatchStatus,
    /// Whether this is an earlier batch returned for the same bytes.
    pub replayed: bool,
    /// SHA-256 of the file; for a workbook, of the file's SHA-256 (hex), a line feed
    /// and the sheet's name, so that each sheet of one workbook is imported once.
    pub sha256: String,
    /// The file's name, if known.
    pub filename: Option<String>,
    /// The encoding detected (`xlsx`, `xls` or `ods` for a workbook).
    pub encoding: String,
    /// The sheet read, for a workbook.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// Size in bytes.
    pub byte_size: i64,
    /// Data rows read.
    pub data_rows: i64,
    /// Rows that continued the project of the row above.
    pub continued_rows: i64,
    /// Totals rows (合计, 总计, 小计) checked and found to add up.
    pub totals_checked: i64,
    /// Projects registered (or, in a dry run, to register).
    pub projects_created: i64,
    /// Assets registered (or to register).
    pub assets_created: i64,
    /// Projects already registered identically.
    pub projects_unchanged: i64,
    /// Assets already registered identically.
    pub assets_unchanged: i64,
    /// Rows already registered identically.
    pub rows_unchanged: i64,
    /// Columns left out: the first 20 of them.
    pub warnings: Vec<Warning>,
    /// How many warnings there were in all.
    pub warning_count: i64,
    /// How many of each warning code.
    pub warning_counts: BTreeMap<String, i64>,
    /// Whether some warnings are counted but not listed.
    pub warnings_truncated: bool,
    /// How many errors there were in all.
    pub error_count: i64,
    /// The first errors (at most 1,000).
    pub errors: Vec<RowError>,
    /// Who imported it.
    pub actor: String,
    /// When (RFC 3339).
    pub created_at: String,
}

impl BatchRow {
    /// Inserts the batch row.
    ///
    /// Fails when the insert fails.
    pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<()> {
        diesel::insert_into(import_batches::table)
            .values(self)
            .execute(conn)
            .map(|_| ())
    }

    /// The committed batch of a file with this hash, if any.
    ///
    /// Fails when the query fails.
    pub fn committed_with_sha256(
        conn: &mut DbConnection,
        sha256: &str,
    ) -> QueryResult<Option<BatchRow>> {
        import_batches::table
            .filter(import_batches::sha256.eq(sha256))
            .filter(import_batches::status.eq(BatchStatus::Committed))
            .select(BatchRow::as_select())
            .first(conn)
            .optional()
    }

    /// The batch with this id, if `scope` sees it.
    ///
    /// Fails when the query fails.
    pub fn find(conn: &mut DbConnection, scope: &Scope, id: &str) -> QueryResult<Option<BatchRow>> {
        if !could_be_key(id) {
            return Ok(None);
        }
        let query = import_batches::table
            .filter(import_batches::id.eq(id.to_owned()))
            .select(BatchRow::as_select())
            .into_boxed::<DbBackend>();
        narrowed(query, batches_in(scope)).first(conn).optional()
    }

    /// Up to `limit` batches that `scope` sees, newest first, after the batch
    /// `(created_at, id)` of the previous page.
    ///
    /// Fails when the query fails.
    pub fn list(
        conn: &mut DbConnection,
        scope: &Scope,
        before: Option<(&str, &str)>,
        limit: i64,
    ) -> QueryResult<Vec<BatchRow>> {
        let query = import_batches::table
            .select(BatchRow::as_select())
            .into_boxed::<DbBackend>();
        let query = narrowed(query, batches_in(scope));
        newest_first!(query, import_batches, created_at, id, before, limit).load(conn)
    }

    /// The report of this stored batch without its errors (`error_count` says how many).
    pub fn to_summary(&self) -> BatchReport {
        let mut report = self.report_without_warnings();
        report.set_warnings(&WarningSummary::from_json(&self.warnings));
        report
    }

    fn report_without_warnings(&self) -> BatchReport {
        BatchReport {
            id: Some(self.id.clone()),
            status: self.status,
            replayed: false,
            sha256: self.sha256.clone(),
            filename: self.filename.clone(),
            encoding: self.encoding.clone(),
            sheet: self.sheet.clone(),
            byte_size: self.byte_size,
            data_rows: self.data_rows,
            continued_rows: self.continued_rows,
            totals_checked: self.totals_checked,
            projects_created: self.projects_created,
            assets_created: self.assets_created,
            projects_unchanged: self.projects_unchanged,
            assets_unchanged: self.assets_unchanged,
            rows_unchanged: self.rows_unchanged,
            warnings: Vec::new(),
            warning_count: 0,
            warning_counts: BTreeMap::new(),
            warnings_truncated: false,
            error_count: self.error_count,
            errors: Vec::new(),
            actor: self.actor.clone(),
            created_at: self.created_at.clone(),
        }
    }

    /// The report of this stored batch, with its stored errors.
    ///
    /// Fails when the errors cannot be loaded.
    pub fn to_report(&self, conn: &mut DbConnection, replayed: bool) -> QueryResult<BatchReport> {
        let errors = import_errors::table
            .filter(import_errors::batch_id.eq(&self.id))
            .order(import_errors::ordinal)
            .select(ImportErrorRow::as_select())
            .load(conn)?
            .into_iter()
            .map(|e| RowError {
                line: e.line.and_then(|l| u64::try_from(l).ok()),
                column: e.column_name,
                code: known_code(&e.code),
                message: e.message,
                registered_value: e.registered_value,
                file_value: e.file_value,
                cell: e.cell,
                declared: e.declared,
                computed: e.computed,
            })
            .collect();
        let mut report = self.to_summary();
        report.replayed = replayed;
        report.errors = errors;
        Ok(report)
    }
}

/// Stores the listed errors of a rejected batch.
///
/// Fails when the insert fails.
pub fn insert_errors(
    conn: &mut DbConnection,
    batch_id: &str,
    errors: &[RowError],
) -> QueryResult<()> {
    let rows: Vec<ImportErrorRow> = errors
        .iter()
        .enumerate()
        .map(|(ordinal, e)| ImportErrorRow {
            batch_id: batch_id.to_owned(),
            ordinal: i64::try_from(ordinal).unwrap_or(i64::MAX),
            line: e.line.and_then(|l| i64::try_from(l).ok()),
            column_name: e.column.clone(),
            code: e.code.to_owned(),
            message: e.message.clone(),
            registered_value: e.registered_value.clone(),
            file_value: e.file_value.clone(),
            cell: e.cell.clone(),
            declared: e.declared.clone(),
            computed: e.computed.clone(),
        })
        .collect();
    crate::db::bulk::insert_import_errors(conn, &rows)
}

impl BatchReport {
    /// Sets the warnings the report lists and counts.
    pub fn set_warnings(&mut self, summary: &WarningSummary) {
        self.warnings = summary.listed.clone();
        self.warning_count = summary.count;
        self.warning_counts = summary.counts.clone();
        self.warnings_truncated = summary.truncated();
    }
}

/// Every error code the importer writes, so stored codes come back as `'static` names.
pub const ERROR_CODES: &[&str] = &[
    "required",
    "negative_amount",
    "scientific_notation",
    "too_many_decimals",
    "invalid_number",
    "unknown_asset_class",
    "unknown_owner_type",
    "invalid_date",
    "invalid_year",
    "invalid_id_number",
    "duplicate_asset_code",
    "project_conflict",
    "field_too_long",
    "bad_row_length",
    "conflicts_with_register",
    "invalid_code",
    "invalid_character",
    "empty_file",
    "no_header",
    "missing_column",
    "duplicate_column",
    "ambiguous_unit",
    "undecodable",
    "amount_too_large",
    "total_too_large",
    "too_many_columns",
    "out_of_scope",
    "formula_without_value",
    "cell_error",
    "unknown_sheet",
    "total_row_mismatch",
];

fn known_code(code: &str) -> &'static str {
    ERROR_CODES
        .iter()
        .find(|c| **c == code)
        .copied()
        .unwrap_or("unknown")
}
