//! A register written before the registered fields were held once (its `registered`
//! entries carry the asset's fields) migrates, still verifies and reads as that release
//! served it; the imports after the migration write entries that carry the digest of
//! the fields the register holds, which read the same and verify; and an edited held
//! field is caught and named, by the API, the command line and the web page.
//!
//! `tests/fixtures/register_v2/` was made by the release at commit 97bb405 (`make.sh`
//! remakes it): its `import.csv` imported (the fuller 台账 columns, a hand-over
//! recorded from 移交日期), then entries of several kinds appended through the API, a
//! value adjustment among them corrected. `register.sql` holds the rows as INSERTs both
//! backends accept, and each `*.json` is what that release answered an admin for the
//! route named by the file.

mod fixture;
mod support;

use asset_registry::db::Backend;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use fixture::holds;
use rocket::http::{ContentType, Status};
use serde_json::{json, Value};
use support::TestApp;

/// The fixture's directory under `tests/fixtures/`.
const FIXTURE: &str = "register_v2";

/// The last migration of the release that wrote the fixture.
const FIXTURE_VERSION: &str = "20261208400000";

/// A register imported after the migration: an asset with the fuller 台账 columns and a
/// hand-over to a receiver other than its custodian, and a household's asset.
const NEW_REGISTER: &str = "项目编号,项目名称,项目年度,镇街,村,项目资金(元),资产编号,资产名称,资产类别,数量,计量单位,资产价值(元),所有权人,所有权人类型,所有权人证件号,管护主体,确权日期,确权证书编号,资产形态,管护责任人,联系电话,移交日期,接收单位,经营方式,资产状态,坐落位置,备注
N-P1,屋顶光伏,2023,店张街道,王寨村,400000,N-A1,屋顶光伏板,经营性,2,座,400000,王寨村村民委员会,村集体,,王寨村光伏合作社,2023-05-01,QZ-N1,固定资产,王五,13912345678,2023-06-01,王寨村村民委员会,租赁,正常,王寨村西组,二期
N-P2,到户养羊,2023,马嵬街道,李村,6000,N-A2,湖羊,到户类,10,只,6000,赵六,农户,610481198801011237,赵六,2023-04-01,,,,,,,,,,
";

fn fixture(name: &str) -> String {
    fixture::fixture(FIXTURE, name)
}

fn app_on_fixture(backend: Backend) -> TestApp {
    fixture::app_on(backend, FIXTURE, FIXTURE_VERSION)
}

fn verify(app: &TestApp, query: &str) -> Value {
    let reply = app.get(&format!("/api/v1/ledger/verify{query}"), Some(&app.auditor));
    assert_eq!(reply.status, Status::Ok, "{}", reply.body);
    reply.body
}

fn append(app: &TestApp, asset: &str, body: Value) -> Value {
    let reply = app.post(
        &format!("/api/v1/assets/{asset}/ledger"),
        Some(&app.clerk),
        body.to_string().into_bytes(),
        ContentType::JSON,
    );
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
    reply.body
}

fn history(app: &TestApp, code: &str) -> Value {
    let reply = app.get(
        &format!("/api/v1/assets/{code}/ledger?limit=1000"),
        Some(&app.admin),
    );
    assert_eq!(reply.status, Status::Ok, "{}", reply.body);
    reply.body["items"].clone()
}

/// The stored data of every `registered` entry, in `seq` order.
fn stored_registered(app: &TestApp) -> Vec<(String, String)> {
    use asset_registry::db::schema::ledger_entries;
    let mut conn = app.db.conn().expect("connection");
    ledger_entries::table
        .filter(ledger_entries::kind.eq("registered"))
        .order(ledger_entries::seq)
        .select((ledger_entries::asset_code, ledger_entries::data))
        .load(&mut *conn)
        .expect("registered entries")
}

fn import_new(app: &TestApp) {
    let reply = app.import(NEW_REGISTER.as_bytes(), false);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
}

fn the_register_of_the_earlier_release_still_verifies_and_reads_the_same(app: &TestApp) {
    let routes = [
        ("ledger/verify", "verify.json"),
        ("assets?limit=1000", "assets.json"),
        (
            "assets?as_of=2022-01-31&limit=1000",
            "assets_as_of_2022-01-31.json",
        ),
        ("totals?group_by=class", "totals_class.json"),
        ("events?limit=1000", "events.json"),
        ("assets/V2-A1", "asset_V2-A1.json"),
        ("assets/V2-A2", "asset_V2-A2.json"),
        ("assets/V2-A3", "asset_V2-A3.json"),
        ("assets/V2-A4", "asset_V2-A4.json"),
        ("assets/V2-A1/ledger", "ledger_V2-A1.json"),
        ("assets/V2-A2/ledger", "ledger_V2-A2.json"),
        ("assets/V2-A3/ledger", "ledger_V2-A3.json"),
        ("assets/V2-A4/ledger", "ledger_V2-A4.json"),
    ];
    for (route, file) in routes {
        let reply = app.get(&format!("/api/v1/{route}"), Some(&app.admin));
        assert_eq!(reply.status, Status::Ok, "{route}: {}", reply.body);
        let expected: Value = serde_json::from_str(&fixture(file)).expect("fixture JSON");
        if let Err(difference) = holds(&expected, &reply.body, route) {
            panic!("{route} differs from what the earlier release served: {difference}");
        }
    }
    // Its `registered` entries still carry the fields, as they were hashed.
    let stored = stored_registered(app);
    assert_eq!(stored.len(), 4);
    assert!(
        stored
            .iter()
            .all(|(_, data)| data.contains("\"project_code\"")),
        "{stored:?}"
    );
    app.assert_summary_consistent();
}

fn imports_after_the_migration_hold_the_fields_once_and_verify(app: &TestApp) {
    let before: Value = serde_json::from_str(&fixture("verify.json")).expect("fixture JSON");
    let pin = format!(
        "{}:{}",
        before["entries"],
        before["head"].as_str().expect("head")
    );
    import_new(app);
    // The new `registered` entries carry only the digest of the fields the register
    // holds; the earlier ones keep their fields.
    let stored = stored_registered(app);
    let digests: Vec<&str> = stored
        .iter()
        .filter(|(_, data)| data.starts_with("{\"fields_sha256\":\""))
        .map(|(code, _)| code.as_str())
        .collect();
    assert_eq!(digests, ["N-A1", "N-A2"], "{stored:?}");
    let held: i64 = {
        use asset_registry::db::schema::registered_fields;
        let mut conn = app.db.conn().expect("connection");
        registered_fields::table
            .count()
            .get_result(&mut *conn)
            .expect("count")
    };
    assert_eq!(held, 2);
    // The history and the change feed show the registered fields all the same.
    let solar = history(app, "N-A1");
    let kinds: Vec<&str> = solar
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(kinds, ["registered", "handed_over", "custodian_changed"]);
    let registered = &solar[0]["data"];
    for (field, value) in [
        ("project_code", json!("N-P1")),
        ("name", json!("屋顶光伏板")),
        ("class", json!("operating")),
        ("quantity", json!("2")),
        ("unit", json!("座")),
        ("custodian", json!("王寨村光伏合作社")),
        ("status", json!("confirmed")),
        ("confirmed_on", json!("2023-05-01")),
        ("certificate_no", json!("QZ-N1")),
        ("town", json!("店张街道")),
        ("village", json!("王寨村")),
        ("phone", json!("13912345678")),
        ("handed_over_on", json!("2023-06-01")),
        ("received_by", json!("王寨村村民委员会")),
        ("remarks", json!("二期")),
    ] {
        assert_eq!(registered[field], value, "{field}: {registered}");
    }
    assert_eq!(
        registered["owner"]["name"], "王寨村村民委员会",
        "{registered}"
    );
    let feed = app.get("/api/v1/events?limit=1000", Some(&app.admin));
    let in_feed = feed.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|e| e["asset_code"] == "N-A1" && e["kind"] == "registered")
        .cloned()
        .expect("the new asset's registered entry in the feed");
    assert_eq!(in_feed["data"], *registered);
    // A reader sees the personal fields masked, as in any entry.
    let sheep = app.get("/api/v1/assets/N-A2/ledger", Some(&app.reader));
    assert_eq!(
        sheep.body["items"][0]["data"]["owner"]["id_number"], "610481********1237",
        "{}",
        sheep.body
    );
    // Entries change the asset, never its registered fields: the registered entry and
    // an as-of view before the change still show the fields it was registered with.
    append(
        app,
        "N-A1",
        json!({"kind": "value_adjusted", "occurred_on": "2024-01-10", "value": "350000.00", "reason": "评估减值"}),
    );
    append(
        app,
        "N-A2",
        json!({"kind": "ownership_transferred", "occurred_on": "2024-02-01", "owner": {"name": "钱七", "type": "household"}, "document_no": "转-1"}),
    );
    assert_eq!(history(app, "N-A1")[0]["data"], *registered);
    assert_eq!(history(app, "N-A2")[0]["data"]["owner"]["name"], "赵六");
    let now = app.get("/api/v1/assets/N-A1", Some(&app.admin));
    let then = app.get("/api/v1/assets/N-A1?as_of=2023-12-31", Some(&app.admin));
    assert_ne!(now.body["value"], then.body["value"], "{}", now.body);
    assert_eq!(then.body["value"], registered["value"], "{}", then.body);
    let owner_then = app.get("/api/v1/assets/N-A2?as_of=2024-01-31", Some(&app.admin));
    assert_eq!(
        owner_then.body["owner"]["name"], "赵六",
        "{}",
        owner_then.body
    );
    // The whole chain verifies, the earlier release's head included.
    let result = verify(app, &format!("?against={pin}"));
    assert_eq!(result["ok"], true, "{result}");
    assert_eq!(
        result["entries"],
        before["entries"].as_i64().expect("n") + 6
    );
    app.assert_summary_consistent();
}

/// Runs `sql` with the guards of the registered fields dropped, as someone with
/// database access could.
fn tamper(app: &TestApp, sql: &str) {
    let mut conn = app.db.conn().expect("connection");
    let drop_guards = match app.backend {
        Backend::Sqlite => {
            "DROP TRIGGER IF EXISTS registered_fields_no_update; \
             DROP TRIGGER IF EXISTS assets_registered_columns_no_update;"
        }
        Backend::Postgres => {
            "DROP TRIGGER IF EXISTS registered_fields_no_update ON registered_fields; \
             DROP TRIGGER IF EXISTS assets_registered_columns_no_update ON assets;"
        }
    };
    conn.batch_execute(drop_guards).expect("drop guards");
    conn.batch_execute(sql).expect("tamper");
}

fn cli_verify(app: &TestApp) -> (Option<i32>, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_asset-registry"))
        .args(["--database", &app.database.url, "verify"])
        .output()
        .expect("run verify");
    let mut printed = String::from_utf8_lossy(&output.stdout).into_owned();
    printed.push_str(&String::from_utf8_lossy(&output.stderr));
    (output.status.code(), printed)
}

fn an_edited_registered_field_is_caught_and_named(app: &TestApp) {
    import_new(app);
    let seq = history(app, "N-A2")[0]["seq"].as_i64().expect("seq");
    // The guards refuse to change or delete a registered field.
    let mut conn = app.db.conn().expect("connection");
    for refused in [
        "UPDATE registered_fields SET owner_name = '钱七'",
        "DELETE FROM registered_fields",
        "UPDATE assets SET name = '山羊' WHERE code = 'N-A2'",
        "DELETE FROM assets WHERE code = 'N-A2'",
    ] {
        let error = conn.batch_execute(refused).expect_err(refused);
        assert!(
            error
                .to_string()
                .contains("registered fields are immutable"),
            "{refused}: {error}"
        );
    }
    drop(conn);
    assert_eq!(verify(app, "")["ok"], true);
    // With the guards dropped, an edit of a held field, or of a column that holds one,
    // breaks verification at the asset's `registered` entry.
    let edits = [
        (
            "UPDATE registered_fields SET owner_name = '钱七' WHERE owner_name = '赵六'",
            "UPDATE registered_fields SET owner_name = '赵六' WHERE owner_name = '钱七'",
        ),
        (
            "UPDATE registered_fields SET value_fen = value_fen + 1 WHERE owner_name = '赵六'",
            "UPDATE registered_fields SET value_fen = value_fen - 1 WHERE owner_name = '赵六'",
        ),
        (
            "UPDATE assets SET name = '山羊' WHERE code = 'N-A2'",
            "UPDATE assets SET name = '湖羊' WHERE code = 'N-A2'",
        ),
    ];
    for (edit, undo) in edits {
        tamper(app, edit);
        let result = verify(app, "");
        assert_eq!(result["ok"], false, "{edit}: {result}");
        assert_eq!(result["first_bad_seq"], seq, "{edit}: {result}");
        assert_eq!(result["first_bad_asset"], "N-A2", "{edit}: {result}");
        let problem = result["problem"].as_str().unwrap_or_default();
        assert!(
            problem.contains("N-A2") && problem.contains(&format!("条目 {seq}")),
            "{edit}: {result}"
        );
        let (code, printed) = cli_verify(app);
        assert_eq!(code, Some(1), "{printed}");
        assert!(
            printed.contains("N-A2") && printed.contains(&seq.to_string()),
            "{printed}"
        );
        let page = app
            .signed_in(&app.auditor)
            .get("/verify")
            .dispatch()
            .into_string()
            .unwrap_or_default();
        assert!(page.contains("N-A2"), "{page}");
        tamper(app, undo);
        assert_eq!(verify(app, "")["ok"], true, "{edit} undone");
    }
}

fn main() -> std::process::ExitCode {
    support::run_with(
        vec![
            (
                "compat_v2::earlier_register_verifies_and_reads_the_same",
                the_register_of_the_earlier_release_still_verifies_and_reads_the_same,
            ),
            (
                "compat_v2::new_imports_hold_the_fields_once_and_verify",
                imports_after_the_migration_hold_the_fields_once_and_verify,
            ),
            (
                "compat_v2::an_edited_registered_field_is_named",
                an_edited_registered_field_is_caught_and_named,
            ),
        ],
        app_on_fixture,
    )
}
