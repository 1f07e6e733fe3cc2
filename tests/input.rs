//! Attacks of issue #19 items 2, 3 and 4, each on SQLite and on PostgreSQL: amounts and
//! totals that would wrap past 64-bit fen, headers with unbounded columns, and codes
//! that only look alike; addresses holding a NUL; and texts holding a control or bidi
//! control character.

mod support;

mod input {
    pub mod addresses;
    pub mod codes;
    pub mod columns;
    pub mod money;
    pub mod texts;
}

use input::{addresses, codes, columns, money, texts};
use support::{Scenario, TestApp};

/// The import header with amounts in 万元.
pub const HEADER: &str = "项目编号,项目名称,项目年度,镇街,村,项目资金(万元),资金来源,资产编号,资产名称,资产类别,数量,计量单位,资产价值(万元),所有权人,所有权人类型,所有权人证件号,管护主体,确权日期,确权证书编号";

/// A valid asset row; `changes` replace cells by position (0 project code, 5 funds,
/// 7 asset code, 8 asset name, 12 value).
pub fn row(changes: &[(usize, &str)]) -> String {
    let mut cells = vec![
        "P1",
        "王寨村饮水安全工程",
        "2019",
        "东城街道",
        "王寨村",
        "10",
        "",
        "P1-01",
        "水源井",
        "公益性",
        "1",
        "眼",
        "10",
        "王寨村村民委员会",
        "村集体",
        "",
        "王寨村村民委员会",
        "2020-03-05",
        "兴确字(2020)第1号",
    ];
    for (position, value) in changes {
        cells[*position] = value;
    }
    cells.join(",")
}

/// A file of `rows` under [`HEADER`].
pub fn csv(rows: &[String]) -> Vec<u8> {
    let mut text = format!("{HEADER}\n");
    for row in rows {
        text.push_str(row);
        text.push('\n');
    }
    text.into_bytes()
}

/// The first error of a 422 answer: (line, column or field, code).
pub fn first_error(body: &serde_json::Value) -> (Option<u64>, Option<String>, Option<String>) {
    let first = &body["errors"][0];
    let place = first["column"].as_str().or(first["field"].as_str());
    (
        first["line"].as_u64(),
        place.map(str::to_owned),
        first["code"].as_str().map(str::to_owned),
    )
}

fn main() -> std::process::ExitCode {
    let scenarios: Vec<(&'static str, Scenario)> = vec![
        (
            "money::amounts_past_the_bound_are_refused_on_import",
            money::amounts_past_the_bound_are_refused_on_import,
        ),
        (
            "money::an_import_that_would_wrap_the_totals_is_refused",
            money::an_import_that_would_wrap_the_totals_is_refused,
        ),
        (
            "money::entries_past_the_bound_or_wrapping_the_totals_are_refused",
            money::entries_past_the_bound_or_wrapping_the_totals_are_refused,
        ),
        (
            "money::declarations_past_the_bound_are_refused",
            money::declarations_past_the_bound_are_refused,
        ),
        (
            "columns::too_many_columns_are_refused_in_a_small_answer",
            columns::too_many_columns_are_refused_in_a_small_answer,
        ),
        (
            "columns::warnings_are_bounded_and_summarised",
            columns::warnings_are_bounded_and_summarised,
        ),
        (
            "codes::look_alike_codes_in_one_file_are_duplicates",
            codes::look_alike_codes_in_one_file_are_duplicates,
        ),
        (
            "codes::invisible_characters_are_invalid_codes",
            codes::invisible_characters_are_invalid_codes,
        ),
        (
            "codes::look_alikes_of_registered_codes_conflict",
            codes::look_alikes_of_registered_codes_conflict,
        ),
        (
            "codes::every_lookup_by_code_normalises",
            codes::every_lookup_by_code_normalises,
        ),
        (
            "addresses::a_nul_in_an_address_names_nothing_and_writes_nothing",
            addresses::a_nul_in_an_address_names_nothing_and_writes_nothing,
        ),
        (
            "texts::a_control_or_bidi_character_in_a_text_is_refused_and_nothing_is_written",
            texts::a_control_or_bidi_character_in_a_text_is_refused_and_nothing_is_written,
        ),
    ];
    support::run(scenarios)
}

/// A web page as a signed-in clerk sees it: its status and HTML.
pub fn page(app: &TestApp, path: &str) -> (rocket::http::Status, String) {
    use rocket::http::ContentType;
    let client = rocket::local::blocking::Client::tracked(asset_registry::server::rocket(
        app.db.clone(),
        rocket::Config::figment().merge(("log_level", "off")),
    ))
    .expect("client");
    let login = client
        .post("/login")
        .header(ContentType::Form)
        .body(format!("token={}", app.clerk))
        .dispatch();
    assert_eq!(login.status(), rocket::http::Status::SeeOther);
    let response = client.get(path.to_owned()).dispatch();
    (
        response.status(),
        response.into_string().unwrap_or_default(),
    )
}
