//! One connection type over both backends, chosen by URL scheme, pooled with r2d2.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, ManageConnection};
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

/// The SQLite migrations, embedded in the binary.
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
/// The PostgreSQL migrations, embedded in the binary.
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// The database file used when no URL is given.
pub const DEFAULT_SQLITE_PATH: &str = "data/registry.sqlite3";

/// The optional prefix of a SQLite URL.
pub const SQLITE_PREFIX: &str = "sqlite://";

/// The setting (Rocket's figment, `ROCKET_STATEMENT_TIMEOUT`): seconds a statement of
/// the server's connections may run on PostgreSQL before the server cancels it; 0
/// turns it off.
pub const STATEMENT_TIMEOUT_SETTING: &str = "statement_timeout";

/// The setting's default, in seconds.
pub const DEFAULT_STATEMENT_TIMEOUT: u64 = 30;

/// The statement timeout `figment` sets (`None` when 0).
pub fn statement_timeout(figment: &rocket::figment::Figment) -> Option<Duration> {
    let seconds = figment
        .extract_inner::<u64>(STATEMENT_TIMEOUT_SETTING)
        .unwrap_or(DEFAULT_STATEMENT_TIMEOUT);
    (seconds > 0).then(|| Duration::from_secs(seconds))
}

/// A connection to either backend.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    /// PostgreSQL, for bureaus that run several server processes on one database.
    Postgres(PgConnection),
    /// The embedded default.
    Sqlite(SqliteConnection),
}

/// The backend type the derived connection generates, for boxed queries.
pub type DbBackend = <DbConnection as Connection>::Backend;

/// Which database engine a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `postgres://` or `postgresql://`.
    Postgres,
    /// A file path, or `sqlite://PATH`.
    Sqlite,
}

impl Backend {
    /// Picks the backend by URL scheme: PostgreSQL for `postgres://`/`postgresql://`,
    /// SQLite for anything else.
    pub fn of_url(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    /// The name the health endpoint reports.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Postgres => "postgres",
            Backend::Sqlite => "sqlite",
        }
    }
}

impl DbConnection {
    /// The backend of this connection.
    pub fn backend(&self) -> Backend {
        match self {
            DbConnection::Postgres(_) => Backend::Postgres,
            DbConnection::Sqlite(_) => Backend::Sqlite,
        }
    }
}

/// A storage failure that is not the caller's fault.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// Could not connect or configure a connection.
    #[error("cannot connect to the database: {0}")]
    Connection(#[from] diesel::ConnectionError),
    /// A query failed.
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    /// The pool could not hand out a connection in time.
    #[error("no database connection available: {0}")]
    Pool(#[from] r2d2::PoolError),
    /// Migrations could not be applied.
    #[error("database migration failed: {0}")]
    Migration(String),
    /// The blocking task running the work panicked or was cancelled.
    #[error("database worker failed: {0}")]
    Worker(String),
    /// The SQLite file's folder or its lock file could not be created.
    #[error("cannot create the database folder or its lock file: {0}")]
    Folder(#[from] std::io::Error),
    /// The SQLite register named does not exist, and the caller may not create one.
    #[error(
        "登记库 {0} 不存在（只有 serve 和 import 会新建登记库；请检查 --database 或 DATABASE_URL）"
    )]
    Missing(String),
}

/// `From<diesel::result::Error>` for an error enum whose variant `Db` holds a
/// [`DbError`]: a failed query becomes `Db(DbError::Query(..))`, so that `?` on a query
/// works in a function returning that error. A macro because each error is its own
/// enum (a blanket impl over them is not allowed for a foreign trait and type).
macro_rules! db_variant_from_query {
    ($error:ident) => {
        impl From<diesel::result::Error> for $error {
            fn from(e: diesel::result::Error) -> Self {
                $error::Db($crate::db::DbError::Query(e))
            }
        }
    };
}

pub(crate) use db_variant_from_query;

/// Opens connections of the backend its URL names and prepares each one.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: String,
    backend: Backend,
    application_name: String,
    statement_timeout: Option<Duration>,
}

impl ConnectionManager {
    /// A manager for `url`: `postgres://…` or a SQLite path (`sqlite://` prefix optional).
    pub fn new(url: &str) -> Self {
        Self::named(url, "")
    }

    /// A manager whose PostgreSQL connections tell the server what holds them
    /// (`application_name`, see [`super::holders`]): this process, doing `purpose`.
    pub fn named(url: &str, purpose: &str) -> Self {
        // Before the first connection, which would start OpenSSL with its exit handler.
        super::tls::init();
        ConnectionManager {
            url: url.to_owned(),
            backend: Backend::of_url(url),
            application_name: super::holders::application_name(purpose),
            statement_timeout: None,
        }
    }

    fn sqlite_path(&self) -> &str {
        self.url.strip_prefix(SQLITE_PREFIX).unwrap_or(&self.url)
    }
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = diesel::ConnectionError;

    fn connect(&self) -> Result<DbConnection, diesel::ConnectionError> {
        match self.backend {
            Backend::Postgres => {
                let mut conn = PgConnection::establish(&self.url)?;
                // The name holds only ASCII letters, digits, spaces, '-' and "(pid N)".
                conn.batch_execute(&format!(
                    "SET application_name = '{}'",
                    self.application_name
                ))
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                if let Some(timeout) = self.statement_timeout {
                    conn.batch_execute(&format!("SET statement_timeout = {}", timeout.as_millis()))
                        .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                }
                Ok(DbConnection::Postgres(conn))
            }
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(self.sqlite_path())?;
                // WAL lets readers proceed while one writer appends; busy_timeout makes a
                // writer wait for the lock instead of failing with "database is locked".
                conn.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                     PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;",
                )
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), diesel::ConnectionError> {
        conn.batch_execute("SELECT 1")
            .map_err(diesel::ConnectionError::CouldntSetupConfiguration)
    }

    /// A connection whose holder panicked may still be inside a transaction (and, on
    /// PostgreSQL, hold the chain's row lock): it is closed, not reused.
    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        std::thread::panicking() || diesel::r2d2::R2D2Connection::is_broken(conn)
    }
}

/// The r2d2 pool of connections.
pub type Pool = r2d2::Pool<ConnectionManager>;

/// The database as the application holds it: a pool and the backend it talks to (and,
/// on SQLite, this process's hold on the file, which keeps `restore` away).
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    backend: Backend,
    waiting: Arc<AtomicU64>,
    statement_timeout: Option<Duration>,
    _hold: Option<Arc<std::fs::File>>,
}

/// The pool's connections at one moment (for the metrics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolState {
    /// Connections lent out.
    pub in_use: u64,
    /// Connections open and idle.
    pub idle: u64,
    /// Callers waiting for a connection.
    pub waiting: u64,
    /// The pool's size.
    pub max: u64,
}

/// Counts a caller waiting for a connection while it lives.
struct Waiting<'a>(&'a AtomicU64);

impl<'a> Waiting<'a> {
    fn start(count: &'a AtomicU64) -> Self {
        count.fetch_add(1, Ordering::Relaxed);
        Waiting(count)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Db {
    /// Opens the database at `url`, creating a SQLite file's folder if needed, and
    /// applies pending migrations.
    ///
    /// Fails when the database cannot be reached or a migration fails.
    pub fn open(url: &str, max_connections: u32) -> Result<Self, DbError> {
        Self::open_for(url, max_connections, "")
    }

    /// As [`Db::open`], for a process doing `purpose` (`serve`, `import`…), which is
    /// how `restore` names it while it holds the register open.
    ///
    /// Fails when the database cannot be reached or a migration fails.
    pub fn open_for(url: &str, max_connections: u32, purpose: &str) -> Result<Self, DbError> {
        Self::open_with_timeout(url, max_connections, purpose, None)
    }

    /// As [`Db::open_for`], with connections whose statements PostgreSQL cancels after
    /// `statement_timeout` (the server's: a read never outlives its request). Writes that
    /// may run long on purpose (an import, building the kept findings) lift it for their
    /// transaction ([`lift_statement_timeout`]). SQLite has no such limit: Diesel does
    /// not expose its progress handler.
    ///
    /// Fails as [`Db::open_for`] does.
    pub fn open_with_timeout(
        url: &str,
        max_connections: u32,
        purpose: &str,
        statement_timeout: Option<Duration>,
    ) -> Result<Self, DbError> {
        let mut manager = ConnectionManager::named(url, purpose);
        manager.statement_timeout = statement_timeout;
        let mut hold = None;
        if manager.backend == Backend::Sqlite {
            let path = Path::new(manager.sqlite_path());
            if let Some(folder) = path.parent() {
                if !folder.as_os_str().is_empty() {
                    std::fs::create_dir_all(folder)?;
                }
            }
            hold = Some(Arc::new(super::holders::hold(path)?));
        }
        let backend = manager.backend;
        let pool = r2d2::Pool::builder()
            .max_size(max_connections)
            .connection_timeout(Duration::from_secs(30))
            .thread_pool(workers())
            .build(manager)?;
        let db = Db {
            pool,
            backend,
            waiting: Arc::new(AtomicU64::new(0)),
            statement_timeout,
            _hold: hold,
        };
        db.migrate()?;
        Ok(db)
    }

    /// Opens the register at `url` as [`Db::open_for`] does (for `purpose`), but only
    /// one that exists: a SQLite file that is not there is not created.
    ///
    /// Fails with [`DbError::Missing`] for a missing SQLite file, and as [`Db::open`]
    /// otherwise (a PostgreSQL database that does not exist fails to connect).
    pub fn open_existing(url: &str, max_connections: u32, purpose: &str) -> Result<Self, DbError> {
        let manager = ConnectionManager::named(url, purpose);
        if manager.backend == Backend::Sqlite && !Path::new(manager.sqlite_path()).is_file() {
            return Err(DbError::Missing(manager.sqlite_path().to_owned()));
        }
        // One connection first, so that a database that is not there fails at once
        // instead of after the pool's 30 s of retries.
        drop(manager.connect()?);
        Self::open_for(url, max_connections, purpose)
    }

    /// The backend of this database.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A pooled connection.
    ///
    /// Fails when none frees up within the pool's timeout.
    pub fn conn(&self) -> Result<r2d2::PooledConnection<ConnectionManager>, DbError> {
        let _waiting = Waiting::start(&self.waiting);
        Ok(self.pool.get()?)
    }

    /// The pool's connections in use, idle and waited for now.
    pub fn pool_state(&self) -> PoolState {
        let state = self.pool.state();
        PoolState {
            in_use: u64::from(state.connections.saturating_sub(state.idle_connections)),
            idle: u64::from(state.idle_connections),
            waiting: self.waiting.load(Ordering::Relaxed),
            max: u64::from(self.pool.max_size()),
        }
    }

    /// Runs `work` with a pooled connection on Tokio's blocking thread pool.
    ///
    /// Fails with whatever `work` returns, or when no connection is free in time.
    pub async fn run<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let pool = self.pool.clone();
        let waiting = Arc::clone(&self.waiting);
        let joined = rocket::tokio::task::spawn_blocking(move || {
            let waited = Waiting::start(&waiting);
            let mut conn = pool.get().map_err(DbError::from)?;
            drop(waited);
            work(&mut conn)
        })
        .await;
        joined.unwrap_or_else(|e| Err(E::from(DbError::Worker(e.to_string()))))
    }

    fn migrate(&self) -> Result<(), DbError> {
        let mut conn = self.conn()?;
        match &mut *conn {
            DbConnection::Postgres(pg) => {
                // Several server processes may start together on one database: the
                // advisory lock lets exactly one of them apply the migrations (which,
                // on a large register, may run longer than a request's statements).
                pg.batch_execute("SET statement_timeout = 0; SELECT pg_advisory_lock(4242001)")?;
                let applied = pg
                    .run_pending_migrations(POSTGRES_MIGRATIONS)
                    .map(|_| ())
                    .map_err(|e| DbError::Migration(e.to_string()))
                    .and_then(|()| Ok(super::code_keys::backfill(&mut conn)?))
                    .and_then(|_| Ok(crate::register::figures::backfill(&mut conn)?))
                    .and_then(|_| Ok(crate::reconcile::findings::maintain::backfill(&mut conn)?));
                if let DbConnection::Postgres(pg) = &mut *conn {
                    pg.batch_execute("SELECT pg_advisory_unlock(4242001)")?;
                    // The connection goes back to the pool: with the server's timeout.
                    if let Some(timeout) = self.statement_timeout {
                        pg.batch_execute(&format!(
                            "SET statement_timeout = {}",
                            timeout.as_millis()
                        ))?;
                    }
                }
                applied.map(|_| ())
            }
            DbConnection::Sqlite(lite) => {
                lite.run_pending_migrations(SQLITE_MIGRATIONS)
                    .map_err(|e| DbError::Migration(e.to_string()))?;
                super::code_keys::backfill(&mut conn)?;
                crate::register::figures::backfill(&mut conn)?;
                crate::reconcile::findings::maintain::backfill(&mut conn)?;
                Ok(())
            }
        }
    }
}

/// The threads that open a pool's connections and close its idle ones. r2d2's own
/// keeps them, after the pool is dropped, until its reaper's next turn (up to 30 s);
/// these stop when the pool is dropped, so a pool leaves nothing running behind it.
fn workers() -> Arc<scheduled_thread_pool::ScheduledThreadPool> {
    Arc::new(
        scheduled_thread_pool::ScheduledThreadPool::builder()
            .num_threads(3)
            .thread_name_pattern("r2d2-worker-{}")
            .on_drop_behavior(scheduled_thread_pool::OnPoolDropBehavior::DiscardPendingScheduled)
            .build(),
    )
}

/// Lifts the statement timeout for the rest of the transaction `conn` is in, for a
/// write that may run long on purpose (an import): `SET LOCAL` on PostgreSQL, nothing on
/// SQLite.
///
/// Fails when the setting cannot be changed.
pub fn lift_statement_timeout(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    match conn {
        DbConnection::Postgres(pg) => pg.batch_execute("SET LOCAL statement_timeout = 0"),
        DbConnection::Sqlite(_) => Ok(()),
    }
}
