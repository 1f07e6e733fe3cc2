//! The name search's one rule of letter case on each engine, and its trigram indexes.
//! A name holds a text when it holds it with ASCII letters in either case and every
//! other character exactly (`led` finds “LED路灯”; full-width `Ｌ` and `ｌ`, Greek and
//! other letters are not folded): SQLite's `LIKE` is that rule; on PostgreSQL `ILIKE`,
//! which `pg_trgm`'s indexes serve, folds more than ASCII in most locales, so it is
//! narrowed by `translate(name, 'A…Z', 'a…z') LIKE` the lowered pattern, which folds
//! ASCII only ([`holds`]). SQLite's FTS5 `trigram` tables (`asset_name_trigrams`,
//! `search_name_trigrams`, migration `2026-12-11-100000_name_search_trigrams`) are read
//! here for the rows that may hold a text, and `LIKE` still decides: the tokenizer
//! folds case beyond ASCII, so the index gives a superset and never fewer rows.

use diesel::dsl::sql;
use diesel::expression::{AppearsOnTable, BoxableExpression, SqlLiteral};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};

use super::pool::{DbBackend, DbConnection};
use super::schema::{assets, search_names};

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

/// How a pattern's wildcards are escaped (see `register::query::like_pattern`).
const ESCAPE: &str = " ESCAPE '\\'";

/// `column` with its ASCII capitals made small, in PostgreSQL: nothing else changes.
fn ascii_folded(column: &str) -> String {
    format!("translate({column}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')")
}

/// Whether the text `column` (`assets.name`, qualified) holds the text of `pattern`
/// (`%text%` escaped by `\`) under the name search's rule: ASCII letters in either
/// case, everything else exactly (see the module). `indexed` false reads the column
/// through an expression that no trigram index holds, for a text too short for one
/// (the index would give every row to recheck).
pub fn holds<T>(conn: &DbConnection, column: &str, pattern: &str, indexed: bool) -> Condition<T>
where
    SqlLiteral<Bool>: AppearsOnTable<T>,
{
    let read = if indexed {
        column.to_owned()
    } else {
        format!("({column} || '')")
    };
    match conn {
        DbConnection::Postgres(_) if folds(pattern) => {
            let folded = format!("{} LIKE ", ascii_folded(column));
            let small = pattern.to_ascii_lowercase();
            if indexed {
                Box::new(
                    sql::<Bool>(&format!("({column} ILIKE "))
                        .bind::<Text, _>(pattern.to_owned())
                        .sql(ESCAPE)
                        .sql(" AND ")
                        .sql(&folded)
                        .bind::<Text, _>(small)
                        .sql(ESCAPE)
                        .sql(")"),
                )
            } else {
                Box::new(sql::<Bool>(&folded).bind::<Text, _>(small).sql(ESCAPE))
            }
        }
        // SQLite's `LIKE` is the rule. On PostgreSQL a text without ASCII letters has
        // nothing to fold, and `LIKE` keeps its plans: `ILIKE`'s estimates had a common
        // text's list (光伏电站, a fifth of 1M names) read every match and sort, 701 ms.
        _ => Box::new(
            sql::<Bool>(&format!("{read} LIKE "))
                .bind::<Text, _>(pattern.to_owned())
                .sql(ESCAPE),
        ),
    }
}

/// [`holds`] as SQL text, for a query written in SQL: `column` holds the text of
/// `pattern` (`%text%` escaped by `\`), the pattern written as a literal.
pub fn holds_sql(conn: &DbConnection, column: &str, pattern: &str) -> String {
    let quoted = |text: &str| format!("'{}'", text.replace('\'', "''"));
    match conn {
        DbConnection::Postgres(_) if folds(pattern) => format!(
            "({column} ILIKE {}{ESCAPE} AND {} LIKE {}{ESCAPE})",
            quoted(pattern),
            ascii_folded(column),
            quoted(&pattern.to_ascii_lowercase())
        ),
        _ => format!("{column} LIKE {}{ESCAPE}", quoted(pattern)),
    }
}

/// Whether `pattern` has an ASCII letter, which the rule matches in either case.
fn folds(pattern: &str) -> bool {
    pattern.bytes().any(|b| b.is_ascii_alphabetic())
}

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
    let names = "(SELECT name FROM search_names WHERE ";
    if matches!(conn, DbConnection::Postgres(_)) && folds(pattern) {
        // `holds`'s rule, written into the subquery.
        return Box::new(
            sql::<Bool>(head)
                .sql(names)
                .sql("name ILIKE ")
                .bind::<Text, _>(pattern.to_owned())
                .sql(ESCAPE)
                .sql(" AND ")
                .sql(&format!("{} LIKE ", ascii_folded("name")))
                .bind::<Text, _>(pattern.to_ascii_lowercase())
                .sql(ESCAPE)
                .sql(")")
                .sql(tail),
        );
    }
    let like = sql::<Bool>(head)
        .sql(names)
        .sql("name LIKE ")
        .bind::<Text, _>(pattern.to_owned())
        .sql(ESCAPE);
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

/// The held search names that hold `text` (see [`names_holding`]), when there are at
/// most `most`; `None` when there are more. Read on their own, before the assets known
/// by them: joined in one statement, PostgreSQL estimated a few hundred names' worth of
/// assets and hashed all of `asset_search_names` (2M rows at 1M assets, 150–250 ms)
/// where one name's assets are a lookup in its key.
///
/// Fails when the query fails.
pub fn search_names_holding(
    conn: &mut DbConnection,
    text: &str,
    pattern: &str,
    most: usize,
) -> QueryResult<Option<Vec<String>>> {
    let holding: Condition<search_names::table> =
        names_holding(conn, ("search_names.name IN ", ""), text, pattern);
    let names: Vec<String> = search_names::table
        .filter(holding)
        .select(search_names::name)
        .limit(i64::try_from(most).unwrap_or(i64::MAX).saturating_add(1))
        .load(conn)?;
    Ok((names.len() <= most).then_some(names))
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

/// The triggers that index each name as it is inserted, which a bulk load on SQLite
/// sets aside: FTS5 builds the index of a million names from one statement several
/// times faster than from a million inserts (see BENCHMARKS.md).
const INSERT_TRIGGERS: &str = "'assets_name_trigrams_insert', 'search_names_trigrams_insert'";

/// SQLite's trigram tables set aside for a bulk load: the triggers that index each
/// inserted name, as the statements that create them, and the last rowids indexed.
#[derive(Debug, Default)]
#[must_use = "set-aside trigram triggers must be restored before the transaction commits"]
pub struct TrigramsAside {
    triggers: Vec<String>,
    assets_after: i64,
    names_after: i64,
}

#[derive(QueryableByName)]
struct Created {
    #[diesel(sql_type = Text)]
    sql: String,
}

#[derive(QueryableByName)]
struct Last {
    #[diesel(sql_type = BigInt)]
    assets: i64,
    #[diesel(sql_type = BigInt)]
    names: i64,
}

/// Sets the insert triggers of the trigram tables aside on SQLite, inside the load's
/// transaction (a load that fails rolls them back with everything else); nothing on
/// PostgreSQL. The load inserts assets and search names and changes none it did not
/// insert, so the rows after the last rowids are the ones to index.
///
/// Fails when the schema cannot be read or a trigger cannot be dropped.
pub fn set_trigrams_aside(conn: &mut DbConnection) -> QueryResult<TrigramsAside> {
    use diesel::connection::SimpleConnection;
    if !matches!(conn, DbConnection::Sqlite(_)) {
        return Ok(TrigramsAside::default());
    }
    let triggers: Vec<Created> = diesel::sql_query(format!(
        "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name IN ({INSERT_TRIGGERS}) \
         ORDER BY name"
    ))
    .load(conn)?;
    let last: Last = diesel::sql_query(
        "SELECT (SELECT COALESCE(MAX(rowid), 0) FROM assets) AS assets, \
         (SELECT COALESCE(MAX(rowid), 0) FROM search_names) AS names",
    )
    .get_result(conn)?;
    conn.batch_execute(
        "DROP TRIGGER assets_name_trigrams_insert; DROP TRIGGER search_names_trigrams_insert;",
    )?;
    Ok(TrigramsAside {
        triggers: triggers.into_iter().map(|t| t.sql).collect(),
        assets_after: last.assets,
        names_after: last.names,
    })
}

impl TrigramsAside {
    /// Indexes the names the load inserted, one statement per table, and creates the
    /// triggers again, in the load's transaction.
    ///
    /// Fails when a statement fails.
    pub fn restore(self, conn: &mut DbConnection) -> QueryResult<()> {
        use diesel::connection::SimpleConnection;
        if self.triggers.is_empty() {
            return Ok(());
        }
        diesel::sql_query(
            "INSERT INTO asset_name_trigrams (rowid, name, owner_name) \
             SELECT rowid, name, owner_name FROM assets WHERE rowid > ?",
        )
        .bind::<BigInt, _>(self.assets_after)
        .execute(conn)?;
        diesel::sql_query(
            "INSERT INTO search_name_trigrams (rowid, name) \
             SELECT rowid, name FROM search_names WHERE rowid > ?",
        )
        .bind::<BigInt, _>(self.names_after)
        .execute(conn)?;
        for trigger in &self.triggers {
            conn.batch_execute(trigger)?;
        }
        Ok(())
    }
}
