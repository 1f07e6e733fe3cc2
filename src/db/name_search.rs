//! The name search's trigram indexes on each engine. PostgreSQL's `pg_trgm` indexes
//! serve `LIKE '%…%'` on the names themselves; SQLite's FTS5 `trigram` tables
//! (`asset_name_trigrams`, `search_name_trigrams`, migration
//! `2026-12-11-100000_name_search_trigrams`) are read here for the rows that may hold a
//! text, and the caller's `LIKE` still decides: the tokenizer folds case beyond ASCII,
//! where `LIKE` folds only ASCII, so the index gives a superset and never fewer rows.

use diesel::dsl::sql;
use diesel::expression::{AppearsOnTable, BoxableExpression, SqlLiteral};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};

use super::pool::{DbBackend, DbConnection};
use super::schema::{asset_search_names, assets};

/// The fewest characters a text needs for a trigram index to find it: one trigram.
/// A shorter text is tested on every name (see `register::query`).
pub const SHORTEST: usize = 3;

/// Whether SQLite's trigram tables can answer a search for `text` on `conn`.
fn indexed_here(conn: &DbConnection, text: &str) -> bool {
    matches!(conn, DbConnection::Sqlite(_)) && text.chars().count() >= SHORTEST
}

/// `text` as one FTS5 phrase: every character taken as it is, `"` doubled. With the
/// `trigram` tokenizer a phrase matches a name that holds it anywhere.
fn phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = Text)]
    id: String,
}

/// The ids of the assets whose name or owner's name may hold `text` (a superset of those
/// that do, in no order), read from SQLite's trigram table, when there are at most
/// `most`. `None` when there are more (a text that common is found soon walking the
/// names in code order), when `text` is shorter than [`SHORTEST`], and on PostgreSQL,
/// whose trigram indexes serve the `LIKE` itself.
///
/// Fails when the query fails.
pub fn assets_possibly_named(
    conn: &mut DbConnection,
    text: &str,
    most: usize,
) -> QueryResult<Option<Vec<String>>> {
    if !indexed_here(conn, text) {
        return Ok(None);
    }
    let limit = i64::try_from(most).unwrap_or(i64::MAX).saturating_add(1);
    let found: Vec<Id> = diesel::sql_query(
        "SELECT assets.id AS id FROM asset_name_trigrams \
         JOIN assets ON assets.rowid = asset_name_trigrams.rowid \
         WHERE asset_name_trigrams MATCH ? LIMIT ?",
    )
    .bind::<Text, _>(phrase(text))
    .bind::<BigInt, _>(limit)
    .load(conn)?;
    if found.len() > most {
        return Ok(None);
    }
    Ok(Some(found.into_iter().map(|row| row.id).collect()))
}

/// A condition on the rows of a table `T`.
pub type Condition<T> = Box<dyn BoxableExpression<T, DbBackend, SqlType = Bool>>;

/// `head` followed by the held search names that hold `text` (`search_names.name LIKE
/// pattern`, `pattern` being `text` escaped by `\` within `%…%`), as a subquery, then
/// `tail`: read by SQLite's trigram table when `text` has a trigram, by
/// PostgreSQL's trigram index of the names otherwise. Written out in SQL: a subquery
/// built by Diesel for either engine cannot be boxed inside another.
fn names_holding<T>(
    conn: &DbConnection,
    (head, tail): (&'static str, &'static str),
    text: &str,
    pattern: &str,
) -> Condition<T>
where
    SqlLiteral<Bool>: AppearsOnTable<T>,
{
    let names = "(SELECT name FROM search_names WHERE name LIKE ";
    let escape = " ESCAPE '\\'";
    let like = sql::<Bool>(head)
        .sql(names)
        .bind::<Text, _>(pattern.to_owned())
        .sql(escape);
    if indexed_here(conn, text) {
        Box::new(
            like.sql(
                " AND search_names.rowid IN (SELECT rowid FROM search_name_trigrams \
                 WHERE search_name_trigrams MATCH ",
            )
            .bind::<Text, _>(phrase(text))
            .sql("))")
            .sql(tail),
        )
    } else {
        Box::new(like.sql(")").sql(tail))
    }
}

/// The `asset_search_names` rows of a name that holds `text` (see [`names_holding`]).
pub fn held_names_holding(
    conn: &DbConnection,
    text: &str,
    pattern: &str,
) -> Condition<asset_search_names::table> {
    names_holding(conn, ("asset_search_names.name IN ", ""), text, pattern)
}

/// The assets known by a held search name that holds `text` (see [`names_holding`]):
/// whose own name does or whose owner was ever given one that does.
pub fn assets_ever_named(
    conn: &DbConnection,
    text: &str,
    pattern: &str,
) -> Condition<assets::table> {
    names_holding(
        conn,
        (
            "assets.id IN (SELECT asset_id FROM asset_search_names WHERE name IN ",
            ")",
        ),
        text,
        pattern,
    )
}

/// What is wrong with SQLite's trigram tables, in Chinese: FTS5's integrity check of
/// each against the names it indexes (a name missing from the index, or one indexed
/// that is no longer there); `None` when both agree, and on PostgreSQL, whose trigram
/// indexes the engine keeps itself. The check writes nothing, but SQLite runs it as a
/// write: in a transaction of its own, which waits for a writer as any write does.
///
/// Fails when the check cannot run.
pub fn trigram_difference(conn: &mut DbConnection) -> QueryResult<Option<String>> {
    use diesel::connection::SimpleConnection;
    let DbConnection::Sqlite(lite) = conn else {
        return Ok(None);
    };
    let tables = [
        ("asset_name_trigrams", "资产名称和所有权人名称", "资产表"),
        ("search_name_trigrams", "历次检索名称", "检索名称表"),
    ];
    for (table, names, against) in tables {
        let checked = lite.immediate_transaction(|lite| {
            lite.batch_execute(&format!(
                "INSERT INTO {table} ({table}, rank) VALUES ('integrity-check', 1)"
            ))
        });
        match checked {
            Ok(()) => {}
            // FTS5 reports a difference as SQLITE_CORRUPT_VTAB.
            Err(diesel::result::Error::DatabaseError(_, info))
                if info.message().contains("malformed") =>
            {
                return Ok(Some(format!(
                    "{names}的检索索引与{against}不一致（有名称未被索引，或索引了已不存在的名称），按名称查找会有遗漏"
                )));
            }
            Err(other) => return Err(other),
        }
    }
    Ok(None)
}
