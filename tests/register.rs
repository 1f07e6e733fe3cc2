//! The register over HTTP, on SQLite and on PostgreSQL: imports of every shape and
//! every error, replay, conflicts, dry runs, totals, tokens and roles.

mod support;

use rocket::http::{ContentType, Status};
use serde_json::{json, Value};
use support::{gbk, sample, Scenario, TestApp};

const HEADER: &str = "项目编号,项目名称,项目年度,镇街,村,项目资金(万元),资金来源,资产编号,资产名称,资产类别,数量,计量单位,资产价值(万元),所有权人,所有权人类型,所有权人证件号,管护主体,确权日期,确权证书编号";

/// A valid asset row; `changes` replace cells by position.
fn row(changes: &[(usize, &str)]) -> String {
    let mut cells = vec![
        "P1",
        "王寨村饮水安全工程",
        "2019",
        "东城街道",
        "王寨村",
        "10",
        "中央财政专项扶贫资金",
        "P1-01",
        "水源井",
        "公益性",
        "1",
        "眼",
        "10",
        "王寨村村民委员会",
        "村集体",
        "",
        "王寨村村民委员会",
        "2020-03-05",
        "兴确字(2020)第1号",
    ];
    for (position, value) in changes {
        cells[*position] = value;
    }
    cells.join(",")
}

fn csv(rows: &[String]) -> Vec<u8> {
    let mut text = format!("{HEADER}\n");
    for row in rows {
        text.push_str(row);
        text.push('\n');
    }
    text.into_bytes()
}

fn has_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// Posts `bytes`, expects a rejection whose first error is at `line`/`column` with
/// `code`, and proves that the register did not change.
fn assert_rejected(
    app: &TestApp,
    bytes: &[u8],
    line: Option<u64>,
    column: Option<&str>,
    code: &str,
) -> Value {
    let before = app.register_state();
    let reply = app.import(bytes, false);
    assert_eq!(reply.status, Status::UnprocessableEntity, "{}", reply.body);
    assert_eq!(
        reply.content_type.as_deref(),
        Some("application/problem+json")
    );
    let body = reply.body;
    assert_eq!(body["status"], 422);
    assert_eq!(body["type"], "urn:asset-registry:problem:import_rejected");
    let first = &body["errors"][0];
    assert_eq!(
        (
            first["line"].as_u64(),
            first["column"].as_str(),
            first["code"].as_str()
        ),
        (line, column, Some(code)),
        "{body}"
    );
    let message = first["message"].as_str().unwrap_or_default();
    assert!(has_chinese(message), "message should be Chinese: {message}");
    assert!(body["error_count"].as_i64().unwrap_or(0) >= 1);
    assert_eq!(
        app.register_state(),
        before,
        "a rejected import must write nothing"
    );
    // The rejection is on record with its errors.
    let batch = &body["batch"];
    assert_eq!(batch["status"], "rejected");
    assert_eq!(batch["errors"][0]["code"], code);
    body
}

fn rejects_required_fields(app: &TestApp) {
    assert_rejected(
        app,
        &csv(&[row(&[(8, "")])]),
        Some(2),
        Some("资产名称"),
        "required",
    );
}

fn rejects_negative_amounts(app: &TestApp) {
    let body = assert_rejected(
        app,
        &csv(&[row(&[(12, "-5")])]),
        Some(2),
        Some("资产价值(万元)"),
        "negative_amount",
    );
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("负数"));
}

fn rejects_scientific_notation(app: &TestApp) {
    assert_rejected(
        app,
        &csv(&[row(&[(5, "1.2E+03")])]),
        Some(2),
        Some("项目资金(万元)"),
        "scientific_notation",
    );
}

fn rejects_too_many_decimals(app: &TestApp) {
    assert_rejected(
        app,
        &csv(&[row(&[(12, "1.1234567")])]),
        Some(2),
        Some("资产价值(万元)"),
        "too_many_decimals",
    );
}

fn rejects_invalid_numbers(app: &TestApp) {
    assert_rejected(
        app,
        &csv(&[row(&[(10, "一百")])]),
        Some(2),
        Some("数量"),
        "invalid_number",
    );
    assert_rejected(
        app,
        &csv(&[row(&[(5, "\"1,23.5\"")])]),
        Some(2),
        Some("项目资金(万元)"),
        "invalid_number",
    );
}

fn rejects_unknown_asset_classes(app: &TestApp) {
    assert_rejected(
        app,
        &csv(&[row(&[(9, "经营类")])]),
        Some(2),
        Some("资产类别"),
        "unknown_asset_class",
    );
}

fn rejects_unknown_owner_types(app: &TestApp) {
    assert_rejected(
        app,
        &csv(&[row(&[(14, "个人")])]),
        Some(2),
        Some("所有权人类型"),
        "unknown_owner_type",
    );
}

fn rejects_invalid_dates(app: &TestApp) {
    assert_rejected(
        app,
        &csv(&[row(&[(17, "2020-02-30")])]),
        Some(2),
        Some("确权日期"),
        "invalid_date",
    );
}

fn rejects_invalid_years(app: &TestApp) {
    assert_rejected(
        app,
        &csv(&[row(&[(2, "1999")])]),
        Some(2),
        Some("项目年度"),
        "invalid_year",
    );
}

fn rejects_invalid_id_numbers(app: &TestApp) {
    let body = assert_rejected(
        app,
        &csv(&[row(&[
            (9, "到户类"),
            (13, "张三"),
            (14, "农户"),
            (15, "110105194912310021"),
        ])]),
        Some(2),
        Some("所有权人证件号"),
        "invalid_id_number",
    );
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("校验位"));
}

fn rejects_duplicate_asset_codes(app: &TestApp) {
    let body = assert_rejected(
        app,
        &csv(&[row(&[]), row(&[])]),
        Some(3),
        Some("资产编号"),
        "duplicate_asset_code",
    );
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("第 2 行"));
}

fn rejects_project_conflicts(app: &TestApp) {
    assert_rejected(
        app,
        &csv(&[row(&[]), row(&[(1, "另一个名称"), (7, "P1-02")])]),
        Some(3),
        Some("项目名称"),
        "project_conflict",
    );
}

fn rejects_fields_over_1000_characters(app: &TestApp) {
    let long = "水".repeat(300_000);
    assert_rejected(
        app,
        &csv(&[row(&[(1, &long)])]),
        Some(2),
        Some("项目名称"),
        "field_too_long",
    );
}

fn rejects_ragged_rows(app: &TestApp) {
    assert_rejected(
        app,
        &csv(&[row(&[]), "P2,只有三列,2019".to_owned()]),
        Some(3),
        None,
        "bad_row_length",
    );
}

fn rejects_empty_files(app: &TestApp) {
    assert_rejected(app, b"", None, None, "empty_file");
    assert_rejected(
        app,
        format!("{HEADER}\n").as_bytes(),
        Some(1),
        None,
        "empty_file",
    );
}

fn rejects_files_without_header(app: &TestApp) {
    let text = "兴平市扶贫项目资产登记表\n编号,名称\nP1,水源井\n";
    assert_rejected(app, text.as_bytes(), None, None, "no_header");
}

fn rejects_missing_columns(app: &TestApp) {
    let header = HEADER.replace(",资产名称", "");
    let text = format!("{header}\nP1\n");
    assert_rejected(
        app,
        text.as_bytes(),
        Some(1),
        Some("资产名称"),
        "missing_column",
    );
}

fn rejects_ambiguous_units(app: &TestApp) {
    let header = HEADER.replace("项目资金(万元)", "项目资金");
    let text = format!("兴平市扶贫项目资产登记表\n{header}\n{}\n", row(&[]));
    assert_rejected(
        app,
        text.as_bytes(),
        Some(2),
        Some("项目资金"),
        "ambiguous_unit",
    );
}

fn rejects_undecodable_bytes(app: &TestApp) {
    let mut bytes = format!("{HEADER}\n{}\n", row(&[])).into_bytes();
    bytes.extend_from_slice(b"P2,\xFF\xFE\xFD,2019\n");
    assert_rejected(app, &bytes, Some(3), None, "undecodable");
}

fn reports_physical_lines_below_title_rows_and_multiline_records(app: &TestApp) {
    // Title and unit rows above the header, a quoted cell spanning two lines, then a bad row.
    let header = HEADER.replace("(万元)", "");
    let text = format!(
        "兴平市扶贫项目资产登记表\r\n单位：万元\r\n{header}\r\n{}\r\n{}\r\n",
        row(&[(1, "\"饮水工程\r\n(一期)\"")]),
        row(&[(7, "P1-02"), (12, "-1")])
    );
    assert_rejected(
        app,
        &gbk(&text),
        Some(6),
        Some("资产价值"),
        "negative_amount",
    );
}

fn line_numbers_stay_exact_far_down_a_file_with_blank_lines(app: &TestApp) {
    // A GBK file with CRLF line ends, a title row, blank lines and a multi-line cell,
    // with its error on line 31.
    let header = HEADER.replace("(万元)", "");
    let mut text = format!("兴平市扶贫项目资产登记表\r\n单位：万元\r\n{header}\r\n");
    let mut line = 3;
    for i in 0..20 {
        text.push_str(&row(&[(0, &format!("Q{i}")), (7, &format!("Q{i}-1"))]));
        text.push_str("\r\n");
        line += 1;
        if i % 5 == 0 {
            text.push_str("\r\n");
            line += 1;
        }
    }
    text.push_str(&row(&[(0, "M1"), (1, "\"多行\r\n名称\""), (7, "M1-1")]));
    text.push_str("\r\n");
    line += 2;
    text.push_str(",,,,,,,,,,,,,,,,,,\r\n");
    line += 1;
    text.push_str(&row(&[(0, "BAD"), (7, "BAD-1"), (9, "经营类")]));
    text.push_str("\r\n");
    line += 1;
    assert_eq!(line, 31);
    assert_rejected(
        app,
        &gbk(&text),
        Some(31),
        Some("资产类别"),
        "unknown_asset_class",
    );
}

fn lists_every_error_of_a_file(app: &TestApp) {
    let body = assert_rejected(
        app,
        &csv(&[
            row(&[(2, "1999")]),
            row(&[(7, "P1-02"), (9, "x")]),
            row(&[(7, "P1-03"), (17, "昨天")]),
        ]),
        Some(2),
        Some("项目年度"),
        "invalid_year",
    );
    let codes: Vec<&str> = body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["code"].as_str())
        .collect();
    assert_eq!(
        codes,
        ["invalid_year", "unknown_asset_class", "invalid_date"]
    );
    assert_eq!(body["error_count"], 3);
}

fn conflicts_with_the_register_name_field_and_both_values(app: &TestApp) {
    let first = app.import(&csv(&[row(&[])]), false);
    assert_eq!(first.status, Status::Created, "{}", first.body);
    let before = app.register_state();
    let changed = csv(&[row(&[(12, "12"), (5, "12")])]);
    let reply = app.import(&changed, false);
    assert_eq!(reply.status, Status::UnprocessableEntity);
    let errors = reply.body["errors"].as_array().cloned().unwrap_or_default();
    let summary: Vec<(Value, Value, Value, Value, Value)> = errors
        .iter()
        .map(|e| {
            (
                e["line"].clone(),
                e["column"].clone(),
                e["code"].clone(),
                e["registered_value"].clone(),
                e["file_value"].clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                json!(2),
                json!("项目资金(万元)"),
                json!("conflicts_with_register"),
                json!("100000.00 元"),
                json!("120000.00 元")
            ),
            (
                json!(2),
                json!("资产价值(万元)"),
                json!("conflicts_with_register"),
                json!("100000.00 元"),
                json!("120000.00 元")
            ),
        ]
    );
    assert_eq!(app.register_state(), before);
    // The rejected batch keeps both values.
    let id = reply.body["batch"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let stored = app.get(&format!("/api/v1/imports/{id}"), Some(&app.reader));
    assert_eq!(stored.body["errors"], reply.body["errors"]);
    app.assert_summary_consistent();
}

fn unchanged_rows_are_counted_not_rewritten(app: &TestApp) {
    assert_eq!(app.import(&csv(&[row(&[])]), false).status, Status::Created);
    let before = app.register_state();
    // Same register, other bytes (an extra blank line): nothing new, nothing rejected.
    let mut bytes = csv(&[row(&[])]);
    bytes.extend_from_slice(b",,,,,,,,,,,,,,,,,,\n");
    let reply = app.import(&bytes, false);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    assert_eq!(
        (
            &reply.body["projects_created"],
            &reply.body["assets_created"],
            &reply.body["rows_unchanged"]
        ),
        (&json!(0), &json!(0), &json!(1))
    );
    assert_eq!(app.register_state(), before);
    app.assert_summary_consistent();
}

fn dry_runs_report_and_write_nothing(app: &TestApp) {
    let before = app.register_state();
    let bytes = std::fs::read(sample("xingping_2020.gbk.csv")).expect("sample");
    let reply = app.import(&bytes, true);
    assert_eq!(reply.status, Status::Ok, "{}", reply.body);
    assert_eq!(reply.body["status"], "dry_run");
    assert_eq!(reply.body["id"], Value::Null);
    assert_eq!(reply.body["projects_created"], 3219);
    assert_eq!(app.register_state(), before);
    let committed = app.import(&bytes, false);
    assert_eq!(committed.status, Status::Created);
    assert_eq!(
        (
            &committed.body["projects_created"],
            &committed.body["assets_created"]
        ),
        (
            &reply.body["projects_created"],
            &reply.body["assets_created"]
        )
    );
}

fn replay_returns_the_original_batch(app: &TestApp) {
    let first = app.import_sample("xingping_2020.gbk.csv");
    assert_eq!(first.status, Status::Created, "{}", first.body);
    assert_eq!(first.body["replayed"], false);
    let state = app.register_state();
    let again = app.import_sample("xingping_2020.gbk.csv");
    assert_eq!(again.status, Status::Ok);
    assert_eq!(again.body["replayed"], true);
    assert_eq!(again.body["id"], first.body["id"]);
    assert_eq!(again.body["sha256"], first.body["sha256"]);
    assert_eq!(app.register_state(), state);
    app.assert_summary_consistent();
}

/// Two imports of the same bytes both find no committed batch, then wait for the chain
/// lock: the first to take it commits; the other finds that batch under the lock and
/// answers it as a replay, writing nothing.
fn an_import_committed_elsewhere_meanwhile_is_replayed(app: &TestApp) {
    use asset_registry::import::{import_file, ImportOutcome, ImportRequest, Unwatched};
    use diesel::Connection;
    let folder = tempfile::tempdir().expect("temp dir");
    let path = folder.path().join("same.csv");
    std::fs::write(&path, csv(&[row(&[])])).expect("import file");
    let db = app.db.clone();
    let import = || {
        let mut conn = db.conn().expect("connection");
        let request = ImportRequest {
            path: &path,
            filename: None,
            actor: "race".to_owned(),
            dry_run: false,
            scope: asset_registry::domain::Scope::County,
            sheet: None,
        };
        import_file(&mut conn, &request, &mut Unwatched).expect("import")
    };
    let outcomes: Vec<ImportOutcome> = std::thread::scope(|scope| {
        let mut holder = app.db.conn().expect("connection");
        let mut importing = Vec::new();
        holder
            .transaction::<_, diesel::result::Error, _>(|conn| {
                asset_registry::ledger::lock_head(conn)?;
                importing = (0..2).map(|_| scope.spawn(import)).collect();
                // Long enough for both to find no committed batch and wait for the lock.
                std::thread::sleep(std::time::Duration::from_millis(500));
                Ok(())
            })
            .expect("hold the chain lock");
        importing
            .into_iter()
            .map(|thread| thread.join().expect("import thread"))
            .collect()
    });
    let (mut committed, mut replayed) = (Vec::new(), Vec::new());
    for outcome in outcomes {
        match outcome {
            ImportOutcome::Committed(report) => committed.push(report),
            ImportOutcome::Replayed(report) => replayed.push(report),
            other => panic!("neither committed nor replayed: {other:?}"),
        }
    }
    assert_eq!((committed.len(), replayed.len()), (1, 1));
    assert!(committed[0].id.is_some());
    assert_eq!(replayed[0].id, committed[0].id);
    assert!(replayed[0].replayed);
    let batches = app.get("/api/v1/imports", Some(&app.reader));
    assert_eq!(batches.body["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(app.totals("class")["total"]["assets"], json!(1));
    app.assert_summary_consistent();
}

/// The declared figures of the sample, read from `imports/`.
fn declared() -> Value {
    let text =
        std::fs::read_to_string(sample("xingping_2020.declared.json")).expect("declared figures");
    serde_json::from_str(&text).expect("declared JSON")
}

fn declared_line(scope: &str) -> (i64, String) {
    let declared = declared();
    let line = declared["lines"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|l| l["scope"] == scope)
        .cloned()
        .unwrap_or(Value::Null);
    (
        line["projects"].as_i64().unwrap_or(-1),
        line["amount"].as_str().unwrap_or_default().to_owned(),
    )
}

fn fen(amount: &str) -> i64 {
    let (yuan, cents) = amount.split_once('.').expect("two decimals");
    yuan.parse::<i64>().expect("yuan") * 100 + cents.parse::<i64>().expect("fen")
}

fn assert_sample_totals(totals: &Value) {
    let (projects, amount) = declared_line("total");
    assert_eq!(totals["total"]["projects"].as_i64(), Some(projects));
    assert_eq!(totals["total"]["funds"].as_str(), Some(amount.as_str()));
    let mut classified_projects = 0;
    let mut classified_fen = 0;
    for class in ["operating", "public_welfare", "household"] {
        let (projects, amount) = declared_line(&format!("class:{class}"));
        let group = totals["groups"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|g| g["key"] == class)
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            (group["projects"].as_i64(), group["asset_value"].as_str()),
            (Some(projects), Some(amount.as_str())),
            "{class}"
        );
        classified_projects += projects;
        classified_fen += fen(&amount);
    }
    // What formed no classified asset explains the gap between the total and the classes.
    let none = totals["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|g| g["key"] == "none")
        .cloned()
        .unwrap_or_default();
    let total_fen = fen(&amount);
    let gap = total_fen - classified_fen;
    assert_eq!(
        none["projects"].as_i64(),
        Some(projects - classified_projects)
    );
    assert_eq!(
        none["funds"].as_str(),
        Some(format!("{}.{:02}", gap / 100, gap % 100).as_str())
    );
    assert_eq!(none["projects"], 2059);
    assert_eq!(none["funds"], "134109000.00");
}

fn the_gbk_sample_reproduces_the_declared_figures(app: &TestApp) {
    let reply = app.import_sample("xingping_2020.gbk.csv");
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    assert_eq!(reply.body["encoding"], "gb18030");
    assert_sample_totals(&app.totals("class"));
}

fn the_utf8_sample_reproduces_the_same_figures(app: &TestApp) {
    let reply = app.import_sample("xingping_2020.utf8.csv");
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    assert_eq!(reply.body["encoding"], "utf-8");
    let utf8_totals = app.totals("class");
    assert_sample_totals(&utf8_totals);
    // The GBK file holds the same register: every row is unchanged.
    let gbk = app.import_sample("xingping_2020.gbk.csv");
    assert_eq!(gbk.status, Status::Created, "{}", gbk.body);
    assert_eq!(
        (
            gbk.body["assets_created"].as_i64(),
            gbk.body["rows_unchanged"].as_i64()
        ),
        (Some(0), gbk.body["data_rows"].as_i64())
    );
    assert_eq!(app.totals("class"), utf8_totals);
    app.assert_summary_consistent();
}

fn utf8_with_bom_and_english_headers_import(app: &TestApp) {
    let header = "project_code,project_name,project_year,town,village,project_funds_yuan,asset_code,asset_name,asset_class,asset_value_yuan,owner,owner_type,owner_id_number";
    let text = format!("\u{feff}{header}\r\nE1,Road,2020,东城街道,,\"1,000.50\",E1-1,路,public_welfare,1000.50,村委会,village_collective,\r\nE2,培训,2020,桑镇,,200,,,,,,,\r\n");
    let reply = app.import(text.as_bytes(), false);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    assert_eq!(reply.body["encoding"], "utf-8-bom");
    let totals = app.totals("class");
    assert_eq!(
        totals["total"],
        json!({"projects": 2, "assets": 1, "funds": "1200.50", "asset_value": "1000.50"})
    );
}

fn unknown_columns_are_listed_as_warnings(app: &TestApp) {
    // (备注 is a column of the fuller 台账 since issue #14 item 5.)
    let text = format!("{HEADER},说明\n{},随便写\n", row(&[]));
    let reply = app.import(text.as_bytes(), false);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    assert_eq!(reply.body["warnings"][0]["column"], "说明");
    assert_eq!(reply.body["warnings"][0]["code"], "unknown_column");
}

fn totals_group_by_town_village_and_year(app: &TestApp) {
    let text = csv(&[
        row(&[]),
        row(&[
            (0, "P2"),
            (2, "2020"),
            (3, "桑镇"),
            (4, "东村"),
            (5, "5"),
            (7, "P2-01"),
            (12, "5"),
        ]),
        row(&[
            (0, "P3"),
            (2, "2020"),
            (3, "桑镇"),
            (4, ""),
            (5, "0.5"),
            (7, ""),
            (8, ""),
            (9, ""),
            (10, ""),
            (11, ""),
            (12, ""),
            (13, ""),
            (14, ""),
            (16, ""),
            (17, ""),
            (18, ""),
        ]),
    ]);
    assert_eq!(app.import(&text, false).status, Status::Created);
    let by_town = app.totals("town");
    assert_eq!(
        by_town["groups"],
        json!([
            {"key": "东城街道", "projects": 1, "assets": 1, "funds": "100000.00", "asset_value": "100000.00"},
            {"key": "桑镇", "projects": 2, "assets": 1, "funds": "55000.00", "asset_value": "50000.00"},
        ])
    );
    let by_village = app.totals("village");
    let keys: Vec<&str> = by_village["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|g| g["key"].as_str())
        .collect();
    assert_eq!(keys, ["东城街道/王寨村", "桑镇/", "桑镇/东村"]);
    let by_year = app.totals("year");
    assert_eq!(
        by_year["groups"][1],
        json!({"key": "2020", "projects": 2, "assets": 1, "funds": "55000.00", "asset_value": "50000.00"})
    );
    assert_eq!(
        by_year["total"],
        json!({"projects": 3, "assets": 2, "funds": "155000.00", "asset_value": "150000.00"})
    );
    let bad = app.get("/api/v1/totals?group_by=owner", Some(&app.reader));
    assert_eq!(bad.status, Status::BadRequest);
    assert_eq!(bad.body["parameter"], "group_by");
    app.assert_summary_consistent();
}

fn health_names_the_backend(app: &TestApp) {
    let reply = app.get("/api/v1/health", None);
    assert_eq!(reply.status, Status::Ok);
    assert_eq!(reply.body["status"], "ok");
    assert_eq!(reply.body["database"], app.backend.name());
    assert_eq!(reply.body["version"], env!("CARGO_PKG_VERSION"));
}

fn tokens_and_roles_guard_every_write(app: &TestApp) {
    let none = app.get("/api/v1/totals", None);
    assert_eq!(
        (none.status, none.content_type.as_deref()),
        (Status::Unauthorized, Some("application/problem+json"))
    );
    assert_eq!(
        app.get("/api/v1/totals", Some("ar_not_a_token")).status,
        Status::Unauthorized
    );
    let before = app.register_state();
    let by_reader = app.post(
        "/api/v1/imports",
        Some(&app.reader),
        csv(&[row(&[])]),
        ContentType::CSV,
    );
    assert_eq!(by_reader.status, Status::Forbidden);
    let by_auditor = app.post(
        "/api/v1/imports",
        Some(&app.auditor),
        csv(&[row(&[])]),
        ContentType::CSV,
    );
    assert_eq!(by_auditor.status, Status::Forbidden);
    assert_eq!(app.register_state(), before);

    let created = app.post(
        "/api/v1/tokens",
        Some(&app.admin),
        br#"{"name": "other bureau", "role": "reader"}"#.to_vec(),
        ContentType::JSON,
    );
    assert_eq!(created.status, Status::Created, "{}", created.body);
    let token = created.body["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(app.get("/api/v1/totals", Some(&token)).status, Status::Ok);
    let clerk_creates = app.post(
        "/api/v1/tokens",
        Some(&app.clerk),
        br#"{"name": "x", "role": "admin"}"#.to_vec(),
        ContentType::JSON,
    );
    assert_eq!(clerk_creates.status, Status::Forbidden);
    let id = created.body["id"].as_str().unwrap_or_default();
    assert_eq!(
        app.delete(&format!("/api/v1/tokens/{id}"), Some(&app.admin))
            .status,
        Status::NoContent
    );
    assert_eq!(
        app.get("/api/v1/totals", Some(&token)).status,
        Status::Unauthorized
    );
    let bad_role = app.post(
        "/api/v1/tokens",
        Some(&app.admin),
        br#"{"name": "x", "role": "boss"}"#.to_vec(),
        ContentType::JSON,
    );
    assert_eq!(bad_role.status, Status::UnprocessableEntity);
}

fn unknown_routes_and_bad_parameters_are_problems(app: &TestApp) {
    let missing = app.get("/api/v1/nothing", Some(&app.reader));
    assert_eq!(
        (missing.status, missing.content_type.as_deref()),
        (Status::NotFound, Some("application/problem+json"))
    );
    let bad_flag = app.post(
        "/api/v1/imports?dry_run=maybe",
        Some(&app.clerk),
        csv(&[row(&[])]),
        ContentType::CSV,
    );
    assert_eq!(bad_flag.status, Status::BadRequest);
    assert_eq!(bad_flag.body["parameter"], "dry_run");
}

fn bodies_over_the_upload_limit_are_refused_with_413(app: &TestApp) {
    // A second app on the same database, with a 1 KiB import limit.
    let figment = rocket::Config::figment()
        .merge(("log_level", "off"))
        .merge(("limits.import", 1024));
    let small = rocket::local::blocking::Client::tracked(asset_registry::server::rocket(
        app.db.clone(),
        figment,
    ))
    .expect("rocket");
    let before = app.register_state();
    let rows: Vec<String> = (0..40)
        .map(|i| row(&[(0, &format!("P{i}")), (7, &format!("P{i}-01"))]))
        .collect();
    let body = csv(&rows);
    assert!(body.len() > 1024);
    let response = small
        .post("/api/v1/imports")
        .header(rocket::http::Header::new(
            "Authorization",
            format!("Bearer {}", app.clerk),
        ))
        .body(body)
        .dispatch();
    assert_eq!(response.status(), Status::PayloadTooLarge);
    assert_eq!(
        response.content_type().map(|c| c.to_string()).as_deref(),
        Some("application/problem+json")
    );
    assert_eq!(app.register_state(), before);
}

fn every_import_entry_is_chained(app: &TestApp) {
    assert_eq!(
        app.import_sample("xingping_2020.gbk.csv").status,
        Status::Created
    );
    use asset_registry::db::schema::ledger_entries;
    use diesel::prelude::*;
    let mut conn = app.db.conn().expect("connection");
    let rows: Vec<asset_registry::ledger::EntryRow> = ledger_entries::table
        .order(ledger_entries::seq)
        .select(asset_registry::ledger::EntryRow::as_select())
        .load(&mut *conn)
        .expect("entries");
    assert_eq!(rows.len() as i64, app.register_state().assets);
    let mut prev = asset_registry::ledger::GENESIS_HASH.to_owned();
    for (i, entry) in rows.iter().enumerate() {
        assert_eq!(entry.seq, i as i64 + 1);
        assert_eq!(entry.kind, "registered");
        assert!(entry.batch_id.is_some());
        assert_eq!(entry.prev_hash, prev);
        assert_eq!(
            asset_registry::ledger::entry_hash(entry).as_ref(),
            Ok(&entry.hash)
        );
        prev = entry.hash.clone();
    }
    assert_eq!(app.register_state().head, prev);
}

fn sqlite_and_postgres_give_identical_totals(app: &TestApp) {
    // Runs once per backend; on the SQLite pass it also builds a PostgreSQL app (when one
    // is reachable) and compares every grouping to the fen.
    if app.backend != asset_registry::db::Backend::Sqlite {
        return;
    }
    if diesel::Connection::establish(&support::postgres_admin_url())
        .map(|_: diesel::PgConnection| ())
        .is_err()
    {
        assert!(
            std::env::var("CI").is_err(),
            "PostgreSQL is required under CI"
        );
        return;
    }
    let pg = TestApp::new(asset_registry::db::Backend::Postgres, None);
    for target in [app, &pg] {
        assert_eq!(
            target.import_sample("xingping_2020.gbk.csv").status,
            Status::Created
        );
    }
    for group_by in ["class", "town", "village", "year"] {
        assert_eq!(
            app.totals(group_by),
            pg.totals(group_by),
            "group_by={group_by}"
        );
    }
}

fn cli(app: &TestApp, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_asset-registry"))
        .arg("--database")
        .arg(&app.database.url)
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run the binary")
}

fn cli_import_prints_rejected_rows_and_exits_non_zero(app: &TestApp) {
    let folder = tempfile::tempdir().expect("temp dir");
    let bad = folder.path().join("bad.csv");
    std::fs::write(
        &bad,
        csv(&[row(&[(12, "1.2E+03")]), row(&[(7, "P1-02"), (9, "x")])]),
    )
    .expect("write");
    let before = app.register_state();
    let output = cli(app, &["import", bad.to_str().unwrap_or_default()]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("导入被拒绝：共 2 处错误"), "{stdout}");
    assert!(lines[1].starts_with("行"), "{stdout}");
    assert!(
        lines[2].starts_with("2 ")
            && lines[2].contains("资产价值(万元)")
            && lines[2].contains("科学计数法（数字已丢失）"),
        "{stdout}"
    );
    assert!(
        lines[3].starts_with("3 ")
            && lines[3].contains("资产类别")
            && lines[3].contains("资产类别无法识别"),
        "{stdout}"
    );
    assert_eq!(app.register_state(), before);
    // A folder or a missing file: said as it is, exit 2, nothing written.
    let folder_path = folder.path().to_str().unwrap_or_default().to_owned();
    let missing = folder.path().join("无此文件.csv");
    let missing = missing.to_str().unwrap_or_default().to_owned();
    for (path, message) in [
        (
            folder_path.clone(),
            format!("错误：{folder_path} 是文件夹，不是文件：请给出要导入的 CSV 或 Excel 文件\n"),
        ),
        (missing.clone(), format!("错误：找不到文件 {missing}\n")),
    ] {
        let output = cli(app, &["import", &path]);
        assert_eq!(output.status.code(), Some(2), "{path}");
        assert!(output.stdout.is_empty(), "{path}");
        assert_eq!(String::from_utf8_lossy(&output.stderr), message);
    }
    assert_eq!(app.register_state(), before);
}

fn cli_import_dry_run_then_commit(app: &TestApp) {
    let sample_path = sample("xingping_2020.gbk.csv");
    let path = sample_path.to_str().unwrap_or_default();
    let before = app.register_state();
    let dry = cli(app, &["import", path, "--dry-run"]);
    assert_eq!(
        dry.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    let dry_out = String::from_utf8_lossy(&dry.stdout);
    assert!(
        dry_out.contains("试导入") && dry_out.contains("新增项目     3219"),
        "{dry_out}"
    );
    assert_eq!(app.register_state(), before);
    let commit = cli(app, &["import", path]);
    assert_eq!(commit.status.code(), Some(0));
    assert_sample_totals(&app.totals("class"));
}

fn cli_token_create_prints_the_token_alone(app: &TestApp) {
    let output = cli(
        app,
        &[
            "token",
            "create",
            "--role",
            "auditor",
            "--name",
            "审计局 王审计",
        ],
    );
    assert_eq!(output.status.code(), Some(0));
    let token = String::from_utf8_lossy(&output.stdout).to_string();
    assert_eq!(token.lines().count(), 1);
    let token = token.trim();
    assert!(token.starts_with("ar_") && token.len() == 67, "{token}");
    assert_eq!(app.get("/api/v1/totals", Some(token)).status, Status::Ok);
    let refused = app.post(
        "/api/v1/imports",
        Some(token),
        csv(&[row(&[])]),
        ContentType::CSV,
    );
    assert_eq!(refused.status, Status::Forbidden);
    let bad_role = cli(app, &["token", "create", "--role", "boss", "--name", "x"]);
    assert_eq!(bad_role.status.code(), Some(2));
    assert!(bad_role.stdout.is_empty());
    // The name is the person every entry and approval names: the command holds it to
    // the rule the API does, and creates nothing otherwise.
    let tokens = app.count_rows("access_tokens");
    let long = "长".repeat(101);
    for (name, message) in [
        (
            "  ",
            "令牌名称（name）不能为空：它是记录、提议和审批上署的人名",
        ),
        ("张\u{1}会计", "令牌名称（name）不能含有控制字符"),
        (
            "计会\u{202e}张",
            "令牌名称（name）不能含有不可见字符或双向控制符（U+202E）",
        ),
        (
            long.as_str(),
            "令牌名称（name）不能超过 100 个字符，此处为 101 个",
        ),
    ] {
        let refused = cli(app, &["token", "create", "--role", "clerk", "--name", name]);
        assert_eq!(refused.status.code(), Some(2), "{name}");
        assert!(refused.stdout.is_empty(), "{name}");
        assert_eq!(
            String::from_utf8_lossy(&refused.stderr),
            format!("错误：{message}\n")
        );
        let api = app.post(
            "/api/v1/tokens",
            Some(&app.admin),
            serde_json::json!({"role": "clerk", "name": name})
                .to_string()
                .into_bytes(),
            ContentType::JSON,
        );
        assert_eq!(api.status, Status::UnprocessableEntity, "{}", api.body);
        let mut body = api.body.clone();
        if let Some(object) = body.as_object_mut() {
            object.remove("instance");
        }
        assert_eq!(
            body,
            serde_json::json!({
                "type": "urn:asset-registry:problem:invalid_token_request",
                "title": "请求内容无效",
                "status": 422,
                "detail": message,
                "errors": [{"field": "name", "code": "invalid_value", "message": message}],
            })
        );
    }
    assert_eq!(app.count_rows("access_tokens"), tokens, "no token created");
}

/// The indexes of the database, by name, with their definitions.
fn index_definitions(app: &TestApp) -> Vec<(String, String)> {
    use asset_registry::db::DbConnection;
    use diesel::prelude::*;
    use diesel::sql_types::Text;
    #[derive(QueryableByName)]
    struct Index {
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Text)]
        definition: String,
    }
    let mut conn = app.db.conn().expect("connection");
    let query = match &*conn {
        DbConnection::Sqlite(_) => {
            "SELECT name, COALESCE(sql, '') AS definition FROM sqlite_schema \
             WHERE type = 'index' ORDER BY name"
        }
        DbConnection::Postgres(_) => {
            "SELECT indexname AS name, indexdef AS definition FROM pg_indexes \
             WHERE schemaname = 'public' ORDER BY indexname"
        }
    };
    diesel::sql_query(query)
        .load::<Index>(&mut *conn)
        .expect("indexes")
        .into_iter()
        .map(|index| (index.name, index.definition))
        .collect()
}

fn bulk_imports_rebuild_every_index_and_roll_back_whole(app: &TestApp) {
    use asset_registry::import::bulk;
    let before = index_definitions(app);
    let owners = ["王寨村村民委员会", "李庄村村民委员会", "张楼村村民委员会"];
    let mut rows = Vec::new();
    let mut bytes = 0;
    while !bulk::is_bulk(bytes, 0) {
        let n = rows.len();
        let project = format!("P{}", n / 3);
        let code = format!("P{}-{:02}", n / 3, n % 3);
        let owner = owners[n % 3];
        let line = row(&[(0, &project), (7, &code), (13, owner), (16, owner)]);
        bytes += line.len() as u64 + 1;
        rows.push(line);
    }
    let count = rows.len();

    // A bulk load whose last row is wrong writes nothing and leaves every index.
    let state = app.register_state();
    let mut wrong = rows.clone();
    wrong.push(row(&[(0, "PX"), (7, "PX-01"), (12, "-1")]));
    let reply = app.import(&csv(&wrong), false);
    assert_eq!(reply.status, Status::UnprocessableEntity, "{}", reply.body);
    assert_eq!(reply.body["errors"][0]["line"], json!(count + 2));
    assert_eq!(app.register_state(), state);
    assert_eq!(index_definitions(app), before);

    let reply = app.import(&csv(&rows), false);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    assert_eq!(reply.body["assets_created"], json!(count));
    assert_eq!(index_definitions(app), before, "the same indexes, rebuilt");
    if app.backend == asset_registry::db::Backend::Sqlite {
        use diesel::prelude::*;
        use diesel::sql_types::Text;
        #[derive(QueryableByName)]
        struct Check {
            #[diesel(sql_type = Text)]
            integrity_check: String,
        }
        let mut conn = app.db.conn().expect("connection");
        // Checks every index against its table, entry by entry.
        let check: Vec<Check> = diesel::sql_query("PRAGMA integrity_check")
            .load(&mut *conn)
            .expect("integrity check");
        let results: Vec<&str> = check.iter().map(|c| c.integrity_check.as_str()).collect();
        assert_eq!(results, ["ok"]);
    } else {
        use diesel::prelude::*;
        use diesel::sql_types::BigInt;
        #[derive(QueryableByName)]
        struct Estimate {
            #[diesel(sql_type = BigInt)]
            rows: i64,
        }
        let mut conn = app.db.conn().expect("connection");
        // The load analysed the tables it wrote to before reading them back, and its
        // statistics committed with it: the planner counts every asset and entry.
        for table in ["projects", "assets", "ledger_entries"] {
            let estimate: Estimate = diesel::sql_query(format!(
                "SELECT CAST(reltuples AS BIGINT) AS rows FROM pg_class WHERE relname = '{table}'"
            ))
            .get_result(&mut *conn)
            .expect("estimate");
            assert_eq!(estimate.rows, app.count_rows(table), "{table}");
        }
    }
    // The rebuilt owner index answers: a third of the assets belong to each village.
    let owned = app.get(
        &format!(
            "/api/v1/assets?owner={}&limit=1",
            support::encode(owners[1])
        ),
        Some(&app.auditor),
    );
    assert_eq!(owned.status, Status::Ok, "{}", owned.body);
    assert_eq!(owned.body["items"][0]["owner"]["name"], json!(owners[1]));
    let by_owner = app.totals("town");
    assert_eq!(by_owner["groups"][0]["assets"], json!(count));
    app.assert_summary_consistent();
}

fn a_write_failing_mid_import_rolls_back_whole(app: &TestApp) {
    use asset_registry::db::DbConnection;
    use diesel::connection::SimpleConnection;
    let rows: Vec<String> = (0..3000)
        .map(|n| {
            let project = format!("P{}", n / 3);
            let code = format!("P{}-{:02}", n / 3, n % 3);
            row(&[(0, &project), (7, &code)])
        })
        .collect();
    // The database refuses the last ledger entry, in the last chunk, after the others
    // were written: on the writing thread, after the reading ones have finished.
    let failing = "P999-02";
    {
        let mut conn = app.db.conn().expect("connection");
        let sql = match &*conn {
            DbConnection::Sqlite(_) => format!(
                "CREATE TRIGGER test_fail BEFORE INSERT ON ledger_entries \
                 WHEN NEW.asset_code = '{failing}' BEGIN SELECT RAISE(ABORT, 'injected'); END;"
            ),
            DbConnection::Postgres(_) => format!(
                "CREATE FUNCTION test_fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                 IF NEW.asset_code = '{failing}' THEN RAISE EXCEPTION 'injected'; END IF; \
                 RETURN NEW; END $$; \
                 CREATE TRIGGER test_fail BEFORE INSERT ON ledger_entries \
                 FOR EACH ROW EXECUTE FUNCTION test_fail();"
            ),
        };
        conn.batch_execute(&sql).expect("failure trigger");
    }
    let state = app.register_state();
    let reply = app.import(&csv(&rows), false);
    assert_eq!(reply.status, Status::InternalServerError, "{}", reply.body);
    assert_eq!(
        app.register_state(),
        state,
        "nothing of the failed import stays"
    );
    app.assert_summary_consistent();

    app.db
        .conn()
        .expect("connection")
        .batch_execute("DROP TRIGGER test_fail ON ledger_entries")
        .or_else(|_| {
            app.db
                .conn()
                .expect("connection")
                .batch_execute("DROP TRIGGER test_fail")
        })
        .expect("drop the failure trigger");
    let reply = app.import(&csv(&rows), false);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    assert_eq!(reply.body["assets_created"], json!(3000));
    app.assert_summary_consistent();
}

fn main() -> std::process::ExitCode {
    let scenarios: Vec<(&'static str, Scenario)> = vec![
        ("rejects::required", rejects_required_fields),
        ("rejects::negative_amount", rejects_negative_amounts),
        ("rejects::scientific_notation", rejects_scientific_notation),
        ("rejects::too_many_decimals", rejects_too_many_decimals),
        ("rejects::invalid_number", rejects_invalid_numbers),
        (
            "rejects::unknown_asset_class",
            rejects_unknown_asset_classes,
        ),
        ("rejects::unknown_owner_type", rejects_unknown_owner_types),
        ("rejects::invalid_date", rejects_invalid_dates),
        ("rejects::invalid_year", rejects_invalid_years),
        ("rejects::invalid_id_number", rejects_invalid_id_numbers),
        (
            "rejects::duplicate_asset_code",
            rejects_duplicate_asset_codes,
        ),
        ("rejects::project_conflict", rejects_project_conflicts),
        (
            "rejects::field_too_long",
            rejects_fields_over_1000_characters,
        ),
        ("rejects::bad_row_length", rejects_ragged_rows),
        ("rejects::empty_file", rejects_empty_files),
        ("rejects::no_header", rejects_files_without_header),
        ("rejects::missing_column", rejects_missing_columns),
        ("rejects::ambiguous_unit", rejects_ambiguous_units),
        ("rejects::undecodable", rejects_undecodable_bytes),
        (
            "rejects::conflicts_with_register",
            conflicts_with_the_register_name_field_and_both_values,
        ),
        (
            "rejects::physical_lines",
            reports_physical_lines_below_title_rows_and_multiline_records,
        ),
        ("rejects::every_error_listed", lists_every_error_of_a_file),
        (
            "rejects::lines_far_down",
            line_numbers_stay_exact_far_down_a_file_with_blank_lines,
        ),
        (
            "rejects::payload_too_large",
            bodies_over_the_upload_limit_are_refused_with_413,
        ),
        (
            "import::unchanged_rows",
            unchanged_rows_are_counted_not_rewritten,
        ),
        ("import::dry_run", dry_runs_report_and_write_nothing),
        ("import::replay", replay_returns_the_original_batch),
        (
            "import::replay_race",
            an_import_committed_elsewhere_meanwhile_is_replayed,
        ),
        (
            "import::gbk_sample_totals",
            the_gbk_sample_reproduces_the_declared_figures,
        ),
        (
            "import::utf8_sample_totals",
            the_utf8_sample_reproduces_the_same_figures,
        ),
        (
            "import::utf8_bom_english",
            utf8_with_bom_and_english_headers_import,
        ),
        ("import::warnings", unknown_columns_are_listed_as_warnings),
        ("import::ledger_chain", every_import_entry_is_chained),
        (
            "import::bulk_load",
            bulk_imports_rebuild_every_index_and_roll_back_whole,
        ),
        (
            "import::write_failure",
            a_write_failing_mid_import_rolls_back_whole,
        ),
        ("totals::groupings", totals_group_by_town_village_and_year),
        (
            "totals::identical_on_both_backends",
            sqlite_and_postgres_give_identical_totals,
        ),
        ("api::health", health_names_the_backend),
        (
            "cli::import_rejected",
            cli_import_prints_rejected_rows_and_exits_non_zero,
        ),
        (
            "cli::import_dry_run_then_commit",
            cli_import_dry_run_then_commit,
        ),
        ("cli::token_create", cli_token_create_prints_the_token_alone),
        ("api::tokens_and_roles", tokens_and_roles_guard_every_write),
        (
            "api::problems",
            unknown_routes_and_bad_parameters_are_problems,
        ),
    ];
    support::run(scenarios)
}
