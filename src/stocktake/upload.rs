//! Reading an uploaded file of results — a checklist filled in, as XLSX (or XLS, ODS)
//! or as CSV in UTF-8 or GBK — with the importer's readers: the header is the first of
//! the first ten rows holding 资产编号, each row keeps its number as the sheet shows
//! it, and a row whose 盘点结果, 盘点日期 and 备注 are all empty was not checked.

use std::path::Path;

use super::campaign::{rule, StocktakeError};
use super::results::{Columns, Origin, ResultField, ResultInput};
use crate::import::read::decode::{sniff, DecodingReader};
use crate::import::read::header::clean;
use crate::import::read::sheet::{column_letters, container_of, OpenError, SheetRows};

/// The rows searched for the header.
const HEADER_ROWS: usize = 10;

/// The headers each field's column may have (the checklist's own first).
fn headers(field: ResultField) -> &'static [&'static str] {
    match field {
        ResultField::AssetCode => &["资产编号", "asset_code"],
        ResultField::Result => &["盘点结果", "清查结果", "result"],
        ResultField::CheckedOn => &["盘点日期", "清查日期", "checked_on"],
        ResultField::Note => &["备注", "说明", "note"],
        // Photos are cited through the API, not from a sheet.
        ResultField::Attachments => &[],
    }
}

/// Every row of the file: its number and its cells.
///
/// Fails with the rule `undecodable` for bytes or a workbook that cannot be read.
fn rows_of(path: &Path) -> Result<Vec<(u64, Vec<String>)>, StocktakeError> {
    let io = |e: std::io::Error| StocktakeError::Malformed(format!("cannot read the upload: {e}"));
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    if let Some(container) = container_of(path).map_err(io)? {
        let mut sheet = match SheetRows::open(path, container, None).map_err(io)? {
            Ok(sheet) => sheet,
            Err(OpenError::Unreadable(reason)) => {
                return Err(rule(
                    "undecodable",
                    "file",
                    format!("文件看起来是 Excel 工作簿，但无法读取：{reason}"),
                ))
            }
            // A workbook past the importer's bounds (a ZIP bomb, a huge shared-strings
            // table) is refused here as there, by its own code.
            Err(OpenError::Refused(code, message)) => return Err(rule(code, "file", message)),
            Err(OpenError::NoSheet | OpenError::UnknownSheet { .. }) => {
                return Err(rule(
                    "empty_file",
                    "file",
                    "工作簿中没有可见的工作表".to_owned(),
                ))
            }
        };
        let mut problems = Vec::new();
        while let Some(line) = sheet.next_row(&mut record, &mut problems) {
            rows.push((line, record.iter().map(str::to_owned).collect()));
        }
        return Ok(rows);
    }
    let sniffed = sniff(path).map_err(io)?;
    let encoding = sniffed.encoding.map_err(|line| {
        rule(
            "undecodable",
            "file",
            format!("第 {line} 行的字节既不是 UTF-8 也不是 GBK/GB18030 编码"),
        )
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(DecodingReader::open(path, encoding).map_err(io)?);
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                return Err(StocktakeError::Malformed(format!(
                    "cannot read the CSV: {e}"
                )))
            }
        }
        let byte = record.position().map_or(0, csv::Position::byte);
        let line = reader.get_mut().line_at(byte);
        rows.push((line, record.iter().map(str::to_owned).collect()));
    }
    Ok(rows)
}

/// The results a file holds, and its columns (for the errors' cells).
///
/// Fails with the rules `undecodable`, `empty_file`, `no_header` or `missing_column`
/// (naming the column), or when the file cannot be read.
pub fn read_upload(path: &Path) -> Result<(Vec<ResultInput>, Columns), StocktakeError> {
    let rows = rows_of(path)?;
    if rows
        .iter()
        .all(|(_, cells)| cells.iter().all(|c| c.trim().is_empty()))
    {
        return Err(rule("empty_file", "file", "文件是空的".to_owned()));
    }
    let is_header = |cells: &[String]| {
        cells
            .iter()
            .any(|c| headers(ResultField::AssetCode).contains(&clean(c)))
    };
    let Some(at) = rows
        .iter()
        .take(HEADER_ROWS)
        .position(|(_, c)| is_header(c))
    else {
        return Err(rule(
            "no_header",
            "file",
            format!("前 {HEADER_ROWS} 行中没有含“资产编号”的表头行"),
        ));
    };
    let header = &rows[at].1;
    let mut columns = Columns::default();
    let mut positions = [None; 4];
    for (i, field) in ResultField::ALL.iter().enumerate() {
        let found = header
            .iter()
            .position(|cell| headers(*field).contains(&clean(cell)));
        if found.is_none() && *field != ResultField::Note {
            return Err(rule(
                "missing_column",
                "file",
                format!("表头中没有“{}”列", field.header()),
            ));
        }
        positions[i] = found;
        columns.of[i] = found.map(|p| (column_letters(p), header[p].trim().to_owned()));
    }
    let cell = |cells: &[String], i: usize| -> Option<String> {
        positions[i]
            .and_then(|p| cells.get(p))
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
    };
    let mut inputs = Vec::new();
    for (line, cells) in &rows[at + 1..] {
        let input = ResultInput {
            origin: Some(Origin::Line(*line)),
            asset_code: cell(cells, 0),
            result: cell(cells, 1),
            checked_on: cell(cells, 2),
            note: cell(cells, 3),
            attachments: None,
            refused: Vec::new(),
        };
        let filled = input.result.is_some() || input.checked_on.is_some() || input.note.is_some();
        if filled {
            inputs.push(input);
        }
    }
    Ok((inputs, columns))
}
