//! The kept findings (issue #18 item 1) equal their recomputation after every kind of
//! write — an import, each kind of entry, a correction, a disposal, a back-dated entry,
//! a contract signed and ended, a stock-take's results and its closing — in the county
//! and in every town, village and department; pages read from them list the same
//! findings; `verify` names a kept finding that was tampered with; a register migrated
//! without them builds them at start; an operating asset held back by an income turns
//! into a finding when its year passes, with no write. On SQLite and PostgreSQL.

mod support;

use asset_registry::auth::{self, Role};
use asset_registry::domain::dates::today_in_china;
use asset_registry::domain::Scope;
use chrono::{Days, Months, NaiveDate};
use diesel::prelude::*;
use rocket::http::{ContentType, Status};
use serde_json::{json, Value};
use support::{Scenario, TestApp};

const REGISTER: &str = "项目编号,项目名称,项目年度,镇街,村,项目资金(元),行业主管部门,资产编号,资产名称,资产类别,资产价值(元),所有权人,所有权人类型,管护主体,确权日期,确权证书编号
M1,资金不符,2020,桑镇,东村,1000,农业农村局,M1-1,大棚,经营性,900,东村股份经济合作社,村集体,东村,2020-03-05,C1
H1,到户,2020,桑镇,东村,100,农业农村局,H1-1,肉牛,到户类,100,东村村委会,村集体,张三,2020-03-05,C2
OK1,完好,2020,桑镇,东村,100,水利局,OK1-1,水井,公益性,100,东村村委会,村集体,东村,2020-03-05,C3
NC,无管护,2020,桑镇,东村,100,水利局,NC-1,水塔,公益性,100,东村村委会,村集体,,2020-03-05,C4
UC,未确权,2020,桑镇,东村,100,,UC-1,水渠,公益性,100,东村村委会,村集体,东村,,
D1,重复一,2020,桑镇,西村,200,交通局,D1-1,村组道路,公益性,200,西村村委会,村集体,西村,2020-03-05,C5
D2,重复二,2020,桑镇,西村,200,水利局,D2-1,村组道路,公益性,200,西村村委会,村集体,西村,2020-03-05,C6
D3,重复三,2020,桑镇,西村,200,交通局,D3-1,村组道路,公益性,200,西村村委会,村集体,西村,2020-03-05,C7
HH,到户牛,2020,阜寨镇,南村,300,农业农村局,HH-1,肉牛,到户类,100,李四,农户,李四,2020-03-05,C8
HH,到户牛,2020,阜寨镇,南村,300,农业农村局,HH-2,肉牛,到户类,100,李四,农户,李四,2020-03-05,C9
HH,到户牛,2020,阜寨镇,南村,300,农业农村局,HH-3,肉牛,到户类,100,王五,农户,王五,2020-03-05,C10
OP,光伏,2020,阜寨镇,,5000,发改局,OP-1,光伏电站,经营性,3000,阜寨镇人民政府,政府部门,阜寨镇,2020-03-05,
OP,光伏,2020,阜寨镇,,5000,发改局,OP-2,冷库,经营性,2000,阜寨镇人民政府,政府部门,阜寨镇,2020-03-05,C11
";

/// A second import: a fourth twin of the road, and an asset added to a project
/// registered before.
const MORE: &str = "项目编号,项目名称,项目年度,镇街,村,项目资金(元),行业主管部门,资产编号,资产名称,资产类别,资产价值(元),所有权人,所有权人类型,管护主体,确权日期,确权证书编号
D4,重复四,2021,桑镇,西村,200,交通局,D4-1,村组道路,公益性,200,西村村委会,村集体,西村,2021-03-05,C12
OP,光伏,2020,阜寨镇,,5000,发改局,OP-3,仓库,经营性,500,阜寨镇人民政府,政府部门,,,
";

fn day(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

fn today() -> NaiveDate {
    today_in_china()
}

fn months_ago(n: u32) -> NaiveDate {
    today()
        .checked_sub_months(Months::new(n))
        .unwrap_or(today())
}

fn in_days(n: u64) -> NaiveDate {
    today().checked_add_days(Days::new(n)).unwrap_or(today())
}

fn days_ago(n: u64) -> NaiveDate {
    today().checked_sub_days(Days::new(n)).unwrap_or(today())
}

fn post_json(app: &TestApp, path: &str, body: &Value) -> Value {
    let reply = app.post(
        path,
        Some(&app.clerk),
        body.to_string().into_bytes(),
        ContentType::JSON,
    );
    assert!(
        reply.status == Status::Created || reply.status == Status::Ok,
        "{path} {body}: {} {}",
        reply.status,
        reply.body
    );
    reply.body
}

/// Appends `entry` to `asset` and checks the kept findings after it; the entry's seq.
fn append(app: &TestApp, asset: &str, entry: Value) -> i64 {
    let body = post_json(app, &format!("/api/v1/assets/{asset}/ledger"), &entry);
    app.assert_findings_kept();
    body["seq"].as_i64().expect("seq")
}

/// The findings the API lists to `token`, a page of `limit` at a time.
fn listed(app: &TestApp, token: &str, kind: Option<&str>, limit: usize) -> Vec<Value> {
    let mut found = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/api/v1/findings?limit={limit}");
        if let Some(kind) = kind {
            path.push_str(&format!("&kind={kind}"));
        }
        if let Some(cursor) = &cursor {
            path.push_str(&format!("&cursor={cursor}"));
        }
        let reply = app.get(&path, Some(token));
        assert_eq!(reply.status, Status::Ok, "{}", reply.body);
        let items = reply.body["items"].as_array().cloned().unwrap_or_default();
        assert!(items.len() <= limit);
        found.extend(items);
        match reply.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return found,
        }
    }
}

fn recomputed(app: &TestApp, scope: &Scope, kind: Option<&str>) -> Vec<Value> {
    use asset_registry::reconcile::findings::{recompute, FindingKind};
    let mut conn = app.db.conn().expect("connection");
    let kind = kind.and_then(FindingKind::parse);
    recompute(&mut conn, scope, kind)
        .expect("recompute")
        .into_iter()
        .map(|f| serde_json::to_value(f).expect("json"))
        .collect()
}

fn token(app: &TestApp, scope: &str) -> String {
    let mut conn = app.db.conn().expect("connection");
    let scope = Scope::parse(scope).expect("scope");
    auth::create_token(
        &mut conn,
        &format!("auditor@{scope}"),
        Role::Auditor,
        &scope,
    )
    .expect("token")
    .secret
}

fn kinds(found: &[Value]) -> Vec<(String, String)> {
    found
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap_or_default().to_owned(),
                f["asset_code"]
                    .as_str()
                    .or(f["project_code"].as_str())
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect()
}

fn every_write_keeps_the_findings_equal_to_their_recomputation(app: &TestApp) {
    let reply = app.import(REGISTER.as_bytes(), false);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    app.assert_summary_consistent();
    let found = kinds(&listed(app, &app.auditor, None, 1000));
    for expected in [
        ("project_value_mismatch", "M1"),
        ("owner_type_mismatch", "H1-1"),
        ("owner_type_mismatch", "OP-1"),
        ("missing_custodian", "NC-1"),
        ("unconfirmed", "UC-1"),
        ("unconfirmed", "OP-1"),
        ("operating_without_income", "M1-1"),
        ("duplicate_candidate", "D3-1"),
        ("duplicate_candidate", "HH-2"),
    ] {
        assert!(
            found.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?} in {found:?}"
        );
    }
    assert!(!found.contains(&("duplicate_candidate".to_owned(), "HH-3".to_owned())));

    // Every kind of entry, back-dated ones and a correction among them.
    append(
        app,
        "OK1-1",
        json!({"kind": "inspection", "occurred_on": day(days_ago(30)), "result": "damaged", "note": "井壁坍塌"}),
    );
    append(
        app,
        "OK1-1",
        json!({"kind": "inspection", "occurred_on": day(days_ago(400)), "result": "normal"}),
    );
    let fixed = append(
        app,
        "OK1-1",
        json!({"kind": "inspection", "occurred_on": day(days_ago(10)), "result": "normal"}),
    );
    append(
        app,
        "OK1-1",
        json!({"kind": "correction", "occurred_on": day(today()), "corrects": fixed, "reason": "录错"}),
    );
    let income = append(
        app,
        "M1-1",
        json!({"kind": "income", "occurred_on": day(days_ago(20)), "amount": "100.00", "period": "本月"}),
    );
    append(
        app,
        "M1-1",
        json!({"kind": "maintenance", "occurred_on": day(days_ago(4)), "description": "检修"}),
    );
    let undone = append(
        app,
        "M1-1",
        json!({"kind": "correction", "occurred_on": day(today()), "corrects": income, "reason": "错录"}),
    );
    append(
        app,
        "M1-1",
        json!({"kind": "correction", "occurred_on": day(today()), "corrects": undone, "reason": "更正有误"}),
    );
    append(
        app,
        "M1-1",
        json!({"kind": "income_distributed", "occurred_on": day(days_ago(5)), "amount": "50.00", "period": "本月", "recipients": 3}),
    );
    append(
        app,
        "M1-1",
        json!({"kind": "value_adjusted", "occurred_on": day(days_ago(3)), "value": "1000.00", "reason": "评估"}),
    );
    append(
        app,
        "NC-1",
        json!({"kind": "handed_over", "occurred_on": day(days_ago(60)), "from": "施工单位", "to": "东村供水站", "document_no": "移交1号"}),
    );
    append(
        app,
        "UC-1",
        json!({"kind": "custodian_changed", "occurred_on": day(days_ago(2)), "custodian": "东村村委会"}),
    );
    append(
        app,
        "UC-1",
        json!({"kind": "ownership_confirmed", "occurred_on": day(days_ago(2)), "confirmed_on": day(days_ago(2)), "certificate_no": "确字9号"}),
    );
    append(
        app,
        "HH-3",
        json!({"kind": "ownership_transferred", "occurred_on": day(days_ago(1)), "owner": {"name": "李四", "type": "household"}, "document_no": "转1"}),
    );
    append(
        app,
        "D1-1",
        json!({"kind": "value_adjusted", "occurred_on": day(days_ago(1)), "value": "150.00", "reason": "评估减值"}),
    );
    append(
        app,
        "D2-1",
        json!({"kind": "disposed", "occurred_on": day(days_ago(1)), "method": "scrap", "approval_no": "财1号"}),
    );
    // Contracts: one running out within 90 days that fell short in its first year, one
    // run out long ago, then the first ended early.
    append(
        app,
        "OP-1",
        json!({"kind": "contract_signed", "occurred_on": day(months_ago(24)), "mode": "lease", "counterparty": "运维公司",
        "starts_on": day(months_ago(24)), "ends_on": day(in_days(30)), "annual_amount": "1000.00"}),
    );
    append(
        app,
        "OP-1",
        json!({"kind": "income", "occurred_on": day(months_ago(20)), "amount": "400.00", "period": "租金"}),
    );
    append(
        app,
        "OP-2",
        json!({"kind": "contract_signed", "occurred_on": day(months_ago(36)), "mode": "contract", "counterparty": "合作社",
        "starts_on": day(months_ago(36)), "ends_on": day(days_ago(10)), "annual_amount": "100.00"}),
    );
    let found = kinds(&listed(app, &app.auditor, None, 1000));
    for expected in [
        ("idle_or_damaged", "OK1-1"),
        ("income_below_contract", "OP-1"),
        ("contract_expiring", "OP-1"),
        ("contract_expired", "OP-2"),
    ] {
        assert!(
            found.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?} in {found:?}"
        );
    }
    append(
        app,
        "OP-1",
        json!({"kind": "contract_ended", "occurred_on": day(today()), "reason": "提前终止"}),
    );
    let found = kinds(&listed(app, &app.auditor, None, 1000));
    assert!(found.contains(&("contract_expired".to_owned(), "OP-1".to_owned())));
    assert!(!found.contains(&("contract_expiring".to_owned(), "OP-1".to_owned())));

    // A second import, in bulk.
    let reply = app.import(MORE.as_bytes(), false);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    app.assert_summary_consistent();

    // A stock-take: results, then its closing.
    let opened = post_json(
        app,
        "/api/v1/stocktakes",
        &json!({"name": "年度清查", "year": 2026}),
    );
    let id = opened["stocktake"]["id"].as_str().expect("id").to_owned();
    post_json(
        app,
        &format!("/api/v1/stocktakes/{id}/results"),
        &json!([
            {"asset_code": "D3-1", "result": "idle", "checked_on": day(today())},
            {"asset_code": "OK1-1", "result": "normal", "checked_on": day(today())}
        ]),
    );
    app.assert_findings_kept();
    post_json(app, &format!("/api/v1/stocktakes/{id}/close"), &json!({}));
    app.assert_summary_consistent();
    let found = kinds(&listed(app, &app.auditor, None, 1000));
    assert!(found.contains(&("not_stocktaken".to_owned(), "M1-1".to_owned())));
    assert!(found.contains(&("idle_or_damaged".to_owned(), "D3-1".to_owned())));
    assert!(!found.contains(&("idle_or_damaged".to_owned(), "OK1-1".to_owned())));

    let verified = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(verified.body["ok"], true, "{}", verified.body);
}

fn pages_list_what_the_recomputation_finds_in_every_scope(app: &TestApp) {
    let reply = app.import(REGISTER.as_bytes(), false);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    append(
        app,
        "OK1-1",
        json!({"kind": "inspection", "occurred_on": day(days_ago(3)), "result": "idle"}),
    );
    for (scope, token) in [
        (Scope::County, app.auditor.clone()),
        (
            Scope::parse("town:桑镇").expect("scope"),
            token(app, "town:桑镇"),
        ),
        (
            Scope::parse("village:桑镇/西村").expect("scope"),
            token(app, "village:桑镇/西村"),
        ),
        (
            Scope::parse("department:交通局").expect("scope"),
            token(app, "department:交通局"),
        ),
        (
            Scope::parse("department:农业农村局").expect("scope"),
            token(app, "department:农业农村局"),
        ),
    ] {
        let all = recomputed(app, &scope, None);
        for limit in [1, 2, 1000] {
            assert_eq!(
                listed(app, &token, None, limit),
                all,
                "{scope}, pages of {limit}"
            );
        }
        for kind in asset_registry::reconcile::findings::KINDS {
            assert_eq!(
                listed(app, &token, Some(kind), 2),
                recomputed(app, &scope, Some(kind)),
                "{scope}, {kind}"
            );
        }
    }
    // Within the transport department only D1-1 and D3-1 are twins; D2-1 is the water
    // bureau's.
    let transport = kinds(&listed(
        app,
        &token(app, "department:交通局"),
        Some("duplicate_candidate"),
        10,
    ));
    assert_eq!(
        transport,
        [
            ("duplicate_candidate".to_owned(), "D1-1".to_owned()),
            ("duplicate_candidate".to_owned(), "D3-1".to_owned())
        ]
    );
    let water = listed(
        app,
        &token(app, "department:水利局"),
        Some("duplicate_candidate"),
        10,
    );
    assert_eq!(water, Vec::<Value>::new());
    // The web page shows the same counts and the kind's first page.
    let browser = app.signed_in(&app.auditor);
    let html = browser
        .get("/findings?kind=duplicate_candidate")
        .dispatch()
        .into_string()
        .unwrap_or_default();
    assert!(html.contains("疑似重复登记（5 项）"), "{html}");
    assert!(html.contains("D1-1") && html.contains("D2-1") && html.contains("D3-1"));
}

fn verify_names_a_kept_finding_that_was_tampered_with(app: &TestApp) {
    use asset_registry::db::schema::findings;
    let reply = app.import(REGISTER.as_bytes(), false);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    let mut conn = app.db.conn().expect("connection");
    diesel::delete(findings::table.filter(findings::code.eq("NC-1")))
        .execute(&mut *conn)
        .expect("delete");
    drop(conn);
    let verified = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(verified.body["ok"], false, "{}", verified.body);
    assert_eq!(
        verified.body["bad_figure"],
        "findings.missing_custodian.NC-1"
    );
    assert!(verified.body["problem"]
        .as_str()
        .unwrap_or_default()
        .contains("缺少"));
    // Rebuilt, they agree again; a finding added by hand is named too.
    let mut conn = app.db.conn().expect("connection");
    asset_registry::reconcile::findings::maintain::rebuild(&mut conn).expect("rebuild");
    diesel::update(findings::table.filter(findings::code.eq("OK1-1")))
        .set(findings::rank.eq(2))
        .execute(&mut *conn)
        .ok();
    diesel::sql_query(
        "INSERT INTO findings (rank, code, town, village, department, on_date, flag, detail) \
         VALUES (2, 'OK1-1', '桑镇', '东村', '水利局', NULL, 0, NULL)",
    )
    .execute(&mut *conn)
    .expect("insert");
    drop(conn);
    let verified = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(
        verified.body["bad_figure"],
        "findings.missing_custodian.OK1-1"
    );
}

fn a_register_without_kept_findings_builds_them_when_opened(app: &TestApp) {
    use asset_registry::db::schema::{findings, findings_state};
    let reply = app.import(REGISTER.as_bytes(), false);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    append(
        app,
        "OK1-1",
        json!({"kind": "inspection", "occurred_on": day(days_ago(3)), "result": "damaged"}),
    );
    let before = listed(app, &app.auditor, None, 1000);
    let mut conn = app.db.conn().expect("connection");
    diesel::delete(findings::table)
        .execute(&mut *conn)
        .expect("delete");
    diesel::update(findings_state::table)
        .set(findings_state::built.eq(0))
        .execute(&mut *conn)
        .expect("unbuilt");
    drop(conn);
    // As a migration leaves a register made before the findings were kept.
    let reopened = asset_registry::db::Db::open(&app.database.url, 2).expect("open");
    let mut conn = reopened.conn().expect("connection");
    let built: i32 = findings_state::table
        .select(findings_state::built)
        .first(&mut *conn)
        .expect("state");
    assert_eq!(built, 1);
    drop(conn);
    assert_eq!(listed(app, &app.auditor, None, 1000), before);
    app.assert_findings_kept();
}

/// The server's connections cancel a statement that runs past `statement_timeout` on
/// PostgreSQL (SQLite has no such limit); a migration and an import lift it.
fn a_server_statement_is_cancelled_after_its_timeout(app: &TestApp) {
    use asset_registry::db::{Backend, Db};
    use std::time::Duration;
    let figment = rocket::Config::figment().merge(("statement_timeout", 1));
    let timeout = asset_registry::db::pool::statement_timeout(&figment);
    assert_eq!(timeout, Some(Duration::from_secs(1)));
    let off = rocket::Config::figment().merge(("statement_timeout", 0));
    assert_eq!(asset_registry::db::pool::statement_timeout(&off), None);
    let served = Db::open_with_timeout(&app.database.url, 2, "serve", timeout).expect("open");
    let mut conn = served.conn().expect("connection");
    if app.backend == Backend::Postgres {
        let slow = diesel::sql_query("SELECT pg_sleep(3)").execute(&mut *conn);
        let error = slow.expect_err("cancelled").to_string();
        assert!(error.contains("statement timeout"), "{error}");
        diesel::sql_query("SELECT pg_sleep(0.1)")
            .execute(&mut *conn)
            .expect("a quick statement runs");
    }
    // Writes still go through the server's connections, an import among them.
    let client = rocket::local::blocking::Client::tracked(asset_registry::server::rocket(
        served.clone(),
        app.figment.clone(),
    ))
    .expect("rocket");
    let reply = client
        .post("/api/v1/imports?dry_run=false")
        .header(ContentType::CSV)
        .header(rocket::http::Header::new(
            "Authorization",
            format!("Bearer {}", app.clerk),
        ))
        .body(REGISTER)
        .dispatch();
    assert_eq!(reply.status(), Status::Created);
    drop(conn);
    app.assert_findings_kept();
}

/// The kept row of `code` for `operating_without_income`: its rank (4 while it is a
/// finding, 104 while an income of the last year holds it back) and day.
fn operating_row(app: &TestApp, code: &str) -> (i32, Option<String>) {
    use asset_registry::db::schema::findings;
    let mut conn = app.db.conn().expect("connection");
    findings::table
        .filter(findings::code.eq(code))
        .filter(findings::rank.eq_any([4, 104]))
        .select((findings::rank, findings::on_date))
        .first(&mut *conn)
        .expect("the operating asset's row")
}

/// `operating_without_income` keeps the operating assets an income of the last year
/// holds back apart from its findings, so that a page does not walk past them; one held
/// back a year ago turns into a finding with no write, and the next write moves it.
fn a_held_back_operating_asset_turns_into_a_finding_when_its_year_passes(app: &TestApp) {
    let reply = app.import(REGISTER.as_bytes(), false);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    let recent = day(days_ago(10));
    append(
        app,
        "OP-1",
        json!({"kind": "income", "occurred_on": recent, "amount": "100.00", "period": "本月"}),
    );
    assert_eq!(operating_row(app, "OP-1"), (104, Some(recent)));
    let old = day(days_ago(400));
    append(
        app,
        "OP-2",
        json!({"kind": "income", "occurred_on": old, "amount": "100.00", "period": "上年"}),
    );
    assert_eq!(operating_row(app, "OP-2"), (4, Some(old.clone())));
    let operating = Some("operating_without_income");
    assert_eq!(
        kinds(&listed(app, &app.auditor, operating, 1)),
        [
            ("operating_without_income".to_owned(), "M1-1".to_owned()),
            ("operating_without_income".to_owned(), "OP-2".to_owned()),
        ]
    );
    // A year passes with no write: OP-2 was held back by its income when it was last
    // written (as a register that took no write for a year holds it).
    let mut conn = app.db.conn().expect("connection");
    diesel::sql_query("UPDATE findings SET rank = 104 WHERE rank = 4 AND code = 'OP-2'")
        .execute(&mut *conn)
        .expect("held");
    drop(conn);
    let scopes = [
        (Scope::County, app.auditor.clone()),
        (
            Scope::parse("town:阜寨镇").expect("scope"),
            token(app, "town:阜寨镇"),
        ),
        (
            Scope::parse("department:发改局").expect("scope"),
            token(app, "department:发改局"),
        ),
        (
            Scope::parse("village:桑镇/东村").expect("scope"),
            token(app, "village:桑镇/东村"),
        ),
    ];
    for (scope, token) in &scopes {
        let again = recomputed(app, scope, operating);
        for limit in [1, 2, 1000] {
            assert_eq!(
                listed(app, token, operating, limit),
                again,
                "{scope}, pages of {limit}"
            );
        }
        assert_eq!(listed(app, token, None, 1), recomputed(app, scope, None));
        let mut conn = app.db.conn().expect("connection");
        let counted =
            asset_registry::reconcile::findings::counts(&mut conn, scope, None).expect("counts");
        assert_eq!(
            counted[4],
            (
                asset_registry::reconcile::findings::FindingKind::parse("operating_without_income")
                    .expect("kind"),
                i64::try_from(again.len()).expect("count")
            ),
            "{scope}"
        );
    }
    assert!(kinds(&recomputed(app, &Scope::County, operating))
        .contains(&("operating_without_income".to_owned(), "OP-2".to_owned())));
    app.assert_findings_kept();
    let verified = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(verified.body["ok"], true, "{}", verified.body);
    // The next write, whatever it touches, moves it under the finding's rank.
    append(
        app,
        "OK1-1",
        json!({"kind": "inspection", "occurred_on": day(days_ago(3)), "result": "normal"}),
    );
    assert_eq!(operating_row(app, "OP-2"), (4, Some(old)));
    assert_eq!(operating_row(app, "OP-1").0, 104);
}

fn main() -> std::process::ExitCode {
    let scenarios: Vec<(&'static str, Scenario)> = vec![
        (
            "every_write_keeps_the_findings_equal_to_their_recomputation",
            every_write_keeps_the_findings_equal_to_their_recomputation,
        ),
        (
            "pages_list_what_the_recomputation_finds_in_every_scope",
            pages_list_what_the_recomputation_finds_in_every_scope,
        ),
        (
            "verify_names_a_kept_finding_that_was_tampered_with",
            verify_names_a_kept_finding_that_was_tampered_with,
        ),
        (
            "a_register_without_kept_findings_builds_them_when_opened",
            a_register_without_kept_findings_builds_them_when_opened,
        ),
        (
            "a_held_back_operating_asset_turns_into_a_finding_when_its_year_passes",
            a_held_back_operating_asset_turns_into_a_finding_when_its_year_passes,
        ),
        (
            "a_server_statement_is_cancelled_after_its_timeout",
            a_server_statement_is_cancelled_after_its_timeout,
        ),
    ];
    support::run_with(scenarios, |backend| {
        let figment = rocket::Config::figment()
            .merge(("log_level", "off"))
            .merge(("approvals", ""));
        TestApp::new(backend, Some(figment))
    })
}
