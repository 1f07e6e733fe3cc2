//! Issue #19 item 8, the low-severity attacks, each reproduced on SQLite and on
//! PostgreSQL: repeated query parameters, business dates out of range, ledger bodies
//! past and within 1 MiB, sign-in throttling and cross-site posts, disk full.

mod support;

use rocket::http::{ContentType, Status};
use support::{Reply, Scenario, TestApp};

const REGISTER: &str = "项目编号,项目名称,项目年度,镇街,村,项目资金(元),资产编号,资产名称,资产类别,资产价值(元),所有权人,所有权人类型,所有权人证件号,管护主体,确权日期,确权证书编号
P1,光伏电站,2019,桑镇,东村,500000,PV-1,村级光伏电站,经营性,500000,东村股份经济合作社,村集体,,东村村委会,2020-03-05,兴确字(2020)第1号
";

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

fn main() -> std::process::ExitCode {
    let scenarios: Vec<(&'static str, Scenario)> = vec![(
        "query::repeated_parameters",
        repeated_query_parameters_are_refused_by_name,
    )];
    support::run(scenarios)
}
