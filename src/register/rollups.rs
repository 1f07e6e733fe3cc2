//! Totals by scope and grouping, maintained so that every totals read (a scope's whole,
//! its classes, its groups by town, village, year, department or funding channel)
//! reads one row per group shown.
//!
//! A `rollup_figures` row is keyed by a scope (`county`, `town:桑镇`,
//! `village:桑镇/东村`, `department:农业农村局`, as [`Scope`] writes them), a grouping
//! (`class`, `town`, `village`, `year`, `department`, `funding_channel`) and a group key
//! as totals list it. The `class` grouping holds the scope's `all`, `none` and per-class
//! rows, which are its summary. Each row is a sum of `group_figures` rows
//! (`register::figures`): the groups of the scope, mapped to the group key. Every change
//! to those rows is made to these in the same statement sequence, under the chain lock;
//! [`compare`] recomputes them from the projects and assets.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::db::DbConnection;
use crate::domain::Scope;
use crate::register::figures::{add_to_kept, signed, GroupRow};
use crate::register::scope::literal;
use crate::register::summary::{first_difference, ClassFigures};

/// Rows written in one statement.
const ROWS_PER_STATEMENT: usize = 300;

/// The prefix of a `group_figures` class that holds a funding channel's figures.
pub const CHANNEL_PREFIX: &str = "channel:";

/// One `rollup_figures` row.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct RollupRow {
    /// The scope, as [`Scope`] writes it.
    #[diesel(sql_type = Text)]
    pub scope: String,
    /// The grouping.
    #[diesel(sql_type = Text)]
    pub grouped_by: String,
    /// The group key.
    #[diesel(sql_type = Text)]
    pub group_key: String,
    /// Projects, live assets, their funds and value.
    #[diesel(embed)]
    pub figures: ClassFigures,
}

/// A rollup row's key: scope, grouping, group key.
pub type Key = (String, &'static str, String);

/// The rollup rows a `group_figures` row adds to, with their keys.
fn targets(row: &GroupRow) -> Vec<Key> {
    let mut scopes = vec!["county".to_owned(), format!("town:{}", row.town)];
    if !row.village.is_empty() {
        scopes.push(format!("village:{}/{}", row.town, row.village));
    }
    if !row.department.is_empty() {
        scopes.push(format!("department:{}", row.department));
    }
    let mut groups: Vec<(&'static str, String)> = Vec::new();
    if let Some(channel) = row.class.strip_prefix(CHANNEL_PREFIX) {
        groups.push(("funding_channel", channel.to_owned()));
    } else {
        groups.push(("class", row.class.clone()));
        if row.class == "all" {
            groups.push(("town", row.town.clone()));
            groups.push(("village", format!("{}/{}", row.town, row.village)));
            groups.push(("year", row.year.to_string()));
            let department = if row.department.is_empty() {
                "unspecified".to_owned()
            } else {
                row.department.clone()
            };
            groups.push(("department", department));
        }
    }
    scopes
        .iter()
        .flat_map(|scope| {
            groups
                .iter()
                .map(move |(grouping, key)| (scope.clone(), *grouping, key.clone()))
        })
        .collect()
}

/// Rollup rows by key, as sums of `group_figures` rows not yet added to the kept ones.
pub type Sums = BTreeMap<Key, [i64; 4]>;

/// Adds `sign` times the `group_figures` row `row` to the rollup sums `sums`.
pub fn add_group(sums: &mut Sums, row: &GroupRow, sign: i64) {
    for key in targets(row) {
        let sum = sums.entry(key).or_default();
        for (s, c) in sum.iter_mut().zip(row.figures.as_array()) {
            // Wrapping: sums past 64 bits are refused before they are kept.
            *s = s.wrapping_add(sign.wrapping_mul(c));
        }
    }
}

/// Adds `sign` times the `group_figures` rows `rows` to the rollups, creating rows not
/// there yet. The caller holds the chain lock.
///
/// Fails when a query fails.
pub fn add(conn: &mut DbConnection, rows: &[GroupRow], sign: i64) -> QueryResult<()> {
    let mut sums = Sums::new();
    for row in rows {
        add_group(&mut sums, row, sign);
    }
    upsert(conn, &sums)
}

/// Adds the sums `sums` to the kept rows, creating rows not there yet (a sum of zeros
/// is left out). The caller holds the chain lock.
///
/// Fails when a query fails.
pub fn upsert(conn: &mut DbConnection, sums: &Sums) -> QueryResult<()> {
    let sums: Vec<(&Key, &[i64; 4])> = sums.iter().filter(|(_, f)| **f != [0; 4]).collect();
    for chunk in sums.chunks(ROWS_PER_STATEMENT) {
        let values = chunk
            .iter()
            .map(|((scope, grouping, key), f)| {
                format!(
                    "({}, '{grouping}', {}, {})",
                    literal(scope),
                    literal(key),
                    signed(**f, 1)
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        add_to_kept(
            conn,
            "rollup_figures",
            "scope, grouped_by, group_key",
            &format!("VALUES {values}"),
        )?;
    }
    Ok(())
}

/// The rollup rows summed from `source`, an SQL relation of `group_figures` columns:
/// one SELECT of [`RollupRow`] columns (the same mapping as [`add`]'s).
pub fn from_groups_sql(source: &str) -> String {
    let all = "s.class = 'all'";
    format!(
        "WITH s AS ({source}), \
         sc AS (SELECT 'county' AS scope, s.* FROM s \
             UNION ALL SELECT 'town:' || s.town AS scope, s.* FROM s \
             UNION ALL SELECT 'village:' || s.town || '/' || s.village AS scope, s.* FROM s WHERE s.village <> '' \
             UNION ALL SELECT 'department:' || s.department AS scope, s.* FROM s WHERE s.department <> '') \
         SELECT r.scope AS scope, r.grouped_by AS grouped_by, r.group_key AS group_key, \
             CAST(SUM(r.projects) AS BIGINT) AS projects, CAST(SUM(r.assets) AS BIGINT) AS assets, \
             CAST(SUM(r.funds_fen) AS BIGINT) AS funds_fen, CAST(SUM(r.value_fen) AS BIGINT) AS value_fen \
         FROM ( \
             SELECT s.scope, 'class' AS grouped_by, s.class AS group_key, s.projects, s.assets, s.funds_fen, s.value_fen \
                 FROM sc s WHERE s.class NOT LIKE '{CHANNEL_PREFIX}%' \
             UNION ALL SELECT s.scope, 'town', s.town, s.projects, s.assets, s.funds_fen, s.value_fen FROM sc s WHERE {all} \
             UNION ALL SELECT s.scope, 'village', s.town || '/' || s.village, s.projects, s.assets, s.funds_fen, s.value_fen FROM sc s WHERE {all} \
             UNION ALL SELECT s.scope, 'year', CAST(s.year AS TEXT), s.projects, s.assets, s.funds_fen, s.value_fen FROM sc s WHERE {all} \
             UNION ALL SELECT s.scope, 'department', CASE WHEN s.department = '' THEN 'unspecified' ELSE s.department END, \
                 s.projects, s.assets, s.funds_fen, s.value_fen FROM sc s WHERE {all} \
             UNION ALL SELECT s.scope, 'funding_channel', SUBSTR(s.class, {}), s.projects, s.assets, s.funds_fen, s.value_fen \
                 FROM sc s WHERE s.class LIKE '{CHANNEL_PREFIX}%' \
         ) r GROUP BY r.scope, r.grouped_by, r.group_key",
        CHANNEL_PREFIX.len() + 1
    )
}

/// Adds the `group_figures` rows `source` (an SQL relation of their columns) to the
/// rollups in one statement, creating rows not there yet. The caller holds the chain
/// lock.
///
/// Fails when the statement fails.
pub fn add_sql(conn: &mut DbConnection, source: &str) -> QueryResult<()> {
    add_to_kept(
        conn,
        "rollup_figures",
        "scope, grouped_by, group_key",
        &format!(
            "SELECT q.scope, q.grouped_by, q.group_key, q.projects, q.assets, q.funds_fen, q.value_fen \
             FROM ({}) q WHERE 1 = 1",
            from_groups_sql(source)
        ),
    )
}

/// Recomputes every rollup row from the `group_figures` rows. The caller holds the
/// chain lock.
///
/// Fails when a query fails.
pub fn rebuild(conn: &mut DbConnection) -> QueryResult<()> {
    diesel::sql_query("DELETE FROM rollup_figures").execute(conn)?;
    diesel::sql_query(format!(
        "INSERT INTO rollup_figures (scope, grouped_by, group_key, projects, assets, funds_fen, value_fen) \
         SELECT q.scope, q.grouped_by, q.group_key, q.projects, q.assets, q.funds_fen, q.value_fen FROM ({}) q",
        from_groups_sql(
            "SELECT class, town, village, year, department, projects, assets, funds_fen, value_fen FROM group_figures"
        )
    ))
    .execute(conn)?;
    Ok(())
}

/// The rows of `scope` and `grouping`, unordered.
///
/// Fails when the query fails.
pub fn read(conn: &mut DbConnection, scope: &Scope, grouping: &str) -> QueryResult<Vec<RollupRow>> {
    diesel::sql_query(format!(
        "SELECT scope, grouped_by, group_key, projects, assets, funds_fen, value_fen FROM rollup_figures \
         WHERE scope = {} AND grouped_by = {}",
        literal(&scope.to_string()),
        literal(grouping)
    ))
    .load(conn)
}

const COLUMNS: &str = "scope, grouped_by, group_key, projects, assets, funds_fen, value_fen";

/// The first rollup row (by scope, grouping, key) whose kept figures differ from their
/// recomputation from `recomputed_groups` (an SQL relation of recomputed
/// `group_figures` rows), a row missing or not called for counting as zeros: the
/// figure's name (`rollup_figures.town:桑镇/year/2019.funds_fen`), the kept value and
/// the recomputed one; `None` when all agree.
///
/// Fails when a query fails.
pub fn compare(
    conn: &mut DbConnection,
    recomputed_groups: &str,
) -> QueryResult<Option<(String, i64, i64)>> {
    let nonzero = "projects <> 0 OR assets <> 0 OR funds_fen <> 0 OR value_fen <> 0";
    let kept: Vec<RollupRow> = diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM rollup_figures WHERE {nonzero}"
    ))
    .load(conn)?;
    let again: Vec<RollupRow> = diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM ({}) q WHERE {nonzero}",
        from_groups_sql(recomputed_groups)
    ))
    .load(conn)?;
    let keyed = |rows: Vec<RollupRow>| -> BTreeMap<(String, String, String), [i64; 4]> {
        rows.into_iter()
            .map(|r| ((r.scope, r.grouped_by, r.group_key), r.figures.as_array()))
            .collect()
    };
    let (kept, again) = (keyed(kept), keyed(again));
    Ok(first_difference("rollup_figures", &kept, &again))
}
