//! The record of personal-data access (issue #20.3) on SQLite and PostgreSQL: every
//! route of the mounted route table is asked by an auditor (who sees ID and phone
//! numbers whole) and by a reader (who sees them masked); a response that carries one
//! whole appends exactly one access-log row naming the person, the route and the asset,
//! any other response none. The log is listed and filtered for auditors, shown on a
//! page in Chinese and China time, and refuses UPDATE and DELETE on both backends.

mod support;

use std::collections::BTreeSet;

use asset_registry::auth::{self, Role};
use asset_registry::domain::dates::today_in_china;
use asset_registry::domain::Scope;
use asset_registry::observe::access::store::{self, AccessFilter, AccessRow};
use asset_registry::observe::access::ROUTES;
use calamine::{Reader, Xlsx};
use rocket::http::{ContentType, Method, Status};
use serde_json::{json, Value};
use support::routes::{concrete_paths, with_token};
use support::{Scenario, TestApp};

const REGISTER: &str = "项目编号,项目名称,项目年度,镇街,村,项目资金(元),资金来源,行业主管部门,资产编号,资产名称,资产类别,数量,计量单位,资产价值(元),所有权人,所有权人类型,所有权人证件号,管护主体,确权日期,确权证书编号
PRJ-DC,东村光伏与养殖,2019,桑镇,东村,508000.50,,农业农村局,AST-DC-PV,村级光伏电站,经营性,60,千瓦,500000,东村股份经济合作社,村集体,,东村村委会,2020-03-05,兴确字(2020)第1号
PRJ-DC,东村光伏与养殖,2019,桑镇,东村,508000.50,,农业农村局,AST-DC-COW,肉牛,到户类,1,头,8000.50,张三,农户,11010519491231002X,张三,,
PRJ-NC,南村供水管网,2021,桑镇,南村,60000,,水利局,AST-NC-PIPE,供水管道,公益性,1.5,公里,60000,南村村委会,村集体,,南村村委会,,
PRJ-ZC,赵村镇技能培训,2020,赵村镇,,12000,,人社局,,,,,,,,,,,,
";

const PROJECTS: [&str; 3] = ["PRJ-DC", "PRJ-NC", "PRJ-ZC"];
const ASSETS: [&str; 3] = ["AST-DC-PV", "AST-DC-COW", "AST-NC-PIPE"];
/// The household paid on AST-DC-PV.
const HOUSEHOLD: &str = "610481198001011239";
/// Every ID and phone number the fixture holds.
const PERSONAL: [&str; 3] = ["11010519491231002X", HOUSEHOLD, "13812345678"];

fn post_entry(app: &TestApp, asset: &str, body: Value) {
    let reply = app.post(
        &format!("/api/v1/assets/{asset}/ledger"),
        Some(&app.clerk),
        body.to_string().into_bytes(),
        ContentType::JSON,
    );
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
}

/// The register, a custodian with a phone number, income distributed to a household
/// by name and ID number, a declaration; the declaration as answered.
fn setup(app: &TestApp) -> Value {
    let reply = app.import(REGISTER.as_bytes(), false);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    post_entry(
        app,
        "AST-DC-PV",
        json!({"kind": "custodian_changed", "occurred_on": "2021-01-01", "custodian": "东村村委会",
               "responsible_person": "王五", "phone": "13812345678"}),
    );
    post_entry(
        app,
        "AST-DC-PV",
        json!({"kind": "income", "occurred_on": "2022-01-05", "amount": "12345.60", "period": "2021年"}),
    );
    post_entry(
        app,
        "AST-DC-PV",
        json!({"kind": "income_distributed", "occurred_on": "2022-02-01", "amount": "1000.00",
               "period": "2021年", "recipients": 1,
               "lines": [{"name": "李四", "id_number": HOUSEHOLD, "amount": "1000.00"}]}),
    );
    // A transfer to a household, waiting for the county: its proposal carries the new
    // owner's ID number.
    let proposal = app.post(
        "/api/v1/assets/AST-DC-COW/ledger",
        Some(&app.clerk),
        json!({"kind": "ownership_transferred", "occurred_on": "2022-03-01", "document_no": "X1",
               "owner": {"name": "张三", "type": "household", "id_number": PERSONAL[0]}})
        .to_string()
        .into_bytes(),
        ContentType::JSON,
    );
    assert_eq!(proposal.status, Status::Accepted, "{}", proposal.body);
    let declaration = json!({"name": "核实", "as_of": today_in_china().to_string(),
        "lines": [{"scope": "total", "projects": 3, "amount": "580000.50"}]});
    let reply = app.post(
        "/api/v1/declarations",
        Some(&app.clerk),
        declaration.to_string().into_bytes(),
        ContentType::JSON,
    );
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    reply.body
}

/// Every row of the access log, newest first.
fn log_rows(app: &TestApp) -> Vec<AccessRow> {
    let mut conn = app.db.conn().expect("connection");
    store::list(&mut conn, &AccessFilter::default(), None, 100_000).expect("access log")
}

/// Every value a path segment may take: codes, ID numbers, batch, declaration and
/// token ids.
fn segment_values(app: &TestApp, declaration: &Value) -> Vec<String> {
    let mut values: Vec<String> = PROJECTS
        .iter()
        .chain(ASSETS.iter())
        .chain(PERSONAL[..2].iter())
        .map(|c| c.to_string())
        .collect();
    let batches = app.get("/api/v1/imports", Some(&app.admin));
    for batch in batches.body["items"].as_array().into_iter().flatten() {
        values.push(batch["id"].as_str().unwrap_or_default().to_owned());
    }
    values.push(declaration["id"].as_str().unwrap_or_default().to_owned());
    let proposals = app.get("/api/v1/proposals", Some(&app.clerk));
    for proposal in proposals.body["items"].as_array().into_iter().flatten() {
        values.push(proposal["id"].as_str().unwrap_or_default().to_owned());
    }
    let tokens = app.get("/api/v1/tokens", Some(&app.admin));
    for token in tokens.body.as_array().into_iter().flatten() {
        values.push(token["id"].as_str().unwrap_or_default().to_owned());
    }
    values
}

/// The extra queries of the routes whose answer they change, beside the bare path.
fn extra_queries(path: &str) -> Vec<String> {
    let today = today_in_china().to_string();
    let extra: &[String] = match path {
        "/api/v1/assets" | "/assets" => &[format!("?as_of={today}"), "?village=南村".into()],
        "/api/v1/assets/<key>" => &["?as_of=2021-06-01".into()],
        "/api/v1/assets.csv" | "/api/v1/assets.xlsx" => {
            &["?encoding=gbk".into(), "?village=南村".into()]
        }
        "/api/v1/events" => &["?after=0&limit=1000".into(), "?after=4".into()],
        "/households" => &[format!("?id_number={HOUSEHOLD}")],
        _ => &[],
    };
    extra.to_vec()
}

/// The body as text; an .xlsx is unzipped (its cells live in its shared strings).
fn body_text(bytes: &[u8]) -> String {
    if bytes.starts_with(b"PK") {
        let mut workbook: Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec()))
                .expect("an .xlsx");
        let range = workbook.worksheet_range("台账").expect("the sheet");
        return range
            .cells()
            .map(|(_, _, cell)| format!("{cell}\n"))
            .collect();
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

/// What a response shows whole that the client did not send itself (a refused page
/// may echo the ID number typed into its search box).
fn shown_whole(path: &str, status: Status, text: &str) -> Vec<&'static str> {
    PERSONAL
        .iter()
        .copied()
        .filter(|p| text.contains(p))
        .filter(|p| status.code < 400 || !path.contains(p))
        .collect()
}

fn every_route_that_shows_personal_data_whole_records_it(app: &TestApp) {
    let declaration = setup(app);
    let values = segment_values(app, &declaration);
    let routes: Vec<(Method, String)> = app
        .client
        .rocket()
        .routes()
        .map(|r| (r.method, r.uri.path().to_string()))
        .collect();
    let gets: Vec<&String> = routes
        .iter()
        .filter(|(m, p)| *m == Method::Get && !p.contains("/public/"))
        .map(|(_, p)| p)
        .collect();
    assert!(gets.len() >= 28, "the route table: {gets:?}");
    let mut recorded: BTreeSet<String> = BTreeSet::new();
    let setup_rows = log_rows(app).len();
    assert_eq!(
        setup_rows, 3,
        "the setup's appends answered with a phone and an ID number, and the clerk read \
         the proposals (an owner's ID number) for their ids"
    );
    for (role, secret) in [(Role::Auditor, &app.auditor), (Role::Reader, &app.reader)] {
        for route in &gets {
            for path in concrete_paths(route, &values, &extra_queries(route)) {
                let before = log_rows(app).len();
                let response = with_token(app.client.get(path.clone()), secret).dispatch();
                let status = response.status();
                let text = body_text(&response.into_bytes().unwrap_or_default());
                let whole = shown_whole(&path, status, &text);
                let rows = log_rows(app);
                if role == Role::Reader {
                    assert!(whole.is_empty(), "a reader got {whole:?} whole from {path}");
                }
                if whole.is_empty() {
                    assert_eq!(
                        rows.len(),
                        before,
                        "GET {path} ({role}, {status}) shows nothing whole yet was recorded"
                    );
                    continue;
                }
                assert_eq!(
                    rows.len(),
                    before + 1,
                    "GET {path} ({status}) shows {whole:?} whole: one access-log row"
                );
                let row = &rows[0];
                assert_eq!(
                    (
                        row.token_name.as_str(),
                        row.role.as_str(),
                        row.scope.as_str()
                    ),
                    ("test-auditor", "auditor", "county")
                );
                assert_eq!(
                    (row.method.as_str(), row.route.as_str()),
                    ("GET", route.as_str())
                );
                assert_eq!(row.status, i32::from(status.code));
                assert!(!row.request_id.is_empty());
                if row.export_rows.is_none() {
                    assert!(!row.code_list().is_empty(), "{path}: {row:?}");
                    for code in row.code_list() {
                        assert!(text.contains(code), "{path} names {code}: {row:?}");
                    }
                }
                for code in ASSETS {
                    if path.contains(code) {
                        assert_eq!(row.code_list(), vec![code], "{path}");
                    }
                }
                recorded.insert(route.to_string());
            }
        }
    }
    // Every GET route known to disclose was seen doing so: the fixture reaches them all.
    let expected: BTreeSet<String> = ROUTES
        .iter()
        .filter(|(m, _, _)| *m == "GET")
        .map(|(_, r, _)| r.to_string())
        .collect();
    assert_eq!(recorded, expected);
    // The write routes: those that answer with personal data record it; every other
    // write route is named here, so a new one cannot slip past.
    for (method, path) in routes.iter().filter(|(m, _)| *m != Method::Get) {
        match (method, path.as_str()) {
            (Method::Post, "/api/v1/assets/<key>/ledger")
            | (Method::Post, "/assets/<key>/entries")
            | (Method::Post, "/api/v1/proposals/<id>/approve")
            | (Method::Post, "/api/v1/proposals/<id>/reject") => {}
            // Notices show names and amounts only; the approval pages show ID numbers
            // masked.
            (Method::Post, "/api/v1/notices")
            | (Method::Post, "/api/v1/notices/<id>/objections")
            | (Method::Post, "/api/v1/notices/<id>/objections/<n>/resolve")
            | (Method::Post, "/proposals/<id>/approve")
            | (Method::Post, "/proposals/<id>/reject")
            | (Method::Post, "/proposals/<id>/notices")
            | (Method::Post, "/notices/<id>/objections")
            | (Method::Post, "/notices/<id>/objections/<n>/resolve") => {}
            (Method::Post, "/api/v1/imports")
            | (Method::Post, "/api/v1/attachments")
            | (Method::Post, "/assets/<key>/attachments")
            | (Method::Post, "/api/v1/declarations")
            | (Method::Post, "/api/v1/tokens")
            | (Method::Delete, "/api/v1/tokens/<id>")
            | (Method::Post, "/reconcile")
            | (Method::Post, "/reconcile/upload")
            | (Method::Post, "/login")
            | (Method::Post, "/logout") => {}
            // Stock-take campaigns and results carry no ID or phone number.
            (Method::Post, "/api/v1/stocktakes")
            | (Method::Post, "/api/v1/stocktakes/<id>/close")
            | (Method::Post, "/api/v1/stocktakes/<id>/results")
            | (Method::Post, "/stocktakes")
            | (Method::Post, "/stocktakes/<id>/close")
            | (Method::Post, "/stocktakes/<id>/check") => {}
            _ => panic!("{method} {path}: a write route the access-log test does not know"),
        }
    }
    // The county's approval answers with the proposal, the owner's ID number whole.
    let proposal = app.get("/api/v1/proposals", Some(&app.clerk)).body["items"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let before = log_rows(app).len();
    let approver = {
        let mut conn = app.db.conn().expect("connection");
        auth::create_token(&mut conn, "县审批人", Role::Approver, &Scope::County)
            .expect("token")
            .secret
    };
    let approved = app.post(
        &format!("/api/v1/proposals/{proposal}/approve"),
        Some(&approver),
        b"{}".to_vec(),
        ContentType::JSON,
    );
    assert_eq!(approved.status, Status::Ok, "{}", approved.body);
    assert!(approved.body.to_string().contains(PERSONAL[0]));
    let rows = log_rows(app);
    assert_eq!(rows.len(), before + 1, "the approval's answer is recorded");
    assert_eq!(
        (
            rows[0].token_name.as_str(),
            rows[0].route.as_str(),
            rows[0].code_list()
        ),
        (
            "县审批人",
            "/api/v1/proposals/<id>/approve",
            vec!["AST-DC-COW"]
        )
    );
    let before = log_rows(app).len();
    let phone = json!({"kind": "custodian_changed", "occurred_on": "2022-03-01",
                       "custodian": "东村村委会", "phone": "13812345678"});
    let reply = app.post(
        "/api/v1/assets/AST-DC-PV/ledger",
        Some(&app.clerk),
        phone.to_string().into_bytes(),
        ContentType::JSON,
    );
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    assert_eq!(reply.body["data"]["phone"], "13812345678");
    let rows = log_rows(app);
    assert_eq!(rows.len(), before + 1);
    assert_eq!(
        (
            rows[0].route.as_str(),
            rows[0].method.as_str(),
            rows[0].token_name.as_str()
        ),
        ("/api/v1/assets/<key>/ledger", "POST", "test-clerk")
    );
    assert_eq!(rows[0].code_list(), vec!["AST-DC-PV"]);
    // An entry without personal data answers none, and records none.
    let plain = json!({"kind": "maintenance", "occurred_on": "2022-03-02", "description": "检修"});
    let reply = app.post(
        "/api/v1/assets/AST-NC-PIPE/ledger",
        Some(&app.clerk),
        plain.to_string().into_bytes(),
        ContentType::JSON,
    );
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    assert_eq!(log_rows(app).len(), before + 1);
    // The asset page's form, refused, shows the asset page again, ID number whole.
    let response = with_token(app.client.post("/assets/AST-DC-COW/entries"), &app.clerk)
        .header(ContentType::Form)
        .body("kind=maintenance&occurred_on=bad&description=x")
        .dispatch();
    assert_eq!(response.status(), Status::UnprocessableEntity);
    assert!(response
        .into_string()
        .unwrap_or_default()
        .contains(PERSONAL[0]));
    let rows = log_rows(app);
    assert_eq!(rows.len(), before + 2);
    assert_eq!(
        (
            rows[0].route.as_str(),
            rows[0].method.as_str(),
            rows[0].status
        ),
        ("/assets/<key>/entries", "POST", 422)
    );
    assert_eq!(rows[0].code_list(), vec!["AST-DC-COW"]);
}

fn exports_are_recorded_with_their_row_count(app: &TestApp) {
    setup(app);
    for path in ["/api/v1/assets.csv", "/api/v1/assets.xlsx"] {
        let reply = app.get(path, Some(&app.auditor));
        assert_eq!(reply.status, Status::Ok, "{path}");
        let row = &log_rows(app)[0];
        assert_eq!(row.route, path);
        // Three assets and the project without one; one row carries an ID number.
        assert_eq!((row.export_rows, row.code_count), (Some(4), 1), "{path}");
        assert!(row.code_list().is_empty());
        let before = log_rows(app).len();
        let village = app.get(
            &format!("{path}?village=%E5%8D%97%E6%9D%91"),
            Some(&app.auditor),
        );
        assert_eq!(village.status, Status::Ok, "{path}");
        assert_eq!(
            log_rows(app).len(),
            before,
            "{path}: no ID number, no record"
        );
    }
}

/// A register whose one asset has a 联系电话 of its own (a 台账 column) and no ID number.
const PHONE_REGISTER: &str = "项目编号,项目名称,项目年度,镇街,村,项目资金(元),资产编号,资产名称,资产类别,数量,计量单位,资产价值(元),所有权人,所有权人类型,管护主体,管护责任人,联系电话
PRJ-PH,东村路灯,2020,桑镇,东村,3000,AST-PH,太阳能路灯,公益性,10,盏,3000,东村村委会,村集体,东村村委会,王五,13611112222
";

/// An asset's own 联系电话 shown whole is recorded as an ID number is: the asset (now
/// and as of a day), the lists, its project, its page and the exports each append one
/// row naming it; a reader sees it masked and leaves none.
fn an_assets_own_phone_shown_whole_is_recorded(app: &TestApp) {
    let reply = app.import(PHONE_REGISTER.as_bytes(), false);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    let today = today_in_china();
    let paths = [
        "/api/v1/assets/AST-PH".to_owned(),
        format!("/api/v1/assets/AST-PH?as_of={today}"),
        "/api/v1/assets?project=PRJ-PH".to_owned(),
        format!("/api/v1/assets?project=PRJ-PH&as_of={today}"),
        "/api/v1/projects/PRJ-PH".to_owned(),
        "/assets/AST-PH".to_owned(),
        "/api/v1/assets.csv?project=PRJ-PH".to_owned(),
        "/api/v1/assets.xlsx?project=PRJ-PH".to_owned(),
    ];
    for path in &paths {
        let before = log_rows(app).len();
        let response = with_token(app.client.get(path.clone()), &app.auditor).dispatch();
        assert_eq!(response.status(), Status::Ok, "{path}");
        let text = body_text(&response.into_bytes().unwrap_or_default());
        assert!(text.contains("13611112222"), "{path}: {text}");
        let rows = log_rows(app);
        assert_eq!(
            rows.len(),
            before + 1,
            "{path} shows the phone whole: one row"
        );
        let row = &rows[0];
        let route = path.split('?').next().unwrap_or_default();
        let exported = route.starts_with("/api/v1/assets.");
        let expected_codes: Vec<&str> = if exported { vec![] } else { vec!["AST-PH"] };
        assert_eq!(
            (
                row.token_name.as_str(),
                row.code_list(),
                row.code_count,
                row.export_rows
            ),
            ("test-auditor", expected_codes, 1, exported.then_some(1)),
            "{path}"
        );
        if exported {
            continue;
        }
        let before = log_rows(app).len();
        let response = with_token(app.client.get(path.clone()), &app.reader).dispatch();
        assert_eq!(response.status(), Status::Ok, "{path}");
        let text = body_text(&response.into_bytes().unwrap_or_default());
        assert!(
            text.contains("136****2222") && !text.contains("13611112222"),
            "{path}: {text}"
        );
        assert_eq!(
            log_rows(app).len(),
            before,
            "{path}: a reader leaves no row"
        );
    }
}

/// What shows personal data whole is not kept by a browser's cache (a shared office
/// PC) nor by a caching proxy: every answer says `Cache-Control: no-store`, the
/// embedded stylesheet and scripts excepted.
fn answers_are_not_kept_by_caches(app: &TestApp) {
    setup(app);
    for path in [
        "/api/v1/assets/AST-DC-COW",
        "/api/v1/assets",
        "/api/v1/events",
        "/api/v1/assets.csv",
        "/api/v1/assets.xlsx",
        &format!("/api/v1/households/{HOUSEHOLD}"),
        "/assets/AST-DC-COW",
        &format!("/households?id_number={HOUSEHOLD}"),
        "/api/v1/assets/NOPE",
    ] {
        let response = with_token(app.client.get(path), &app.auditor).dispatch();
        assert_eq!(
            response.headers().get_one("Cache-Control"),
            Some("no-store"),
            "{path} ({})",
            response.status()
        );
    }
    let stylesheet = app.client.get("/static/app.css").dispatch();
    assert_eq!(stylesheet.status(), Status::Ok);
    assert_eq!(stylesheet.headers().get_one("Cache-Control"), None);
}

fn the_log_is_listed_and_filtered_for_auditors(app: &TestApp) {
    setup(app);
    let mut conn = app.db.conn().expect("connection");
    let town = Scope::parse("town:桑镇").expect("scope");
    let town_auditor = auth::create_token(&mut conn, "镇审计", Role::Auditor, &town)
        .expect("token")
        .secret;
    drop(conn);
    let base = log_rows(app).len();
    // Three reads by the auditor, one by the town auditor.
    for (path, secret) in [
        ("/api/v1/assets/AST-DC-COW", &app.auditor),
        ("/api/v1/assets/AST-DC-PV/ledger", &app.auditor),
        (
            &format!("/api/v1/households/{HOUSEHOLD}") as &str,
            &app.auditor,
        ),
        ("/api/v1/assets/AST-DC-COW", &town_auditor),
    ] {
        assert_eq!(app.get(path, Some(secret)).status, Status::Ok, "{path}");
    }
    let list = |query: &str| {
        let reply = app.get(&format!("/api/v1/access-log{query}"), Some(&app.auditor));
        assert_eq!(reply.status, Status::Ok, "{query}: {}", reply.body);
        reply.body
    };
    let all = list("");
    let items = all["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), base + 4, "{all}");
    assert_eq!(items[0]["who"], "镇审计");
    assert_eq!(items[0]["scope"], "town:桑镇");
    assert_eq!(items[0]["codes"], json!(["AST-DC-COW"]));
    assert_eq!(items[3]["route"], "/api/v1/assets/<key>");
    assert_eq!(items[4]["who"], "test-clerk");
    let whos = |body: &Value| -> Vec<String> {
        body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|i| {
                format!(
                    "{} {}",
                    i["who"].as_str().unwrap_or(""),
                    i["route"].as_str().unwrap_or("")
                )
            })
            .collect()
    };
    assert_eq!(
        whos(&list("?who=%E9%95%87%E5%AE%A1%E8%AE%A1")),
        vec!["镇审计 /api/v1/assets/<key>"]
    );
    assert_eq!(
        whos(&list("?route=/api/v1/households/%3Cid_number%3E")),
        vec!["test-auditor /api/v1/households/<id_number>"]
    );
    assert_eq!(whos(&list("?code=AST-DC-COW")).len(), 2);
    assert_eq!(
        whos(&list("?code=AST-DC")).len(),
        0,
        "a whole code, not a part"
    );
    assert_eq!(whos(&list("?code=AST-DC-PV")).len(), base + 2);
    let today = today_in_china();
    assert_eq!(
        whos(&list(&format!("?since={today}&until={today}"))).len(),
        base + 4
    );
    let yesterday = today.pred_opt().expect("a day");
    assert_eq!(whos(&list(&format!("?until={yesterday}"))).len(), 0);
    // Paging with the shared cursor: no gap, no duplicate.
    let mut seen = Vec::new();
    let mut query = "?limit=1".to_owned();
    loop {
        let page = list(&query);
        seen.extend(
            page["items"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|i| i["id"].clone()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => query = format!("?limit=1&cursor={cursor}"),
            None => break,
        }
    }
    let ids: Vec<Value> = items.iter().map(|i| i["id"].clone()).collect();
    assert_eq!(seen, ids);
    // Bad parameters are named; only county auditors and administrators read the log.
    let bad = app.get("/api/v1/access-log?since=yesterday", Some(&app.auditor));
    assert_eq!(bad.status, Status::BadRequest);
    assert_eq!(bad.body["parameter"], "since", "{}", bad.body);
    assert_eq!(
        app.get("/api/v1/access-log", Some(&app.admin)).status,
        Status::Ok
    );
    for secret in [&app.clerk, &app.reader] {
        let refused = app.get("/api/v1/access-log", Some(secret));
        assert_eq!(refused.status, Status::Forbidden, "{}", refused.body);
    }
    let refused = app.get("/api/v1/access-log", Some(&town_auditor));
    assert_eq!(refused.status, Status::Forbidden);
    assert_eq!(
        refused.body["type"]
            .as_str()
            .map(|t| t.ends_with("county_scope_required")),
        Some(true),
        "{}",
        refused.body
    );
    // Reading the log shows no personal data and records nothing.
    assert_eq!(log_rows(app).len(), base + 4);
    // The page: Chinese labels, China time, links to the assets.
    let response = with_token(app.client.get("/access-log"), &app.auditor).dispatch();
    assert_eq!(response.status(), Status::Ok);
    let html = response.into_string().unwrap_or_default();
    for shown in [
        "个人信息访问记录",
        "镇审计",
        "审计",
        "镇街：桑镇",
        "资产详情（接口）",
        "分户收益（接口）",
        "资产台账记录（接口）",
        "href=\"/assets/AST-DC-COW\"",
    ] {
        assert!(html.contains(shown), "the page shows {shown}:\n{html}");
    }
    let stored_at = items[0]["at"].as_str().unwrap_or_default();
    assert!(stored_at.ends_with('Z'), "{stored_at}");
    assert!(!html.contains(stored_at) && !html.contains("UTC"));
    assert!(html.contains(&asset_registry::domain::shown::china_time(stored_at)));
    let filtered = with_token(
        app.client
            .get("/access-log?who=%E9%95%87%E5%AE%A1%E8%AE%A1"),
        &app.auditor,
    )
    .dispatch()
    .into_string()
    .unwrap_or_default();
    assert!(filtered.contains("<td>镇审计</td>"), "{filtered}");
    assert!(!filtered.contains("<td>test-auditor</td>"), "{filtered}");
    let clerk_page = with_token(app.client.get("/access-log"), &app.clerk).dispatch();
    assert_eq!(clerk_page.status(), Status::Forbidden);
}

fn no_role_can_edit_the_log(app: &TestApp) {
    setup(app);
    assert_eq!(
        app.get("/api/v1/assets/AST-DC-COW", Some(&app.auditor))
            .status,
        Status::Ok
    );
    let before = log_rows(app);
    assert_eq!(before.len(), 3);
    let mut conn = app.db.conn().expect("connection");
    for sql in [
        "UPDATE access_log SET token_name = 'someone else'",
        "DELETE FROM access_log",
    ] {
        let refused = diesel::RunQueryDsl::execute(diesel::sql_query(sql), &mut *conn);
        let message = refused.expect_err(sql).to_string();
        assert!(message.contains("append-only"), "{sql}: {message}");
    }
    drop(conn);
    assert_eq!(log_rows(app), before);
}

fn main() -> std::process::ExitCode {
    let scenarios: Vec<(&'static str, Scenario)> = vec![
        (
            "access_log::every_route_that_shows_personal_data_whole_records_it",
            every_route_that_shows_personal_data_whole_records_it,
        ),
        (
            "access_log::exports_are_recorded_with_their_row_count",
            exports_are_recorded_with_their_row_count,
        ),
        (
            "access_log::an_assets_own_phone_shown_whole_is_recorded",
            an_assets_own_phone_shown_whole_is_recorded,
        ),
        (
            "access_log::answers_are_not_kept_by_caches",
            answers_are_not_kept_by_caches,
        ),
        (
            "access_log::the_log_is_listed_and_filtered_for_auditors",
            the_log_is_listed_and_filtered_for_auditors,
        ),
        (
            "access_log::no_role_can_edit_the_log",
            no_role_can_edit_the_log,
        ),
    ];
    support::run_with(scenarios, |backend| {
        TestApp::new(
            backend,
            Some(
                rocket::Config::figment()
                    .merge(("log_level", "off"))
                    .merge(("approvals", "ownership_transferred=county")),
            ),
        )
    })
}
