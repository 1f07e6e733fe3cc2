//! The rows of `stocktake_results`, written a whole upload at a time through
//! `bulk::copy_in` (`COPY` on PostgreSQL, multi-row inserts on SQLite).

use diesel::prelude::*;

use super::bulk::copy_in;
use super::pool::DbConnection;
use super::schema::stocktake_results;

/// Rows a statement inserts at most on SQLite (five binds a row).
const ROWS_PER_INSERT: usize = 2000;

/// A `stocktake_results` row: the `inspection` entry `seq` recorded a campaign's result.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = stocktake_results, treat_none_as_default_value = false)]
pub struct StocktakeResultRow {
    /// The ledger entry.
    pub seq: i64,
    /// The campaign.
    pub stocktake_id: String,
    /// The asset's UUID.
    pub asset_id: String,
    /// `normal`, `idle`, `damaged` or `missing`.
    pub result: String,
    /// The day it was checked (YYYY-MM-DD).
    pub checked_on: String,
}

/// Inserts result rows, a few thousand a statement (`COPY` on PostgreSQL).
///
/// Fails when a `seq` is taken or the insert fails.
pub fn insert_results(conn: &mut DbConnection, rows: &[StocktakeResultRow]) -> QueryResult<()> {
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        copy_in!(conn, stocktake_results, chunk)?;
    }
    Ok(())
}
