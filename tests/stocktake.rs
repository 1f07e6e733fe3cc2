//! The annual stock-take (年度清查盘点), on SQLite and PostgreSQL: campaigns over the
//! live assets of a scope and who sees them, results recorded as `inspection` entries
//! (the chain verifies, the maintained figures hold), every refusal row by row with its
//! Chinese message and nothing written, checklists as JSON, printable HTML and an Excel
//! workbook filled in and uploaded back, the closing report and its 盘亏 computed from
//! the register's own figures (and unchanged by what happens after closing), the
//! `not_stocktaken` findings, and the phone page.

mod support;

use std::collections::BTreeMap;
use std::io::Cursor;

use asset_registry::auth::{self, Role};
use asset_registry::domain::Scope;
use calamine::{Data, Reader, Xlsx};
use diesel::prelude::*;
use rocket::http::{ContentType, Header, Status};
use serde_json::{json, Value};
use support::{Reply, Scenario, TestApp};

const REGISTER: &str = "项目编号,项目名称,项目年度,镇街,村,项目资金(元),资产编号,资产名称,资产类别,资产价值(元),所有权人,所有权人类型,所有权人证件号,管护主体,确权日期,确权证书编号
P1,光伏电站,2019,桑镇,东村,120333.83,A1,村级光伏电站,经营性,100000.50,东村股份经济合作社,村集体,,东村村委会,2020-03-05,兴确字1号
P1,光伏电站,2019,桑镇,东村,120333.83,A2,灌溉水泵,公益性,20000.00,东村股份经济合作社,村集体,,东村村委会,2020-03-05,兴确字2号
P1,光伏电站,2019,桑镇,东村,120333.83,A3,LED太阳能路灯,公益性,333.33,东村股份经济合作社,村集体,,东村村委会,2020-03-05,兴确字3号
P2,茶厂,2020,桑镇,西村,57777.77,B1,茶叶加工厂,经营性,50000.00,西村股份经济合作社,村集体,,西村村委会,2020-03-05,兴确字4号
P2,茶厂,2020,桑镇,西村,57777.77,B2,茶园,经营性,7777.77,西村股份经济合作社,村集体,,西村村委会,2020-03-05,兴确字5号
P3,养殖场,2020,柳镇,北村,22345.67,C1,牛舍,经营性,12345.67,北村股份经济合作社,村集体,,北村村委会,2020-03-05,兴确字6号
P3,养殖场,2020,柳镇,北村,22345.67,C2,饲料机,经营性,10000.00,北村股份经济合作社,村集体,,北村村委会,2020-03-05,兴确字7号
";

/// Disposed before any campaign opens: no campaign covers it.
const DISPOSED: &str = "C2";

/// An asset of the register: town, village, value in fen, from [`REGISTER`].
#[derive(Debug, Clone)]
struct Registered {
    town: String,
    village: String,
    fen: i64,
}

fn fen(amount: &str) -> i64 {
    let (yuan, cents) = amount.split_once('.').unwrap_or((amount, "00"));
    let sign = if yuan.starts_with('-') { -1 } else { 1 };
    sign * (yuan.trim_start_matches('-').parse::<i64>().expect("yuan") * 100
        + format!("{cents:0<2}").parse::<i64>().expect("fen"))
}

/// `12,345.60`, as pages show money.
fn grouped(fen: i64) -> String {
    let whole = (fen / 100).to_string();
    let mut out = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("{out}.{:02}", fen % 100)
}

fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// The live assets of the register by code, read from [`REGISTER`].
fn register() -> BTreeMap<String, Registered> {
    REGISTER
        .lines()
        .skip(1)
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            (
                cells[6].to_owned(),
                Registered {
                    town: cells[3].to_owned(),
                    village: cells[4].to_owned(),
                    fen: fen(cells[9]),
                },
            )
        })
        .filter(|(code, _)| code != DISPOSED)
        .collect()
}

fn app_without_approvals(backend: asset_registry::db::Backend) -> TestApp {
    let figment = rocket::Config::figment()
        .merge(("log_level", "off"))
        .merge(("approvals", ""));
    TestApp::new(backend, Some(figment))
}

fn token(app: &TestApp, role: Role, scope: &str) -> String {
    let mut conn = app.db.conn().expect("connection");
    let scope = Scope::parse(scope).expect("scope");
    auth::create_token(&mut conn, &format!("{role}@{scope}"), role, &scope)
        .expect("token")
        .secret
}

fn post_json(app: &TestApp, path: &str, token: &str, body: &Value) -> Reply {
    app.post(
        path,
        Some(token),
        body.to_string().into_bytes(),
        ContentType::JSON,
    )
}

/// The register imported, [`DISPOSED`] disposed of.
fn setup(app: &TestApp) {
    let reply = app.import(REGISTER.as_bytes(), false);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    let reply = post_json(
        app,
        &format!("/api/v1/assets/{DISPOSED}/ledger"),
        &app.clerk,
        &json!({"kind": "disposed", "occurred_on": "2024-01-05", "method": "auction", "approval_no": "桑财〔2024〕1号"}),
    );
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
}

fn open(app: &TestApp, token: &str, body: Value) -> Reply {
    post_json(app, "/api/v1/stocktakes", token, &body)
}

fn open_county(app: &TestApp) -> String {
    let reply = open(
        app,
        &app.clerk,
        json!({"name": "2026年度资产清查", "year": 2026}),
    );
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    reply.body["stocktake"]["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

fn results(app: &TestApp, token: &str, id: &str, body: Value) -> Reply {
    post_json(
        app,
        &format!("/api/v1/stocktakes/{id}/results"),
        token,
        &body,
    )
}

/// What a stock-take writes, with the register's state: nothing changed when equal.
fn written(app: &TestApp) -> (support::RegisterState, i64, i64, Vec<Option<String>>) {
    use asset_registry::db::schema::stocktake_assets;
    let campaigns = app.count_rows("stocktakes");
    let results = app.count_rows("stocktake_results");
    let mut conn = app.db.conn().expect("connection");
    let marks: Vec<Option<String>> = stocktake_assets::table
        .order((stocktake_assets::stocktake_id, stocktake_assets::asset_code))
        .select(stocktake_assets::result)
        .load(&mut *conn)
        .expect("results");
    drop(conn);
    (app.register_state(), campaigns, results, marks)
}

fn verify(app: &TestApp) {
    let reply = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(reply.status, Status::Ok, "{}", reply.body);
    assert_eq!(reply.body["ok"], true, "{}", reply.body);
    app.assert_summary_consistent();
}

/// The counts and value per result of a progress view: result → (assets, fen).
fn by_result(progress: &Value) -> BTreeMap<String, (i64, i64)> {
    progress["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (
                r["result"].as_str().unwrap_or_default().to_owned(),
                (
                    r["assets"].as_i64().unwrap_or(-1),
                    fen(r["value"].as_str().unwrap_or("x")),
                ),
            )
        })
        .collect()
}

fn has_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

fn campaigns_open_over_live_assets_and_show_progress_by_village(app: &TestApp) {
    setup(app);
    let id = open_county(app);
    let live = register();
    let reply = app.get(&format!("/api/v1/stocktakes/{id}"), Some(&app.auditor));
    assert_eq!(reply.status, Status::Ok, "{}", reply.body);
    let stocktake = &reply.body["stocktake"];
    assert_eq!(stocktake["status"], "open");
    assert_eq!(stocktake["status_label"], "进行中");
    assert_eq!(stocktake["scope"], "county");
    assert_eq!(
        stocktake["progress"]["assets"],
        live.len() as i64,
        "{DISPOSED} left out"
    );
    assert_eq!(stocktake["progress"]["checked"], 0);
    let value: i64 = live.values().map(|a| a.fen).sum();
    assert_eq!(fen(stocktake["progress"]["value"].as_str().unwrap()), value);
    let mut expected: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new();
    for asset in live.values() {
        let slot = expected
            .entry((asset.town.clone(), asset.village.clone()))
            .or_default();
        slot.0 += 1;
        slot.1 += asset.fen;
    }
    let lines: BTreeMap<(String, String), (i64, i64)> = reply.body["by_village"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                (
                    l["town"].as_str().unwrap().to_owned(),
                    l["village"].as_str().unwrap().to_owned(),
                ),
                (
                    l["assets"].as_i64().unwrap(),
                    fen(l["value"].as_str().unwrap()),
                ),
            )
        })
        .collect();
    assert_eq!(lines, expected);

    // Who sees it: clerks, auditors, approvers; a village its own part; readers nothing.
    let approver = token(app, Role::Approver, "county");
    let listed = app.get("/api/v1/stocktakes", Some(&approver));
    assert_eq!(listed.status, Status::Ok, "{}", listed.body);
    assert_eq!(listed.body[0]["id"], id.as_str());
    for path in [
        "/api/v1/stocktakes".to_owned(),
        format!("/api/v1/stocktakes/{id}"),
    ] {
        let refused = app.get(&path, Some(&app.reader));
        assert_eq!(refused.status, Status::Forbidden, "{}", refused.body);
    }
    let east = token(app, Role::Clerk, "village:桑镇/东村");
    let part = app.get(&format!("/api/v1/stocktakes/{id}"), Some(&east));
    assert_eq!(part.status, Status::Ok, "{}", part.body);
    let in_east = live.values().filter(|a| a.village == "东村").count() as i64;
    assert_eq!(part.body["stocktake"]["progress"]["assets"], in_east);
    assert_eq!(part.body["by_village"].as_array().unwrap().len(), 1);

    // A town's campaign: the county sees it, another town's village does not.
    let town = token(app, Role::Clerk, "town:柳镇");
    let opened = open(app, &town, json!({"name": "柳镇清查", "year": 2026}));
    assert_eq!(opened.status, Status::Created, "{}", opened.body);
    assert_eq!(opened.body["stocktake"]["scope"], "town:柳镇");
    let in_town = live.values().filter(|a| a.town == "柳镇").count() as i64;
    assert_eq!(opened.body["stocktake"]["progress"]["assets"], in_town);
    let town_id = opened.body["stocktake"]["id"].as_str().unwrap().to_owned();
    let county_list = app.get("/api/v1/stocktakes", Some(&app.clerk));
    assert_eq!(county_list.body.as_array().unwrap().len(), 2);
    let hidden = app.get(&format!("/api/v1/stocktakes/{town_id}"), Some(&east));
    assert_eq!(hidden.status, Status::NotFound, "{}", hidden.body);
    assert_eq!(
        app.get("/api/v1/stocktakes", Some(&east))
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

fn wrong_campaigns_are_refused_and_write_nothing(app: &TestApp) {
    setup(app);
    let before = written(app);
    let east = token(app, Role::Clerk, "village:桑镇/东村");
    let cases = [
        (
            &app.clerk,
            json!({"name": "  ", "year": 2026}),
            "name",
            "invalid_name",
            "盘点名称不能为空",
        ),
        (
            &app.clerk,
            json!({"name": "清查", "year": 1999}),
            "year",
            "invalid_year",
            "盘点年度应为 2000 至",
        ),
        (
            &app.clerk,
            json!({"name": "清查", "year": 2026, "scope": "city:西安"}),
            "scope",
            "invalid_scope",
            "范围应为",
        ),
        (
            &east,
            json!({"name": "清查", "year": 2026, "scope": "town:桑镇"}),
            "scope",
            "scope_outside_token",
            "超出令牌的范围",
        ),
    ];
    for (who, body, field, code, message) in cases {
        let reply = open(app, who, body.clone());
        assert_eq!(
            reply.status,
            Status::UnprocessableEntity,
            "{body}: {}",
            reply.body
        );
        assert_eq!(
            reply.body["type"],
            format!("urn:asset-registry:problem:{code}")
        );
        let error = &reply.body["errors"][0];
        assert_eq!(
            (error["field"].as_str(), error["code"].as_str()),
            (Some(field), Some(code))
        );
        let text = error["message"].as_str().unwrap();
        assert!(text.contains(message) && has_chinese(text), "{text}");
        assert_eq!(written(app), before, "nothing written for {code}");
    }
    let reader = open(app, &app.reader, json!({"name": "清查", "year": 2026}));
    assert_eq!(reader.status, Status::Forbidden);
    let auditor = open(app, &app.auditor, json!({"name": "清查", "year": 2026}));
    assert_eq!(auditor.status, Status::Forbidden, "auditors write nothing");
    assert_eq!(written(app), before);
}

fn results_are_inspection_entries_and_keep_the_ledger_whole(app: &TestApp) {
    setup(app);
    let id = open_county(app);
    let sent = json!([
        {"asset_code": "A1", "result": "normal", "checked_on": "2026-09-30"},
        {"asset_code": "a2", "result": "missing", "checked_on": "2026/9/30", "note": "原址未见"},
        {"asset_code": "B1", "result": "idle", "checked_on": "2026-10-08"},
    ]);
    let before = app.register_state();
    let reply = results(app, &app.clerk, &id, sent);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    assert_eq!(reply.body["recorded"], 3);
    let first = reply.body["first_seq"].as_i64().unwrap();
    assert_eq!(reply.body["last_seq"].as_i64().unwrap(), first + 2);
    assert_eq!(app.register_state().entries, before.entries + 3);
    let ledger = app.get("/api/v1/assets/A2/ledger", Some(&app.auditor));
    let items = ledger.body["items"].as_array().expect("entries");
    let last = items.iter().max_by_key(|e| e["seq"].as_i64()).unwrap();
    assert_eq!(last["kind"], "inspection");
    assert_eq!(last["seq"], first + 1);
    assert_eq!(last["occurred_on"], "2026-09-30");
    assert_eq!(last["data"]["result"], "missing");
    assert_eq!(last["data"]["note"], "原址未见");
    let asset = app.get("/api/v1/assets/A2", Some(&app.auditor));
    assert_eq!(
        asset.body["ledger_head"]["seq"],
        first + 1,
        "{}",
        asset.body
    );
    verify(app);

    let live = register();
    let progress = app.get(&format!("/api/v1/stocktakes/{id}"), Some(&app.clerk));
    let counts = by_result(&progress.body["stocktake"]["progress"]);
    assert_eq!(counts["normal"], (1, live["A1"].fen));
    assert_eq!(counts["missing"], (1, live["A2"].fen));
    assert_eq!(counts["idle"], (1, live["B1"].fen));
    let unchecked: i64 = live
        .iter()
        .filter(|(c, _)| !["A1", "A2", "B1"].contains(&c.as_str()))
        .map(|(_, a)| a.fen)
        .sum();
    assert_eq!(counts["unchecked"], (live.len() as i64 - 3, unchecked));
    assert_eq!(
        fen(progress.body["stocktake"]["progress"]["loss"]
            .as_str()
            .unwrap()),
        live["A2"].fen
    );
    // The finding of the last inspection sees the result too.
    let found = app.get("/api/v1/findings?kind=idle_or_damaged", Some(&app.auditor));
    let codes: Vec<&str> = found.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["asset_code"].as_str())
        .collect();
    assert_eq!(codes, ["A2", "B1"]);

    // A result recorded again replaces the campaign's, and the ledger keeps both.
    let again = results(
        app,
        &app.clerk,
        &id,
        json!([{"asset_code": "A2", "result": "正常", "checked_on": "2026-10-09"}]),
    );
    assert_eq!(again.status, Status::Created, "{}", again.body);
    let progress = app.get(&format!("/api/v1/stocktakes/{id}"), Some(&app.clerk));
    assert_eq!(
        by_result(&progress.body["stocktake"]["progress"])["missing"],
        (0, 0)
    );
    verify(app);
}

/// The one error expected: index, field, code, and a part of its message.
type Expected = (usize, &'static str, &'static str, &'static str);

/// Posts `body` and checks the single error it gets, and that nothing was written.
fn refused(app: &TestApp, token: &str, id: &str, body: Value, expected: Expected) {
    let before = written(app);
    let reply = results(app, token, id, body.clone());
    assert_eq!(
        reply.status,
        Status::UnprocessableEntity,
        "{body}: {}",
        reply.body
    );
    assert_eq!(
        reply.body["type"], "urn:asset-registry:problem:results_rejected",
        "{}",
        reply.body
    );
    let errors = reply.body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{}", reply.body);
    let (index, field, code, message) = expected;
    assert_eq!(errors[0]["index"], index);
    assert_eq!(errors[0]["field"], field);
    assert_eq!(errors[0]["code"], code);
    let text = errors[0]["message"].as_str().unwrap();
    assert!(
        text.contains(message) && has_chinese(text),
        "{code}: {text}"
    );
    assert!(reply.body["detail"]
        .as_str()
        .unwrap()
        .contains("未写入任何盘点结果"));
    assert_eq!(written(app), before, "nothing written for {code}");
}

/// A scoped clerk's result for an asset of another village is answered exactly as one
/// for a code nobody registered: the upload does not tell whether a code exists outside
/// the token's scope, nor that the county's campaign lists it.
fn an_asset_outside_the_scope_reads_as_unknown(app: &TestApp) {
    setup(app);
    let id = open_county(app);
    let east = token(app, Role::Clerk, "village:桑镇/东村");
    let before = written(app);
    let reply = results(
        app,
        &east,
        &id,
        json!([
            {"asset_code": "B1", "result": "normal", "checked_on": "2026-09-30"},
            {"asset_code": "B404", "result": "normal", "checked_on": "2026-09-30"},
        ]),
    );
    assert_eq!(reply.status, Status::UnprocessableEntity, "{}", reply.body);
    assert_eq!(
        reply.body["errors"],
        json!([
            {"index": 0, "field": "asset_code", "code": "unknown_asset",
             "message": "没有资产编号为“B1”的资产"},
            {"index": 1, "field": "asset_code", "code": "unknown_asset",
             "message": "没有资产编号为“B404”的资产"},
        ])
    );
    assert_eq!(written(app), before);
}

fn every_refused_result_names_its_row_and_nothing_is_written(app: &TestApp) {
    setup(app);
    let id = open_county(app);
    // Registered after the campaign opened: not on its list.
    let late = "项目编号,项目名称,项目年度,镇街,村,项目资金(元),资产编号,资产名称,资产类别,资产价值(元),所有权人\nP9,新项目,2026,桑镇,东村,100,N1,新资产,公益性,100,东村\n";
    assert_eq!(app.import(late.as_bytes(), false).status, Status::Created);
    // Disposed of after the campaign opened: on its list, but takes no result.
    let disposed = post_json(
        app,
        "/api/v1/assets/A3/ledger",
        &app.clerk,
        &json!({"kind": "disposed", "occurred_on": "2026-09-01", "method": "auction", "approval_no": "桑财〔2026〕9号"}),
    );
    assert_eq!(disposed.status, Status::Created, "{}", disposed.body);
    let ok = json!({"asset_code": "A1", "result": "normal", "checked_on": "2026-09-30"});
    let east = token(app, Role::Clerk, "village:桑镇/东村");
    let tomorrow =
        (asset_registry::domain::dates::today_in_china() + chrono::Days::new(1)).to_string();
    let cases: Vec<(String, Value, Expected)> = vec![
        (
            app.clerk.clone(),
            json!({"asset_code": "ZZ-404", "result": "normal", "checked_on": "2026-09-30"}),
            (
                1,
                "asset_code",
                "unknown_asset",
                "没有资产编号为“ZZ-404”的资产",
            ),
        ),
        (
            app.clerk.clone(),
            json!({"asset_code": "N1", "result": "normal", "checked_on": "2026-09-30"}),
            (
                1,
                "asset_code",
                "not_in_campaign",
                "不在盘点“2026年度资产清查”的清单中",
            ),
        ),
        (
            app.clerk.clone(),
            json!({"asset_code": DISPOSED, "result": "normal", "checked_on": "2026-09-30"}),
            (1, "asset_code", "not_in_campaign", "清单中"),
        ),
        (
            app.clerk.clone(),
            json!({"asset_code": "A3", "result": "missing", "checked_on": "2026-09-30"}),
            (
                1,
                "asset_code",
                "asset_disposed",
                "资产“A3”已处置，不能记录盘点结果",
            ),
        ),
        (
            east.clone(),
            json!({"asset_code": "B1", "result": "normal", "checked_on": "2026-09-30"}),
            (1, "asset_code", "unknown_asset", "没有资产编号为“B1”的资产"),
        ),
        (
            app.clerk.clone(),
            json!({"asset_code": "A2", "result": "lost", "checked_on": "2026-09-30"}),
            (
                1,
                "result",
                "invalid_result",
                "盘点结果应为 正常、闲置、损毁 或 缺失",
            ),
        ),
        (
            app.clerk.clone(),
            json!({"asset_code": "A2", "result": "idle", "checked_on": "2026-02-30"}),
            (1, "checked_on", "invalid_date", "盘点日期“2026-02-30”无效"),
        ),
        (
            app.clerk.clone(),
            json!({"asset_code": "A2", "result": "idle", "checked_on": tomorrow}),
            (1, "checked_on", "invalid_date", "晚于今天"),
        ),
        (
            app.clerk.clone(),
            json!({"asset_code": "A2", "result": "idle", "checked_on": "1900-01-01"}),
            (1, "checked_on", "invalid_date", "应在 1949-10-01 至"),
        ),
        (
            app.clerk.clone(),
            json!({"asset_code": "ａ１", "result": "idle", "checked_on": "2026-09-30"}),
            (
                1,
                "asset_code",
                "duplicate_in_upload",
                "在本次上传的第 1 条已出现",
            ),
        ),
        (
            app.clerk.clone(),
            json!({"result": "idle", "checked_on": "2026-09-30"}),
            (1, "asset_code", "required", "缺少资产编号"),
        ),
        (
            app.clerk.clone(),
            json!({"asset_code": "A2", "checked_on": "2026-09-30"}),
            (1, "result", "required", "缺少盘点结果"),
        ),
        (
            app.clerk.clone(),
            json!({"asset_code": "A2", "result": "idle", "checked_on": "2026-09-30", "note": "长".repeat(1001)}),
            (1, "note", "field_too_long", "备注超过 1000 个字符"),
        ),
    ];
    for (who, bad, expected) in cases {
        refused(app, &who, &id, json!([ok.clone(), bad]), expected);
    }
    // Several wrong rows: each listed, by index.
    let before = written(app);
    let reply = results(
        app,
        &app.clerk,
        &id,
        json!([
            {"asset_code": "ZZ-1", "result": "normal", "checked_on": "2026-09-30"},
            ok.clone(),
            {"asset_code": "A3", "result": "broken", "checked_on": "yesterday"},
        ]),
    );
    assert_eq!(reply.status, Status::UnprocessableEntity);
    let listed: Vec<(i64, &str)> = reply.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["index"].as_i64().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        listed,
        [
            (0, "unknown_asset"),
            (2, "invalid_result"),
            (2, "invalid_date")
        ]
    );
    assert_eq!(written(app), before);

    for (body, code, message) in [
        (json!([]), "no_results", "没有要记录的盘点结果"),
        (
            json!({"asset_code": "A1"}),
            "invalid_body",
            "请求体应为 JSON 数组",
        ),
    ] {
        let reply = results(app, &app.clerk, &id, body);
        assert_eq!(reply.status, Status::UnprocessableEntity, "{}", reply.body);
        assert_eq!(reply.body["errors"][0]["code"], code);
        assert!(reply.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains(message));
        assert_eq!(written(app), before);
    }
    let auditor = results(app, &app.auditor, &id, json!([ok.clone()]));
    assert_eq!(auditor.status, Status::Forbidden);
    let missing = results(
        app,
        &app.clerk,
        "00000000-0000-0000-0000-000000000000",
        json!([ok.clone()]),
    );
    assert_eq!(missing.status, Status::NotFound);

    // A closed campaign takes nothing.
    let closed = app.post(
        &format!("/api/v1/stocktakes/{id}/close"),
        Some(&app.clerk),
        Vec::new(),
        ContentType::JSON,
    );
    assert_eq!(closed.status, Status::Ok, "{}", closed.body);
    let before = written(app);
    let reply = results(app, &app.clerk, &id, json!([ok]));
    assert_eq!(reply.status, Status::UnprocessableEntity, "{}", reply.body);
    assert_eq!(reply.body["errors"][0]["code"], "campaign_closed");
    assert!(reply.body["detail"].as_str().unwrap().contains("已于"));
    let again = app.post(
        &format!("/api/v1/stocktakes/{id}/close"),
        Some(&app.clerk),
        Vec::new(),
        ContentType::JSON,
    );
    assert_eq!(again.body["errors"][0]["code"], "campaign_closed");
    assert_eq!(written(app), before);
    verify(app);
}

/// A refusal without its `instance` (the request's id): what every such answer says.
fn without_instance(mut body: Value) -> Value {
    if let Some(object) = body.as_object_mut() {
        object.remove("instance");
    }
    body
}

/// A results refusal of one error, as the whole body says it.
fn one_refusal(error: Value) -> Value {
    json!({
        "type": "urn:asset-registry:problem:results_rejected",
        "title": "请求内容无效",
        "status": 422,
        "detail": "共有 1 处错误，未写入任何盘点结果；请修正后重新提交",
        "errors": [error],
    })
}

fn control_characters_in_results_are_refused_by_field_and_nothing_is_written(app: &TestApp) {
    setup(app);
    let id = open_county(app);
    let ok = json!({"asset_code": "A1", "result": "normal", "checked_on": "2026-09-30"});
    let long = "A".repeat(65);
    let cases = [
        (
            json!({"asset_code": "A2\u{0}", "result": "idle", "checked_on": "2026-09-30"}),
            json!({"index": 1, "field": "asset_code", "code": "invalid_code",
                   "message": "资产编号“A2\\0”含有控制字符或不可见字符（如空字符、零宽空格、双向控制符）"}),
        ),
        (
            json!({"asset_code": "A\u{200b}2", "result": "idle", "checked_on": "2026-09-30"}),
            json!({"index": 1, "field": "asset_code", "code": "invalid_code",
                   "message": "资产编号“A\\u{200b}2”含有控制字符或不可见字符（如空字符、零宽空格、双向控制符）"}),
        ),
        (
            json!({"asset_code": long, "result": "idle", "checked_on": "2026-09-30"}),
            json!({"index": 1, "field": "asset_code", "code": "field_too_long",
                   "message": "资产编号最长 64 个字符，此处为 65 个"}),
        ),
        (
            json!({"asset_code": "A2", "result": "idle", "checked_on": "2026-09-30", "note": "围栏\u{0}损坏"}),
            json!({"index": 1, "field": "note", "code": "invalid_value",
                   "message": "备注含有空字符（NUL），多为文件损坏或另存格式不对"}),
        ),
        (
            json!({"asset_code": "A2", "result": "idle", "checked_on": "2026-09-30", "note": "围栏\u{202e}坏损"}),
            json!({"index": 1, "field": "note", "code": "invalid_value",
                   "message": "备注含有控制字符或双向控制符（U+202E）"}),
        ),
    ];
    for (bad, error) in cases {
        let before = written(app);
        let reply = results(app, &app.clerk, &id, json!([ok.clone(), bad]));
        assert_eq!(reply.status, Status::UnprocessableEntity, "{}", reply.body);
        assert_eq!(without_instance(reply.body), one_refusal(error));
        assert_eq!(written(app), before);
    }
    // The same in a filled-in checklist: named by its line, cell and column.
    let before = written(app);
    let reply = app.post(
        &format!("/api/v1/stocktakes/{id}/results"),
        Some(&app.clerk),
        "资产编号,盘点结果,盘点日期,备注\nA1,正常,2026-09-30,\nA2\u{0},闲置,2026-09-30,\n"
            .as_bytes()
            .to_vec(),
        ContentType::CSV,
    );
    assert_eq!(reply.status, Status::UnprocessableEntity, "{}", reply.body);
    assert_eq!(
        without_instance(reply.body),
        one_refusal(
            json!({"line": 3, "cell": "A3", "column": "资产编号", "field": "asset_code",
            "code": "invalid_code",
            "message": "资产编号“A2\\0”含有控制字符或不可见字符（如空字符、零宽空格、双向控制符）"})
        )
    );
    assert_eq!(written(app), before);
    verify(app);
}

fn fields_a_result_lacks_or_of_another_type_are_refused_and_nothing_is_written(app: &TestApp) {
    setup(app);
    let id = open_county(app);
    let ok = json!({"asset_code": "A1", "result": "normal", "checked_on": "2026-09-30"});
    let cases = [
        (
            json!({"asset_code": "A2", "result": "idle", "checked_on": "2026-09-30", "notes": "围栏损坏"}),
            json!({"index": 1, "field": "notes", "code": "unknown_field",
                   "message": "盘点结果没有字段 notes（可用字段：asset_code、result、checked_on、note、attachments）"}),
        ),
        (
            json!({"asset_code": 123, "result": "idle", "checked_on": "2026-09-30"}),
            json!({"index": 1, "field": "asset_code", "code": "invalid_type",
                   "message": "字段 asset_code 应为字符串，收到 123"}),
        ),
        (
            json!({"asset_code": "A2", "result": "idle", "checked_on": 20260930}),
            json!({"index": 1, "field": "checked_on", "code": "invalid_type",
                   "message": "字段 checked_on 应为字符串，收到 20260930"}),
        ),
        (
            json!({"asset_code": "A2", "result": "idle", "checked_on": "2026-09-30", "note": {"围栏": "损坏"}}),
            json!({"index": 1, "field": "note", "code": "invalid_type",
                   "message": "字段 note 应为字符串，收到 {\"围栏\":\"损坏\"}"}),
        ),
    ];
    for (bad, error) in cases {
        let before = written(app);
        let reply = results(app, &app.clerk, &id, json!([ok.clone(), bad]));
        assert_eq!(reply.status, Status::UnprocessableEntity, "{}", reply.body);
        assert_eq!(without_instance(reply.body), one_refusal(error));
        assert_eq!(written(app), before);
    }
    // A field named twice: which result was meant is not ours to guess.
    let before = written(app);
    let reply = app.post(
        &format!("/api/v1/stocktakes/{id}/results"),
        Some(&app.clerk),
        br#"[{"asset_code": "A1", "result": "normal", "result": "missing", "checked_on": "2026-09-30"}]"#
            .to_vec(),
        ContentType::JSON,
    );
    assert_eq!(reply.status, Status::UnprocessableEntity, "{}", reply.body);
    assert_eq!(
        reply.body["type"], "urn:asset-registry:problem:malformed_json",
        "{}",
        reply.body
    );
    assert!(
        reply.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("result")),
        "{}",
        reply.body
    );
    assert_eq!(written(app), before);
    verify(app);
}

fn get_bytes(app: &TestApp, path: &str, token: &str) -> (Status, Option<String>, Vec<u8>) {
    let response = app
        .client
        .get(path.to_owned())
        .header(Header::new("Authorization", format!("Bearer {token}")))
        .dispatch();
    let status = response.status();
    let content_type = response.content_type().map(|c| c.to_string());
    (
        status,
        content_type,
        response.into_bytes().unwrap_or_default(),
    )
}

fn a_village_fills_in_its_checklist_and_uploads_it(app: &TestApp) {
    setup(app);
    let id = open_county(app);
    let live = register();
    let east: Vec<&String> = live
        .iter()
        .filter(|(_, a)| a.village == "东村")
        .map(|(c, _)| c)
        .collect();
    let query = format!(
        "town={}&village={}",
        support::encode("桑镇"),
        support::encode("东村")
    );
    let list = app.get(
        &format!("/api/v1/stocktakes/{id}/checklist?{query}"),
        Some(&app.clerk),
    );
    assert_eq!(list.status, Status::Ok, "{}", list.body);
    let codes: Vec<&str> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["asset_code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, east);
    assert_eq!(list.body["count"], east.len());
    assert_eq!(
        fen(list.body["value"].as_str().unwrap()),
        east.iter().map(|c| live[*c].fen).sum::<i64>()
    );

    let html = app.get(
        &format!("/api/v1/stocktakes/{id}/checklist.html?{query}"),
        Some(&app.clerk),
    );
    let text = html.body.as_str().expect("a page").to_owned();
    assert!(text.contains("盘点人（签字）") && text.contains("村集体负责人（签字）"));
    assert!(
        text.contains(&grouped(live["A1"].fen)),
        "money with separators"
    );
    assert!(text.contains("（北京时间）") && !text.contains("UTC"));

    let (status, content_type, bytes) = get_bytes(
        app,
        &format!("/api/v1/stocktakes/{id}/checklist.xlsx?{query}"),
        &app.clerk,
    );
    assert_eq!(status, Status::Ok);
    assert!(content_type.unwrap_or_default().contains("spreadsheetml"));
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).expect("xlsx");
    let sheet = workbook.worksheet_range("盘点表").expect("sheet");
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    let header = rows
        .iter()
        .position(|r| r.first().map(String::as_str) == Some("资产编号"))
        .expect("header");
    assert_eq!(&rows[header][9..12], ["盘点结果", "盘点日期", "备注"]);
    let listed: Vec<&str> = rows[header + 1..]
        .iter()
        .map(|r| r[0].as_str())
        .filter(|c| !c.is_empty() && !c.contains("签字"))
        .collect();
    assert_eq!(listed, east);

    // The village fills in the workbook (the first asset missing, the rest normal) and
    // uploads it.
    let mut filled = rust_xlsxwriter::Workbook::new();
    let out = filled.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            out.write_string(r as u32, c as u16, cell).unwrap();
        }
        if r > header && east.contains(&&row[0]) {
            let result = if row[0] == *east[0] {
                "缺失"
            } else {
                "正常"
            };
            out.write_string(r as u32, 9, result).unwrap();
            out.write_string(r as u32, 10, "2026年10月8日").unwrap();
        }
    }
    let upload = filled.save_to_buffer().unwrap();
    let reply = app.post(
        &format!("/api/v1/stocktakes/{id}/results"),
        Some(&app.clerk),
        upload,
        ContentType::Binary,
    );
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    assert_eq!(reply.body["recorded"], east.len());
    let list = app.get(
        &format!("/api/v1/stocktakes/{id}/checklist?{query}"),
        Some(&app.clerk),
    );
    let marks: Vec<(&str, &str)> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["result"].as_str().unwrap(),
                i["checked_on"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(marks[0], ("missing", "2026-10-08"));
    assert!(marks[1..].iter().all(|m| *m == ("normal", "2026-10-08")));
    verify(app);

    // The same as GBK CSV with a wrong row: its line and cell, nothing written.
    let csv = "桑镇东村盘点表\n资产编号,资产名称,盘点结果,盘点日期,备注\nB2,茶园,正常,2026-10-08,\n\nA3,路灯,丢了,2026-10-08,\n";
    let before = written(app);
    let reply = app.post(
        &format!("/api/v1/stocktakes/{id}/results"),
        Some(&app.clerk),
        support::gbk(csv),
        ContentType::CSV,
    );
    assert_eq!(reply.status, Status::UnprocessableEntity, "{}", reply.body);
    let error = &reply.body["errors"][0];
    assert_eq!(
        (
            error["line"].as_i64(),
            error["cell"].as_str(),
            error["column"].as_str()
        ),
        (Some(5), Some("C5"), Some("盘点结果"))
    );
    assert_eq!(error["code"], "invalid_result");
    assert_eq!(reply.body["errors"].as_array().unwrap().len(), 1);
    assert_eq!(written(app), before);
    let no_column = app.post(
        &format!("/api/v1/stocktakes/{id}/results"),
        Some(&app.clerk),
        "资产编号,备注\nA1,x\n".as_bytes().to_vec(),
        ContentType::CSV,
    );
    assert_eq!(
        no_column.body["errors"][0]["code"], "missing_column",
        "{}",
        no_column.body
    );
    assert!(no_column.body["detail"]
        .as_str()
        .unwrap()
        .contains("盘点结果"));
    let no_header = app.post(
        &format!("/api/v1/stocktakes/{id}/results"),
        Some(&app.clerk),
        "a,b\n1,2\n".as_bytes().to_vec(),
        ContentType::CSV,
    );
    assert_eq!(
        no_header.body["errors"][0]["code"], "no_header",
        "{}",
        no_header.body
    );
    assert_eq!(written(app), before);
}

/// Two assets of 桑镇 that belong to no village (a town's own project).
const NO_VILLAGE: &str = "项目编号,项目名称,项目年度,镇街,村,项目资金(元),资产编号,资产名称,资产类别,资产价值(元),所有权人,所有权人类型,所有权人证件号,管护主体,确权日期,确权证书编号
P4,镇级冷库,2021,桑镇,,30000.00,D1,冷库,经营性,25000.00,桑镇人民政府,政府部门,,桑镇农业服务中心,2021-06-01,兴确字8号
P4,镇级冷库,2021,桑镇,,30000.00,D2,制冷机组,经营性,5000.00,桑镇人民政府,政府部门,,桑镇农业服务中心,2021-06-01,兴确字9号
";

/// The asset codes of a checklist's JSON answer for `query`, sorted.
fn checklist_codes(app: &TestApp, id: &str, query: &str) -> Vec<String> {
    let reply = app.get(
        &format!("/api/v1/stocktakes/{id}/checklist?{query}"),
        Some(&app.clerk),
    );
    assert_eq!(reply.status, Status::Ok, "{query}: {}", reply.body);
    let mut codes: Vec<String> = reply.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["asset_code"].as_str().expect("code").to_owned())
        .collect();
    assert_eq!(reply.body["count"], codes.len());
    codes.sort();
    codes
}

/// The first column's asset codes of a checklist workbook.
fn workbook_codes(bytes: Vec<u8>) -> Vec<String> {
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).expect("xlsx");
    let sheet = workbook.worksheet_range("盘点表").expect("sheet");
    let first: Vec<String> = sheet
        .rows()
        .map(|r| r.first().map(ToString::to_string).unwrap_or_default())
        .collect();
    let header = first.iter().position(|c| c == "资产编号").expect("header");
    let mut codes: Vec<String> = first[header + 1..]
        .iter()
        .filter(|c| !c.is_empty() && !c.contains("签字"))
        .cloned()
        .collect();
    codes.sort();
    codes
}

fn an_empty_village_lists_the_assets_of_no_village(app: &TestApp) {
    setup(app);
    let reply = app.import(NO_VILLAGE.as_bytes(), false);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    let id = open_county(app);
    let town = support::encode("桑镇");
    let none = format!("town={town}&village=");
    assert_eq!(checklist_codes(app, &id, &none), ["D1", "D2"]);
    // Absent, every village of the town and the assets of none.
    assert_eq!(
        checklist_codes(app, &id, &format!("town={town}")),
        ["A1", "A2", "A3", "B1", "B2", "D1", "D2"]
    );
    let east = format!("town={town}&village={}", support::encode("东村"));
    assert_eq!(checklist_codes(app, &id, &east), ["A1", "A2", "A3"]);
    let (status, _, bytes) = get_bytes(
        app,
        &format!("/api/v1/stocktakes/{id}/checklist.xlsx?{none}"),
        &app.clerk,
    );
    assert_eq!(status, Status::Ok);
    assert_eq!(workbook_codes(bytes), ["D1", "D2"]);

    // The campaign page's row of 桑镇's assets of no village links to those assets.
    let browser = app.signed_in(&app.clerk);
    let page = browser
        .get(format!("/stocktakes/{id}"))
        .dispatch()
        .into_string()
        .expect("page");
    let row = page
        .split("<tr>")
        .find(|row| row.contains("<td>桑镇</td><td>（不属于任何村）</td>"))
        .unwrap_or_else(|| panic!("no row of 桑镇 without a village: {page}"));
    let href = |suffix: &str| {
        let start = row
            .find(&format!("/checklist.{suffix}?"))
            .unwrap_or_else(|| panic!("no {suffix} link: {row}"));
        let from = row[..start].rfind('"').expect("href") + 1;
        let to = start + row[start..].find('"').expect("href end");
        row[from..to].replace("&amp;", "&")
    };
    let printed = browser
        .get(href("html"))
        .dispatch()
        .into_string()
        .expect("checklist page");
    assert!(
        printed.contains("D1") && printed.contains("D2") && !printed.contains("A1"),
        "{printed}"
    );
    assert!(printed.contains("清单：桑镇（不属于任何村）"), "{printed}");
    let excel = browser.get(href("xlsx")).dispatch();
    assert_eq!(excel.status(), Status::Ok);
    assert_eq!(
        workbook_codes(excel.into_bytes().expect("workbook")),
        ["D1", "D2"]
    );
}

fn closing_reports_the_loss_and_raises_not_stocktaken(app: &TestApp) {
    setup(app);
    let id = open_county(app);
    let live = register();
    let checked = [
        ("A1", "normal"),
        ("A2", "missing"),
        ("B1", "damaged"),
        ("C1", "missing"),
    ];
    let body: Vec<Value> = checked
        .iter()
        .map(|(c, r)| json!({"asset_code": c, "result": r, "checked_on": "2026-10-08"}))
        .collect();
    assert_eq!(
        results(app, &app.clerk, &id, json!(body)).status,
        Status::Created
    );
    let east = token(app, Role::Clerk, "village:桑镇/东村");
    let refused = app.post(
        &format!("/api/v1/stocktakes/{id}/close"),
        Some(&east),
        Vec::new(),
        ContentType::JSON,
    );
    assert_eq!(
        refused.body["errors"][0]["code"], "scope_outside_token",
        "{}",
        refused.body
    );
    let head = app.get("/api/v1/ledger/verify", Some(&app.auditor)).body["head"]["seq"].as_i64();
    let closed = app.post(
        &format!("/api/v1/stocktakes/{id}/close"),
        Some(&app.clerk),
        Vec::new(),
        ContentType::JSON,
    );
    assert_eq!(closed.status, Status::Ok, "{}", closed.body);
    let report = closed.body.clone();
    assert_eq!(report["stocktake"]["status"], "closed");
    if let Some(head) = head {
        assert_eq!(report["stocktake"]["closed_seq"], head);
    }
    // Every figure from the register's own data.
    let mut expected: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for (code, asset) in &live {
        let result = checked
            .iter()
            .find(|(c, _)| c == code)
            .map_or("unchecked", |(_, r)| *r);
        let slot = expected.entry(result).or_default();
        slot.0 += 1;
        slot.1 += asset.fen;
    }
    for result in ["normal", "idle", "damaged", "missing", "unchecked"] {
        expected.entry(result).or_default();
    }
    let counts = by_result(&report["stocktake"]["progress"]);
    assert_eq!(
        counts
            .iter()
            .map(|(k, v)| (k.as_str(), *v))
            .collect::<BTreeMap<_, _>>(),
        expected
    );
    let loss = expected["missing"].1;
    assert_eq!(
        report["stocktake"]["progress"]["loss"],
        yuan(loss),
        "盘亏 to the fen"
    );

    // The unchecked assets are findings.
    let found = app.get("/api/v1/findings?kind=not_stocktaken", Some(&app.auditor));
    assert_eq!(found.status, Status::Ok, "{}", found.body);
    let codes: Vec<&str> = found.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["asset_code"].as_str().unwrap())
        .collect();
    let unchecked: Vec<&str> = live
        .keys()
        .map(String::as_str)
        .filter(|c| !checked.iter().any(|(k, _)| k == c))
        .collect();
    assert_eq!(codes, unchecked);
    assert!(found.body["items"][0]["detail"]
        .as_str()
        .unwrap()
        .contains("2026年度资产清查"));
    let in_east = app.get("/api/v1/findings?kind=not_stocktaken", Some(&east));
    let east_codes: Vec<&str> = in_east.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["asset_code"].as_str().unwrap())
        .collect();
    let expected_east: Vec<&str> = unchecked
        .iter()
        .copied()
        .filter(|c| live[*c].village == "东村")
        .collect();
    assert_eq!(east_codes, expected_east);

    // What happens after closing leaves the report as it was closed.
    let adjusted = post_json(
        app,
        "/api/v1/assets/A2/ledger",
        &app.clerk,
        &json!({"kind": "value_adjusted", "occurred_on": "2026-11-01", "value": "1.00", "reason": "评估"}),
    );
    assert_eq!(adjusted.status, Status::Created, "{}", adjusted.body);
    let later = app.get(
        &format!("/api/v1/stocktakes/{id}/report"),
        Some(&app.auditor),
    );
    assert_eq!(later.body["stocktake"], report["stocktake"]);
    assert_eq!(later.body["by_village"], report["by_village"]);
    let html = app.get(
        &format!("/api/v1/stocktakes/{id}/report.html"),
        Some(&app.auditor),
    );
    let text = html.body.as_str().expect("a page");
    assert!(
        text.contains(&format!("{} 元", grouped(loss))),
        "盘亏 shown with separators"
    );
    for label in [
        "正常",
        "损毁",
        "缺失",
        "未盘点",
        "（北京时间）",
        "单位负责人（签字）",
    ] {
        assert!(text.contains(label), "{label}");
    }
    assert!(!text.contains("UTC") && !text.contains(">missing<"));
    verify(app);
}

fn a_village_worker_records_a_result_from_the_phone_page(app: &TestApp) {
    setup(app);
    let id = open_county(app);
    let worker = token(app, Role::Clerk, "village:桑镇/东村");
    let browser = app.signed_in(&worker);
    let page = browser
        .get(format!(
            "/stocktakes/{id}/check?q={}",
            support::encode("光伏")
        ))
        .dispatch();
    assert_eq!(page.status(), Status::Ok);
    let text = page.into_string().unwrap();
    assert!(
        text.contains("A1") && text.contains("村级光伏电站") && text.contains("name=\"result\"")
    );
    // ASCII letters match in either case, as in every list; nothing else is folded.
    for (q, found) in [("led", true), ("Led太阳", true), ("ＬＥＤ", false)] {
        let page = browser
            .get(format!("/stocktakes/{id}/check?q={}", support::encode(q)))
            .dispatch()
            .into_string()
            .unwrap();
        assert_eq!(page.contains("LED太阳能路灯"), found, "{q}: {page}");
    }
    let form = format!(
        "asset_code=A1&q=%E5%85%89%E4%BC%8F&result=damaged&checked_on=2026-10-08&note={}",
        support::encode("支架锈蚀")
    );
    let done = browser
        .post(format!("/stocktakes/{id}/check"))
        .header(ContentType::Form)
        .body(form)
        .dispatch();
    assert_eq!(done.status(), Status::SeeOther);
    let marks = app.get(
        &format!(
            "/api/v1/stocktakes/{id}/checklist?town={}",
            support::encode("桑镇")
        ),
        Some(&app.clerk),
    );
    let a1 = marks.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["asset_code"] == "A1")
        .unwrap()
        .clone();
    assert_eq!(
        (a1["result"].as_str(), a1["checked_on"].as_str()),
        (Some("damaged"), Some("2026-10-08"))
    );
    // A wrong date comes back on the page, nothing written.
    let before = written(app);
    let bad = browser
        .post(format!("/stocktakes/{id}/check"))
        .header(ContentType::Form)
        .body("asset_code=A2&result=normal&checked_on=2026-13-01")
        .dispatch();
    assert_eq!(bad.status(), Status::UnprocessableEntity);
    assert!(bad
        .into_string()
        .unwrap()
        .contains("盘点日期“2026-13-01”无效"));
    // Another village's asset cannot be found from here.
    let other = browser
        .get(format!("/stocktakes/{id}/check?q=B1"))
        .dispatch()
        .into_string()
        .unwrap();
    assert!(other.contains("没有找到"));
    assert_eq!(written(app), before);
    verify(app);
    // The campaign pages: the list, the detail, closed to readers.
    let list = browser.get("/stocktakes").dispatch().into_string().unwrap();
    assert!(list.contains("2026年度资产清查") && list.contains("进行中"));
    let detail = browser
        .get(format!("/stocktakes/{id}"))
        .dispatch()
        .into_string()
        .unwrap();
    assert!(detail.contains("盘亏") && detail.contains("东村") && !detail.contains("西村"));
    let reader = app.signed_in(&app.reader);
    assert_eq!(
        reader.get("/stocktakes").dispatch().status(),
        Status::Forbidden
    );
}

/// The one-time key of the phone page's form for `asset`, checked to be a UUID.
fn check_form_key(page: &str, asset: &str) -> String {
    let marker = format!("name=\"asset_code\" value=\"{asset}\"");
    let key = page
        .split_once(&marker)
        .and_then(|(_, rest)| rest.split_once("name=\"form_key\" value=\""))
        .and_then(|(_, rest)| rest.split_once('"'))
        .unwrap_or_else(|| panic!("no form key for {asset} in {page}"))
        .0
        .to_owned();
    assert!(uuid::Uuid::parse_str(&key).is_ok(), "{key}");
    key
}

fn a_repeated_phone_form_records_once(app: &TestApp) {
    setup(app);
    let id = open_county(app);
    let browser = app.signed_in(&app.clerk);
    let search = format!("/stocktakes/{id}/check?q={}", support::encode("光伏"));
    let page = browser
        .get(search.clone())
        .dispatch()
        .into_string()
        .unwrap();
    let key = check_form_key(&page, "A1");
    let post = |result: &str, key: &str| {
        let form = format!(
            "asset_code=A1&q=%E5%85%89%E4%BC%8F&result={result}&checked_on=2026-10-08&form_key={key}"
        );
        let reply = browser
            .post(format!("/stocktakes/{id}/check"))
            .header(ContentType::Form)
            .body(form)
            .dispatch();
        let location = reply.headers().get_one("Location").map(str::to_owned);
        (
            reply.status(),
            location,
            reply.into_string().unwrap_or_default(),
        )
    };
    let entries = || {
        app.get("/api/v1/assets/A1/ledger", Some(&app.auditor)).body["items"]
            .as_array()
            .expect("items")
            .len()
    };
    let before = entries();
    let (status, location, _) = post("damaged", &key);
    assert_eq!(status, Status::SeeOther);
    assert!(!location.unwrap().contains("repeated"));
    assert_eq!(entries(), before + 1);
    let state = written(app);
    // The same form again: nothing recorded, and the page says so.
    let (status, location, _) = post("damaged", &key);
    assert_eq!(status, Status::SeeOther);
    let location = location.unwrap();
    assert!(location.ends_with("&repeated=true"), "{location}");
    let shown = browser.get(location).dispatch().into_string().unwrap();
    assert!(shown.contains("此表单已提交，未重复记录"), "{shown}");
    assert_eq!(written(app), state);
    assert_eq!(entries(), before + 1);
    // The same key with another result: refused, nothing recorded.
    let (status, _, refused) = post("normal", &key);
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(refused.contains("内容与当时不同，未记录"), "{refused}");
    assert_eq!(written(app), state);
    // A fresh page's form is another result.
    let page = browser.get(search).dispatch().into_string().unwrap();
    let other = check_form_key(&page, "A1");
    assert_ne!(other, key);
    let (status, _, _) = post("normal", &other);
    assert_eq!(status, Status::SeeOther);
    assert_eq!(entries(), before + 2);
    verify(app);
}

fn attachments_count(app: &TestApp) -> i64 {
    use asset_registry::db::schema::attachments;
    let mut conn = app.db.conn().expect("connection");
    attachments::table
        .count()
        .get_result(&mut *conn)
        .expect("count")
}

/// The last inspection entry of `asset`, as the ledger API shows it.
fn last_inspection(app: &TestApp, asset: &str) -> Value {
    let ledger = app.get(
        &format!("/api/v1/assets/{asset}/ledger?limit=1000"),
        Some(&app.auditor),
    );
    ledger.body["items"]
        .as_array()
        .and_then(|items| items.iter().rev().find(|e| e["kind"] == "inspection"))
        .cloned()
        .unwrap_or(Value::Null)
}

/// A result may cite photos already uploaded (`attachments`, as any entry); a digest
/// not stored or not a digest is the row's error and nothing is written; the phone
/// page takes the photo itself and the entry cites it.
fn results_cite_their_photos(app: &TestApp) {
    setup(app);
    let id = open_county(app);
    let photo = app.post(
        "/api/v1/attachments?filename=a1.jpg",
        Some(&app.clerk),
        b"\xff\xd8\xff photo of A1".to_vec(),
        ContentType::Binary,
    );
    assert_eq!(photo.status, Status::Created, "{}", photo.body);
    let sha = photo.body["sha256"].as_str().unwrap_or_default().to_owned();
    let before = written(app);
    for (sent, code) in [
        (json!(["0".repeat(64)]), "unknown_attachment"),
        (json!("not-a-list"), "invalid_value"),
        (json!(["abc"]), "invalid_value"),
    ] {
        let reply = results(
            app,
            &app.clerk,
            &id,
            json!([{"asset_code": "A1", "result": "normal", "checked_on": "2026-10-08", "attachments": sent}]),
        );
        assert_eq!(reply.status, Status::UnprocessableEntity, "{}", reply.body);
        let error = &reply.body["errors"][0];
        assert_eq!(
            (
                error["index"].clone(),
                error["field"].clone(),
                error["code"].clone()
            ),
            (json!(0), json!("attachments"), json!(code)),
            "{}",
            reply.body
        );
        assert!(has_chinese(error["message"].as_str().unwrap_or_default()));
        assert_eq!(written(app), before, "nothing written for {sent}");
    }
    let reply = results(
        app,
        &app.clerk,
        &id,
        json!([{"asset_code": "A1", "result": "normal", "checked_on": "2026-10-08",
                "attachments": [sha.to_uppercase()]}]),
    );
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    assert_eq!(
        last_inspection(app, "A1")["data"]["attachments"],
        json!([sha])
    );
    // The phone page: a photo taken on site goes with the result.
    let worker = token(app, Role::Clerk, "village:桑镇/东村");
    let browser = app.signed_in(&worker);
    let stored = attachments_count(app);
    let part = |name: &str, value: &str| {
        format!("--XB\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
    };
    let mut body = [
        part("asset_code", "A2"),
        part("result", "damaged"),
        part("checked_on", "2026-10-09"),
        part("note", "泵体渗水"),
    ]
    .concat()
    .into_bytes();
    body.extend_from_slice(
        b"--XB\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"pump.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff pump\r\n--XB--\r\n",
    );
    let done = browser
        .post(format!("/stocktakes/{id}/check"))
        .header(ContentType::new("multipart", "form-data").with_params(("boundary", "XB")))
        .body(body)
        .dispatch();
    assert_eq!(done.status(), Status::SeeOther);
    assert_eq!(attachments_count(app), stored + 1);
    let entry = last_inspection(app, "A2");
    assert_eq!(entry["data"]["result"], "damaged");
    let cited = entry["data"]["attachments"][0].as_str().unwrap_or_default();
    let served = get_bytes(app, &format!("/api/v1/attachments/{cited}"), &worker);
    assert_eq!(
        (served.0, served.2),
        (Status::Ok, b"\xff\xd8\xff pump".to_vec())
    );
    // A refused result keeps no photo.
    let mut bad = [
        part("asset_code", "A3"),
        part("result", "normal"),
        part("checked_on", "2026-13-01"),
    ]
    .concat()
    .into_bytes();
    bad.extend_from_slice(
        b"--XB\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"lamp.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff lamp\r\n--XB--\r\n",
    );
    let refused = browser
        .post(format!("/stocktakes/{id}/check"))
        .header(ContentType::new("multipart", "form-data").with_params(("boundary", "XB")))
        .body(bad)
        .dispatch();
    assert_eq!(refused.status(), Status::UnprocessableEntity);
    assert_eq!(
        attachments_count(app),
        stored + 1,
        "the refused result's photo is not kept"
    );
    // No photo chosen: the browser still sends the field, empty.
    let mut plain = [
        part("asset_code", "A3"),
        part("result", "normal"),
        part("checked_on", "2026-10-09"),
    ]
    .concat()
    .into_bytes();
    plain.extend_from_slice(
        b"--XB\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"\"\r\nContent-Type: application/octet-stream\r\n\r\n\r\n--XB--\r\n",
    );
    let done = browser
        .post(format!("/stocktakes/{id}/check"))
        .header(ContentType::new("multipart", "form-data").with_params(("boundary", "XB")))
        .body(plain)
        .dispatch();
    assert_eq!(done.status(), Status::SeeOther);
    assert_eq!(attachments_count(app), stored + 1);
    assert_eq!(last_inspection(app, "A3")["data"]["result"], "normal");
    assert!(last_inspection(app, "A3")["data"]
        .get("attachments")
        .is_none());
    verify(app);
}

/// The phone page's photo, stored meanwhile by another request not yet committed (the
/// same picture uploaded through the API a moment before): the result is recorded and
/// cites the one stored file, kept under the first upload's name.
fn a_photo_stored_meanwhile_is_reused_by_the_phone_page(app: &TestApp) {
    use asset_registry::ledger::attachments::{digest, info, store};
    setup(app);
    let id = open_county(app);
    let photo = b"\xff\xd8\xff the same pump".to_vec();
    let stored = attachments_count(app);
    let browser = app.signed_in(&token(app, Role::Clerk, "village:桑镇/东村"));
    let mut body = [
        ("asset_code", "A2"),
        ("result", "damaged"),
        ("checked_on", "2026-10-09"),
    ]
    .map(|(name, value)| {
        format!("--XB\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
    })
    .concat()
    .into_bytes();
    body.extend_from_slice(
        b"--XB\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"phone.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n",
    );
    body.extend_from_slice(&photo);
    body.extend_from_slice(b"\r\n--XB--\r\n");
    let (status, waited) = app.beside_an_uncommitted_write(
        |conn| store(conn, &photo, "api.jpg", "clerk").map(|_| ()),
        || {
            browser
                .post(format!("/stocktakes/{id}/check"))
                .header(ContentType::new("multipart", "form-data").with_params(("boundary", "XB")))
                .body(body)
                .dispatch()
                .status()
        },
    );
    assert!(
        waited || app.backend == asset_registry::db::Backend::Sqlite,
        "the phone page did not wait for the other upload"
    );
    assert_eq!(status, Status::SeeOther);
    assert_eq!(attachments_count(app), stored + 1);
    let sha256 = digest(&photo);
    let entry = last_inspection(app, "A2");
    assert_eq!(
        (&entry["data"]["result"], &entry["data"]["attachments"]),
        (&json!("damaged"), &json!([sha256]))
    );
    let mut conn = app.db.conn().expect("connection");
    let kept = info(&mut conn, &sha256).expect("info").expect("stored");
    assert_eq!(kept.filename, "api.jpg");
    drop(conn);
    verify(app);
}

/// A retried upload with its `Idempotency-Key` answers as the first did and records
/// nothing twice; another upload, or another person, under the same key is refused.
fn a_retried_upload_records_once(app: &TestApp) {
    setup(app);
    let id = open_county(app);
    let send = |token: &str, key: &str, body: &Value| -> Reply {
        let response = app
            .client
            .post(format!("/api/v1/stocktakes/{id}/results"))
            .header(ContentType::JSON)
            .header(Header::new("Authorization", format!("Bearer {token}")))
            .header(Header::new("Idempotency-Key", key.to_owned()))
            .body(body.to_string())
            .dispatch();
        support::reply_of(response)
    };
    let upload = json!([{"asset_code": "A1", "result": "idle", "checked_on": "2026-10-08"},
                        {"asset_code": "B1", "result": "normal", "checked_on": "2026-10-08"}]);
    let first = send(&app.clerk, "r-1", &upload);
    assert_eq!(first.status, Status::Created, "{}", first.body);
    assert_eq!(first.body["recorded"], 2);
    let after = written(app);
    let again = send(&app.clerk, "r-1", &upload);
    assert_eq!((again.status, again.body), (Status::Created, first.body));
    assert_eq!(written(app), after, "the retry recorded nothing");
    let other = json!([{"asset_code": "A2", "result": "normal", "checked_on": "2026-10-08"}]);
    for (token, body) in [
        (app.clerk.clone(), other),
        (token(app, Role::Clerk, "county"), upload.clone()),
    ] {
        let refused = send(&token, "r-1", &body);
        assert_eq!(
            refused.status,
            Status::UnprocessableEntity,
            "{}",
            refused.body
        );
        assert_eq!(
            refused.body["type"], "urn:asset-registry:problem:idempotency_key_reused",
            "{}",
            refused.body
        );
        assert_eq!(written(app), after, "nothing written");
    }
    verify(app);
}

fn a_large_upload_goes_in_whole(app: &TestApp) {
    const ASSETS: usize = 2_500;
    let mut csv = String::from("项目编号,项目名称,项目年度,镇街,村,项目资金(元),资产编号,资产名称,资产类别,资产价值(元),所有权人\n");
    for i in 0..ASSETS {
        csv.push_str(&format!(
            "L{i},项目{i},2020,桑镇,东村,{v},L{i}-1,资产{i},公益性,{v},东村\n",
            v = 100 + i
        ));
    }
    assert_eq!(app.import(csv.as_bytes(), false).status, Status::Created);
    let id = open_county(app);
    let mut upload = String::from("资产编号,盘点结果,盘点日期\n");
    for i in 0..ASSETS {
        let result = ["正常", "闲置", "损毁", "缺失"][i % 4];
        upload.push_str(&format!("L{i}-1,{result},2026-10-08\n"));
    }
    let reply = app.post(
        &format!("/api/v1/stocktakes/{id}/results"),
        Some(&app.clerk),
        upload.into_bytes(),
        ContentType::CSV,
    );
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    assert_eq!(reply.body["recorded"], ASSETS);
    let progress = app.get(&format!("/api/v1/stocktakes/{id}"), Some(&app.clerk));
    let missing: i64 = (0..ASSETS)
        .filter(|i| i % 4 == 3)
        .map(|i| (100 + i as i64) * 100)
        .sum();
    assert_eq!(
        fen(progress.body["stocktake"]["progress"]["loss"]
            .as_str()
            .unwrap()),
        missing
    );
    assert_eq!(progress.body["stocktake"]["progress"]["checked"], ASSETS);
    verify(app);
}

/// The ids of the campaigns `token` sees, read a page of `limit` at a time; every page
/// but the last full.
fn paged_campaigns(app: &TestApp, token: &str, limit: usize) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor = String::new();
    loop {
        let reply = app.get(
            &format!("/api/v1/stocktakes?limit={limit}{cursor}"),
            Some(token),
        );
        assert_eq!(reply.status, Status::Ok, "{}", reply.body);
        let items = reply.body["items"].as_array().cloned().unwrap_or_default();
        ids.extend(
            items
                .iter()
                .map(|c| c["id"].as_str().unwrap_or_default().to_owned()),
        );
        match reply.body["next_cursor"].as_str() {
            Some(next) => {
                assert_eq!(items.len(), limit, "{}", reply.body);
                cursor = format!("&cursor={next}");
            }
            None => {
                assert!(items.len() <= limit, "{}", reply.body);
                return ids;
            }
        }
    }
}

/// `GET /api/v1/stocktakes` pages with `limit` and `cursor` as every list does
/// (`{items, next_cursor}`, newest first, each scope its own campaigns), and answers the
/// list alone, as before, to a caller who does not page.
fn campaigns_are_listed_a_page_at_a_time(app: &TestApp) {
    setup(app);
    let town = token(app, Role::Clerk, "town:柳镇");
    let east = token(app, Role::Clerk, "village:桑镇/东村");
    let mut opened = Vec::new();
    for (token, body) in [
        (&app.clerk, json!({"name": "一", "year": 2026})),
        (&town, json!({"name": "二", "year": 2026})),
        (
            &app.clerk,
            json!({"name": "三", "year": 2026, "scope": "village:桑镇/西村"}),
        ),
        (&east, json!({"name": "四", "year": 2026})),
        (&app.clerk, json!({"name": "五", "year": 2025})),
    ] {
        let reply = open(app, token, body);
        assert_eq!(reply.status, Status::Created, "{}", reply.body);
        opened.push(
            reply.body["stocktake"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    for (token, seen) in [
        (&app.clerk, vec![0, 1, 2, 3, 4]),
        (&east, vec![0, 3, 4]),
        (&town, vec![0, 1, 4]),
    ] {
        let whole = app.get("/api/v1/stocktakes", Some(token));
        assert_eq!(whole.status, Status::Ok, "{}", whole.body);
        let ids: Vec<String> = whole
            .body
            .as_array()
            .expect("the list alone, as before")
            .iter()
            .map(|c| c["id"].as_str().unwrap_or_default().to_owned())
            .collect();
        let mut expected: Vec<String> = seen.iter().map(|i| opened[*i].clone()).collect();
        expected.sort_by(|a, b| {
            let at = |id: &String| {
                whole
                    .body
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|c| c["id"] == id.as_str())
                    .map(|c| c["opened_at"].as_str().unwrap_or_default().to_owned())
            };
            (at(b), b).cmp(&(at(a), a))
        });
        assert_eq!(ids, expected, "newest first, each scope its own");
        for limit in [1, 2, 3, 1000] {
            assert_eq!(paged_campaigns(app, token, limit), ids, "pages of {limit}");
        }
    }
    for bad in ["limit=0", "limit=1001", "cursor=nonsense"] {
        let reply = app.get(&format!("/api/v1/stocktakes?{bad}"), Some(&app.clerk));
        assert_eq!(reply.status, Status::BadRequest, "{bad}: {}", reply.body);
    }
}

/// A post sent with an `Idempotency-Key` as `token`.
fn post_keyed(app: &TestApp, path: &str, token: &str, key: &str, body: Option<&Value>) -> Reply {
    let mut request = app
        .client
        .post(path.to_owned())
        .header(Header::new("Authorization", format!("Bearer {token}")))
        .header(Header::new("Idempotency-Key", key.to_owned()));
    if let Some(body) = body {
        request = request.header(ContentType::JSON).body(body.to_string());
    }
    support::reply_of(request.dispatch())
}

fn assert_key_reused(reply: &Reply) {
    assert_eq!(reply.status, Status::UnprocessableEntity, "{}", reply.body);
    assert_eq!(
        reply.body["type"], "urn:asset-registry:problem:idempotency_key_reused",
        "{}",
        reply.body
    );
    assert_eq!(
        reply.body["detail"], "此 Idempotency-Key 已用于另一个请求；请为新请求使用新的键",
        "{}",
        reply.body
    );
}

/// Opening a campaign again with its `Idempotency-Key` answers with the campaign
/// opened the first time and opens none; closing it again answers with the report the
/// first close returned; another body, campaign or token under a key is refused.
fn a_repeated_open_or_close_writes_once(app: &TestApp) {
    setup(app);
    let opening = json!({"name": "2026年度资产清查", "year": 2026});
    let first = post_keyed(app, "/api/v1/stocktakes", &app.clerk, "o-1", Some(&opening));
    assert_eq!(first.status, Status::Created, "{}", first.body);
    let id = first.body["stocktake"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let opened = written(app);
    assert_eq!(opened.1, 1);
    let again = post_keyed(app, "/api/v1/stocktakes", &app.clerk, "o-1", Some(&opening));
    assert_eq!((again.status, &again.body), (Status::Created, &first.body));
    assert_eq!(written(app), opened, "the repeat opened nothing");
    let other = token(app, Role::Clerk, "county");
    for (token, body) in [
        (
            app.clerk.clone(),
            json!({"name": "2026年度资产清查", "year": 2025}),
        ),
        (other.clone(), opening.clone()),
    ] {
        assert_key_reused(&post_keyed(
            app,
            "/api/v1/stocktakes",
            &token,
            "o-1",
            Some(&body),
        ));
        assert_eq!(written(app), opened, "nothing opened");
    }
    // A result, so that the report the close returns is not that of an empty campaign.
    let recorded = results(
        app,
        &app.clerk,
        &id,
        json!([{"asset_code": "A1", "result": "missing", "checked_on": "2026-10-08"}]),
    );
    assert_eq!(recorded.status, Status::Created, "{}", recorded.body);

    let close = format!("/api/v1/stocktakes/{id}/close");
    let closed = post_keyed(app, &close, &app.clerk, "c-1", None);
    assert_eq!(closed.status, Status::Ok, "{}", closed.body);
    assert_eq!(
        closed.body["stocktake"]["status"], "closed",
        "{}",
        closed.body
    );
    let state = written(app);
    let at = closed_at(app, &id);
    assert!(at.is_some());
    let again = post_keyed(app, &close, &app.clerk, "c-1", None);
    assert_eq!((again.status, &again.body), (Status::Ok, &closed.body));
    assert_eq!(written(app), state);
    assert_eq!(closed_at(app, &id), at, "the repeat closed nothing again");
    // The same key on another campaign's close, or from another token: refused.
    let second = post_keyed(app, "/api/v1/stocktakes", &app.clerk, "o-2", Some(&opening));
    assert_eq!(second.status, Status::Created, "{}", second.body);
    assert_ne!(
        second.body["stocktake"]["id"],
        first.body["stocktake"]["id"]
    );
    let state = written(app);
    let second_id = second.body["stocktake"]["id"].as_str().expect("id");
    assert_key_reused(&post_keyed(
        app,
        &format!("/api/v1/stocktakes/{second_id}/close"),
        &app.clerk,
        "c-1",
        None,
    ));
    assert_key_reused(&post_keyed(app, &close, &other, "c-1", None));
    assert_eq!(written(app), state);
    assert_eq!(closed_at(app, &id), at);
    // Without a key, closing again is refused as before.
    let refused = post_json(app, &close, &app.clerk, &json!({}));
    assert_eq!(
        refused.status,
        Status::UnprocessableEntity,
        "{}",
        refused.body
    );
    assert_eq!(refused.body["errors"][0]["code"], "campaign_closed");
    verify(app);
}

/// The one-time key of the form posting to `action` on `page`, checked to be a UUID.
fn form_key_of(page: &str, action: &str) -> String {
    let key = page
        .split_once(&format!("action=\"{action}\""))
        .and_then(|(_, rest)| rest.split_once("name=\"form_key\" value=\""))
        .and_then(|(_, rest)| rest.split_once('"'))
        .unwrap_or_else(|| panic!("no form key for {action} in {page}"))
        .0
        .to_owned();
    assert!(uuid::Uuid::parse_str(&key).is_ok(), "{key}");
    key
}

/// When the campaign `id` was closed, if it was.
fn closed_at(app: &TestApp, id: &str) -> Option<String> {
    use asset_registry::db::schema::stocktakes;
    let mut conn = app.db.conn().expect("connection");
    stocktakes::table
        .find(id)
        .select(stocktakes::closed_at)
        .first(&mut *conn)
        .expect("campaign")
}

/// The forms that open and close a campaign carry a one-time key: posted twice, the
/// second opens or closes nothing and the page says so; the same key with other content
/// is refused and writes nothing.
fn a_repeated_open_or_close_form_writes_once(app: &TestApp) {
    setup(app);
    let browser = app.signed_in(&app.clerk);
    let post = |path: &str, form: String| {
        let reply = browser
            .post(path.to_owned())
            .header(ContentType::Form)
            .body(form)
            .dispatch();
        let location = reply.headers().get_one("Location").map(str::to_owned);
        (
            reply.status(),
            location.unwrap_or_default(),
            reply.into_string().unwrap_or_default(),
        )
    };
    let page = browser.get("/stocktakes").dispatch().into_string().unwrap();
    let key = form_key_of(&page, "/stocktakes");
    let opening = |year: u32, key: &str| {
        format!(
            "name={}&year={year}&scope=&form_key={key}",
            support::encode("2026年度资产清查")
        )
    };
    let (status, first, _) = post("/stocktakes", opening(2026, &key));
    assert_eq!(status, Status::SeeOther);
    assert!(
        first.starts_with("/stocktakes/") && !first.contains('?'),
        "{first}"
    );
    let id = first.trim_start_matches("/stocktakes/").to_owned();
    let opened = written(app);
    assert_eq!(opened.1, 1);
    let (status, again, _) = post("/stocktakes", opening(2026, &key));
    assert_eq!(
        (status, again.clone()),
        (Status::SeeOther, format!("{first}?done=repeated"))
    );
    let shown = browser.get(again).dispatch().into_string().unwrap();
    assert!(shown.contains("此表单已提交，未重复记录"), "{shown}");
    assert_eq!(written(app), opened, "the repeat opened nothing");
    let (status, _, refused) = post("/stocktakes", opening(2025, &key));
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(refused.contains("内容与当时不同，未记录"), "{refused}");
    assert_eq!(written(app), opened);
    // A form without a key opens another, as before.
    let (status, other, _) = post("/stocktakes", opening(2026, ""));
    assert_eq!(status, Status::SeeOther);
    let other = other.trim_start_matches("/stocktakes/").to_owned();
    assert_ne!(other, id);
    assert_eq!(written(app).1, 2);

    let close = format!("/stocktakes/{id}/close");
    let page = browser.get(first.clone()).dispatch().into_string().unwrap();
    let key = form_key_of(&page, &close);
    let (status, location, _) = post(&close, format!("form_key={key}"));
    assert_eq!((status, location), (Status::SeeOther, first.clone()));
    let at = closed_at(app, &id);
    assert!(at.is_some());
    let state = written(app);
    let (status, location, _) = post(&close, format!("form_key={key}"));
    assert_eq!(
        (status, location.clone()),
        (Status::SeeOther, format!("{first}?done=repeated"))
    );
    let shown = browser.get(location).dispatch().into_string().unwrap();
    assert!(shown.contains("此表单已提交，未重复记录"), "{shown}");
    assert_eq!(written(app), state);
    assert_eq!(closed_at(app, &id), at, "the repeat closed nothing again");
    // The same key sent to close the other campaign: refused, that one stays open.
    let (status, _, refused) = post(
        &format!("/stocktakes/{other}/close"),
        format!("form_key={key}"),
    );
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(refused.contains("内容与当时不同，未记录"), "{refused}");
    assert_eq!(closed_at(app, &other), None);
    assert_eq!(written(app), state);
    // Without a key, closing again says the campaign is closed.
    let (status, location, _) = post(&close, String::new());
    assert_eq!(status, Status::SeeOther);
    let shown = browser.get(location).dispatch().into_string().unwrap();
    assert!(
        shown.contains("已于") && !shown.contains("未重复记录"),
        "{shown}"
    );
    assert_eq!(written(app), state);
    verify(app);
}

/// The phone page's result, sent while the chain's lock is kept past the server's
/// statement timeout (another process's long import holds it), is answered with the
/// page 数据库繁忙 (503) saying nothing was written — not the internal-error page (500)
/// — so the village worker sends it again; sent again once the lock is free, it records.
fn a_result_kept_waiting_for_the_chain_is_told_to_send_again(app: &TestApp) {
    setup(app);
    let id = open_county(app);
    let server = app.impatient_server();
    let send = || {
        support::post_form(
            &server,
            &format!("/stocktakes/{id}/check"),
            &app.clerk,
            "asset_code=A2&q=A2&result=normal&checked_on=2026-10-08".to_owned(),
        )
    };
    let before = written(app);
    let ((status, _, page), in_time) =
        app.beside_a_held_chain_lock(std::time::Duration::from_secs(60), send);
    assert!(in_time, "the result waited until the lock was given up");
    support::assert_busy_page(status, &page);
    assert_eq!(written(app), before, "nothing written");
    let (status, location, _) = send();
    assert_eq!(status, Status::SeeOther);
    assert_eq!(
        location,
        Some(format!("/stocktakes/{id}/check?q=A2&done=A2"))
    );
    assert_ne!(written(app), before);
    verify(app);
}

fn opening_without_a_key_does_not_wait_for_ledger_appends(app: &TestApp) {
    if app.backend != asset_registry::db::Backend::Postgres {
        // SQLite has one writer: an opening waits for any write in progress.
        return;
    }
    setup(app);
    let (reply, in_time) = app.beside_a_held_chain_lock(std::time::Duration::from_secs(10), || {
        open(
            app,
            &app.clerk,
            json!({"name": "2026年度资产清查", "year": 2026}),
        )
    });
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    assert!(in_time, "opening a campaign waited for the chain's lock");
}

fn main() -> std::process::ExitCode {
    let scenarios: Vec<(&'static str, Scenario)> = vec![
        (
            "campaigns::open_without_a_key_beside_ledger_appends",
            opening_without_a_key_does_not_wait_for_ledger_appends,
        ),
        (
            "campaigns::open_over_live_assets_and_show_progress_by_village",
            campaigns_open_over_live_assets_and_show_progress_by_village,
        ),
        (
            "campaigns::wrong_campaigns_are_refused_and_write_nothing",
            wrong_campaigns_are_refused_and_write_nothing,
        ),
        (
            "results::are_inspection_entries_and_keep_the_ledger_whole",
            results_are_inspection_entries_and_keep_the_ledger_whole,
        ),
        (
            "results::an_asset_outside_the_scope_reads_as_unknown",
            an_asset_outside_the_scope_reads_as_unknown,
        ),
        (
            "results::every_refusal_names_its_row_and_nothing_is_written",
            every_refused_result_names_its_row_and_nothing_is_written,
        ),
        (
            "results::control_characters_are_refused_by_field_and_nothing_is_written",
            control_characters_in_results_are_refused_by_field_and_nothing_is_written,
        ),
        (
            "results::fields_a_result_lacks_or_of_another_type_are_refused",
            fields_a_result_lacks_or_of_another_type_are_refused_and_nothing_is_written,
        ),
        (
            "results::results_cite_their_photos",
            results_cite_their_photos,
        ),
        (
            "results::a_photo_stored_meanwhile_is_reused_by_the_phone_page",
            a_photo_stored_meanwhile_is_reused_by_the_phone_page,
        ),
        (
            "results::a_retried_upload_records_once",
            a_retried_upload_records_once,
        ),
        (
            "results::a_large_upload_goes_in_whole",
            a_large_upload_goes_in_whole,
        ),
        (
            "checklists::a_village_fills_in_its_checklist_and_uploads_it",
            a_village_fills_in_its_checklist_and_uploads_it,
        ),
        (
            "checklists::an_empty_village_lists_the_assets_of_no_village",
            an_empty_village_lists_the_assets_of_no_village,
        ),
        (
            "report::closing_reports_the_loss_and_raises_not_stocktaken",
            closing_reports_the_loss_and_raises_not_stocktaken,
        ),
        (
            "campaigns::a_repeated_open_or_close_writes_once",
            a_repeated_open_or_close_writes_once,
        ),
        (
            "campaigns::are_listed_a_page_at_a_time",
            campaigns_are_listed_a_page_at_a_time,
        ),
        (
            "web::a_repeated_open_or_close_form_writes_once",
            a_repeated_open_or_close_form_writes_once,
        ),
        (
            "web::a_repeated_phone_form_records_once",
            a_repeated_phone_form_records_once,
        ),
        (
            "web::a_village_worker_records_a_result_from_the_phone_page",
            a_village_worker_records_a_result_from_the_phone_page,
        ),
        (
            "web::a_result_kept_waiting_for_the_chain_is_told_to_send_again",
            a_result_kept_waiting_for_the_chain_is_told_to_send_again,
        ),
    ];
    support::run_with(scenarios, app_without_approvals)
}
