//! Test support: a fresh database per test (a temp SQLite file, or a new PostgreSQL
//! database), the app built on it, tokens of every role, and the runner that registers
//! each scenario once per backend.

#![allow(dead_code)]

pub mod routes;

use std::path::{Path, PathBuf};

use asset_registry::auth::{self, Role};
use asset_registry::db::{Backend, Db};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use libtest_mimic::{Arguments, Trial};
use rocket::figment::Figment;
use rocket::http::{ContentType, Header, Status};
use rocket::local::blocking::Client;
use serde_json::Value;

/// Where PostgreSQL tests create their databases.
///
/// Every test connects to PostgreSQL through this URL first, so it is also where
/// OpenSSL is started without its exit handler (`db::tls`): a test binary whose first
/// connection libpq made on its own could abort at exit.
pub fn postgres_admin_url() -> String {
    asset_registry::db::tls::init();
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// Whether the PostgreSQL of [`postgres_admin_url`] answers; why not when it does not.
pub fn postgres_reachable() -> Result<(), String> {
    diesel::PgConnection::establish(&postgres_admin_url())
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// `figment` with the setting `approvals` empty unless it names one: the scenarios
/// written before approvals append disposals and distributions at once.
pub fn with_approvals_off(figment: Figment) -> Figment {
    if figment.find_value("approvals").is_ok() {
        figment
    } else {
        figment.merge(("approvals", ""))
    }
}

/// A scenario run once per backend.
pub type Scenario = fn(&TestApp);

/// Registers every scenario for SQLite and PostgreSQL and runs them in parallel.
///
/// Without a reachable PostgreSQL the PostgreSQL half is reported as ignored, and
/// said so plainly; under `CI=true` it is run (and fails) instead.
pub fn run(scenarios: Vec<(&'static str, Scenario)>) -> std::process::ExitCode {
    run_with(scenarios, |backend| TestApp::new(backend, None))
}

/// As [`run`], with each scenario's app made by `make` (on a prepared database, say).
pub fn run_with(
    scenarios: Vec<(&'static str, Scenario)>,
    make: fn(Backend) -> TestApp,
) -> std::process::ExitCode {
    let args = Arguments::from_args();
    let required = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    let postgres = postgres_reachable();
    if let Err(reason) = &postgres {
        if required {
            println!(
                "PostgreSQL is required (CI=true) but not reachable at {}: {reason}",
                postgres_admin_url()
            );
        } else {
            println!(
                "NOTE: PostgreSQL is not reachable at {} ({}): the PostgreSQL half of these tests is SKIPPED (shown as ignored). Set CI=true to require it.",
                postgres_admin_url(),
                reason.lines().next().unwrap_or_default()
            );
        }
    }
    let skip_postgres = postgres.is_err() && !required;
    let mut trials = Vec::new();
    for (name, scenario) in scenarios {
        trials.push(Trial::test(format!("sqlite::{name}"), move || {
            scenario(&make(Backend::Sqlite));
            Ok(())
        }));
        trials.push(
            Trial::test(format!("postgres::{name}"), move || {
                scenario(&make(Backend::Postgres));
                Ok(())
            })
            .with_ignored_flag(skip_postgres),
        );
    }
    libtest_mimic::run(&args, trials).exit_code()
}

/// A database made for one test and dropped after it.
pub struct TestDatabase {
    pub url: String,
    pub backend: Backend,
    _dir: Option<tempfile::TempDir>,
    postgres_name: Option<String>,
}

impl TestDatabase {
    /// A new empty database of `backend`.
    pub fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = dir
                    .path()
                    .join("registry.sqlite3")
                    .to_string_lossy()
                    .into_owned();
                TestDatabase {
                    url,
                    backend,
                    _dir: Some(dir),
                    postgres_name: None,
                }
            }
            Backend::Postgres => {
                let name = format!("ar_test_{}", uuid::Uuid::new_v4().simple());
                let mut admin = diesel::PgConnection::establish(&postgres_admin_url())
                    .expect("PostgreSQL reachable");
                admin
                    .batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("create test database");
                let base = postgres_admin_url();
                let url = match base.rfind('/') {
                    Some(slash) => format!("{}/{name}", &base[..slash]),
                    None => base,
                };
                TestDatabase {
                    url,
                    backend,
                    _dir: None,
                    postgres_name: Some(name),
                }
            }
        }
    }

    /// The folder of a SQLite database (for files a test writes beside it).
    pub fn folder(&self) -> Option<&Path> {
        self._dir.as_ref().map(|d| d.path())
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(name) = &self.postgres_name {
            if let Ok(mut admin) = diesel::PgConnection::establish(&postgres_admin_url()) {
                let _ =
                    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// The app on its own database, with a token of each role.
pub struct TestApp {
    pub client: Client,
    pub db: Db,
    pub backend: Backend,
    pub admin: String,
    pub clerk: String,
    pub auditor: String,
    pub reader: String,
    pub database: TestDatabase,
    /// The settings the app runs with (a signed-in browser gets the same).
    pub figment: Figment,
}

/// A response read whole.
pub struct Reply {
    pub status: Status,
    pub content_type: Option<String>,
    pub body: Value,
}

impl TestApp {
    /// The app on a fresh database; `figment` overrides Rocket settings.
    pub fn new(backend: Backend, figment: Option<Figment>) -> Self {
        Self::on(TestDatabase::new(backend), figment)
    }

    /// The app on a database a test has prepared (migrations still pending are applied).
    pub fn on(database: TestDatabase, figment: Option<Figment>) -> Self {
        let backend = database.backend;
        let db = Db::open(&database.url, 4).expect("open test database");
        let mut conn = db.conn().expect("connection");
        let mut token = |role: Role| {
            auth::create_token(
                &mut conn,
                &format!("test-{role}"),
                role,
                &asset_registry::domain::Scope::County,
            )
            .expect("token")
            .secret
        };
        let (admin, clerk, auditor, reader) = (
            token(Role::Admin),
            token(Role::Clerk),
            token(Role::Auditor),
            token(Role::Reader),
        );
        drop(conn);
        let figment = with_approvals_off(
            figment.unwrap_or_else(|| rocket::Config::figment().merge(("log_level", "off"))),
        );
        let client = Client::tracked(asset_registry::server::rocket(db.clone(), figment.clone()))
            .expect("rocket");
        TestApp {
            client,
            db,
            backend,
            admin,
            clerk,
            auditor,
            reader,
            database,
            figment,
        }
    }

    /// A browser signed in with `token` through `POST /login`: its own client on this
    /// app's database, holding the session cookie.
    pub fn signed_in(&self, token: &str) -> Client {
        let client = Client::tracked(asset_registry::server::rocket(
            self.db.clone(),
            self.figment.clone(),
        ))
        .expect("client");
        let status = client
            .post("/login")
            .header(ContentType::Form)
            .body(format!("token={token}"))
            .dispatch()
            .status();
        assert_eq!(status, Status::SeeOther);
        client
    }

    /// `GET path` with `token` (or none).
    pub fn get(&self, path: &str, token: Option<&str>) -> Reply {
        let mut request = self.client.get(path.to_owned());
        if let Some(token) = token {
            request = request.header(Header::new("Authorization", format!("Bearer {token}")));
        }
        reply_of(request.dispatch())
    }

    /// `POST path` with a raw body.
    pub fn post(
        &self,
        path: &str,
        token: Option<&str>,
        body: Vec<u8>,
        content_type: ContentType,
    ) -> Reply {
        let mut request = self
            .client
            .post(path.to_owned())
            .header(content_type)
            .body(body);
        if let Some(token) = token {
            request = request.header(Header::new("Authorization", format!("Bearer {token}")));
        }
        reply_of(request.dispatch())
    }

    /// Appends `entry` to the ledger of `asset` as the clerk; asserts 201 and returns its
    /// `seq`.
    pub fn append_as_clerk(&self, asset: &str, entry: serde_json::Value) -> i64 {
        let reply = self.post(
            &format!("/api/v1/assets/{asset}/ledger"),
            Some(&self.clerk),
            entry.to_string().into_bytes(),
            ContentType::JSON,
        );
        assert_eq!(
            reply.status,
            rocket::http::Status::Created,
            "{asset} {entry}: {}",
            reply.body
        );
        reply.body["seq"].as_i64().expect("seq")
    }

    /// `DELETE path`.
    pub fn delete(&self, path: &str, token: Option<&str>) -> Reply {
        let mut request = self.client.delete(path.to_owned());
        if let Some(token) = token {
            request = request.header(Header::new("Authorization", format!("Bearer {token}")));
        }
        reply_of(request.dispatch())
    }

    /// Posts CSV bytes to the import endpoint as the clerk.
    pub fn import(&self, bytes: &[u8], dry_run: bool) -> Reply {
        let path = format!("/api/v1/imports?dry_run={dry_run}");
        self.post(&path, Some(&self.clerk), bytes.to_vec(), ContentType::CSV)
    }

    /// Imports a file of `imports/`.
    pub fn import_sample(&self, name: &str) -> Reply {
        self.import(&std::fs::read(sample(name)).expect("sample file"), false)
    }

    /// Totals grouped by `group_by`, as the reader sees them.
    pub fn totals(&self, group_by: &str) -> Value {
        let reply = self.get(
            &format!("/api/v1/totals?group_by={group_by}"),
            Some(&self.reader),
        );
        assert_eq!(reply.status, Status::Ok, "{}", reply.body);
        reply.body
    }

    /// Checks that the maintained totals equal the totals computed from the rows.
    pub fn assert_summary_consistent(&self) {
        use asset_registry::register::summary::Summary;
        let mut conn = self.db.conn().expect("connection");
        let maintained = Summary::load(&mut conn).expect("maintained totals");
        let recomputed = Summary::recompute(&mut conn).expect("recomputed totals");
        assert_eq!(
            maintained, recomputed,
            "maintained totals drifted from the rows"
        );
        use asset_registry::register::figures;
        let kept = figures::kept(&mut conn).expect("maintained figures by group");
        let again = figures::recompute(&mut conn).expect("recomputed figures by group");
        assert_eq!(
            kept, again,
            "maintained figures by group drifted from the rows"
        );
        assert_eq!(figures::compare(&mut conn).expect("compare"), None);
        drop(conn);
        self.assert_findings_kept();
    }

    /// Checks that the kept findings equal their recomputation in the county and in
    /// every town, village and department the register names.
    pub fn assert_findings_kept(&self) {
        use asset_registry::db::schema::{assets, projects};
        use asset_registry::domain::Scope;
        use asset_registry::reconcile::findings::maintain::compare;
        let mut conn = self.db.conn().expect("connection");
        let places: Vec<(String, Option<String>)> = assets::table
            .select((assets::town, assets::village))
            .distinct()
            .load(&mut *conn)
            .expect("places");
        let departments: Vec<Option<String>> = projects::table
            .select(projects::department)
            .distinct()
            .load(&mut *conn)
            .expect("departments");
        let mut scopes = vec![Scope::County];
        let mut villages = Vec::new();
        for (town, village) in places {
            if !scopes.contains(&Scope::Town(town.clone())) {
                scopes.push(Scope::Town(town.clone()));
            }
            // A few villages are enough to show the rows carry theirs.
            if let Some(village) = village.filter(|_| villages.len() < 12) {
                villages.push(Scope::Village { town, village });
            }
        }
        scopes.extend(villages);
        scopes.extend(departments.into_iter().flatten().map(Scope::Department));
        for scope in scopes {
            assert_eq!(
                compare(&mut conn, &scope).expect("compare"),
                None,
                "the kept findings in {scope} differ from their recomputation"
            );
        }
    }

    /// A further county-wide token of `role`, named `name` (another system or clerk).
    pub fn county_token(&self, role: Role, name: &str) -> String {
        let mut conn = self.db.conn().expect("connection");
        auth::create_token(
            &mut conn,
            name,
            role,
            &asset_registry::domain::Scope::County,
        )
        .expect("token")
        .secret
    }

    /// How many rows `table` holds.
    pub fn count_rows(&self, table: &str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Counted {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = self.db.conn().expect("connection");
        let counted: Counted = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
            .get_result(&mut *conn)
            .expect("count");
        counted.n
    }

    /// A second server on this database whose statements time out after a second, as
    /// another process serving beside a long import: a write there that waits for the
    /// chain's lock ([`Self::beside_a_held_chain_lock`]) runs out of time.
    pub fn impatient_server(&self) -> Client {
        let settings = rocket::Config::figment().merge(("statement_timeout", 1));
        let timeout = asset_registry::db::pool::statement_timeout(&settings);
        let served = Db::open_with_timeout(&self.database.url, 2, "serve", timeout).expect("open");
        Client::tracked(asset_registry::server::rocket(served, self.figment.clone()))
            .expect("rocket")
    }

    /// Runs `write` while another connection holds the ledger chain's lock (a
    /// transaction that has written the head row and not ended, as an append in
    /// progress does), released once `write` returns or after `patience`: what `write`
    /// returned, and whether it returned before the lock was given up waiting for it.
    /// For PostgreSQL only: on SQLite any write waits for the one writer.
    pub fn beside_a_held_chain_lock<T>(
        &self,
        patience: std::time::Duration,
        write: impl FnOnce() -> T,
    ) -> (T, bool) {
        let (held, is_held) = std::sync::mpsc::channel();
        let (done, is_done) = std::sync::mpsc::channel::<()>();
        std::thread::scope(|threads| {
            let db = self.db.clone();
            let holder = threads.spawn(move || {
                let mut conn = db.conn().expect("connection");
                conn.batch_execute("BEGIN; UPDATE ledger_head SET seq = seq WHERE id = 1")
                    .expect("hold the chain's lock");
                held.send(()).expect("held");
                let in_time = is_done.recv_timeout(patience).is_ok();
                conn.batch_execute("ROLLBACK").expect("release the lock");
                in_time
            });
            is_held.recv().expect("the lock held");
            let written = write();
            // The holder may have given up already: nobody then listens.
            let _ = done.send(());
            (written, holder.join().expect("holder"))
        })
    }

    /// Runs `write` while another connection's transaction has run `hold` and not yet
    /// committed, as a request in progress beside it: the transaction commits once
    /// `write` waits for it (on PostgreSQL, once a session of this database waits on a
    /// lock, or after 10 seconds; on SQLite, whose one writer is waited for anyway,
    /// after a moment). What `write` returned, and whether it was seen waiting.
    pub fn beside_an_uncommitted_write<T>(
        &self,
        hold: impl FnOnce(&mut asset_registry::db::DbConnection) -> QueryResult<()> + Send,
        write: impl FnOnce() -> T,
    ) -> (T, bool) {
        let (held, is_held) = std::sync::mpsc::channel();
        std::thread::scope(|threads| {
            let (db, backend, url) = (self.db.clone(), self.backend, self.database.url.clone());
            let holder = threads.spawn(move || {
                let mut conn = db.conn().expect("connection");
                conn.transaction(|conn| {
                    hold(conn)?;
                    held.send(()).expect("held");
                    Ok::<_, diesel::result::Error>(match backend {
                        Backend::Postgres => a_session_waits_on_a_lock(&url),
                        Backend::Sqlite => {
                            std::thread::sleep(std::time::Duration::from_millis(300));
                            false
                        }
                    })
                })
                .expect("the held write commits")
            });
            is_held.recv().expect("the write held");
            let written = write();
            (written, holder.join().expect("holder"))
        })
    }

    /// Everything an import may write, to prove that nothing was.
    pub fn register_state(&self) -> RegisterState {
        let mut conn = self.db.conn().expect("connection");
        use asset_registry::db::schema::{assets, ledger_entries, ledger_head, projects};
        RegisterState {
            projects: projects::table
                .count()
                .get_result(&mut *conn)
                .expect("count"),
            assets: assets::table.count().get_result(&mut *conn).expect("count"),
            entries: ledger_entries::table
                .count()
                .get_result(&mut *conn)
                .expect("count"),
            head: ledger_head::table
                .select(ledger_head::hash)
                .first(&mut *conn)
                .expect("head"),
        }
    }
}

/// Whether a session of the PostgreSQL database at `url` comes to wait on a lock
/// within 10 seconds.
fn a_session_waits_on_a_lock(url: &str) -> bool {
    let mut watcher = diesel::PgConnection::establish(url).expect("PostgreSQL reachable");
    let waiting = diesel::dsl::sql::<diesel::sql_types::BigInt>(
        "(SELECT COUNT(*) FROM pg_stat_activity \
         WHERE datname = current_database() AND wait_event_type = 'Lock')",
    );
    for _ in 0..200 {
        let count: i64 = diesel::select(waiting.clone())
            .get_result(&mut watcher)
            .expect("pg_stat_activity");
        if count > 0 {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    false
}

/// Counts of what the register holds, and the chain's head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterState {
    pub projects: i64,
    pub assets: i64,
    pub entries: i64,
    pub head: String,
}

/// Posts the form `body` to `path` on `client` in the web session of `token`: the
/// status, the `Location` and the page.
pub fn post_form(
    client: &Client,
    path: &str,
    token: &str,
    body: String,
) -> (Status, Option<String>, String) {
    let response = client
        .post(path.to_owned())
        .header(ContentType::Form)
        .cookie(rocket::http::Cookie::new(
            auth::SESSION_COOKIE,
            token.to_owned(),
        ))
        .body(body)
        .dispatch();
    let status = response.status();
    let location = response.headers().get_one("Location").map(str::to_owned);
    (status, location, response.into_string().unwrap_or_default())
}

/// Asserts that `page`, answered with `status`, is the page of a busy database (503:
/// nothing written, send it again), not the internal-error page.
pub fn assert_busy_page(status: Status, page: &str) {
    assert_eq!(status, Status::ServiceUnavailable, "{page}");
    assert!(page.contains("<title>数据库繁忙"), "{page}");
    assert!(
        page.contains(
            "<p>数据库正忙，请稍后再试；刚才若是提交，本次未写入任何数据，请稍后重新提交。</p>"
        ),
        "{page}"
    );
    assert!(!page.contains("服务器内部错误"), "{page}");
}

/// Reads a dispatched response whole.
pub fn reply_of(response: rocket::local::blocking::LocalResponse<'_>) -> Reply {
    let status = response.status();
    let content_type = response.content_type().map(|c| c.to_string());
    let text = response.into_string().unwrap_or_default();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    Reply {
        status,
        content_type,
        body,
    }
}

/// A file of the repository's `imports/`.
pub fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("imports")
        .join(name)
}

/// Percent-encodes a query value.
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Encodes text as GB18030, as Excel in a Chinese locale saves CSV.
pub fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}
