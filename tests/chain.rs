//! Attacks on the ledger's hash chain, on SQLite and PostgreSQL: masked fields brute
//! forced from the hashes a reader reads, asset rows and maintained totals edited
//! behind the ledger's back, a chain whose tail was cut off and its head reset, and
//! references between batches, projects, assets and entries that cannot dangle (also
//! when a load's own proof is all that checks them, or the load panics).

mod brute;
mod support;

use diesel::connection::SimpleConnection;
use rocket::http::{ContentType, Status};
use serde_json::{json, Value};
use support::{Scenario, TestApp};

const REGISTER: &str = "项目编号,项目名称,项目年度,镇街,村,项目资金(元),资产编号,资产名称,资产类别,资产价值(元),所有权人,所有权人类型,所有权人证件号,管护主体,确权日期,确权证书编号
P1,光伏电站,2019,桑镇,东村,500000,PV-1,村级光伏电站,经营性,500000,东村股份经济合作社,村集体,,东村村委会,2020-03-05,兴确字(2020)第1号
P2,肉牛到户,2019,桑镇,东村,8000,COW-1,肉牛,到户类,8000,张三,农户,11010519491231002X,张三,,
P3,供水管网,2021,桑镇,西村,90000,PIPE-1,供水管道,公益性,90000,西村村委会,村集体,,,,
";

const CODES: [&str; 3] = ["PV-1", "COW-1", "PIPE-1"];

/// A household's ID number on a distribution line (a valid resident ID).
const HOUSEHOLD_ID: &str = "610481198801011237";

fn setup(app: &TestApp) {
    let reply = app.import(REGISTER.as_bytes(), false);
    assert_eq!(reply.status, Status::Created, "{}", reply.body);
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

fn verify(app: &TestApp, query: &str) -> Value {
    let reply = app.get(&format!("/api/v1/ledger/verify{query}"), Some(&app.auditor));
    assert_eq!(reply.status, Status::Ok, "{}", reply.body);
    reply.body
}

fn cli_verify(app: &TestApp, extra: &[&str]) -> (Option<i32>, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_asset-registry"))
        .args(["--database", &app.database.url, "verify"])
        .args(extra)
        .output()
        .expect("run verify");
    let mut printed = String::from_utf8_lossy(&output.stdout).into_owned();
    printed.push_str(&String::from_utf8_lossy(&output.stderr));
    (output.status.code(), printed)
}

/// Runs SQL with the append-only guards of the ledger and the registered fields
/// dropped, as someone with database access could.
fn tamper(app: &TestApp, sql: &str) {
    let mut conn = app.db.conn().expect("connection");
    let drop_guards = match app.backend {
        asset_registry::db::Backend::Sqlite => {
            "DROP TRIGGER IF EXISTS ledger_entries_no_update; DROP TRIGGER IF EXISTS ledger_entries_no_delete; \
             DROP TRIGGER IF EXISTS registered_fields_no_update;"
        }
        asset_registry::db::Backend::Postgres => {
            "DROP TRIGGER IF EXISTS ledger_entries_no_update ON ledger_entries; \
             DROP TRIGGER IF EXISTS registered_fields_no_update ON registered_fields;"
        }
    };
    conn.batch_execute(drop_guards).expect("drop guards");
    conn.batch_execute(sql).expect("tamper");
}

fn a_reader_recovers_no_masked_field_of_new_entries(app: &TestApp) {
    setup(app);
    append(
        app,
        "PV-1",
        json!({"kind": "custodian_changed", "occurred_on": "2021-01-01", "custodian": "东村供电所", "responsible_person": "李四", "phone": "13812345678"}),
    );
    append(
        app,
        "PIPE-1",
        json!({"kind": "ownership_transferred", "occurred_on": "2021-02-01", "owner": {"name": "王五", "type": "household", "id_number": "610481198801011237"}, "document_no": "转-1"}),
    );
    append(
        app,
        "PV-1",
        json!({"kind": "maintenance", "occurred_on": "2021-03-01", "description": "巡修"}),
    );
    append(
        app,
        "PV-1",
        json!({"kind": "income", "occurred_on": "2021-12-01", "amount": "3000.00", "period": "2021"}),
    );
    // One household line with an ID number among lines without: a single masked field,
    // which is what the brute force tries.
    append(
        app,
        "PV-1",
        json!({"kind": "income_distributed", "occurred_on": "2021-12-20", "amount": "1500.00", "period": "2021", "recipients": 2,
               "lines": [{"name": "赵六", "amount": "1000.00"}, {"name": "钱七", "id_number": HOUSEHOLD_ID, "amount": "500.00"}]}),
    );
    let events = app.get("/api/v1/events?limit=1000", Some(&app.reader));
    assert_eq!(
        events.body["items"][7]["data"]["lines"][1]["id_number"],
        "610481********1237"
    );
    assert_eq!(events.body["items"][3]["data"]["phone"], "138****5678");
    assert_eq!(
        events.body["items"][4]["data"]["owner"]["id_number"],
        "610481********1237"
    );
    let seen = brute::gather(app, &app.reader, &CODES);
    assert_eq!(
        brute::recover(&seen),
        vec![],
        "a reader recovered masked fields"
    );
    // The auditor sees every field whole, and the chain verifies.
    let whole = app.get("/api/v1/events?limit=1000", Some(&app.auditor));
    assert_eq!(whole.body["items"][3]["data"]["phone"], "13812345678");
    assert_eq!(
        whole.body["items"][1]["data"]["owner"]["id_number"],
        "11010519491231002X"
    );
    assert_eq!(whole.body["items"][1]["encoding"], 2);
    let intact = verify(app, "");
    assert_eq!(intact["ok"], true, "{intact}");
    assert_eq!(intact["entries"], 8);
    // The control: had the line's ID number been hashed unsalted, the same brute force
    // would have recovered it from what the reader read.
    let unsalted = brute::as_if_unsalted(
        &brute::gather(app, &app.auditor, &CODES),
        brute::gather(app, &app.reader, &CODES),
        8,
    );
    assert_eq!(
        brute::recover(&unsalted),
        vec![(8, "/lines/1/id_number".to_owned(), HOUSEHOLD_ID.to_owned())]
    );
    // Editing the stored ID number of a salted entry (a `registered` one holds it among
    // the asset's registered fields) breaks the chain at that entry.
    tamper(
        app,
        "UPDATE registered_fields SET owner_id_number = '110105194912300020' WHERE owner_id_number = '11010519491231002X'",
    );
    let broken = verify(app, "");
    assert_eq!(broken["ok"], false, "{broken}");
    assert_eq!(broken["first_bad_seq"], 2, "{broken}");
}

fn salted_hashes_resist_even_with_every_hash(app: &TestApp) {
    setup(app);
    let seen = brute::masked_by_hand(brute::gather(app, &app.auditor, &CODES));
    // The second encoding salts personal fields: even with every hash, nothing comes.
    assert_eq!(brute::recover(&seen), vec![]);
}

fn an_edited_asset_row_fails_verification(app: &TestApp) {
    let edits = [
        ("value_fen = value_fen + 100", "value_fen = value_fen - 100"),
        ("owner_name = '李四'", "owner_name = '张三'"),
        (
            "owner_id_number = NULL",
            "owner_id_number = '11010519491231002X'",
        ),
        ("status = 'disposed'", "status = 'registered'"),
        ("custodian = '别人'", "custodian = '张三'"),
        ("income_fen = 5", "income_fen = 1200"),
    ];
    setup(app);
    append(
        app,
        "COW-1",
        json!({"kind": "income", "occurred_on": "2021-03-01", "amount": "12.00", "period": "2021"}),
    );
    assert_eq!(verify(app, "")["ok"], true);
    for (edit, undo) in edits {
        let mut conn = app.db.conn().expect("connection");
        conn.batch_execute(&format!("UPDATE assets SET {edit} WHERE code = 'COW-1'"))
            .expect("edit asset");
        drop(conn);
        let result = verify(app, "");
        assert_eq!(result["ok"], false, "{edit}: {result}");
        assert_eq!(result["first_bad_asset"], "COW-1", "{edit}: {result}");
        assert!(
            result["problem"]
                .as_str()
                .is_some_and(|p| p.contains("COW-1")),
            "{result}"
        );
        let (code, printed) = cli_verify(app, &[]);
        assert_eq!(code, Some(1), "{printed}");
        assert!(printed.contains("COW-1"), "{printed}");
        let mut conn = app.db.conn().expect("connection");
        conn.batch_execute(&format!("UPDATE assets SET {undo} WHERE code = 'COW-1'"))
            .expect("undo edit");
        drop(conn);
        assert_eq!(verify(app, "")["ok"], true, "{edit} undone");
    }
}

fn edited_totals_fail_verification(app: &TestApp) {
    let edits = [
        (
            "UPDATE register_summary SET value_fen = value_fen + 100",
            "UPDATE register_summary SET value_fen = value_fen - 100",
            "value_fen",
        ),
        (
            "UPDATE register_summary SET unclassified_projects = 3",
            "UPDATE register_summary SET unclassified_projects = 0",
            "unclassified_projects",
        ),
        (
            "UPDATE class_summary SET assets = assets + 1 WHERE class = 'household'",
            "UPDATE class_summary SET assets = assets - 1 WHERE class = 'household'",
            "household",
        ),
        (
            "UPDATE projects SET funds_fen = 1 WHERE code = 'P3'",
            "UPDATE projects SET funds_fen = 9000000 WHERE code = 'P3'",
            "funds_fen",
        ),
    ];
    setup(app);
    for (edit, undo, figure) in edits {
        let mut conn = app.db.conn().expect("connection");
        conn.batch_execute(edit).expect("edit totals");
        drop(conn);
        let result = verify(app, "");
        assert_eq!(result["ok"], false, "{edit}: {result}");
        assert!(
            result["bad_figure"]
                .as_str()
                .is_some_and(|f| f.contains(figure)),
            "{edit}: {result}"
        );
        assert!(result["problem"].as_str().is_some(), "{result}");
        let (code, printed) = cli_verify(app, &[]);
        assert_eq!(code, Some(1), "{printed}");
        assert!(printed.contains(figure), "{printed}");
        let mut conn = app.db.conn().expect("connection");
        conn.batch_execute(undo).expect("undo edit");
        drop(conn);
        assert_eq!(verify(app, "")["ok"], true, "{edit} undone");
    }
}

fn a_cut_tail_is_caught_against_a_printed_head(app: &TestApp) {
    setup(app);
    for day in ["2021-01-01", "2021-02-01", "2021-03-01"] {
        append(
            app,
            "PV-1",
            json!({"kind": "maintenance", "occurred_on": day, "description": "巡修"}),
        );
    }
    let intact = verify(app, "");
    let head = intact["head"].as_str().expect("head").to_owned();
    assert_eq!(intact["entries"], 6);
    let pin = format!("6:{head}");
    // The printed report carries the head and says how to check it.
    let declaration = app.post(
        "/api/v1/declarations",
        Some(&app.clerk),
        json!({"name": "核对", "as_of": "2024-06-30", "lines": [{"scope": "total", "projects": 3, "amount": "598000.00"}]})
            .to_string()
            .into_bytes(),
        ContentType::JSON,
    );
    let id = declaration.body["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let report = app.get(
        &format!("/api/v1/declarations/{id}/reconciliation"),
        Some(&app.auditor),
    );
    assert_eq!(
        report.body["ledger_head"]["pin"],
        pin.as_str(),
        "{}",
        report.body
    );
    let html = app.get(
        &format!("/api/v1/declarations/{id}/report.html"),
        Some(&app.auditor),
    );
    let html = html.body.as_str().unwrap_or_default().to_owned();
    assert!(
        html.contains(&format!("asset-registry verify --against {pin}")),
        "{html}"
    );
    assert_eq!(verify(app, &format!("?against={pin}"))["ok"], true);
    assert_eq!(cli_verify(app, &["--against", &pin]).0, Some(0));
    // More entries later: the pinned head is still in the chain.
    append(
        app,
        "PV-1",
        json!({"kind": "maintenance", "occurred_on": "2021-04-01", "description": "巡修"}),
    );
    assert_eq!(verify(app, &format!("?against={pin}"))["ok"], true);
    // Cut the tail (5, 6 and 7) and reset the head and the projection: plain
    // verification cannot tell.
    let four: Value = app
        .get("/api/v1/events?after=3&limit=1", Some(&app.auditor))
        .body;
    let four_hash = four["items"][0]["hash"].as_str().expect("hash").to_owned();
    tamper(
        app,
        &format!(
            "DELETE FROM ledger_entries WHERE seq >= 5; \
             UPDATE ledger_head SET seq = 4, hash = '{four_hash}'; \
             UPDATE assets SET last_seq = 4 WHERE code = 'PV-1'"
        ),
    );
    assert_eq!(
        verify(app, "")["ok"],
        true,
        "the cut is invisible without a pin"
    );
    let caught = verify(app, &format!("?against={pin}"));
    assert_eq!(caught["ok"], false, "{caught}");
    assert_eq!(caught["first_bad_seq"], 5, "{caught}");
    assert!(
        caught["problem"].as_str().is_some_and(|p| p.contains('6')),
        "{caught}"
    );
    let (code, printed) = cli_verify(app, &["--against", &pin]);
    assert_eq!(code, Some(1), "{printed}");
    // A pin whose hash differs from the chain's.
    let other = format!("3:{}", "ab".repeat(32));
    let wrong = verify(app, &format!("?against={other}"));
    assert_eq!(wrong["ok"], false, "{wrong}");
    assert_eq!(wrong["first_bad_seq"], 3, "{wrong}");
    assert_eq!(cli_verify(app, &["--against", &other]).0, Some(1));
    // Malformed pins are refused naming the parameter.
    for bad in ["6", "x:abc", "6:xyz", "-1:00", "6:ABCD"] {
        let reply = app.get(
            &format!("/api/v1/ledger/verify?against={}", support::encode(bad)),
            Some(&app.auditor),
        );
        assert_eq!(reply.status, Status::BadRequest, "{bad}: {}", reply.body);
        assert!(
            reply.body.to_string().contains("against"),
            "{bad}: {}",
            reply.body
        );
    }
    assert_eq!(
        app.get(
            &format!("/api/v1/ledger/verify?against={pin}"),
            Some(&app.reader)
        )
        .status,
        Status::Forbidden
    );
}

/// Runs one statement on its own, returning the database's refusal, if any.
fn attempt(app: &TestApp, sql: &str) -> Result<(), String> {
    let mut conn = app.db.conn().expect("connection");
    conn.batch_execute(sql).map_err(|e| e.to_string())
}

fn references_cannot_dangle(app: &TestApp) {
    setup(app);
    let state = app.register_state();
    // A batch, a project or an asset is never deleted or given another key, so what
    // names it never dangles; a batch row is not even changed.
    for sql in [
        "DELETE FROM import_batches",
        "UPDATE import_batches SET actor = '别人'",
        "UPDATE import_batches SET data_rows = data_rows + 1",
        "DELETE FROM projects WHERE code = 'P3'",
        "UPDATE projects SET code = 'P9' WHERE code = 'P3'",
        "DELETE FROM assets WHERE code = 'PIPE-1'",
        "UPDATE assets SET id = 'another-id' WHERE code = 'PIPE-1'",
        // Nor is an asset moved to another project (its project is a registered field,
        // held once), let alone to one that does not exist.
        "UPDATE assets SET project_code = 'P1' WHERE code = 'PIPE-1'",
        "UPDATE assets SET project_code = 'NO-SUCH-PROJECT' WHERE code = 'PIPE-1'",
        "INSERT INTO assets (id, code, project_code, name, class, value_fen, owner_name, \
         owner_type, status, town, batch_id, last_seq, created_at) \
         SELECT 'dangling-id', 'DANGLING-1', 'NO-SUCH-PROJECT', name, class, value_fen, \
         owner_name, owner_type, status, town, batch_id, last_seq, created_at \
         FROM assets WHERE code = 'PIPE-1'",
        "INSERT INTO ledger_entries (seq, asset_id, asset_code, kind, occurred_on, \
         recorded_at, actor, data, batch_id, prev_hash, hash, encoding, salt) \
         SELECT seq + 1000, 'no-such-asset', asset_code, kind, occurred_on, recorded_at, \
         actor, data, NULL, prev_hash, hash, encoding, salt FROM ledger_entries WHERE seq = 1",
    ] {
        assert!(attempt(app, sql).is_err(), "{sql}: not refused");
    }
    assert_eq!(app.register_state(), state);
    assert_eq!(verify(app, "")["ok"], true);

    // A reference made dangling behind the checks' back (SQLite's foreign keys switched
    // off; PostgreSQL checks no batch reference row by row) is caught by verification.
    let batch: String = {
        #[derive(diesel::QueryableByName)]
        struct Batch {
            #[diesel(sql_type = diesel::sql_types::Text)]
            batch_id: String,
        }
        use diesel::RunQueryDsl;
        let mut conn = app.db.conn().expect("connection");
        let found: Vec<Batch> =
            diesel::sql_query("SELECT batch_id FROM projects WHERE code = 'P3'")
                .load(&mut *conn)
                .expect("batch of P3");
        found[0].batch_id.clone()
    };
    let behind_checks = |sql: &str| match app.backend {
        asset_registry::db::Backend::Sqlite => {
            format!("PRAGMA foreign_keys = OFF; {sql}; PRAGMA foreign_keys = ON;")
        }
        asset_registry::db::Backend::Postgres => sql.to_owned(),
    };
    attempt(
        app,
        &behind_checks("UPDATE projects SET batch_id = 'no-such-batch' WHERE code = 'P3'"),
    )
    .expect("tamper");
    let result = verify(app, "");
    assert_eq!(result["ok"], false, "{result}");
    let problem = result["problem"].as_str().expect("problem");
    assert!(
        problem.contains("P3") && problem.contains("no-such-batch"),
        "{result}"
    );
    let (code, printed) = cli_verify(app, &[]);
    assert_eq!(code, Some(1), "{printed}");
    assert!(printed.contains("no-such-batch"), "{printed}");
    attempt(
        app,
        &behind_checks(&format!(
            "UPDATE projects SET batch_id = '{batch}' WHERE code = 'P3'"
        )),
    )
    .expect("undo");
    assert_eq!(verify(app, "")["ok"], true);
}

/// The ledger's last seq, as a load would record it before it writes.
fn head_seq(conn: &mut asset_registry::db::DbConnection) -> i64 {
    use asset_registry::db::schema::ledger_head;
    use diesel::{QueryDsl, RunQueryDsl};
    ledger_head::table
        .select(ledger_head::seq)
        .first(conn)
        .expect("head")
}

/// A load that writes a project (and no asset, so no entry leads to it) naming a batch
/// row it never wrote is refused by its own proof, and nothing of it stays.
fn a_load_whose_project_names_no_batch_is_refused(app: &TestApp) {
    use asset_registry::db::bulk_load;
    use diesel::Connection;
    setup(app);
    let state = app.register_state();
    let mut conn = app.db.conn().expect("connection");
    let after_seq = head_seq(&mut conn);
    let refused = bulk_load::with_import_cache(&mut conn, |conn| {
        conn.transaction::<(), diesel::result::Error, _>(|conn| {
            // A bulk load: SQLite's foreign keys are off, PostgreSQL's statement checks
            // stand down, so only the load's proof stands between it and the commit.
            let set_aside = bulk_load::set_indexes_aside(conn)?;
            conn.batch_execute(
                "INSERT INTO projects (code, name, year, town, village, funds_fen, batch_id, \
                 created_at, code_key) SELECT 'P-LONE', name, year, town, village, funds_fen, \
                 'no-such-batch', created_at, 'P-LONE' FROM projects WHERE code = 'P3'",
            )?;
            set_aside
                .restore(conn, "no-such-batch", after_seq)
                .map(|_| ())
        })
    })
    .expect("the import's connection settings");
    let refusal = refused
        .expect_err("a project naming no batch is refused")
        .to_string();
    assert!(
        refusal.contains("P-LONE") && refusal.contains("no-such-batch"),
        "{refusal}"
    );
    drop(conn);
    assert_eq!(app.register_state(), state);
    let reply = app.get("/api/v1/projects/P-LONE", Some(&app.auditor));
    assert_eq!(reply.status, Status::NotFound, "{}", reply.body);
    assert_eq!(verify(app, "")["ok"], true);
}

/// On PostgreSQL a bulk load analyses the tables it wrote its rows to before it reads
/// them back. When another transaction holds a lock that keeps `ANALYZE` out (a vacuum,
/// an index build), the load waits a moment, not until that transaction ends, and goes
/// on without: its tables are analysed after its commit instead.
fn a_bulk_load_analyses_its_tables_unless_locked_out(app: &TestApp) {
    use asset_registry::db::{bulk_load, Backend, DbConnection};
    use diesel::Connection;
    if app.backend != Backend::Postgres {
        return; // SQLite keeps no planner statistics of its own.
    }
    setup(app);
    let load = |conn: &mut DbConnection| {
        let after_seq = head_seq(conn);
        let mut analysed = None;
        let outcome = conn.transaction::<(), diesel::result::Error, _>(|conn| {
            let set_aside = bulk_load::set_indexes_aside(conn)?;
            analysed = Some(set_aside.restore(conn, "no-batch", after_seq)?);
            // The transaction goes on, and is rolled back: nothing of it stays.
            conn.batch_execute("SELECT COUNT(*) FROM assets")?;
            Err(diesel::result::Error::RollbackTransaction)
        });
        assert!(
            matches!(outcome, Err(diesel::result::Error::RollbackTransaction)),
            "{outcome:?}"
        );
        analysed.expect("restored")
    };
    let mut conn = app.db.conn().expect("connection");
    assert!(load(&mut conn), "analysed in the load's transaction");

    let mut holder = app.db.conn().expect("connection");
    holder
        .batch_execute("BEGIN; LOCK TABLE assets IN SHARE UPDATE EXCLUSIVE MODE")
        .expect("lock");
    assert!(!load(&mut conn), "locked out: analysed after the commit");
    holder.batch_execute("ROLLBACK").expect("unlock");
    assert!(load(&mut conn), "analysed again once the lock is gone");
}

/// An import that panics halfway gives its connection back as it found it: its
/// transaction rolled back and, on SQLite, foreign keys on again.
fn a_panicking_import_gives_its_connection_back_checked(app: &TestApp) {
    use asset_registry::db::bulk_load;
    use diesel::Connection;
    setup(app);
    let state = app.register_state();
    let mut conn = app.db.conn().expect("connection");
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        bulk_load::with_import_cache(&mut conn, |conn| {
            conn.transaction::<(), diesel::result::Error, _>(|conn| {
                let _set_aside = bulk_load::keep_indexes(conn);
                conn.batch_execute(
                    "INSERT INTO projects (code, name, year, town, village, funds_fen, \
                     batch_id, created_at, code_key) SELECT 'P-HALF', name, year, town, \
                     village, funds_fen, 'no-such-batch', created_at, 'P-HALF' \
                     FROM projects WHERE code = 'P3'",
                )?;
                panic!("the import fails halfway");
            })
        })
    }));
    assert!(panicked.is_err(), "the panic goes on to the caller");
    if app.backend == asset_registry::db::Backend::Sqlite {
        #[derive(diesel::QueryableByName)]
        struct Pragma {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            foreign_keys: i64,
        }
        use diesel::RunQueryDsl;
        let pragma: Pragma = diesel::sql_query("PRAGMA foreign_keys")
            .get_result(&mut *conn)
            .expect("foreign_keys");
        assert_eq!(pragma.foreign_keys, 1, "foreign keys are on again");
        // And they are enforced: a project naming no batch is refused.
        let refused = conn.batch_execute(
            "INSERT INTO projects (code, name, year, town, village, funds_fen, batch_id, \
             created_at, code_key) SELECT 'P-HALF', name, year, town, village, funds_fen, \
             'no-such-batch', created_at, 'P-HALF' FROM projects WHERE code = 'P3'",
        );
        assert!(refused.is_err(), "a dangling project is refused");
    }
    // No transaction is left open on the connection: what it wrote is gone, and the
    // connection takes a new transaction.
    conn.transaction::<(), diesel::result::Error, _>(|_| Ok(()))
        .expect("a new transaction");
    drop(conn);
    assert_eq!(app.register_state(), state);
    assert_eq!(verify(app, "")["ok"], true);
}

fn main() -> std::process::ExitCode {
    let scenarios: Vec<(&'static str, Scenario)> = vec![
        (
            "masked::a_reader_recovers_nothing_from_new_entries",
            a_reader_recovers_no_masked_field_of_new_entries,
        ),
        (
            "masked::salted_hashes_resist_even_with_every_hash",
            salted_hashes_resist_even_with_every_hash,
        ),
        (
            "projection::an_edited_asset_row_fails",
            an_edited_asset_row_fails_verification,
        ),
        (
            "projection::edited_totals_fail",
            edited_totals_fail_verification,
        ),
        (
            "against::a_cut_tail_is_caught",
            a_cut_tail_is_caught_against_a_printed_head,
        ),
        ("references::cannot_dangle", references_cannot_dangle),
        (
            "references::a_load_whose_project_names_no_batch_is_refused",
            a_load_whose_project_names_no_batch_is_refused,
        ),
        (
            "references::a_panicking_import_gives_its_connection_back_checked",
            a_panicking_import_gives_its_connection_back_checked,
        ),
        (
            "references::a_bulk_load_analyses_its_tables_unless_locked_out",
            a_bulk_load_analyses_its_tables_unless_locked_out,
        ),
    ];
    support::run(scenarios)
}
