//! Issue #14 item 5, each on SQLite and on PostgreSQL: the fuller 台账 columns
//! (行业主管部门, the seven funding channels, 资产形态, 受益户数/人数, 管护责任人 and
//! 联系电话, 移交日期 and 接收单位, 经营方式 and 经营主体, 资产状态, 建成日期, 坐落位置,
//! 备注) are stored, shown on the API and the pages (the phone masked for readers), in
//! the change feed, filterable, grouped in the totals, exported and imported back; every
//! bad value is a row error naming its line, cell and code, and nothing is written.

mod support;

use rocket::http::{ContentType, Status};
use rust_xlsxwriter::Workbook;
use serde_json::{json, Value};
use support::{Scenario, TestApp};

/// The header of the test register: every column of the fuller 台账, amounts in 元.
const HEADER: [&str; 33] = [
    "项目编号",
    "项目名称",
    "项目年度",
    "镇街",
    "村",
    "项目资金(元)",
    "行业主管部门",
    "中央衔接资金(元)",
    "省级衔接资金(元)",
    "市县衔接资金(元)",
    "整合涉农资金(元)",
    "行业部门资金(元)",
    "社会帮扶资金(元)",
    "其他资金(元)",
    "资产编号",
    "资产名称",
    "资产类别",
    "资产价值(元)",
    "所有权人",
    "管护主体",
    "资产形态",
    "受益户数",
    "受益人数",
    "管护责任人",
    "联系电话",
    "移交日期",
    "接收单位",
    "经营方式",
    "经营主体",
    "资产状态",
    "建成日期",
    "坐落位置",
    "备注",
];

/// Where a column of [`HEADER`] stands.
fn at(name: &str) -> usize {
    HEADER.iter().position(|h| *h == name).expect("a column")
}

/// The Excel column letter of [`HEADER`]'s column `name`.
fn letter(name: &str) -> String {
    let mut n = at(name) + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rest = (n - 1) % 26;
        letters.push(char::from(b'A' + u8::try_from(rest).expect("a letter")));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// A row with the given cells set, the rest empty.
fn row(cells: &[(&str, &str)]) -> Vec<String> {
    let mut row = vec![String::new(); HEADER.len()];
    for (name, value) in cells {
        row[at(name)] = (*value).to_owned();
    }
    row
}

/// Project LC-001's cells: split over all seven channels.
const SOLAR: [(&str, &str); 14] = [
    ("项目编号", "LC-001"),
    ("项目名称", "王寨村光伏电站"),
    ("项目年度", "2020"),
    ("镇街", "东城街道"),
    ("村", "王寨村"),
    ("项目资金(元)", "500000.00"),
    ("行业主管部门", "乡村振兴局"),
    ("中央衔接资金(元)", "300000"),
    ("省级衔接资金(元)", "100000"),
    ("市县衔接资金(元)", "50000"),
    ("整合涉农资金(元)", "30000"),
    ("行业部门资金(元)", "10000"),
    ("社会帮扶资金(元)", "5000.5"),
    ("其他资金(元)", "4999.5"),
];

/// Project LC-002's cells: no split.
const CATTLE: [(&str, &str); 7] = [
    ("项目编号", "LC-002"),
    ("项目名称", "李庄村养牛场"),
    ("项目年度", "2021"),
    ("镇街", "西城街道"),
    ("村", "李庄村"),
    ("项目资金(元)", "200000"),
    ("行业主管部门", "农业农村局"),
];

fn joined(a: &[(&'static str, &'static str)], b: &[(&'static str, &'static str)]) -> Vec<String> {
    let mut cells = a.to_vec();
    cells.extend_from_slice(b);
    row(&cells)
}

/// The test register: title, unit, header, two assets of LC-001 (the second a
/// continuation row), one of LC-002, a project without assets or department, and a 合计
/// row filling every summed column.
fn register_rows() -> Vec<Vec<String>> {
    let panels = [
        ("资产编号", "LC-001-01"),
        ("资产名称", "光伏板"),
        ("资产类别", "经营性"),
        ("资产价值(元)", "300000"),
        ("所有权人", "王寨村村民委员会"),
        ("资产形态", "固定资产"),
        ("受益户数", "120"),
        ("受益人数", "360"),
        ("管护责任人", "张三"),
        ("联系电话", "13812345678"),
        ("移交日期", "2021-01-15"),
        ("接收单位", "王寨村村民委员会"),
        ("经营方式", "租赁"),
        ("经营主体", "兴农光伏公司"),
        ("资产状态", "正常"),
        ("建成日期", "2020-12-20"),
        ("坐落位置", "王寨村东组"),
        ("备注", "一期"),
    ];
    let inverter = [
        ("资产编号", "LC-001-02"),
        ("资产名称", "逆变器"),
        ("资产类别", "经营性"),
        ("资产价值(元)", "200000"),
        ("所有权人", "王寨村村民委员会"),
        ("管护主体", "东城街道办事处"),
        ("受益户数", "10"),
        ("移交日期", "2021-02-01"),
        ("接收单位", "王寨村村民委员会"),
        ("资产状态", "闲置"),
    ];
    let cows = [
        ("资产编号", "LC-002-01"),
        ("资产名称", "基础母牛"),
        ("资产类别", "到户类"),
        ("资产价值(元)", "200000"),
        ("所有权人", "李四"),
        ("资产形态", "生物资产"),
        ("受益户数", "20"),
        ("受益人数", "61"),
        ("经营方式", "自营"),
        ("资产状态", "损毁"),
    ];
    let mut title = vec![String::new(); HEADER.len()];
    title[0] = "兴平市扶贫项目资产台账".to_owned();
    let mut unit = vec![String::new(); HEADER.len()];
    unit[0] = "单位：元".to_owned();
    vec![
        title,
        unit,
        HEADER.iter().map(|h| (*h).to_owned()).collect(),
        joined(&SOLAR, &panels),
        joined(&[], &inverter),
        joined(&CATTLE, &cows),
        row(&[
            ("项目编号", "LC-003"),
            ("项目名称", "后韩村道路"),
            ("项目年度", "2021"),
            ("镇街", "西城街道"),
            ("村", "后韩村"),
            ("项目资金(元)", "100000"),
        ]),
        row(&[
            ("项目编号", "合计"),
            ("项目资金(元)", "800000"),
            ("中央衔接资金(元)", "300000"),
            ("社会帮扶资金(元)", "5000.50"),
            ("资产价值(元)", "700000"),
            ("受益户数", "150"),
            ("受益人数", "421"),
        ]),
    ]
}

fn csv_of(rows: &[Vec<String>]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer.write_record(row).expect("a row");
    }
    writer.into_inner().expect("bytes")
}

fn xlsx_of(rows: &[Vec<String>]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (r, cells) in rows.iter().enumerate() {
        for (c, cell) in cells.iter().enumerate() {
            if !cell.is_empty() {
                let (r, c) = (
                    u32::try_from(r).expect("row"),
                    u16::try_from(c).expect("column"),
                );
                sheet.write_string(r, c, cell).expect("a cell");
            }
        }
    }
    workbook.save_to_buffer().expect("xlsx")
}

fn import(app: &TestApp, bytes: &[u8]) -> support::Reply {
    app.post(
        "/api/v1/imports?dry_run=false",
        Some(&app.clerk),
        bytes.to_vec(),
        ContentType::Binary,
    )
}

fn committed(app: &TestApp, bytes: &[u8]) -> Value {
    let reply = import(app, bytes);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    reply.body
}

fn ok(app: &TestApp, path: &str, token: &str) -> Value {
    let reply = app.get(path, Some(token));
    assert_eq!(reply.status, Status::Ok, "{path}: {}", reply.body);
    reply.body
}

fn codes(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|a| a["code"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn csv_export(app: &TestApp, query: &str) -> String {
    let reply = app.get(&format!("/api/v1/assets.csv?{query}"), Some(&app.auditor));
    assert_eq!(reply.status, Status::Ok, "{}", reply.body);
    reply.body.as_str().unwrap_or_default().to_owned()
}

/// A page as a signed-in browser of `token` sees it.
fn page(app: &TestApp, token: &str, path: &str) -> String {
    let client = app.signed_in(token);
    let response = client.get(path.to_owned()).dispatch();
    assert_eq!(response.status(), Status::Ok, "{path}");
    response.into_string().unwrap_or_default()
}

/// Every column is stored and shown: the API (the phone masked for readers), the
/// change feed with its `handed_over` entries, the asset and project pages, and the
/// chain still verifies.
fn every_column_is_stored_and_shown(app: &TestApp) {
    let report = committed(app, &csv_of(&register_rows()));
    assert_eq!(report["assets_created"], 3, "{report}");
    assert_eq!(report["projects_created"], 3, "{report}");
    assert_eq!(report["totals_checked"], 1, "{report}");
    assert_eq!(report["continued_rows"], 1, "{report}");

    let panels = ok(app, "/api/v1/assets/LC-001-01", &app.clerk);
    for (field, value) in [
        ("asset_form", json!("fixed")),
        ("beneficiary_households", json!(120)),
        ("beneficiary_persons", json!(360)),
        ("responsible_person", json!("张三")),
        ("phone", json!("13812345678")),
        ("handed_over_on", json!("2021-01-15")),
        ("received_by", json!("王寨村村民委员会")),
        ("operating_mode", json!("lease")),
        ("operator", json!("兴农光伏公司")),
        ("condition", json!("normal")),
        ("completed_on", json!("2020-12-20")),
        ("location", json!("王寨村东组")),
        ("remarks", json!("一期")),
        ("custodian", json!("王寨村村民委员会")),
    ] {
        assert_eq!(panels[field], value, "{field}: {panels}");
    }
    let seen = ok(app, "/api/v1/assets/LC-001-01", &app.reader);
    assert_eq!(seen["phone"], "138****5678", "{seen}");
    // The file names a custodian other than the receiver: it stays the custodian.
    let inverter = ok(app, "/api/v1/assets/LC-001-02", &app.clerk);
    assert_eq!(inverter["custodian"], "东城街道办事处", "{inverter}");
    assert_eq!(inverter["condition"], "idle", "{inverter}");
    assert!(inverter.get("asset_form").is_none(), "{inverter}");

    let solar = ok(app, "/api/v1/projects/LC-001", &app.reader);
    assert_eq!(solar["department"], "乡村振兴局");
    assert_eq!(
        solar["funding"],
        json!({"central": "300000.00", "provincial": "100000.00", "local": "50000.00",
               "integrated": "30000.00", "sector": "10000.00", "social": "5000.50",
               "other": "4999.50"}),
        "{solar}"
    );
    let cattle = ok(app, "/api/v1/projects/LC-002", &app.reader);
    assert_eq!(cattle["funding"], json!({}), "{cattle}");

    // The change feed: each asset's `registered` entry with its columns (the phone
    // masked for a reader), the hand-overs on their dates, and the custodian the file
    // names after the second.
    let feed = ok(app, "/api/v1/events?after=0&limit=100", &app.reader);
    let entries: Vec<(String, String, String)> = feed["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| {
            (
                e["asset_code"].as_str().unwrap_or_default().to_owned(),
                e["kind"].as_str().unwrap_or_default().to_owned(),
                e["occurred_on"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .filter(|(_, kind, _)| kind != "registered")
        .collect();
    let owned = |(a, k, d): (&str, &str, &str)| (a.to_owned(), k.to_owned(), d.to_owned());
    assert_eq!(
        entries,
        [
            owned(("LC-001-01", "handed_over", "2021-01-15")),
            owned(("LC-001-02", "handed_over", "2021-02-01")),
            owned(("LC-001-02", "custodian_changed", "2021-02-01")),
        ],
        "{feed}"
    );
    let registered = feed["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|e| e["asset_code"] == "LC-001-01" && e["kind"] == "registered")
        .expect("registered");
    assert_eq!(registered["data"]["phone"], "138****5678", "{registered}");
    assert_eq!(registered["data"]["condition"], "normal", "{registered}");
    assert_eq!(
        registered["data"]["beneficiary_persons"], 360,
        "{registered}"
    );
    let handed = feed["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|e| e["kind"] == "handed_over")
        .expect("handed over");
    assert_eq!(handed["data"]["from"], "东城街道", "{handed}");
    assert_eq!(handed["data"]["to"], "王寨村村民委员会", "{handed}");

    let verified = ok(app, "/api/v1/ledger/verify", &app.auditor);
    assert_eq!(verified["ok"], true, "{verified}");
    app.assert_summary_consistent();

    // The pages, in Chinese, the phone masked for a reader.
    let asset_page = page(app, &app.reader, "/assets/LC-001-01");
    for shown in [
        "<dt>资产形态</dt><dd>固定资产</dd>",
        "<dt>受益户数</dt><dd>120 户</dd>",
        "<dt>受益人数</dt><dd>360 人</dd>",
        "<dt>联系电话</dt><dd>138****5678</dd>",
        "<dt>移交日期</dt><dd>2021-01-15</dd>",
        "<dt>经营方式</dt><dd>租赁</dd>",
        "<dt>资产状态</dt><dd>正常</dd>",
        "<dt>坐落位置</dt><dd>王寨村东组</dd>",
        "<dt>备注</dt><dd>一期</dd>",
    ] {
        assert!(asset_page.contains(shown), "{shown} in {asset_page}");
    }
    assert!(!asset_page.contains("13812345678"), "{asset_page}");
    let clerk_page = page(app, &app.clerk, "/assets/LC-001-01");
    assert!(clerk_page.contains("<dt>联系电话</dt><dd>13812345678</dd>"));
    let project_page = page(app, &app.reader, "/projects/LC-001");
    for shown in [
        "其中：中央衔接资金",
        "其中：社会帮扶资金",
        "5,000.50",
        "乡村振兴局",
    ] {
        assert!(project_page.contains(shown), "{shown} in {project_page}");
    }
}

/// Department, condition and operating mode filter the API list, the web register
/// and the export alike.
fn filters_narrow_lists_pages_and_exports(app: &TestApp) {
    committed(app, &csv_of(&register_rows()));
    for (query, expected) in [
        ("condition=idle", vec!["LC-001-02"]),
        ("condition=damaged", vec!["LC-002-01"]),
        ("operating_mode=lease", vec!["LC-001-01"]),
        ("operating_mode=self", vec!["LC-002-01"]),
        ("department=乡村振兴局", vec!["LC-001-01", "LC-001-02"]),
        ("department=农业农村局&condition=damaged", vec!["LC-002-01"]),
    ] {
        let path = format!(
            "/api/v1/assets?{}",
            query
                .replace("乡村振兴局", &support::encode("乡村振兴局"))
                .replace("农业农村局", &support::encode("农业农村局"))
        );
        assert_eq!(codes(&ok(app, &path, &app.reader)), expected, "{query}");
        let exported = csv_export(app, &path["/api/v1/assets?".len()..]);
        let lines: Vec<&str> = exported.lines().skip(1).collect();
        assert_eq!(lines.len(), expected.len(), "{query}: {exported}");
        for code in &expected {
            assert!(exported.contains(code), "{query}: {exported}");
        }
        let register = page(app, &app.reader, &path["/api/v1".len()..]);
        for code in ["LC-001-01", "LC-001-02", "LC-002-01"] {
            assert_eq!(
                register.contains(&format!(">{code}</a>")),
                expected.contains(&code),
                "{query}: {code}"
            );
        }
    }
    let refused = app.get("/api/v1/assets?condition=missing", Some(&app.reader));
    assert_eq!(refused.status, Status::BadRequest, "{}", refused.body);
}

/// `totals?group_by=funding_channel|department`: a project counts in every channel
/// that funds it; projects without a split or a department under `unspecified`.
fn totals_by_funding_channel_and_department(app: &TestApp) {
    committed(app, &csv_of(&register_rows()));
    let by_channel = app.totals("funding_channel");
    let group = |totals: &Value, key: &str| {
        totals["groups"]
            .as_array()
            .expect("groups")
            .iter()
            .find(|g| g["key"] == key)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(
        group(&by_channel, "central"),
        json!({"key": "central", "projects": 1, "assets": 2, "funds": "300000.00", "asset_value": "500000.00"}),
        "{by_channel}"
    );
    assert_eq!(group(&by_channel, "social")["funds"], "5000.50");
    assert_eq!(
        group(&by_channel, "unspecified"),
        json!({"key": "unspecified", "projects": 2, "assets": 1, "funds": "300000.00", "asset_value": "200000.00"}),
        "{by_channel}"
    );
    // The channels of the split projects and the unsplit funds add up to all funds.
    let channel_fen: i64 = by_channel["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| fen(&g["funds"]))
        .sum();
    assert_eq!(channel_fen, fen(&by_channel["total"]["funds"]));
    let by_department = app.totals("department");
    let keys: Vec<&str> = by_department["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| g["key"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        keys,
        ["unspecified", "乡村振兴局", "农业农村局"],
        "{by_department}"
    );
    assert_eq!(group(&by_department, "乡村振兴局")["funds"], "500000.00");
    assert_eq!(group(&by_department, "unspecified")["funds"], "100000.00");
    let wrong = app.get("/api/v1/totals?group_by=channel", Some(&app.reader));
    assert_eq!(wrong.status, Status::BadRequest, "{}", wrong.body);
}

fn fen(amount: &Value) -> i64 {
    let text = amount.as_str().expect("an amount").replace('.', "");
    text.parse().expect("fen")
}

/// Export (CSV and XLSX), then import into an empty register: every column and every
/// total the same.
fn export_then_import_reproduces_every_column(app: &TestApp) {
    committed(app, &csv_of(&register_rows()));
    let original = csv_export(app, "");
    assert!(original
        .lines()
        .next()
        .unwrap_or_default()
        .contains("中央衔接资金(元)"));
    assert!(original.contains("13812345678"), "{original}");
    let xlsx = app.get("/api/v1/assets.xlsx", Some(&app.auditor));
    assert_eq!(xlsx.status, Status::Ok);
    for (format, bytes) in [
        ("csv", original.clone().into_bytes()),
        ("xlsx", workbook_bytes(app)),
    ] {
        let again = TestApp::new(app.backend, None);
        let report = committed(&again, &bytes);
        assert_eq!(report["error_count"], 0, "{format}: {report}");
        assert_eq!(csv_export(&again, ""), original, "{format}");
        for group_by in ["class", "funding_channel", "department"] {
            assert_eq!(
                again.totals(group_by),
                app.totals(group_by),
                "{format} {group_by}"
            );
        }
        let verified = ok(&again, "/api/v1/ledger/verify", &again.auditor);
        assert_eq!(verified["ok"], true, "{format}: {verified}");
    }
}

/// The export as an .xlsx, as bytes.
fn workbook_bytes(app: &TestApp) -> Vec<u8> {
    let response = app
        .client
        .get("/api/v1/assets.xlsx")
        .header(rocket::http::Header::new(
            "Authorization",
            format!("Bearer {}", app.auditor),
        ))
        .dispatch();
    assert_eq!(response.status(), Status::Ok);
    response.into_bytes().expect("a workbook")
}

/// A bad value: the row's extra cells, the column at fault, the code, a part of the
/// message.
type Case = (
    Vec<(&'static str, &'static str)>,
    &'static str,
    &'static str,
    &'static str,
);

/// Every bad value is a row error with its line, cell, code and a Chinese message;
/// nothing is written.
/// A phone number that differs from the registered one is a conflict that names both
/// numbers masked, as readers may see them: the rejected batch, which readers read on
/// the API and the import page, keeps the message.
fn a_conflicting_phone_is_kept_masked_with_the_batch(app: &TestApp) {
    committed(app, &csv_of(&register_rows()));
    let mut rows = register_rows();
    rows[3][at("联系电话")] = "13987654321".to_owned();
    // A phone where none was registered: the empty side still reads as empty.
    rows[4][at("联系电话")] = "13700001111".to_owned();
    let reply = import(app, &csv_of(&rows));
    assert_eq!(reply.status, Status::UnprocessableEntity, "{}", reply.body);
    let expected = json!([{
        "line": 4,
        "column": "联系电话",
        "code": "conflicts_with_register",
        "message": "资产 LC-001-01 已登记，“联系电话”登记为“138****5678”，文件中为“139****4321”；已登记资产的变更请记入管护台账",
        "registered_value": "138****5678",
        "file_value": "139****4321",
    }, {
        "line": 5,
        "column": "联系电话",
        "code": "conflicts_with_register",
        "message": "资产 LC-001-02 已登记，“联系电话”登记为“（空）”，文件中为“137****1111”；已登记资产的变更请记入管护台账",
        "registered_value": "（空）",
        "file_value": "137****1111",
    }]);
    assert_eq!(reply.body["errors"], expected);
    let id = reply.body["batch"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let stored = ok(app, &format!("/api/v1/imports/{id}"), &app.reader);
    assert_eq!(stored["errors"], expected);
    let page = page(app, &app.reader, &format!("/imports?batch={id}"));
    assert!(
        page.contains("138****5678") && page.contains("139****4321"),
        "{page}"
    );
    for whole in ["13812345678", "13987654321", "13700001111"] {
        assert!(!page.contains(whole), "the import page shows {whole} whole");
    }
}

/// Short numbers keep less of themselves for readers, so that a mask always hides as
/// much as it does of a resident ID (eight characters) or a mobile number (four): an
/// 8-digit landline and a mobile number put in the ID column no longer show all but one
/// character, an old 15-digit ID shows its last four only.
fn short_numbers_keep_less_of_themselves_for_readers(app: &TestApp) {
    let file = "项目编号,项目名称,项目年度,镇街,村,项目资金(元),资产编号,资产名称,资产类别,资产价值(元),所有权人,所有权人类型,所有权人证件号,联系电话
SN-1,到户养羊,2021,东城街道,王寨村,300,SN-1-01,湖羊,到户类,100,赵六,农户,13912345678,87654321
SN-1,到户养羊,2021,东城街道,王寨村,300,SN-1-02,湖羊,到户类,100,钱七,农户,610481900315431,0291234567
SN-1,到户养羊,2021,东城街道,王寨村,300,SN-1-03,湖羊,到户类,100,孙八,农户,610481199001014311,13812345678
";
    committed(app, file.as_bytes());
    let seen = |token: &str| -> Vec<(Value, Value)> {
        ok(app, "/api/v1/assets?project=SN-1", token)["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|a| (a["owner"]["id_number"].clone(), a["phone"].clone()))
            .collect()
    };
    assert_eq!(
        seen(&app.reader),
        [
            (json!("***********"), json!("****4321")),
            (json!("***********5431"), json!("******4567")),
            (json!("610481********4311"), json!("138****5678")),
        ]
    );
    assert_eq!(
        seen(&app.auditor),
        [
            (json!("13912345678"), json!("87654321")),
            (json!("610481900315431"), json!("0291234567")),
            (json!("610481199001014311"), json!("13812345678")),
        ]
    );
    let entries = ok(app, "/api/v1/assets/SN-1-01/ledger", &app.reader);
    let data = &entries["items"][0]["data"];
    assert_eq!(
        (&data["owner"]["id_number"], &data["phone"]),
        (&json!("***********"), &json!("****4321"))
    );
    let page = page(app, &app.reader, "/assets/SN-1-01");
    assert!(
        page.contains("****4321") && !page.contains("876*4321") && !page.contains("87654321"),
        "{page}"
    );
}

fn bad_values_are_row_errors(app: &TestApp) {
    let base = |code: &'static str, asset: &'static str| {
        vec![
            ("项目编号", code),
            ("项目名称", "测试项目"),
            ("项目年度", "2021"),
            ("镇街", "东城街道"),
            ("项目资金(元)", "1000"),
            ("资产编号", asset),
            ("资产名称", "测试资产"),
            ("资产类别", "公益性"),
            ("资产价值(元)", "1000"),
            ("所有权人", "王寨村村民委员会"),
        ]
    };
    let with = |code: &'static str, asset: &'static str, extra: &[(&'static str, &'static str)]| {
        let mut cells = base(code, asset);
        cells.extend_from_slice(extra);
        row(&cells)
    };
    // Tomorrow in China: a date not yet come.
    let tomorrow: &'static str = Box::leak(
        (chrono::Utc::now() + chrono::Duration::hours(8 + 24))
            .format("%Y-%m-%d")
            .to_string()
            .into_boxed_str(),
    );
    // (the row's extra cells, the column at fault, the code, a part of the message)
    let cases: Vec<Case> = vec![
        (
            vec![("中央衔接资金(元)", "600"), ("省级衔接资金(元)", "399")],
            "项目资金(元)",
            "funding_sum_mismatch",
            "各资金渠道之和为 999.00 元，项目资金为 1,000.00 元，少了 1.00 元",
        ),
        (
            vec![("其他资金(元)", "1000.001")],
            "其他资金(元)",
            "too_many_decimals",
            "小数位数过多",
        ),
        (
            vec![("资产形态", "无形资产")],
            "资产形态",
            "unknown_asset_form",
            "应为 固定资产、生物资产、权益资产",
        ),
        (
            vec![("受益户数", "-3")],
            "受益户数",
            "invalid_count",
            "不小于 0 的整数",
        ),
        (
            vec![("受益人数", "2.5")],
            "受益人数",
            "invalid_count",
            "不小于 0 的整数",
        ),
        (
            vec![("联系电话", "打电话找村委")],
            "联系电话",
            "invalid_phone",
            "7 至 15 位数字",
        ),
        (
            vec![("移交日期", "2021-13-01"), ("接收单位", "村委")],
            "移交日期",
            "invalid_date",
            "无法识别的移交日期",
        ),
        (
            vec![("移交日期", "2021-03-01")],
            "接收单位",
            "required",
            "“接收单位”不能为空",
        ),
        (
            vec![("经营方式", "出售")],
            "经营方式",
            "unknown_operating_mode",
            "自营、承包、租赁、入股、托管",
        ),
        (
            vec![("资产状态", "缺失")],
            "资产状态",
            "unknown_condition",
            "应为 正常、闲置、损毁",
        ),
        (
            vec![("建成日期", tomorrow)],
            "建成日期",
            "invalid_date",
            "晚于今天",
        ),
        (
            vec![("建成日期", "2999-01-01")],
            "建成日期",
            "invalid_date",
            "应在 1949-10-01 至今天（北京时间",
        ),
    ];
    let codes = [
        ("E-01", "E-01-1"),
        ("E-02", "E-02-1"),
        ("E-03", "E-03-1"),
        ("E-04", "E-04-1"),
        ("E-05", "E-05-1"),
        ("E-06", "E-06-1"),
        ("E-07", "E-07-1"),
        ("E-08", "E-08-1"),
        ("E-09", "E-09-1"),
        ("E-10", "E-10-1"),
        ("E-11", "E-11-1"),
        ("E-12", "E-12-1"),
    ];
    let mut rows = vec![HEADER.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>()];
    for ((extra, _, _, _), (code, asset)) in cases.iter().zip(codes) {
        rows.push(with(code, asset, extra));
    }
    // A 合计 row whose 受益户数 does not add up (the rows above fill none): checked too.
    rows.push(row(&[("项目编号", "合计"), ("受益户数", "7")]));
    for format in ["csv", "xlsx"] {
        let bytes = if format == "csv" {
            csv_of(&rows)
        } else {
            xlsx_of(&rows)
        };
        let before = app.register_state();
        let reply = import(app, &bytes);
        assert_eq!(reply.status, Status::UnprocessableEntity, "{}", reply.body);
        let errors = reply.body["errors"].as_array().expect("errors");
        assert_eq!(errors.len(), cases.len(), "{format}: {}", reply.body);
        for (line, (error, (_, column, code, message))) in (2u64..).zip(errors.iter().zip(&cases)) {
            assert_eq!(error["line"], line, "{format}: {error}");
            assert_eq!(error["column"], *column, "{format}: {error}");
            assert_eq!(error["code"], *code, "{format}: {error}");
            let text = error["message"].as_str().unwrap_or_default();
            assert!(
                text.contains(message),
                "{format}: {text} should say {message}"
            );
            let cell = format!("{}{line}", letter(column));
            let expected_cell = if format == "xlsx" {
                json!(cell)
            } else {
                Value::Null
            };
            assert_eq!(
                error.get("cell").cloned().unwrap_or(Value::Null),
                expected_cell,
                "{error}"
            );
        }
        assert_eq!(errors[0]["declared"], "1,000.00", "{}", errors[0]);
        assert_eq!(errors[0]["computed"], "999.00", "{}", errors[0]);
        assert_eq!(
            app.register_state(),
            before,
            "{format}: nothing may be written"
        );
    }
    // The totals row is checked once the rows are good.
    let mut good = vec![HEADER.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>()];
    good.push(with("T-01", "T-01-1", &[("受益户数", "5")]));
    good.push(row(&[("项目编号", "合计"), ("受益户数", "7")]));
    let before = app.register_state();
    let reply = import(app, &xlsx_of(&good));
    assert_eq!(reply.status, Status::UnprocessableEntity, "{}", reply.body);
    let mismatch = &reply.body["errors"][0];
    assert_eq!(mismatch["code"], "total_row_mismatch", "{mismatch}");
    assert_eq!(
        mismatch["cell"],
        format!("{}3", letter("受益户数")),
        "{mismatch}"
    );
    assert_eq!(mismatch["declared"], "7", "{mismatch}");
    assert_eq!(mismatch["computed"], "5", "{mismatch}");
    assert!(mismatch["message"]
        .as_str()
        .unwrap_or_default()
        .contains("合计行的“受益户数”为 7"));
    assert_eq!(app.register_state(), before, "nothing may be written");
}

/// Item 7: the Xingping register as a county keeps it in Excel (imports/xingping_2020.xlsx)
/// and that sheet saved as CSV with blank continuation rows (xingping_2020.excel.csv)
/// register what the seed CSV registers, to the fen: every grouping of the totals the
/// same, computed from the seed's import; the funding channels add up to the funds.
fn the_xingping_workbook_reproduces_the_seed(app: &TestApp) {
    let seed = app.import_sample("xingping_2020.utf8.csv");
    assert_eq!(seed.status, Status::Created, "{}", seed.body);
    for name in ["xingping_2020.xlsx", "xingping_2020.excel.csv"] {
        let county = TestApp::new(app.backend, None);
        let bytes = std::fs::read(support::sample(name)).expect("sample");
        let report = committed(&county, &bytes);
        assert_eq!(report["error_count"], 0, "{name}: {report}");
        assert_eq!(report["totals_checked"], 1, "{name}: {report}");
        assert_eq!(
            report["data_rows"], seed.body["data_rows"],
            "{name}: {report}"
        );
        assert_eq!(
            report["assets_created"], seed.body["assets_created"],
            "{name}"
        );
        assert_eq!(
            report["projects_created"], seed.body["projects_created"],
            "{name}"
        );
        // The workbook's merged project cells spread over their rows; saved as CSV they
        // are blank, and those rows continue the project above.
        let continued = report["continued_rows"].as_i64().unwrap_or(-1);
        if name.ends_with(".csv") {
            assert!(continued > 0, "{name}: {report}");
        } else {
            assert_eq!(continued, 0, "{name}: {report}");
        }
        for group_by in ["class", "town", "village", "year"] {
            assert_eq!(
                county.totals(group_by),
                app.totals(group_by),
                "{name} by {group_by}"
            );
        }
        let by_channel = county.totals("funding_channel");
        let channel_fen: i64 = by_channel["groups"]
            .as_array()
            .expect("groups")
            .iter()
            .map(|g| fen(&g["funds"]))
            .sum();
        assert_eq!(
            channel_fen,
            fen(&app.totals("class")["total"]["funds"]),
            "{name}"
        );
        county.assert_summary_consistent();
    }
}

fn main() -> std::process::ExitCode {
    let scenarios: Vec<(&'static str, Scenario)> = vec![
        (
            "every_column_is_stored_and_shown",
            every_column_is_stored_and_shown,
        ),
        (
            "filters_narrow_lists_pages_and_exports",
            filters_narrow_lists_pages_and_exports,
        ),
        (
            "totals_by_funding_channel_and_department",
            totals_by_funding_channel_and_department,
        ),
        (
            "export_then_import_reproduces_every_column",
            export_then_import_reproduces_every_column,
        ),
        (
            "a_conflicting_phone_is_kept_masked_with_the_batch",
            a_conflicting_phone_is_kept_masked_with_the_batch,
        ),
        (
            "short_numbers_keep_less_of_themselves_for_readers",
            short_numbers_keep_less_of_themselves_for_readers,
        ),
        ("bad_values_are_row_errors", bad_values_are_row_errors),
        (
            "the_xingping_workbook_reproduces_the_seed",
            the_xingping_workbook_reproduces_the_seed,
        ),
    ];
    support::run(scenarios)
}
