//! Declarations, reconciliation, findings and the printable report, on SQLite and
//! PostgreSQL.

mod support;

use rocket::http::{ContentType, Header, Status};
use serde_json::{json, Value};
use support::{sample, Scenario, TestApp};

fn declared() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(sample("xingping_2020.declared.json")).expect("declared"),
    )
    .expect("json")
}

fn fen(amount: &str) -> i64 {
    let negative = amount.starts_with('-');
    let (yuan, cents) = amount
        .trim_start_matches('-')
        .split_once('.')
        .expect("two decimals");
    let value = yuan.parse::<i64>().expect("yuan") * 100 + cents.parse::<i64>().expect("fen");
    if negative {
        -value
    } else {
        value
    }
}

fn declare(app: &TestApp, body: &Value) -> Value {
    let reply = app.post(
        "/api/v1/declarations",
        Some(&app.clerk),
        body.to_string().into_bytes(),
        ContentType::JSON,
    );
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    reply.body
}

fn reconciliation(app: &TestApp, id: &str) -> Value {
    let reply = app.get(
        &format!("/api/v1/declarations/{id}/reconciliation"),
        Some(&app.reader),
    );
    assert_eq!(reply.status, Status::Ok, "{}", reply.body);
    reply.body
}

fn the_sample_matches_its_declaration_line_by_line(app: &TestApp) {
    assert_eq!(
        app.import_sample("xingping_2020.gbk.csv").status,
        Status::Created
    );
    let declaration = declare(app, &declared());
    let report = reconciliation(app, declaration["id"].as_str().unwrap_or_default());
    assert_eq!(report["status"], "match", "{report}");
    let lines = report["lines"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        lines.len(),
        declared()["lines"].as_array().map(Vec::len).unwrap_or(0)
    );
    for (line, expected) in lines
        .iter()
        .zip(declared()["lines"].as_array().into_iter().flatten())
    {
        assert_eq!(line["scope"], expected["scope"]);
        assert_eq!(
            line["declared"],
            json!({"projects": expected["projects"], "amount": expected["amount"]})
        );
        assert_eq!(line["actual"], line["declared"]);
        assert_eq!(line["difference"], json!({"projects": 0, "amount": "0.00"}));
        assert_eq!(line["status"], "match");
    }
    // The unclassified projects are exactly the gap between the total and the classes.
    let total = &lines[0]["actual"];
    let classes: Vec<&Value> = lines
        .iter()
        .filter(|l| l["scope"].as_str().is_some_and(|s| s.starts_with("class:")))
        .map(|l| &l["actual"])
        .collect();
    let gap_projects = total["projects"].as_i64().unwrap_or(0)
        - classes
            .iter()
            .map(|c| c["projects"].as_i64().unwrap_or(0))
            .sum::<i64>();
    let gap_fen = fen(total["amount"].as_str().unwrap_or("0.00"))
        - classes
            .iter()
            .map(|c| fen(c["amount"].as_str().unwrap_or("0.00")))
            .sum::<i64>();
    assert_eq!(
        report["unclassified"]["projects"].as_i64(),
        Some(gap_projects)
    );
    assert_eq!(
        report["unclassified"]["amount"].as_str().map(fen),
        Some(gap_fen)
    );
    assert_eq!(
        report["unclassified"],
        json!({"projects": 2059, "amount": "134109000.00"})
    );
    assert_eq!(report["ledger_head"]["hash"], app.register_state().head);
    assert_eq!(report["ledger_head"]["seq"], app.register_state().entries);
    assert_eq!(report["declaration"]["as_of"], "2020-10-31");
}

fn a_figure_off_by_ten_thousand_is_a_mismatch_of_exactly_that(app: &TestApp) {
    assert_eq!(
        app.import_sample("xingping_2020.gbk.csv").status,
        Status::Created
    );
    let mut body = declared();
    let lines = body["lines"].as_array_mut().expect("lines");
    let operating = lines
        .iter_mut()
        .find(|l| l["scope"] == "class:operating")
        .expect("operating line");
    let declared_fen = fen(operating["amount"].as_str().unwrap_or_default()) + 1_000_000;
    operating["amount"] = json!(format!("{}.{:02}", declared_fen / 100, declared_fen % 100));
    let declaration = declare(app, &body);
    let report = reconciliation(app, declaration["id"].as_str().unwrap_or_default());
    assert_eq!(report["status"], "mismatch");
    for line in report["lines"].as_array().into_iter().flatten() {
        if line["scope"] == "class:operating" {
            assert_eq!(
                line["difference"],
                json!({"projects": 0, "amount": "-10000.00"})
            );
            assert_eq!(line["status"], "mismatch");
        } else {
            assert_eq!(line["status"], "match", "{line}");
        }
    }
}

fn both_backends_give_the_same_report(app: &TestApp) {
    if app.backend != asset_registry::db::Backend::Sqlite {
        return;
    }
    if <diesel::PgConnection as diesel::Connection>::establish(&support::postgres_admin_url())
        .is_err()
    {
        assert!(
            std::env::var("CI").is_err(),
            "PostgreSQL is required under CI"
        );
        return;
    }
    let pg = TestApp::new(asset_registry::db::Backend::Postgres, None);
    let mut reports = Vec::new();
    for target in [app, &pg] {
        assert_eq!(
            target.import_sample("xingping_2020.gbk.csv").status,
            Status::Created
        );
        let mut body = declared();
        body["lines"]
            .as_array_mut()
            .expect("lines")
            .push(json!({"scope": "town:桑镇", "projects": 1, "amount": "1.00"}));
        body["lines"]
            .as_array_mut()
            .expect("lines")
            .push(json!({"scope": "year:2016", "projects": 1, "amount": "1.00"}));
        body["lines"]
            .as_array_mut()
            .expect("lines")
            .push(json!({"scope": "unclassified", "projects": 2059, "amount": "134109000.00"}));
        let declaration = declare(target, &body);
        let mut report = reconciliation(target, declaration["id"].as_str().unwrap_or_default());
        // Ids, times and hashes differ between databases; every figure must not.
        report["generated_at"] = Value::Null;
        report["declaration"]["id"] = Value::Null;
        report["ledger_head"]["hash"] = Value::Null;
        report["ledger_head"]["pin"] = Value::Null;
        report["ledger_head"]["how_to_check"] = Value::Null;
        reports.push(report);
    }
    assert_eq!(reports[0], reports[1]);
    assert_eq!(reports[0]["status"], "mismatch");
}

const SMALL: &str = "项目编号,项目名称,项目年度,镇街,村,项目资金(元),资产编号,资产名称,资产类别,资产价值(元),所有权人,所有权人类型,管护主体,确权日期,确权证书编号
P1,光伏,2019,桑镇,东村,1000,PV-1,光伏电站,经营性,1000,东村股份经济合作社,村集体,东村,2020-03-05,C1
P2,道路,2020,桑镇,东村,500,ROAD-1,道路,公益性,500,东村村委会,村集体,东村,2020-12-01,C2
P3,培训,2020,桑镇,东村,300,,,,,,,,,
";

fn as_of_counts_what_stood_on_that_day(app: &TestApp) {
    assert_eq!(app.import(SMALL.as_bytes(), false).status, Status::Created);
    // Disposed after the declaration's date: still counts.
    let disposed = app.post(
        "/api/v1/assets/PV-1/ledger",
        Some(&app.clerk),
        json!({"kind": "disposed", "occurred_on": "2021-06-01", "method": "auction", "approval_no": "A"}).to_string().into_bytes(),
        ContentType::JSON,
    );
    assert_eq!(disposed.status, Status::Created);
    let body = json!({"name": "2020 年度", "as_of": "2020-10-31", "lines": [
        {"scope": "total", "projects": 3, "amount": "1800.00"},
        {"scope": "class:operating", "projects": 1, "amount": "1000.00"},
        {"scope": "class:public_welfare", "projects": 0, "amount": "0.00"},
        {"scope": "unclassified", "projects": 2, "amount": "800.00"}
    ]});
    let report = reconciliation(app, declare(app, &body)["id"].as_str().unwrap_or_default());
    assert_eq!(report["status"], "match", "{report}");
    // A year later the road exists and the photovoltaic station is gone.
    let later = json!({"name": "2021 年度", "as_of": "2021-12-31", "lines": [
        {"scope": "class:operating", "projects": 0, "amount": "0.00"},
        {"scope": "class:public_welfare", "projects": 1, "amount": "500.00"},
        {"scope": "unclassified", "projects": 1, "amount": "300.00"}
    ]});
    let report = reconciliation(app, declare(app, &later)["id"].as_str().unwrap_or_default());
    assert_eq!(report["status"], "match", "{report}");
    // A value adjustment counts from its date on.
    let adjusted = app.post(
        "/api/v1/assets/ROAD-1/ledger",
        Some(&app.clerk),
        json!({"kind": "value_adjusted", "occurred_on": "2022-01-01", "value": "450.00", "reason": "评估"}).to_string().into_bytes(),
        ContentType::JSON,
    );
    assert_eq!(adjusted.status, Status::Created);
    let report = reconciliation(app, declare(app, &later)["id"].as_str().unwrap_or_default());
    assert_eq!(report["status"], "match", "{report}");
    let after = json!({"name": "2022", "as_of": "2022-06-30", "lines": [{"scope": "class:public_welfare", "projects": 1, "amount": "450.00"}]});
    assert_eq!(
        reconciliation(app, declare(app, &after)["id"].as_str().unwrap_or_default())["status"],
        "match"
    );
    app.assert_summary_consistent();
}

fn bad_declarations_name_the_line_and_store_nothing(app: &TestApp) {
    let cases = [
        (
            json!({"name": "x", "as_of": "2020-10-31", "lines": [{"scope": "total", "projects": 1, "amount": "1.00"}, {"scope": "village:东村", "projects": 1, "amount": "1.00"}]}),
            Some(2),
            "lines[1].scope",
            "unknown_scope",
        ),
        (
            json!({"name": "x", "as_of": "2020-10-31", "lines": [{"scope": "total", "projects": 1, "amount": "-1.00"}]}),
            Some(1),
            "lines[0].amount",
            "negative_amount",
        ),
        (
            json!({"name": "x", "as_of": "2020-10-31", "lines": [{"scope": "total", "projects": 1, "amount": "1.2E+03"}]}),
            Some(1),
            "lines[0].amount",
            "scientific_notation",
        ),
        (
            json!({"name": "x", "as_of": "2020-10-31", "lines": [{"scope": "total", "projects": 1, "amount": "12.345"}]}),
            Some(1),
            "lines[0].amount",
            "too_many_decimals",
        ),
        (
            json!({"name": "x", "as_of": "2020-10-31", "lines": [{"scope": "total", "projects": 1, "amount": "abc"}]}),
            Some(1),
            "lines[0].amount",
            "invalid_number",
        ),
        (
            json!({"name": "x", "as_of": "2020-10-31", "lines": [{"scope": "total", "projects": 1, "amount": 100.5}]}),
            Some(1),
            "lines[0].amount",
            "invalid_type",
        ),
        (
            json!({"name": "x", "as_of": "2020-10-31", "lines": [{"scope": "total", "projects": -1, "amount": "1.00"}]}),
            Some(1),
            "lines[0].projects",
            "negative_amount",
        ),
        (
            json!({"name": "x", "as_of": "2020-10-31", "lines": [{"scope": "class:operating", "projects": 1, "amount": "1.00"}, {"scope": "class:operating", "projects": 2, "amount": "2.00"}]}),
            Some(2),
            "lines[1].scope",
            "duplicate_scope",
        ),
        (
            json!({"name": "x", "as_of": "2020-13-31", "lines": [{"scope": "total", "projects": 1, "amount": "1.00"}]}),
            None,
            "as_of",
            "invalid_date",
        ),
        (
            json!({"name": "x", "as_of": "2020-10-31", "lines": []}),
            None,
            "lines",
            "required",
        ),
    ];
    // A name given wrong is named for what is wrong with it, not as missing.
    for (name, code, message) in [
        (
            " ".to_owned(),
            "required",
            "缺少申报名称 name（不超过 200 个字符）".to_owned(),
        ),
        (
            "兴平市\u{0}核实".to_owned(),
            "invalid_value",
            "申报名称 name 不能含有控制字符".to_owned(),
        ),
        (
            "核".repeat(201),
            "field_too_long",
            "申报名称 name 不能超过 200 个字符，此处为 201 个".to_owned(),
        ),
    ] {
        let body = json!({"name": name, "as_of": "2020-10-31",
                          "lines": [{"scope": "total", "projects": 1, "amount": "1.00"}]});
        let reply = app.post(
            "/api/v1/declarations",
            Some(&app.clerk),
            body.to_string().into_bytes(),
            ContentType::JSON,
        );
        assert_eq!(reply.status, Status::UnprocessableEntity, "{}", reply.body);
        let mut whole = reply.body.clone();
        if let Some(object) = whole.as_object_mut() {
            object.remove("instance");
        }
        assert_eq!(
            whole,
            json!({
                "type": "urn:asset-registry:problem:invalid_declaration",
                "title": "请求内容无效",
                "status": 422,
                "detail": message,
                "errors": [{"code": code, "field": "name", "line": null, "message": message}],
            })
        );
    }
    for (body, line, field, code) in cases {
        let reply = app.post(
            "/api/v1/declarations",
            Some(&app.clerk),
            body.to_string().into_bytes(),
            ContentType::JSON,
        );
        assert_eq!(reply.status, Status::UnprocessableEntity, "{body}");
        assert_eq!(
            reply.content_type.as_deref(),
            Some("application/problem+json")
        );
        let first = &reply.body["errors"][0];
        assert_eq!(
            (
                first["line"].as_u64(),
                first["field"].as_str(),
                first["code"].as_str()
            ),
            (line, Some(field), Some(code)),
            "{}",
            reply.body
        );
        assert!(first["message"]
            .as_str()
            .is_some_and(|m| m.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))));
    }
    // A key given twice (which date was meant?) is refused, not read as the last.
    let twice = app.post(
        "/api/v1/declarations",
        Some(&app.clerk),
        br#"{"name": "x", "as_of": "2020-10-31", "as_of": "2021-10-31", "lines": []}"#.to_vec(),
        ContentType::JSON,
    );
    assert_eq!(twice.status, Status::UnprocessableEntity, "{}", twice.body);
    assert_eq!(
        twice.body["errors"],
        json!([{"line": 1, "field": "", "code": "malformed_json",
                "message": "字段 as_of 出现了不止一次 at line 1 column 44"}])
    );
    let csv = app.post(
        "/api/v1/declarations?name=x&as_of=2020-10-31",
        Some(&app.clerk),
        b"scope,projects,amount\ntotal,1,1.00\ncounty,1,1.00\n".to_vec(),
        ContentType::CSV,
    );
    assert_eq!(csv.status, Status::UnprocessableEntity);
    assert_eq!(
        (
            csv.body["errors"][0]["line"].as_u64(),
            csv.body["errors"][0]["code"].as_str()
        ),
        (Some(3), Some("unknown_scope"))
    );
    let listed = app.get("/api/v1/declarations", Some(&app.reader));
    assert_eq!(listed.body["items"], json!([]), "nothing stored");
    assert_eq!(
        app.get(
            "/api/v1/declarations/nope/reconciliation",
            Some(&app.reader)
        )
        .status,
        Status::NotFound
    );
    assert_eq!(
        app.get("/api/v1/declarations/nope", Some(&app.reader))
            .status,
        Status::NotFound
    );
    let by_reader = app.post(
        "/api/v1/declarations",
        Some(&app.reader),
        declared().to_string().into_bytes(),
        ContentType::JSON,
    );
    assert_eq!(by_reader.status, Status::Forbidden);
}

fn declarations_are_stored_from_json_or_csv(app: &TestApp) {
    let created = declare(app, &declared());
    assert_eq!(created["name"], declared()["name"]);
    assert_eq!(created["lines"], declared()["lines"]);
    let csv = app.post(
        "/api/v1/declarations?name=%E5%85%B4%E5%B9%B3&as_of=2020-10-31",
        Some(&app.clerk),
        "scope,projects,amount_wan\ntotal,3219,36980\nclass:operating,25,791\n"
            .as_bytes()
            .to_vec(),
        ContentType::CSV,
    );
    assert_eq!(csv.status, Status::Created, "{}", csv.body);
    assert_eq!(
        csv.body["lines"],
        json!([{"scope": "total", "projects": 3219, "amount": "369800000.00"}, {"scope": "class:operating", "projects": 25, "amount": "7910000.00"}])
    );
    let listed = app.get("/api/v1/declarations", Some(&app.reader));
    assert_eq!(listed.body["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(listed.body["items"][0]["id"], csv.body["id"]);
    let one = app.get(
        &format!(
            "/api/v1/declarations/{}",
            created["id"].as_str().unwrap_or_default()
        ),
        Some(&app.reader),
    );
    assert_eq!(one.body, created);
}

const FINDINGS: &str = "项目编号,项目名称,项目年度,镇街,村,项目资金(元),资产编号,资产名称,资产类别,资产价值(元),所有权人,所有权人类型,管护主体,确权日期,确权证书编号
M1,资金不符,2020,桑镇,东村,1000,M1-1,大棚,经营性,900,东村股份经济合作社,村集体,东村,2020-03-05,C1
H1,到户,2020,桑镇,东村,100,H1-1,肉牛,到户类,100,东村村委会,村集体,张三,2020-03-05,C2
OK1,完好,2020,桑镇,东村,100,OK1-1,水井,公益性,100,东村村委会,村集体,东村,2020-03-05,C3
NC,无管护,2020,桑镇,东村,100,NC-1,水塔,公益性,100,东村村委会,村集体,,2020-03-05,C4
UC,未确权,2020,桑镇,东村,100,UC-1,水渠,公益性,100,东村村委会,村集体,东村,,
D1,重复一,2020,桑镇,西村,200,D1-1,村组道路,公益性,200,西村村委会,村集体,西村,2020-03-05,C5
D2,重复二,2020,桑镇,西村,200,D2-1,村组道路,公益性,200,西村村委会,村集体,西村,2020-03-05,C6
";

fn every_kind_of_finding_is_raised(app: &TestApp) {
    assert_eq!(
        app.import(FINDINGS.as_bytes(), false).status,
        Status::Created
    );
    let inspection = app.post(
        "/api/v1/assets/OK1-1/ledger",
        Some(&app.clerk),
        json!({"kind": "inspection", "occurred_on": "2021-05-01", "result": "damaged", "note": "井壁坍塌"}).to_string().into_bytes(),
        ContentType::JSON,
    );
    assert_eq!(inspection.status, Status::Created);
    let reply = app.get("/api/v1/findings?limit=1000", Some(&app.auditor));
    assert_eq!(reply.status, Status::Ok, "{}", reply.body);
    let found: Vec<(String, String)> = reply.body["items"]
        .as_array()
        .into_iter()
        .flatten()
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
        .collect();
    let expected: Vec<(String, String)> = [
        ("project_value_mismatch", "M1"),
        ("owner_type_mismatch", "H1-1"),
        ("missing_custodian", "NC-1"),
        ("unconfirmed", "UC-1"),
        ("operating_without_income", "M1-1"),
        ("idle_or_damaged", "OK1-1"),
        ("duplicate_candidate", "D1-1"),
        ("duplicate_candidate", "D2-1"),
    ]
    .iter()
    .map(|(k, c)| ((*k).to_owned(), (*c).to_owned()))
    .collect();
    assert_eq!(found, expected);
    let mismatch = &reply.body["items"][0];
    assert_eq!(
        mismatch,
        &json!({"kind": "project_value_mismatch", "project_code": "M1", "detail": "资产价值合计 900.00 元，项目资金 1,000.00 元，相差 -100.00 元"})
    );
    let only = app.get("/api/v1/findings?kind=unconfirmed", Some(&app.auditor));
    assert_eq!(
        only.body["items"],
        json!([{"kind": "unconfirmed", "asset_code": "UC-1", "detail": "尚未确权：无确权日期和确权证书编号"}])
    );
    // Income in the last twelve months clears the operating finding.
    let today = asset_registry::domain::dates::today_in_china().to_string();
    let income = app.post(
        "/api/v1/assets/M1-1/ledger",
        Some(&app.clerk),
        json!({"kind": "income", "occurred_on": today, "amount": "10.00", "period": "本月"})
            .to_string()
            .into_bytes(),
        ContentType::JSON,
    );
    assert_eq!(income.status, Status::Created);
    assert_eq!(
        app.get(
            "/api/v1/findings?kind=operating_without_income",
            Some(&app.auditor)
        )
        .body["items"],
        json!([])
    );
    assert_eq!(
        app.get("/api/v1/findings?kind=foo", Some(&app.auditor))
            .status,
        Status::BadRequest
    );
    assert_eq!(
        app.get("/api/v1/findings", Some(&app.reader)).status,
        Status::Forbidden
    );
    assert_eq!(
        app.get("/api/v1/findings", Some(&app.clerk)).status,
        Status::Ok,
        "clerks see findings so that they can fix them (issue #13 item 6)"
    );
    let page = app.get("/api/v1/findings?limit=3", Some(&app.auditor));
    let next = page.body["next_cursor"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let rest = app.get(
        &format!("/api/v1/findings?limit=1000&cursor={next}"),
        Some(&app.auditor),
    );
    assert_eq!(rest.body["items"][0]["kind"], "unconfirmed");
    app.assert_summary_consistent();
}

fn the_printable_report_pins_the_ledger_head(app: &TestApp) {
    assert_eq!(
        app.import_sample("xingping_2020.gbk.csv").status,
        Status::Created
    );
    let declaration = declare(app, &declared());
    let id = declaration["id"].as_str().unwrap_or_default();
    let response = app
        .client
        .get(format!("/api/v1/declarations/{id}/report.html"))
        .header(rocket::http::Header::new(
            "Authorization",
            format!("Bearer {}", app.auditor),
        ))
        .dispatch();
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.content_type(), Some(ContentType::HTML));
    let html = response.into_string().unwrap_or_default();
    assert!(html.starts_with("<!doctype html><html lang=\"zh-CN\">"));
    assert!(html.contains("@media print"));
    assert!(html.contains("全部相符"));
    assert!(html.contains("共有 <strong>2059</strong> 个项目未形成资产（项目资金 13,410.90 万元，即 134,109,000.00 元）"), "{html}");
    assert!(html.contains(&app.register_state().head));
    assert!(
        html.contains("<td class=n>25</td><td class=n>791.00</td><td class=n>7,910,000.00</td>")
    );
    assert!(html.contains("<td title=\"missing_custodian\">未落实管护主体</td>"));
    // Readers get the report without the findings, which are for the roles that fix or audit them.
    let for_reader = app
        .client
        .get(format!("/api/v1/declarations/{id}/report.html"))
        .header(rocket::http::Header::new(
            "Authorization",
            format!("Bearer {}", app.reader),
        ))
        .dispatch()
        .into_string()
        .unwrap_or_default();
    assert!(for_reader.contains("全部相符") && !for_reader.contains("审计发现"));
    // Clerks see findings (issue #13 item 6), on the printed report too.
    let for_clerk = app
        .client
        .get(format!("/api/v1/declarations/{id}/report.html"))
        .header(rocket::http::Header::new(
            "Authorization",
            format!("Bearer {}", app.clerk),
        ))
        .dispatch()
        .into_string()
        .unwrap_or_default();
    assert!(for_clerk.contains("<td title=\"missing_custodian\">未落实管护主体</td>"));
}

/// Every finding of `kind` in the county, through the API a page at a time.
fn every_finding_of(app: &TestApp, kind: &str) -> Vec<Value> {
    let mut found = Vec::new();
    let mut cursor = String::new();
    loop {
        let reply = app.get(
            &format!("/api/v1/findings?kind={kind}&limit=1000{cursor}"),
            Some(&app.auditor),
        );
        assert_eq!(reply.status, Status::Ok, "{}", reply.body);
        found.extend(reply.body["items"].as_array().cloned().unwrap_or_default());
        match reply.body["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => return found,
        }
    }
}

/// The printed report counts every finding but lists only the first few of each kind
/// (a province's register has hundreds of thousands), pointing to the rest.
fn the_printable_report_lists_a_bounded_few_of_each_kind(app: &TestApp) {
    const PER_KIND: usize = asset_registry::api::declarations::REPORT_FINDINGS_PER_KIND as usize;
    assert_eq!(
        app.import_sample("xingping_2020.gbk.csv").status,
        Status::Created
    );
    let declaration = declare(app, &declared());
    let id = declaration["id"].as_str().unwrap_or_default();
    let html = app
        .client
        .get(format!("/api/v1/declarations/{id}/report.html"))
        .header(rocket::http::Header::new(
            "Authorization",
            format!("Bearer {}", app.auditor),
        ))
        .dispatch()
        .into_string()
        .unwrap_or_default();
    let mut more_than_listed = 0;
    for kind in asset_registry::reconcile::findings::KINDS {
        let every = every_finding_of(app, kind);
        let label = asset_registry::reconcile::findings::finding_label(kind);
        assert!(
            html.contains(&format!(
                "<tr><td title=\"{kind}\">{label}</td><td class=n>{}</td></tr>",
                every.len()
            )),
            "{kind}: {} counted in {html}",
            every.len()
        );
        // The kind's list: from its heading to the next heading.
        let heading = format!("<h3>{label}</h3>");
        let Some((_, after)) = html.split_once(&heading) else {
            assert!(
                every.is_empty(),
                "{kind}: {} found, none listed",
                every.len()
            );
            continue;
        };
        let section = after.split("<h").next().unwrap_or_default();
        let listed: Vec<&str> = section
            .split("<tr><td>")
            .skip(1)
            .map(|row| row.split("</td>").next().unwrap_or_default())
            .collect();
        assert_eq!(listed.len(), every.len().min(PER_KIND), "{kind}: {section}");
        let first: Vec<&str> = every
            .iter()
            .take(PER_KIND)
            .map(|f| {
                f["asset_code"]
                    .as_str()
                    .or(f["project_code"].as_str())
                    .unwrap_or_default()
            })
            .collect();
        assert_eq!(listed, first, "{kind}: the first by code");
        if every.len() > PER_KIND {
            more_than_listed += 1;
            assert!(
                section.contains(&format!("共 {} 条", every.len()))
                    && section.contains(&format!("/api/v1/findings.csv?kind={kind}")),
                "{kind}: {section}"
            );
        }
    }
    assert!(
        more_than_listed > 0,
        "the sample has more findings of some kind than a report lists"
    );
}

fn the_command_line_reconciles_with_exit_codes(app: &TestApp) {
    assert_eq!(
        app.import_sample("xingping_2020.gbk.csv").status,
        Status::Created
    );
    let run = |file: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_asset-registry"))
            .args([
                "--database",
                &app.database.url,
                "reconcile",
                "--declared",
                file.to_str().unwrap_or_default(),
            ])
            .output()
            .expect("reconcile")
    };
    let matched = run(&sample("xingping_2020.declared.json"));
    assert_eq!(
        matched.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&matched.stdout)
    );
    let out = String::from_utf8_lossy(&matched.stdout);
    assert!(
        out.contains("经营性资产")
            && out.contains("791.00")
            && out.contains("7,910,000.00")
            && out.contains("全部相符"),
        "{out}"
    );
    let folder = tempfile::tempdir().expect("temp dir");
    let off = folder.path().join("off.csv");
    std::fs::write(
        &off,
        "scope,projects,amount\ntotal,3219,369800000.00\nclass:operating,25,7920000.00\n",
    )
    .expect("write");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_asset-registry"))
        .args([
            "--database",
            &app.database.url,
            "reconcile",
            "--declared",
            off.to_str().unwrap_or_default(),
            "--as-of",
            "2020-10-31",
        ])
        .output()
        .expect("reconcile");
    assert_eq!(output.status.code(), Some(1));
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(
        out.contains("-10,000.00")
            && out.contains("-1.00")
            && out.contains("✗ 不符")
            && out.contains("存在差异"),
        "{out}"
    );
}

fn the_maintained_totals_and_the_ledger_fold_agree(app: &TestApp) {
    use asset_registry::reconcile::declaration::parse_json;
    use asset_registry::reconcile::report::{reconcile_using, Method};
    assert_eq!(
        app.import_sample("xingping_2020.gbk.csv").status,
        Status::Created
    );
    assert_eq!(app.import(SMALL.as_bytes(), false).status, Status::Created);
    for (asset, body) in [
        (
            "PV-1",
            json!({"kind": "disposed", "occurred_on": "2021-06-01", "method": "auction", "approval_no": "A"}),
        ),
        (
            "ROAD-1",
            json!({"kind": "value_adjusted", "occurred_on": "2021-01-01", "value": "450.00", "reason": "评估"}),
        ),
    ] {
        let reply = app.post(
            &format!("/api/v1/assets/{asset}/ledger"),
            Some(&app.clerk),
            body.to_string().into_bytes(),
            ContentType::JSON,
        );
        assert_eq!(reply.status, Status::Created);
    }
    app.assert_summary_consistent();
    let mut conn = app.db.conn().expect("connection");
    for as_of in [
        "2019-12-31",
        "2020-10-31",
        "2021-03-01",
        "2021-12-31",
        "2025-12-31",
    ] {
        let mut body = declared();
        body["as_of"] = json!(as_of);
        body["lines"]
            .as_array_mut()
            .expect("lines")
            .push(json!({"scope": "unclassified", "projects": 0, "amount": "0.00"}));
        let declaration = parse_json(&body).expect("valid declaration");
        let mut auto = reconcile_using(&mut conn, None, &declaration, Method::Auto).expect("auto");
        let mut folded =
            reconcile_using(&mut conn, None, &declaration, Method::Fold).expect("fold");
        auto.generated_at.clear();
        folded.generated_at.clear();
        assert_eq!(auto, folded, "as of {as_of}");
    }
}

/// The declarations the API lists.
fn declarations(app: &TestApp) -> usize {
    let reply = app.get("/api/v1/declarations", Some(&app.auditor));
    assert_eq!(reply.status, Status::Ok, "{}", reply.body);
    reply.body["items"].as_array().expect("items").len()
}

fn a_declaration_form_posted_twice_stores_once(app: &TestApp) {
    let browser = app.signed_in(&app.clerk);
    let page = browser.get("/reconcile").dispatch().into_string().unwrap();
    let after = |page: &str, marker: &str| -> String {
        page.split_once(marker)
            .and_then(|(_, rest)| rest.split_once('"'))
            .unwrap_or_else(|| panic!("no {marker} in {page}"))
            .0
            .to_owned()
    };
    let key = after(&page, "name=\"form_key\" value=\"");
    assert!(uuid::Uuid::parse_str(&key).is_ok(), "{key}");
    let scope = after(
        page.split_once("name=\"scope0\"").expect("scope0").1,
        "<option value=\"\">（不填）</option><option value=\"",
    );
    let post = |key: &str, amount: &str| {
        let body = format!(
            "name={}&as_of=2020-10-31&scope0={}&projects0=1&amount0={amount}&form_key={key}",
            support::encode("县级申报"),
            support::encode(&scope)
        );
        let reply = browser
            .post("/reconcile")
            .header(ContentType::Form)
            .body(body)
            .dispatch();
        let location = reply
            .headers()
            .get_one("Location")
            .unwrap_or_default()
            .to_owned();
        (
            reply.status(),
            location,
            reply.into_string().unwrap_or_default(),
        )
    };
    let (status, first, _) = post(&key, "100.00");
    assert_eq!(status, Status::SeeOther);
    assert!(
        first.starts_with("/reconcile/") && !first.contains('?'),
        "{first}"
    );
    assert_eq!(declarations(app), 1);
    let (status, again, _) = post(&key, "100.00");
    assert_eq!(
        (status, again.clone()),
        (Status::SeeOther, format!("{first}?done=repeated"))
    );
    let shown = browser.get(again).dispatch().into_string().unwrap();
    assert!(shown.contains("此表单已提交，未重复记录"), "{shown}");
    assert_eq!(declarations(app), 1);
    let (status, _, refused) = post(&key, "200.00");
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(refused.contains("内容与当时不同，未记录"), "{refused}");
    assert_eq!(declarations(app), 1);
    // A form without a key stores, as before.
    let (status, _, _) = post("", "100.00");
    assert_eq!(status, Status::SeeOther);
    assert_eq!(declarations(app), 2);
}

/// The rows declarations are stored in: (declarations, their lines).
fn declaration_rows(app: &TestApp) -> (i64, i64) {
    (
        app.count_rows("declarations"),
        app.count_rows("declaration_lines"),
    )
}

/// A declaration posted again with its `Idempotency-Key` (JSON or CSV) answers with
/// the declaration stored the first time and stores nothing; another body, or another
/// token, under the same key is 422 `idempotency_key_reused`.
fn a_repeated_declaration_post_stores_once(app: &TestApp) {
    let send = |token: &str, path: &str, key: &str, body: &[u8], kind: ContentType| {
        let response = app
            .client
            .post(path.to_owned())
            .header(kind)
            .header(Header::new("Authorization", format!("Bearer {token}")))
            .header(Header::new("Idempotency-Key", key.to_owned()))
            .body(body)
            .dispatch();
        support::reply_of(response)
    };
    let json_path = "/api/v1/declarations";
    let body = declared().to_string().into_bytes();
    let first = send(&app.clerk, json_path, "d-1", &body, ContentType::JSON);
    assert_eq!(first.status, Status::Created, "{}", first.body);
    let stored = declaration_rows(app);
    assert_eq!(stored.0, 1);
    assert!(stored.1 > 0, "{stored:?}");
    // The same body, spaced otherwise: the same request.
    let spaced = serde_json::to_vec_pretty(&declared()).expect("json");
    assert_ne!(spaced, body);
    let again = send(&app.clerk, json_path, "d-1", &spaced, ContentType::JSON);
    assert_eq!((again.status, &again.body), (Status::Created, &first.body));
    assert_eq!(declaration_rows(app), stored, "the repeat stored nothing");
    let mut other = declared();
    other["name"] = json!("另一份申报");
    let other_token = app.county_token(asset_registry::auth::Role::Clerk, "另一位录入员");
    for (token, body) in [
        (app.clerk.clone(), other.to_string().into_bytes()),
        (other_token, body.clone()),
    ] {
        let refused = send(&token, json_path, "d-1", &body, ContentType::JSON);
        assert_eq!(
            refused.status,
            Status::UnprocessableEntity,
            "{}",
            refused.body
        );
        assert_eq!(
            refused.body["type"],
            "urn:asset-registry:problem:idempotency_key_reused"
        );
        assert_eq!(
            refused.body["detail"],
            "此 Idempotency-Key 已用于另一个请求；请为新请求使用新的键"
        );
        assert_eq!(declaration_rows(app), stored, "nothing stored");
    }
    // A CSV: its bytes, name and date are what a repeat sends again.
    let csv = b"scope,projects,amount\ntotal,3,1000.00\n".to_vec();
    let csv_path = |name: &str| {
        format!(
            "/api/v1/declarations?name={}&as_of=2020-10-31",
            support::encode(name)
        )
    };
    let first = send(&app.clerk, &csv_path("县级"), "d-2", &csv, ContentType::CSV);
    assert_eq!(first.status, Status::Created, "{}", first.body);
    assert_ne!(first.body["id"], again.body["id"]);
    let stored = declaration_rows(app);
    assert_eq!(stored, (2, stored.1));
    let again = send(&app.clerk, &csv_path("县级"), "d-2", &csv, ContentType::CSV);
    assert_eq!((again.status, &again.body), (Status::Created, &first.body));
    assert_eq!(declaration_rows(app), stored);
    for (path, body) in [
        (csv_path("乡级"), csv.clone()),
        (
            csv_path("县级"),
            b"scope,projects,amount\ntotal,4,1000.00\n".to_vec(),
        ),
    ] {
        let refused = send(&app.clerk, &path, "d-2", &body, ContentType::CSV);
        assert_eq!(
            refused.body["type"], "urn:asset-registry:problem:idempotency_key_reused",
            "{}",
            refused.body
        );
        assert_eq!(declaration_rows(app), stored);
    }
    // Without a key a repeat is another declaration, as before.
    declare(app, &declared());
    assert_eq!(declaration_rows(app).0, 3);
}

/// The declaration form, sent with its one-time key while the chain's lock is kept past
/// the server's statement timeout (another process's long import holds it), is answered
/// with the page 数据库繁忙 (503) saying nothing was written, not the internal-error page
/// (500); sent again once the lock is free, the declaration is stored.
fn a_declaration_form_kept_waiting_for_the_chain_is_told_to_send_again(app: &TestApp) {
    let server = app.impatient_server();
    let key = uuid::Uuid::new_v4().to_string();
    let send = || {
        support::post_form(
            &server,
            "/reconcile",
            &app.clerk,
            format!(
                "name={}&as_of=2020-10-31&scope0=total&projects0=1&amount0=100.00&form_key={key}",
                support::encode("县级申报")
            ),
        )
    };
    let ((status, _, page), in_time) =
        app.beside_a_held_chain_lock(std::time::Duration::from_secs(60), send);
    assert!(in_time, "the form waited until the lock was given up");
    support::assert_busy_page(status, &page);
    assert_eq!(app.count_rows("declarations"), 0, "nothing written");
    let (status, location, _) = send();
    assert_eq!(status, Status::SeeOther);
    assert!(
        location
            .as_deref()
            .is_some_and(|l| l.starts_with("/reconcile/")),
        "{location:?}"
    );
    assert_eq!(app.count_rows("declarations"), 1);
}

fn a_declaration_without_a_key_does_not_wait_for_ledger_appends(app: &TestApp) {
    if app.backend != asset_registry::db::Backend::Postgres {
        // SQLite has one writer: a declaration waits for any write in progress.
        return;
    }
    let (reply, in_time) = app.beside_a_held_chain_lock(std::time::Duration::from_secs(10), || {
        app.post(
            "/api/v1/declarations",
            Some(&app.clerk),
            declared().to_string().into_bytes(),
            ContentType::JSON,
        )
    });
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    assert!(in_time, "the declaration waited for the chain's lock");
    // With a key it waits: the lock guards the key's check and keep.
    let (keyed, in_time) = app.beside_a_held_chain_lock(std::time::Duration::from_secs(1), || {
        let request = app
            .client
            .post("/api/v1/declarations")
            .header(ContentType::JSON)
            .header(Header::new(
                "Authorization",
                format!("Bearer {}", app.clerk),
            ))
            .header(Header::new("Idempotency-Key", "d-1"))
            .body(declared().to_string());
        support::reply_of(request.dispatch())
    });
    assert_eq!(keyed.status, Status::Created, "{}", keyed.body);
    assert!(
        !in_time,
        "a keyed declaration did not wait for the chain's lock"
    );
}

/// A declaration uploaded on the 对账 page whose JSON names a key twice is refused as
/// the API refuses it (which of two amounts was meant is not ours to guess), and
/// nothing is stored.
fn an_uploaded_declaration_naming_a_key_twice_is_refused(app: &TestApp) {
    let browser = app.signed_in(&app.clerk);
    let json = r#"{"name": "县级", "as_of": "2020-10-31", "lines": [{"scope": "total", "projects": 3, "amount": "1.00", "amount": "999.00"}]}"#;
    let body = format!(
        "--XB\r\nContent-Disposition: form-data; name=\"file\"; filename=\"d.json\"\r\nContent-Type: application/json\r\n\r\n{json}\r\n--XB--\r\n"
    );
    let response = browser
        .post("/reconcile/upload")
        .header(ContentType::new("multipart", "form-data").with_params(("boundary", "XB")))
        .body(body)
        .dispatch();
    let status = response.status();
    let page = response.into_string().unwrap_or_default();
    assert_eq!(status, Status::UnprocessableEntity, "{page}");
    assert!(page.contains("字段 amount 出现了不止一次"), "{page}");
    assert_eq!(app.count_rows("declarations"), 0);
}

fn main() -> std::process::ExitCode {
    let scenarios: Vec<(&'static str, Scenario)> = vec![
        (
            "declarations::without_a_key_beside_ledger_appends",
            a_declaration_without_a_key_does_not_wait_for_ledger_appends,
        ),
        (
            "declarations::a_form_kept_waiting_for_the_chain_is_told_to_send_again",
            a_declaration_form_kept_waiting_for_the_chain_is_told_to_send_again,
        ),
        (
            "web::a_declaration_form_posted_twice_stores_once",
            a_declaration_form_posted_twice_stores_once,
        ),
        (
            "reconcile::sample_matches",
            the_sample_matches_its_declaration_line_by_line,
        ),
        (
            "reconcile::off_by_10000",
            a_figure_off_by_ten_thousand_is_a_mismatch_of_exactly_that,
        ),
        (
            "reconcile::identical_on_both_backends",
            both_backends_give_the_same_report,
        ),
        ("reconcile::as_of", as_of_counts_what_stood_on_that_day),
        (
            "reconcile::maintained_equals_fold",
            the_maintained_totals_and_the_ledger_fold_agree,
        ),
        (
            "declarations::bad_input",
            bad_declarations_name_the_line_and_store_nothing,
        ),
        (
            "declarations::an_uploaded_json_naming_a_key_twice",
            an_uploaded_declaration_naming_a_key_twice_is_refused,
        ),
        (
            "declarations::a_repeated_post_stores_once",
            a_repeated_declaration_post_stores_once,
        ),
        (
            "declarations::json_and_csv",
            declarations_are_stored_from_json_or_csv,
        ),
        ("findings::every_kind", every_kind_of_finding_is_raised),
        (
            "report::printable",
            the_printable_report_pins_the_ledger_head,
        ),
        (
            "report::bounded_findings",
            the_printable_report_lists_a_bounded_few_of_each_kind,
        ),
        (
            "cli::reconcile",
            the_command_line_reconciles_with_exit_codes,
        ),
    ];
    support::run(scenarios)
}
