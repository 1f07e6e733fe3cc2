//! Reading a file's data rows: its bytes decoded ([`decode`]), the header found below
//! any title rows ([`header`], [`field`]), then every row parsed and checked on its own
//! ([`row`]) on a thread of its own, and handed over in chunks with the physical line
//! each starts on.

pub mod decode;
pub mod field;
pub mod header;
pub mod row;

use std::path::Path;

use self::decode::{DecodingReader, TextEncoding};
use self::header::{Layout, HEADER_SEARCH_ROWS};
use self::row::{is_blank, parse_row, ParsedRow};
use super::error::{ImportFailure, RowError};

/// The rows of a file after its header.
pub struct Rows {
    reader: csv::Reader<DecodingReader>,
    buffered: std::vec::IntoIter<(u64, csv::StringRecord)>,
}

/// Opens the file, finds the header among the first rows and builds the layout.
///
/// Returns the file's errors (`empty_file`, `no_header`, `missing_column`,
/// `ambiguous_unit`) as `Ok(Err(..))`; fails only when the file cannot be read.
pub fn open_rows(
    path: &Path,
    encoding: TextEncoding,
) -> Result<Result<(Layout, Rows), Vec<RowError>>, ImportFailure> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(DecodingReader::open(path, encoding)?);
    let mut top = Vec::new();
    let mut record = csv::StringRecord::new();
    while top.len() < HEADER_SEARCH_ROWS && read_record(&mut reader, &mut record)? {
        let line = record_line(&mut reader, &record);
        top.push((line, record.clone()));
    }
    let non_blank = |r: &csv::StringRecord| !is_blank(&r.iter().collect::<Vec<_>>());
    if !top.iter().any(|(_, r)| non_blank(r)) {
        return Ok(Err(vec![RowError::file(
            None,
            None,
            "empty_file",
            "文件中没有任何内容".to_owned(),
        )]));
    }
    let Some(header_at) = top
        .iter()
        .position(|(_, r)| header::is_header_row(r.iter()))
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
        .find_map(|(_, r)| header::unit_line(r.iter()));
    let (header_line, header_record) = &top[header_at];
    let cells: Vec<&str> = header_record.iter().collect();
    let layout = match Layout::from_header(*header_line, &cells, declared_unit) {
        Ok(layout) => layout,
        Err(errors) => return Ok(Err(errors)),
    };
    let buffered: Vec<_> = top.drain(header_at + 1..).collect();
    Ok(Ok((
        layout,
        Rows {
            reader,
            buffered: buffered.into_iter(),
        },
    )))
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

/// Non-blank rows as read and checked on their own, each with its line, and how many
/// bytes of the file lie behind them.
pub struct ReadChunk {
    /// The rows, each with the physical line it starts on.
    pub rows: Vec<(u64, Result<ParsedRow, Vec<RowError>>)>,
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
    let mut chunk = Vec::with_capacity(READ_CHUNK_ROWS);
    loop {
        let line = match rows.buffered.next() {
            Some((line, buffered)) => {
                record = buffered;
                line
            }
            None => match read_record(&mut rows.reader, &mut record) {
                Ok(true) => record_line(&mut rows.reader, &record),
                Ok(false) => break,
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
        chunk.push((line, parse_row(layout, line, &cells)));
        if chunk.len() == READ_CHUNK_ROWS {
            let full = ReadChunk {
                rows: std::mem::replace(&mut chunk, Vec::with_capacity(READ_CHUNK_ROWS)),
                consumed: rows.reader.get_ref().consumed(),
            };
            if sender.send(Ok(full)).is_err() {
                return;
            }
        }
    }
    let consumed = rows.reader.get_ref().consumed();
    let _ = sender.send(Ok(ReadChunk {
        rows: chunk,
        consumed,
    }));
}
