//! What a large import asks of each engine. The import decides *whether* a load is
//! bulk; this module decides what that means for the database behind the connection.
//!
//! - Every import runs with a larger SQLite page cache: it touches every index page many
//!   times in one transaction, and a bigger cache keeps them in memory instead of
//!   spilling them to the WAL again and again. PostgreSQL sizes its buffers itself.
//!   It keeps SQLite's temporary tables and sorts in a file, not in memory (the bundled
//!   SQLite's default): the figures a province's import stages (about a million rows,
//!   110 MiB) would otherwise count in the process's memory.
//! - A bulk load on SQLite sets the secondary indexes of the register's tables aside
//!   and builds them again before it commits: SQLite builds an index from one sort of
//!   the table several times faster than it inserts a million entries one by one into
//!   pages that no longer fit its cache (1M rows: 44 s with the indexes kept, 30 s with
//!   them rebuilt; see BENCHMARKS.md). Both happen inside the import's transaction:
//!   readers keep their snapshot, indexes included; an import that is rejected or fails
//!   rolls the indexes back with everything else. Unique and primary-key indexes stay,
//!   as they enforce the codes' uniqueness and serve the lookups the import makes;
//!   partial indexes stay, as no imported row enters them.
//! - The same load sets aside the triggers that index each inserted name in SQLite's
//!   trigram tables of the name search, and indexes the load's names in one statement
//!   per table before it commits ([`super::name_search::TrigramsAside`]).
//! - PostgreSQL keeps its indexes: dropping one would lock the table against the other
//!   server processes for the whole import. A bulk load analyses the tables it wrote
//!   its rows to before it reads them back, in its transaction, so that the statements
//!   after the load are planned for the rows it holds, not for the tables before it.
//! - References. An import writes its batch row last, with its final counts (batches
//!   are append-only: never changed, never deleted), in the same transaction as the
//!   rows that name it. Neither engine checks those rows' references one by one: the
//!   import proves them once, before it commits ([`SetAside::restore`]). SQLite's
//!   foreign keys are off for the import's transaction (with them deferred instead,
//!   every project and asset inserted while the batch row was missing made SQLite
//!   search the tables that refer to it, some without an index: quadratic); the proof
//!   follows the load's ledger entries to their assets, projects and batches by their
//!   keys. PostgreSQL has no per-row foreign keys on the register: each statement's
//!   inserts are checked by a statement trigger, and a bulk load stands them down and
//!   proves its rows with one anti-join per reference instead. On both, a load's
//!   projects (a project may come with no asset, so no entry leads to it) are proved by
//!   their batch: the batch row the load names exists.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::pool::DbConnection;

/// The SQLite page cache of an importing connection, in KiB.
const IMPORT_CACHE_KIB: u32 = 32_768;

/// The SQLite page cache while the indexes set aside are built again, in KiB. Each
/// build sorts the table's keys in memory up to the size of the page cache before it
/// spills a sorted run to disk, so with the import's cache the sort and the cache held
/// 64 MiB between them at the import's peak; the build reads the table once and writes
/// the index in order, which a small cache serves as well. The load keeps it for the
/// rest of its transaction: summing its figures sorts its rows again, each sort (and
/// each table of rows a statement sets aside) as large as the cache before it spills.
const REBUILD_CACHE_KIB: u32 = 8_192;

/// SQLite's default page cache, in KiB, restored after an import.
const DEFAULT_CACHE_KIB: u32 = 2_000;

/// The tables whose secondary indexes a bulk load sets aside.
const TABLES: &str = "'projects', 'assets', 'ledger_entries'";

/// Runs `work` (an import) with the page cache a large import wants and, on SQLite,
/// without foreign-key checks (the import proves its references itself), then restores
/// the connection's defaults — also when `work` panics: the transaction the panic left
/// open is rolled back (SQLite ignores `foreign_keys` inside one), the defaults are
/// restored, and the panic goes on (on both engines, so that a caller who catches it
/// holds a connection in no transaction).
///
/// Fails when the cache or the checks cannot be set; otherwise returns what `work`
/// returns, whether or not the reset succeeds.
pub fn with_import_cache<T>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> T,
) -> QueryResult<T> {
    let sqlite = matches!(conn, DbConnection::Sqlite(_));
    if sqlite {
        conn.batch_execute(&format!(
            "PRAGMA cache_size = -{IMPORT_CACHE_KIB}; PRAGMA foreign_keys = OFF; \
             PRAGMA temp_store = FILE"
        ))?;
    }
    // After a panic the connection is only rolled back and reset, never read from.
    let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(conn)));
    if done.is_err() {
        roll_back_open_transactions(conn);
    }
    let restored = if sqlite {
        // The checks must come back; the cache is best effort.
        let restored = conn.batch_execute("PRAGMA foreign_keys = ON");
        let _ = conn.batch_execute(&format!(
            "PRAGMA cache_size = -{DEFAULT_CACHE_KIB}; PRAGMA temp_store = DEFAULT"
        ));
        restored
    } else {
        Ok(())
    };
    match done {
        Ok(done) => restored.map(|()| done),
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// Rolls back the transactions (and savepoints) a panic left open on `conn`, innermost
/// first, until none is open or one cannot be rolled back.
fn roll_back_open_transactions(conn: &mut DbConnection) {
    use diesel::connection::TransactionManager;
    type Manager = <DbConnection as Connection>::TransactionManager;
    while diesel::r2d2::R2D2Connection::is_broken(conn) {
        if Manager::rollback_transaction(conn).is_err() {
            break;
        }
    }
}

/// The tables a load writes its rows to, whose planner statistics a PostgreSQL bulk
/// load brings up to date inside its transaction, before it reads them back.
const LOADED: &str =
    "projects, assets, registered_fields, ledger_entries, asset_search_names, search_names";

/// The tables a load's figures and findings are written to after that.
const SUMMED: &str = "group_figures, rollup_figures, dated_figures, findings";

/// Brings PostgreSQL's planner statistics up to date after a load that added many
/// rows, outside its transaction: of the tables the load wrote its figures and
/// findings to and, unless `loaded_analysed` (a bulk load analysed them inside its
/// transaction, [`SetAside::restore`]), of those it wrote its rows to. Until autovacuum
/// analyses a table on its own, the planner keeps the estimates of the table before
/// the load: right after importing a province into an empty register it took 100
/// asset codes for a third of the ledger and read all 2.1M entries for an as-of page
/// (1.1 s) instead of 212 by index (0.3 ms). SQLite keeps no statistics unless asked
/// (`ANALYZE` was never run on a register), so its plans do not go stale: nothing to
/// do there.
///
/// Fails when the statement fails.
pub fn refresh_statistics(conn: &mut DbConnection, loaded_analysed: bool) -> QueryResult<()> {
    match conn {
        DbConnection::Postgres(_) if loaded_analysed => {
            conn.batch_execute(&format!("ANALYZE {SUMMED}"))
        }
        DbConnection::Postgres(_) => conn.batch_execute(&format!("ANALYZE {LOADED}, {SUMMED}")),
        DbConnection::Sqlite(_) => Ok(()),
    }
}

/// What a load set aside: on SQLite the secondary indexes of a bulk load, as the
/// statements that create them, and the foreign-key checks; on PostgreSQL a bulk load's
/// per-statement reference checks. The load then proves its references once.
#[derive(Debug)]
#[must_use = "set-aside indexes must be restored before the transaction commits"]
pub struct SetAside {
    statements: Vec<String>,
    trigrams: super::name_search::TrigramsAside,
    proves_references: bool,
    analyses_loaded: bool,
}

/// A reference of the rows a bulk load wrote that names nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("导入写入的 {table}（{row}）引用的 {names} 不存在")]
pub struct Dangling {
    /// The table of the row.
    pub table: String,
    /// The row's key.
    pub row: String,
    /// What it names that does not exist.
    pub names: String,
}

#[derive(QueryableByName)]
struct DanglingRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    row_key: String,
    #[diesel(sql_type = Text)]
    names: String,
}

impl From<DanglingRow> for Dangling {
    fn from(row: DanglingRow) -> Self {
        Dangling {
            table: row.table_name,
            row: row.row_key,
            names: row.names,
        }
    }
}

/// The first reference of the rows a load wrote — its ledger entries after `after_seq`,
/// their assets and those assets' projects — that names no asset, project or batch,
/// followed by key (SQLite plans each join as a lookup in the key).
fn first_dangling_by_key(conn: &mut DbConnection, after_seq: i64) -> QueryResult<Option<Dangling>> {
    let found: Vec<DanglingRow> = diesel::sql_query(
        "SELECT 'ledger_entries' AS table_name, CAST(e.seq AS TEXT) AS row_key, \
         CASE WHEN a.id IS NULL THEN 'assets ' || e.asset_id \
              WHEN p.code IS NULL THEN 'projects ' || a.project_code \
              ELSE 'import_batches' END AS names \
         FROM ledger_entries e \
         LEFT JOIN assets a ON a.id = e.asset_id \
         LEFT JOIN projects p ON p.code = a.project_code \
         WHERE e.seq > ? AND (a.id IS NULL OR p.code IS NULL \
           OR (e.batch_id IS NOT NULL \
               AND NOT EXISTS (SELECT 1 FROM import_batches b WHERE b.id = e.batch_id)) \
           OR NOT EXISTS (SELECT 1 FROM import_batches b WHERE b.id = a.batch_id) \
           OR NOT EXISTS (SELECT 1 FROM import_batches b WHERE b.id = p.batch_id)) \
         LIMIT 1",
    )
    .bind::<BigInt, _>(after_seq)
    .load(conn)?;
    Ok(found.into_iter().next().map(Dangling::from))
}

/// The first reference of a bulk load's rows — the assets of `batch_id`, the ledger
/// entries after `after_seq` — that names no batch, project or asset.
fn first_dangling_by_scan(
    conn: &mut DbConnection,
    batch_id: &str,
    after_seq: i64,
) -> QueryResult<Option<Dangling>> {
    // Each check is an anti-join over the load's rows, planned as one: a hash of the
    // named keys, not a probe per row. `NOT EXISTS` on the batches is a lookup in a
    // table of one row per import.
    let found: Vec<DanglingRow> = diesel::sql_query(
        "(SELECT 'assets' AS table_name, a.code AS row_key, 'import_batches ' || a.batch_id AS names \
           FROM assets a WHERE a.batch_id = $1 \
           AND NOT EXISTS (SELECT 1 FROM import_batches b WHERE b.id = a.batch_id) LIMIT 1) \
         UNION ALL \
         (SELECT 'assets', a.code, 'projects ' || a.project_code \
           FROM assets a LEFT JOIN projects p ON p.code = a.project_code \
           WHERE a.batch_id = $1 AND p.code IS NULL LIMIT 1) \
         UNION ALL \
         (SELECT 'ledger_entries', CAST(e.seq AS TEXT), 'assets ' || e.asset_id \
           FROM ledger_entries e LEFT JOIN assets a ON a.id = e.asset_id \
           WHERE e.seq > $2 AND a.id IS NULL LIMIT 1) \
         UNION ALL \
         (SELECT 'ledger_entries', CAST(e.seq AS TEXT), 'import_batches ' || e.batch_id \
           FROM ledger_entries e WHERE e.seq > $2 AND e.batch_id IS NOT NULL \
           AND NOT EXISTS (SELECT 1 FROM import_batches b WHERE b.id = e.batch_id) LIMIT 1)",
    )
    .bind::<Text, _>(batch_id)
    .bind::<BigInt, _>(after_seq)
    .load(conn)?;
    Ok(found.into_iter().next().map(Dangling::from))
}

/// The first project of a load (those of `batch_id`) whose batch row is missing. A load
/// may create a project and no asset, so its entries do not lead to every project it
/// wrote. When the batch row exists (the load wrote it) this is one lookup and no
/// project of the load dangles; only a load that would be refused reads its projects.
fn first_project_without_batch(
    conn: &mut DbConnection,
    batch_id: &str,
) -> QueryResult<Option<Dangling>> {
    use super::schema::{import_batches, projects};
    let batch_exists: bool = diesel::select(diesel::dsl::exists(
        import_batches::table.filter(import_batches::id.eq(batch_id)),
    ))
    .get_result(conn)?;
    if batch_exists {
        return Ok(None);
    }
    let project: Option<String> = projects::table
        .filter(projects::batch_id.eq(batch_id))
        .select(projects::code)
        .first(conn)
        .optional()?;
    Ok(project.map(|code| Dangling {
        table: "projects".to_owned(),
        row: code,
        names: format!("import_batches {batch_id}"),
    }))
}

#[derive(QueryableByName)]
struct IndexSql {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    sql: String,
}

/// Prepares the register's tables for a bulk load: on SQLite, drops their secondary
/// indexes and returns how to build them again; on PostgreSQL, declares that the
/// transaction proves the references of its rows itself (the statement checks stand
/// down until it ends). Call inside the import's transaction.
///
/// Fails when the schema cannot be read or an index cannot be dropped.
pub fn set_indexes_aside(conn: &mut DbConnection) -> QueryResult<SetAside> {
    if !matches!(conn, DbConnection::Sqlite(_)) {
        conn.batch_execute("SET LOCAL asset_registry.bulk_load = 'on'")?;
        return Ok(SetAside {
            statements: Vec::new(),
            trigrams: super::name_search::TrigramsAside::default(),
            proves_references: true,
            analyses_loaded: true,
        });
    }
    // `sql` is NULL for the indexes behind UNIQUE and PRIMARY KEY constraints; unique
    // indexes created on their own stay too, so uniqueness is checked row by row.
    let indexes: Vec<IndexSql> = diesel::sql_query(format!(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL \
         AND tbl_name IN ({TABLES}) AND sql NOT LIKE 'CREATE UNIQUE%' \
         AND sql NOT LIKE '% WHERE %' ORDER BY name"
    ))
    .load(conn)?;
    for index in &indexes {
        conn.batch_execute(&format!("DROP INDEX \"{}\"", index.name))?;
    }
    Ok(SetAside {
        statements: indexes.into_iter().map(|index| index.sql).collect(),
        trigrams: super::name_search::set_trigrams_aside(conn)?,
        proves_references: true,
        analyses_loaded: false,
    })
}

/// What a load that is not a bulk load sets aside: on SQLite nothing but the
/// foreign-key checks, which it proves once; on PostgreSQL nothing (its statements are
/// checked as they run).
pub fn keep_indexes(conn: &DbConnection) -> SetAside {
    SetAside {
        statements: Vec::new(),
        trigrams: super::name_search::TrigramsAside::default(),
        proves_references: matches!(conn, DbConnection::Sqlite(_)),
        analyses_loaded: false,
    }
}

impl SetAside {
    /// Builds the indexes set aside again, in the same transaction; proves once that
    /// every project of `batch_id` names a batch that exists, and that every ledger
    /// entry after `after_seq` (and, on PostgreSQL, every asset of `batch_id`) names a
    /// batch, project and asset that exist; on PostgreSQL, puts the statement checks
    /// back. Call after the batch row is written.
    ///
    /// Returns whether the planner statistics of the tables the load wrote its rows to
    /// are up to date (a PostgreSQL bulk load analyses them first), so that
    /// [`refresh_statistics`] need not after the commit.
    ///
    /// Fails when an index cannot be built or a query fails, and as a foreign-key
    /// violation naming the first reference that dangles, as a foreign key would have.
    pub fn restore(
        self,
        conn: &mut DbConnection,
        batch_id: &str,
        after_seq: i64,
    ) -> QueryResult<bool> {
        let analysed = self.analyses_loaded && analyse_loaded(conn)?;
        if !self.statements.is_empty() {
            conn.batch_execute(&format!("PRAGMA cache_size = -{REBUILD_CACHE_KIB}"))?;
            for statement in &self.statements {
                conn.batch_execute(statement)?;
            }
        }
        self.trigrams.restore(conn)?;
        if !self.proves_references {
            return Ok(analysed);
        }
        let dangling = match conn {
            DbConnection::Sqlite(_) => first_dangling_by_key(conn, after_seq)?,
            DbConnection::Postgres(_) => first_dangling_by_scan(conn, batch_id, after_seq)?,
        };
        let dangling = match dangling {
            Some(dangling) => Some(dangling),
            None => first_project_without_batch(conn, batch_id)?,
        };
        if let Some(dangling) = dangling {
            return Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::ForeignKeyViolation,
                Box::new(dangling.to_string()),
            ));
        }
        if matches!(conn, DbConnection::Postgres(_)) {
            conn.batch_execute("SET LOCAL asset_registry.bulk_load = 'off'")?;
        }
        Ok(analysed)
    }
}

/// How long a bulk load waits for the lock `ANALYZE` takes on each table it loaded.
const ANALYSE_LOCK_TIMEOUT: &str = "2s";

/// Brings the planner statistics of the tables a PostgreSQL bulk load wrote its rows
/// to up to date, in its transaction, before anything reads them back; whether it did.
///
/// The statements that follow (the proof of references, the figures, the findings),
/// planned with the estimates of the tables before the load, took a million assets for
/// a few thousand and probed an index per asset where one hash join serves (1M: the
/// duplicate candidates 31.9 s against 1.1 s, the proof 10.8 s against 2.7 s).
/// `ANALYZE` counts the transaction's own rows. Its column statistics commit or roll
/// back with the load; the tables' row and page counts in `pg_class` are written in
/// place and stay even when the load rolls back, until the next analysis.
///
/// It takes each table's SHARE UPDATE EXCLUSIVE lock, which a vacuum, another
/// `ANALYZE` or an index build may hold; the load holds the chain's lock meanwhile, so
/// it waits at most [`ANALYSE_LOCK_TIMEOUT`], in a savepoint, and otherwise goes on
/// without (the tables are analysed after the commit instead).
///
/// Fails when the savepoint or the lock timeout cannot be set or reset.
fn analyse_loaded(conn: &mut DbConnection) -> QueryResult<bool> {
    let analysed = conn.transaction::<(), diesel::result::Error, _>(|conn| {
        conn.batch_execute(&format!(
            "SET LOCAL lock_timeout = '{ANALYSE_LOCK_TIMEOUT}'; ANALYZE {LOADED}"
        ))
    });
    match analysed {
        Ok(()) => {
            conn.batch_execute("SET LOCAL lock_timeout = DEFAULT")?;
            Ok(true)
        }
        Err(diesel::result::Error::DatabaseError(_, info)) => {
            tracing::warn!(error = %info.message(), "the load's tables are analysed after its commit");
            Ok(false)
        }
        Err(e) => Err(e),
    }
}
