//! Export of the register in the import format (Chinese headers, amounts in 元), as
//! UTF-8 with a byte-order mark (what Excel needs to open Chinese CSV) or GB18030/GBK.
//!
//! Cells beginning with `=`, `+`, `-` or `@` are prefixed with `'` so that Excel shows
//! them as text instead of running them as formulas; the importer strips that prefix
//! again, so an export imports back unchanged.
//!
//! Owner ID numbers are written as the formula `="610481199003154318"` ([`excel_text`]).
//! Excel reads any cell of digits as a number and keeps 15 significant digits, so an
//! 18-digit ID number opened as plain text comes out as `6.10481E+17` and, saved again,
//! `610481199003154000`; a leading tab or apostrophe is no remedy (Excel keeps the tab in
//! the cell, and shows the apostrophe of a CSV cell). A formula whose result is a text
//! keeps every digit, shows nothing but them, and saves back as the plain number text.
//! The importer reads `="…"` back as the text inside, so the export still re-imports.
//!
//! The Excel export ([`xlsx::write_register_xlsx`]) writes the same columns as the
//! register a finance bureau prints.
//!
//! The findings export ([`write_findings`]) lists each finding with the asset or project
//! it names, with Chinese headers and labels, for clerks to work through.

mod cells;
mod findings;
pub mod xlsx;

pub use cells::{HEADER, PROJECT_COLUMNS};
pub use findings::{write_findings, FINDINGS_HEADER};

use cells::{asset_cells, project_cells, Cell};

use std::io::Write;

use diesel::prelude::*;

use crate::db::db_variant_from_query;
use crate::db::schema::{assets, projects};
use crate::db::{DbConnection, DbError};
use crate::domain::{AssetStatus, Scope, Vocabulary};
use crate::register::query::{list_assets, list_assets_by_project, AssetFilter};
use crate::register::scope::projects_query;
use crate::register::store::{AssetRow, ProjectRow};

/// The encoding of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportEncoding {
    /// UTF-8 with a byte-order mark.
    Utf8Bom,
    /// GB18030 (GBK for every character GBK has).
    Gbk,
}

impl ExportEncoding {
    /// Parses `utf-8` (also `utf8`) or `gbk` (also `gb18030`); `None` otherwise.
    pub fn parse(text: &str) -> Option<Self> {
        match text.to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Some(ExportEncoding::Utf8Bom),
            "gbk" | "gb18030" => Some(ExportEncoding::Gbk),
            _ => None,
        }
    }

    /// The charset to name in `Content-Type`.
    pub fn charset(self) -> &'static str {
        match self {
            ExportEncoding::Utf8Bom => "utf-8",
            ExportEncoding::Gbk => "gb18030",
        }
    }
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The output could not be written.
    #[error("cannot write the export: {0}")]
    Io(#[from] std::io::Error),
    /// A stored value is invalid.
    #[error("stored value is invalid: {0}")]
    Corrupt(String),
    /// The workbook could not be written.
    #[error("cannot write the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

db_variant_from_query!(ExportError);

impl From<csv::Error> for ExportError {
    fn from(e: csv::Error) -> Self {
        ExportError::Io(std::io::Error::other(e))
    }
}

/// Makes a cell safe to open in a spreadsheet: a leading `= + - @` gets a `'` before it.
pub fn neutralise(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

/// An ID number as a cell Excel keeps whole: `="610481199003154318"` for one made of
/// digits (and a check `X`), which Excel would otherwise read as a number and round to 15
/// digits; anything else is [`neutralise`]d as usual.
pub fn excel_text(cell: &str) -> String {
    let digits = cell.chars().filter(char::is_ascii_digit).count();
    if digits > 0
        && cell
            .chars()
            .all(|c| c.is_ascii_digit() || c == 'X' || c == 'x')
    {
        format!("=\"{cell}\"")
    } else {
        neutralise(cell)
    }
}

/// Writes UTF-8 text to the output in the chosen encoding.
struct Encoded<'a> {
    out: &'a mut dyn Write,
    encoding: ExportEncoding,
    /// The start of a UTF-8 character split between two writes.
    carry: Vec<u8>,
}

impl Write for Encoded<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.encoding {
            ExportEncoding::Utf8Bom => self.out.write(buf),
            ExportEncoding::Gbk => {
                self.carry.extend_from_slice(buf);
                let valid = match std::str::from_utf8(&self.carry) {
                    Ok(_) => self.carry.len(),
                    Err(e) if e.error_len().is_none() => e.valid_up_to(),
                    Err(e) => return Err(std::io::Error::other(e)),
                };
                let text =
                    std::str::from_utf8(&self.carry[..valid]).map_err(std::io::Error::other)?;
                // GB18030 covers all of Unicode, so nothing is replaced.
                let (bytes, _, _) = encoding_rs::GB18030.encode(text);
                self.out.write_all(&bytes)?;
                self.carry.drain(..valid);
                Ok(buf.len())
            }
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// A CSV writer of UTF-8 text into `out` in `encoding` (a UTF-8 export starts with the
/// byte-order mark Excel needs to read it as UTF-8), lines ending in CRLF.
fn csv_writer(
    encoding: ExportEncoding,
    out: &mut dyn Write,
) -> Result<csv::Writer<Encoded<'_>>, ExportError> {
    if encoding == ExportEncoding::Utf8Bom {
        out.write_all(b"\xEF\xBB\xBF")?;
    }
    Ok(csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Encoded {
            out,
            encoding,
            carry: Vec::new(),
        }))
}

/// The order in which [`each_register_row`] visits assets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    /// By asset code.
    Code,
    /// By project, then asset code: each project's assets together.
    Project,
}

/// Calls `row` with each row of the register export: the assets in `scope` matching
/// `filter` (disposed ones only when the filter asks for them), each with its project,
/// in `order`; then, when the filter does not restrict assets, the projects without a
/// live asset, in code order; the import of the result reproduces the register's totals.
/// Memory stays flat: both are read a page at a time, all in one read snapshot, so that
/// writes other processes commit meanwhile (a disposal, an asset revived, an import)
/// neither list a project twice nor leave one out.
///
/// Fails when the database fails, a stored value is invalid or `row` fails.
fn each_register_row(
    conn: &mut DbConnection,
    scope: &Scope,
    filter: &AssetFilter,
    order: Order,
    row: impl FnMut(&ProjectRow, Option<&AssetRow>) -> Result<(), ExportError>,
) -> Result<(), ExportError> {
    crate::db::read_snapshot(conn, |conn| {
        each_register_row_in_snapshot(conn, scope, filter, order, row)
    })
}

/// [`each_register_row`] inside the read snapshot the caller holds.
fn each_register_row_in_snapshot(
    conn: &mut DbConnection,
    scope: &Scope,
    filter: &AssetFilter,
    order: Order,
    mut row: impl FnMut(&ProjectRow, Option<&AssetRow>) -> Result<(), ExportError>,
) -> Result<(), ExportError> {
    let mut after: Option<(String, String)> = None;
    loop {
        let page = match (order, &after) {
            (Order::Code, after) => list_assets(
                conn,
                scope,
                filter,
                true,
                after.as_ref().map(|(_, code)| code.as_str()),
                1000,
            )?,
            (Order::Project, after) => list_assets_by_project(
                conn,
                scope,
                filter,
                after.as_ref().map(|(p, c)| (p.as_str(), c.as_str())),
                1000,
            )?,
        };
        if page.is_empty() {
            break;
        }
        let mut codes: Vec<&str> = page.iter().map(|a| a.project_code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        let found = ProjectRow::find_by_keys(conn, &[], &codes)?;
        for asset in &page {
            if filter.status.is_none() && asset.status == AssetStatus::Disposed.as_str() {
                continue;
            }
            let project = found
                .iter()
                .find(|p| p.code == asset.project_code)
                .ok_or_else(|| {
                    ExportError::Corrupt(format!("asset {} without project", asset.code))
                })?;
            row(project, Some(asset))?;
        }
        after = page
            .last()
            .map(|a| (a.project_code.clone(), a.code.clone()));
    }
    let restricts_assets = filter.class.is_some()
        || filter.owner.is_some()
        || filter.owner_type.is_some()
        || filter.status.is_some()
        || filter.condition.is_some()
        || filter.operating_mode.is_some()
        || filter.q.is_some();
    if !restricts_assets {
        let mut after: Option<String> = None;
        loop {
            let mut query = projects_query(scope)
                // Projects without a live asset: those that formed none, and those whose
                // assets are all disposed (left out above), so the project totals survive.
                .filter(diesel::dsl::not(diesel::dsl::exists(
                    assets::table
                        .filter(assets::project_code.eq(projects::code))
                        .filter(assets::status.ne(AssetStatus::Disposed.as_str())),
                )))
                .select(ProjectRow::as_select())
                .order(projects::code)
                .limit(1000);
            if let Some(after) = &after {
                query = query.filter(projects::code.gt(after.clone()));
            }
            if let Some(town) = &filter.town {
                query = query.filter(projects::town.eq(town.clone()));
            }
            if let Some(village) = &filter.village {
                query = query.filter(projects::village.eq(village.clone()));
            }
            if let Some(project) = &filter.project {
                query = query.filter(projects::code.eq(project.clone()));
            }
            if let Some(year) = filter.year {
                query = query.filter(projects::year.eq(year));
            }
            if let Some(department) = &filter.department {
                query = query.filter(projects::department.eq(department.clone()));
            }
            let page = query.load(conn)?;
            if page.is_empty() {
                break;
            }
            for project in &page {
                row(project, None)?;
            }
            after = page.last().map(|p| p.code.clone());
        }
    }
    Ok(())
}

/// Writes the register's assets in `scope` matching `filter` (disposed ones only when the filter
/// asks for them), then, when the filter does not restrict assets, the projects without
/// a live asset; the import of the result reproduces the register's totals.
///
/// Fails when the database fails or the output cannot be written.
pub fn write_register(
    conn: &mut DbConnection,
    scope: &Scope,
    filter: &AssetFilter,
    encoding: ExportEncoding,
    out: &mut dyn Write,
) -> Result<Exported, ExportError> {
    let mut writer = csv_writer(encoding, out)?;
    writer.write_record(HEADER)?;
    let mut written = Exported::default();
    each_register_row(conn, scope, filter, Order::Code, |project, asset| {
        written.count(asset);
        let mut cells: Vec<String> = project_cells(project)?.iter().map(Cell::csv).collect();
        match asset {
            Some(asset) => cells.extend(asset_cells(asset)?.iter().map(Cell::csv)),
            None => cells.resize(HEADER.len(), String::new()),
        }
        writer.write_record(&cells)?;
        Ok(())
    })?;
    writer.flush()?;
    Ok(written)
}

/// What an export wrote: its rows, and how many of them carry an owner's ID number or a
/// phone number (whole: exports are for roles that see them so, and are recorded in the
/// access log).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Exported {
    /// Register rows written (assets, and projects without an asset).
    pub rows: u64,
    /// Of them, the rows that carry an ID or phone number.
    pub with_personal: u64,
}

impl Exported {
    /// Counts one row (of `asset`, or a project's without one).
    pub fn count(&mut self, asset: Option<&AssetRow>) {
        self.rows += 1;
        if asset.is_some_and(AssetRow::carries_personal) {
            self.with_personal += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("+86"), "'+86");
        assert_eq!(neutralise("-1"), "'-1");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("王寨村"), "王寨村");
    }

    #[test]
    fn id_numbers_are_written_as_text_formulas_excel_keeps_whole() {
        assert_eq!(excel_text("610481199003154318"), "=\"610481199003154318\"");
        assert_eq!(excel_text("11010519491231002X"), "=\"11010519491231002X\"");
        assert_eq!(excel_text("610481900315431"), "=\"610481900315431\"");
        assert_eq!(excel_text(""), "");
        assert_eq!(excel_text("X"), "X");
        assert_eq!(excel_text("=1+1"), "'=1+1");
    }
}
