//! The maintained figures by group (`register::figures`), on SQLite and PostgreSQL: after
//! every kind of write — imports that create projects, add assets to earlier projects
//! (one that had none among them), every entry kind, disposals, value adjustments,
//! corrections of both, back-dated entries, and dry or rejected imports that write
//! nothing — every maintained figure equals its recomputation, verification passes, and
//! the totals by every grouping, for the county and for town, village and department
//! tokens, equal the same totals counted from the lists those tokens read. An edited,
//! deleted or added row of the figures is named by verification.

mod support;

use std::collections::BTreeMap;

use asset_registry::auth::{create_token, Role};
use asset_registry::domain::Scope;
use diesel::connection::SimpleConnection;
use rocket::http::{ContentType, Status};
use serde_json::{json, Value};
use support::{Scenario, TestApp};

const FIRST: &str = "项目编号,项目名称,项目年度,镇街,村,项目资金(元),行业主管部门,资产编号,资产名称,资产类别,资产价值(元),所有权人,所有权人类型,所有权人证件号,管护主体
P1,光伏电站,2019,桑镇,东村,500000,农业农村局,PV-1,村级光伏电站,经营性,300000,东村股份经济合作社,村集体,,东村村委会
P1,光伏电站,2019,桑镇,东村,500000,农业农村局,ROAD-1,光伏检修道路,公益性,200000,东村村委会,村集体,,东村村委会
P2,肉牛到户,2019,桑镇,东村,8000.50,农业农村局,COW-1,肉牛,到户类,8000.50,张三,农户,11010519491231002X,张三
P3,供水管网,2021,桑镇,西村,90000,水利局,PIPE-1,供水管道,公益性,60000,西村村委会,村集体,,
P3,供水管网,2021,桑镇,西村,90000,水利局,WELL-1,水源井,公益性,30000,西村村委会,村集体,,
P4,技能培训补贴,2020,赵村镇,,12000,人社局,,,,,,,,
P5,村组道路,2020,赵村镇,南村,45000,交通运输局,RD-5,村组道路,公益性,45000,南村村委会,村集体,,
P6,设施大棚,2021,赵村镇,南村,70000,农业农村局,GH-6,设施大棚,经营性,70000,南村股份经济合作社,村集体,,
P7,产业路,2019,桑镇,东村,30000,交通运输局,,,,,,,,
P8,小额信贷贴息,2021,赵村镇,,5000,,,,,,,,,
";

/// Adds assets to P4 (which formed none) and to P1 (a class it had not), and one new
/// project: few projects of the register, so the figures are kept project by project.
const SECOND: &str = "项目编号,项目名称,项目年度,镇街,村,项目资金(元),行业主管部门,资产编号,资产名称,资产类别,资产价值(元),所有权人,所有权人类型,所有权人证件号,管护主体
P4,技能培训补贴,2020,赵村镇,,12000,人社局,TR-4,培训设备,公益性,12000,赵村镇政府,政府部门,,
P1,光伏电站,2019,桑镇,东村,500000,农业农村局,HH-1,户用储能,到户类,1000,王五,农户,610481198801011237,王五
P9,光伏到户,2022,桑镇,西村,6000,农业农村局,PVH-9,户用光伏,到户类,6000,李四,农户,610481199003154318,李四
";

/// The tokens whose totals are compared: the county's and a town's, a village's and a
/// department's.
pub(crate) fn tokens(app: &TestApp) -> Vec<(String, String)> {
    let mut conn = app.db.conn().expect("connection");
    let mut tokens = vec![("county".to_owned(), app.reader.clone())];
    for scope in ["town:桑镇", "village:赵村镇/南村", "department:农业农村局"] {
        let parsed = Scope::parse(scope).expect("scope");
        let token = create_token(&mut conn, scope, Role::Reader, &parsed).expect("token");
        tokens.push((scope.to_owned(), token.secret));
    }
    tokens
}

/// Fen from a yuan string with two decimals (`"8000.50"`).
fn fen(yuan: &Value) -> i64 {
    yuan.as_str()
        .unwrap_or_default()
        .replace('.', "")
        .parse()
        .unwrap_or_else(|_| panic!("not an amount: {yuan}"))
}

/// Projects, live assets, funds and value, in fen.
type Figures = (i64, i64, i64, i64);

fn add(into: &mut Figures, projects: i64, assets: i64, funds: i64, value: i64) {
    into.0 += projects;
    into.1 += assets;
    into.2 += funds;
    into.3 += value;
}

/// The totals a token should read, counted from the projects and assets it lists:
/// `{total, groups}` for `group_by`, as the API writes them.
fn counted(app: &TestApp, token: &str, group_by: &str) -> Value {
    let projects = app.get("/api/v1/projects?limit=1000", Some(token));
    let assets = app.get("/api/v1/assets?limit=1000", Some(token));
    assert_eq!(
        (projects.status, assets.status),
        (Status::Ok, Status::Ok),
        "{} {}",
        projects.body,
        assets.body
    );
    let projects = projects.body["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let assets = assets.body["items"].as_array().cloned().unwrap_or_default();
    let live: Vec<&Value> = assets
        .iter()
        .filter(|a| a["status"] != "disposed")
        .collect();
    let mut total = Figures::default();
    let mut groups: BTreeMap<String, Figures> = BTreeMap::new();
    for project in &projects {
        let code = &project["code"];
        let funds = fen(&project["funds"]);
        let mine: Vec<&&Value> = live.iter().filter(|a| &a["project_code"] == code).collect();
        let value: i64 = mine.iter().map(|a| fen(&a["value"])).sum();
        let count = i64::try_from(mine.len()).unwrap_or_default();
        add(&mut total, 1, count, funds, value);
        match group_by {
            "class" => {
                for class in ["operating", "public_welfare", "household"] {
                    let of_class: Vec<&&&Value> =
                        mine.iter().filter(|a| a["class"] == class).collect();
                    if !of_class.is_empty() {
                        let value = of_class.iter().map(|a| fen(&a["value"])).sum();
                        let n = i64::try_from(of_class.len()).unwrap_or_default();
                        add(
                            groups.entry(class.to_owned()).or_default(),
                            1,
                            n,
                            funds,
                            value,
                        );
                    }
                }
                if !assets.iter().any(|a| &a["project_code"] == code) {
                    add(groups.entry("none".to_owned()).or_default(), 1, 0, funds, 0);
                }
            }
            "funding_channel" => match project["funding"].as_object() {
                Some(split) if !split.is_empty() => {
                    for (channel, amount) in split {
                        add(
                            groups.entry(channel.clone()).or_default(),
                            1,
                            count,
                            fen(amount),
                            value,
                        );
                    }
                }
                _ => add(
                    groups.entry("unspecified".to_owned()).or_default(),
                    1,
                    count,
                    funds,
                    value,
                ),
            },
            _ => {
                let key = match group_by {
                    "town" => project["town"].as_str().unwrap_or_default().to_owned(),
                    "department" => project["department"]
                        .as_str()
                        .unwrap_or("unspecified")
                        .to_owned(),
                    "village" => format!(
                        "{}/{}",
                        project["town"].as_str().unwrap_or_default(),
                        project["village"].as_str().unwrap_or_default()
                    ),
                    _ => project["year"].to_string(),
                };
                add(groups.entry(key).or_default(), 1, count, funds, value);
            }
        }
    }
    let yuan = |fen: i64| format!("{}.{:02}", fen / 100, fen % 100);
    let figures = |f: &Figures| json!({"projects": f.0, "assets": f.1, "funds": yuan(f.2), "asset_value": yuan(f.3)});
    if group_by == "funding_channel" {
        // Every channel is listed, with zeros when no project is in it.
        for channel in [
            "central",
            "provincial",
            "local",
            "integrated",
            "sector",
            "social",
            "other",
            "unspecified",
        ] {
            groups.entry(channel.to_owned()).or_default();
        }
    }
    let listed: Vec<Value> = if group_by == "class" {
        // Classes in report order, each listed even when empty, then `none`.
        ["operating", "public_welfare", "household", "none"]
            .iter()
            .map(|class| {
                let mut group = figures(&groups.get(*class).copied().unwrap_or_default());
                group["key"] = json!(class);
                group
            })
            .collect()
    } else {
        groups
            .iter()
            .map(|(key, f)| {
                let mut group = figures(f);
                group["key"] = json!(key);
                group
            })
            .collect()
    };
    json!({"total": figures(&total), "groups": listed})
}

/// Every grouping of totals.
const GROUPINGS: [&str; 6] = [
    "class",
    "town",
    "village",
    "year",
    "department",
    "funding_channel",
];

/// Every maintained figure equals its recomputation, verification passes, and every
/// token reads, for every grouping, the totals counted from its lists.
pub(crate) fn assert_figures_hold(app: &TestApp, tokens: &[(String, String)], after: &str) {
    app.assert_summary_consistent();
    let verify = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(verify.body["ok"], true, "after {after}: {}", verify.body);
    for (scope, token) in tokens {
        for group_by in GROUPINGS {
            let served = app.get(&format!("/api/v1/totals?group_by={group_by}"), Some(token));
            assert_eq!(served.status, Status::Ok, "{}", served.body);
            assert_eq!(
                served.body,
                counted(app, token, group_by),
                "after {after}: {scope} by {group_by}"
            );
        }
    }
}

pub(crate) fn append(app: &TestApp, asset: &str, body: Value) -> i64 {
    let reply = app.post(
        &format!("/api/v1/assets/{asset}/ledger"),
        Some(&app.clerk),
        body.to_string().into_bytes(),
        ContentType::JSON,
    );
    assert_eq!(reply.status, Status::Created, "{body}: {}", reply.body);
    reply.body["seq"].as_i64().unwrap_or_default()
}

fn every_write_keeps_every_figure(app: &TestApp) {
    let tokens = tokens(app);
    assert_figures_hold(app, &tokens, "nothing");
    let first = app.import(FIRST.as_bytes(), false);
    assert_eq!(first.status, Status::Created, "{}", first.body);
    assert_figures_hold(app, &tokens, "the first import");
    let second = app.import(SECOND.as_bytes(), false);
    assert_eq!(second.status, Status::Created, "{}", second.body);
    assert_eq!(second.body["projects_created"], 1, "{}", second.body);
    assert_figures_hold(app, &tokens, "an import adding to earlier projects");

    // Entries that change no figure, then each that does.
    for (asset, body) in [
        (
            "PV-1",
            json!({"kind": "inspection", "occurred_on": "2021-07-01", "result": "idle"}),
        ),
        (
            "PV-1",
            json!({"kind": "income", "occurred_on": "2021-12-31", "amount": "3600.00", "period": "2021"}),
        ),
        (
            "PV-1",
            json!({"kind": "income_distributed", "occurred_on": "2022-01-15", "amount": "3000.00", "period": "2021", "recipients": 42, "notice_date": "2022-01-10"}),
        ),
        (
            "COW-1",
            json!({"kind": "custodian_changed", "occurred_on": "2021-05-01", "custodian": "李四"}),
        ),
        (
            "COW-1",
            json!({"kind": "ownership_transferred", "occurred_on": "2021-06-01", "owner": {"name": "王五", "type": "household", "id_number": "610481198801011237"}, "document_no": "转1"}),
        ),
    ] {
        append(app, asset, body.clone());
        assert_figures_hold(app, &tokens, &body.to_string());
    }
    let adjusted = append(
        app,
        "ROAD-1",
        json!({"kind": "value_adjusted", "occurred_on": "2022-06-30", "value": "150000.00", "reason": "评估减值"}),
    );
    assert_figures_hold(app, &tokens, "a value adjustment");
    // Back-dated, before the adjustment above.
    append(
        app,
        "WELL-1",
        json!({"kind": "value_adjusted", "occurred_on": "2020-01-01", "value": "35000.00", "reason": "补记"}),
    );
    assert_figures_hold(app, &tokens, "a back-dated value adjustment");
    append(
        app,
        "ROAD-1",
        json!({"kind": "correction", "occurred_on": "2022-07-01", "corrects": adjusted, "reason": "评估有误"}),
    );
    assert_figures_hold(app, &tokens, "a correction of a value adjustment");
    // PV-1 is P1's only operating asset: P1 leaves the class, then returns.
    let disposed = append(
        app,
        "PV-1",
        json!({"kind": "disposed", "occurred_on": "2022-01-01", "method": "transfer", "approval_no": "兴财(2022)5号"}),
    );
    assert_figures_hold(app, &tokens, "a disposal");
    append(
        app,
        "PV-1",
        json!({"kind": "correction", "occurred_on": "2022-02-01", "corrects": disposed, "reason": "误录"}),
    );
    assert_figures_hold(app, &tokens, "a correction of a disposal");
    // P2's only asset, disposed: P2 leaves the household class but still formed an asset.
    append(
        app,
        "COW-1",
        json!({"kind": "disposed", "occurred_on": "2021-01-01", "method": "loss", "approval_no": "兴财(2021)1号"}),
    );
    assert_figures_hold(app, &tokens, "a back-dated disposal");

    // A dry run and a rejected import write nothing.
    let before = app.register_state();
    let dry = app.import(
        "项目编号,项目名称,项目年度,镇街,村,项目资金(元),资产编号,资产名称,资产类别,资产价值(元),所有权人,所有权人类型\nP20,新项目,2023,桑镇,东村,100,A20,新资产,公益性,100,东村村委会,村集体\n".as_bytes(),
        true,
    );
    assert_eq!(dry.status, Status::Ok, "{}", dry.body);
    let rejected = app.import(
        "项目编号,项目名称,项目年度,镇街,村,项目资金(元),资产编号,资产名称,资产类别,资产价值(元),所有权人,所有权人类型\nP21,新项目,2023,桑镇,东村,100,A21,新资产,不存在的类别,100,东村村委会,村集体\n".as_bytes(),
        false,
    );
    assert_eq!(
        rejected.status,
        Status::UnprocessableEntity,
        "{}",
        rejected.body
    );
    assert_eq!(app.register_state(), before);
    assert_figures_hold(app, &tokens, "a dry run and a rejected import");
}

/// The register of [`FIRST`] with the figures edited by `sql`, and what verification says.
pub(crate) fn tampered(app: &TestApp, sql: &str) -> Value {
    let first = app.import(FIRST.as_bytes(), false);
    assert_eq!(first.status, Status::Created, "{}", first.body);
    let clean = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(clean.body["ok"], true, "{}", clean.body);
    let mut conn = app.db.conn().expect("connection");
    conn.batch_execute(sql).expect("tamper");
    app.get("/api/v1/ledger/verify", Some(&app.auditor)).body
}

fn verification_names_an_edited_row(app: &TestApp) {
    let verdict = tampered(
        app,
        "UPDATE group_figures SET value_fen = value_fen + 1 WHERE class = 'public_welfare' AND town = '桑镇' AND village = '西村'",
    );
    assert_eq!(verdict["ok"], false, "{verdict}");
    assert_eq!(
        verdict["bad_figure"], "group_figures.public_welfare.桑镇/西村/2021/水利局.value_fen",
        "{verdict}"
    );
    assert_eq!(
        verdict["problem"],
        "维护的合计 group_figures.public_welfare.桑镇/西村/2021/水利局.value_fen 为 9000001，而按资产和项目重算为 9000000（合计表被改动）"
    );
}

fn verification_names_a_deleted_row(app: &TestApp) {
    let verdict = tampered(
        app,
        "DELETE FROM group_figures WHERE class = 'none' AND town = '赵村镇'",
    );
    assert_eq!(verdict["ok"], false, "{verdict}");
    assert_eq!(
        verdict["bad_figure"], "group_figures.none.赵村镇//2020/人社局.projects",
        "{verdict}"
    );
}

fn verification_names_an_added_row(app: &TestApp) {
    let verdict = tampered(
        app,
        "INSERT INTO group_figures (class, town, village, year, department, projects, assets, funds_fen, value_fen) \
         VALUES ('household', '赵村镇', '南村', 2021, '农业农村局', 0, 1, 0, 100)",
    );
    assert_eq!(verdict["ok"], false, "{verdict}");
    assert_eq!(
        verdict["bad_figure"], "group_figures.household.赵村镇/南村/2021/农业农村局.assets",
        "{verdict}"
    );
}

#[path = "figures/created.rs"]
mod created;
#[path = "figures/dated.rs"]
mod dated;
use dated::{
    every_write_keeps_the_dated_report, verification_names_an_edited_dated_figure,
    verification_names_an_edited_rollup,
};

fn main() -> std::process::ExitCode {
    let scenarios: Vec<(&'static str, Scenario)> = vec![
        (
            "writes::every_write_keeps_every_figure",
            every_write_keeps_every_figure,
        ),
        (
            "created::an_import_of_many_projects_keeps_every_figure",
            created::an_import_of_many_projects_keeps_every_figure,
        ),
        (
            "created::an_import_of_more_groups_than_held_keeps_every_figure",
            created::an_import_of_more_groups_than_held_keeps_every_figure,
        ),
        (
            "dated::every_write_keeps_the_dated_report",
            every_write_keeps_the_dated_report,
        ),
        ("verify::edited_row", verification_names_an_edited_row),
        ("verify::edited_rollup", verification_names_an_edited_rollup),
        (
            "verify::edited_dated_figure",
            verification_names_an_edited_dated_figure,
        ),
        ("verify::deleted_row", verification_names_a_deleted_row),
        ("verify::added_row", verification_names_an_added_row),
    ];
    support::run(scenarios)
}
