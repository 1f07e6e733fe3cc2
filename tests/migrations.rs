//! The two migration trees stay alike: `migrations/sqlite` and `migrations/postgres`
//! hold the same migrations, and a fresh database of each backend, migrated, has the
//! same tables, columns (order, type family, nullability, default), primary keys,
//! foreign keys, indexes (name, columns, uniqueness, partial predicate) and guards on
//! the ledger. A column or index added to one tree and not the other fails here.
//!
//! Intended differences, which the comparison reads past (README's layout section lists
//! them too):
//! 1. Type names: SQLite keeps the declared names (`TEXT`, `BIGINT`, `INTEGER`),
//!    PostgreSQL reports its own (`text`, `bigint`, `integer`); compared by family.
//! 2. Defaults and partial-index predicates as each engine prints them
//!    (`'0001-01-01'::text`, `(kind <> 'registered'::text)`); compared without casts,
//!    parentheses and spacing.
//! 3. The indexes behind PRIMARY KEY and UNIQUE constraints are named by the engine
//!    (`sqlite_autoindex_assets_1` against `assets_pkey`, `assets_code_key`); they are
//!    compared by their columns, not their names.
//! 4. An `INTEGER PRIMARY KEY` (`ledger_head.id`, `register_summary.id`) is SQLite's
//!    rowid and has no index of its own, where PostgreSQL has a `_pkey` index; primary
//!    keys are compared as columns and primary-key indexes are left out.
//! 5. The append-only guards of the ledger, the access log and the registered fields
//!    (`registered_fields`, and the columns of `assets` that hold registered fields):
//!    SQLite has two triggers
//!    (`ledger_entries_no_update` BEFORE UPDATE, `ledger_entries_no_delete` BEFORE
//!    DELETE) with the body inline; PostgreSQL has one row trigger for both events
//!    (`ledger_entries_no_update`, BEFORE UPDATE OR DELETE) calling the function
//!    `ledger_entries_append_only()`, which has no SQLite counterpart. Compared as the
//!    set of (table, timing, event) guarded.
//! 6. CHECK constraints are not compared (each engine prints them its own way).
//! 7. References on PostgreSQL are proved once per statement or per bulk load, not by a
//!    foreign-key check per row (migration `2026-12-09-400000_proved_references`): its
//!    tree has no foreign key `projects.batch_id`, `assets.batch_id`,
//!    `assets.project_code`, `ledger_entries.batch_id` or `ledger_entries.asset_id`
//!    (SQLite keeps them), and has instead the statement triggers `AFTER INSERT` on
//!    `assets` and `ledger_entries` (and `BEFORE TRUNCATE` guards, which neither engine
//!    lists beside the others). Both trees keep import batches append-only and refuse
//!    to delete projects and assets or change their keys.
//! 8. The name search's trigram indexes (`pg_trgm`, migrations
//!    `2026-12-10-110000_name_trigrams` and `2026-12-11-100000_name_search_trigrams`)
//!    are PostgreSQL's alone: SQLite's core has no trigram index.
//! 9. SQLite's name search reads FTS5 trigram tables instead (migration
//!    `2026-12-11-100000_name_search_trigrams`): the virtual tables
//!    `asset_name_trigrams` and `search_name_trigrams`, the shadow tables FTS5 keeps for
//!    them, and the triggers that keep them in step with `assets` and `search_names`
//!    (`AFTER INSERT`, `UPDATE` and `DELETE`, named `…_trigrams_…`) have no PostgreSQL
//!    counterpart. Only ordinary tables are compared; the virtual tables and their
//!    triggers are checked to be there.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use asset_registry::db::{Backend, Db, DbConnection};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable, Text};
use support::{postgres_admin_url, TestDatabase};

/// A column as both backends can describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Column {
    name: String,
    family: String,
    not_null: bool,
    default: Option<String>,
}

/// An index other than a primary key's.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Index {
    /// The name given in a migration; `None` for an index behind a UNIQUE constraint,
    /// which the engine names.
    name: Option<String>,
    columns: Vec<String>,
    unique: bool,
    predicate: Option<String>,
}

/// One table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Table {
    columns: Vec<Column>,
    primary_key: Vec<String>,
    /// `column -> table(column)`.
    foreign_keys: BTreeSet<String>,
    indexes: BTreeSet<Index>,
}

/// A migrated database, normalised.
#[derive(Debug, Default, PartialEq, Eq)]
struct Schema {
    tables: BTreeMap<String, Table>,
    /// `(table, timing, event)` of every trigger.
    guards: BTreeSet<(String, String, String)>,
}

/// The type family of a declared or reported type name.
fn family(type_name: &str) -> String {
    match type_name.to_lowercase().as_str() {
        "bigint" | "int8" => "bigint".to_owned(),
        "integer" | "int" | "int4" => "integer".to_owned(),
        "text" => "text".to_owned(),
        "blob" | "bytea" => "binary".to_owned(),
        other => format!("unknown type {other}"),
    }
}

/// An expression without casts, parentheses, spacing or case.
fn expression(text: &str) -> String {
    let mut text = text.to_lowercase();
    for cast in ["::text", "::bigint", "::integer"] {
        text = text.replace(cast, "");
    }
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '(' && *c != ')')
        .collect()
}

/// A fresh database of `backend`, migrated, and a connection to it.
fn migrated(backend: Backend) -> (TestDatabase, Db) {
    let database = TestDatabase::new(backend);
    let db = Db::open(&database.url, 1).expect("migrate a fresh database");
    (database, db)
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

/// The one text column `name` of every row `query` returns (with `bind` bound).
fn names(conn: &mut DbConnection, query: &str, bind: Option<&str>) -> Vec<String> {
    let rows: Vec<Name> = match bind {
        Some(value) => diesel::sql_query(query).bind::<Text, _>(value).load(conn),
        None => diesel::sql_query(query).load(conn),
    }
    .unwrap_or_else(|e| panic!("{query}: {e}"));
    rows.into_iter().map(|r| r.name).collect()
}

#[derive(QueryableByName)]
struct SqliteColumn {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    declared: String,
    #[diesel(sql_type = BigInt)]
    not_null: i64,
    #[diesel(sql_type = Nullable<Text>)]
    dflt_value: Option<String>,
    #[diesel(sql_type = BigInt)]
    pk: i64,
}

#[derive(QueryableByName)]
struct SqliteIndex {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = BigInt)]
    is_unique: i64,
    #[diesel(sql_type = Text)]
    origin: String,
}

#[derive(QueryableByName)]
struct SqliteForeignKey {
    #[diesel(sql_type = Text)]
    target: String,
    #[diesel(sql_type = Text)]
    source: String,
    #[diesel(sql_type = Text)]
    target_column: String,
}

#[derive(QueryableByName)]
struct Trigger {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    definition: String,
}

fn sqlite_schema(conn: &mut DbConnection) -> Schema {
    let mut schema = Schema::default();
    let tables = names(
        conn,
        "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name <> '__diesel_schema_migrations' ORDER BY name",
        None,
    );
    for table_name in tables {
        let mut table = Table::default();
        let columns: Vec<SqliteColumn> = diesel::sql_query(
            "SELECT name, type AS declared, \"notnull\" AS not_null, dflt_value, pk \
             FROM pragma_table_info(?) ORDER BY cid",
        )
        .bind::<Text, _>(&table_name)
        .load(conn)
        .expect("columns");
        let mut key: Vec<(i64, String)> = Vec::new();
        for column in columns {
            if column.pk > 0 {
                key.push((column.pk, column.name.clone()));
            }
            table.columns.push(Column {
                family: family(&column.declared),
                not_null: column.not_null != 0,
                default: column.dflt_value.as_deref().map(expression),
                name: column.name,
            });
        }
        key.sort();
        table.primary_key = key.into_iter().map(|(_, name)| name).collect();
        let foreign_keys: Vec<SqliteForeignKey> = diesel::sql_query(
            "SELECT \"table\" AS target, \"from\" AS source, \"to\" AS target_column \
             FROM pragma_foreign_key_list(?)",
        )
        .bind::<Text, _>(&table_name)
        .load(conn)
        .expect("foreign keys");
        table.foreign_keys = foreign_keys
            .into_iter()
            .map(|fk| format!("{} -> {}({})", fk.source, fk.target, fk.target_column))
            .collect();
        let indexes: Vec<SqliteIndex> = diesel::sql_query(
            "SELECT name, \"unique\" AS is_unique, origin FROM pragma_index_list(?)",
        )
        .bind::<Text, _>(&table_name)
        .load(conn)
        .expect("indexes");
        for index in indexes.into_iter().filter(|i| i.origin != "pk") {
            let columns = names(
                conn,
                "SELECT name FROM pragma_index_info(?) ORDER BY seqno",
                Some(&index.name),
            );
            let sql = names(
                conn,
                "SELECT COALESCE(sql, '') AS name FROM sqlite_schema WHERE name = ?",
                Some(&index.name),
            );
            let predicate = sql
                .first()
                .and_then(|sql| sql.split_once(" WHERE "))
                .map(|(_, predicate)| expression(predicate));
            table.indexes.insert(Index {
                name: (index.origin == "c").then_some(index.name),
                columns,
                unique: index.is_unique != 0,
                predicate,
            });
        }
        schema.tables.insert(table_name, table);
    }
    let triggers: Vec<Trigger> = diesel::sql_query(
        "SELECT tbl_name AS table_name, sql AS definition FROM sqlite_schema \
         WHERE type = 'trigger' AND name NOT LIKE '%\\_trigrams\\_%' ESCAPE '\\'",
    )
    .load(conn)
    .expect("triggers");
    for trigger in triggers {
        // CREATE TRIGGER name {BEFORE|AFTER} {INSERT|UPDATE|DELETE} ON table ...
        let words: Vec<String> = trigger
            .definition
            .split_whitespace()
            .map(str::to_uppercase)
            .collect();
        let timing = words.get(3).cloned().unwrap_or_default();
        let event = words.get(4).cloned().unwrap_or_default();
        schema.guards.insert((trigger.table_name, timing, event));
    }
    schema
}

#[derive(QueryableByName)]
struct PgColumn {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    declared: String,
    #[diesel(sql_type = Bool)]
    not_null: bool,
    #[diesel(sql_type = Nullable<Text>)]
    column_default: Option<String>,
}

#[derive(QueryableByName)]
struct PgIndex {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Bool)]
    is_unique: bool,
    #[diesel(sql_type = Bool)]
    is_primary: bool,
    #[diesel(sql_type = Bool)]
    from_constraint: bool,
    #[diesel(sql_type = Nullable<Text>)]
    predicate: Option<String>,
}

#[derive(QueryableByName)]
struct PgTrigger {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    timing: String,
    #[diesel(sql_type = Text)]
    event: String,
}

fn postgres_schema(conn: &mut DbConnection) -> Schema {
    let mut schema = Schema::default();
    let tables = names(
        conn,
        "SELECT table_name::text AS name FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE' \
         AND table_name <> '__diesel_schema_migrations' ORDER BY 1",
        None,
    );
    for table_name in tables {
        let mut table = Table::default();
        let columns: Vec<PgColumn> = diesel::sql_query(
            "SELECT column_name::text AS name, data_type::text AS declared, \
             is_nullable = 'NO' AS not_null, column_default::text AS column_default \
             FROM information_schema.columns WHERE table_schema = 'public' \
             AND table_name = $1 ORDER BY ordinal_position",
        )
        .bind::<Text, _>(&table_name)
        .load(conn)
        .expect("columns");
        table.columns = columns
            .into_iter()
            .map(|column| Column {
                family: family(&column.declared),
                not_null: column.not_null,
                default: column.column_default.as_deref().map(expression),
                name: column.name,
            })
            .collect();
        table.primary_key = names(
            conn,
            "SELECT a.attname::text AS name FROM pg_index i \
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) \
             WHERE i.indrelid = $1::text::regclass AND i.indisprimary \
             ORDER BY array_position(i.indkey::int2[], a.attnum)",
            Some(&table_name),
        );
        table.foreign_keys = names(
            conn,
            "SELECT a.attname || ' -> ' || t.relname || '(' || ta.attname || ')' AS name \
             FROM pg_constraint k \
             JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1] \
             JOIN pg_class t ON t.oid = k.confrelid \
             JOIN pg_attribute ta ON ta.attrelid = k.confrelid AND ta.attnum = k.confkey[1] \
             WHERE k.contype = 'f' AND k.conrelid = $1::text::regclass",
            Some(&table_name),
        )
        .into_iter()
        .collect();
        let indexes: Vec<PgIndex> = diesel::sql_query(
            "SELECT c.relname::text AS name, i.indisunique AS is_unique, \
             i.indisprimary AS is_primary, \
             EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) \
             AS from_constraint, pg_get_expr(i.indpred, i.indrelid) AS predicate \
             FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
             WHERE i.indrelid = $1::text::regclass",
        )
        .bind::<Text, _>(&table_name)
        .load(conn)
        .expect("indexes");
        for index in indexes.into_iter().filter(|i| !i.is_primary) {
            let columns = names(
                conn,
                "SELECT pg_get_indexdef(i.indexrelid, s.k, true) AS name \
                 FROM pg_index i, generate_series(1, i.indnatts) AS s(k) \
                 WHERE i.indexrelid = $1::text::regclass ORDER BY s.k",
                Some(&index.name),
            );
            table.indexes.insert(Index {
                name: (!index.from_constraint).then_some(index.name),
                columns,
                unique: index.is_unique,
                predicate: index.predicate.as_deref().map(expression),
            });
        }
        schema.tables.insert(table_name, table);
    }
    let triggers: Vec<PgTrigger> = diesel::sql_query(
        "SELECT event_object_table::text AS table_name, action_timing::text AS timing, \
         event_manipulation::text AS event FROM information_schema.triggers \
         WHERE trigger_schema = 'public'",
    )
    .load(conn)
    .expect("triggers");
    schema.guards = triggers
        .into_iter()
        .map(|t| (t.table_name, t.timing, t.event))
        .collect();
    schema
}

/// The foreign keys SQLite keeps and PostgreSQL proves otherwise (difference 7).
const PROVED_ON_POSTGRES: [(&str, &str); 5] = [
    ("projects", "batch_id -> import_batches(id)"),
    ("assets", "batch_id -> import_batches(id)"),
    ("assets", "project_code -> projects(code)"),
    ("ledger_entries", "batch_id -> import_batches(id)"),
    ("ledger_entries", "asset_id -> assets(id)"),
];

/// The indexes only PostgreSQL has (difference 8): `(table, index)`.
const POSTGRES_ONLY_INDEXES: [(&str, &str); 3] = [
    ("assets", "assets_name_trigrams"),
    ("assets", "assets_owner_name_trigrams"),
    ("search_names", "search_names_trigrams"),
];

/// Every difference between the two schemas, one line each.
fn differences(sqlite: &Schema, postgres: &Schema) -> Vec<String> {
    let mut found = Vec::new();
    let tables: BTreeSet<&String> = sqlite.tables.keys().chain(postgres.tables.keys()).collect();
    for name in tables {
        let (Some(lite), Some(pg)) = (sqlite.tables.get(name), postgres.tables.get(name)) else {
            found.push(format!("table {name}: only in one tree"));
            continue;
        };
        for position in 0..lite.columns.len().max(pg.columns.len()) {
            let (on_sqlite, on_postgres) = (lite.columns.get(position), pg.columns.get(position));
            if on_sqlite != on_postgres {
                found.push(format!(
                    "table {name}, column {}: {on_sqlite:?} on SQLite, {on_postgres:?} on PostgreSQL",
                    position + 1
                ));
            }
        }
        if lite.primary_key != pg.primary_key {
            found.push(format!(
                "table {name}: primary key {:?} on SQLite, {:?} on PostgreSQL",
                lite.primary_key, pg.primary_key
            ));
        }
        for fk in lite.foreign_keys.symmetric_difference(&pg.foreign_keys) {
            let proved_on_postgres = PROVED_ON_POSTGRES
                .iter()
                .any(|(table, key)| name == table && fk == key)
                && lite.foreign_keys.contains(fk);
            if proved_on_postgres {
                continue;
            }
            found.push(format!("table {name}: foreign key {fk} in one tree only"));
        }
        for index in lite.indexes.symmetric_difference(&pg.indexes) {
            let postgres_only = POSTGRES_ONLY_INDEXES
                .iter()
                .any(|(table, only)| name == table && index.name.as_deref() == Some(only))
                && pg.indexes.contains(index);
            if postgres_only {
                continue;
            }
            let side = if lite.indexes.contains(index) {
                "SQLite"
            } else {
                "PostgreSQL"
            };
            found.push(format!("table {name}: only {side} has {index:?}"));
        }
    }
    for guard in sqlite.guards.symmetric_difference(&postgres.guards) {
        let statement_check = guard.1 == "AFTER"
            && guard.2 == "INSERT"
            && ["assets", "ledger_entries"].contains(&guard.0.as_str())
            && postgres.guards.contains(guard);
        if statement_check {
            continue;
        }
        let side = if sqlite.guards.contains(guard) {
            "SQLite"
        } else {
            "PostgreSQL"
        };
        found.push(format!("only {side} guards {guard:?}"));
    }
    found
}

fn migration_names(tree: &str) -> BTreeSet<String> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(tree);
    std::fs::read_dir(&folder)
        .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
        .map(|entry| {
            entry
                .expect("migration folder entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

#[test]
fn both_trees_hold_the_same_migrations() {
    let sqlite = migration_names("sqlite");
    let postgres = migration_names("postgres");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres);
}

#[test]
fn both_backends_migrate_to_the_same_schema() {
    let (_database, db) = migrated(Backend::Sqlite);
    let sqlite = sqlite_schema(&mut db.conn().expect("sqlite connection"));
    // The schema is worth comparing: the register's tables, with the guards of the ledger
    // and of the access log.
    assert!(sqlite.tables.contains_key("ledger_entries"));
    assert!(sqlite.tables["assets"]
        .indexes
        .iter()
        .any(|index| index.name.as_deref() == Some("assets_owner_name")));
    assert_eq!(
        sqlite.guards,
        BTreeSet::from([
            (
                "assets".to_owned(),
                "BEFORE".to_owned(),
                "DELETE".to_owned()
            ),
            (
                "assets".to_owned(),
                "BEFORE".to_owned(),
                "UPDATE".to_owned()
            ),
            (
                "registered_fields".to_owned(),
                "BEFORE".to_owned(),
                "DELETE".to_owned()
            ),
            (
                "registered_fields".to_owned(),
                "BEFORE".to_owned(),
                "UPDATE".to_owned()
            ),
            (
                "access_log".to_owned(),
                "BEFORE".to_owned(),
                "DELETE".to_owned()
            ),
            (
                "access_log".to_owned(),
                "BEFORE".to_owned(),
                "UPDATE".to_owned()
            ),
            (
                "ledger_entries".to_owned(),
                "BEFORE".to_owned(),
                "DELETE".to_owned()
            ),
            (
                "ledger_entries".to_owned(),
                "BEFORE".to_owned(),
                "UPDATE".to_owned()
            ),
        ])
        .into_iter()
        .chain(
            ["import_batches", "projects", "assets"]
                .iter()
                .flat_map(|table| {
                    ["DELETE", "UPDATE"]
                        .map(|event| ((*table).to_owned(), "BEFORE".to_owned(), event.to_owned()))
                })
        )
        .collect::<BTreeSet<_>>()
    );

    // Difference 9: SQLite's trigram tables of the name search and what keeps them.
    let mut conn = db.conn().expect("sqlite connection");
    let trigram_tables = names(
        &mut conn,
        "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'virtual' \
         ORDER BY name",
        None,
    );
    assert_eq!(
        trigram_tables,
        ["asset_name_trigrams", "search_name_trigrams"]
    );
    let trigram_triggers = names(
        &mut conn,
        "SELECT tbl_name || ' ' || name AS name FROM sqlite_schema WHERE type = 'trigger' \
         AND name LIKE '%\\_trigrams\\_%' ESCAPE '\\' ORDER BY name",
        None,
    );
    assert_eq!(
        trigram_triggers,
        [
            "assets assets_name_trigrams_delete",
            "assets assets_name_trigrams_insert",
            "assets assets_name_trigrams_update",
            "search_names search_names_trigrams_delete",
            "search_names search_names_trigrams_insert",
            "search_names search_names_trigrams_update",
        ]
    );
    drop(conn);

    let required = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    if diesel::PgConnection::establish(&postgres_admin_url()).is_err() && !required {
        println!(
            "NOTE: PostgreSQL is not reachable at {}: the schemas were not compared. \
             Set CI=true to require it.",
            postgres_admin_url()
        );
        return;
    }
    let (_database, db) = migrated(Backend::Postgres);
    let postgres = postgres_schema(&mut db.conn().expect("postgres connection"));
    let found = differences(&sqlite, &postgres);
    assert!(
        found.is_empty(),
        "the migration trees differ beyond the intended differences:\n{}",
        found.join("\n")
    );
}
