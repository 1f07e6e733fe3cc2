//! Bulk stock-take results: one upload of `STOCKTAKE_ROWS` results (default 100,000; a
//! CSV checklist filled in) recorded as `inspection` entries, all or nothing, reported
//! as results per second and as a ratio to the CSV import of a register of the same
//! number of rows in the same run (both in-process, on the same database).
//!
//! `cargo bench --bench stocktake`; `BENCH_POSTGRES_URL=postgres://…/postgres` adds
//! PostgreSQL. `scripts/bench.sh` runs it and writes the figures for BENCHMARKS.md.

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use asset_registry::db::Db;
use asset_registry::domain::Scope;
use asset_registry::import::{import_file, ImportOutcome, ImportRequest, Unwatched};
use asset_registry::stocktake::campaign::{open, Opening};
use asset_registry::stocktake::results::{record, CheckedUpload};
use asset_registry::stocktake::upload::read_upload;
use diesel::connection::SimpleConnection;

const RESULTS: [&str; 4] = ["正常", "闲置", "损毁", "缺失"];

/// A register of `rows` assets (four per project, 50 towns of 20 villages).
fn register(rows: usize) -> String {
    let mut csv = String::from(
        "项目编号,项目名称,项目年度,镇街,村,项目资金(元),资产编号,资产名称,资产类别,资产价值(元),所有权人\n",
    );
    for i in 0..rows {
        let project = i / 4;
        let (town, village) = (project % 50, (project / 50) % 20);
        let _ = writeln!(
            csv,
            "P{project},项目{project},2020,第{town}镇,{village}村,4000,A{i},资产{i},公益性,1000,{village}村股份经济合作社"
        );
    }
    csv
}

/// The checklist of `rows` assets filled in, as a village saves it.
fn results(rows: usize) -> String {
    let mut csv = String::from("资产编号,资产名称,盘点结果,盘点日期,备注\n");
    for i in 0..rows {
        let _ = writeln!(csv, "A{i},资产{i},{},2026-10-08,", RESULTS[i % 4]);
    }
    csv
}

/// Imports the register, opens a county campaign and records every result: the
/// import's time, the opening's, and the recording's (reading the file included).
fn run(database: &str, register_csv: &Path, results_csv: &Path) -> (Duration, Duration, Duration) {
    let db = Db::open(database, 2).expect("open");
    let mut conn = db.conn().expect("connection");
    let started = Instant::now();
    let request = ImportRequest {
        path: register_csv,
        filename: None,
        actor: "bench".to_owned(),
        dry_run: false,
        scope: Scope::County,
        sheet: None,
    };
    let outcome = import_file(&mut conn, &request, &mut Unwatched).expect("import");
    assert!(matches!(outcome, ImportOutcome::Committed(_)), "imported");
    let import = started.elapsed();
    let started = Instant::now();
    let opening = Opening {
        name: "年度清查".to_owned(),
        year: 2026,
        scope: None,
    };
    let campaign = open(&mut conn, &Scope::County, "bench", &opening).expect("open campaign");
    let opened = started.elapsed();
    let started = Instant::now();
    let (inputs, columns) = read_upload(results_csv).expect("read");
    let count = inputs.len();
    let upload = CheckedUpload::of(inputs, Some(columns));
    let recorded =
        record(&mut conn, &Scope::County, "bench", &campaign.id, &upload).expect("record");
    let elapsed = started.elapsed();
    assert_eq!(recorded.count, count);
    (import, opened, elapsed)
}

fn report(backend: &str, rows: usize, (import, opened, recorded): (Duration, Duration, Duration)) {
    println!(
        "{backend} stocktake: rows={rows} results={:.2}s results_per_s={:.0} csv_import={:.2}s import_rows_per_s={:.0} ratio_to_import={:.2} open_campaign={:.2}s",
        recorded.as_secs_f64(),
        rows as f64 / recorded.as_secs_f64(),
        import.as_secs_f64(),
        rows as f64 / import.as_secs_f64(),
        recorded.as_secs_f64() / import.as_secs_f64(),
        opened.as_secs_f64()
    );
}

fn main() {
    // Before the first PostgreSQL connection (see `db::tls`).
    asset_registry::db::tls::init();
    let rows: usize = std::env::var("STOCKTAKE_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let register_csv = dir.path().join("register.csv");
    let results_csv = dir.path().join("results.csv");
    std::fs::write(&register_csv, register(rows)).expect("write");
    std::fs::write(&results_csv, results(rows)).expect("write");
    let database = dir
        .path()
        .join("registry.sqlite3")
        .to_string_lossy()
        .into_owned();
    report("sqlite", rows, run(&database, &register_csv, &results_csv));
    if let Ok(admin) = std::env::var("BENCH_POSTGRES_URL") {
        let name = format!("ar_bench_{}", uuid::Uuid::new_v4().simple());
        let mut conn =
            <diesel::PgConnection as diesel::Connection>::establish(&admin).expect("PostgreSQL");
        conn.batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create");
        let url = format!(
            "{}/{name}",
            &admin[..admin.rfind('/').unwrap_or(admin.len())]
        );
        report("postgres", rows, run(&url, &register_csv, &results_csv));
        let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    }
}
