//! The query API on SQLite and PostgreSQL: projects, assets and their filters, cursor
//! pages under concurrent inserts, imports, masking, CSV export, OpenAPI, problems.

mod support;

use rocket::http::{ContentType, Status};
use serde_json::{json, Value};
use support::{sample, Scenario, TestApp};

const REGISTER: &str = "项目编号,项目名称,项目年度,镇街,村,项目资金(元),资金来源,资产编号,资产名称,资产类别,数量,计量单位,资产价值(元),所有权人,所有权人类型,所有权人证件号,管护主体,确权日期,确权证书编号
P1,东村光伏电站,2019,桑镇,东村,500000,中央财政专项扶贫资金,PV-1,村级光伏电站,经营性,60,千瓦,500000,东村股份经济合作社,村集体,,东村村委会,2020-03-05,兴确字(2020)第1号
P2,肉牛到户,2019,桑镇,东村,8000.50,,COW-1,肉牛,到户类,1,头,8000.50,张三,农户,11010519491231002X,张三,,
P3,西村供水管网,2021,赵村镇,西村,90000,,PIPE-1,供水管道,公益性,1.5,公里,60000,西村村委会,村集体,,,,
P3,西村供水管网,2021,赵村镇,西村,90000,,WELL-1,=水源井,公益性,1,眼,30000,西村村委会,村集体,,@西村供水站,,
P4,技能培训补贴,2020,赵村镇,,12000,,,,,,,,,,,,,
";

/// Removes the fields that differ from run to run (ids, times, batch ids).
fn stable(mut value: Value) -> Value {
    match &mut value {
        Value::Object(map) => {
            for key in [
                "id",
                "batch_id",
                "registered_at",
                "created_at",
                "recorded_at",
                "hash",
                "prev_hash",
                "asset_id",
                "sha256",
            ] {
                if map.contains_key(key) {
                    map.insert(key.to_owned(), json!("…"));
                }
            }
            for (_, v) in map.iter_mut() {
                *v = stable(v.take());
            }
        }
        Value::Array(items) => {
            for v in items.iter_mut() {
                *v = stable(v.take());
            }
        }
        _ => {}
    }
    value
}

fn setup(app: &TestApp) {
    let reply = app.import(REGISTER.as_bytes(), false);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
}

fn cow(id_number: &str) -> Value {
    json!({
        "id": "…", "code": "COW-1", "project_code": "P2", "name": "肉牛", "class": "household",
        "quantity": "1", "unit": "头", "value": "8000.50",
        "owner": {"name": "张三", "type": "household", "id_number": id_number},
        "custodian": "张三", "status": "registered", "confirmed_on": null, "certificate_no": null,
        "town": "桑镇", "village": "东村", "income": "0.00", "income_distributed": "0.00",
        "batch_id": "…", "registered_at": "…",
        "registered_on": asset_registry::domain::dates::today_in_china().to_string()
    })
}

fn a_project_comes_with_its_assets(app: &TestApp) {
    setup(app);
    let reply = app.get("/api/v1/projects/P2", Some(&app.reader));
    assert_eq!(reply.status, Status::Ok);
    assert_eq!(
        stable(reply.body),
        json!({
            "code": "P2", "name": "肉牛到户", "year": 2019, "town": "桑镇", "village": "东村",
            "funds": "8000.50", "funding_source": null, "department": null, "funding": {}, "batch_id": "…", "registered_at": "…",
            "assets": [cow("110105********002X")]
        })
    );
    assert_eq!(
        app.get("/api/v1/projects/NOPE", Some(&app.reader)).status,
        Status::NotFound
    );
}

fn projects_filter_by_town_village_year_class_and_name(app: &TestApp) {
    setup(app);
    let codes = |query: &str| -> Vec<String> {
        let reply = app.get(&format!("/api/v1/projects?{query}"), Some(&app.reader));
        assert_eq!(reply.status, Status::Ok, "{query}: {}", reply.body);
        reply.body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["code"].as_str().map(str::to_owned))
            .collect()
    };
    assert_eq!(codes(""), ["P1", "P2", "P3", "P4"]);
    assert_eq!(codes("town=%E8%B5%B5%E6%9D%91%E9%95%87"), ["P3", "P4"]);
    assert_eq!(codes("village=%E4%B8%9C%E6%9D%91"), ["P1", "P2"]);
    assert_eq!(codes("year=2019"), ["P1", "P2"]);
    assert_eq!(codes("class=public_welfare"), ["P3"]);
    assert_eq!(codes("q=%E5%85%89%E4%BC%8F"), ["P1"]);
    let page = app.get("/api/v1/projects?limit=2", Some(&app.reader));
    assert_eq!(page.body["items"].as_array().map(Vec::len), Some(2));
    let cursor = page.body["next_cursor"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let next = app.get(
        &format!("/api/v1/projects?limit=2&cursor={cursor}"),
        Some(&app.reader),
    );
    assert_eq!(next.body["items"][0]["code"], "P3");
    assert_eq!(next.body["next_cursor"], Value::Null);
    assert_eq!(
        stable(
            app.get("/api/v1/projects?year=2020", Some(&app.reader))
                .body
        ),
        json!({"items": [{"code": "P4", "name": "技能培训补贴", "year": 2020, "town": "赵村镇", "village": null, "funds": "12000.00", "funding_source": null, "department": null, "funding": {}, "batch_id": "…", "registered_at": "…"}], "next_cursor": null})
    );
}

fn assets_filter_by_every_field(app: &TestApp) {
    setup(app);
    let codes = |query: &str| -> Vec<String> {
        let reply = app.get(&format!("/api/v1/assets?{query}"), Some(&app.auditor));
        assert_eq!(reply.status, Status::Ok, "{query}: {}", reply.body);
        reply.body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["code"].as_str().map(str::to_owned))
            .collect()
    };
    assert_eq!(codes(""), ["COW-1", "PIPE-1", "PV-1", "WELL-1"]);
    assert_eq!(codes("class=household"), ["COW-1"]);
    assert_eq!(codes("town=%E6%A1%91%E9%95%87"), ["COW-1", "PV-1"]);
    assert_eq!(codes("village=%E8%A5%BF%E6%9D%91"), ["PIPE-1", "WELL-1"]);
    assert_eq!(codes("owner=%E5%BC%A0%E4%B8%89"), ["COW-1"]);
    assert_eq!(
        codes("owner=%E5%BC%A0"),
        Vec::<String>::new(),
        "owner matches exactly"
    );
    assert_eq!(
        codes("owner_type=village_collective"),
        ["PIPE-1", "PV-1", "WELL-1"]
    );
    assert_eq!(codes("status=confirmed"), ["PV-1"]);
    assert_eq!(codes("project=P3"), ["PIPE-1", "WELL-1"]);
    assert_eq!(
        codes("q=%E6%B0%B4"),
        ["PIPE-1", "WELL-1"],
        "q matches 供水管道 and =水源井"
    );
    assert_eq!(
        codes("q=%25"),
        Vec::<String>::new(),
        "LIKE wildcards are literal"
    );
    assert_eq!(
        codes(
            "class=public_welfare&owner_type=village_collective&village=%E8%A5%BF%E6%9D%91&limit=1"
        ),
        ["PIPE-1"]
    );
    let one = app.get("/api/v1/assets/COW-1", Some(&app.reader));
    let mut expected = cow("110105********002X");
    expected["ledger_head"] = json!({"seq": 2, "hash": one.body["ledger_head"]["hash"].clone()});
    assert_eq!(stable(one.body.clone()), stable(expected));
    let by_id = app.get(
        &format!(
            "/api/v1/assets/{}",
            one.body["id"].as_str().unwrap_or_default()
        ),
        Some(&app.reader),
    );
    assert_eq!(by_id.body, one.body);
}

fn bad_parameters_are_named(app: &TestApp) {
    setup(app);
    for (query, parameter) in [
        ("/api/v1/assets?class=foo", "class"),
        ("/api/v1/assets?owner_type=person", "owner_type"),
        ("/api/v1/assets?status=lost", "status"),
        ("/api/v1/assets?limit=0", "limit"),
        ("/api/v1/assets?limit=100000", "limit"),
        ("/api/v1/assets?limit=ten", "limit"),
        ("/api/v1/assets?cursor=garbage", "cursor"),
        ("/api/v1/assets?as_of=yesterday", "as_of"),
        ("/api/v1/projects?year=abc", "year"),
        ("/api/v1/projects?class=foo", "class"),
        ("/api/v1/imports?limit=1001", "limit"),
        ("/api/v1/imports?cursor=c1.zz", "cursor"),
        ("/api/v1/events?after=x", "after"),
        ("/api/v1/totals?group_by=owner", "group_by"),
        ("/api/v1/assets.csv?encoding=latin1", "encoding"),
    ] {
        let reply = app.get(query, Some(&app.auditor));
        assert_eq!(reply.status, Status::BadRequest, "{query}: {}", reply.body);
        assert_eq!(
            reply.content_type.as_deref(),
            Some("application/problem+json"),
            "{query}"
        );
        assert_eq!(reply.body["parameter"], parameter, "{query}");
        assert_eq!(reply.body["status"], 400);
    }
}

fn cursor_pages_see_no_duplicate_and_no_gap_while_rows_are_added(app: &TestApp) {
    let mut text = String::from("项目编号,项目名称,项目年度,镇街,项目资金(元),资产编号,资产名称,资产类别,资产价值(元),所有权人\n");
    for i in 0..250 {
        text.push_str(&format!(
            "P{i:04},项目{i},2020,桑镇,100,A{i:04},资产{i},公益性,100,村委会\n"
        ));
    }
    assert_eq!(app.import(text.as_bytes(), false).status, Status::Created);
    let existing: Vec<String> = (0..250).map(|i| format!("A{i:04}")).collect();
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut round = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/assets?limit=40&cursor={c}"),
            None => "/api/v1/assets?limit=40".to_owned(),
        };
        let page = app.get(&path, Some(&app.reader));
        assert_eq!(page.status, Status::Ok);
        seen.extend(
            page.body["items"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| a["code"].as_str().map(str::to_owned)),
        );
        // Between pages, another clerk registers assets that sort before, among and after.
        let mut more = String::from("项目编号,项目名称,项目年度,镇街,项目资金(元),资产编号,资产名称,资产类别,资产价值(元),所有权人\n");
        for code in [
            format!("A0000-{round}"),
            format!("A0125-{round}"),
            format!("Z{round}"),
        ] {
            more.push_str(&format!(
                "Q{code},新项目,2020,桑镇,1,{code},新资产,公益性,1,村委会\n"
            ));
        }
        assert_eq!(app.import(more.as_bytes(), false).status, Status::Created);
        round += 1;
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "no duplicates");
    for code in &existing {
        assert!(seen.contains(code), "{code} missing");
    }
    app.assert_summary_consistent();
}

fn imports_are_listed_with_counts_and_errors(app: &TestApp) {
    setup(app);
    let bad = app.import(
        b"\xEF\xBB\xBF\xE9\xA1\xB9\xE7\x9B\xAE\xE7\xBC\x96\xE5\x8F\xB7\n",
        false,
    );
    assert_eq!(bad.status, Status::UnprocessableEntity);
    let list = app.get("/api/v1/imports", Some(&app.reader));
    assert_eq!(list.status, Status::Ok);
    let items = list.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 2);
    assert_eq!(
        (items[0]["status"].as_str(), items[1]["status"].as_str()),
        (Some("rejected"), Some("committed"))
    );
    assert_eq!(
        stable(items[1].clone()),
        json!({"id": "…", "status": "committed", "replayed": false, "sha256": "…", "filename": null, "encoding": "utf-8",
               "byte_size": REGISTER.len(), "data_rows": 5, "continued_rows": 0, "totals_checked": 0,
               "projects_created": 4, "assets_created": 4,
               "projects_unchanged": 0, "assets_unchanged": 0, "rows_unchanged": 0, "warnings": [],
               "warning_count": 0, "warning_counts": {}, "warnings_truncated": false,
               "error_count": 0, "errors": [], "actor": "test-clerk", "created_at": "…"})
    );
    let rejected = app.get(
        &format!(
            "/api/v1/imports/{}",
            items[0]["id"].as_str().unwrap_or_default()
        ),
        Some(&app.reader),
    );
    assert_eq!(
        rejected.body["error_count"], 4,
        "项目名称, 项目年度, 镇街, 项目资金 are missing"
    );
    assert_eq!(rejected.body["errors"][0]["code"], "missing_column");
    let page = app.get("/api/v1/imports?limit=1", Some(&app.reader));
    let cursor = page.body["next_cursor"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let second = app.get(
        &format!("/api/v1/imports?limit=1&cursor={cursor}"),
        Some(&app.reader),
    );
    assert_eq!(second.body["items"][0]["status"], "committed");
    assert_eq!(second.body["next_cursor"], Value::Null);
    assert_eq!(
        app.get("/api/v1/imports/nope", Some(&app.reader)).status,
        Status::NotFound
    );
}

fn export_neutralises_formulas_and_imports_back_to_the_same_totals(app: &TestApp) {
    setup(app);
    let reply = app
        .client
        .get("/api/v1/assets.csv")
        .header(rocket::http::Header::new(
            "Authorization",
            format!("Bearer {}", app.auditor),
        ))
        .dispatch();
    assert_eq!(reply.status(), Status::Ok);
    assert_eq!(
        reply.headers().get_one("Content-Type"),
        Some("text/csv; charset=utf-8")
    );
    let bytes = reply.into_bytes().unwrap_or_default();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8_lossy(&bytes[3..]).to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "项目编号,项目名称,项目年度,镇街,村,项目资金(元),资金来源,行业主管部门,中央衔接资金(元),省级衔接资金(元),市县衔接资金(元),整合涉农资金(元),行业部门资金(元),社会帮扶资金(元),其他资金(元),资产编号,资产名称,资产类别,数量,计量单位,资产价值(元),所有权人,所有权人类型,所有权人证件号,管护主体,确权日期,确权证书编号,资产形态,受益户数,受益人数,管护责任人,联系电话,移交日期,接收单位,经营方式,经营主体,资产状态,建成日期,坐落位置,备注");
    assert_eq!(lines[1], "P2,肉牛到户,2019,桑镇,东村,8000.50,,,,,,,,,,COW-1,肉牛,到户类,1,头,8000.50,张三,农户,\"=\"\"11010519491231002X\"\"\",张三,,,,,,,,,,,,,,,");
    assert!(
        lines
            .iter()
            .any(|l| l.contains(",'=水源井,") && l.contains(",'@西村供水站,")),
        "{text}"
    );
    assert_eq!(
        lines.last().copied(),
        Some("P4,技能培训补贴,2020,赵村镇,,12000.00,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,")
    );
    let gbk = app
        .client
        .get("/api/v1/assets.csv?encoding=gbk")
        .header(rocket::http::Header::new(
            "Authorization",
            format!("Bearer {}", app.auditor),
        ))
        .dispatch();
    let gbk_bytes = gbk.into_bytes().unwrap_or_default();
    let (decoded, _, malformed) = encoding_rs::GB18030.decode(&gbk_bytes);
    assert!(!malformed);
    assert_eq!(decoded, text);
    assert_eq!(
        app.get("/api/v1/assets.csv", Some(&app.reader)).status,
        Status::Forbidden
    );
    assert_eq!(
        app.get("/api/v1/assets.csv", Some(&app.clerk)).status,
        Status::Ok,
        "clerks export too (issue #13 item 6)"
    );

    // Into an empty register, both encodings reproduce every total.
    for export in [bytes, gbk_bytes] {
        let fresh = TestApp::new(app.backend, None);
        let imported = fresh.import(&export, false);
        assert_eq!(imported.status, Status::Created, "{}", imported.body);
        for group_by in ["class", "town", "village", "year"] {
            assert_eq!(fresh.totals(group_by), app.totals(group_by), "{group_by}");
        }
        assert_eq!(
            stable(
                fresh
                    .get("/api/v1/assets/WELL-1", Some(&fresh.auditor))
                    .body
            ),
            stable(app.get("/api/v1/assets/WELL-1", Some(&app.auditor)).body)
        );
    }
    app.assert_summary_consistent();
}

/// A register whose household owner's ID number is all digits, and one asset without a
/// custodian.
const DIGITS: &str = "项目编号,项目名称,项目年度,镇街,村,项目资金(元),资产编号,资产名称,资产类别,数量,计量单位,资产价值(元),所有权人,所有权人类型,所有权人证件号,管护主体
P7,光伏到户,2020,桑镇,东村,3000,PV-H1,户用光伏,到户类,1,套,3000,李四,农户,610481199003154318,李四
P8,村组道路,2020,赵村镇,西村,9000,ROAD-1,村组道路,公益性,2,公里,9000,西村村委会,村集体,,
";

/// A CSV download: status, headers and cells, decoded from UTF-8 with BOM.
fn download(
    app: &TestApp,
    path: &str,
    token: &str,
) -> (Status, Vec<(String, String)>, Vec<Vec<String>>) {
    let reply = app
        .client
        .get(path.to_owned())
        .header(rocket::http::Header::new(
            "Authorization",
            format!("Bearer {token}"),
        ))
        .dispatch();
    let status = reply.status();
    let headers = reply
        .headers()
        .iter()
        .map(|h| (h.name().to_string(), h.value().to_owned()))
        .collect();
    let bytes = reply.into_bytes().unwrap_or_default();
    let text =
        String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes)).to_string();
    let rows = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| {
            r.map(|r| r.iter().map(str::to_owned).collect())
                .unwrap_or_default()
        })
        .collect();
    (status, headers, rows)
}

fn header<'h>(headers: &'h [(String, String)], name: &str) -> &'h str {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map_or("", |(_, v)| v.as_str())
}

fn clerks_export_id_numbers_excel_keeps_and_import_them_back(app: &TestApp) {
    let imported = app.import(DIGITS.as_bytes(), false);
    assert_eq!(imported.status, Status::Created, "{}", imported.body);
    let (status, _, rows) = download(app, "/api/v1/assets.csv", &app.clerk);
    assert_eq!(status, Status::Ok);
    let id_column = rows[0]
        .iter()
        .position(|h| h == "所有权人证件号")
        .expect("ID column");
    let household = rows.iter().find(|r| r[15] == "PV-H1").expect("PV-H1 row");
    assert_eq!(
        household[id_column], "=\"610481199003154318\"",
        "a text formula: Excel shows all 18 digits"
    );
    // The register page offers the same download to a clerk signed in, not to a reader.
    let register = |token: &str| {
        app.client
            .get("/assets")
            .cookie(rocket::http::Cookie::new("ar_session", token.to_owned()))
            .dispatch()
            .into_string()
            .unwrap_or_default()
    };
    assert!(register(&app.clerk).contains("href=\"/api/v1/assets.csv?\">下载 CSV（UTF-8）</a>"));
    assert!(!register(&app.reader).contains("/api/v1/assets.csv"));
    let road = rows.iter().find(|r| r[15] == "ROAD-1").expect("ROAD-1 row");
    assert_eq!(road[id_column], "", "no ID number, no formula");
    // The export imports back into an empty register: the ID number whole, the totals
    // and the assets the same.
    for encoding in ["utf-8", "gbk"] {
        let export = app
            .client
            .get(format!("/api/v1/assets.csv?encoding={encoding}"))
            .header(rocket::http::Header::new(
                "Authorization",
                format!("Bearer {}", app.clerk),
            ))
            .dispatch()
            .into_bytes()
            .unwrap_or_default();
        let fresh = TestApp::new(app.backend, None);
        let again = fresh.import(&export, false);
        assert_eq!(again.status, Status::Created, "{encoding}: {}", again.body);
        for group_by in ["class", "town", "village", "year"] {
            assert_eq!(fresh.totals(group_by), app.totals(group_by), "{group_by}");
        }
        for code in ["PV-H1", "ROAD-1"] {
            let path = format!("/api/v1/assets/{code}");
            let there = fresh.get(&path, Some(&fresh.auditor)).body;
            assert_eq!(
                stable(there.clone()),
                stable(app.get(&path, Some(&app.auditor)).body)
            );
            if code == "PV-H1" {
                assert_eq!(there["owner"]["id_number"], "610481199003154318");
            }
        }
        fresh.assert_summary_consistent();
    }
}

fn clerks_download_the_findings_in_chinese(app: &TestApp) {
    let imported = app.import(DIGITS.as_bytes(), false);
    assert_eq!(imported.status, Status::Created, "{}", imported.body);
    let listed = app.get("/api/v1/findings?kind=missing_custodian", Some(&app.clerk));
    assert_eq!(
        listed.status,
        Status::Ok,
        "clerks see findings: {}",
        listed.body
    );
    let (status, headers, rows) = download(
        app,
        "/api/v1/findings.csv?kind=missing_custodian",
        &app.clerk,
    );
    assert_eq!(status, Status::Ok);
    assert_eq!(header(&headers, "Content-Type"), "text/csv; charset=utf-8");
    let disposition = header(&headers, "Content-Disposition");
    let today = asset_registry::domain::dates::today_in_china()
        .format("%Y%m%d")
        .to_string();
    assert!(
        disposition.starts_with(&format!(
            "attachment; filename=\"findings-missing_custodian-{today}-"
        )) && disposition.contains(&format!(
            "filename*=UTF-8''{}",
            support::encode("审计发现-未落实管护主体-")
        )),
        "named in Chinese, stamped in China time: {disposition}"
    );
    assert_eq!(
        rows[0],
        [
            "发现类别",
            "资产编号",
            "资产名称",
            "资产类别",
            "项目编号",
            "项目名称",
            "镇街",
            "村",
            "管护主体",
            "说明"
        ]
    );
    let detail = listed.body["items"][0]["detail"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(listed.body["items"][0]["asset_code"], "ROAD-1");
    assert_eq!(
        rows[1..],
        [[
            "未落实管护主体",
            "ROAD-1",
            "村组道路",
            "公益性",
            "P8",
            "村组道路",
            "赵村镇",
            "西村",
            "",
            detail
        ]]
    );
    // Every kind at once, in the API's order, one row per finding.
    let (_, _, all) = download(app, "/api/v1/findings.csv?encoding=utf-8", &app.auditor);
    let every = app.get("/api/v1/findings?limit=1000", Some(&app.auditor));
    let items = every.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(all.len(), items.len() + 1);
    for (row, item) in all[1..].iter().zip(&items) {
        let kind = item["kind"].as_str().unwrap_or_default();
        assert_eq!(
            row[0],
            asset_registry::reconcile::findings::finding_label(kind)
        );
        assert_ne!(row[0], kind, "a label, not the code");
        assert_eq!(row[9], item["detail"].as_str().unwrap_or_default());
    }
    let gbk = app
        .client
        .get("/api/v1/findings.csv?kind=missing_custodian&encoding=gbk")
        .header(rocket::http::Header::new(
            "Authorization",
            format!("Bearer {}", app.clerk),
        ))
        .dispatch()
        .into_bytes()
        .unwrap_or_default();
    let (decoded, _, malformed) = encoding_rs::GB18030.decode(&gbk);
    assert!(
        !malformed && decoded.contains("未落实管护主体,ROAD-1"),
        "{decoded}"
    );
    assert_eq!(
        app.get("/api/v1/findings.csv", Some(&app.reader)).status,
        Status::Forbidden
    );
    // The findings page offers the download to a clerk signed in.
    let page = app
        .client
        .get("/findings?kind=missing_custodian")
        .cookie(rocket::http::Cookie::new("ar_session", app.clerk.clone()))
        .dispatch();
    assert_eq!(page.status(), Status::Ok);
    let page = page.into_string().unwrap_or_default();
    assert!(
        page.contains("href=\"/api/v1/findings.csv?kind=missing_custodian\"")
            && page
                .contains("href=\"/api/v1/findings.csv?kind=missing_custodian&amp;encoding=gbk\""),
        "{page}"
    );
    let bad = app.get("/api/v1/findings.csv?kind=bogus", Some(&app.clerk));
    assert_eq!(bad.status, Status::BadRequest);
    assert_eq!(bad.body["parameter"], "kind", "{}", bad.body);
}

/// A sink that hands on what an export writes and, the first time register rows reach
/// it, runs `meanwhile` once: a write another server process commits while the export
/// is under way.
struct WritingMeanwhile<'a> {
    bytes: Vec<u8>,
    meanwhile: Option<Box<dyn FnOnce() + 'a>>,
}

impl std::io::Write for WritingMeanwhile<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.bytes.extend_from_slice(buf);
        if String::from_utf8_lossy(&self.bytes).contains("FILL-") {
            if let Some(meanwhile) = self.meanwhile.take() {
                meanwhile();
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The register export reads one snapshot: a write committed by another process while
/// it runs (here, after its first rows were written) changes nothing of the file, which
/// is the register as it stood when the export began. Before, the projects without a
/// live asset were read after the assets, so a disposed asset revived meanwhile left its
/// project out of the file altogether (and a disposal meanwhile listed its project
/// twice): its import no longer reproduced the register's totals.
fn the_export_is_one_snapshot_while_others_write(app: &TestApp) {
    use asset_registry::domain::Scope;
    use asset_registry::export::{write_register, ExportEncoding};
    use asset_registry::register::query::AssetFilter;
    let mut csv = String::from("项目编号,项目名称,项目年度,镇街,村,项目资金(元),资产编号,资产名称,资产类别,资产价值(元),所有权人,所有权人类型\n");
    csv.push_str(
        "A-SOLO,村道路灯,2021,桑镇,东村,5000,A-SOLO-1,路灯,公益性,5000,东村村委会,村集体\n",
    );
    for i in 0..1500 {
        csv.push_str(&format!(
            "FILL,到户养殖,2021,桑镇,西村,1500000,FILL-{i:04},湖羊,到户类,1000,户主{i},农户\n"
        ));
    }
    let reply = app.import(csv.as_bytes(), false);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    let disposal = app.append_as_clerk(
        "A-SOLO-1",
        json!({"kind": "disposed", "occurred_on": "2021-06-01", "method": "scrap", "approval_no": "报废(2021)1号"}),
    );
    let export = |out: &mut dyn std::io::Write| {
        let mut conn = app.db.conn().expect("connection");
        write_register(
            &mut conn,
            &Scope::County,
            &AssetFilter::default(),
            ExportEncoding::Utf8Bom,
            out,
        )
        .expect("export")
    };
    let mut before = Vec::new();
    assert_eq!(export(&mut before).rows, 1501);
    let mut during = WritingMeanwhile {
        bytes: Vec::new(),
        meanwhile: Some(Box::new(|| {
            app.append_as_clerk(
                "A-SOLO-1",
                json!({"kind": "correction", "occurred_on": "2021-07-01", "corrects": disposal, "reason": "误报报废"}),
            );
        })),
    };
    let written = export(&mut during);
    assert!(
        during.meanwhile.is_none(),
        "the write ran while the export did"
    );
    assert_eq!(written.rows, 1501);
    assert_eq!(
        String::from_utf8_lossy(&during.bytes),
        String::from_utf8_lossy(&before),
        "the export is the register as it stood when it began"
    );
    // The write did change the register: an export begun now shows the revived asset.
    let mut after = Vec::new();
    assert_eq!(export(&mut after).rows, 1501);
    let after = String::from_utf8_lossy(&after).to_string();
    assert!(
        after.contains("\r\nA-SOLO,村道路灯,2021,桑镇,东村,5000.00,"),
        "{}",
        &after[..600]
    );
    assert!(after.contains(",A-SOLO-1,路灯,"), "{}", &after[..600]);
    let solo_rows = |text: &str| text.lines().filter(|l| l.starts_with("A-SOLO,")).count();
    assert_eq!(solo_rows(&after), 1);
    assert_eq!(solo_rows(&String::from_utf8_lossy(&before)), 1);
}

fn the_sample_register_exports_and_reimports_exactly(app: &TestApp) {
    assert_eq!(
        app.import_sample("xingping_2020.gbk.csv").status,
        Status::Created
    );
    let folder = tempfile::tempdir().expect("temp dir");
    let path = folder.path().join("export.csv");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_asset-registry"))
        .args([
            "--database",
            &app.database.url,
            "export",
            "--encoding",
            "gbk",
            "--output",
            path.to_str().unwrap_or_default(),
        ])
        .output()
        .expect("export");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let fresh = TestApp::new(app.backend, None);
    let imported = fresh.import(&std::fs::read(&path).expect("export file"), false);
    assert_eq!(imported.status, Status::Created, "{}", imported.body);
    assert_eq!(imported.body["encoding"], "gb18030");
    for group_by in ["class", "town", "village", "year"] {
        assert_eq!(fresh.totals(group_by), app.totals(group_by), "{group_by}");
    }
    let _ = sample;
}

fn the_openapi_document_describes_the_api(app: &TestApp) {
    let reply = app.get("/api/v1/openapi.json", None);
    assert_eq!(reply.status, Status::Ok);
    assert_eq!(reply.body["openapi"], "3.1.0");
    let paths = reply.body["paths"].as_object().cloned().unwrap_or_default();
    for path in [
        "/api/v1/imports",
        "/api/v1/assets/{key}/ledger",
        "/api/v1/totals",
        "/api/v1/assets.csv",
        "/api/v1/ledger/verify",
    ] {
        assert!(paths.contains_key(path), "{path}");
    }
    assert_eq!(
        reply.body["paths"]["/api/v1/assets/{key}"]["get"]["responses"]["200"]["content"]
            ["application/json"]["schema"]["$ref"],
        "#/components/schemas/AssetView"
    );
    let ledger = &reply.body["paths"]["/api/v1/assets/{key}/ledger"]["get"];
    assert_eq!(
        ledger["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/EntryViewPage",
        "an asset's ledger is a page like every list"
    );
    let parameters = ledger["parameters"].as_array().cloned().unwrap_or_default();
    let typed = |name: &str| {
        parameters
            .iter()
            .find(|p| p["name"] == name)
            .map(|p| p["schema"]["type"].clone())
    };
    assert_eq!(typed("limit"), Some(json!("integer")));
    assert_eq!(typed("cursor"), Some(json!("string")));
    assert_eq!(
        reply.body["components"]["schemas"]["Yuan"]["type"],
        "string"
    );
}

fn rocket_errors_are_problems_too(app: &TestApp) {
    let missing = app.get("/api/v1/nothing/here", Some(&app.reader));
    assert_eq!(
        (missing.status, missing.content_type.as_deref()),
        (Status::NotFound, Some("application/problem+json"))
    );
    assert_eq!(missing.body["status"], 404);
    let malformed = app.post(
        "/api/v1/tokens",
        Some(&app.admin),
        b"{\"name\": ".to_vec(),
        ContentType::JSON,
    );
    assert_eq!(
        (
            malformed.status.code / 100,
            malformed.content_type.as_deref()
        ),
        (4, Some("application/problem+json"))
    );
    let wrong_method = app.delete("/api/v1/totals", Some(&app.admin));
    assert_eq!(
        (
            wrong_method.status.code / 100,
            wrong_method.content_type.as_deref()
        ),
        (4, Some("application/problem+json"))
    );
}

fn the_web_pages_follow_the_role(app: &TestApp) {
    setup(app);
    let page_as = |token: &str, path: &str| {
        let client = rocket::local::blocking::Client::tracked(asset_registry::server::rocket(
            app.db.clone(),
            rocket::Config::figment().merge(("log_level", "off")),
        ))
        .expect("client");
        let login = client
            .post("/login")
            .header(ContentType::Form)
            .body(format!("token={token}"))
            .dispatch();
        assert_eq!(login.status(), Status::SeeOther);
        let response = client.get(path.to_owned()).dispatch();
        (
            response.status(),
            response.into_string().unwrap_or_default(),
        )
    };
    let (status, reader_page) = page_as(&app.reader, "/assets/COW-1");
    assert_eq!(status, Status::Ok);
    assert!(
        reader_page.contains("110105********002X") && !reader_page.contains("11010519491231002X"),
        "masked for readers"
    );
    assert!(
        !reader_page.contains("记录管护台账")
            && !reader_page.contains("<form method=\"post\" action=\"/assets/"),
        "no write forms for readers"
    );
    let (_, clerk_page) = page_as(&app.clerk, "/assets/COW-1");
    assert!(clerk_page.contains("11010519491231002X") && clerk_page.contains("记录管护台账"));
    assert!(clerk_page.starts_with("<!doctype html><html lang=\"zh-CN\">"));
    let (status, _) = page_as(&app.reader, "/findings");
    assert_eq!(status, Status::Forbidden);
    let (status, _) = page_as(&app.clerk, "/verify");
    assert_eq!(status, Status::Forbidden);
    let (status, verify_page) = page_as(&app.auditor, "/verify");
    assert_eq!(status, Status::Ok);
    assert!(verify_page.contains("校验通过"));
    let anonymous = app.client.get("/assets").dispatch();
    assert_eq!(
        (anonymous.status(), anonymous.headers().get_one("Location")),
        (Status::SeeOther, Some("/login"))
    );
    // A reader posting a form directly is refused and nothing is written.
    let before = app.register_state();
    let client = rocket::local::blocking::Client::tracked(asset_registry::server::rocket(
        app.db.clone(),
        rocket::Config::figment().merge(("log_level", "off")),
    ))
    .expect("client");
    client
        .post("/login")
        .header(ContentType::Form)
        .body(format!("token={}", app.reader))
        .dispatch();
    let post = client
        .post("/assets/COW-1/entries")
        .header(ContentType::Form)
        .body("kind=maintenance&occurred_on=2021-01-01&description=x")
        .dispatch();
    assert_eq!(post.status(), Status::Forbidden);
    assert_eq!(app.register_state(), before);
}

/// The `href` of the pager link labelled `label` on a page, if there is one.
fn pager_link(page: &str, label: &str) -> Option<String> {
    let end = page.find(&format!("\">{label}</a>"))?;
    let start = page[..end].rfind("href=\"")? + "href=\"".len();
    Some(page[start..end].replace("&amp;", "&"))
}

fn the_web_lists_page_by_cursor_and_refuse_bad_queries(app: &TestApp) {
    assert_eq!(
        app.import_sample("xingping_2020.gbk.csv").status,
        Status::Created
    );
    let client = rocket::local::blocking::Client::tracked(asset_registry::server::rocket(
        app.db.clone(),
        rocket::Config::figment().merge(("log_level", "off")),
    ))
    .expect("client");
    let login = client
        .post("/login")
        .header(ContentType::Form)
        .body(format!("token={}", app.auditor))
        .dispatch();
    assert_eq!(login.status(), Status::SeeOther);
    let get = |path: &str| {
        let response = client.get(path.to_owned()).dispatch();
        (
            response.status(),
            response.into_string().unwrap_or_default(),
        )
    };
    for first in [
        "/assets?class=household",
        "/findings?kind=missing_custodian",
    ] {
        let (status, page) = get(first);
        assert_eq!(status, Status::Ok, "{first}");
        assert_eq!(pager_link(&page, "第一页"), None, "{first}");
        let next = pager_link(&page, "下一页").expect("a second page");
        assert!(next.contains("cursor=c1."), "{next}");
        let (status, second) = get(&next);
        assert_eq!(status, Status::Ok, "{next}");
        assert_ne!(second, page, "{next}");
        let back = pager_link(&second, "第一页").expect("a link back");
        assert_eq!(get(&back), (Status::Ok, page), "{back}");
    }
    for (bad, says) in [
        (
            "/assets?class=foo",
            "class 应为 operating、public_welfare 或 household，收到“foo”",
        ),
        ("/assets?cursor=garbage", "cursor 无效"),
        ("/assets?town=a%00b", "town 不能含有控制字符"),
        ("/findings?kind=foo", "kind 应为 project_value_mismatch"),
    ] {
        let (status, page) = get(bad);
        assert_eq!(status, Status::BadRequest, "{bad}");
        assert!(page.contains(says), "{bad}: {page}");
    }
}

fn main() -> std::process::ExitCode {
    let scenarios: Vec<(&'static str, Scenario)> = vec![
        ("projects::with_assets", a_project_comes_with_its_assets),
        (
            "projects::filters",
            projects_filter_by_town_village_year_class_and_name,
        ),
        ("assets::filters", assets_filter_by_every_field),
        ("params::bad_values_are_named", bad_parameters_are_named),
        (
            "pages::stable_under_inserts",
            cursor_pages_see_no_duplicate_and_no_gap_while_rows_are_added,
        ),
        ("imports::listed", imports_are_listed_with_counts_and_errors),
        (
            "export::round_trip",
            export_neutralises_formulas_and_imports_back_to_the_same_totals,
        ),
        (
            "export::id_numbers_kept_whole",
            clerks_export_id_numbers_excel_keeps_and_import_them_back,
        ),
        (
            "export::findings_csv",
            clerks_download_the_findings_in_chinese,
        ),
        (
            "export::one_snapshot_while_others_write",
            the_export_is_one_snapshot_while_others_write,
        ),
        (
            "export::sample_round_trip",
            the_sample_register_exports_and_reimports_exactly,
        ),
        ("openapi::document", the_openapi_document_describes_the_api),
        ("web::pages_follow_the_role", the_web_pages_follow_the_role),
        (
            "web::lists_page_by_cursor",
            the_web_lists_page_by_cursor_and_refuse_bad_queries,
        ),
        ("problems::rocket_errors", rocket_errors_are_problems_too),
    ];
    support::run(scenarios)
}
