//! The rows of `findings`, written many at once by the findings' maintenance
//! (`reconcile::findings::maintain`).

use diesel::prelude::*;

use super::bulk::insert_in;
use super::pool::DbConnection;
use super::schema::findings;

/// Rows a statement inserts at most (eight binds a row).
const ROWS_PER_INSERT: usize = 1000;

/// A `findings` row: a finding, or a candidate of one that turns on a date.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = findings, treat_none_as_default_value = false)]
pub struct FindingRow {
    /// The kind's place in the list.
    pub rank: i32,
    /// The asset's code (the project's for rank 0).
    pub code: String,
    /// The town that puts it in a scope.
    pub town: String,
    /// The village ('' for none).
    pub village: String,
    /// The project's department ('' for none).
    pub department: String,
    /// The date the finding turns on, for the kinds that depend on the day.
    pub on_date: Option<String>,
    /// 1 for a duplicate candidate that stays one within its department.
    pub flag: i32,
    /// The stored text, for the kinds that keep it.
    pub detail: Option<String>,
}

/// Inserts rows, a thousand a statement.
///
/// Fails when a row is there already or the insert fails.
pub fn insert_findings(conn: &mut DbConnection, rows: &[FindingRow]) -> QueryResult<()> {
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        insert_in!(conn, findings, chunk)?;
    }
    Ok(())
}
