//! Ledger verification over 1,000,000 entries, reported as a ratio to raw SHA-256 over
//! the same bytes, measured in the same run.
//!
//! `cargo bench --bench verify` (set `VERIFY_ENTRIES` for another size, and
//! `BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1/postgres` to measure PostgreSQL too).

use std::time::{Duration, Instant};

use asset_registry::db::{Db, DbConnection};
use asset_registry::ledger::{self, canonical, chain, entry_hash, Head, NewEntry, GENESIS_HASH};
use diesel::connection::SimpleConnection;
use sha2::{Digest, Sha256};

fn entries(count: usize, asset_id: &str) -> Vec<ledger::EntryRow> {
    let genesis = Head {
        seq: 0,
        hash: GENESIS_HASH.to_owned(),
    };
    let new: Vec<NewEntry> = (0..count)
        .map(|i| NewEntry {
            asset_id: asset_id.to_owned(),
            asset_code: "BENCH-1".to_owned(),
            kind: "maintenance",
            occurred_on: "2021-05-01".to_owned(),
            recorded_at: "2026-11-28T12:00:00.000000Z".to_owned(),
            actor: "财政局张会计".to_owned(),
            data: serde_json::json!({"description": format!("第 {i} 次巡修：更换水泵密封圈"), "cost": "1200.00", "performed_by": "东村供水站"}),
            batch_id: None,
            place: ledger::EntryPlace {
                town: "t".to_owned(),
                department: None,
            },
        })
        .collect();
    chain(&genesis, new).0
}

/// The baseline: SHA-256 over exactly the bytes verification hashes, already encoded.
fn raw_sha256(inputs: &[Vec<u8>]) -> (Duration, u8) {
    let started = Instant::now();
    let mut last = 0u8;
    for input in inputs {
        last ^= Sha256::digest(input)[0];
    }
    (started.elapsed(), last)
}

/// Verification in memory: canonical encoding, hash and comparison of every entry.
fn verify_in_memory(rows: &[ledger::EntryRow]) -> Duration {
    let started = Instant::now();
    let mut running = GENESIS_HASH.to_owned();
    for row in rows {
        assert_eq!(row.prev_hash, running);
        assert_eq!(entry_hash(row).as_ref(), Ok(&row.hash));
        running.clone_from(&row.hash);
    }
    started.elapsed()
}

fn load(conn: &mut DbConnection, rows: &[ledger::EntryRow]) {
    conn.batch_execute("BEGIN").expect("begin");
    for chunk in rows.chunks(2000) {
        ledger::insert_rows(conn, chunk).expect("insert entries");
    }
    let last = rows.last().expect("rows");
    ledger::store_head(
        conn,
        &Head {
            seq: last.seq,
            hash: last.hash.clone(),
        },
    )
    .expect("head");
    conn.batch_execute("COMMIT").expect("commit");
}

fn prepare(url: &str, rows: &[ledger::EntryRow]) -> Db {
    let db = Db::open(url, 2).expect("open database");
    let mut conn = db.conn().expect("connection");
    conn.batch_execute(&format!(
        "INSERT INTO import_batches (id, sha256, status, encoding, byte_size, data_rows, projects_created, assets_created, \
         projects_unchanged, assets_unchanged, rows_unchanged, error_count, warnings, actor, created_at) \
         VALUES ('b', 'x', 'committed', 'utf-8', 0, 0, 0, 0, 0, 0, 0, 0, '[]', 'bench', 'now'); \
         INSERT INTO projects (code, name, year, town, funds_fen, batch_id, created_at) VALUES ('P', 'p', 2020, 't', 0, 'b', 'now'); \
         INSERT INTO assets (id, code, project_code, name, class, value_fen, owner_name, owner_type, status, town, batch_id, last_seq, created_at, project_year) \
         VALUES ('{}', 'BENCH-1', 'P', 'a', 'operating', 0, 'o', 'other', 'registered', 't', 'b', 0, 'now', 2020);",
        rows[0].asset_id
    ))
    .expect("fixture");
    load(&mut conn, rows);
    drop(conn);
    db
}

fn verify_database(db: &Db) -> Duration {
    let mut conn = db.conn().expect("connection");
    let started = Instant::now();
    let result = ledger::verify::verify(&mut conn).expect("verify");
    let elapsed = started.elapsed();
    assert!(result.ok, "{result:?}");
    elapsed
}

fn report(name: &str, elapsed: Duration, baseline: Duration, count: usize) {
    let per_second = count as f64 / elapsed.as_secs_f64();
    println!(
        "{name:<34} {:>9.3} s   {:>12.0} entries/s   {:>6.2}× raw SHA-256",
        elapsed.as_secs_f64(),
        per_second,
        elapsed.as_secs_f64() / baseline.as_secs_f64()
    );
}

fn main() {
    // Before the first PostgreSQL connection (see `db::tls`).
    asset_registry::db::tls::init();
    let count: usize = std::env::var("VERIFY_ENTRIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let asset_id = "00000000-0000-4000-8000-000000000001";
    println!("building a chain of {count} entries …");
    let rows = entries(count, asset_id);
    let inputs: Vec<Vec<u8>> = rows
        .iter()
        .map(|r| {
            let mut bytes = r.prev_hash.clone().into_bytes();
            bytes.push(b'\n');
            bytes.extend_from_slice(canonical(r).expect("canonical").as_bytes());
            bytes
        })
        .collect();
    let total_bytes: usize = inputs.iter().map(Vec::len).sum();
    println!(
        "{} bytes hashed in all ({:.0} per entry)",
        total_bytes,
        total_bytes as f64 / count as f64
    );

    let (baseline, _) = raw_sha256(&inputs);
    report("raw SHA-256 (baseline)", baseline, baseline, count);
    report(
        "verify, in memory",
        verify_in_memory(&rows),
        baseline,
        count,
    );

    let folder = tempfile::tempdir().expect("temp dir");
    let sqlite_url = folder
        .path()
        .join("bench.sqlite3")
        .to_string_lossy()
        .into_owned();
    let sqlite = prepare(&sqlite_url, &rows);
    report(
        "verify, SQLite (reads included)",
        verify_database(&sqlite),
        baseline,
        count,
    );

    if let Ok(admin_url) = std::env::var("BENCH_POSTGRES_URL") {
        let name = format!("ar_bench_{}", uuid::Uuid::new_v4().simple());
        let mut admin = <diesel::PgConnection as diesel::Connection>::establish(&admin_url)
            .expect("PostgreSQL");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create database");
        let url = format!(
            "{}/{name}",
            &admin_url[..admin_url.rfind('/').unwrap_or(admin_url.len())]
        );
        let pg = prepare(&url, &rows);
        report(
            "verify, PostgreSQL (reads included)",
            verify_database(&pg),
            baseline,
            count,
        );
        drop(pg);
        admin
            .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
            .expect("drop database");
    }
}
