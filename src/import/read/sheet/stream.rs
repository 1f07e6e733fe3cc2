//! An .xlsx sheet read as a stream: calamine's cell reader walks the sheet's XML on a
//! thread of its own and hands over one row at a time, so that memory holds the
//! shared strings, the merged ranges and a few rows — not the sheet, whatever its
//! length. Merged ranges are spread as the rows pass; a cell past the last column the
//! import accepts refuses the sheet at once.

use std::fs::File;
use std::io::BufReader;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;

use calamine::{Data, Dimensions, Xlsx};

use super::{cell_text, column_letters, CellProblem};

/// Rows the reading thread may be ahead.
const ROWS_AHEAD: usize = 512;

/// The last column (from 1) a filled cell may lie in. Far beyond a header's 256
/// columns (a note to the right of the table is fine), far below Excel's 16,384: every
/// row is handed over as wide as the widest filled cell, so a sheet filled out to
/// column XFD is refused rather than read as rows of 16,384 cells.
pub const MAX_SHEET_COLUMNS: usize = 1024;

/// One row as the stream hands it over: its index (from 0), the text of its cells
/// from column A, and the problems of its cells.
pub struct StreamedRow {
    /// The row's index, from 0.
    pub row: u32,
    /// The text of each cell, from column A.
    pub cells: Vec<String>,
    /// The problems of its cells, by column.
    pub problems: Vec<(usize, CellProblem)>,
}

/// Why the stream stopped before the end of the sheet: the error's line (the row as
/// Excel numbers it), code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The row it was found on, if any.
    pub line: Option<u64>,
    /// `too_many_columns` or `undecodable`.
    pub code: &'static str,
    /// What is wrong, in Chinese.
    pub message: String,
}

/// The rows of a sheet, read by a thread of their own.
pub struct StreamedRows {
    rows: Receiver<Result<StreamedRow, Refusal>>,
    _reader: JoinHandle<()>,
    /// The last row the sheet's `dimension` declares, for the progress.
    declared_end: u32,
    /// The index of the last row handed over.
    last_row: u32,
    /// Why the stream stopped early, once it has.
    pub failure: Option<Refusal>,
}

impl StreamedRows {
    /// Starts reading the sheet `name` of `workbook`.
    pub fn start(workbook: Xlsx<BufReader<File>>, name: String) -> Self {
        let (sender, rows) = sync_channel(ROWS_AHEAD);
        let (declared, declared_end) = sync_channel(1);
        let reader = std::thread::spawn(move || read(workbook, &name, &sender, &declared));
        StreamedRows {
            rows,
            _reader: reader,
            declared_end: declared_end.recv().unwrap_or(0),
            last_row: 0,
            failure: None,
        }
    }

    /// The next row, or `None` at the end of the sheet or when the stream stopped
    /// early (see [`StreamedRows::failure`]).
    pub fn next_row(&mut self) -> Option<StreamedRow> {
        if self.failure.is_some() {
            return None;
        }
        match self.rows.recv() {
            Ok(Ok(row)) => {
                self.last_row = row.row;
                Some(row)
            }
            Ok(Err(refusal)) => {
                self.failure = Some(refusal);
                None
            }
            // The thread ended: the sheet is read.
            Err(_) => None,
        }
    }

    /// The share of `total` that the rows read so far stand for, by the rows the
    /// sheet declares.
    pub fn consumed(&self, total: u64) -> u64 {
        let rows = u64::from(self.declared_end).max(1);
        let read = u64::from(self.last_row).min(rows);
        total.saturating_mul(read) / rows
    }
}

/// A merged range being spread: its extent and its value.
struct Spreading {
    range: Dimensions,
    text: String,
}

/// Reads the sheet and sends its rows; stops at the end, at a refusal (sent), or when
/// nobody receives any more.
fn read(
    mut workbook: Xlsx<BufReader<File>>,
    name: &str,
    rows: &SyncSender<Result<StreamedRow, Refusal>>,
    declared_end: &SyncSender<u32>,
) {
    let undecodable = |e: calamine::XlsxError| Refusal {
        line: None,
        code: "undecodable",
        message: format!("工作表“{name}”无法读取（文件损坏或不是 Excel 保存的 .xlsx）：{e}"),
    };
    let mut merged = workbook.merge_cells_by_sheet_name(name).unwrap_or_default();
    merged.sort_by_key(|range| range.start);
    let mut reader = match workbook.worksheet_cells_reader(name) {
        Ok(reader) => reader,
        Err(e) => {
            let _ = declared_end.send(0);
            let _ = rows.send(Err(undecodable(e)));
            return;
        }
    };
    let _ = declared_end.send(reader.dimensions().end.0);
    let mut pending = merged.into_iter().peekable();
    let mut spreading: Vec<Spreading> = Vec::new();
    let mut width = 0usize;
    let mut current: Option<StreamedRow> = None;
    let mut text = String::new();
    loop {
        let cell = match reader.next_cell_with_formula() {
            Ok(Some(cell)) => cell,
            Ok(None) => break,
            Err(e) => {
                let _ = rows.send(Err(undecodable(e)));
                return;
            }
        };
        let (row, col) = cell.pos;
        let at = col as usize;
        let value = Data::from(cell.value);
        let formula = cell.formula.filter(|f| !f.trim().is_empty());
        // A cell with nothing in it (formatting only) adds nothing to its row.
        if value == Data::Empty && formula.is_none() {
            continue;
        }
        if at >= MAX_SHEET_COLUMNS {
            let _ = rows.send(Err(Refusal {
                line: Some(u64::from(row) + 1),
                code: "too_many_columns",
                message: format!(
                    "工作表第 {} 行在第 {} 列（{}{}）有内容，超过上限 {MAX_SHEET_COLUMNS} 列；请删去多余的列后重新导入",
                    u64::from(row) + 1,
                    at + 1,
                    column_letters(at),
                    u64::from(row) + 1
                ),
            }));
            return;
        }
        if current.as_ref().is_some_and(|r| r.row != row) {
            if let Some(done) = current.take() {
                if !send(done, &mut pending, &mut spreading, width, rows) {
                    return;
                }
            }
        }
        let building = current.get_or_insert_with(|| StreamedRow {
            row,
            cells: Vec::new(),
            problems: Vec::new(),
        });
        width = width.max(at + 1);
        if building.cells.len() <= at {
            building.cells.resize(at + 1, String::new());
        }
        text.clear();
        match &value {
            Data::Error(e) => building
                .problems
                .push((at, CellProblem::ErrorValue(e.to_string()))),
            value => cell_text(value, &mut text),
        }
        if text.is_empty() && !matches!(value, Data::Error(_)) {
            if let Some(formula) = formula {
                building
                    .problems
                    .push((at, CellProblem::FormulaWithoutValue(formula)));
            }
        }
        building.cells[at].push_str(&text);
    }
    if let Some(done) = current {
        send(done, &mut pending, &mut spreading, width, rows);
    }
}

/// Spreads the merged ranges over `row` and sends it, padded to `width` cells;
/// `false` when nobody receives any more. A row with nothing in it is not sent.
fn send(
    mut row: StreamedRow,
    pending: &mut std::iter::Peekable<std::vec::IntoIter<Dimensions>>,
    spreading: &mut Vec<Spreading>,
    width: usize,
    rows: &SyncSender<Result<StreamedRow, Refusal>>,
) -> bool {
    row.cells.resize(width, String::new());
    spreading.retain(|s| s.range.end.0 >= row.row);
    for s in spreading.iter() {
        let first = s.range.start.1 as usize;
        let last = (s.range.end.1 as usize).min(width.saturating_sub(1));
        for at in first..=last {
            if (row.row, at as u32) != s.range.start && row.cells[at].is_empty() {
                row.cells[at].push_str(&s.text);
            }
        }
    }
    // Ranges that start on this row spread its values over the rows below (and over the
    // cells right of their first on this row).
    while let Some(range) = pending.next_if(|r| r.start.0 <= row.row) {
        if range.start.0 < row.row || range.end.0 < row.row {
            // Its first row had no cells: it has no value to spread.
            continue;
        }
        let Some(text) = row.cells.get(range.start.1 as usize).cloned() else {
            continue;
        };
        if text.is_empty() {
            continue;
        }
        let last = (range.end.1 as usize).min(width.saturating_sub(1));
        for at in range.start.1 as usize + 1..=last {
            if row.cells[at].is_empty() {
                row.cells[at].push_str(&text);
            }
        }
        if range.end.0 > row.row {
            spreading.push(Spreading { range, text });
        }
    }
    if row.problems.is_empty() && row.cells.iter().all(String::is_empty) {
        return true;
    }
    rows.send(Ok(row)).is_ok()
}
