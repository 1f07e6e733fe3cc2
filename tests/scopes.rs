//! Scopes on SQLite and PostgreSQL (issue #15): every GET route of the mounted route
//! table, asked with town-, village- and department-scoped tokens, shows no project or
//! asset code outside the scope anywhere in its body (JSON, CSV, HTML); every write
//! route refuses out-of-scope targets and writes nothing; county-only operations answer
//! 403 `county_scope_required`; tokens carry scopes through the CLI's function, the API
//! and the list; the approver reads as a clerk; the public notice pages show a village
//! and never an ID or phone number.

mod support;

use asset_registry::auth::{self, Role};
use asset_registry::domain::dates::today_in_china;
use asset_registry::domain::Scope;
use rocket::http::{ContentType, Method, Status};
use serde_json::{json, Value};
use support::routes::{concrete_paths, with_token};
use support::{Scenario, TestApp};

const REGISTER: &str = "项目编号,项目名称,项目年度,镇街,村,项目资金(元),资金来源,行业主管部门,资产编号,资产名称,资产类别,数量,计量单位,资产价值(元),所有权人,所有权人类型,所有权人证件号,管护主体,确权日期,确权证书编号
PRJ-DC,东村光伏与养殖,2019,桑镇,东村,508000.50,,农业农村局,AST-DC-PV,村级光伏电站,经营性,60,千瓦,500000,东村股份经济合作社,村集体,,东村村委会,2020-03-05,兴确字(2020)第1号
PRJ-DC,东村光伏与养殖,2019,桑镇,东村,508000.50,,农业农村局,AST-DC-COW,肉牛,到户类,1,头,8000.50,张三,农户,11010519491231002X,张三,,
PRJ-NC,南村供水管网,2021,桑镇,南村,60000,,水利局,AST-NC-PIPE,供水管道,公益性,1.5,公里,60000,南村村委会,村集体,,南村村委会,,
PRJ-XC,西村养羊,2020,赵村镇,西村,9000,,农业农村局,AST-XC-SHEEP,湖羊,到户类,3,只,9000,李四,农户,610481198001011239,李四,,
PRJ-ZC,赵村镇技能培训,2020,赵村镇,,12000,,人社局,,,,,,,,,,,,
";

const PROJECTS: [&str; 4] = ["PRJ-DC", "PRJ-NC", "PRJ-XC", "PRJ-ZC"];
const ASSETS: [&str; 4] = ["AST-DC-PV", "AST-DC-COW", "AST-NC-PIPE", "AST-XC-SHEEP"];
/// Every ID and phone number the fixture holds.
const PERSONAL: [&str; 3] = ["11010519491231002X", "610481198001011239", "13812345678"];

/// The scopes swept, with the codes each may see.
fn scopes() -> Vec<(Scope, Vec<&'static str>)> {
    vec![
        (
            Scope::Town("桑镇".into()),
            vec!["PRJ-DC", "PRJ-NC", "AST-DC-PV", "AST-DC-COW", "AST-NC-PIPE"],
        ),
        (
            Scope::Village {
                town: "桑镇".into(),
                village: "东村".into(),
            },
            vec!["PRJ-DC", "AST-DC-PV", "AST-DC-COW"],
        ),
        (
            Scope::Department("水利局".into()),
            vec!["PRJ-NC", "AST-NC-PIPE"],
        ),
    ]
}

fn token(app: &TestApp, role: Role, scope: &Scope) -> String {
    let mut conn = app.db.conn().expect("connection");
    auth::create_token(&mut conn, &format!("{role}@{scope}"), role, scope)
        .expect("token")
        .secret
}

/// The register, a custodian with a phone number, an income entry, a declaration.
fn setup(app: &TestApp) -> Value {
    let reply = app.import(REGISTER.as_bytes(), false);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    let today = today_in_china().format("%Y-%m-%d").to_string();
    for (asset, body) in [
        (
            "AST-DC-PV",
            json!({"kind": "custodian_changed", "occurred_on": "2021-01-01", "custodian": "东村村委会",
                   "responsible_person": "王五", "phone": "13812345678"}),
        ),
        (
            "AST-DC-PV",
            json!({"kind": "income", "occurred_on": today, "amount": "12345.60", "period": "2025年"}),
        ),
        (
            "AST-XC-SHEEP",
            json!({"kind": "inspection", "occurred_on": "2021-02-01", "result": "idle"}),
        ),
    ] {
        let reply = app.post(
            &format!("/api/v1/assets/{asset}/ledger"),
            Some(&app.clerk),
            body.to_string().into_bytes(),
            ContentType::JSON,
        );
        assert_eq!(reply.status, Status::Created, "{}", reply.body);
    }
    let declaration = json!({"name": "核实", "as_of": today_in_china().to_string(),
        "lines": [{"scope": "total", "projects": 4, "amount": "589000.50"}]});
    let reply = app.post(
        "/api/v1/declarations",
        Some(&app.clerk),
        declaration.to_string().into_bytes(),
        ContentType::JSON,
    );
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    reply.body
}

/// Every value a path segment may take: codes, batch, declaration and token ids.
fn segment_values(app: &TestApp, declaration: &Value) -> Vec<String> {
    let mut values: Vec<String> = PROJECTS
        .iter()
        .chain(ASSETS.iter())
        .map(|c| c.to_string())
        .collect();
    let batches = app.get("/api/v1/imports", Some(&app.admin));
    for batch in batches.body["items"].as_array().into_iter().flatten() {
        values.push(batch["id"].as_str().unwrap_or_default().to_owned());
    }
    values.push(declaration["id"].as_str().unwrap_or_default().to_owned());
    let tokens = app.get("/api/v1/tokens", Some(&app.admin));
    for token in tokens.body.as_array().into_iter().flatten() {
        values.push(token["id"].as_str().unwrap_or_default().to_owned());
    }
    values
}

/// The extra queries of the routes whose answer they change, beside the bare path.
fn extra_queries(path: &str) -> Vec<String> {
    let today = today_in_china().format("%Y-%m-%d").to_string();
    let extra: &[String] = match path {
        "/api/v1/totals" => &[
            "?group_by=class".into(),
            "?group_by=town".into(),
            "?group_by=village".into(),
            "?group_by=year".into(),
        ],
        "/api/v1/assets" | "/assets" => &[format!("?as_of={today}"), "?limit=1000".into()],
        "/api/v1/assets.csv" => &["?encoding=gbk".into()],
        "/api/v1/events" => &["?after=0&limit=1000".into()],
        "/api/v1/findings" | "/findings" => &[
            "?kind=idle_or_damaged".into(),
            "?kind=project_value_mismatch".into(),
            "?kind=missing_custodian".into(),
        ],
        _ => &[],
    };
    extra.to_vec()
}

fn body_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        // The GBK export: decoded as the client would.
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

fn every_get_route_answers_only_from_the_scope(app: &TestApp) {
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
    assert!(gets.len() >= 25, "the route table: {gets:?}");
    for (scope, visible) in scopes() {
        let secret = token(app, Role::Admin, &scope);
        let hidden: Vec<&str> = PROJECTS
            .iter()
            .chain(ASSETS.iter())
            .copied()
            .filter(|c| !visible.contains(c))
            .collect();
        let mut seen_visible: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
        for route in &gets {
            for path in concrete_paths(route, &values, &extra_queries(route)) {
                let response = with_token(app.client.get(path.clone()), &secret).dispatch();
                let status = response.status();
                let text = body_text(&response.into_bytes().unwrap_or_default());
                let named: Vec<&str> = hidden
                    .iter()
                    .copied()
                    .filter(|c| path.contains(*c))
                    .collect();
                if !named.is_empty() {
                    assert!(
                        matches!(status, Status::NotFound | Status::Forbidden),
                        "{scope}: GET {path} names an out-of-scope code: {status} {text}"
                    );
                }
                for code in &hidden {
                    if named.contains(code) {
                        continue;
                    }
                    assert!(
                        !text.contains(code),
                        "{scope}: GET {path} ({status}) shows {code} outside the scope:\n{text}"
                    );
                }
                seen_visible.extend(visible.iter().copied().filter(|c| text.contains(*c)));
            }
        }
        assert_eq!(
            seen_visible.len(),
            visible.len(),
            "{scope}: the in-scope codes are shown"
        );
    }
}

fn scoped_reads_answer_from_the_scope(app: &TestApp) {
    setup(app);
    let town = token(app, Role::Reader, &Scope::Town("桑镇".into()));
    let list = app.get("/api/v1/assets", Some(&town));
    let codes: Vec<&str> = list.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["code"].as_str())
        .collect();
    assert_eq!(codes, ["AST-DC-COW", "AST-DC-PV", "AST-NC-PIPE"]);
    let totals = app.get("/api/v1/totals?group_by=class", Some(&town));
    assert_eq!(totals.status, Status::Ok);
    assert_eq!(
        totals.body["total"],
        json!({"projects": 2, "assets": 3, "funds": "568000.50", "asset_value": "568000.50"})
    );
    let department = token(app, Role::Reader, &Scope::Department("人社局".into()));
    let totals = app.get("/api/v1/totals?group_by=class", Some(&department));
    assert_eq!(
        totals.body["total"],
        json!({"projects": 1, "assets": 0, "funds": "12000.00", "asset_value": "0.00"})
    );
    assert_eq!(
        totals.body["groups"][3],
        json!({"key": "none", "projects": 1, "assets": 0, "funds": "12000.00", "asset_value": "0.00"})
    );
    let village = token(
        app,
        Role::Admin,
        &Scope::parse("village:桑镇/东村").expect("scope"),
    );
    let outside = app.get("/api/v1/assets/AST-NC-PIPE", Some(&village));
    assert_eq!(outside.status, Status::NotFound, "{}", outside.body);
    let project = app.get("/api/v1/projects/PRJ-NC", Some(&village));
    assert_eq!(project.status, Status::NotFound);
    let project = app.get("/api/v1/projects/PRJ-DC", Some(&village));
    assert_eq!(project.body["department"], json!("农业农村局"));
    for path in [
        "/api/v1/ledger/verify",
        "/api/v1/declarations",
        "/api/v1/tokens",
    ] {
        let reply = app.get(path, Some(&village));
        assert_eq!(reply.status, Status::Forbidden, "{path}");
        assert_eq!(
            reply.body["type"]
                .as_str()
                .map(|t| t.ends_with("county_scope_required")),
            Some(true),
            "{path}: {}",
            reply.body
        );
    }
}

/// What a write route is expected to answer for a target outside the scope.
fn write_expectation(method: Method, path: &str) -> Option<Status> {
    match (method, path) {
        (Method::Post, "/api/v1/assets/<key>/ledger") => Some(Status::NotFound),
        (Method::Post, "/api/v1/imports") => Some(Status::UnprocessableEntity),
        (Method::Post, "/api/v1/declarations") => Some(Status::Forbidden),
        (Method::Post, "/api/v1/tokens") => Some(Status::Forbidden),
        (Method::Delete, "/api/v1/tokens/<id>") => Some(Status::Forbidden),
        (Method::Post, "/assets/<key>/entries") => Some(Status::NotFound),
        (Method::Post, "/assets/<key>/attachments") => Some(Status::NotFound),
        (Method::Post, "/reconcile") => Some(Status::Forbidden),
        (Method::Post, "/reconcile/upload") => Some(Status::Forbidden),
        // A campaign over a scope wider than the token's is refused; another town's
        // campaign does not exist for the village.
        (Method::Post, "/api/v1/stocktakes") => Some(Status::UnprocessableEntity),
        (Method::Post, "/api/v1/stocktakes/<id>/results") => Some(Status::NotFound),
        (Method::Post, "/api/v1/stocktakes/<id>/close") => Some(Status::NotFound),
        (Method::Post, "/stocktakes") => Some(Status::SeeOther),
        (Method::Post, "/stocktakes/<id>/close") => Some(Status::NotFound),
        (Method::Post, "/stocktakes/<id>/check") => Some(Status::NotFound),
        // A document belongs to no asset until an entry cites it, and an entry is
        // appended only to an asset in scope.
        (Method::Post, "/api/v1/attachments") => None,
        // A proposal or notice of another village is not there, for the approver of this
        // village and for its clerk alike.
        (Method::Post, "/api/v1/proposals/<id>/approve")
        | (Method::Post, "/api/v1/proposals/<id>/reject")
        | (Method::Post, "/api/v1/notices")
        | (Method::Post, "/api/v1/notices/<id>/objections")
        | (Method::Post, "/api/v1/notices/<id>/objections/<n>/resolve") => Some(Status::NotFound),
        (Method::Post, "/proposals/<id>/notices")
        | (Method::Post, "/notices/<id>/objections")
        | (Method::Post, "/notices/<id>/objections/<n>/resolve") => Some(Status::NotFound),
        // An admin is no approver.
        (Method::Post, "/proposals/<id>/approve") | (Method::Post, "/proposals/<id>/reject") => {
            Some(Status::Forbidden)
        }
        // Signing in and out writes nothing of the register.
        (Method::Post, "/login") | (Method::Post, "/logout") => None,
        _ => panic!("{method} {path}: a write route without a scope expectation"),
    }
}

fn every_write_route_refuses_targets_outside_the_scope(app: &TestApp) {
    setup(app);
    let village = Scope::parse("village:桑镇/东村").expect("scope");
    let secret = token(app, Role::Admin, &village);
    let approver = token(app, Role::Approver, &village);
    let token_id = app.get("/api/v1/tokens", Some(&app.admin)).body[0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let campaign = app.post(
        "/api/v1/stocktakes",
        Some(&app.admin),
        json!({"name": "赵村镇清查", "year": 2026, "scope": "town:赵村镇"})
            .to_string()
            .into_bytes(),
        ContentType::JSON,
    );
    assert_eq!(campaign.status, Status::Created, "{}", campaign.body);
    let campaign = campaign.body["stocktake"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let result =
        json!([{"asset_code": "AST-XC-SHEEP", "result": "normal", "checked_on": "2026-01-05"}])
            .to_string();
    // A transfer of 南村's pipe waiting for the county (this app approves transfers), with
    // a notice and an objection.
    let proposal = app.post(
        "/api/v1/assets/AST-NC-PIPE/ledger",
        Some(&app.clerk),
        json!({"kind": "ownership_transferred", "occurred_on": "2023-01-01",
               "owner": {"name": "桑镇集体", "type": "village_collective"}, "document_no": "X1"})
        .to_string()
        .into_bytes(),
        ContentType::JSON,
    );
    assert_eq!(proposal.status, Status::Accepted, "{}", proposal.body);
    let proposal = proposal.body["proposal_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let notice = app.post(
        "/api/v1/notices",
        Some(&app.clerk),
        json!({"proposal_id": proposal, "place": "南村公开栏", "starts_on": "2023-01-01"})
            .to_string()
            .into_bytes(),
        ContentType::JSON,
    );
    assert_eq!(notice.status, Status::Created, "{}", notice.body);
    let notice = notice.body["id"].as_str().unwrap_or_default().to_owned();
    let objection = app.post(
        &format!("/api/v1/notices/{notice}/objections"),
        Some(&app.clerk),
        json!({"text": "异议"}).to_string().into_bytes(),
        ContentType::JSON,
    );
    assert_eq!(objection.status, Status::Created, "{}", objection.body);
    let proposals_before = app.get("/api/v1/proposals", Some(&app.clerk)).body;
    let before = app.register_state();
    let routes: Vec<(Method, String)> = app
        .client
        .rocket()
        .routes()
        .filter(|r| r.method != Method::Get)
        .map(|r| (r.method, r.uri.path().to_string()))
        .collect();
    let outside_row = format!(
        "{}\nPRJ-NEW,南村新项目,2022,桑镇,南村,100,,,AST-NEW,新资产,公益性,,,100,南村村委会,村集体,,,,\n",
        REGISTER.lines().next().unwrap_or_default()
    );
    let entry = json!({"kind": "maintenance", "occurred_on": "2021-01-01", "description": "修"})
        .to_string();
    let today = today_in_china().to_string();
    for (method, path) in &routes {
        let Some(expected) = write_expectation(*method, path) else {
            continue;
        };
        let (target, body, content_type) = match path.as_str() {
            "/api/v1/assets/<key>/ledger" => ("/api/v1/assets/AST-NC-PIPE/ledger".to_owned(), entry.clone(), ContentType::JSON),
            "/api/v1/imports" => ("/api/v1/imports?dry_run=false".to_owned(), outside_row.clone(), ContentType::CSV),
            "/api/v1/declarations" => (path.clone(), json!({"name": "x", "as_of": today, "lines": [{"scope": "total", "projects": 1, "amount": "1.00"}]}).to_string(), ContentType::JSON),
            "/api/v1/tokens" => (path.clone(), json!({"name": "x", "role": "admin"}).to_string(), ContentType::JSON),
            "/api/v1/tokens/<id>" => (format!("/api/v1/tokens/{token_id}"), String::new(), ContentType::JSON),
            "/proposals/<id>/notices" => (format!("/proposals/{proposal}/notices"), format!("place=x&starts_on={today}&days=7"), ContentType::Form),
            "/notices/<id>/objections" => (format!("/notices/{notice}/objections"), "text=x".to_owned(), ContentType::Form),
            "/notices/<id>/objections/<n>/resolve" => (format!("/notices/{notice}/objections/1/resolve"), "resolution=x".to_owned(), ContentType::Form),
            "/proposals/<id>/approve" => (format!("/proposals/{proposal}/approve"), "step=town".to_owned(), ContentType::Form),
            "/proposals/<id>/reject" => (format!("/proposals/{proposal}/reject"), "reason=x".to_owned(), ContentType::Form),
            "/assets/<key>/entries" => ("/assets/AST-NC-PIPE/entries".to_owned(), "kind=maintenance&occurred_on=2021-01-01&description=x".to_owned(), ContentType::Form),
            "/api/v1/stocktakes" => (path.clone(), json!({"name": "x", "year": 2026, "scope": "county"}).to_string(), ContentType::JSON),
            "/api/v1/stocktakes/<id>/results" => (format!("/api/v1/stocktakes/{campaign}/results"), result.clone(), ContentType::JSON),
            "/api/v1/stocktakes/<id>/close" => (format!("/api/v1/stocktakes/{campaign}/close"), String::new(), ContentType::JSON),
            "/stocktakes" => (path.clone(), "name=x&year=2026&scope=county".to_owned(), ContentType::Form),
            "/stocktakes/<id>/close" => (format!("/stocktakes/{campaign}/close"), String::new(), ContentType::Form),
            "/stocktakes/<id>/check" => (format!("/stocktakes/{campaign}/check"), "asset_code=AST-XC-SHEEP&result=normal&checked_on=2026-01-05".to_owned(), ContentType::Form),
            "/assets/<key>/attachments" => (
                "/assets/AST-NC-PIPE/attachments".to_owned(),
                "--XB\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\nx\r\n--XB--\r\n".to_owned(),
                ContentType::new("multipart", "form-data").with_params(("boundary", "XB")),
            ),
            "/reconcile/upload" => (
                path.clone(),
                format!("--XB\r\nContent-Disposition: form-data; name=\"file\"; filename=\"d.csv\"\r\nContent-Type: text/csv\r\n\r\nscope,projects,amount\r\ntotal,1,1.00\r\n--XB\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nx\r\n--XB\r\nContent-Disposition: form-data; name=\"as_of\"\r\n\r\n{today}\r\n--XB--\r\n"),
                ContentType::new("multipart", "form-data").with_params(("boundary", "XB")),
            ),
            "/api/v1/proposals/<id>/approve" => (format!("/api/v1/proposals/{proposal}/approve"), "{}".to_owned(), ContentType::JSON),
            "/api/v1/proposals/<id>/reject" => (format!("/api/v1/proposals/{proposal}/reject"), json!({"reason": "x"}).to_string(), ContentType::JSON),
            "/api/v1/notices" => (path.clone(), json!({"proposal_id": proposal, "place": "x", "starts_on": "2023-01-01"}).to_string(), ContentType::JSON),
            "/api/v1/notices/<id>/objections" => (format!("/api/v1/notices/{notice}/objections"), json!({"text": "x"}).to_string(), ContentType::JSON),
            "/api/v1/notices/<id>/objections/<n>/resolve" => (format!("/api/v1/notices/{notice}/objections/1/resolve"), json!({"resolution": "x"}).to_string(), ContentType::JSON),
            _ => (path.clone(), format!("name=x&as_of={today}"), ContentType::Form),
        };
        let request = match method {
            Method::Delete => app.client.delete(target.clone()),
            _ => app.client.post(target.clone()),
        };
        let who = if path.starts_with("/api/v1/proposals/") {
            &approver
        } else {
            &secret
        };
        let response = with_token(request, who)
            .header(content_type)
            .body(body)
            .dispatch();
        let status = response.status();
        let text = response.into_string().unwrap_or_default();
        assert_eq!(status, expected, "{method} {target}: {text}");
        if path == "/api/v1/imports" {
            let problem: Value = serde_json::from_str(&text).expect("problem+json");
            assert_eq!(
                problem["errors"][0],
                json!({"line": 2, "column": "村", "code": "out_of_scope",
                       "message": "此行的项目（桑镇南村）不在令牌的范围（村：桑镇东村）内，未写入任何数据"}),
                "{text}"
            );
        }
        if status == Status::Forbidden && path.starts_with("/api/") {
            assert!(
                text.contains("county_scope_required"),
                "{method} {target}: {text}"
            );
        }
        assert_eq!(
            app.register_state(),
            before,
            "{method} {target} wrote something"
        );
    }
    assert_eq!(
        app.get("/api/v1/proposals", Some(&app.clerk)).body,
        proposals_before,
        "no proposal decided, noticed or objected to from outside"
    );
    let campaigns = app.get("/api/v1/stocktakes", Some(&app.clerk));
    assert_eq!(
        campaigns.body.as_array().map(Vec::len),
        Some(1),
        "no campaign opened from outside: {}",
        campaigns.body
    );
    assert_eq!(
        campaigns.body[0]["status"],
        json!("open"),
        "{}",
        campaigns.body
    );
    let tokens = app.get("/api/v1/tokens", Some(&app.admin));
    assert!(tokens
        .body
        .as_array()
        .is_some_and(|t| t.iter().all(|t| t["revoked_at"].is_null())));
    // In scope, the same village writes.
    let inside = app.post(
        "/api/v1/assets/AST-DC-PV/ledger",
        Some(&secret),
        entry.into_bytes(),
        ContentType::JSON,
    );
    assert_eq!(inside.status, Status::Created, "{}", inside.body);
}

/// A row placed in the importer's own village but naming codes registered in another
/// village is `out_of_scope` on the code, and shows none of the other village's values.
fn imports_cannot_read_codes_registered_outside_the_scope(app: &TestApp) {
    setup(app);
    let village = Scope::parse("village:桑镇/东村").expect("scope");
    let secret = token(app, Role::Clerk, &village);
    let before = app.register_state();
    let header = REGISTER.lines().next().unwrap_or_default();
    // An asset of 赵村镇西村 (registered to 李四, 9,000 元) under a new 东村 project, and a
    // project of 桑镇南村 whose row claims 东村.
    let file = format!(
        "{header}\nPRJ-DC2,东村新项目,2022,桑镇,东村,100,,,AST-XC-SHEEP,湖羊,到户类,3,只,100,王五,农户,,王五,,\n\
         PRJ-NC,南村供水管网,2021,桑镇,东村,60000,,水利局,AST-DC-NEW,新管道,公益性,,,60000,东村村委会,村集体,,,,\n"
    );
    for dry_run in [true, false] {
        let reply = app.post(
            &format!("/api/v1/imports?dry_run={dry_run}"),
            Some(&secret),
            file.clone().into_bytes(),
            ContentType::CSV,
        );
        assert_eq!(reply.status, Status::UnprocessableEntity, "{}", reply.body);
        let errors = row_errors(&reply.body);
        assert_eq!(
            errors,
            [
                (2, "资产编号".to_owned(), "out_of_scope".to_owned()),
                (3, "项目编号".to_owned(), "out_of_scope".to_owned()),
            ],
            "{}",
            reply.body
        );
        let text = reply.body.to_string();
        for registered in ["李四", "9000", "9,000", "赵村镇", "西村", "南村", "水利局"]
        {
            assert!(!text.contains(registered), "{registered} shown: {text}");
        }
        assert!(
            text.contains("AST-XC-SHEEP") && text.contains("本账号范围以外"),
            "{text}"
        );
        assert_eq!(app.register_state(), before);
    }
}

/// A 镇街 or 村 holding a `/` is refused: a village's scope and its totals' key are
/// written `<镇街>/<村>`, so 甲/乙 with 丙 and 甲 with 乙/丙 would be one place, and the
/// token of either village would count the other village's assets in its totals.
fn a_slash_in_a_town_or_village_name_is_refused(app: &TestApp) {
    let before = app.register_state();
    let header = REGISTER.lines().next().unwrap_or_default();
    let file = format!(
        "{header}\nPRJ-S1,斜杠一,2020,甲/乙,丙,111,,,AST-S1,水井,公益性,1,眼,111,丙村村委会,村集体,,,,\n\
         PRJ-S2,斜杠二,2020,甲,乙/丙,222,,,AST-S2,便桥,公益性,1,座,222,乙丙村村委会,村集体,,,,\n"
    );
    let reply = app.import(file.as_bytes(), false);
    assert_eq!(reply.status, Status::UnprocessableEntity, "{}", reply.body);
    assert_eq!(
        reply.body["errors"],
        json!([
            {"line": 2, "column": "镇街", "code": "invalid_character",
             "message": "“镇街”不能含有“/”（“甲/乙”）：范围和按村汇总都以“镇街/村”书写，含“/”的名称会与别处混同"},
            {"line": 3, "column": "村", "code": "invalid_character",
             "message": "“村”不能含有“/”（“乙/丙”）：范围和按村汇总都以“镇街/村”书写，含“/”的名称会与别处混同"},
        ]),
        "{}",
        reply.body
    );
    assert_eq!(app.register_state(), before);
}

/// The county's file sent again by a village's clerk is not answered with the county's
/// batch (its id, who imported it and when, its county-wide counts): it is checked as
/// any other file, the rows outside the village refused as `out_of_scope`.
fn a_narrower_scope_is_not_answered_with_a_batch_it_does_not_see(app: &TestApp) {
    setup(app);
    let batches = app.get("/api/v1/imports", Some(&app.admin));
    let county_batch = batches.body["items"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(!county_batch.is_empty(), "{}", batches.body);
    let village = Scope::parse("village:桑镇/东村").expect("scope");
    let secret = token(app, Role::Clerk, &village);
    let before = app.register_state();
    for dry_run in [true, false] {
        let reply = app.post(
            &format!("/api/v1/imports?dry_run={dry_run}"),
            Some(&secret),
            REGISTER.as_bytes().to_vec(),
            ContentType::CSV,
        );
        assert_eq!(reply.status, Status::UnprocessableEntity, "{}", reply.body);
        let errors = row_errors(&reply.body);
        assert_eq!(
            errors,
            [
                (4, "村".to_owned(), "out_of_scope".to_owned()),
                (5, "镇街".to_owned(), "out_of_scope".to_owned()),
                (6, "镇街".to_owned(), "out_of_scope".to_owned()),
            ],
            "{}",
            reply.body
        );
        let text = reply.body.to_string();
        assert!(!text.contains(&county_batch), "{text}");
        assert!(!text.contains("test-clerk"), "{text}");
        assert_eq!(app.register_state(), before);
    }
    // A file wholly within the village, imported by the county: every record of it is
    // the village's to see, and the batch that registered it answers, writing nothing.
    let header = REGISTER.lines().next().unwrap_or_default();
    let own = format!(
        "{header}\nPRJ-DC3,东村道路,2022,桑镇,东村,500,,,AST-DC-ROAD,道路,公益性,1,公里,500,东村村委会,村集体,,,,\n"
    );
    let first = app.import(own.as_bytes(), false);
    assert_eq!(first.status, Status::Created, "{}", first.body);
    let before = app.register_state();
    let again = app.post(
        "/api/v1/imports",
        Some(&secret),
        own.into_bytes(),
        ContentType::CSV,
    );
    assert_eq!(again.status, Status::Ok, "{}", again.body);
    assert_eq!(
        (
            &again.body["id"],
            &again.body["replayed"],
            &again.body["assets_created"]
        ),
        (&first.body["id"], &json!(true), &json!(1))
    );
    assert_eq!(app.register_state(), before);
}

fn tokens_carry_their_scope(app: &TestApp) {
    let reply = app.post(
        "/api/v1/tokens",
        Some(&app.admin),
        json!({"name": "东村文书", "role": "clerk", "scope": "village:桑镇/东村"})
            .to_string()
            .into_bytes(),
        ContentType::JSON,
    );
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    assert_eq!(reply.body["scope"], json!("village:桑镇/东村"));
    assert_eq!(reply.body["scope_label"], json!("村：桑镇东村"));
    let secret = reply.body["token"].as_str().unwrap_or_default().to_owned();
    let bad = app.post(
        "/api/v1/tokens",
        Some(&app.admin),
        json!({"name": "x", "role": "clerk", "scope": "city:兴平"})
            .to_string()
            .into_bytes(),
        ContentType::JSON,
    );
    assert_eq!(bad.status, Status::UnprocessableEntity);
    assert_eq!(bad.body["errors"][0]["field"], json!("scope"));
    let list = app.get("/api/v1/tokens", Some(&app.admin));
    assert_eq!(list.status, Status::Ok);
    let text = list.body.to_string();
    assert!(
        !text.contains(&secret) && !text.contains(&app.admin),
        "no secrets: {text}"
    );
    let entry = list
        .body
        .as_array()
        .and_then(|t| t.iter().find(|t| t["name"] == json!("东村文书")))
        .cloned()
        .expect("listed");
    assert_eq!(entry["scope"], json!("village:桑镇/东村"));
    assert_eq!(entry["role"], json!("clerk"));
    let reader = app.get("/api/v1/tokens", Some(&app.reader));
    assert_eq!(reader.status, Status::Forbidden);
    // The web session carries the scope into every page's header.
    let client = rocket::local::blocking::Client::tracked(asset_registry::server::rocket(
        app.db.clone(),
        rocket::Config::figment().merge(("log_level", "off")),
    ))
    .expect("client");
    let login = client
        .post("/login")
        .header(ContentType::Form)
        .body(format!("token={secret}"))
        .dispatch();
    assert_eq!(login.status(), Status::SeeOther);
    for path in ["/", "/assets", "/imports"] {
        let page = client
            .get(path)
            .dispatch()
            .into_string()
            .unwrap_or_default();
        assert!(
            page.contains(
                "<span class=\"scope\" title=\"village:桑镇/东村\">范围：村：桑镇东村</span>"
            ),
            "{path}: {page}"
        );
        assert!(
            !page.contains("href=\"/reconcile\""),
            "{path}: no county-only links"
        );
    }
    let reconcile = client.get("/reconcile").dispatch();
    assert_eq!(reconcile.status(), Status::Forbidden);
}

fn the_approver_reads_as_a_clerk(app: &TestApp) {
    setup(app);
    let approver = token(app, Role::Approver, &Scope::County);
    let asset = app.get("/api/v1/assets/AST-DC-COW", Some(&approver));
    assert_eq!(asset.status, Status::Ok);
    assert_eq!(
        asset.body["owner"]["id_number"],
        json!("11010519491231002X")
    );
    let write = app.post(
        "/api/v1/assets/AST-DC-COW/ledger",
        Some(&approver),
        json!({"kind": "maintenance", "occurred_on": "2021-01-01", "description": "x"})
            .to_string()
            .into_bytes(),
        ContentType::JSON,
    );
    assert_eq!(write.status, Status::Forbidden);
    let created = app.post(
        "/api/v1/tokens",
        Some(&app.admin),
        json!({"name": "镇审批人", "role": "approver", "scope": "town:桑镇"})
            .to_string()
            .into_bytes(),
        ContentType::JSON,
    );
    assert_eq!(created.body["role"], json!("approver"), "{}", created.body);
}

fn public_pages_show_a_village_without_ids_or_phones(app: &TestApp) {
    setup(app);
    // A distribution with household lines, one carrying an ID number.
    let today = today_in_china().format("%Y-%m-%d").to_string();
    let distributed = app.post(
        "/api/v1/assets/AST-DC-PV/ledger",
        Some(&app.clerk),
        json!({"kind": "income_distributed", "occurred_on": today, "amount": "1200.50", "period": "2025年", "recipients": 2,
               "lines": [{"name": "赵六", "id_number": DISTRIBUTION_ID, "amount": "1000.00"}, {"name": "钱七", "amount": "200.50"}]})
            .to_string()
            .into_bytes(),
        ContentType::JSON,
    );
    assert_eq!(distributed.status, Status::Created, "{}", distributed.body);
    let page = app
        .client
        .get("/public/%E6%A1%91%E9%95%87/%E4%B8%9C%E6%9D%91")
        .dispatch();
    assert_eq!(page.status(), Status::Ok);
    let html = page.into_string().unwrap_or_default();
    for expected in [
        "<title>桑镇东村扶贫项目资产公示 · 扶贫项目资产登记</title>",
        "<td>AST-DC-PV</td><td>村级光伏电站</td><td>经营性</td><td class=\"n\">500,000.00</td><td>东村股份经济合作社</td><td>东村村委会</td>",
        "<td>AST-DC-COW</td><td>肉牛</td><td>到户类</td><td class=\"n\">8,000.50</td><td>张三</td><td>张三</td>",
        "<td>2025年</td><td class=\"n\">12,345.60</td>",
        "<tr><td>赵六</td><td class=\"n\">1,000.00</td></tr><tr><td>钱七</td><td class=\"n\">200.50</td></tr>",
        "暂无正在公示的事项。",
        "name=\"viewport\"",
    ] {
        assert!(html.contains(expected), "{expected}: {html}");
    }
    let json = app.get("/api/v1/public/%E6%A1%91%E9%95%87/%E4%B8%9C%E6%9D%91", None);
    assert_eq!(json.status, Status::Ok);
    assert_eq!(json.body["assets"][0]["code"], json!("AST-DC-COW"));
    assert_eq!(json.body["income"][0]["amount"], json!("12345.60"));
    assert_eq!(
        json.body["distributions"],
        json!([{"asset_code": "AST-DC-PV", "occurred_on": today, "amount": "1200.50",
                "lines": [{"name": "赵六", "amount": "1000.00"}, {"name": "钱七", "amount": "200.50"}]}])
    );
    assert_eq!(json.body["notices"], json!([]));
    assert!(json.body["ledger_head"]["seq"]
        .as_i64()
        .is_some_and(|s| s >= 4));
    let text = json.body.to_string();
    for (what, body) in [("HTML", &html), ("JSON", &text)] {
        assert!(
            !body.contains(DISTRIBUTION_ID),
            "{what} shows a household's ID number"
        );
        assert!(
            !body.contains(&DISTRIBUTION_ID[..6]),
            "{what} shows part of it"
        );
        for personal in PERSONAL {
            assert!(!body.contains(personal), "{what} shows {personal}");
            assert!(
                !body.contains(&personal[..6]),
                "{what} shows part of {personal}"
            );
        }
        for outside in ["AST-NC-PIPE", "AST-XC-SHEEP", "PRJ-NC"] {
            assert!(!body.contains(outside), "{what} shows {outside}");
        }
    }
    let none = app.get("/api/v1/public/%E6%A1%91%E9%95%87/%E6%97%A0%E6%9D%91", None);
    assert_eq!(none.status, Status::NotFound);
}

/// A distribution and an income that a correction cancelled leave the village notice; a
/// correction that is itself corrected brings its target back, as the fold reads it.
fn public_pages_leave_out_what_a_correction_cancelled(app: &TestApp) {
    setup(app);
    let today = today_in_china().format("%Y-%m-%d").to_string();
    let append = |body: Value| -> i64 {
        let reply = app.post(
            "/api/v1/assets/AST-DC-PV/ledger",
            Some(&app.clerk),
            body.to_string().into_bytes(),
            ContentType::JSON,
        );
        assert_eq!(reply.status, Status::Created, "{}", reply.body);
        reply.body["seq"].as_i64().expect("seq")
    };
    let income = append(
        json!({"kind": "income", "occurred_on": today, "amount": "7777.00", "period": "误录收益"}),
    );
    let distributed = append(
        json!({"kind": "income_distributed", "occurred_on": today, "amount": "300.00", "period": "误录分配",
               "recipients": 1, "lines": [{"name": "孙八", "amount": "300.00"}]}),
    );
    let notice = || {
        let reply = app.get("/api/v1/public/%E6%A1%91%E9%95%87/%E4%B8%9C%E6%9D%91", None);
        assert_eq!(reply.status, Status::Ok, "{}", reply.body);
        let html = app
            .client
            .get("/public/%E6%A1%91%E9%95%87/%E4%B8%9C%E6%9D%91")
            .dispatch()
            .into_string()
            .unwrap_or_default();
        [("JSON", reply.body.to_string()), ("HTML", html)]
    };
    for (what, body) in notice() {
        assert!(body.contains("孙八"), "{what} before the correction");
        assert!(body.contains("误录收益"), "{what} before the correction");
    }
    let corrects_distribution = append(
        json!({"kind": "correction", "occurred_on": today, "corrects": distributed, "reason": "误录"}),
    );
    append(
        json!({"kind": "correction", "occurred_on": today, "corrects": income, "reason": "误录"}),
    );
    for (what, body) in notice() {
        assert!(
            !body.contains("孙八"),
            "{what} lists a cancelled distribution"
        );
        assert!(
            !body.contains("误录收益"),
            "{what} lists a cancelled income"
        );
    }
    append(
        json!({"kind": "correction", "occurred_on": today, "corrects": corrects_distribution, "reason": "更正有误"}),
    );
    for (what, body) in notice() {
        assert!(
            body.contains("孙八"),
            "{what}: the corrected correction cancels nothing"
        );
        assert!(
            !body.contains("误录收益"),
            "{what} lists a cancelled income"
        );
    }
}

/// The ID number on a household line of the public village's distribution.
const DISTRIBUTION_ID: &str = "11010519491231002X";

fn public_pages_are_off_by_default(app: &TestApp) {
    setup(app);
    let closed = TestApp::on(support::TestDatabase::new(app.backend), None);
    let reply = closed.get("/api/v1/public/%E6%A1%91%E9%95%87/%E4%B8%9C%E6%9D%91", None);
    assert_eq!(reply.status, Status::NotFound);
    let page = closed
        .client
        .get("/public/%E6%A1%91%E9%95%87/%E4%B8%9C%E6%9D%91")
        .dispatch();
    assert_eq!(page.status(), Status::NotFound);
}

fn public_app(backend: asset_registry::db::Backend) -> TestApp {
    TestApp::new(
        backend,
        Some(
            rocket::Config::figment()
                .merge(("log_level", "off"))
                .merge(("public", true))
                .merge(("approvals", "ownership_transferred=county")),
        ),
    )
}

/// The row errors of an import's answer, as (line, column, code).
fn row_errors(body: &Value) -> Vec<(i64, String, String)> {
    body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["line"].as_i64().unwrap_or_default(),
                e["column"].as_str().unwrap_or_default().to_owned(),
                e["code"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn main() -> std::process::ExitCode {
    let scenarios: Vec<(&'static str, Scenario)> = vec![
        (
            "scopes::every_get_route_answers_only_from_the_scope",
            every_get_route_answers_only_from_the_scope,
        ),
        (
            "scopes::scoped_reads_answer_from_the_scope",
            scoped_reads_answer_from_the_scope,
        ),
        (
            "scopes::every_write_route_refuses_targets_outside_the_scope",
            every_write_route_refuses_targets_outside_the_scope,
        ),
        (
            "scopes::imports_cannot_read_codes_registered_outside_the_scope",
            imports_cannot_read_codes_registered_outside_the_scope,
        ),
        (
            "scopes::a_slash_in_a_town_or_village_name_is_refused",
            a_slash_in_a_town_or_village_name_is_refused,
        ),
        (
            "scopes::a_narrower_scope_is_not_answered_with_a_batch_it_does_not_see",
            a_narrower_scope_is_not_answered_with_a_batch_it_does_not_see,
        ),
        ("scopes::tokens_carry_their_scope", tokens_carry_their_scope),
        (
            "scopes::the_approver_reads_as_a_clerk",
            the_approver_reads_as_a_clerk,
        ),
        (
            "scopes::public_pages_show_a_village_without_ids_or_phones",
            public_pages_show_a_village_without_ids_or_phones,
        ),
        (
            "scopes::public_pages_leave_out_what_a_correction_cancelled",
            public_pages_leave_out_what_a_correction_cancelled,
        ),
        (
            "scopes::public_pages_are_off_by_default",
            public_pages_are_off_by_default,
        ),
    ];
    support::run_with(scenarios, public_app)
}
