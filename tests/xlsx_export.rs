//! Issue #14 item 6, each on SQLite and on PostgreSQL: the register exported as the
//! Excel 台账 (`GET /api/v1/assets.xlsx`, `export --format xlsx`) is laid out as a
//! finance bureau prints it, keeps to the caller's scope and the filters, and imports
//! back into an empty register to the same columns and totals, to the fen.

mod support;

use std::io::Cursor;

use asset_registry::auth::{self, Role};
use asset_registry::domain::dates::today_in_china;
use asset_registry::domain::Scope;
use asset_registry::export::HEADER;
use calamine::{Data, Reader, Xlsx};
use rocket::http::{ContentType, Header, Status};
use rust_decimal::Decimal;
use serde_json::Value;
use support::{Scenario, TestApp};

/// Rows the Xingping sample lacks: a department, a formula-like name, an ID number
/// ending in X, a long quantity and codes made of digits only.
const EXTRA: &str = "项目编号,项目名称,项目年度,镇街,村,项目资金(元),资金来源,行业主管部门,资产编号,资产名称,资产类别,数量,计量单位,资产价值(元),所有权人,所有权人类型,所有权人证件号,管护主体,确权日期,确权证书编号
20210001,'=HYPERLINK(\"x\")工程,2021,东城街道,王寨村,1234567.89,社会帮扶资金,农业农村局,0001234,'+86 光伏板,经营性,12.125,块,1000000.01,雷翠新,农户,61048119480529802X,王寨村村委会,2021-06-30,0001
20210001,'=HYPERLINK(\"x\")工程,2021,东城街道,王寨村,1234567.89,社会帮扶资金,农业农村局,0001235,逆变器,经营性,0.333333333333,台,234567.88,王寨村村民委员会,村集体,,,,
";

/// The register the tests export: the Xingping sample and [`EXTRA`].
fn seeded(app: &TestApp) {
    let reply = app.import_sample("xingping_2020.utf8.csv");
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    let reply = app.import(EXTRA.as_bytes(), false);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
}

/// The bytes of `GET path` with `token`, after checking it is an .xlsx download.
fn download(app: &TestApp, path: &str, token: &str) -> Vec<u8> {
    let response = app
        .client
        .get(path.to_owned())
        .header(Header::new("Authorization", format!("Bearer {token}")))
        .dispatch();
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(
        response.headers().get_one("Content-Type"),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    let disposition = response
        .headers()
        .get_one("Content-Disposition")
        .unwrap_or_default()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"assets.xlsx\""),
        "{disposition}"
    );
    response.into_bytes().unwrap_or_default()
}

/// The CSV export of `query` as the auditor sees it.
fn csv(app: &TestApp, query: &str) -> String {
    let reply = app.get(&format!("/api/v1/assets.csv?{query}"), Some(&app.auditor));
    assert_eq!(reply.status, Status::Ok, "{}", reply.body);
    reply.body.as_str().unwrap_or_default().to_owned()
}

/// Every total the API gives, by each grouping.
fn all_totals(app: &TestApp) -> Vec<Value> {
    ["class", "town", "village", "year"]
        .iter()
        .map(|group| app.totals(group))
        .collect()
}

/// A fresh, empty register on the same backend, with `bytes` imported; the import's
/// report.
fn imported_into_empty(app: &TestApp, bytes: &[u8]) -> (TestApp, Value) {
    let fresh = TestApp::new(app.backend, None);
    let reply = fresh.post(
        "/api/v1/imports?dry_run=false",
        Some(&fresh.clerk),
        bytes.to_vec(),
        ContentType::Binary,
    );
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    (fresh, reply.body)
}

/// A merged range: first row, first column, last row, last column; from 0.
type Merged = (u32, u32, u32, u32);

/// The sheet's cells and its merged ranges.
fn sheet_of(bytes: &[u8]) -> (calamine::Range<Data>, Vec<Merged>) {
    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("an .xlsx");
    assert_eq!(workbook.sheet_names(), vec!["台账".to_owned()]);
    let range = workbook.worksheet_range("台账").expect("the sheet");
    let merged = workbook
        .merge_cells_by_sheet_name("台账")
        .expect("merged cells")
        .into_iter()
        .map(|d| (d.start.0, d.start.1, d.end.0, d.end.1))
        .collect();
    (range, merged)
}

/// A number cell as the exact decimal its shortest form writes.
fn decimal(cell: &Data) -> Decimal {
    match cell {
        Data::Float(f) => f.to_string().parse().expect("decimal"),
        Data::Int(i) => Decimal::from(*i),
        other => panic!("not a number: {other:?}"),
    }
}

/// The register rows of the sheet (below the header, above 合计) and the 合计 row.
fn body_of(range: &calamine::Range<Data>) -> (Vec<Vec<Data>>, Vec<Data>) {
    let rows: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
    let (total, body) = rows.split_last().expect("rows");
    assert_eq!(total[0], Data::String("合计".to_owned()));
    (body[3..].to_vec(), total.clone())
}

/// What the 资产价值 cells of `rows` and their 项目资金 cells (each merged project
/// once: the first cell of a merge holds it, the others are empty) add up to.
fn sums(rows: &[Vec<Data>]) -> (Decimal, Decimal) {
    let column = |name: &str| HEADER.iter().position(|h| *h == name).expect("column");
    let (funds, value) = (column("项目资金(元)"), column("资产价值(元)"));
    let mut sums = (Decimal::ZERO, Decimal::ZERO);
    for row in rows {
        if row[funds] != Data::Empty {
            sums.0 += decimal(&row[funds]);
        }
        if row[value] != Data::Empty {
            sums.1 += decimal(&row[value]);
        }
    }
    sums
}

/// Export, then import into an empty register: every column and every total the same.
fn export_then_import_reproduces_the_register(app: &TestApp) {
    seeded(app);
    let bytes = download(app, "/api/v1/assets.xlsx", &app.auditor);
    let (fresh, report) = imported_into_empty(app, &bytes);
    assert_eq!(report["totals_checked"], Value::from(1), "{report}");
    assert_eq!(csv(&fresh, ""), csv(app, ""));
    assert_eq!(all_totals(&fresh), all_totals(app));
    fresh.assert_summary_consistent();
}

/// Title, unit and date, the header, merged project cells, typed cells and the 合计 row.
fn the_workbook_is_laid_out_as_a_bureau_prints_it(app: &TestApp) {
    seeded(app);
    let bytes = download(app, "/api/v1/assets.xlsx", &app.auditor);
    let (range, merged) = sheet_of(&bytes);
    let last = u32::try_from(HEADER.len() - 1).expect("columns");
    assert_eq!(range.start(), Some((0, 0)));
    let text = |row: u32, column: u32| range.get_value((row, column)).cloned();
    assert_eq!(
        text(0, 0),
        Some(Data::String("扶贫项目资产台账".to_owned()))
    );
    assert!(merged.contains(&(0, 0, 0, last)), "{merged:?}");
    assert_eq!(text(1, 0), Some(Data::String("单位：元".to_owned())));
    assert_eq!(
        text(1, last),
        Some(Data::String(format!("截至 {}", today_in_china())))
    );
    let header: Vec<Data> = (0..=last).filter_map(|c| text(2, c)).collect();
    let expected: Vec<Data> = HEADER
        .iter()
        .map(|h| Data::String((*h).to_owned()))
        .collect();
    assert_eq!(header, expected);
    let (rows, total) = body_of(&range);
    // XP2014-0001 has four assets: its eight project cells merge down four rows.
    let first = rows
        .iter()
        .position(|r| r[0] == Data::String("XP2014-0001".to_owned()))
        .and_then(|at| u32::try_from(at + 3).ok())
        .expect("XP2014-0001");
    for column in 0..15 {
        assert!(
            merged.contains(&(first, column, first + 3, column)),
            "{merged:?}"
        );
    }
    // Codes and ID numbers are text, amounts and the year numbers.
    let extra = rows
        .iter()
        .find(|r| r[15] == Data::String("0001234".to_owned()))
        .expect("the extra asset");
    assert_eq!(extra[0], Data::String("20210001".to_owned()));
    assert_eq!(extra[2], Data::Float(2021.0));
    assert_eq!(extra[5], Data::Float(1_234_567.89));
    assert_eq!(extra[20], Data::Float(1_000_000.01));
    assert_eq!(extra[23], Data::String("61048119480529802X".to_owned()));
    assert_eq!(extra[26], Data::String("0001".to_owned()));
    // The 合计 row is the sum of the rows, and the register's totals.
    let (funds, value) = sums(&rows);
    assert_eq!(decimal(&total[5]), funds);
    assert_eq!(decimal(&total[20]), value);
    let county = app.totals("class");
    let register_value: Decimal = county["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| {
            g["asset_value"]
                .as_str()
                .unwrap_or_default()
                .parse::<Decimal>()
                .expect("amount")
        })
        .sum();
    assert_eq!(value, register_value);
}

/// A clerk scoped to a village gets that village's rows only, and its 合计 is their sum;
/// a filter narrows the export as it narrows the CSV.
fn scope_and_filters_narrow_the_export(app: &TestApp) {
    seeded(app);
    let village = {
        let mut conn = app.db.conn().expect("connection");
        auth::create_token(
            &mut conn,
            "后韩村文书",
            Role::Clerk,
            &Scope::parse("village:西城街道/后韩村").expect("scope"),
        )
        .expect("token")
        .secret
    };
    let bytes = download(app, "/api/v1/assets.xlsx", &village);
    let (range, _) = sheet_of(&bytes);
    let (rows, total) = body_of(&range);
    assert!(!rows.is_empty());
    for row in &rows {
        // A merged project's cells below its first are empty; the first names the place.
        if row[0] != Data::Empty {
            assert_eq!(row[3], Data::String("西城街道".to_owned()), "{row:?}");
            assert_eq!(row[4], Data::String("后韩村".to_owned()), "{row:?}");
        }
    }
    let (funds, value) = sums(&rows);
    assert_eq!(decimal(&total[5]), funds);
    assert_eq!(decimal(&total[20]), value);
    let (fresh, _) = imported_into_empty(app, &bytes);
    assert_eq!(
        csv(&fresh, ""),
        csv(
            app,
            &format!(
                "town={}&village={}",
                support::encode("西城街道"),
                support::encode("后韩村")
            )
        )
    );
    let filtered = download(app, "/api/v1/assets.xlsx?class=household", &app.auditor);
    let (fresh, _) = imported_into_empty(app, &filtered);
    assert_eq!(csv(&fresh, ""), csv(app, "class=household"));
    let refused = app.get("/api/v1/assets.xlsx?class=foo", Some(&app.auditor));
    assert_eq!(refused.status, Status::BadRequest, "{}", refused.body);
    assert_eq!(refused.body["parameter"], Value::from("class"));
}

/// `export --format xlsx` writes the same register; an unknown format is named.
fn the_cli_exports_xlsx(app: &TestApp) {
    seeded(app);
    let folder = tempfile::tempdir().expect("temp dir");
    let path = folder.path().join("台账.xlsx");
    let cli = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_asset-registry"))
            .arg("--database")
            .arg(&app.database.url)
            .args(args)
            .env_remove("DATABASE_URL")
            .output()
            .expect("run the binary")
    };
    let unknown = cli(&["export", "--format", "xls"]);
    assert_eq!(unknown.status.code(), Some(2));
    let said = String::from_utf8_lossy(&unknown.stdout).to_string()
        + &String::from_utf8_lossy(&unknown.stderr);
    assert!(said.contains("未知格式“xls”：应为 csv 或 xlsx"), "{said}");
    let out = cli(&[
        "export",
        "--format",
        "xlsx",
        "--output",
        path.to_str().unwrap_or_default(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (fresh, _) = imported_into_empty(app, &std::fs::read(&path).expect("the file"));
    assert_eq!(csv(&fresh, ""), csv(app, ""));
    assert_eq!(all_totals(&fresh), all_totals(app));
}

fn main() -> std::process::ExitCode {
    let scenarios: Vec<(&'static str, Scenario)> = vec![
        (
            "export_then_import_reproduces_the_register",
            export_then_import_reproduces_the_register,
        ),
        (
            "the_workbook_is_laid_out_as_a_bureau_prints_it",
            the_workbook_is_laid_out_as_a_bureau_prints_it,
        ),
        (
            "scope_and_filters_narrow_the_export",
            scope_and_filters_narrow_the_export,
        ),
        ("the_cli_exports_xlsx", the_cli_exports_xlsx),
    ];
    support::run(scenarios)
}
