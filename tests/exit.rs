//! The process exit after PostgreSQL connections. OpenSSL, which libpq uses for TLS,
//! registers `OPENSSL_cleanup` with `atexit` unless started otherwise; that handler
//! freed state that threads exiting at the same moment freed too, and a test binary
//! aborted at exit with `double free or corruption (fasttop)`. Each trial runs this
//! binary again as a child that connects and exits, with a handler of its own
//! registered before any OpenSSL one could be, so that it runs after them and can tell
//! whether OpenSSL cleaned up. And a dropped pool's worker threads, which opened its
//! connections, stop with it instead of exiting at some later moment.

mod support;

use std::ffi::{c_int, c_void};
use std::process::{Command, ExitCode, Output};

use diesel::r2d2::ManageConnection;
use diesel::Connection;
use libtest_mimic::{Arguments, Trial};

/// Set in a child: how it connects (`pool` or `plain`).
const CHILD: &str = "ASSET_REGISTRY_EXIT_CHILD";
/// Set in a child: the PostgreSQL URL it connects to.
const CHILD_URL: &str = "ASSET_REGISTRY_EXIT_CHILD_URL";
/// The child's exit status when OpenSSL's exit handler ran.
const CLEANED_UP: c_int = 3;
/// OpenSSL's `OPENSSL_INIT_BASE_ONLY`: asks only whether OpenSSL can still be used.
const OPENSSL_INIT_BASE_ONLY: u64 = 0x0004_0000;

extern "C" {
    fn atexit(handler: extern "C" fn()) -> c_int;
    fn _exit(status: c_int) -> !;
    fn OPENSSL_init_crypto(opts: u64, settings: *const c_void) -> c_int;
}

/// Runs at exit after every handler registered later; OpenSSL refuses to start again
/// once `OPENSSL_cleanup` has run.
extern "C" fn report_openssl_cleanup() {
    // SAFETY: a plain query of OpenSSL's state; `_exit` ends the process without
    // running further exit handlers, which is what a handler that reports must do.
    unsafe {
        if OPENSSL_init_crypto(OPENSSL_INIT_BASE_ONLY, std::ptr::null()) == 0 {
            eprintln!("OpenSSL cleaned up at exit");
            _exit(CLEANED_UP);
        }
    }
}

/// The child: registers the reporting handler, then connects to `url` as `how` says.
fn child(how: &str, url: &str) -> ExitCode {
    // SAFETY: registers a handler with the C library; it takes no arguments.
    if unsafe { atexit(report_openssl_cleanup) } != 0 {
        eprintln!("atexit failed");
        return ExitCode::FAILURE;
    }
    match how {
        // As the service connects: through the pool's connection manager.
        "pool" => {
            let manager = asset_registry::db::pool::ConnectionManager::new(url);
            drop(manager.connect().expect("pooled connection"));
        }
        // As libpq alone would: the handler is registered on first use of TLS.
        _ => drop(diesel::PgConnection::establish(url).expect("plain connection")),
    }
    ExitCode::SUCCESS
}

/// The r2d2 worker threads of this process now.
fn pool_workers() -> usize {
    std::fs::read_dir("/proc/self/task")
        .expect("own threads")
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .filter(|name| name.starts_with("r2d2-worker"))
        .count()
}

/// Runs this binary as a child connecting `how`.
fn run_child(how: &str) -> Output {
    Command::new(std::env::current_exe().expect("own path"))
        .env(CHILD, how)
        .env(CHILD_URL, support::postgres_admin_url())
        .output()
        .expect("child runs")
}

fn main() -> ExitCode {
    if let (Ok(how), Ok(url)) = (std::env::var(CHILD), std::env::var(CHILD_URL)) {
        return child(&how, &url);
    }
    let args = Arguments::from_args();
    let required = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    let skip = support::postgres_reachable().is_err() && !required;
    if skip {
        println!("NOTE: PostgreSQL is not reachable: these tests are SKIPPED (shown as ignored). Set CI=true to require it.");
    }
    let trials = vec![
        Trial::test("sqlite::a_dropped_pool_leaves_no_worker_threads", || {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = dir.path().join("registry.sqlite3");
            let db = asset_registry::db::Db::open(&url.to_string_lossy(), 2).expect("open");
            let before = pool_workers();
            drop(db);
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
            while pool_workers() > 0 && std::time::Instant::now() < deadline {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            match (before, pool_workers()) {
                (0, _) => Err("the pool started no worker threads".into()),
                (_, 0) => Ok(()),
                (_, left) => Err(format!("{left} worker threads outlived the pool by 5 s").into()),
            }
        }),
        Trial::test(
            "postgres::pooled_connection_leaves_no_openssl_exit_handler",
            || {
                let output = run_child("pool");
                let stderr = String::from_utf8_lossy(&output.stderr);
                if output.status.success() && !stderr.contains("OpenSSL cleaned up") {
                    Ok(())
                } else {
                    Err(format!("child exited {}: {stderr}", output.status).into())
                }
            },
        )
        .with_ignored_flag(skip),
        // The check above can fail: libpq on its own leaves the handler registered.
        Trial::test(
            "postgres::libpq_alone_registers_openssl_exit_handler",
            || {
                let output = run_child("plain");
                let stderr = String::from_utf8_lossy(&output.stderr);
                if output.status.code() == Some(CLEANED_UP) && stderr.contains("OpenSSL cleaned up")
                {
                    Ok(())
                } else {
                    Err(format!("child exited {}: {stderr}", output.status).into())
                }
            },
        )
        .with_ignored_flag(skip),
    ];
    libtest_mimic::run(&args, trials).exit_code()
}
