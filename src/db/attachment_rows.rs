//! The row of a stored file (`attachments`), inserted unless its digest is stored
//! already (`ledger::attachments::store`).

use diesel::prelude::*;

use super::pool::DbConnection;
use super::schema::attachments;

/// An `attachments` row to insert.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = attachments)]
pub struct AttachmentRow<'a> {
    /// Its SHA-256, lowercase hex.
    pub sha256: &'a str,
    /// Its size in bytes.
    pub size: i64,
    /// The name it is uploaded under.
    pub filename: &'a str,
    /// The file.
    pub content: &'a [u8],
    /// When it is stored (UTC, RFC 3339).
    pub created_at: String,
    /// The token that stores it.
    pub created_by: &'a str,
}

/// Inserts `row` unless a file with its digest is stored (`ON CONFLICT DO NOTHING`:
/// one stored meanwhile by another transaction is waited for and passed over, so the
/// statement does not fail, nor abort a PostgreSQL transaction it runs in); the rows
/// inserted, 1 or 0. Diesel's multi-backend connection has no `ON CONFLICT`: each
/// engine is asked in its own terms.
///
/// Fails when the insert fails.
pub fn insert_attachment_unless_stored(
    conn: &mut DbConnection,
    row: &AttachmentRow<'_>,
) -> QueryResult<usize> {
    match conn {
        DbConnection::Postgres(pg) => diesel::insert_into(attachments::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(pg),
        DbConnection::Sqlite(lite) => diesel::insert_into(attachments::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(lite),
    }
}
