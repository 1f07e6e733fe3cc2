//! Issue #14 item 8, each on SQLite and on PostgreSQL: hostile .xlsx files, built here at
//! run time (never committed), are refused with a clear error and nothing written — a
//! ZIP bomb, a sheet of 1,048,576 empty rows, a sheet filled out to column XFD (16,384
//! columns) and a shared-strings table of 100 MB — without reading them into memory.

mod support;

use std::io::{Cursor, Write};
use std::sync::OnceLock;

use rocket::http::{ContentType, Status};
use serde_json::Value;
use support::{Scenario, TestApp};
use zip::write::SimpleFileOptions;
use zip::CompressionMethod;

const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// An .xlsx of one sheet whose `<sheetData>` holds `rows`, and, when given, a
/// shared-strings table of `strings`; `stored` parts are not compressed.
fn workbook(rows: &[u8], strings: Option<&[u8]>, stored: bool) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let method = if stored {
        CompressionMethod::Stored
    } else {
        CompressionMethod::Deflated
    };
    let options = SimpleFileOptions::default()
        .compression_method(method)
        .large_file(true);
    let shared = if strings.is_some() {
        "<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>"
    } else {
        ""
    };
    let parts: [(&str, String); 4] = [
        (
            "[Content_Types].xml",
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/><Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>{shared}</Types>"),
        ),
        (
            "_rels/.rels",
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"{REL}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"),
        ),
        (
            "xl/workbook.xml",
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"{MAIN}\" xmlns:r=\"{REL}\"><sheets><sheet name=\"台账\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"{REL}/worksheet\" Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" Type=\"{REL}/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>"),
        ),
    ];
    for (name, text) in parts {
        zip.start_file(name, options).expect("part");
        zip.write_all(text.as_bytes()).expect("part");
    }
    zip.start_file("xl/worksheets/sheet1.xml", options)
        .expect("sheet");
    zip.write_all(
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"{MAIN}\"><sheetData>"
        )
        .as_bytes(),
    )
    .expect("sheet");
    zip.write_all(rows).expect("rows");
    zip.write_all(b"</sheetData></worksheet>").expect("sheet");
    if let Some(strings) = strings {
        zip.start_file("xl/sharedStrings.xml", options)
            .expect("strings");
        zip.write_all(strings).expect("strings");
    }
    zip.finish().expect("zip").into_inner()
}

/// A sheet whose XML inflates a thousandfold: 64 MiB of blanks between its rows.
fn zip_bomb() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| workbook(&vec![b' '; 64 * 1024 * 1024], None, false))
}

/// 1,048,576 rows, each with a formatted but empty cell.
fn empty_rows() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| {
        let mut rows = Vec::with_capacity(40 * 1_048_576);
        for row in 1..=1_048_576u32 {
            write!(rows, "<row r=\"{row}\"><c r=\"A{row}\" s=\"0\"/></row>").expect("row");
        }
        workbook(&rows, None, false)
    })
}

/// The letters of column `index` (from 0).
fn letters(index: u32) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        out.push(char::from(
            b'A' + u8::try_from((n - 1) % 26).expect("letter"),
        ));
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

/// A header row filled out to column XFD: 16,384 columns.
fn wide() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| {
        let mut row = "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>项目编号</t></is></c>"
            .as_bytes()
            .to_vec();
        for col in 1..16_384u32 {
            let at = letters(col);
            write!(
                row,
                "<c r=\"{at}1\" t=\"inlineStr\"><is><t>列{col}</t></is></c>"
            )
            .expect("cell");
        }
        row.extend_from_slice(b"</row>");
        workbook(&row, None, false)
    })
}

/// A shared-strings table of 100 MB (stored, so that its ratio is no bomb's).
fn huge_strings() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| {
        let mut strings = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">".to_vec();
        let mut n = 0u64;
        while strings.len() < 100 * 1000 * 1000 {
            write!(strings, "<si><t>兴平市某村扶贫资产名称第{n}号</t></si>").expect("string");
            n += 1;
        }
        strings.extend_from_slice(b"</sst>");
        let header = b"<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>";
        workbook(header, Some(&strings), true)
    })
}

/// Imports `bytes`, expects the single file error `code` whose message says `says`, and
/// that nothing was written.
fn refused(app: &TestApp, bytes: &[u8], code: &str, says: &str) -> Value {
    let before = app.register_state();
    let reply = app.post(
        "/api/v1/imports?dry_run=false",
        Some(&app.clerk),
        bytes.to_vec(),
        ContentType::Binary,
    );
    assert_eq!(reply.status, Status::UnprocessableEntity, "{}", reply.body);
    let errors = reply.body["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{}", reply.body);
    assert_eq!(errors[0]["code"], code, "{}", reply.body);
    let message = errors[0]["message"].as_str().unwrap_or_default();
    assert!(message.contains(says), "{message}");
    assert_eq!(app.register_state(), before, "nothing may be written");
    reply.body
}

fn a_zip_bomb_is_refused(app: &TestApp) {
    let body = refused(app, zip_bomb(), "zip_bomb", "疑为压缩炸弹");
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("xl/worksheets/sheet1.xml"));
}

fn a_sheet_of_a_million_empty_rows_is_refused(app: &TestApp) {
    refused(app, empty_rows(), "empty_file", "没有任何内容");
}

fn a_sheet_of_16384_columns_is_refused(app: &TestApp) {
    let body = refused(app, wide(), "too_many_columns", "超过上限 1024 列");
    assert_eq!(body["errors"][0]["line"], 1, "{body}");
}

fn a_shared_strings_table_of_100_mb_is_refused(app: &TestApp) {
    refused(app, huge_strings(), "workbook_too_large", "共享字符串表");
}

fn main() -> std::process::ExitCode {
    let scenarios: Vec<(&'static str, Scenario)> = vec![
        ("a_zip_bomb_is_refused", a_zip_bomb_is_refused),
        (
            "a_sheet_of_a_million_empty_rows_is_refused",
            a_sheet_of_a_million_empty_rows_is_refused,
        ),
        (
            "a_sheet_of_16384_columns_is_refused",
            a_sheet_of_16384_columns_is_refused,
        ),
        (
            "a_shared_strings_table_of_100_mb_is_refused",
            a_shared_strings_table_of_100_mb_is_refused,
        ),
    ];
    support::run(scenarios)
}
