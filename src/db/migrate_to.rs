//! Moving a register from SQLite to PostgreSQL (`asset-registry migrate-to`): every
//! table of the SQLite register copied row for row, in one read snapshot of the source
//! and one transaction on the target, into a PostgreSQL database that holds no register
//! yet (its migrations applied by opening it). Rows travel as JSON: SQLite writes each
//! as `json_object(…)`, PostgreSQL reads a batch with `json_populate_recordset`, so
//! every column keeps its exact value whatever its type (binary columns as `\x` hex).

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::pool::DbConnection;

/// Rows read from SQLite and written to PostgreSQL at a time.
const BATCH: i64 = 2000;

/// The tables that hold a register: a target with a row in any of them is not empty.
const REGISTER_TABLES: [&str; 6] = [
    "projects",
    "assets",
    "ledger_entries",
    "import_batches",
    "declarations",
    "access_tokens",
];

/// Why a register could not be copied.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    /// The source is not a SQLite register.
    #[error("源登记簿须为 SQLite 文件（--database 或设置 database），此处是 PostgreSQL")]
    SourceNotSqlite,
    /// The target is not PostgreSQL.
    #[error("目标须为 PostgreSQL 数据库（postgres://…）")]
    TargetNotPostgres,
    /// The target already holds a register.
    #[error("目标数据库不是空的：表 {table} 已有 {rows} 行。migrate-to 只写入空的 PostgreSQL 数据库（新建一个：createdb registry），未写入任何数据")]
    TargetNotEmpty {
        /// The first table found with rows.
        table: String,
        /// How many.
        rows: i64,
    },
    /// A table of the source has no counterpart in the target.
    #[error("目标数据库没有表 {0}：两边的版本不同？未写入任何数据")]
    MissingTable(String),
    /// A query failed.
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
}

#[derive(QueryableByName)]
struct Named {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    declared: String,
}

#[derive(QueryableByName)]
struct Counted {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct JsonRow {
    #[diesel(sql_type = BigInt)]
    position: i64,
    #[diesel(sql_type = Text)]
    row: String,
}

/// A table's name quoted for SQL (names come from the database's own catalogue).
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A text literal for SQL.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The SQLite register's tables, each after the tables its foreign keys name: its
/// ordinary tables, not the name search's FTS5 tables (virtual, and their shadow
/// tables), which PostgreSQL's trigram indexes stand for.
fn tables_in_order(lite: &mut SqliteConnection) -> QueryResult<Vec<String>> {
    let names: Vec<Named> = diesel::sql_query(
        "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name <> '__diesel_schema_migrations' ORDER BY name",
    )
    .load(lite)?;
    let mut pending: Vec<(String, Vec<String>)> = Vec::new();
    for Named { name } in names {
        let parents: Vec<Named> = diesel::sql_query(format!(
            "SELECT DISTINCT \"table\" AS name FROM pragma_foreign_key_list({})",
            literal(&name)
        ))
        .load(lite)?;
        let parents = parents
            .into_iter()
            .map(|p| p.name)
            .filter(|p| *p != name)
            .collect();
        pending.push((name, parents));
    }
    let mut ordered: Vec<String> = Vec::new();
    while !pending.is_empty() {
        let ready = pending
            .iter()
            .position(|(_, parents)| parents.iter().all(|p| ordered.contains(p)))
            // A cycle of foreign keys (none today): take the rest in name order.
            .unwrap_or(0);
        ordered.push(pending.remove(ready).0);
    }
    Ok(ordered)
}

/// How a column is read into JSON: binary columns as `\x` and their hex, which
/// PostgreSQL's `bytea` reads back; every other column as it is.
fn json_value(column: &Column) -> String {
    let declared = column.declared.to_ascii_uppercase();
    if declared.contains("BLOB") || declared.contains("BINARY") || declared.contains("BYTEA") {
        format!("'\\x' || hex({})", quoted(&column.name))
    } else {
        quoted(&column.name)
    }
}

/// Copies `table` batch by batch; returns its row count.
fn copy_table(lite: &mut SqliteConnection, pg: &mut PgConnection, table: &str) -> QueryResult<u64> {
    let columns: Vec<Column> = diesel::sql_query(format!(
        "SELECT name, type AS declared FROM pragma_table_info({})",
        literal(table)
    ))
    .load(lite)?;
    let object: Vec<String> = columns
        .iter()
        .map(|c| format!("{}, {}", literal(&c.name), json_value(c)))
        .collect();
    let select = format!(
        "SELECT rowid AS position, json_object({}) AS row FROM {} WHERE rowid > ? \
         ORDER BY rowid LIMIT ?",
        object.join(", "),
        quoted(table)
    );
    let insert = format!(
        "INSERT INTO {table} SELECT * FROM json_populate_recordset(NULL::{table}, $1::json)",
        table = quoted(table)
    );
    let mut after = i64::MIN;
    let mut copied = 0u64;
    loop {
        let rows: Vec<JsonRow> = diesel::sql_query(&select)
            .bind::<BigInt, _>(after)
            .bind::<BigInt, _>(BATCH)
            .load(lite)?;
        let Some(last) = rows.last() else {
            return Ok(copied);
        };
        after = last.position;
        let batch: Vec<&str> = rows.iter().map(|r| r.row.as_str()).collect();
        diesel::sql_query(&insert)
            .bind::<Text, _>(format!("[{}]", batch.join(",")))
            .execute(pg)?;
        copied += u64::try_from(rows.len()).unwrap_or(0);
    }
}

/// Refuses a `source` register that is not SQLite, or a `target` URL that is not
/// PostgreSQL, before anything is opened or written there.
///
/// Fails with [`MigrateError::TargetNotPostgres`] or [`MigrateError::SourceNotSqlite`].
pub fn check_backends(source: &super::Db, target: &str) -> Result<(), MigrateError> {
    if super::Backend::of_url(target) != super::Backend::Postgres {
        return Err(MigrateError::TargetNotPostgres);
    }
    if source.backend() != super::Backend::Sqlite {
        return Err(MigrateError::SourceNotSqlite);
    }
    Ok(())
}

/// Copies the SQLite register `source` into the empty PostgreSQL database `target`
/// (migrated to the same version), all or nothing; returns each table with its rows.
///
/// Fails with [`MigrateError::TargetNotEmpty`] when the target holds any project,
/// asset, entry, batch, declaration or token (nothing is written), when either side is
/// of the wrong backend, and when a query fails (the target's transaction is rolled
/// back).
pub fn copy_register(
    source: &mut DbConnection,
    target: &mut DbConnection,
) -> Result<Vec<(String, u64)>, MigrateError> {
    let DbConnection::Sqlite(lite) = source else {
        return Err(MigrateError::SourceNotSqlite);
    };
    let DbConnection::Postgres(pg) = target else {
        return Err(MigrateError::TargetNotPostgres);
    };
    lite.transaction(|lite| {
        let tables = tables_in_order(lite)?;
        pg.transaction(|pg| {
            let present: Vec<Named> = diesel::sql_query(
                "SELECT table_name::text AS name FROM information_schema.tables \
                 WHERE table_schema = current_schema()",
            )
            .load(pg)?;
            for table in &tables {
                if !present.iter().any(|p| p.name == *table) {
                    return Err(MigrateError::MissingTable(table.clone()));
                }
            }
            for table in REGISTER_TABLES {
                let counted: Counted =
                    diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {}", quoted(table)))
                        .get_result(pg)?;
                if counted.n > 0 {
                    return Err(MigrateError::TargetNotEmpty {
                        table: table.to_owned(),
                        rows: counted.n,
                    });
                }
            }
            // The rows the migrations seed (the chain's head, the maintained totals)
            // give way to the source's.
            for table in tables.iter().rev() {
                pg.batch_execute(&format!("DELETE FROM {}", quoted(table)))?;
            }
            let mut copied = Vec::new();
            for table in &tables {
                copied.push((table.clone(), copy_table(lite, pg, table)?));
            }
            Ok(copied)
        })
    })
}
