//! What a large import asks of each engine. The import decides *whether* a load is
//! bulk; this module decides what that means for the database behind the connection.
//!
//! - Every import runs with a larger SQLite page cache: it touches every index page many
//!   times in one transaction, and a bigger cache keeps them in memory instead of
//!   spilling them to the WAL again and again. PostgreSQL sizes its buffers itself.
//! - A bulk load on SQLite sets the secondary indexes of the register's tables aside
//!   and builds them again before it commits: SQLite builds an index from one sort of
//!   the table several times faster than it inserts a million entries one by one into
//!   pages that no longer fit its cache (1M rows: 44 s with the indexes kept, 30 s with
//!   them rebuilt; see BENCHMARKS.md). Both happen inside the import's transaction:
//!   readers keep their snapshot, indexes included; an import that is rejected or fails
//!   rolls the indexes back with everything else. Unique and primary-key indexes stay,
//!   as they enforce the codes' uniqueness and serve the lookups the import makes;
//!   partial indexes stay, as no imported row enters them.
//! - PostgreSQL keeps its indexes: dropping one would lock the table against the other
//!   server processes for the whole import.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;

use super::pool::DbConnection;

/// The SQLite page cache of an importing connection, in KiB.
const IMPORT_CACHE_KIB: u32 = 32_768;

/// SQLite's default page cache, in KiB, restored after an import.
const DEFAULT_CACHE_KIB: u32 = 2_000;

/// The tables whose secondary indexes a bulk load sets aside.
const TABLES: &str = "'projects', 'assets', 'ledger_entries'";

/// Runs `work` (an import) with the page cache a large import wants, then restores the
/// connection's default.
///
/// Fails when the cache cannot be set; otherwise returns what `work` returns, whether
/// or not the reset succeeds.
pub fn with_import_cache<T>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> T,
) -> QueryResult<T> {
    let sqlite = matches!(conn, DbConnection::Sqlite(_));
    if sqlite {
        conn.batch_execute(&format!("PRAGMA cache_size = -{IMPORT_CACHE_KIB}"))?;
    }
    let done = work(conn);
    if sqlite {
        // Best effort: the import's outcome stands whether or not the reset succeeds.
        let _ = conn.batch_execute(&format!("PRAGMA cache_size = -{DEFAULT_CACHE_KIB}"));
    }
    Ok(done)
}

/// The indexes a bulk load set aside, as the statements that create them.
#[derive(Debug, Default)]
#[must_use = "set-aside indexes must be restored before the transaction commits"]
pub struct SetAside {
    statements: Vec<String>,
}

#[derive(QueryableByName)]
struct IndexSql {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    sql: String,
}

/// Prepares the register's tables for a bulk load: on SQLite, drops their secondary
/// indexes and returns how to build them again; on PostgreSQL, nothing. Call inside the
/// import's transaction.
///
/// Fails when the schema cannot be read or an index cannot be dropped.
pub fn set_indexes_aside(conn: &mut DbConnection) -> QueryResult<SetAside> {
    if !matches!(conn, DbConnection::Sqlite(_)) {
        return Ok(SetAside::default());
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
    })
}

impl SetAside {
    /// Builds the indexes set aside again, in the same transaction.
    ///
    /// Fails when an index cannot be built.
    pub fn restore(self, conn: &mut DbConnection) -> QueryResult<()> {
        for statement in &self.statements {
            conn.batch_execute(statement)?;
        }
        Ok(())
    }
}
