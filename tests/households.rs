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
    let client = Client::tracked(asset_registry::server::rocket(
        app.db.clone(),
        rocket::Config::figment().merge(("log_level", "off")),
    ))
    .expect("client");
    let status = client
        .post("/login")
        .header(ContentType::Form)
        .body(format!("token={token}"))
        .dispatch()
        .status();
    assert_eq!(status, Status::SeeOther);
    client
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
    ];
    support::run(scenarios)
}
