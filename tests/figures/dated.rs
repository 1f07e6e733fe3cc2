//! The figures by date (`register::dated`) and the rollups (`register::rollups`): after
//! every kind of write — imports with registration dates, an import adding to an
//! earlier project, value adjustments (one back-dated before another), disposals, a
//! back-dated disposal and corrections — verification (which recomputes every rollup
//! and every figure by date) passes, the totals by every grouping equal those counted
//! from the lists, and a reconciliation as of days before, on and after each write,
//! read from the maintained figures, equals the reference that folds the ledger.

use asset_registry::reconcile::declaration::parse_json;
use asset_registry::reconcile::report::{reconcile_using, Method};
use diesel::connection::SimpleConnection;
use rocket::http::Status;
use serde_json::{json, Value};

use super::support::TestApp;
use super::{append, assert_figures_hold, tampered, tokens};

/// Projects split by funding channel and not, assets registered on their 确权日期, a
/// project that formed none.
const DATED: &str = "项目编号,项目名称,项目年度,镇街,村,项目资金(元),行业主管部门,中央衔接资金(元),省级衔接资金(元),资产编号,资产名称,资产类别,资产价值(元),所有权人,所有权人类型,所有权人证件号,管护主体,确权日期
D1,光伏电站,2019,桑镇,东村,500000,农业农村局,300000,200000,DPV-1,村级光伏电站,经营性,300000,东村股份经济合作社,村集体,,东村村委会,2019-06-30
D1,光伏电站,2019,桑镇,东村,500000,农业农村局,300000,200000,DRD-1,光伏检修道路,公益性,200000,东村村委会,村集体,,东村村委会,2020-03-01
D2,肉牛到户,2020,桑镇,西村,8000,农业农村局,,,DCOW-1,肉牛,到户类,8000,张三,农户,11010519491231002X,张三,2020-09-01
D3,供水管网,2021,赵村镇,南村,90000,水利局,90000,,DPIPE-1,供水管道,公益性,90000,南村村委会,村集体,,,2021-04-01
D3,供水管网,2021,赵村镇,南村,90000,水利局,90000,,DWELL-1,水源井,公益性,30000,南村村委会,村集体,,,2021-04-01
D4,技能培训补贴,2020,赵村镇,,12000,人社局,,,,,,,,,,,
";

/// An asset for D4, which formed none, registered before its later ones; and a
/// project of a later year.
const LATER: &str = "项目编号,项目名称,项目年度,镇街,村,项目资金(元),行业主管部门,资产编号,资产名称,资产类别,资产价值(元),所有权人,所有权人类型,所有权人证件号,管护主体,确权日期
D4,技能培训补贴,2020,赵村镇,,12000,人社局,DTR-4,培训设备,公益性,12000,赵村镇政府,政府部门,,,2021-08-01
D5,光伏到户,2022,桑镇,西村,6000,农业农村局,DPVH-5,户用光伏,到户类,6000,李四,农户,610481199003154318,李四,2022-03-01
";

/// The days around every write's business date.
const DAYS: [&str; 20] = [
    "2018-12-31",
    "2019-06-29",
    "2019-06-30",
    "2019-12-31",
    "2020-03-01",
    "2020-08-31",
    "2020-09-01",
    "2020-12-31",
    "2021-01-01",
    "2021-03-31",
    "2021-04-01",
    "2021-04-15",
    "2021-05-01",
    "2021-08-01",
    "2021-12-31",
    "2022-01-01",
    "2022-02-01",
    "2022-03-01",
    "2022-12-31",
    "2026-01-01",
];

/// A reconciliation as of every day of [`DAYS`], by every line a declaration can have,
/// from the maintained figures equals the fold of the ledger; and it is not all zeros.
fn assert_dated_report_holds(app: &TestApp, after: &str) {
    let mut lines = vec![json!("total"), json!("unclassified")];
    for scope in [
        "class:operating",
        "class:public_welfare",
        "class:household",
        "town:桑镇",
        "town:赵村镇",
        "town:无此镇",
        "year:2019",
        "year:2020",
        "year:2021",
        "year:2022",
    ] {
        lines.push(json!(scope));
    }
    let lines: Vec<Value> = lines
        .into_iter()
        .map(|scope| json!({"scope": scope, "projects": 0, "amount": "0.00"}))
        .collect();
    let mut conn = app.db.conn().expect("connection");
    let mut some_value = false;
    for day in DAYS {
        let body = json!({"name": "核对", "as_of": day, "lines": lines});
        let declaration = parse_json(&body).expect("valid declaration");
        let mut maintained =
            reconcile_using(&mut conn, None, &declaration, Method::Auto).expect("maintained");
        let mut folded =
            reconcile_using(&mut conn, None, &declaration, Method::Fold).expect("fold");
        maintained.generated_at.clear();
        folded.generated_at.clear();
        assert_eq!(maintained, folded, "after {after}, as of {day}");
        some_value |= maintained
            .lines
            .iter()
            .any(|l| l.scope.starts_with("class:") && l.actual.amount != "0.00");
    }
    assert!(
        some_value,
        "after {after}: no class holds a value on any day"
    );
}

fn holds(app: &TestApp, tokens: &[(String, String)], after: &str) {
    assert_figures_hold(app, tokens, after);
    assert_dated_report_holds(app, after);
}

pub(crate) fn every_write_keeps_the_dated_report(app: &TestApp) {
    let tokens = tokens(app);
    let first = app.import(DATED.as_bytes(), false);
    assert_eq!(first.status, Status::Created, "{}", first.body);
    holds(app, &tokens, "an import with registration dates");
    let later = app.import(LATER.as_bytes(), false);
    assert_eq!(later.status, Status::Created, "{}", later.body);
    holds(app, &tokens, "an import adding to an earlier project");
    append(
        app,
        "DPV-1",
        json!({"kind": "inspection", "occurred_on": "2021-07-01", "result": "idle"}),
    );
    holds(app, &tokens, "an entry that changes no figure");
    let adjusted = append(
        app,
        "DRD-1",
        json!({"kind": "value_adjusted", "occurred_on": "2021-01-01", "value": "150000.00", "reason": "评估减值"}),
    );
    holds(app, &tokens, "a value adjustment");
    append(
        app,
        "DPIPE-1",
        json!({"kind": "value_adjusted", "occurred_on": "2021-05-01", "value": "80000.00", "reason": "评估"}),
    );
    // Back-dated before the one above, to the value it has now.
    append(
        app,
        "DPIPE-1",
        json!({"kind": "value_adjusted", "occurred_on": "2021-04-15", "value": "80000.00", "reason": "补记"}),
    );
    holds(app, &tokens, "a back-dated value adjustment");
    append(
        app,
        "DRD-1",
        json!({"kind": "correction", "occurred_on": "2022-02-01", "corrects": adjusted, "reason": "评估有误"}),
    );
    holds(app, &tokens, "a correction of a value adjustment");
    // DPV-1 is D1's only operating asset: D1 leaves the class, then returns.
    let disposed = append(
        app,
        "DPV-1",
        json!({"kind": "disposed", "occurred_on": "2022-01-01", "method": "transfer", "approval_no": "兴财(2022)5号"}),
    );
    holds(app, &tokens, "a disposal");
    append(
        app,
        "DPV-1",
        json!({"kind": "correction", "occurred_on": "2022-02-01", "corrects": disposed, "reason": "误录"}),
    );
    holds(app, &tokens, "a correction of a disposal");
    append(
        app,
        "DCOW-1",
        json!({"kind": "disposed", "occurred_on": "2021-01-01", "method": "loss", "approval_no": "兴财(2021)1号"}),
    );
    holds(app, &tokens, "a back-dated disposal");
}

pub(crate) fn verification_names_an_edited_rollup(app: &TestApp) {
    let verdict = tampered(
        app,
        "UPDATE rollup_figures SET funds_fen = funds_fen + 1 \
         WHERE scope = 'town:桑镇' AND grouped_by = 'year' AND group_key = '2021'",
    );
    assert_eq!(verdict["ok"], false, "{verdict}");
    assert_eq!(
        verdict["bad_figure"], "rollup_figures.town:桑镇/year/2021.funds_fen",
        "{verdict}"
    );
    assert_eq!(
        verdict["problem"],
        "维护的合计 rollup_figures.town:桑镇/year/2021.funds_fen 为 9000001，而按资产和项目重算为 9000000（合计表被改动）"
    );
}

pub(crate) fn verification_names_an_edited_dated_figure(app: &TestApp) {
    let first = app.import(DATED.as_bytes(), false);
    assert_eq!(first.status, Status::Created, "{}", first.body);
    let clean = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(clean.body["ok"], true, "{}", clean.body);
    let mut conn = app.db.conn().expect("connection");
    conn.batch_execute(
        "UPDATE dated_figures SET value_fen = value_fen + 1 \
         WHERE figure = 'public_welfare' AND day = '2020-03-01'",
    )
    .expect("tamper");
    let verdict = app.get("/api/v1/ledger/verify", Some(&app.auditor)).body;
    assert_eq!(verdict["ok"], false, "{verdict}");
    assert_eq!(
        verdict["bad_figure"], "dated_figures.public_welfare/2020-03-01/0.value_fen",
        "{verdict}"
    );
    assert_eq!(
        verdict["problem"],
        "维护的合计 dated_figures.public_welfare/2020-03-01/0.value_fen 为 20000001，而按资产和项目重算为 20000000（合计表被改动）"
    );
}
