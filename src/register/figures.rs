//! Figures by group, maintained by every write that changes them, so that totals by
//! class, town, village or year, county-wide or for a town, village or department
//! scope, add up a few `group_figures` rows instead of scanning the register.
//!
//! A group is a project's town, village, year and department (`''` for a missing village
//! or department). Each group has up to five rows by class, and one per funding channel:
//! - `all`: its projects, their funds, and their live (not disposed) assets and value;
//! - `operating`, `public_welfare`, `household`: the projects with a live asset of the
//!   class, their funds, and the class's live assets and value (as `class_summary`);
//! - `none`: the projects that formed no asset at all, and their funds;
//! - `channel:central` … `channel:other`: the projects whose funds are split and name
//!   the channel, the channel's amount as their funds, their live assets and value;
//!   `channel:unspecified`: the projects whose funds are not split.
//!
//! Reads do not add these rows up: every change to them is made, mapped, to their
//! rollups by scope and grouping (`register::rollups`), which totals read, and to the
//! figures by business date (`register::dated`), which reconciliations read.
//!
//! Every figure is a sum over the projects of the group of what each contributes, so a
//! write keeps them by taking the contribution of the projects it touches away before
//! it changes them ([`withdraw`]) and adding it again after ([`deposit`]), in the same
//! transaction (writers hold the ledger's chain lock, like `register::summary`). A
//! row whose figures fall to zero stays, holding zeros. [`compare`] recomputes every
//! row from the projects and assets and names the first that differs.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};

use crate::db::DbConnection;
use crate::register::created::CreatedFigures;
use crate::register::dated;
use crate::register::rollups;
use crate::register::scope::literal;
use crate::register::summary::ClassFigures;

mod contributions;
use contributions::{contributions_sql, Projects};

/// How many projects' contributions are read in one statement.
const PROJECTS_PER_STATEMENT: usize = 500;

/// Rows written in one statement.
const ROWS_PER_STATEMENT: usize = 500;

/// One row of `group_figures` as read, recomputed or compared.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct GroupRow {
    /// `all`, `none` or a class.
    #[diesel(sql_type = Text)]
    pub class: String,
    /// The projects' town.
    #[diesel(sql_type = Text)]
    pub town: String,
    /// Their village, `''` for none.
    #[diesel(sql_type = Text)]
    pub village: String,
    /// Their year.
    #[diesel(sql_type = Integer)]
    pub year: i32,
    /// Their department, `''` for none.
    #[diesel(sql_type = Text)]
    pub department: String,
    /// Projects, live assets, their funds and value.
    #[diesel(embed)]
    pub figures: ClassFigures,
}

impl GroupRow {
    /// The row's name as verification reports it: `group_figures.operating.桑镇/东村/2019/农业`.
    pub fn name(&self) -> String {
        format!(
            "group_figures.{}.{}/{}/{}/{}",
            self.class, self.town, self.village, self.year, self.department
        )
    }

    /// The row's key: class, town, village, year, department.
    pub fn key(&self) -> (&str, &str, &str, i32, &str) {
        (
            &self.class,
            &self.town,
            &self.village,
            self.year,
            &self.department,
        )
    }
}

/// Adds `sign` times what `projects` contribute (leaving out batch `excluding`) to the
/// rows and to their rollups (`register::rollups`), creating the rows not there yet.
/// For all projects, in one statement, and the rollups rebuilt from the rows.
fn add(
    conn: &mut DbConnection,
    projects: &Projects<'_>,
    excluding: Option<&str>,
    sign: i64,
) -> QueryResult<()> {
    let contributions = contributions_sql(projects, excluding);
    if let Projects::All = projects {
        // `WHERE 1 = 1`: SQLite reads `ON CONFLICT` after a SELECT only after a WHERE.
        upsert(
            conn,
            &format!(
                "SELECT c.class, c.town, c.village, c.year, c.department, \
                     {sign} * c.projects, {sign} * c.assets, {sign} * c.funds_fen, {sign} * c.value_fen \
                 FROM ({contributions}) c WHERE 1 = 1"
            ),
        )?;
        return rollups::rebuild(conn);
    }
    let rows: Vec<GroupRow> = diesel::sql_query(contributions).load(conn)?;
    upsert_rows(conn, &rows, sign)?;
    rollups::add(conn, &rows, sign)
}

/// Adds `sign` times the rows `rows` (one per key) to the kept ones, creating the rows
/// not there yet; not to their rollups. The caller holds the chain lock.
///
/// Fails when a query fails.
pub fn upsert_rows(conn: &mut DbConnection, rows: &[GroupRow], sign: i64) -> QueryResult<()> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let values = chunk
            .iter()
            .map(|r| {
                format!(
                    "({}, {}, {}, {}, {}, {})",
                    literal(&r.class),
                    literal(&r.town),
                    literal(&r.village),
                    r.year,
                    literal(&r.department),
                    signed(r.figures.as_array(), sign)
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        upsert(conn, &format!("VALUES {values}"))?;
    }
    Ok(())
}

/// Adds what the projects import batch `batch_id` created contribute to the rows and to
/// their rollups, summed by the database from the rows the batch wrote: one statement
/// sums them into a temporary table, one adds them to the rows, one to the rollups.
/// The caller holds the chain lock.
///
/// Fails when a query fails.
pub fn add_created(conn: &mut DbConnection, batch_id: &str) -> QueryResult<()> {
    let contributions = contributions_sql(&Projects::CreatedBy(batch_id), None);
    diesel::sql_query(format!(
        "CREATE TEMPORARY TABLE created_group_figures AS {contributions}"
    ))
    .execute(conn)?;
    let staged =
        "SELECT class, town, village, year, department, projects, assets, funds_fen, value_fen \
                  FROM created_group_figures";
    // `WHERE 1 = 1`: SQLite reads `ON CONFLICT` after a SELECT only after a WHERE.
    upsert(conn, &format!("{staged} WHERE 1 = 1"))?;
    rollups::add_sql(conn, staged)?;
    diesel::sql_query("DROP TABLE created_group_figures").execute(conn)?;
    Ok(())
}

/// Adds the rows `source` (a VALUES list or a SELECT of `group_figures` columns) to the
/// kept ones.
fn upsert(conn: &mut DbConnection, source: &str) -> QueryResult<()> {
    add_to_kept(
        conn,
        "group_figures",
        "class, town, village, year, department",
        source,
    )
}

/// Adds the figures of `source` — `VALUES` or a `SELECT` of the `key` columns then
/// projects, assets, funds and value — to the rows of the kept figures `table` with the
/// same key, making the rows missing.
///
/// Fails when the statement fails.
pub(super) fn add_to_kept(
    conn: &mut DbConnection,
    table: &str,
    key: &str,
    source: &str,
) -> QueryResult<()> {
    diesel::sql_query(format!(
        "INSERT INTO {table} ({key}, projects, assets, funds_fen, value_fen) {source} \
         ON CONFLICT ({key}) DO UPDATE SET \
             projects = {table}.projects + excluded.projects, \
             assets = {table}.assets + excluded.assets, \
             funds_fen = {table}.funds_fen + excluded.funds_fen, \
             value_fen = {table}.value_fen + excluded.value_fen"
    ))
    .execute(conn)
    .map(|_| ())
}

/// `sign` times each of `figures`, as the last four values of an SQL `VALUES` row.
pub(super) fn signed(figures: [i64; 4], sign: i64) -> String {
    figures.map(|f| (sign * f).to_string()).join(", ")
}

/// Takes away what the projects with `codes` contribute now, before a write changes
/// them. The caller holds the chain lock.
///
/// Fails when a query fails.
pub fn withdraw(conn: &mut DbConnection, codes: &[String]) -> QueryResult<()> {
    for chunk in codes.chunks(PROJECTS_PER_STATEMENT) {
        add(conn, &Projects::Codes(chunk), None, -1)?;
    }
    dated::withdraw(conn, codes)
}

/// Adds what the projects with `codes` contribute now, after a write changed them. The
/// caller holds the chain lock.
///
/// Fails when a query fails.
pub fn deposit(conn: &mut DbConnection, codes: &[String]) -> QueryResult<()> {
    for chunk in codes.chunks(PROJECTS_PER_STATEMENT) {
        add(conn, &Projects::Codes(chunk), None, 1)?;
    }
    dated::deposit(conn, codes)
}

/// What an import changed, for the rows: the batch, the projects it created (whose
/// figures it summed from its rows as it wrote them) and the projects registered before
/// to which it added assets.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Touched {
    /// The import batch.
    pub batch_id: String,
    /// How many projects the import registered.
    pub created: usize,
    /// What the projects the import registered contribute, not yet added.
    pub figures: CreatedFigures,
    /// Created projects whose assets' value differs from their funds.
    pub mismatched: Vec<String>,
    /// Projects registered before that gained assets.
    pub earlier: Vec<String>,
}

/// Brings the rows up to date after the import `touched` describes wrote its rows: what
/// the projects it created contribute is added from the sums it kept, the earlier
/// projects' contributions without the batch's assets are taken away and their
/// contributions now added. When the import added to most of the register's earlier
/// projects, the rows are recomputed whole instead (one pass over the register is then
/// cheaper than one lookup per project). The caller holds the chain lock.
///
/// Fails when a query fails.
pub fn after_import(
    conn: &mut DbConnection,
    touched: &Touched,
    projects_now: i64,
) -> QueryResult<()> {
    let earlier = u64::try_from(touched.earlier.len()).unwrap_or(u64::MAX);
    if earlier > 0 && earlier * 2 >= u64::try_from(projects_now).unwrap_or(0) {
        return rebuild(conn);
    }
    touched.figures.apply(conn, &touched.batch_id)?;
    for chunk in touched.earlier.chunks(PROJECTS_PER_STATEMENT) {
        add(conn, &Projects::Codes(chunk), Some(&touched.batch_id), -1)?;
    }
    dated::withdraw_before(conn, &touched.earlier, &touched.batch_id)?;
    deposit(conn, &touched.earlier)
}

/// Recomputes every row, their rollups and the figures by date from the register. The
/// caller holds the chain lock.
///
/// Fails when a query fails or a stored entry does not fold.
pub fn rebuild(conn: &mut DbConnection) -> QueryResult<()> {
    diesel::sql_query("DELETE FROM group_figures").execute(conn)?;
    add(conn, &Projects::All, None, 1)?;
    dated::rebuild(conn)
}

/// Fills the figures of a register that an earlier release kept, once, when the
/// database is opened after the migration that added the rollups, the funding channel
/// rows and the figures by date (it leaves a row in `figures_backfill`).
///
/// Fails when a query fails or a stored entry does not fold.
pub fn backfill(conn: &mut DbConnection) -> QueryResult<()> {
    let pending: i64 = diesel::sql_query("SELECT COUNT(*) AS n FROM figures_backfill")
        .get_result::<Count>(conn)?
        .n;
    if pending == 0 {
        return Ok(());
    }
    conn.transaction(|conn| {
        rebuild(conn)?;
        diesel::sql_query("DELETE FROM figures_backfill").execute(conn)?;
        Ok(())
    })
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The rows recomputed from the projects and assets, as an SQL relation of
/// `group_figures` columns (for comparing what is summed from them).
pub fn recomputed_sql() -> String {
    contributions_sql(&Projects::All, None)
}

/// The rows kept, leaving out those holding only zeros, in key order.
///
/// Fails when the query fails.
pub fn kept(conn: &mut DbConnection) -> QueryResult<Vec<GroupRow>> {
    let mut rows: Vec<GroupRow> = diesel::sql_query(
        "SELECT class, town, village, year, department, projects, assets, funds_fen, value_fen \
         FROM group_figures WHERE projects <> 0 OR assets <> 0 OR funds_fen <> 0 OR value_fen <> 0",
    )
    .load(conn)?;
    rows.sort_by(|a, b| a.key().cmp(&b.key()));
    Ok(rows)
}

/// The rows recomputed from the projects and assets (none of them zero), in key order.
///
/// Fails when the query fails.
pub fn recompute(conn: &mut DbConnection) -> QueryResult<Vec<GroupRow>> {
    let mut rows: Vec<GroupRow> =
        diesel::sql_query(contributions_sql(&Projects::All, None)).load(conn)?;
    rows.sort_by(|a, b| a.key().cmp(&b.key()));
    Ok(rows)
}

/// The first row (by class, town, village, year, department) whose kept figures differ
/// from their recomputation, a row missing or not called for counting as zeros: the
/// figure's name (`group_figures.operating.桑镇/东村/2019/.assets`), the kept value and
/// the recomputed one; `None` when all agree.
///
/// Fails when a query fails.
pub fn compare(conn: &mut DbConnection) -> QueryResult<Option<(String, i64, i64)>> {
    let kept = "SELECT class, town, village, year, department, projects, assets, funds_fen, value_fen \
                FROM group_figures WHERE projects <> 0 OR assets <> 0 OR funds_fen <> 0 OR value_fen <> 0";
    let again = format!(
        "SELECT r.class, r.town, r.village, r.year, r.department, r.projects, r.assets, r.funds_fen, r.value_fen \
         FROM ({}) r",
        contributions_sql(&Projects::All, None)
    );
    let keys = "class, town, village, year, department, \
                CAST(0 AS BIGINT) AS projects, CAST(0 AS BIGINT) AS assets, \
                CAST(0 AS BIGINT) AS funds_fen, CAST(0 AS BIGINT) AS value_fen";
    let differing: Option<GroupRow> = diesel::sql_query(format!(
        "SELECT {keys} FROM ({kept} EXCEPT {again}) d \
         UNION SELECT {keys} FROM ({again} EXCEPT {kept}) e \
         ORDER BY 1, 2, 3, 4, 5 LIMIT 1"
    ))
    .get_result(conn)
    .optional()?;
    let Some(key) = differing else {
        return Ok(None);
    };
    let same_row = |row: &GroupRow| row.class == key.class;
    let kept_row: Option<GroupRow> = diesel::sql_query(format!(
        "SELECT class, town, village, year, department, projects, assets, funds_fen, value_fen \
         FROM group_figures WHERE class = {} AND town = {} AND village = {} AND year = {} AND department = {}",
        literal(&key.class),
        literal(&key.town),
        literal(&key.village),
        key.year,
        literal(&key.department)
    ))
    .get_result(conn)
    .optional()?;
    let again_rows: Vec<GroupRow> =
        diesel::sql_query(contributions_sql(&Projects::Group(&key), None)).load(conn)?;
    let again_row = again_rows.into_iter().find(same_row);
    let figures_of = |row: Option<GroupRow>| row.map(|r| r.figures).unwrap_or_default();
    let (kept, again) = (
        figures_of(kept_row).as_array(),
        figures_of(again_row).as_array(),
    );
    Ok((0..4).find(|&i| kept[i] != again[i]).map(|i| {
        let name = ClassFigures::NAMES[i];
        (format!("{}.{name}", key.name()), kept[i], again[i])
    }))
}
