//! Bulk loads on SQLite. An import much larger than the register sets the secondary
//! indexes of the register's tables aside and builds them again before it commits:
//! SQLite builds an index from one sort of the table several times faster than it
//! inserts a million entries one by one into pages that no longer fit its cache
//! (1M rows: 44 s with the indexes kept, 30 s with them rebuilt; see BENCHMARKS.md).
//!
//! Both happen inside the import's transaction. Readers keep their snapshot, indexes
//! included; an import that is rejected or fails rolls the indexes back with
//! everything else. Unique and primary-key indexes stay, as they enforce the codes'
//! uniqueness and serve the lookups the import makes; partial indexes stay, as no
//! imported row enters them. PostgreSQL keeps its indexes: dropping one would lock the
//! table against the other server processes for the whole import.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::db::DbConnection;

/// A file estimated to hold at least this many rows is worth a rebuild.
pub const BULK_MIN_ROWS: u64 = 20_000;

/// ...and at least this many times the rows the register holds (a rebuild reads the
/// whole table, old rows too).
const BULK_FACTOR: u64 = 2;

/// A row of a register CSV file takes at least about this many bytes (a GBK file of
/// short names), so [`estimated_rows`] errs on the side of more rows.
const MIN_BYTES_PER_ROW: u64 = 150;

/// The tables whose secondary indexes a bulk load sets aside.
const TABLES: &str = "'projects', 'assets', 'ledger_entries'";

/// About how many rows, at most, a register CSV file of `file_bytes` holds.
pub fn estimated_rows(file_bytes: u64) -> u64 {
    file_bytes / MIN_BYTES_PER_ROW
}

/// Whether an import of `file_bytes` into a register of `registered_rows` assets is a
/// bulk load.
pub fn is_bulk(file_bytes: u64, registered_rows: u64) -> bool {
    let rows = estimated_rows(file_bytes);
    rows >= BULK_MIN_ROWS && rows >= registered_rows.saturating_mul(BULK_FACTOR)
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

/// Drops the secondary indexes of the register's tables (SQLite only; nothing on
/// PostgreSQL) and returns how to build them again. Call inside the import's
/// transaction.
///
/// Fails when the schema cannot be read or an index cannot be dropped.
pub fn set_aside(conn: &mut DbConnection) -> QueryResult<SetAside> {
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

/// Builds the indexes set aside again.
///
/// Fails when an index cannot be built.
pub fn restore(conn: &mut DbConnection, set_aside: SetAside) -> QueryResult<()> {
    for statement in &set_aside.statements {
        conn.batch_execute(statement)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_large_files_into_small_registers_are_bulk_loads() {
        let bytes_of = |rows: u64| rows * MIN_BYTES_PER_ROW;
        assert!(!is_bulk(bytes_of(BULK_MIN_ROWS - 1), 0));
        assert!(is_bulk(bytes_of(BULK_MIN_ROWS), 0));
        assert!(is_bulk(bytes_of(1_000_000), 500_000));
        assert!(!is_bulk(bytes_of(1_000_000), 500_001));
        assert!(!is_bulk(u64::MAX, u64::MAX));
    }
}
