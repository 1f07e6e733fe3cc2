//! Province-scale benchmarks, each reported as a ratio to a baseline measured in the same
//! run: the import against the databases' own bulk load of the same CSV (`sqlite3
//! .import`, `psql \copy`) and against their load of the rows it stored (the floor),
//! its peak memory, and every read of issue #18 (`reads`) against the health query.
//!
//! `cargo bench --bench province` (1,000,000 rows); `PROVINCE_ROWS=100000` for another
//! size; `BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1/postgres` adds PostgreSQL;
//! `PROVINCE_CSV=path` imports a register written before (`PROVINCE_CSV_ONLY=path`
//! writes one); `PROVINCE_DATABASE=path-or-url` only times the reads of a register
//! imported before. Every asset row carries a funding split, a 移交日期 and a 接收单位, so
//! the import registers each asset with two ledger entries (three for one in ten,
//! received by the town and looked after by the village): 1,000,000 rows make about
//! 2,100,000 entries. `scripts/bench.sh` runs everything and writes the figures for
//! BENCHMARKS.md. Up to 300,000 rows the same register is also imported as an .xlsx
//! (amounts, years and quantities as number cells), beside the CSV.

#[path = "province/reads.rs"]
mod reads;
#[path = "province/xlsx.rs"]
mod xlsx;

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;

const HEADER: &str = "project_code,project_name,project_year,town,village,project_funds_yuan,funding_source,asset_code,asset_name,asset_class,quantity,unit,asset_value_yuan,owner,owner_type,owner_id_number,custodian,confirmed_on,certificate_no,department,funds_central_yuan,funds_local_yuan,handed_over_on,received_by\n";

const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗",
];
const GIVEN: [&str; 20] = [
    "建国", "秀英", "志强", "桂兰", "海燕", "国华", "玉梅", "建华", "丽", "军", "伟", "芳", "敏",
    "静", "强", "磊", "洋", "艳", "勇", "杰",
];

/// A deterministic pseudo-random sequence (xorshift), so every run measures the same file.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn id_number(rng: &mut Rng) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let body = format!(
        "610481{}{:02}{:02}{:03}",
        1940 + rng.below(55),
        1 + rng.below(12),
        1 + rng.below(28),
        rng.below(1000)
    );
    let sum: u32 = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
}

/// The sector departments (行业主管部门) projects belong to.
const DEPARTMENTS: [&str; 5] = ["农业农村局", "水利局", "交通运输局", "住建局", "林业局"];

/// Writes a province register of `rows` asset rows (about 3 per project, 600 towns).
fn generate(path: &Path, rows: usize) -> std::io::Result<u64> {
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    out.write_all(HEADER.as_bytes())?;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut written = 0usize;
    let mut project = 0usize;
    while written < rows {
        project += 1;
        let town = format!("第{}镇", project % 600 + 1);
        let village = format!("{}村", (project / 600) % 12 + 1);
        let year = 2014 + (project % 7);
        let assets = (1 + rng.below(5) as usize).min(rows - written);
        let values: Vec<u64> = (0..assets).map(|_| 1_000 + rng.below(5_000_000)).collect();
        let funds: u64 = values.iter().sum();
        // Funds split into two channels: a third local (rounded down), the rest central.
        let local = funds / 3;
        let central = funds - local;
        let class = ["operating", "public_welfare", "household"][project % 3];
        let department = DEPARTMENTS[(project / 13) % DEPARTMENTS.len()];
        for (i, value) in values.iter().enumerate() {
            let (owner, owner_type, id) = if class == "household" {
                let name = format!(
                    "{}{}",
                    SURNAMES[rng.below(20) as usize],
                    GIVEN[rng.below(20) as usize]
                );
                (name, "household", id_number(&mut rng))
            } else {
                (
                    format!("{village}村民委员会"),
                    "village_collective",
                    String::new(),
                )
            };
            // Handed over to the village committee the year after, which looks after it:
            // a `handed_over` entry beside the `registered` one; every tenth asset is
            // received by the town's service station and looked after by the village,
            // which adds a `custodian_changed` entry.
            let receiver = if (project + i).is_multiple_of(10) {
                format!("{town}农业综合服务站")
            } else {
                format!("{village}村委会")
            };
            writeln!(
                out,
                "PR{project:07},{town}{village}{year}年扶贫项目{project},{year},{town},{village},{}.{:02},中央财政专项扶贫资金,PR{project:07}-{i:02},{},{class},{},{},{}.{:02},{owner},{owner_type},{id},{village}村委会,{year}-12-{:02},兴确字({year})第{project:07}{i:02}号,{department},{}.{:02},{}.{:02},{}-06-{:02},{receiver}",
                funds / 100,
                funds % 100,
                ["光伏电站", "供水管网", "肉牛", "设施大棚", "村组道路"][i % 5],
                1 + rng.below(100),
                ["千瓦", "米", "头", "座", "米"][i % 5],
                value / 100,
                value % 100,
                1 + rng.below(28),
                central / 100,
                central % 100,
                local / 100,
                local % 100,
                year + 1,
                1 + rng.below(28),
            )?;
            written += 1;
        }
    }
    out.flush()?;
    Ok(std::fs::metadata(path)?.len())
}

/// Runs a command under `/usr/bin/time`, returning wall time and peak resident memory.
fn measure(command: Command) -> (Duration, u64) {
    let report = tempfile::NamedTempFile::new().expect("temp file");
    let program = command.get_program().to_owned();
    let args: Vec<_> = command.get_args().map(ToOwned::to_owned).collect();
    let envs: Vec<_> = command
        .get_envs()
        .map(|(k, v)| (k.to_owned(), v.map(ToOwned::to_owned)))
        .collect();
    let mut timed = Command::new("/usr/bin/time");
    timed
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(report.path())
        .arg(program)
        .args(args);
    for (key, value) in envs {
        match value {
            Some(v) => timed.env(key, v),
            None => timed.env_remove(key),
        };
    }
    let started = Instant::now();
    let output = timed.output().expect("run command");
    let elapsed = started.elapsed();
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let kib: u64 = std::fs::read_to_string(report.path())
        .unwrap_or_default()
        .trim()
        .lines()
        .last()
        .unwrap_or("0")
        .parse()
        .unwrap_or(0);
    (elapsed, kib * 1024)
}

fn binary() -> PathBuf {
    // The bench profile builds the binary next to this bench's own executable.
    let exe = std::env::current_exe().expect("bench executable");
    let dir = exe.parent().and_then(Path::parent).expect("target dir");
    dir.join("asset-registry")
}

fn plain_table_sql() -> String {
    let columns: Vec<String> = HEADER
        .trim()
        .split(',')
        .map(|c| {
            if c == "asset_code" {
                format!("{c} TEXT PRIMARY KEY")
            } else {
                format!("{c} TEXT")
            }
        })
        .collect();
    format!("CREATE TABLE plain ({});", columns.join(", "))
}

fn sqlite_baseline(csv: &Path, dir: &Path) -> Duration {
    let db = dir.join("baseline.sqlite3");
    let _ = std::fs::remove_file(&db);
    let mut command = Command::new("sqlite3");
    command
        .arg(&db)
        .arg(plain_table_sql())
        .arg(".mode csv")
        .arg(format!(".import --skip 1 {} plain", csv.display()));
    measure(command).0
}

fn our_import(csv: &Path, database: &str) -> (Duration, u64) {
    let mut command = Command::new(binary());
    command
        .args(["--database", database, "import"])
        .arg(csv)
        .env_remove("DATABASE_URL");
    measure(command)
}

fn postgres_baseline(csv: &Path, url: &str) -> Duration {
    let mut command = Command::new("psql");
    command
        .args(["-q", "-v", "ON_ERROR_STOP=1", url, "-c"])
        .arg(plain_table_sql())
        .arg("-c")
        .arg(format!(
            "\\copy plain FROM '{}' WITH (FORMAT csv, HEADER true)",
            csv.display()
        ));
    measure(command).0
}

/// The tables the register writes, each with the column that keys it: the registered
/// fields once (the assets' rows and `registered_fields`), the ledger's `registered`
/// entries with only their digest.
const REGISTER_TABLES: [(&str, &str); 4] = [
    ("projects", "code"),
    ("assets", "id"),
    ("registered_fields", "asset_id"),
    ("ledger_entries", "seq"),
];

/// Exports the rows an import stored in the SQLite `database` as one CSV file per
/// table, with a `CREATE TABLE` of plain text columns and one primary key for each.
fn register_rows(database: &str, dir: &Path) -> Vec<(String, PathBuf)> {
    REGISTER_TABLES
        .iter()
        .map(|(table, key)| {
            let columns = Command::new("sqlite3")
                .arg(database)
                .arg(format!(
                    "SELECT group_concat(name) FROM pragma_table_info('{table}')"
                ))
                .output()
                .expect("sqlite3");
            let columns = String::from_utf8_lossy(&columns.stdout).trim().to_owned();
            let create = format!(
                "CREATE TABLE {table} ({});",
                columns
                    .split(',')
                    .map(|c| if c == *key {
                        format!("{c} TEXT PRIMARY KEY")
                    } else {
                        format!("{c} TEXT")
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let csv = dir.join(format!("{table}.csv"));
            let exported = Command::new("sqlite3")
                .args(["-csv", database])
                .arg(format!("SELECT * FROM {table}"))
                .stdout(std::fs::File::create(&csv).expect("csv file"))
                .status()
                .expect("sqlite3");
            assert!(exported.success(), "export {table}");
            (create, csv)
        })
        .collect()
}

/// `sqlite3 .import` of the register's own rows: what SQLite's fastest bulk path costs
/// for the bytes the import must store, without checks, hashes or secondary indexes.
fn sqlite_register_floor(rows: &[(String, PathBuf)], dir: &Path) -> Duration {
    let db = dir.join("floor.sqlite3");
    let _ = std::fs::remove_file(&db);
    let mut command = Command::new("sqlite3");
    command.arg(&db);
    for (create, _) in rows {
        command.arg(create);
    }
    command.arg(".mode csv");
    for ((table, _), (_, csv)) in REGISTER_TABLES.iter().zip(rows) {
        command.arg(format!(".import {} {table}", csv.display()));
    }
    measure(command).0
}

/// `psql \copy` of the register's own rows, as [`sqlite_register_floor`].
fn postgres_register_floor(rows: &[(String, PathBuf)], url: &str) -> Duration {
    let mut command = Command::new("psql");
    command.args(["-q", "-v", "ON_ERROR_STOP=1", url]);
    for (create, _) in rows {
        command.arg("-c").arg(create);
    }
    for ((table, _), (_, csv)) in REGISTER_TABLES.iter().zip(rows) {
        command.arg("-c").arg(format!(
            "\\copy {table} FROM '{}' WITH (FORMAT csv)",
            csv.display()
        ));
    }
    measure(command).0
}

fn postgres_database(admin: &str) -> (String, String) {
    let name = format!("ar_bench_{}", uuid::Uuid::new_v4().simple());
    let mut conn =
        <diesel::PgConnection as diesel::Connection>::establish(admin).expect("PostgreSQL");
    conn.batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create");
    let url = format!(
        "{}/{name}",
        &admin[..admin.rfind('/').unwrap_or(admin.len())]
    );
    (name, url)
}

fn drop_postgres(admin: &str, name: &str) {
    if let Ok(mut conn) = <diesel::PgConnection as diesel::Connection>::establish(admin) {
        let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    }
}

/// The register the bench reads: a department the generator gives projects, an asset it
/// registers, and a date early in the register's history (projects of 2014–2020,
/// confirmed in December, handed over the June after).
const READ_DEPARTMENT: &str = DEPARTMENTS[0];
const READ_ASSET: &str = "PR0000001-00";
const EARLIER: &str = "2017-06-30";

/// The peak resident memory of this process so far, in MiB (`VmHWM`).
fn own_peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|kib| kib.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}

/// Prints the import's figures: against the raw load of the CSV and its peak memory.
fn print_import(
    backend: &str,
    raw: &str,
    ours: Duration,
    baseline: Duration,
    peak: u64,
    entries: i64,
) {
    println!(
        "{backend} import: ours={:.2}s baseline({raw})={:.2}s ratio={:.2} peak_rss_mib={:.1} entries={entries}",
        ours.as_secs_f64(),
        baseline.as_secs_f64(),
        ours.as_secs_f64() / baseline.as_secs_f64(),
        peak as f64 / 1048576.0
    );
}

fn main() {
    // Before the first PostgreSQL connection (see `db::tls`).
    asset_registry::db::tls::init();
    let rows: usize = std::env::var("PROVINCE_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    // `PROVINCE_DATABASE` names a register imported before (a SQLite file, or a
    // PostgreSQL URL): only its reads are timed, on it as it is.
    if let Ok(database) = std::env::var("PROVINCE_DATABASE") {
        let backend = if database.starts_with("postgres") {
            "postgres"
        } else {
            "sqlite"
        };
        let entries = reads::entries(&database);
        reads::all(
            backend,
            &database,
            READ_DEPARTMENT,
            READ_ASSET,
            entries,
            EARLIER,
        );
        return;
    }
    if let Ok(path) = std::env::var("PROVINCE_CSV_ONLY") {
        let bytes = generate(Path::new(&path), rows).expect("generate");
        println!("wrote {rows} rows, {bytes} bytes to {path}");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    // `PROVINCE_CSV` names a register written before (by `PROVINCE_CSV_ONLY` with the
    // same `PROVINCE_ROWS`), to skip writing it again.
    let csv = match std::env::var("PROVINCE_CSV") {
        Ok(path) => PathBuf::from(path),
        Err(_) => {
            let csv = dir.path().join("province.csv");
            let started = Instant::now();
            generate(&csv, rows).expect("generate");
            println!("generated_in={:.1}s", started.elapsed().as_secs_f64());
            csv
        }
    };
    let bytes = std::fs::metadata(&csv).expect("province csv").len();
    println!("rows={rows} bytes={bytes} csv={}", csv.display());

    // `PROVINCE_BACKENDS=postgres` leaves SQLite out (and with it the floor, which
    // loads the rows the SQLite import stored).
    let sqlite = std::env::var("PROVINCE_BACKENDS").map_or(true, |b| b.contains("sqlite"));
    let stored = if sqlite {
        Some(sqlite_part(&csv, dir.path(), rows))
    } else {
        None
    };
    if let Ok(admin) = std::env::var("BENCH_POSTGRES_URL") {
        postgres_part(&csv, &admin, stored.as_ref());
    }
    println!("bench process peak_rss_mib={:.1}", own_peak_mib());
}

/// Imports `csv` into SQLite and reads it; returns the rows it stored, for the floor.
fn sqlite_part(csv: &Path, dir: &Path, rows: usize) -> (Vec<(String, PathBuf)>, Duration) {
    let baseline = sqlite_baseline(csv, dir);
    let database = dir.join("registry.sqlite3").to_string_lossy().into_owned();
    let (ours, peak) = our_import(csv, &database);
    let entries = reads::entries(&database);
    print_import("sqlite", ".import", ours, baseline, peak, entries);
    reads::all(
        "sqlite",
        &database,
        READ_DEPARTMENT,
        READ_ASSET,
        entries,
        EARLIER,
    );
    // The floor under any import that stores what the register must: the databases'
    // own bulk load of the rows ours stored (projects, assets, ledger entries).
    let stored = register_rows(&database, dir);
    let floor = sqlite_register_floor(&stored, dir);
    println!(
        "sqlite floor: .import of the register's own rows={:.2}s ratio_to_baseline={:.2} ours_to_floor={:.2}",
        floor.as_secs_f64(),
        floor.as_secs_f64() / baseline.as_secs_f64(),
        ours.as_secs_f64() / floor.as_secs_f64()
    );

    if rows <= xlsx::XLSX_MAX_ROWS {
        let xlsx = dir.join("province.xlsx");
        xlsx::write_xlsx(csv, &xlsx);
        let xlsx_database = dir
            .join("registry-xlsx.sqlite3")
            .to_string_lossy()
            .into_owned();
        let (xlsx_ours, xlsx_peak) = our_import(&xlsx, &xlsx_database);
        println!(
            "sqlite xlsx import: ours={:.2}s csv={:.2}s ratio_to_csv={:.2} bytes={} peak_rss_mib={:.1}",
            xlsx_ours.as_secs_f64(),
            ours.as_secs_f64(),
            xlsx_ours.as_secs_f64() / ours.as_secs_f64(),
            std::fs::metadata(&xlsx).map_or(0, |m| m.len()),
            xlsx_peak as f64 / 1048576.0
        );
    }

    (stored, ours)
}

/// Imports `csv` into PostgreSQL and reads it; with the rows SQLite stored, the floor.
fn postgres_part(csv: &Path, admin: &str, stored: Option<&(Vec<(String, PathBuf)>, Duration)>) {
    {
        let (baseline_name, baseline_url) = postgres_database(admin);
        let pg_baseline = postgres_baseline(csv, &baseline_url);
        drop_postgres(admin, &baseline_name);
        let (name, url) = postgres_database(admin);
        let (pg_ours, pg_peak) = our_import(csv, &url);
        let pg_entries = reads::entries(&url);
        print_import(
            "postgres",
            "\\copy",
            pg_ours,
            pg_baseline,
            pg_peak,
            pg_entries,
        );
        reads::all(
            "postgres",
            &url,
            READ_DEPARTMENT,
            READ_ASSET,
            pg_entries,
            EARLIER,
        );
        drop_postgres(admin, &name);
        let Some((stored, _)) = stored else {
            return;
        };
        let (floor_name, floor_url) = postgres_database(admin);
        let floor = postgres_register_floor(stored, &floor_url);
        drop_postgres(admin, &floor_name);
        println!(
            "postgres floor: \\copy of the register's own rows={:.2}s ratio_to_baseline={:.2} ours_to_floor={:.2}",
            floor.as_secs_f64(),
            floor.as_secs_f64() / pg_baseline.as_secs_f64(),
            pg_ours.as_secs_f64() / floor.as_secs_f64()
        );
    }
}
