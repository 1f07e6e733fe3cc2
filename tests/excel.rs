//! Issue #14 items 1–4, each on SQLite and on PostgreSQL: registers kept in Excel
//! (.xlsx built here with rust_xlsxwriter; .xls and .ods committed under
//! tests/fixtures/, made by tests/fixtures/make_workbooks.py) import through the same
//! endpoint and CLI as CSV, recognised by content; merged cells and continuation rows;
//! two-row headers; totals rows checked to the fen. Every refusal names its line, cell
//! and code and writes nothing.

mod support;

use rocket::http::{ContentType, Status};
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
use serde_json::Value;
use support::{Scenario, TestApp};

/// A cell of a test sheet.
#[derive(Debug, Clone, Copy)]
enum Cell {
    Empty,
    Text(&'static str),
    Number(f64),
    /// A date cell, formatted `yyyy-mm-dd` as Excel shows it.
    Date(u16, u8, u8),
    /// A formula and the result Excel cached for it (`None`: never computed).
    Formula(&'static str, Option<&'static str>),
}

use Cell::{Date, Empty, Formula as F, Number as N, Text as T};

/// A sheet: its name, whether it is hidden, its rows from row 1, and its merged
/// ranges (first row, first column, last row, last column; from 0).
struct Sheet {
    name: &'static str,
    hidden: bool,
    rows: Vec<Vec<Cell>>,
    merged: Vec<(u32, u16, u32, u16)>,
}

impl Sheet {
    fn new(name: &'static str, rows: Vec<Vec<Cell>>) -> Self {
        Sheet {
            name,
            hidden: false,
            rows,
            merged: Vec::new(),
        }
    }
}

/// The bytes of an .xlsx holding `sheets`. Formulas without a cached result are
/// written with an empty one, as a program that never calculates writes them.
fn xlsx(sheets: &[Sheet]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let plain = Format::new();
    let active = sheets.iter().position(|s| !s.hidden);
    for (at, sheet) in sheets.iter().enumerate() {
        let worksheet = workbook.add_worksheet();
        // Excel cannot hide the sheet it opens on: the first visible one is.
        if Some(at) == active {
            worksheet.set_active(true);
        }
        worksheet.set_name(sheet.name).expect("sheet name");
        worksheet.set_formula_result_default("");
        if sheet.hidden {
            worksheet.set_hidden(true);
        }
        for &(r1, c1, r2, c2) in &sheet.merged {
            worksheet
                .merge_range(r1, c1, r2, c2, "", &plain)
                .expect("merge");
        }
        for (r, row) in sheet.rows.iter().enumerate() {
            let r = u32::try_from(r).expect("row");
            for (c, cell) in row.iter().enumerate() {
                let c = u16::try_from(c).expect("column");
                match *cell {
                    Empty => {}
                    T(text) => {
                        worksheet.write_string(r, c, text).expect("text");
                    }
                    N(number) => {
                        worksheet.write_number(r, c, number).expect("number");
                    }
                    Date(y, m, d) => {
                        let at = ExcelDateTime::from_ymd(y, m, d).expect("date");
                        worksheet
                            .write_datetime_with_format(r, c, &at, &date)
                            .expect("date cell");
                    }
                    F(formula, result) => {
                        let mut formula = Formula::new(formula);
                        if let Some(result) = result {
                            formula = formula.set_result(result);
                        }
                        worksheet.write_formula(r, c, formula).expect("formula");
                    }
                }
            }
        }
    }
    workbook.save_to_buffer().expect("xlsx")
}

/// The header of the test register (money columns take 万元 from the line above).
const HEADER: [&str; 19] = [
    "项目编号",
    "项目名称",
    "项目年度",
    "镇街",
    "村",
    "项目资金",
    "资金来源",
    "资产编号",
    "资产名称",
    "资产类别",
    "数量",
    "计量单位",
    "资产价值",
    "所有权人",
    "所有权人类型",
    "所有权人证件号",
    "管护主体",
    "确权日期",
    "确权证书编号",
];

fn header() -> Vec<Cell> {
    HEADER.iter().map(|h| T(h)).collect()
}

/// Project XP-2019-001's cells (columns A–G).
fn project_one() -> Vec<Cell> {
    vec![
        T("XP-2019-001"),
        T("王寨村饮水安全工程"),
        N(2019.0),
        T("东城街道"),
        T("王寨村"),
        N(12.3298),
        T("中央衔接资金"),
    ]
}

/// Project XP-2020-002's cells (columns A–G).
fn project_two() -> Vec<Cell> {
    vec![
        T("XP-2020-002"),
        T("李庄村光伏电站"),
        N(2020.0),
        T("西城街道"),
        T("李庄村"),
        N(40.0),
        Empty,
    ]
}

/// Who owns an asset, when it was confirmed and its certificate.
type Ownership = (&'static str, Cell, &'static str);

/// An asset row's cells (columns H–S).
fn asset(
    code: &'static str,
    name: &'static str,
    (quantity, unit): (f64, &'static str),
    value: Cell,
    (owner, confirmed, certificate): Ownership,
) -> Vec<Cell> {
    let class = if name == "光伏板" {
        "经营性"
    } else {
        "公益性"
    };
    vec![
        T(code),
        T(name),
        T(class),
        N(quantity),
        T(unit),
        value,
        T(owner),
        T("村集体"),
        Empty,
        T(owner),
        confirmed,
        if certificate.is_empty() {
            Empty
        } else {
            T(certificate)
        },
    ]
}

fn joined(mut a: Vec<Cell>, b: Vec<Cell>) -> Vec<Cell> {
    a.extend(b);
    a
}

/// The test register's rows, as tests/fixtures/make_workbooks.py writes them: title,
/// unit, header, project one over two asset rows (its cells empty on the second, where
/// a merged range covers them), project two, and a 合计 row.
fn register_rows() -> Vec<Vec<Cell>> {
    let well = asset(
        "XP-2019-001-01",
        "水源井",
        (1.0, "眼"),
        N(8.5),
        ("王寨村村民委员会", Date(2020, 3, 5), "兴确字(2020)第1号"),
    );
    let pipes = asset(
        "XP-2019-001-02",
        "供水管网",
        (2.5, "公里"),
        N(3.8298),
        ("王寨村村民委员会", Date(2020, 3, 5), "兴确字(2020)第2号"),
    );
    let panels = asset(
        "XP-2020-002-01",
        "光伏板",
        (100.0, "块"),
        N(40.0),
        ("李庄村村民委员会", Empty, ""),
    );
    let mut totals = vec![Empty; 19];
    totals[0] = T("合计");
    totals[5] = N(52.3298);
    totals[10] = N(103.5);
    totals[12] = N(52.3298);
    vec![
        vec![T("兴平市扶贫项目资产登记表")],
        vec![T("单位：万元")],
        header(),
        joined(project_one(), well),
        joined(vec![Empty; 7], pipes),
        joined(project_two(), panels),
        totals,
    ]
}

/// The test register as an .xlsx: the title merged across, project one's cells merged
/// down its two asset rows (Excel rows 4–5).
fn register_sheet() -> Sheet {
    let mut sheet = Sheet::new("台账", register_rows());
    sheet.merged.push((0, 0, 0, 18));
    for col in 0..7 {
        sheet.merged.push((3, col, 4, col));
    }
    sheet
}

/// The text of rows as a CSV file: numbers as written, dates as `2020-03-05`.
fn csv_of(rows: &[Vec<Cell>]) -> Vec<u8> {
    let mut text = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .map(|cell| match *cell {
                Empty => String::new(),
                T(t) => t.to_owned(),
                N(n) => format!("{n}"),
                Date(y, m, d) => format!("{y}-{m:02}-{d:02}"),
                F(_, result) => result.unwrap_or_default().to_owned(),
            })
            .collect();
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    text.into_bytes()
}

/// Posts `bytes` to the import endpoint with `query` (`sheet=…`, `filename=…`).
fn import(app: &TestApp, bytes: &[u8], query: &str) -> support::Reply {
    let path = format!("/api/v1/imports?dry_run=false{query}");
    app.post(&path, Some(&app.clerk), bytes.to_vec(), ContentType::Binary)
}

/// The committed import's report, after checking it was committed.
fn committed(app: &TestApp, bytes: &[u8], query: &str) -> Value {
    let reply = import(app, bytes, query);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    reply.body
}

/// The register as its CSV export shows it (every column of every asset).
fn export(app: &TestApp) -> String {
    let reply = app.get("/api/v1/assets.csv", Some(&app.auditor));
    assert_eq!(reply.status, Status::Ok, "{}", reply.body);
    reply.body.as_str().unwrap_or_default().to_owned()
}

/// Where an error is and what it is: line, cell, column, code.
type Placed<'a> = (Option<u64>, Option<&'a str>, Option<&'a str>, &'a str);

/// Imports `bytes`, expects a refusal whose errors are `expected` (line, cell, column,
/// code) in order, and that nothing was written; returns the answer.
fn refused(app: &TestApp, bytes: &[u8], query: &str, expected: &[Placed<'_>]) -> Value {
    let before = app.register_state();
    let reply = import(app, bytes, query);
    assert_eq!(reply.status, Status::UnprocessableEntity, "{}", reply.body);
    let errors: Vec<Placed<'_>> = reply.body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["line"].as_u64(),
                e["cell"].as_str(),
                e["column"].as_str(),
                e["code"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(errors, expected, "{}", reply.body);
    for error in reply.body["errors"].as_array().expect("errors") {
        let message = error["message"].as_str().unwrap_or_default();
        assert!(
            message
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "a Chinese message: {message}"
        );
    }
    assert_eq!(app.register_state(), before, "nothing may be written");
    // The rejection is kept with its cells, as the answer gave them.
    if let Some(id) = reply.body["id"].as_str() {
        let stored = app.get(&format!("/api/v1/imports/{id}"), Some(&app.clerk));
        assert_eq!(
            stored.body["errors"], reply.body["errors"],
            "{}",
            stored.body
        );
    }
    reply.body
}

/// The counts of a committed report that every format shares.
fn counts(report: &Value) -> [i64; 5] {
    [
        report["data_rows"].as_i64().unwrap_or(-1),
        report["projects_created"].as_i64().unwrap_or(-1),
        report["assets_created"].as_i64().unwrap_or(-1),
        report["totals_checked"].as_i64().unwrap_or(-1),
        report["error_count"].as_i64().unwrap_or(-1),
    ]
}

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&path).expect("fixture")
}

/// Item 1: one register as .xlsx, .xls, .ods and CSV registers the same: every column of
/// every asset, to the fen, and the same totals.
fn every_format_registers_the_same(app: &TestApp) {
    let csv_app = TestApp::new(app.backend, None);
    let csv_report = committed(&csv_app, &csv_of(&register_rows()), "");
    assert_eq!(counts(&csv_report), [3, 2, 3, 1, 0], "{csv_report}");
    assert_eq!(
        csv_report["continued_rows"], 1,
        "the blank project cells continue project one"
    );
    let expected = export(&csv_app);
    assert!(expected.contains("XP-2019-001-02"), "{expected}");

    let book = xlsx(&[register_sheet()]);
    let xlsx_report = committed(app, &book, "&filename=register.csv");
    assert_eq!(counts(&xlsx_report), [3, 2, 3, 1, 0], "{xlsx_report}");
    assert_eq!(xlsx_report["encoding"], "xlsx");
    assert_eq!(xlsx_report["sheet"], "台账");
    // The merged range gave the second row its project: no continuation needed.
    assert_eq!(xlsx_report["continued_rows"], 0);
    assert_eq!(export(app), expected);
    assert_eq!(app.totals("class"), csv_app.totals("class"));

    for (name, format, continued) in [("register.xls", "xls", 0), ("register.ods", "ods", 1)] {
        let other = TestApp::new(app.backend, None);
        let report = committed(&other, &fixture(name), "");
        assert_eq!(counts(&report), [3, 2, 3, 1, 0], "{name}: {report}");
        assert_eq!(report["encoding"], format, "{name}");
        assert_eq!(report["continued_rows"], continued, "{name}: {report}");
        assert_eq!(export(&other), expected, "{name}");
    }

    // A number cell of 万元 is its exact decimal; a date cell its date.
    let pipes = app.get("/api/v1/assets/XP-2019-001-02", Some(&app.clerk));
    assert_eq!(pipes.status, Status::Ok, "{}", pipes.body);
    let text = pipes.body.to_string();
    for expected in ["\"38298.00\"", "\"2020-03-05\"", "\"2.5\"", "供水管网"] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    // The same bytes again are a replay.
    let again = import(app, &book, "");
    assert_eq!(again.status, Status::Ok, "{}", again.body);
    assert_eq!(again.body["replayed"], true);
}

/// Item 1: the sheet is the first visible one, or the one named; an unknown name lists
/// the sheets there are; each sheet of one workbook imports once.
fn the_sheet_is_chosen_by_name_or_is_the_first_visible(app: &TestApp) {
    let mut notes = Sheet::new("说明", vec![vec![T("本表为 2020 年台账")]]);
    notes.hidden = true;
    let mut second = register_rows();
    second.truncate(4);
    second[3][0] = T("XP-2021-003");
    second[3][7] = T("XP-2021-003-01");
    let book = xlsx(&[notes, register_sheet(), Sheet::new("2021", second)]);

    let body = refused(
        app,
        &book,
        "&sheet=2022",
        &[(None, None, None, "unknown_sheet")],
    );
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("“2022”") && message.contains("“说明”、“台账”、“2021”"),
        "{message}"
    );
    // A name no sheet can have is a bad parameter: refused before the file is read,
    // nothing written and no batch kept (a NUL would not even reach PostgreSQL).
    let before = (app.register_state(), app.count_rows("import_batches"));
    for sheet in ["%00", "%E5%8F%B0%0A%E8%B4%A6"] {
        let reply = import(app, &book, &format!("&sheet={sheet}"));
        assert_eq!(reply.status, Status::BadRequest, "{}", reply.body);
        let mut body = reply.body.clone();
        if let Some(object) = body.as_object_mut() {
            object.remove("instance");
        }
        let detail = "sheet 不能含有控制字符，且不超过 255 个字符";
        assert_eq!(
            body,
            serde_json::json!({
                "type": "urn:asset-registry:problem:bad_parameter",
                "title": "请求参数无效",
                "status": 400,
                "detail": detail,
                "parameter": "sheet",
                "errors": [{"code": "bad_parameter", "parameter": "sheet", "message": detail}],
            })
        );
    }
    assert_eq!(
        (app.register_state(), app.count_rows("import_batches")),
        before
    );

    let first = committed(app, &book, "");
    assert_eq!(first["sheet"], "台账", "the hidden sheet is passed over");
    assert_eq!(first["assets_created"], 3);
    let before = app.register_state();
    let dry = app.post(
        "/api/v1/imports?dry_run=true&sheet=2021",
        Some(&app.clerk),
        book.clone(),
        ContentType::Binary,
    );
    assert_eq!(dry.status, Status::Ok, "{}", dry.body);
    assert_eq!(
        (
            dry.body["status"].as_str(),
            dry.body["assets_created"].as_i64()
        ),
        (Some("dry_run"), Some(1)),
        "{}",
        dry.body
    );
    assert_eq!(app.register_state(), before, "a dry run writes nothing");
    let chosen = committed(app, &book, "&sheet=2021");
    assert_eq!(chosen["sheet"], "2021");
    assert_eq!(chosen["assets_created"], 1, "{chosen}");
    let replay = import(app, &book, "&sheet=%E5%8F%B0%E8%B4%A6");
    assert_eq!(replay.body["replayed"], true, "{}", replay.body);
}

/// Item 1: number cells are read as the shortest decimal of the double Excel stored,
/// then by the rules of text: too many decimals and negatives are refused in their cell.
fn number_cells_are_read_exactly(app: &TestApp) {
    let mut rows = register_rows();
    rows[3][12] = N(8.1234567);
    rows[5][5] = N(-40.0);
    let mut sheet = Sheet::new("台账", rows);
    sheet.merged = register_sheet().merged;
    refused(
        app,
        &xlsx(&[sheet]),
        "",
        &[
            (Some(4), Some("M4"), Some("资产价值"), "too_many_decimals"),
            (Some(6), Some("F6"), Some("项目资金"), "negative_amount"),
        ],
    );
    // In 元, 1.005 keeps its three decimals and is refused as its text would be.
    let mut rows = register_rows();
    rows.truncate(4);
    rows[1] = vec![T("单位：元")];
    rows[3][5] = N(123298.0);
    rows[3][12] = N(1.005);
    refused(
        app,
        &xlsx(&[Sheet::new("台账", rows)]),
        "",
        &[(Some(4), Some("M4"), Some("资产价值"), "too_many_decimals")],
    );
}

/// Item 1: date cells and text dates both work; a formula counts by its cached value,
/// one without is `formula_without_value`; an error value is `cell_error`.
fn dates_and_formulas(app: &TestApp) {
    let mut rows = register_rows();
    // A note far to the right of the title widens the sheet's used range, not its header.
    rows[0].resize(300, Empty);
    rows[0][299] = T("本表于 2021 年更新");
    rows[3][17] = T("2020年3月5日");
    rows[5][5] = F("=20*2", Some("40"));
    rows[6][5] = F("=F4+F6", Some("52.3298"));
    rows[6][12] = F("=SUM(M4:M6)", Some("52.3298"));
    let mut sheet = Sheet::new("台账", rows);
    sheet.merged = register_sheet().merged;
    let report = committed(app, &xlsx(&[sheet]), "");
    assert_eq!(counts(&report), [3, 2, 3, 1, 0], "{report}");
    let well = app.get("/api/v1/assets/XP-2019-001-01", Some(&app.clerk));
    assert!(
        well.body.to_string().contains("\"2020-03-05\""),
        "{}",
        well.body
    );

    let other = TestApp::new(app.backend, None);
    let mut rows = register_rows();
    rows[5][12] = F("=20*2", None);
    rows[3][12] = F("=1/0", Some("#DIV/0!"));
    let mut sheet = Sheet::new("台账", rows);
    sheet.merged = register_sheet().merged;
    refused(
        &other,
        &xlsx(&[sheet]),
        "",
        &[
            (Some(4), Some("M4"), Some("资产价值"), "cell_error"),
            (
                Some(6),
                Some("M6"),
                Some("资产价值"),
                "formula_without_value",
            ),
        ],
    );
}

/// Item 1: a file that starts as a ZIP but is no workbook is refused plainly, and a
/// workbook's file name does not matter.
fn a_damaged_workbook_is_refused(app: &TestApp) {
    let mut bytes = b"PK\x03\x04".to_vec();
    bytes.extend_from_slice(&[0u8; 64]);
    let body = refused(
        app,
        &bytes,
        "&filename=register.xlsx",
        &[(None, None, None, "undecodable")],
    );
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("无法读取"), "{message}");
}

/// Item 2: merged project cells saved as CSV are blank on every row but the first: such
/// a row continues the project above, in CSV as in a workbook, and is counted; a merged
/// asset cell applies to every row it spans. A continuation row with nothing above is
/// refused.
fn continuation_rows_and_merged_cells(app: &TestApp) {
    // Project two's rows in the CSV: its second asset row leaves every project cell empty.
    let mut rows = register_rows();
    rows.insert(
        6,
        joined(
            vec![Empty; 7],
            asset(
                "XP-2020-002-02",
                "逆变器",
                (2.0, "台"),
                N(0.0),
                ("李庄村村民委员会", Empty, ""),
            ),
        ),
    );
    rows[7][10] = N(105.5);
    let report = committed(app, &csv_of(&rows), "");
    assert_eq!(counts(&report), [4, 2, 4, 1, 0], "{report}");
    assert_eq!(report["continued_rows"], 2, "{report}");
    let inverter = app.get("/api/v1/assets/XP-2020-002-02", Some(&app.clerk));
    assert!(
        inverter.body.to_string().contains("XP-2020-002"),
        "{}",
        inverter.body
    );

    // An owner merged over both of project one's rows in a workbook.
    let other = TestApp::new(app.backend, None);
    let mut rows = register_rows();
    rows[4][13] = Empty;
    let mut sheet = Sheet::new("台账", rows);
    sheet.merged = register_sheet().merged;
    sheet.merged.push((3, 13, 4, 13));
    let report = committed(&other, &xlsx(&[sheet]), "");
    assert_eq!(counts(&report), [3, 2, 3, 1, 0], "{report}");
    let pipes = other.get("/api/v1/assets/XP-2019-001-02", Some(&other.clerk));
    assert!(
        pipes.body.to_string().contains("王寨村村民委员会"),
        "{}",
        pipes.body
    );

    // A row with empty project cells right under the header has nothing to continue.
    let mut rows = register_rows();
    rows.remove(3);
    rows.remove(4);
    refused(
        &other,
        &csv_of(&rows),
        "",
        &[
            (Some(4), None, Some("项目编号"), "required"),
            (Some(4), None, Some("项目名称"), "required"),
            (Some(4), None, Some("项目年度"), "required"),
            (Some(4), None, Some("镇街"), "required"),
            (Some(4), None, Some("项目资金"), "required"),
        ],
    );
}

/// Item 3: a group header over sub-headers reads as one header per column, with the
/// unit in either row — in a workbook with merged header cells and in its CSV.
fn two_row_headers(app: &TestApp) {
    let top = vec![
        T("项目编号"),
        T("项目名称"),
        T("项目年度"),
        T("镇街"),
        T("村"),
        T("资金（万元）"),
        Empty,
        Empty,
        T("资产编号"),
        T("资产名称"),
        T("资产类别"),
        T("资产价值"),
        T("所有权人"),
        T("确权日期"),
    ];
    let below = vec![
        Empty,
        Empty,
        Empty,
        Empty,
        Empty,
        T("项目资金"),
        T("中央衔接资金"),
        T("省级衔接资金"),
        Empty,
        Empty,
        Empty,
        T("(元)"),
        Empty,
        Empty,
    ];
    let data = |code: &'static str, funds: Cell, asset_code: &'static str, value: Cell| {
        vec![
            T(code),
            T("王寨村饮水安全工程"),
            N(2019.0),
            T("东城街道"),
            T("王寨村"),
            funds,
            N(10.0),
            N(2.3298),
            T(asset_code),
            T("水源井"),
            T("公益性"),
            value,
            T("王寨村村民委员会"),
            Date(2020, 3, 5),
        ]
    };
    let rows = vec![
        vec![T("兴平市扶贫项目资产登记表")],
        top,
        below,
        data("XP-2019-001", N(12.3298), "XP-2019-001-01", N(85000.5)),
        data("XP-2019-001", N(12.3298), "XP-2019-001-02", N(38297.5)),
    ];
    let mut sheet = Sheet::new("台账", rows.clone());
    // Vertical merges for the single headers, a horizontal one for the group.
    for col in [0, 1, 2, 3, 4, 8, 9, 10, 12, 13] {
        sheet.merged.push((1, col, 2, col));
    }
    sheet.merged.push((1, 5, 1, 7));
    let report = committed(app, &xlsx(&[sheet]), "");
    assert_eq!(counts(&report), [2, 1, 2, 0, 0], "{report}");
    let warned: Vec<&str> = report["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter_map(|w| w["column"].as_str())
        .collect();
    // The funding channels under the group are columns of their own (item 5), in
    // the group's 万元.
    assert!(warned.is_empty(), "{report}");
    let project = app.get("/api/v1/projects/XP-2019-001", Some(&app.clerk));
    assert_eq!(
        project.body["funding"],
        serde_json::json!({"central": "100000.00", "provincial": "23298.00"}),
        "{}",
        project.body
    );
    assert!(
        project.body.to_string().contains("\"123298.00\""),
        "{}",
        project.body
    );
    let well = app.get("/api/v1/assets/XP-2019-001-01", Some(&app.clerk));
    assert!(
        well.body.to_string().contains("\"85000.50\""),
        "{}",
        well.body
    );

    let csv_app = TestApp::new(app.backend, None);
    let report = committed(&csv_app, &csv_of(&rows), "");
    assert_eq!(counts(&report), [2, 1, 2, 0, 0], "{report}");
    assert_eq!(export(&csv_app), export(app));

    // 项目编号 in the lower row: the group row above gives only its unit.
    let group_app = TestApp::new(app.backend, None);
    let mut grouped = rows.clone();
    grouped[1] = vec![
        T("项目信息"),
        Empty,
        Empty,
        Empty,
        Empty,
        T("金额（万元）"),
        Empty,
        Empty,
        T("资产信息"),
    ];
    grouped[2] = vec![
        T("项目编号"),
        T("项目名称"),
        T("项目年度"),
        T("镇街"),
        T("村"),
        T("项目资金"),
        T("中央衔接资金"),
        T("省级衔接资金"),
        T("资产编号"),
        T("资产名称"),
        T("资产类别"),
        T("资产价值(元)"),
        T("所有权人"),
        T("确权日期"),
    ];
    let mut sheet = Sheet::new("台账", grouped);
    sheet.merged.push((1, 0, 1, 4));
    sheet.merged.push((1, 5, 1, 7));
    sheet.merged.push((1, 8, 1, 13));
    let report = committed(&group_app, &xlsx(&[sheet]), "");
    assert_eq!(counts(&report), [2, 1, 2, 0, 0], "{report}");
    assert_eq!(export(&group_app), export(app));

    // Data lines are counted below both header rows; cells name the sub-header's column.
    let mut bad = rows.clone();
    bad[4][11] = N(1.005);
    let mut sheet = Sheet::new("台账", bad);
    sheet.merged.push((1, 5, 1, 7));
    refused(
        &csv_app,
        &xlsx(&[sheet]),
        "",
        &[(
            Some(5),
            Some("L5"),
            Some("资产价值(元)"),
            "too_many_decimals",
        )],
    );
}

/// Item 4: totals rows are checked to the fen — 合计 and 总计 over every row above,
/// 小计 over the rows since the last 小计, a project's funds once — and reported.
fn totals_rows_are_checked(app: &TestApp) {
    let sums = |word: &'static str, funds: f64, quantity: f64, value: f64| {
        let mut row = vec![Empty; 19];
        row[0] = T(word);
        row[5] = N(funds);
        row[10] = N(quantity);
        row[12] = N(value);
        row
    };
    let mut rows = register_rows();
    rows.pop();
    rows.insert(5, sums("小 计", 12.3298, 3.5, 12.3298));
    rows.push(sums("小计", 40.0, 100.0, 40.0));
    rows.push(sums("总计", 52.3298, 103.5, 52.3298));
    let report = committed(app, &csv_of(&rows), "");
    assert_eq!(counts(&report), [3, 2, 3, 3, 0], "{report}");

    // One fen off in a 万元 column, in a workbook and in CSV.
    let other = TestApp::new(app.backend, None);
    let mut rows = register_rows();
    rows[6][5] = N(52.329801);
    rows[6][10] = N(104.0);
    let mut sheet = Sheet::new("台账", rows.clone());
    sheet.merged = register_sheet().merged;
    let body = refused(
        &other,
        &xlsx(&[sheet]),
        "",
        &[
            (Some(7), Some("F7"), Some("项目资金"), "total_row_mismatch"),
            (Some(7), Some("K7"), Some("数量"), "total_row_mismatch"),
        ],
    );
    let funds = &body["errors"][0];
    assert_eq!(funds["declared"], "523,298.01", "{funds}");
    assert_eq!(funds["computed"], "523,298.00", "{funds}");
    let message = funds["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("合计")
            && message.contains("523,298.01")
            && message.contains("523,298.00"),
        "{message}"
    );
    assert_eq!(body["errors"][1]["declared"], "104");
    assert_eq!(body["errors"][1]["computed"], "103.5");
    let csv_body = refused(
        &other,
        &csv_of(&rows),
        "",
        &[
            (Some(7), None, Some("项目资金"), "total_row_mismatch"),
            (Some(7), None, Some("数量"), "total_row_mismatch"),
        ],
    );
    assert_eq!(csv_body["errors"][0]["computed"], "523,298.00");
}

/// Item 1: the CLI imports a workbook's chosen sheet, and names an unknown one.
fn the_cli_imports_a_chosen_sheet(app: &TestApp) {
    let folder = tempfile::tempdir().expect("temp dir");
    let path = folder.path().join("台账.data");
    std::fs::write(
        &path,
        xlsx(&[Sheet::new("封面", vec![vec![T("封面")]]), register_sheet()]),
    )
    .expect("write");
    let file = path.to_str().unwrap_or_default();
    let cli = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_asset-registry"))
            .arg("--database")
            .arg(&app.database.url)
            .args(args)
            .env_remove("DATABASE_URL")
            .output()
            .expect("run the binary")
    };
    let before = app.register_state();
    let unknown = cli(&["import", file, "--sheet", "台帐"]);
    assert_eq!(unknown.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&unknown.stdout);
    assert!(stdout.contains("“封面”、“台账”"), "{stdout}");
    assert_eq!(app.register_state(), before);
    let imported = cli(&["import", file, "--sheet", "台账"]);
    assert_eq!(
        imported.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&imported.stdout)
    );
    assert_eq!(app.register_state().assets, 3);
}

fn main() -> std::process::ExitCode {
    let scenarios: Vec<(&'static str, Scenario)> = vec![
        (
            "every_format_registers_the_same",
            every_format_registers_the_same,
        ),
        (
            "the_sheet_is_chosen_by_name_or_is_the_first_visible",
            the_sheet_is_chosen_by_name_or_is_the_first_visible,
        ),
        (
            "number_cells_are_read_exactly",
            number_cells_are_read_exactly,
        ),
        ("dates_and_formulas", dates_and_formulas),
        (
            "a_damaged_workbook_is_refused",
            a_damaged_workbook_is_refused,
        ),
        (
            "continuation_rows_and_merged_cells",
            continuation_rows_and_merged_cells,
        ),
        ("two_row_headers", two_row_headers),
        ("totals_rows_are_checked", totals_rows_are_checked),
        (
            "the_cli_imports_a_chosen_sheet",
            the_cli_imports_a_chosen_sheet,
        ),
    ];
    support::run(scenarios)
}
