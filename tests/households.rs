//! Income paid to households by name, on SQLite and PostgreSQL: distribution lines
//! checked to the fen and by ID number with nothing written when wrong, the household
//! view across assets and years with a total per year, scope, masking for readers, the
//! web form's lines and the household page.

mod support;

use asset_registry::auth::{self, Role};
use asset_registry::domain::Scope;
use rocket::http::{ContentType, Status};
use rocket::local::blocking::Client;
use serde_json::{json, Value};
use support::{Scenario, TestApp};

const REGISTER: &str = "项目编号,项目名称,项目年度,镇街,村,项目资金(元),资产编号,资产名称,资产类别,资产价值(元),所有权人,所有权人类型,所有权人证件号,管护主体,确权日期,确权证书编号
P1,光伏电站,2019,桑镇,东村,500000,PV-1,村级光伏电站,经营性,500000,东村股份经济合作社,村集体,,东村村委会,2020-03-05,兴确字(2020)第1号
P2,茶厂,2019,柳镇,北村,300000,TEA-1,茶叶加工厂,经营性,300000,北村股份经济合作社,村集体,,北村村委会,2020-03-05,兴确字(2020)第2号
";

/// A resident ID number with its GB 11643 check character, from 17 digits.
fn resident_id(body: &str) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize];
    format!("{body}{}", char::from(check))
}

/// 张三, paid by both assets; 李四, by the solar plant only.
fn zhang() -> String {
    resident_id("61048119800101123")
}
fn li() -> String {
    resident_id("61048119850505432")
}

fn fen(amount: &str) -> i64 {
    let (yuan, cents) = amount.split_once('.').unwrap_or((amount, "00"));
    yuan.parse::<i64>().expect("yuan") * 100 + cents.parse::<i64>().expect("fen")
}

fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
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

fn token(app: &TestApp, role: Role, scope: &str) -> String {
    let mut conn = app.db.conn().expect("connection");
    let scope = Scope::parse(scope).expect("scope");
    auth::create_token(&mut conn, &format!("{role}@{scope}"), role, &scope)
        .expect("token")
        .secret
}

fn post_entry(app: &TestApp, asset: &str, body: &Value) -> support::Reply {
    app.post(
        &format!("/api/v1/assets/{asset}/ledger"),
        Some(&app.clerk),
        body.to_string().into_bytes(),
        ContentType::JSON,
    )
}

fn append(app: &TestApp, asset: &str, body: Value) -> Value {
    let reply = post_entry(app, asset, &body);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    reply.body
}

/// A distribution of `lines` (`(name, id, amount, paid_on)`), its amount their sum.
fn distribution(
    occurred_on: &str,
    period: &str,
    lines: &[(&str, Option<&str>, &str, Option<&str>)],
) -> Value {
    let total: i64 = lines.iter().map(|l| fen(l.2)).sum();
    let lines: Vec<Value> = lines
        .iter()
        .map(|(name, id, amount, paid_on)| {
            let mut line = json!({"name": name, "amount": amount});
            if let Some(id) = id {
                line["id_number"] = json!(id);
            }
            if let Some(paid_on) = paid_on {
                line["paid_on"] = json!(paid_on);
            }
            line
        })
        .collect();
    json!({"kind": "income_distributed", "occurred_on": occurred_on, "amount": yuan(total),
           "period": period, "recipients": lines.len(), "lines": lines})
}

/// The register with income on both assets and three distributions naming 张三 (one
/// later corrected), in 2021 and 2022; the distributions as sent.
fn setup(app: &TestApp) -> Vec<(&'static str, Value)> {
    let reply = app.import(REGISTER.as_bytes(), false);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    for asset in ["PV-1", "TEA-1"] {
        append(
            app,
            asset,
            json!({"kind": "income", "occurred_on": "2021-12-01", "amount": "50000.00", "period": "2021"}),
        );
    }
    let (zhang, li) = (zhang(), li());
    let sent = vec![
        (
            "PV-1",
            distribution(
                "2021-12-20",
                "2021",
                &[
                    ("张三", Some(&zhang), "1200.50", None),
                    ("李四", Some(&li), "800.00", None),
                    ("王五", None, "999.99", None),
                ],
            ),
        ),
        (
            "TEA-1",
            distribution(
                "2021-12-28",
                "2021",
                &[("张三", Some(&zhang), "300.25", Some("2022-01-05"))],
            ),
        ),
        (
            "PV-1",
            distribution(
                "2022-06-30",
                "2022年上半年",
                &[("张三", Some(&zhang), "650.00", None)],
            ),
        ),
    ];
    for (asset, body) in &sent {
        append(app, asset, body.clone());
    }
    sent
}

/// What the data says 张三 received, per year of payment, skipping `cancelled`.
fn expected_years(sent: &[(&str, Value)], id: &str, assets: &[&str]) -> Vec<(i64, i64, usize)> {
    let mut years: std::collections::BTreeMap<i64, (i64, usize)> = Default::default();
    for (asset, body) in sent {
        if !assets.contains(asset) {
            continue;
        }
        for line in body["lines"].as_array().into_iter().flatten() {
            if line["id_number"] != id {
                continue;
            }
            let day = line["paid_on"]
                .as_str()
                .or(body["occurred_on"].as_str())
                .unwrap_or_default();
            let year: i64 = day[..4].parse().expect("year");
            let slot = years.entry(year).or_default();
            slot.0 += fen(line["amount"].as_str().unwrap_or_default());
            slot.1 += 1;
        }
    }
    years.into_iter().map(|(y, (f, n))| (y, f, n)).collect()
}

fn years_of(reply: &Value) -> Vec<(i64, i64, usize)> {
    reply["years"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|y| {
            (
                y["year"].as_i64().unwrap_or_default(),
                fen(y["total"].as_str().unwrap_or_default()),
                y["lines"].as_u64().unwrap_or_default() as usize,
            )
        })
        .collect()
}

fn a_household_sees_every_line_across_assets_and_years(app: &TestApp) {
    let sent = setup(app);
    let zhang = zhang();
    let approver = token(app, Role::Approver, "county");
    let expected = expected_years(&sent, &zhang, &["PV-1", "TEA-1"]);
    assert_eq!(expected.len(), 2, "payments in 2021 and 2022");
    for secret in [&app.clerk, &app.auditor, &approver] {
        let reply = app.get(&format!("/api/v1/households/{zhang}"), Some(secret));
        assert_eq!(reply.status, Status::Ok, "{}", reply.body);
        assert_eq!(reply.body["id_number"], zhang.as_str());
        assert_eq!(reply.body["names"], json!(["张三"]));
        assert_eq!(years_of(&reply.body), expected);
        let total: i64 = expected.iter().map(|y| y.1).sum();
        assert_eq!(reply.body["total"], yuan(total));
        let lines = reply.body["lines"].as_array().expect("lines");
        let assets: Vec<&str> = lines
            .iter()
            .filter_map(|l| l["asset_code"].as_str())
            .collect();
        assert_eq!(assets, ["PV-1", "TEA-1", "PV-1"]);
        assert_eq!(lines[1]["paid_on"], "2022-01-05");
        assert_eq!(lines[1]["asset_name"], "茶叶加工厂");
        assert_eq!(lines[1]["town"], "柳镇");
    }
    // The lowercase check character names the same person.
    let lower = app.get(
        &format!("/api/v1/households/{}", zhang.to_lowercase()),
        Some(&app.clerk),
    );
    assert_eq!(lower.status, Status::Ok, "{}", lower.body);
    // A corrected distribution pays nobody.
    let ledger = app.get("/api/v1/assets/PV-1/ledger", Some(&app.clerk));
    let last = ledger.body["items"]
        .as_array()
        .and_then(|items| items.last())
        .and_then(|e| e["seq"].as_i64())
        .expect("seq");
    append(
        app,
        "PV-1",
        json!({"kind": "correction", "occurred_on": "2022-07-01", "corrects": last, "reason": "重复发放"}),
    );
    let after = app.get(&format!("/api/v1/households/{zhang}"), Some(&app.clerk));
    let remaining: Vec<(&str, Value)> = sent[..2].to_vec();
    assert_eq!(
        years_of(&after.body),
        expected_years(&remaining, &zhang, &["PV-1", "TEA-1"])
    );
    // Readers see no households; unknown and malformed ID numbers are told apart.
    let reader = app.get(&format!("/api/v1/households/{zhang}"), Some(&app.reader));
    assert_eq!(reader.status, Status::Forbidden, "{}", reader.body);
    let nobody = app.get(
        &format!("/api/v1/households/{}", resident_id("11010519900101001")),
        Some(&app.clerk),
    );
    assert_eq!(nobody.status, Status::NotFound, "{}", nobody.body);
    let bad = app.get("/api/v1/households/110105194912310021", Some(&app.clerk));
    assert_eq!(bad.status, Status::NotFound, "{}", bad.body);
    assert!(
        bad.body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("校验位"),
        "{}",
        bad.body
    );
    // The lines are in the hashed history: the chain verifies, and the document lists the route.
    let verified = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(verified.body["ok"], true, "{}", verified.body);
    let document = app.get("/api/v1/openapi.json", None);
    assert!(document.body["paths"]["/api/v1/households/{id_number}"]["get"].is_object());
}

fn wrong_lines_are_refused_by_line_and_write_nothing(app: &TestApp) {
    setup(app);
    let before = app.register_state();
    let zhang = zhang();
    // Lines that do not add up name the difference.
    let mut short = distribution(
        "2022-08-01",
        "2022",
        &[
            ("张三", Some(&zhang), "100.00", None),
            ("李四", None, "50.00", None),
        ],
    );
    short["amount"] = json!("150.01");
    let reply = post_entry(app, "PV-1", &short);
    assert_eq!(reply.status, Status::UnprocessableEntity, "{}", reply.body);
    assert_eq!(
        reply.body["errors"],
        json!([{"field": "lines", "code": "distribution_lines_mismatch",
                "message": "分户明细合计 150.00 元，分配金额 150.01 元，明细少 0.01 元"}])
    );
    // A bad ID number is named by its line.
    let bad_id = distribution(
        "2022-08-01",
        "2022",
        &[
            ("张三", Some(&zhang), "100.00", None),
            ("李四", Some("610481198505054321"), "50.00", None),
        ],
    );
    let reply = post_entry(app, "PV-1", &bad_id);
    assert_eq!(reply.status, Status::UnprocessableEntity, "{}", reply.body);
    assert_eq!(
        reply.body["errors"][0]["field"], "lines[1].id_number",
        "{}",
        reply.body
    );
    assert_eq!(reply.body["errors"][0]["code"], "invalid_id_number");
    let message = reply.body["errors"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.starts_with("分户明细第 2 行：身份证号“610481198505054321”无效"),
        "{message}"
    );
    // A line without a name or amount, a negative amount, an empty list, a line that is no object.
    for (lines, field, code) in [
        (json!([{"amount": "150.00"}]), "lines[0].name", "required"),
        (
            json!([{"name": "张三", "amount": "-150.00"}]),
            "lines[0].amount",
            "negative_amount",
        ),
        (json!([]), "lines", "invalid_type"),
        (json!(["张三"]), "lines[0]", "invalid_type"),
        (
            json!([{"name": "张三", "amount": "150.00", "phone": "1"}]),
            "lines[0].phone",
            "unknown_field",
        ),
    ] {
        let body = json!({"kind": "income_distributed", "occurred_on": "2022-08-01", "amount": "150.00",
                          "period": "2022", "recipients": 1, "lines": lines});
        let reply = post_entry(app, "PV-1", &body);
        assert_eq!(
            reply.status,
            Status::UnprocessableEntity,
            "{lines}: {}",
            reply.body
        );
        assert_eq!(reply.body["errors"][0]["field"], field, "{}", reply.body);
        assert_eq!(reply.body["errors"][0]["code"], code, "{}", reply.body);
    }
    assert_eq!(app.register_state(), before, "nothing was written");
}

fn a_scope_sees_only_its_own_lines(app: &TestApp) {
    let sent = setup(app);
    let zhang = zhang();
    for (scope, assets) in [
        ("town:桑镇", vec!["PV-1"]),
        ("village:柳镇/北村", vec!["TEA-1"]),
    ] {
        for role in [Role::Clerk, Role::Auditor, Role::Approver] {
            let secret = token(app, role, scope);
            let reply = app.get(&format!("/api/v1/households/{zhang}"), Some(&secret));
            assert_eq!(reply.status, Status::Ok, "{scope}: {}", reply.body);
            assert_eq!(
                years_of(&reply.body),
                expected_years(&sent, &zhang, &assets),
                "{scope}"
            );
            let shown: Vec<&str> = reply.body["lines"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|l| l["asset_code"].as_str())
                .collect();
            assert!(
                shown.iter().all(|code| assets.contains(code)),
                "{scope}: {shown:?}"
            );
        }
    }
    // 李四 was paid only in 桑镇: to 柳镇 he is unknown.
    let secret = token(app, Role::Auditor, "town:柳镇");
    let reply = app.get(&format!("/api/v1/households/{}", li()), Some(&secret));
    assert_eq!(reply.status, Status::NotFound, "{}", reply.body);
    assert!(!reply.body.to_string().contains("PV-1"));
}

fn readers_see_household_id_numbers_masked(app: &TestApp) {
    setup(app);
    let (zhang, li) = (zhang(), li());
    let masked = |id: &str| format!("{}********{}", &id[..6], &id[14..]);
    let events = app.get("/api/v1/events?limit=1000", Some(&app.reader));
    let text = events.body.to_string();
    assert!(!text.contains(&zhang) && !text.contains(&li), "{text}");
    let distributed: Vec<&Value> = events.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["kind"] == "income_distributed")
        .collect();
    assert_eq!(
        distributed[0]["data"]["lines"][0]["id_number"],
        masked(&zhang)
    );
    assert_eq!(distributed[0]["data"]["lines"][1]["id_number"], masked(&li));
    assert_eq!(distributed[0]["data"]["lines"][0]["amount"], "1200.50");
    let ledger = app.get("/api/v1/assets/TEA-1/ledger", Some(&app.reader));
    assert!(!ledger.body.to_string().contains(&zhang));
    // The clerk sees them whole.
    let whole = app.get("/api/v1/assets/TEA-1/ledger", Some(&app.clerk));
    assert!(whole.body.to_string().contains(&zhang));
}

/// A browser signed in with `token`.
fn browser(app: &TestApp, token: &str) -> Client {
    app.signed_in(token)
}

fn form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{k}={}", support::encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn the_web_form_takes_lines_and_the_household_page_shows_them(app: &TestApp) {
    let sent = setup(app);
    let zhang = zhang();
    let clerk = browser(app, &app.clerk);
    // A wrong line comes back with its number, and nothing is written.
    let before = app.register_state();
    let bad = format!("张三,{zhang},100.00\n李四,610481198505054321,50.00\n王五,,abc");
    let reply = clerk
        .post("/assets/PV-1/entries")
        .header(ContentType::Form)
        .body(form(&[
            ("kind", "income_distributed"),
            ("occurred_on", "2022-09-01"),
            ("amount", "150.00"),
            ("period", "2022"),
            ("recipients", "3"),
            ("lines", &bad),
        ]))
        .dispatch();
    assert_eq!(reply.status(), Status::UnprocessableEntity);
    let page = reply.into_string().unwrap_or_default();
    assert!(
        page.contains("分户明细第 2 行：身份证号“610481198505054321”无效"),
        "{page}"
    );
    assert!(
        page.contains("分户明细第 3 行：金额 lines[2].amount“abc”"),
        "{page}"
    );
    assert!(page.contains("<textarea name=\"lines\""), "{page}");
    assert_eq!(app.register_state(), before, "nothing was written");
    // Lines that do not add up say by how much.
    let reply = clerk
        .post("/assets/PV-1/entries")
        .header(ContentType::Form)
        .body(form(&[
            ("kind", "income_distributed"),
            ("occurred_on", "2022-09-01"),
            ("amount", "150.00"),
            ("period", "2022"),
            ("recipients", "1"),
            ("lines", &format!("张三，{zhang}，149.00")),
        ]))
        .dispatch();
    assert_eq!(reply.status(), Status::UnprocessableEntity);
    assert!(reply
        .into_string()
        .unwrap_or_default()
        .contains("明细少 1.00 元"));
    assert_eq!(app.register_state(), before, "nothing was written");
    // Good lines are recorded.
    let good = format!("张三,{zhang},100.00,2022-09-02\n\n王五,,50.00");
    let reply = clerk
        .post("/assets/PV-1/entries")
        .header(ContentType::Form)
        .body(form(&[
            ("kind", "income_distributed"),
            ("occurred_on", "2022-09-01"),
            ("amount", "150.00"),
            ("period", "2022"),
            ("recipients", "2"),
            ("lines", &good),
        ]))
        .dispatch();
    assert_eq!(reply.status(), Status::SeeOther);
    let mut all = sent.clone();
    all.push((
        "PV-1",
        distribution(
            "2022-09-01",
            "2022",
            &[
                ("张三", Some(&zhang), "100.00", Some("2022-09-02")),
                ("王五", None, "50.00", None),
            ],
        ),
    ));
    let expected = expected_years(&all, &zhang, &["PV-1", "TEA-1"]);
    let api = app.get(&format!("/api/v1/households/{zhang}"), Some(&app.clerk));
    assert_eq!(years_of(&api.body), expected);
    // The household page: money grouped, a line per payment, the search box.
    let auditor = browser(app, &app.auditor);
    let found = auditor
        .get(format!("/households?id_number={}", zhang.to_lowercase()))
        .dispatch();
    assert_eq!(found.status(), Status::SeeOther);
    let reply = auditor.get(format!("/households/{zhang}")).dispatch();
    assert_eq!(reply.status(), Status::Ok);
    let page = reply.into_string().unwrap_or_default();
    let total: i64 = expected.iter().map(|y| y.1).sum();
    assert!(
        page.contains(&format!(
            "合计 <strong>{}</strong> 元，共 4 笔",
            grouped(total)
        )),
        "{page}"
    );
    for (year, fen, lines) in &expected {
        assert!(
            page.contains(&format!(
                "<td>{year}年</td><td class=\"n\">{lines}</td><td class=\"n\">{}</td>",
                grouped(*fen)
            )),
            "{year}: {page}"
        );
    }
    assert!(page.contains("<td class=\"n\">1,200.50</td>"), "{page}");
    assert!(page.contains("name=\"id_number\""));
    assert!(
        page.contains("href=\"/households\""),
        "the menu links the page"
    );
    // Readers are refused the page; an unknown person is a 404 with the search box.
    let reader = browser(app, &app.reader);
    assert_eq!(
        reader
            .get(format!("/households/{zhang}"))
            .dispatch()
            .status(),
        Status::Forbidden
    );
    let missing = auditor
        .get(format!("/households/{}", resident_id("11010519900101001")))
        .dispatch();
    assert_eq!(missing.status(), Status::NotFound);
    let bad = auditor
        .get("/households?id_number=610481198505054321")
        .dispatch();
    let page = bad.into_string().unwrap_or_default();
    assert!(page.contains("身份证号“610481198505054321”无效"), "{page}");
}

const CONTRACT_REGISTER: &str = "项目编号,项目名称,项目年度,镇街,村,项目资金(元),资产编号,资产名称,资产类别,资产价值(元),所有权人,所有权人类型,所有权人证件号,管护主体,确权日期,确权证书编号
P1,光伏电站,2019,桑镇,东村,500000,PV-1,村级光伏电站,经营性,500000,东村股份经济合作社,村集体,,东村村委会,2018-03-05,兴确字(2018)第1号
P2,茶厂,2019,柳镇,北村,300000,TEA-1,茶叶加工厂,经营性,300000,北村股份经济合作社,村集体,,北村村委会,2018-03-05,兴确字(2018)第2号
P3,温室大棚,2019,柳镇,南村,200000,GH-1,温室大棚,经营性,200000,南村股份经济合作社,村集体,,南村村委会,2018-03-05,兴确字(2018)第3号
";

fn today() -> chrono::NaiveDate {
    asset_registry::domain::dates::today_in_china()
}

fn day(date: chrono::NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

fn months(date: chrono::NaiveDate, n: i32) -> chrono::NaiveDate {
    if n >= 0 {
        date.checked_add_months(chrono::Months::new(n.unsigned_abs()))
    } else {
        date.checked_sub_months(chrono::Months::new(n.unsigned_abs()))
    }
    .expect("a date")
}

fn days(date: chrono::NaiveDate, n: i64) -> chrono::NaiveDate {
    date + chrono::Duration::days(n)
}

/// What the data of the contract scenario is: PV-1 leased for two years and two
/// months from 26 months ago, ending in 60 days, its first year short; TEA-1 let for two
/// full years that ended ten days ago, paid in full, no new contract; GH-1's contract
/// ended early.
struct ContractData {
    annual: i64,
    first_year_paid: i64,
    pv_start: chrono::NaiveDate,
    pv_end: chrono::NaiveDate,
}

fn contract_setup(app: &TestApp) -> ContractData {
    let reply = app.import(CONTRACT_REGISTER.as_bytes(), false);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    let data = ContractData {
        annual: fen("36000.00"),
        first_year_paid: fen("34765.44"),
        pv_start: months(today(), -24),
        pv_end: days(today(), 60),
    };
    append(
        app,
        "PV-1",
        json!({"kind": "contract_signed", "occurred_on": day(data.pv_start), "mode": "lease", "counterparty": "县光伏运维公司",
               "starts_on": day(data.pv_start), "ends_on": day(data.pv_end), "annual_amount": yuan(data.annual), "document_no": "ZL-1"}),
    );
    for (on, amount) in [
        (days(data.pv_start, 100), data.first_year_paid),
        (days(months(data.pv_start, 12), 5), data.annual),
    ] {
        append(
            app,
            "PV-1",
            json!({"kind": "income", "occurred_on": day(on), "amount": yuan(amount), "period": "租金"}),
        );
    }
    let tea_start = days(months(today(), -24), -10);
    append(
        app,
        "TEA-1",
        json!({"kind": "contract_signed", "occurred_on": day(tea_start), "mode": "contract", "counterparty": "县茶业公司",
               "starts_on": day(tea_start), "ends_on": day(days(months(tea_start, 24), -1)), "annual_amount": "20000.00"}),
    );
    for year in 0..2 {
        append(
            app,
            "TEA-1",
            json!({"kind": "income", "occurred_on": day(days(months(tea_start, 12 * year), 30)), "amount": "20000.00", "period": "承包费"}),
        );
    }
    let gh_start = months(today(), -6);
    append(
        app,
        "GH-1",
        json!({"kind": "contract_signed", "occurred_on": day(gh_start), "mode": "trust", "counterparty": "合作社",
               "starts_on": day(gh_start), "ends_on": day(months(gh_start, 60)), "annual_amount": "1000.00"}),
    );
    append(
        app,
        "GH-1",
        json!({"kind": "contract_ended", "occurred_on": day(days(today(), -20)), "reason": "托管方退出"}),
    );
    data
}

fn findings_of(app: &TestApp, token: &str, kind: &str) -> Vec<(String, String)> {
    let reply = app.get(&format!("/api/v1/findings?kind={kind}"), Some(token));
    assert_eq!(reply.status, Status::Ok, "{}", reply.body);
    reply.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            assert_eq!(f["kind"], kind);
            (
                f["asset_code"].as_str().unwrap_or_default().to_owned(),
                f["detail"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn contracts_raise_their_findings_and_show_on_the_asset_page(app: &TestApp) {
    let data = contract_setup(app);
    let short = data.annual - data.first_year_paid;
    let first_last = days(months(data.pv_start, 12), -1);
    // GH-1's trust ended early: its shortened year owes its share by days, and got nothing.
    let gh_start = months(today(), -6);
    let gh_last = days(today(), -21);
    let owed_days = (gh_last - gh_start).num_days() + 1;
    let year_days = (days(months(gh_start, 12), -1) - gh_start).num_days() + 1;
    let gh_owed = fen("1000.00") * owed_days / year_days;
    assert_eq!(
        findings_of(app, &app.auditor, "income_below_contract"),
        [
            (
                "GH-1".to_owned(),
                format!(
                    "托管合同第 1 年（{} 至 {}）应收 {} 元，实收 0.00 元，短收 {} 元",
                    day(gh_start),
                    day(gh_last),
                    grouped(gh_owed),
                    grouped(gh_owed)
                )
            ),
            (
                "PV-1".to_owned(),
                format!(
                    "租赁合同第 1 年（{} 至 {}）应收 {} 元，实收 {} 元，短收 {} 元",
                    day(data.pv_start),
                    day(first_last),
                    grouped(data.annual),
                    grouped(data.first_year_paid),
                    grouped(short)
                )
            )
        ]
    );
    assert_eq!(
        findings_of(app, &app.clerk, "contract_expiring"),
        [(
            "PV-1".to_owned(),
            format!(
                "与县光伏运维公司的租赁合同 {} 到期，还有 60 天，尚无续签合同",
                day(data.pv_end)
            )
        )]
    );
    let expired = findings_of(app, &app.auditor, "contract_expired");
    let codes: Vec<&str> = expired.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(codes, ["GH-1", "TEA-1"]);
    assert_eq!(
        expired[0].1,
        format!(
            "与合作社的托管合同已于 {} 终止（托管方退出），此后没有新合同，资产仍为经营性资产",
            day(days(today(), -20))
        )
    );
    // Scope: 柳镇 sees its own contract findings only.
    let town = token(app, Role::Auditor, "town:柳镇");
    let town_below: Vec<String> = findings_of(app, &town, "income_below_contract")
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert_eq!(town_below, ["GH-1"]);
    let town_expired: Vec<String> = findings_of(app, &town, "contract_expired")
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert_eq!(town_expired, ["GH-1", "TEA-1"]);
    assert!(findings_of(app, &town, "contract_expiring").is_empty());
    // The CSV and the page show the Chinese labels.
    let csv = app
        .client
        .get("/api/v1/findings.csv?encoding=utf-8")
        .header(rocket::http::Header::new(
            "Authorization",
            format!("Bearer {}", app.auditor),
        ))
        .dispatch()
        .into_string()
        .unwrap_or_default();
    for label in [
        "收益低于合同约定",
        "经营合同即将到期",
        "经营合同已到期未续签",
    ] {
        assert!(csv.contains(label), "{label}: {csv}");
    }
    assert!(!csv.contains("income_below_contract,"), "{csv}");
    let auditor = browser(app, &app.auditor);
    let page = auditor
        .get("/findings?kind=income_below_contract")
        .dispatch()
        .into_string()
        .unwrap_or_default();
    assert!(page.contains("收益低于合同约定"), "{page}");
    assert!(
        page.contains(&format!("短收 {} 元", grouped(short))),
        "{page}"
    );
    // The asset page: the current contract, its years with owed and received income.
    let page = auditor
        .get("/assets/PV-1")
        .dispatch()
        .into_string()
        .unwrap_or_default();
    assert!(page.contains("<h2>经营合同</h2>"), "{page}");
    assert!(
        page.contains(&format!(
            "<strong>当前合同：</strong>租赁给 县光伏运维公司，{} 至 {}，每年 {} 元，合同编号 ZL-1",
            day(data.pv_start),
            day(data.pv_end),
            grouped(data.annual)
        )),
        "{page}"
    );
    assert!(
        page.contains(&format!(
            "<td>第 1 年</td><td>{} 至 {}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">-{}</td>",
            day(data.pv_start),
            day(first_last),
            grouped(data.annual),
            grouped(data.first_year_paid),
            grouped(short)
        )),
        "{page}"
    );
    let tea = auditor
        .get("/assets/TEA-1")
        .dispatch()
        .into_string()
        .unwrap_or_default();
    assert!(tea.contains("今天没有生效的经营合同。"), "{tea}");
    assert!(tea.contains("承包给 县茶业公司"), "{tea}");
    // The timeline names the kinds in Chinese.
    assert!(page.contains("<strong>签订经营合同</strong>"), "{page}");
    // A renewal from the day after the lease ends clears contract_expiring.
    append(
        app,
        "PV-1",
        json!({"kind": "contract_signed", "occurred_on": day(today()), "mode": "lease", "counterparty": "县光伏运维公司",
               "starts_on": day(days(data.pv_end, 1)), "ends_on": day(months(data.pv_end, 36)), "annual_amount": yuan(data.annual)}),
    );
    assert!(findings_of(app, &app.auditor, "contract_expiring").is_empty());
    let verified = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(verified.body["ok"], true, "{}", verified.body);
}

fn wrong_contracts_are_refused_and_write_nothing(app: &TestApp) {
    let reply = app.import(CONTRACT_REGISTER.as_bytes(), false);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    let before = app.register_state();
    let signed = |change: Value| {
        let mut body = json!({"kind": "contract_signed", "occurred_on": "2022-01-01", "mode": "lease", "counterparty": "甲",
                              "starts_on": "2022-01-01", "ends_on": "2026-12-31", "annual_amount": "1000.00"});
        for (key, value) in change.as_object().into_iter().flatten() {
            body[key] = value.clone();
        }
        body
    };
    for (body, field, code, message) in [
        (
            signed(json!({"mode": "sale"})),
            "mode",
            "invalid_value",
            "字段 mode 只能是 contract、lease、equity、trust，收到“sale”",
        ),
        (
            signed(json!({"ends_on": "2021-12-31"})),
            "ends_on",
            "invalid_period",
            "合同到期日 2021-12-31 应晚于起始日 2022-01-01",
        ),
        (
            signed(json!({"ends_on": "2100-01-01"})),
            "ends_on",
            "invalid_date",
            "日期 ends_on“2100-01-01”应在 1949-10-01 至 2099-12-31 之间",
        ),
        (
            signed(json!({"counterparty": " "})),
            "counterparty",
            "required",
            "字段 counterparty 不能为空",
        ),
        (
            signed(json!({"annual_amount": "-1.00"})),
            "annual_amount",
            "negative_amount",
            "",
        ),
        (
            json!({"kind": "contract_ended", "occurred_on": "2022-01-01", "reason": "到期"}),
            "occurred_on",
            "no_contract",
            "资产 PV-1 在 2022-01-01 没有生效的经营合同可以终止",
        ),
    ] {
        let reply = post_entry(app, "PV-1", &body);
        assert_eq!(
            reply.status,
            Status::UnprocessableEntity,
            "{body}: {}",
            reply.body
        );
        assert_eq!(reply.body["errors"][0]["field"], field, "{}", reply.body);
        assert_eq!(reply.body["errors"][0]["code"], code, "{}", reply.body);
        if !message.is_empty() {
            assert_eq!(
                reply.body["errors"][0]["message"], message,
                "{}",
                reply.body
            );
        }
    }
    assert_eq!(app.register_state(), before, "nothing was written");
    // Ended after its own end, a contract has nothing left to end.
    append(app, "PV-1", signed(json!({"ends_on": "2022-12-31"})));
    let after = app.register_state();
    let late = post_entry(
        app,
        "PV-1",
        &json!({"kind": "contract_ended", "occurred_on": "2023-02-01", "reason": "x"}),
    );
    assert_eq!(
        late.body["errors"][0]["code"], "no_contract",
        "{}",
        late.body
    );
    assert_eq!(app.register_state(), after, "nothing was written");
}

fn main() -> std::process::ExitCode {
    let scenarios: Vec<(&'static str, Scenario)> = vec![
        (
            "lines::a_household_sees_every_line_across_assets_and_years",
            a_household_sees_every_line_across_assets_and_years,
        ),
        (
            "lines::wrong_lines_are_refused_by_line_and_write_nothing",
            wrong_lines_are_refused_by_line_and_write_nothing,
        ),
        (
            "lines::a_scope_sees_only_its_own_lines",
            a_scope_sees_only_its_own_lines,
        ),
        (
            "lines::readers_see_household_id_numbers_masked",
            readers_see_household_id_numbers_masked,
        ),
        (
            "lines::the_web_form_takes_lines_and_the_household_page_shows_them",
            the_web_form_takes_lines_and_the_household_page_shows_them,
        ),
        (
            "contracts::contracts_raise_their_findings_and_show_on_the_asset_page",
            contracts_raise_their_findings_and_show_on_the_asset_page,
        ),
        (
            "contracts::wrong_contracts_are_refused_and_write_nothing",
            wrong_contracts_are_refused_and_write_nothing,
        ),
    ];
    support::run(scenarios)
}
