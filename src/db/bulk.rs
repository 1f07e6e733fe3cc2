//! Multi-row inserts of the tables written many rows at a time: one statement per table
//! and chunk — `COPY … FROM STDIN` on PostgreSQL (no statement to parse and plan per
//! chunk), one multi-row `INSERT` on SQLite.
//!
//! Both run on the backend's own connection: the derived multi-backend connection
//! offers neither `COPY` nor a multi-row insert for SQLite. One function per table,
//! because Diesel bounds `copy_from(..).from_insertable(..)` with traits it does not
//! export, so no generic function over the row type can name them.

use diesel::prelude::*;

use super::pool::DbConnection;
use super::rows::{AssetRow, EntryRow, HeldRow, ImportErrorRow, NameRow, ProjectRow};
use super::schema::{
    asset_search_names, assets, import_errors, ledger_entries, projects, registered_fields,
    search_names,
};

/// Import errors go in statements of at most this many rows (eleven binds a row).
const ERROR_ROWS_PER_INSERT: usize = 200;

/// Inserts new projects in one statement.
///
/// Fails when a code is already registered or the insert fails.
pub fn insert_projects(conn: &mut DbConnection, rows: &[ProjectRow]) -> QueryResult<usize> {
    if rows.is_empty() {
        return Ok(0);
    }
    match conn {
        DbConnection::Postgres(pg) => diesel::copy_from(projects::table)
            .from_insertable(rows)
            .execute(pg),
        DbConnection::Sqlite(lite) => diesel::insert_into(projects::table)
            .values(rows)
            .execute(lite),
    }
}

/// Inserts new assets in one statement.
///
/// Fails when a code is already registered or the insert fails.
pub fn insert_assets(conn: &mut DbConnection, rows: &[AssetRow]) -> QueryResult<usize> {
    if rows.is_empty() {
        return Ok(0);
    }
    match conn {
        DbConnection::Postgres(pg) => diesel::copy_from(assets::table)
            .from_insertable(rows)
            .execute(pg),
        DbConnection::Sqlite(lite) => diesel::insert_into(assets::table)
            .values(rows)
            .execute(lite),
    }
}

/// Inserts the registered fields of new assets in one statement.
///
/// Fails when an asset's fields are already held or the insert fails.
pub fn insert_registered_fields(conn: &mut DbConnection, rows: &[HeldRow]) -> QueryResult<usize> {
    if rows.is_empty() {
        return Ok(0);
    }
    match conn {
        DbConnection::Postgres(pg) => diesel::copy_from(registered_fields::table)
            .from_insertable(rows)
            .execute(pg),
        DbConnection::Sqlite(lite) => diesel::insert_into(registered_fields::table)
            .values(rows)
            .execute(lite),
    }
}

/// Inserts names assets are known by, none held yet, in one statement.
///
/// Fails when a pair is already held or the insert fails.
pub fn insert_asset_search_names(conn: &mut DbConnection, rows: &[NameRow]) -> QueryResult<usize> {
    if rows.is_empty() {
        return Ok(0);
    }
    match conn {
        DbConnection::Postgres(pg) => diesel::copy_from(asset_search_names::table)
            .from_insertable(rows)
            .execute(pg),
        DbConnection::Sqlite(lite) => diesel::insert_into(asset_search_names::table)
            .values(rows)
            .execute(lite),
    }
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
    if rows.is_empty() {
        return Ok(0);
    }
    match conn {
        DbConnection::Postgres(pg) => diesel::copy_from(ledger_entries::table)
            .from_insertable(rows)
            .execute(pg),
        DbConnection::Sqlite(lite) => diesel::insert_into(ledger_entries::table)
            .values(rows)
            .execute(lite),
    }
}

/// Inserts the listed errors of a rejected batch, a few hundred rows a statement.
///
/// Fails when the insert fails.
pub fn insert_import_errors(conn: &mut DbConnection, rows: &[ImportErrorRow]) -> QueryResult<()> {
    for chunk in rows.chunks(ERROR_ROWS_PER_INSERT) {
        match conn {
            DbConnection::Postgres(pg) => diesel::insert_into(import_errors::table)
                .values(chunk)
                .execute(pg)?,
            DbConnection::Sqlite(lite) => diesel::insert_into(import_errors::table)
                .values(chunk)
                .execute(lite)?,
        };
    }
    Ok(())
}
