//! Reading a file's data rows: a CSV file's bytes decoded ([`decode`]) or a workbook's
//! sheet read ([`sheet`]), the header found below any title rows — one row, or a group
//! row over sub-headers ([`header`], [`field`]) — then every row parsed and checked on
//! its own ([`row`]) on a thread of its own, and handed over in chunks with the line
//! each starts on. Both formats give rows of cell text, so one set of rules reads them:
//! a row whose project cells are all empty continues the project of the row above (as
//! merged cells look once saved as CSV), and a totals row (合计, 总计, 小计) is read
//! for its figures, not registered.

pub mod decode;
pub mod field;
pub mod header;
pub mod row;
pub mod sheet;

use std::path::Path;

use self::decode::{DecodingReader, TextEncoding};
use self::field::Field;
use self::header::{Layout, HEADER_SEARCH_ROWS};
use self::row::{is_blank, parse_row, ParsedRow};
use self::sheet::{column_letters, CellProblem, Container, OpenError, SheetRows};
use super::error::{ImportFailure, RowError};
use super::totals::{self, DeclaredTotals};

/// Where rows come from.
enum Source {
    /// A CSV file, decoded as it is read.
    Csv(Box<csv::Reader<DecodingReader>>),
    /// A workbook's sheet, and the workbook's size in bytes.
    Sheet(Box<SheetRows>, u64),
}

/// A row as a source gives it: its line, its cells, and the problems of its cells that
/// the text cannot show.
type SourceRow = (u64, csv::StringRecord, Vec<(usize, CellProblem)>);

impl Source {
    /// Reads the next row into `record`, the problems of its cells into `problems`;
    /// returns its line, or `None` at the end.
    fn next(
        &mut self,
        record: &mut csv::StringRecord,
        problems: &mut Vec<(usize, CellProblem)>,
    ) -> Result<Option<u64>, ImportFailure> {
        match self {
            Source::Csv(reader) => {
                problems.clear();
                if !read_record(reader, record)? {
                    return Ok(None);
                }
                Ok(Some(record_line(reader, record)))
            }
            Source::Sheet(rows, _) => Ok(rows.next_row(record, problems)),
        }
    }

    /// Why a sheet's rows stopped before its end (a cell past the last column, XML
    /// that does not read), as the file error that refuses it.
    fn failure(&self) -> Option<RowError> {
        match self {
            Source::Csv(_) => None,
            Source::Sheet(rows, _) => rows.failure().map(|refusal| {
                RowError::file(refusal.line, None, refusal.code, refusal.message.clone())
            }),
        }
    }

    /// How many bytes of the file lie behind the rows read.
    fn consumed(&self) -> u64 {
        match self {
            Source::Csv(reader) => reader.get_ref().consumed(),
            Source::Sheet(rows, size) => rows.consumed(*size),
        }
    }
}

/// The rows of a file after its header.
pub struct Rows {
    source: Source,
    buffered: std::vec::IntoIter<SourceRow>,
}

/// What opening a file found wrong with it as a whole: its errors, or `Ok` with its
/// layout and rows.
pub type Opened = Result<(Layout, Rows), Vec<RowError>>;

/// Opens a CSV file, finds the header among the first rows and builds the layout.
///
/// Returns the file's errors (`empty_file`, `no_header`, `missing_column`,
/// `ambiguous_unit`) as `Ok(Err(..))`; fails only when the file cannot be read.
pub fn open_rows(path: &Path, encoding: TextEncoding) -> Result<Opened, ImportFailure> {
    let reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(DecodingReader::open(path, encoding)?);
    open_source(Source::Csv(Box::new(reader)))
}

/// A workbook opened: its kind (`xlsx`, `xls`, `ods`), the sheet read, and what was
/// found in it.
pub struct OpenedSheet {
    /// `xlsx`, `xls`, `xlsb` or `ods`; `None` when the workbook could not be read.
    pub format: Option<&'static str>,
    /// The sheet read.
    pub sheet: Option<String>,
    /// The layout and rows, or the file's errors.
    pub opened: Opened,
}

/// Opens the workbook at `path` (`size` bytes, in `container`), reads the sheet named `sheet` or the
/// first visible one, finds the header and builds the layout.
///
/// Returns the file's errors (those of a CSV file, and `undecodable` for a workbook
/// no reader understands, `unknown_sheet` listing the sheets there are) in
/// [`OpenedSheet::opened`]; fails only when the file cannot be read.
pub fn open_sheet(
    path: &Path,
    container: Container,
    size: u64,
    sheet: Option<&str>,
) -> Result<OpenedSheet, ImportFailure> {
    let rows = match SheetRows::open(path, container, sheet)? {
        Ok(rows) => rows,
        Err(error) => {
            let (code, message) = match error {
                OpenError::Unreadable(reason) => (
                    "undecodable",
                    format!("文件看起来是 Excel 或 WPS/LibreOffice 工作簿，但无法读取（文件损坏、加密或不是 .xlsx/.xls/.ods）：{reason}"),
                ),
                OpenError::UnknownSheet { asked, sheets } => (
                    "unknown_sheet",
                    format!(
                        "工作簿中没有名为“{asked}”的工作表；现有的工作表：{}",
                        sheets
                            .iter()
                            .map(|s| format!("“{s}”"))
                            .collect::<Vec<_>>()
                            .join("、")
                    ),
                ),
                OpenError::NoSheet => (
                    "empty_file",
                    "工作簿中没有可见的工作表".to_owned(),
                ),
                OpenError::Refused(code, message) => (code, message),
            };
            return Ok(OpenedSheet {
                format: None,
                sheet: None,
                opened: Err(vec![RowError::file(None, None, code, message)]),
            });
        }
    };
    let format = rows.format;
    let name = rows.name.clone();
    let mut opened = open_source(Source::Sheet(Box::new(rows), size))?;
    if let Ok((layout, _)) = &mut opened {
        layout.names_cells = true;
    }
    Ok(OpenedSheet {
        format: Some(format),
        sheet: Some(name),
        opened,
    })
}

/// Finds the header among the first rows of `source` — with a row of sub-headers below
/// it, if it has one — and builds the layout.
fn open_source(mut source: Source) -> Result<Opened, ImportFailure> {
    let mut top: Vec<SourceRow> = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut problems = Vec::new();
    // One row more than the header may lie in: the sub-header row below it.
    while top.len() <= HEADER_SEARCH_ROWS {
        let Some(line) = source.next(&mut record, &mut problems)? else {
            break;
        };
        top.push((line, record.clone(), std::mem::take(&mut problems)));
    }
    if let Some(failure) = source.failure() {
        return Ok(Err(vec![failure]));
    }
    let non_blank = |r: &csv::StringRecord| !is_blank(&r.iter().collect::<Vec<_>>());
    if !top.iter().any(|(_, r, _)| non_blank(r)) {
        return Ok(Err(vec![RowError::file(
            None,
            None,
            "empty_file",
            "文件中没有任何内容".to_owned(),
        )]));
    }
    let Some(header_at) = top
        .iter()
        .take(HEADER_SEARCH_ROWS)
        .position(|(_, r, _)| header::is_header_row(r.iter()))
    else {
        return Ok(Err(vec![RowError::file(
            None,
            None,
            "no_header",
            format!("前 {HEADER_SEARCH_ROWS} 行中没有找到表头：表头行须含有“项目编号”或“project_code”列"),
        )]));
    };
    let declared_unit = top[..header_at]
        .iter()
        .find_map(|(_, r, _)| header::unit_line(r.iter()));
    let header_line = top[header_at].0;
    let names_cells = matches!(source, Source::Sheet(..));
    let cells = row_cells(&top[header_at].1, names_cells);
    let below = top
        .get(header_at + 1)
        .map(|(_, r, _)| row_cells(r, names_cells));
    let above = header_at
        .checked_sub(1)
        .map(|at| top[at].1.iter().collect::<Vec<&str>>());
    let (headers, data_at) = match (below, above) {
        (Some(below), _) if header::is_sub_header(&cells, &below) => {
            (header::combine_two_rows(&cells, &below), header_at + 2)
        }
        // A unit line (`单位：万元`) above is the unit of the whole file, not a group.
        (_, Some(above)) if header::unit_line(above.iter().copied()).is_none() => {
            (header::units_from_above(&above, &cells), header_at + 1)
        }
        _ => (
            cells.iter().map(|c| (*c).to_owned()).collect(),
            header_at + 1,
        ),
    };
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    let layout = match Layout::from_header(header_line, &headers, declared_unit) {
        Ok(layout) => layout,
        Err(mut errors) => {
            if names_cells {
                for error in &mut errors {
                    name_cell(error, |column| {
                        headers.iter().position(|h| header::clean(h) == column)
                    });
                }
            }
            return Ok(Err(errors));
        }
    };
    let buffered: Vec<_> = top.drain(data_at.min(top.len())..).collect();
    Ok(Ok((
        layout,
        Rows {
            source,
            buffered: buffered.into_iter(),
        },
    )))
}

/// The cells of a header row; a sheet's without the empty cells at its right end (its
/// rows run to the right edge of the used range: a stray cell far to the right does not
/// make the header wider).
fn row_cells(record: &csv::StringRecord, sheet: bool) -> Vec<&str> {
    let mut cells: Vec<&str> = record.iter().collect();
    while sheet && cells.last().is_some_and(|c| header::clean(c).is_empty()) {
        cells.pop();
    }
    cells
}

/// Names the cell of `error` (`H14`) from its line and column, given where a column of
/// that header text lies.
pub fn name_cell(error: &mut RowError, position_of: impl Fn(&str) -> Option<usize>) {
    if error.cell.is_some() {
        return;
    }
    if let (Some(line), Some(column)) = (error.line, error.column.as_deref()) {
        if let Some(at) = position_of(column) {
            error.cell = Some(format!("{}{line}", column_letters(at)));
        }
    }
}

/// The physical line a record starts on. (The CSV reader's own line count lags behind
/// by the empty lines it skipped before the record.)
fn record_line(reader: &mut csv::Reader<DecodingReader>, record: &csv::StringRecord) -> u64 {
    let byte = record.position().map_or(0, csv::Position::byte);
    reader.get_mut().line_at(byte)
}

/// Reads the next record; `false` at the end of the file.
fn read_record(
    reader: &mut csv::Reader<DecodingReader>,
    record: &mut csv::StringRecord,
) -> Result<bool, ImportFailure> {
    reader.read_record(record).map_err(|e| match e.into_kind() {
        csv::ErrorKind::Io(io) => ImportFailure::Io(io),
        // The bytes were validated before parsing, so any other failure is an I/O fault.
        other => ImportFailure::Io(std::io::Error::other(format!("{other:?}"))),
    })
}

/// Rows the reading thread hands over together.
const READ_CHUNK_ROWS: usize = 256;

/// Chunks the reading thread may be ahead of the writing one.
pub const READ_AHEAD_CHUNKS: usize = 8;

/// A non-blank row as read.
#[expect(
    clippy::large_enum_variant,
    reason = "nearly every row is a register row: boxing it would allocate once a row for the sake of the rare totals row"
)]
pub enum ReadRow {
    /// A register row, checked on its own; `continued` when its project cells were
    /// empty and it took the project of the row above.
    Register {
        /// The row parsed, or its errors.
        parsed: Result<ParsedRow, Vec<RowError>>,
        /// It continued the project of the row above.
        continued: bool,
    },
    /// A totals row: its figures, or the errors of its cells.
    Totals(Result<DeclaredTotals, Vec<RowError>>),
}

/// Non-blank rows as read and checked on their own, each with its line, and how many
/// bytes of the file lie behind them.
pub struct ReadChunk {
    /// The rows, each with the physical line it starts on.
    pub rows: Vec<(u64, ReadRow)>,
    /// Bytes of the file read so far.
    pub consumed: u64,
}

/// Reads the data rows, checks each on its own and sends them on in chunks; stops at
/// the end of the file, at a read failure (sent on), or when nobody receives any more.
pub fn read_rows(
    mut rows: Rows,
    layout: &Layout,
    sender: &std::sync::mpsc::SyncSender<Result<ReadChunk, ImportFailure>>,
) {
    let mut record = csv::StringRecord::new();
    let mut problems = Vec::new();
    let mut continued_record = csv::StringRecord::new();
    // The project cells of the last row that had them, by position, reused row after row.
    let mut previous: Vec<(usize, String)> = Vec::new();
    let mut chunk = Vec::with_capacity(READ_CHUNK_ROWS);
    let project_positions: Vec<usize> = std::iter::once(Field::ProjectCode)
        .chain(Field::project_details().iter().copied())
        .filter_map(|f| layout.position(f))
        .collect();
    let asset_positions: Vec<usize> = Field::ALL
        .iter()
        .filter(|f| f.marks_asset())
        .filter_map(|f| layout.position(*f))
        .collect();
    loop {
        let line = match rows.buffered.next() {
            Some((line, buffered, buffered_problems)) => {
                record = buffered;
                problems = buffered_problems;
                line
            }
            None => match rows.source.next(&mut record, &mut problems) {
                Ok(Some(line)) => line,
                Ok(None) => break,
                Err(failure) => {
                    let _ = sender.send(Err(failure));
                    return;
                }
            },
        };
        let cells: Vec<&str> = record.iter().collect();
        if is_blank(&cells) {
            continue;
        }
        if let Some(kind) = totals::kind_of(&cells) {
            let declared = totals::declared(layout, kind, line, &cells);
            let declared = match (declared, cell_problems(layout, line, &problems)) {
                (declared, problems) if problems.is_empty() => declared,
                (Ok(_), problems) => Err(problems),
                (Err(errors), problems) => Err(with_problems(problems, errors)),
            };
            chunk.push((line, ReadRow::Totals(declared)));
        } else {
            let empty = |at: &usize| cells.get(*at).is_none_or(|c| header::clean(c).is_empty());
            let continues = !previous.is_empty()
                && project_positions.iter().all(empty)
                && !asset_positions.iter().all(empty);
            let parsed = if continues {
                continued_record.clear();
                for (at, cell) in cells.iter().enumerate() {
                    match previous.iter().find(|(p, _)| *p == at) {
                        Some((_, above)) => continued_record.push_field(above),
                        None => continued_record.push_field(cell),
                    }
                }
                let continued: Vec<&str> = continued_record.iter().collect();
                parse_row(layout, line, &continued)
            } else {
                parse_row(layout, line, &cells)
            };
            let parsed = match (parsed, cell_problems(layout, line, &problems)) {
                (parsed, problems) if problems.is_empty() => parsed,
                (Ok(_), problems) => Err(problems),
                (Err(errors), problems) => Err(with_problems(problems, errors)),
            };
            if !continues {
                if previous.is_empty() {
                    previous = project_positions
                        .iter()
                        .map(|at| (*at, String::new()))
                        .collect();
                }
                for (at, above) in &mut previous {
                    above.clear();
                    above.push_str(cells.get(*at).copied().unwrap_or_default());
                }
            }
            chunk.push((
                line,
                ReadRow::Register {
                    parsed,
                    continued: continues,
                },
            ));
        }
        if chunk.len() == READ_CHUNK_ROWS {
            let full = ReadChunk {
                rows: std::mem::replace(&mut chunk, Vec::with_capacity(READ_CHUNK_ROWS)),
                consumed: rows.source.consumed(),
            };
            if sender.send(Ok(full)).is_err() {
                return;
            }
        }
    }
    if let Some(failure) = rows.source.failure() {
        let line = failure.line.unwrap_or_default();
        chunk.push((
            line,
            ReadRow::Register {
                parsed: Err(vec![failure]),
                continued: false,
            },
        ));
    }
    let consumed = rows.source.consumed();
    let _ = sender.send(Ok(ReadChunk {
        rows: chunk,
        consumed,
    }));
}

/// The errors of the problems of a row's cells in the columns the import reads: a
/// formula without a value, an error value.
fn cell_problems(layout: &Layout, line: u64, problems: &[(usize, CellProblem)]) -> Vec<RowError> {
    problems
        .iter()
        .filter(|(at, _)| Field::ALL.iter().any(|f| layout.position(*f) == Some(*at)))
        .map(|(at, problem)| {
            let (code, message) = match problem {
                CellProblem::FormulaWithoutValue(formula) => (
                    "formula_without_value",
                    format!("公式“={formula}”没有保存计算结果（文件不是由 Excel 保存的）；请在 Excel 中打开并保存后再导入，或将公式改为数值"),
                ),
                CellProblem::ErrorValue(value) => (
                    "cell_error",
                    format!("单元格的值为错误值 {value}，请改正公式或数值后再导入"),
                ),
            };
            RowError::cell(line, &layout.headers[*at], code, message)
        })
        .collect()
}

/// The problems of a row's cells, then its other errors — but not those on a column
/// with a problem (an empty cell's `required`: the problem says why it is empty).
fn with_problems(problems: Vec<RowError>, errors: Vec<RowError>) -> Vec<RowError> {
    let columns: Vec<Option<String>> = problems.iter().map(|p| p.column.clone()).collect();
    let mut listed = problems;
    listed.extend(errors.into_iter().filter(|e| !columns.contains(&e.column)));
    listed
}
