//! How reads run on each engine: several queries in one read-only snapshot, and a hot
//! query on the backend's own connection, whose prepared-statement cache serves it.

use diesel::connection::SimpleConnection;
use diesel::dsl::Limit;
use diesel::prelude::*;
use diesel::query_dsl::methods::LimitDsl;
use diesel::query_dsl::LoadQuery;

use super::pool::{DbBackend, DbConnection};

/// Runs `work` in one read-only snapshot of the database: what it reads is consistent,
/// and writes committed meanwhile neither appear nor disappear halfway.
///
/// On PostgreSQL a `REPEATABLE READ, READ ONLY` transaction; on SQLite (WAL) a deferred
/// transaction, whose snapshot is taken by its first read.
///
/// Fails when the transaction cannot begin or end, or with whatever `work` returns.
pub fn read_snapshot<T, E>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    conn.transaction(|conn| {
        if let DbConnection::Postgres(_) = conn {
            conn.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")?;
        }
        work(conn)
    })
}

/// The columns a `Selectable` row reads, in the order its `Queryable` takes them, as an
/// expression that either backend runs. (`as_select()` ties a query to one backend, so
/// a query for [`first_cached`] selects these instead.)
pub fn columns_of<T: Selectable<DbBackend>>() -> T::SelectExpression {
    T::construct_selection()
}

/// The first row of `query`, if any, loaded on the backend's own connection so that its
/// prepared-statement cache serves this query (through the derived multi-backend
/// connection it is parsed on every call). For the hottest single-row reads.
///
/// Fails when the query fails.
pub fn first_cached<'query, Q, U>(conn: &mut DbConnection, query: Q) -> QueryResult<Option<U>>
where
    Q: RunQueryDsl<PgConnection> + RunQueryDsl<SqliteConnection> + LimitDsl,
    Limit<Q>: LoadQuery<'query, PgConnection, U> + LoadQuery<'query, SqliteConnection, U>,
{
    match conn {
        DbConnection::Postgres(pg) => RunQueryDsl::<PgConnection>::first(query, pg).optional(),
        DbConnection::Sqlite(lite) => {
            RunQueryDsl::<SqliteConnection>::first(query, lite).optional()
        }
    }
}
