//! Multi-row inserts of the tables written many rows at a time: one statement per table
//! and chunk — `COPY … FROM STDIN` on PostgreSQL (no statement to parse and plan per
//! chunk), one multi-row `INSERT` on SQLite.
//!
//! Both run on the backend's own connection: the derived multi-backend connection
//! offers neither `COPY` nor a multi-row insert for SQLite. One function per table,
//! each through [`copy_in`] or [`insert_in`], macros because Diesel bounds
//! `copy_from(..).from_insertable(..)` with traits it does not export, so no generic
//! function over the row type can name them.

use diesel::prelude::*;

use super::pool::DbConnection;
use super::rows::{AssetRow, EntryRow, HeldRow, ImportErrorRow, NameRow, ProjectRow};
use super::schema::{
    asset_search_names, assets, import_errors, ledger_entries, projects, registered_fields,
    search_names,
};

/// `$rows` (a slice of a table's `Insertable` rows) written into `$table` (a schema
/// module) by `COPY … FROM STDIN` on PostgreSQL and one multi-row `INSERT` on SQLite;
/// evaluates to the statement's `QueryResult<usize>`, `Ok(0)` with no statement sent
/// for no rows.
macro_rules! copy_in {
    ($conn:expr, $table:ident, $rows:expr) => {
        match $conn {
            _ if $rows.is_empty() => Ok(0),
            DbConnection::Postgres(pg) => diesel::copy_from($table::table)
                .from_insertable($rows)
                .execute(pg),
            DbConnection::Sqlite(lite) => diesel::insert_into($table::table)
                .values($rows)
                .execute(lite),
        }
    };
}

/// `$rows` written into `$table` by one multi-row `INSERT` on either engine (for rows
/// too few, or with defaults, for a `COPY`); evaluates to its `QueryResult<usize>`.
macro_rules! insert_in {
    ($conn:expr, $table:ident, $rows:expr) => {
        match $conn {
            DbConnection::Postgres(pg) => {
                diesel::insert_into($table::table).values($rows).execute(pg)
            }
            DbConnection::Sqlite(lite) => diesel::insert_into($table::table)
                .values($rows)
                .execute(lite),
        }
    };
}

pub(crate) use {copy_in, insert_in};

/// Import errors go in statements of at most this many rows (eleven binds a row).
const ERROR_ROWS_PER_INSERT: usize = 200;

/// Inserts new projects in one statement.
///
/// Fails when a code is already registered or the insert fails.
pub fn insert_projects(conn: &mut DbConnection, rows: &[ProjectRow]) -> QueryResult<usize> {
    copy_in!(conn, projects, rows)
}

/// Inserts new assets in one statement.
///
/// Fails when a code is already registered or the insert fails.
pub fn insert_assets(conn: &mut DbConnection, rows: &[AssetRow]) -> QueryResult<usize> {
    copy_in!(conn, assets, rows)
}

/// Inserts the registered fields of new assets in one statement.
///
/// Fails when an asset's fields are already held or the insert fails.
pub fn insert_registered_fields(conn: &mut DbConnection, rows: &[HeldRow]) -> QueryResult<usize> {
    copy_in!(conn, registered_fields, rows)
}

/// Inserts names assets are known by, none held yet, in one statement.
///
/// Fails when a pair is already held or the insert fails.
pub fn insert_asset_search_names(conn: &mut DbConnection, rows: &[NameRow]) -> QueryResult<usize> {
    copy_in!(conn, asset_search_names, rows)
}

/// Inserts those of `names` not held yet, in one statement; a name held already is
/// passed over by the primary key (`ON CONFLICT DO NOTHING`), not looked up first: on
/// PostgreSQL such a lookup (`name = ANY(…)`) was planned on the names' trigram index,
/// whose pending list a bulk load keeps growing, and took seconds a chunk.
///
/// Fails when the insert fails.
pub fn insert_search_names(conn: &mut DbConnection, names: &[&str]) -> QueryResult<usize> {
    if names.is_empty() {
        return Ok(0);
    }
    let rows: Vec<_> = names.iter().map(|n| search_names::name.eq(*n)).collect();
    match conn {
        DbConnection::Postgres(pg) => diesel::insert_into(search_names::table)
            .values(&rows)
            .on_conflict_do_nothing()
            .execute(pg),
        DbConnection::Sqlite(lite) => diesel::insert_into(search_names::table)
            .values(&rows)
            .on_conflict_do_nothing()
            .execute(lite),
    }
}

/// Inserts chained ledger entries in one statement.
///
/// Fails when a `seq` is taken or the insert fails.
pub fn insert_ledger_entries(conn: &mut DbConnection, rows: &[EntryRow]) -> QueryResult<usize> {
    copy_in!(conn, ledger_entries, rows)
}

/// Inserts the listed errors of a rejected batch, a few hundred rows a statement.
///
/// Fails when the insert fails.
pub fn insert_import_errors(conn: &mut DbConnection, rows: &[ImportErrorRow]) -> QueryResult<()> {
    for chunk in rows.chunks(ERROR_ROWS_PER_INSERT) {
        insert_in!(conn, import_errors, chunk)?;
    }
    Ok(())
}
