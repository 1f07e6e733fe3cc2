//! A register written by an earlier release keeps working: loaded at the schema version
//! that release left, migrated to today's, it still verifies and every asset, history,
//! as-of view and total reads as that release served them.
//!
//! `tests/fixtures/register_v1/` was made by the release at commit c7c9590: `register.sql`
//! holds its rows (every entry kind, corrections, a rejected batch, a declaration) as
//! INSERTs both backends accept, and each `*.json` is what that release answered an
//! admin for the route named by the file.

mod brute;
mod fixture;
mod support;

use asset_registry::db::Backend;
use diesel::prelude::*;
use fixture::holds;
use rocket::http::Status;
use serde_json::Value;
use support::TestApp;

/// The fixture's directory under `tests/fixtures/`.
const FIXTURE: &str = "register_v1";

/// The last migration of the release that wrote the fixture.
const FIXTURE_VERSION: &str = "20261129000007";

fn fixture(name: &str) -> String {
    fixture::fixture(FIXTURE, name)
}

fn app_on_fixture(backend: Backend) -> TestApp {
    fixture::app_on(backend, FIXTURE, FIXTURE_VERSION)
}

fn a_register_of_the_earlier_release_still_verifies_and_reads_the_same(app: &TestApp) {
    let routes = [
        ("ledger/verify", "verify.json"),
        ("assets?limit=1000", "assets.json"),
        (
            "assets?as_of=2022-06-30&limit=1000",
            "assets_as_of_2022-06-30.json",
        ),
        ("totals?group_by=class", "totals_class.json"),
        ("events?limit=1000", "events.json"),
        ("assets/FX-A1", "asset_FX-A1.json"),
        ("assets/FX-A2", "asset_FX-A2.json"),
        ("assets/FX-A3", "asset_FX-A3.json"),
        ("assets/FX-A4", "asset_FX-A4.json"),
        ("assets/FX-A1/ledger", "ledger_FX-A1.json"),
        ("assets/FX-A2/ledger", "ledger_FX-A2.json"),
        ("assets/FX-A3/ledger", "ledger_FX-A3.json"),
        ("assets/FX-A4/ledger", "ledger_FX-A4.json"),
    ];
    for (route, file) in routes {
        let reply = app.get(&format!("/api/v1/{route}"), Some(&app.admin));
        assert_eq!(reply.status, Status::Ok, "{route}: {}", reply.body);
        let expected: Value = serde_json::from_str(&fixture(file)).expect("fixture JSON");
        // The earlier release served an asset's ledger as a bare array; it is now a page
        // `{items, next_cursor}` like every list (issue #13 item 10), holding the same entries.
        let served = if route.ends_with("/ledger") {
            assert_eq!(reply.body["next_cursor"], Value::Null, "{route}: one page");
            &reply.body["items"]
        } else {
            &reply.body
        };
        if let Err(difference) = holds(&expected, served, route) {
            panic!("{route} differs from what the earlier release served: {difference}");
        }
    }
    app.assert_summary_consistent();
}

fn new_entries_chain_onto_the_earlier_release_s_head(app: &TestApp) {
    let before: Value = serde_json::from_str(&fixture("verify.json")).expect("fixture JSON");
    let reply = app.post(
        "/api/v1/assets/FX-A1/ledger",
        Some(&app.clerk),
        br#"{"kind":"inspection","occurred_on":"2024-01-02","result":"normal"}"#.to_vec(),
        rocket::http::ContentType::JSON,
    );
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    assert_eq!(reply.body["prev_hash"], before["head"]);
    let verify = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(verify.body["ok"], Value::Bool(true), "{}", verify.body);
    assert_eq!(verify.body["entries"], 25);
    app.assert_summary_consistent();
}

/// The first encoding hashed personal fields as they are: the brute force recovers
/// them from an auditor's view masked by hand (so the attack works), but not from
/// what a reader is served, before or after new entries chain on.
fn a_reader_recovers_nothing_masked_from_the_earlier_register(app: &TestApp) {
    const CODES: [&str; 4] = ["FX-A1", "FX-A2", "FX-A3", "FX-A4"];
    let control = brute::recover(&brute::masked_by_hand(brute::gather(
        app,
        &app.auditor,
        &CODES,
    )));
    let mut found: Vec<String> = control.into_iter().map(|(_, _, value)| value).collect();
    found.sort();
    assert_eq!(
        found,
        ["13800138000", "610481198801011237", "610481199003154318"],
        "the brute force must work on hashes of plain values"
    );
    assert_eq!(
        brute::recover(&brute::gather(app, &app.reader, &CODES)),
        vec![]
    );
    let reply = app.post(
        "/api/v1/assets/FX-A1/ledger",
        Some(&app.clerk),
        br#"{"kind":"inspection","occurred_on":"2024-01-02","result":"normal"}"#.to_vec(),
        rocket::http::ContentType::JSON,
    );
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    assert_eq!(
        brute::recover(&brute::gather(app, &app.reader, &CODES)),
        vec![]
    );
    let verify = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(verify.body["ok"], Value::Bool(true), "{}", verify.body);
}

/// Opening the earlier register fills the code keys of its rows: its codes are found in
/// any look-alike form, and the chain still verifies.
fn the_earlier_register_s_codes_are_found_by_their_keys(app: &TestApp) {
    for key in ["FX-A1", "fx-a1", "ＦＸ-Ａ１"] {
        let reply = app.get(
            &format!("/api/v1/assets/{}", support::encode(key)),
            Some(&app.reader),
        );
        assert_eq!(reply.status, Status::Ok, "{key}: {}", reply.body);
        assert_eq!(reply.body["code"], "FX-A1");
    }
    let mut conn = app.db.conn().expect("connection");
    use asset_registry::db::schema::{assets, projects};
    let missing: i64 = assets::table
        .filter(assets::code_key.is_null())
        .count()
        .get_result::<i64>(&mut *conn)
        .expect("count")
        + projects::table
            .filter(projects::code_key.is_null())
            .count()
            .get_result::<i64>(&mut *conn)
            .expect("count");
    assert_eq!(missing, 0, "every row has its key");
    let verify = app.get("/api/v1/ledger/verify", Some(&app.auditor));
    assert_eq!(verify.body["ok"], Value::Bool(true), "{}", verify.body);
}

fn main() -> std::process::ExitCode {
    support::run_with(
        vec![
            (
                "compat::earlier_register_verifies_and_reads_the_same",
                a_register_of_the_earlier_release_still_verifies_and_reads_the_same,
            ),
            (
                "compat::new_entries_chain_onto_the_earlier_head",
                new_entries_chain_onto_the_earlier_release_s_head,
            ),
            (
                "compat::codes_are_found_by_their_keys",
                the_earlier_register_s_codes_are_found_by_their_keys,
            ),
            (
                "compat::a_reader_recovers_nothing_masked",
                a_reader_recovers_nothing_masked_from_the_earlier_register,
            ),
        ],
        app_on_fixture,
    )
}
