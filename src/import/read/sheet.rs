//! Reading a workbook (.xlsx, .xls, .ods) with calamine: the sheet chosen, its merged
//! ranges spread over every cell they span, and each row handed on as the text of its
//! cells — so that the CSV rules (columns, units, numbers, dates) read it too. A number
//! cell becomes the shortest decimal that gives back the double Excel stored, a date
//! cell its business date, a formula cell its cached value.
//!
//! An .xlsx is checked before it is opened ([`guard`]: no ZIP bomb, a shared-strings
//! table that fits in memory) and its sheet read as a stream ([`stream`]), in bounded
//! memory; an .xls or .ods sheet (formats of small files) is read whole.

mod guard;
pub mod stream;

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

use calamine::{Data, Dimensions, Range, Reader, SheetType, SheetVisible, Sheets};

/// What a workbook's first bytes are: a ZIP (xlsx, ods) or an OLE compound file (xls).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// `PK\x03\x04`: Office Open XML or OpenDocument.
    Zip,
    /// `D0 CF 11 E0 A1 B1 1A E1`: the compound file of Excel 97–2003.
    CompoundFile,
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const CFB_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// The container a file's first bytes announce, if it is a workbook's.
pub fn container(first_bytes: &[u8]) -> Option<Container> {
    if first_bytes.starts_with(ZIP_MAGIC) {
        Some(Container::Zip)
    } else if first_bytes.starts_with(CFB_MAGIC) {
        Some(Container::CompoundFile)
    } else {
        None
    }
}

/// Reads the first bytes of the file at `path` and tells whether it is a workbook.
///
/// Fails when the file cannot be read.
pub fn container_of(path: &Path) -> io::Result<Option<Container>> {
    let mut first = Vec::with_capacity(CFB_MAGIC.len());
    File::open(path)?
        .take(CFB_MAGIC.len() as u64)
        .read_to_end(&mut first)?;
    Ok(container(&first))
}

/// Why a workbook could not be opened as asked; each becomes a file error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenError {
    /// Neither xlsx, xls nor ods could read it (damaged, encrypted or another kind of
    /// ZIP), with calamine's reason.
    Unreadable(String),
    /// No sheet of that name; the sheets it has.
    UnknownSheet {
        /// The name asked for.
        asked: String,
        /// The workbook's worksheets, in order.
        sheets: Vec<String>,
    },
    /// The workbook has no visible worksheet.
    NoSheet,
    /// The workbook breaks a bound before it is read (a ZIP bomb, a shared-strings table
    /// too large): the error's code and message.
    Refused(&'static str, String),
}

/// Something wrong with one cell that its text cannot show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellProblem {
    /// A formula whose result was never computed and stored (the file was written by a
    /// program, not saved by Excel).
    FormulaWithoutValue(String),
    /// The cell holds an error value such as `#REF!` or `#DIV/0!`.
    ErrorValue(String),
}

/// The rows of one sheet, read in order.
pub struct SheetRows {
    /// The workbook's kind: `xlsx`, `xls`, `xlsb` or `ods`.
    pub format: &'static str,
    /// The sheet's name.
    pub name: String,
    cells: Cells,
}

/// Where a sheet's rows come from.
enum Cells {
    /// Read whole (.xls, .ods): the values, the formulas, the next row and the end.
    Loaded {
        values: Range<Data>,
        formulas: Range<String>,
        next_row: u32,
        end_row: u32,
        width: u32,
    },
    /// An .xlsx, read as a stream.
    Streamed(stream::StreamedRows),
}

impl SheetRows {
    /// Opens the workbook at `path` and reads the sheet named `sheet`, or the first
    /// visible worksheet.
    ///
    /// Returns the workbook's errors as `Ok(Err(..))`; fails only when the file cannot
    /// be read.
    pub fn open(
        path: &Path,
        container: Container,
        sheet: Option<&str>,
    ) -> io::Result<Result<Self, OpenError>> {
        // Bounds first: calamine reads an .xlsx's shared strings whole when it opens it.
        if container == Container::Zip {
            if let Some(refused) = guard::check(path)? {
                return Ok(Err(OpenError::Refused(refused.code, refused.message)));
            }
        }
        let workbook = match open_workbook(path, container)? {
            Ok(workbook) => workbook,
            Err(reason) => return Ok(Err(OpenError::Unreadable(reason))),
        };
        let worksheets: Vec<&calamine::Sheet> = workbook
            .sheets_metadata()
            .iter()
            .filter(|s| s.typ == SheetType::WorkSheet)
            .collect();
        let name = match sheet {
            Some(asked) => match worksheets.iter().find(|s| s.name == asked.trim()) {
                Some(found) => found.name.clone(),
                None => {
                    return Ok(Err(OpenError::UnknownSheet {
                        asked: asked.to_owned(),
                        sheets: worksheets.iter().map(|s| s.name.clone()).collect(),
                    }))
                }
            },
            None => match worksheets
                .iter()
                .find(|s| s.visible == SheetVisible::Visible)
            {
                Some(first) => first.name.clone(),
                None => return Ok(Err(OpenError::NoSheet)),
            },
        };
        let format = match &workbook {
            Sheets::Xlsx(_) => "xlsx",
            Sheets::Xls(_) => "xls",
            Sheets::Xlsb(_) => "xlsb",
            Sheets::Ods(_) => "ods",
        };
        let workbook = match workbook {
            Sheets::Xlsx(xlsx) => {
                return Ok(Ok(SheetRows {
                    format,
                    cells: Cells::Streamed(stream::StreamedRows::start(xlsx, name.clone())),
                    name,
                }))
            }
            other => other,
        };
        let mut workbook = workbook;
        let unreadable = |e: calamine::Error| OpenError::Unreadable(e.to_string());
        let mut values = match workbook.worksheet_range(&name) {
            Ok(values) => values,
            Err(e) => return Ok(Err(unreadable(e))),
        };
        // The formulas only tell an uncomputed cell from an empty one: a workbook whose
        // formulas calamine cannot parse (an .xls with an unusual token) still imports by
        // its cached values.
        let formulas = workbook.worksheet_formula(&name).unwrap_or_default();
        // OpenDocument keeps no merged ranges that calamine reads: its covered cells come
        // as empty, which the continuation rows of the CSV rules take care of.
        let merged = match &mut workbook {
            Sheets::Xlsx(xlsx) => xlsx.merge_cells_by_sheet_name(&name).unwrap_or_default(),
            Sheets::Xls(xls) => xls.merge_cells_by_sheet_name(&name).unwrap_or_default(),
            Sheets::Xlsb(_) | Sheets::Ods(_) => Vec::new(),
        };
        spread_merged(&mut values, &merged);
        let end = values.end().unwrap_or((0, 0));
        let next_row = values.start().map_or(1, |(row, _)| row);
        let end_row = if values.is_empty() { 0 } else { end.0 + 1 };
        Ok(Ok(SheetRows {
            format,
            name,
            cells: Cells::Loaded {
                values,
                formulas,
                next_row,
                end_row,
                width: end.1 + 1,
            },
        }))
    }

    /// Why the rows stopped before the end of the sheet, once they have.
    pub fn failure(&self) -> Option<&stream::Refusal> {
        match &self.cells {
            Cells::Streamed(rows) => rows.failure.as_ref(),
            Cells::Loaded { .. } => None,
        }
    }

    /// The share of the sheet's rows read so far, as a fraction of `total`.
    pub fn consumed(&self, total: u64) -> u64 {
        let (values, next_row, end_row) = match &self.cells {
            Cells::Streamed(rows) => return rows.consumed(total),
            Cells::Loaded {
                values,
                next_row,
                end_row,
                ..
            } => (values, *next_row, *end_row),
        };
        let start = values.start().map_or(0, |(row, _)| row);
        let rows = u64::from(end_row.saturating_sub(start)).max(1);
        let read = u64::from(next_row.saturating_sub(start)).min(rows);
        // At most `total` × `rows` / `rows`: no overflow for any file a server accepts.
        total.saturating_mul(read) / rows
    }

    /// Reads the next row into `record` (one field per column from column A on) and
    /// the problems of its cells into `problems`, by column; returns the row's number
    /// as Excel shows it, or `None` after the last row.
    pub fn next_row(
        &mut self,
        record: &mut csv::StringRecord,
        problems: &mut Vec<(usize, CellProblem)>,
    ) -> Option<u64> {
        record.clear();
        problems.clear();
        let (values, formulas, next_row, end_row, width) = match &mut self.cells {
            Cells::Streamed(rows) => {
                let row = rows.next_row()?;
                for cell in &row.cells {
                    record.push_field(cell);
                }
                problems.extend(row.problems);
                return Some(u64::from(row.row) + 1);
            }
            Cells::Loaded {
                values,
                formulas,
                next_row,
                end_row,
                width,
            } => (values, formulas, next_row, *end_row, *width),
        };
        if *next_row >= end_row {
            return None;
        }
        let row = *next_row;
        *next_row += 1;
        let mut text = String::new();
        for col in 0..width {
            text.clear();
            let value = values.get_value((row, col));
            match value {
                Some(Data::Error(e)) => {
                    problems.push((col as usize, CellProblem::ErrorValue(e.to_string())));
                }
                Some(value) => cell_text(value, &mut text),
                None => {}
            }
            if text.is_empty() {
                if let Some(formula) = formulas.get_value((row, col)) {
                    if !formula.trim().is_empty() && !matches!(value, Some(Data::Error(_))) {
                        problems.push((
                            col as usize,
                            CellProblem::FormulaWithoutValue(formula.clone()),
                        ));
                    }
                }
            }
            record.push_field(&text);
        }
        Some(u64::from(row) + 1)
    }
}

/// Opens the workbook at `path` by its container: a compound file is an .xls; a ZIP is
/// an .xlsx when it holds `[Content_Types].xml` and a workbook part, else an .xlsb,
/// else an .ods when its `mimetype` says so (each reader checks its own entries, as
/// calamine's `open_workbook_auto_from_rs` tries them in turn).
///
/// Returns calamine's reason as `Ok(Err(..))` when no reader understands the file;
/// fails when the file cannot be opened.
fn open_workbook(
    path: &Path,
    container: Container,
) -> io::Result<Result<Sheets<BufReader<File>>, String>> {
    let reader = || File::open(path).map(BufReader::new);
    Ok(match container {
        Container::CompoundFile => calamine::Xls::new(reader()?)
            .map(Sheets::Xls)
            .map_err(|e| e.to_string()),
        Container::Zip => match calamine::Xlsx::new(reader()?) {
            Ok(xlsx) => Ok(Sheets::Xlsx(xlsx)),
            Err(xlsx_error) => match calamine::Ods::new(reader()?) {
                Ok(ods) => Ok(Sheets::Ods(ods)),
                Err(_) => calamine::Xlsb::new(reader()?)
                    .map(Sheets::Xlsb)
                    .map_err(|_| xlsx_error.to_string()),
            },
        },
    })
}

/// Gives every cell of each merged range the value of its top-left cell, within the
/// sheet's used range (a range reaching past it adds no cells).
fn spread_merged(values: &mut Range<Data>, merged: &[Dimensions]) {
    let (Some(start), Some(end)) = (values.start(), values.end()) else {
        return;
    };
    for range in merged {
        let Some(value) = values.get_value(range.start).cloned() else {
            continue;
        };
        if value == Data::Empty {
            continue;
        }
        let rows = range.start.0.max(start.0)..=range.end.0.min(end.0);
        for row in rows {
            for col in range.start.1.max(start.1)..=range.end.1.min(end.1) {
                if (row, col) != range.start {
                    values.set_value((row, col), value.clone());
                }
            }
        }
    }
}

/// The text of a cell as the CSV rules read it.
fn cell_text(value: &Data, out: &mut String) {
    use std::fmt::Write;
    // Writing to a String cannot fail.
    let _ = match value {
        Data::Empty | Data::Error(_) => Ok(()),
        Data::String(s) => {
            out.push_str(s);
            Ok(())
        }
        Data::Int(i) => write!(out, "{i}"),
        // Rust prints a double as the shortest decimal that reads back as the same
        // double, never with an exponent: 1.005 stays 1.005, 2020.0 is 2020.
        Data::Float(f) => write!(out, "{f}"),
        Data::Bool(b) => write!(out, "{}", if *b { "TRUE" } else { "FALSE" }),
        Data::DateTime(at) => match at.as_datetime() {
            Some(moment) if at.is_datetime() => write!(out, "{}", moment.date().format("%Y-%m-%d")),
            _ => write!(out, "{}", at.as_f64()),
        },
        Data::DateTimeIso(iso) => {
            out.push_str(iso.split('T').next().unwrap_or(iso));
            Ok(())
        }
        Data::DurationIso(iso) => {
            out.push_str(iso);
            Ok(())
        }
    };
}

/// The letters Excel names the column at `index` (from 0) with: `A`, `Z`, `AA`, `XFD`.
pub fn column_letters(index: usize) -> String {
    let mut letters = Vec::new();
    let mut n = index + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        // `rem` < 26: the cast to a letter is exact.
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_named_as_excel_names_them() {
        for (index, name) in [(0, "A"), (7, "H"), (25, "Z"), (26, "AA"), (16_383, "XFD")] {
            assert_eq!(column_letters(index), name);
        }
    }

    #[test]
    fn numbers_read_as_their_shortest_decimal() {
        for (value, text) in [
            (Data::Float(1.005), "1.005"),
            (Data::Float(12.3298), "12.3298"),
            (Data::Float(2020.0), "2020"),
            (Data::Float(0.1 + 0.2), "0.30000000000000004"),
            (Data::Float(1e21), "1000000000000000000000"),
            (Data::Int(42), "42"),
        ] {
            let mut out = String::new();
            cell_text(&value, &mut out);
            assert_eq!(out, text);
        }
    }

    #[test]
    fn workbooks_are_told_by_their_first_bytes() {
        assert_eq!(container(b"PK\x03\x04rest"), Some(Container::Zip));
        assert_eq!(container(CFB_MAGIC), Some(Container::CompoundFile));
        assert_eq!(container("项目编号,".as_bytes()), None);
        assert_eq!(container(b"PK"), None);
    }
}
