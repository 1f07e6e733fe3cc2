//! Figures by business date, maintained so that a reconciliation as of any day D sums
//! the changes dated D or earlier instead of folding the ledger.
//!
//! A `dated_figures` row is keyed by a figure, a day and a project year, and holds what
//! the figure changed by on that day:
//! - a class (`operating`, `public_welfare`, `household`; year 0): the projects with a
//!   live asset of the class, the class's live assets and their value, each asset
//!   counting from the day it was registered at its value then, by the fold of its
//!   entries dated up to each day (as `reconcile::report`'s reference fold counts them);
//! - `registered` (by project year): the projects whose first asset was registered that
//!   day, and their funds (a project formed no asset as of D until then).
//!
//! Each project's contribution depends on its own assets and entries only, so a write
//! keeps the rows by taking the contribution of the projects it touches away before it
//! changes them ([`withdraw`]) and adding it again after ([`deposit`]), in the same
//! transaction under the chain lock; a back-dated entry lands on its own day. Projects
//! whose assets never had a value event contribute what SQL sums from their rows;
//! the others are folded here, entry by entry, at each day their state can change.
//! [`compare`] recomputes every row and names the first that differs.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};

use crate::db::schema::assets;
use crate::db::DbConnection;
use crate::domain::AssetStatus;
use crate::ledger::append::fold_rows;
use crate::ledger::store::entries_as_of;
use crate::ledger::EntryRow;
use crate::register::figures::{add_to_kept, signed};
use crate::register::scope::literal;
use crate::register::store::AssetRow;
use crate::register::summary::{first_difference, ClassFigures};

/// Projects whose contributions are read in one pass.
const PROJECTS_PER_PASS: usize = 500;

/// Rows written in one statement.
const ROWS_PER_STATEMENT: usize = 300;

/// The day after every business day, to read whole histories.
const END_OF_TIME: &str = "9999-12-31";

/// One `dated_figures` row.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct DatedRow {
    /// A class or `registered`.
    #[diesel(sql_type = Text)]
    pub figure: String,
    /// The business day.
    #[diesel(sql_type = Text)]
    pub day: String,
    /// The project year (`registered`), 0 for a class.
    #[diesel(sql_type = Integer)]
    pub year: i32,
    /// Projects, live assets, their funds and value.
    #[diesel(embed)]
    pub figures: ClassFigures,
}

/// A row's key: figure, day, project year.
pub type Key = (String, String, i32);
/// Rows by key, as changes not yet added to the kept ones.
pub type Sums = BTreeMap<Key, [i64; 4]>;

const COLUMNS: &str = "figure, day, year, projects, assets, funds_fen, value_fen";

/// Adds `change` to the sum of `key`.
pub fn add_to(sums: &mut Sums, key: Key, change: [i64; 4]) {
    let sum = sums.entry(key).or_default();
    for (s, c) in sum.iter_mut().zip(change) {
        // Wrapping: sums past 64 bits are refused before they are kept.
        *s = s.wrapping_add(c);
    }
}

/// A stored entry that would not fold, as the query error the callers pass on.
fn malformed(e: crate::ledger::projection::MalformedEntry) -> diesel::result::Error {
    diesel::result::Error::DeserializationError(Box::new(e))
}

/// What the projects `codes` (all of them for `None`) contribute, as SQL sums: the
/// `registered` rows of every project, and the class rows of the projects none of
/// whose assets had a value event. Leaves out the assets of batch `excluding`.
fn sql_contributions(codes: Option<&[String]>, excluding: Option<&str>) -> String {
    let mut a = match codes {
        None => "1 = 1".to_owned(),
        Some(codes) => format!(
            "a.project_code IN ({})",
            codes
                .iter()
                .map(|c| literal(c))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    if let Some(batch) = excluding {
        a = format!("{a} AND a.batch_id <> {}", literal(batch));
    }
    let quiet = "NOT EXISTS (SELECT 1 FROM assets b WHERE b.project_code = a.project_code AND b.has_value_events = 1)";
    format!(
        "SELECT u.figure AS figure, u.day AS day, u.year AS year, CAST(SUM(u.projects) AS BIGINT) AS projects, \
             CAST(SUM(u.assets) AS BIGINT) AS assets, CAST(SUM(u.funds_fen) AS BIGINT) AS funds_fen, \
             CAST(SUM(u.value_fen) AS BIGINT) AS value_fen FROM ( \
         SELECT 'registered' AS figure, f.day AS day, f.year AS year, COUNT(*) AS projects, 0 AS assets, \
             SUM(f.funds_fen) AS funds_fen, 0 AS value_fen \
         FROM (SELECT MIN(a.registered_on) AS day, p.year AS year, p.funds_fen AS funds_fen \
             FROM projects p JOIN assets a ON a.project_code = p.code WHERE {a} \
             GROUP BY p.code, p.year, p.funds_fen) f GROUP BY f.day, f.year \
         UNION ALL \
         SELECT f.class, f.day, 0, COUNT(*), 0, 0, 0 \
         FROM (SELECT a.class AS class, MIN(a.registered_on) AS day FROM assets a WHERE {a} AND {quiet} \
             GROUP BY a.project_code, a.class) f GROUP BY f.class, f.day \
         UNION ALL \
         SELECT a.class, a.registered_on, 0, 0, COUNT(*), 0, SUM(a.value_fen) \
         FROM assets a WHERE {a} AND {quiet} GROUP BY a.class, a.registered_on \
         ) u GROUP BY u.figure, u.day, u.year"
    )
}

/// The projects among `codes` (all for `None`) with an asset that had a value event.
fn eventful(conn: &mut DbConnection, codes: Option<&[String]>) -> QueryResult<Vec<String>> {
    let mut query = assets::table
        // A literal, so that the partial index on these few assets applies.
        .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
            "assets.has_value_events = 1",
        ))
        .select(assets::project_code)
        .distinct()
        .into_boxed::<crate::db::pool::DbBackend>();
    if let Some(codes) = codes {
        query = query.filter(assets::project_code.eq_any(codes.to_vec()));
    }
    query.load(conn)
}

/// The live value of `row` as of each day its state can change (its registration and
/// each later entry's day), from the fold of its entries (`entries`, in seq order)
/// dated up to that day: `None` while disposed or when nothing folds.
fn timeline(row: &AssetRow, entries: &[EntryRow]) -> QueryResult<Vec<(String, Option<i64>)>> {
    if row.has_value_events != 1 {
        return Ok(vec![(row.registered_on.clone(), Some(row.value_fen))]);
    }
    let days: BTreeSet<&str> = std::iter::once(row.registered_on.as_str())
        .chain(
            entries
                .iter()
                .map(|e| e.occurred_on.as_str())
                .filter(|d| *d >= row.registered_on.as_str()),
        )
        .collect();
    let mut states = Vec::new();
    for day in days {
        let upto: Vec<EntryRow> = entries
            .iter()
            .filter(|e| e.occurred_on.as_str() <= day)
            .cloned()
            .collect();
        let live = fold_rows(&upto)
            .map_err(malformed)?
            .filter(|state| state.status != AssetStatus::Disposed)
            .map(|state| state.value.fen());
        states.push((day.to_owned(), live));
    }
    Ok(states)
}

/// Adds the class rows of the projects `codes` (each with an asset that had a value
/// event) to `sums`, folding their assets' entries. Leaves out batch `excluding`.
fn folded_contributions(
    conn: &mut DbConnection,
    codes: &[String],
    excluding: Option<&str>,
    sums: &mut Sums,
) -> QueryResult<()> {
    let mut query = assets::table
        .filter(assets::project_code.eq_any(codes.to_vec()))
        .select(AssetRow::as_select())
        .into_boxed::<crate::db::pool::DbBackend>();
    if let Some(batch) = excluding {
        query = query.filter(assets::batch_id.ne(batch.to_owned()));
    }
    let rows: Vec<AssetRow> = query.load(conn)?;
    let folded: Vec<&str> = rows
        .iter()
        .filter(|r| r.has_value_events == 1)
        .map(|r| r.code.as_str())
        .collect();
    let mut entries: HashMap<String, Vec<EntryRow>> = HashMap::new();
    for chunk in folded.chunks(PROJECTS_PER_PASS) {
        for entry in entries_as_of(conn, chunk, END_OF_TIME)? {
            entries
                .entry(entry.asset_code.clone())
                .or_default()
                .push(entry);
        }
    }
    // Per project and class: what the live assets and their value change by, per day.
    let mut changes: BTreeMap<(String, String), BTreeMap<String, (i64, i64)>> = BTreeMap::new();
    for row in &rows {
        let history = entries.remove(&row.code).unwrap_or_default();
        let mut before: Option<i64> = None;
        let days = changes
            .entry((row.project_code.clone(), row.class.clone()))
            .or_default();
        for (day, now) in timeline(row, &history)? {
            if now != before {
                let change = days.entry(day).or_default();
                change.0 += i64::from(now.is_some()) - i64::from(before.is_some());
                change.1 += now.unwrap_or(0) - before.unwrap_or(0);
            }
            before = now;
        }
    }
    for ((_, class), days) in changes {
        let mut live = 0;
        for (day, (assets, value)) in days {
            let was = live > 0;
            live += assets;
            let projects = i64::from(live > 0) - i64::from(was);
            if (projects, assets, value) != (0, 0, 0) {
                add_to(sums, (class.clone(), day, 0), [projects, assets, 0, value]);
            }
        }
    }
    Ok(())
}

/// What the projects `codes` contribute, leaving out batch `excluding`.
fn contributions(
    conn: &mut DbConnection,
    codes: &[String],
    excluding: Option<&str>,
) -> QueryResult<Sums> {
    let mut sums = Sums::new();
    let rows: Vec<DatedRow> =
        diesel::sql_query(sql_contributions(Some(codes), excluding)).load(conn)?;
    for r in rows {
        add_to(&mut sums, (r.figure, r.day, r.year), r.figures.as_array());
    }
    let eventful = eventful(conn, Some(codes))?;
    if !eventful.is_empty() {
        folded_contributions(conn, &eventful, excluding, &mut sums)?;
    }
    Ok(sums)
}

/// Adds `sign` times the sums `sums` to the kept rows, creating rows not there yet (a
/// sum of zeros is left out). The caller holds the chain lock.
///
/// Fails when a query fails.
pub fn upsert(conn: &mut DbConnection, sums: &Sums, sign: i64) -> QueryResult<()> {
    let rows: Vec<(&Key, &[i64; 4])> = sums.iter().filter(|(_, f)| **f != [0; 4]).collect();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let values = chunk
            .iter()
            .map(|((figure, day, year), f)| {
                format!(
                    "({}, {}, {year}, {})",
                    literal(figure),
                    literal(day),
                    signed(**f, sign)
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        add_to_kept(
            conn,
            "dated_figures",
            "figure, day, year",
            &format!("VALUES {values}"),
        )?;
    }
    Ok(())
}

fn change(
    conn: &mut DbConnection,
    codes: &[String],
    excluding: Option<&str>,
    sign: i64,
) -> QueryResult<()> {
    for chunk in codes.chunks(PROJECTS_PER_PASS) {
        let sums = contributions(conn, chunk, excluding)?;
        upsert(conn, &sums, sign)?;
    }
    Ok(())
}

/// Takes away what the projects `codes` contribute now, before a write changes them.
/// The caller holds the chain lock.
///
/// Fails when a query fails or a stored entry does not fold.
pub fn withdraw(conn: &mut DbConnection, codes: &[String]) -> QueryResult<()> {
    change(conn, codes, None, -1)
}

/// Adds what the projects `codes` contribute now, after a write changed them. The
/// caller holds the chain lock.
///
/// Fails when a query fails or a stored entry does not fold.
pub fn deposit(conn: &mut DbConnection, codes: &[String]) -> QueryResult<()> {
    change(conn, codes, None, 1)
}

/// Takes away what the projects `codes` contributed before the import `batch` added
/// assets to them. The caller holds the chain lock.
///
/// Fails when a query fails or a stored entry does not fold.
pub fn withdraw_before(conn: &mut DbConnection, codes: &[String], batch: &str) -> QueryResult<()> {
    change(conn, codes, Some(batch), -1)
}

/// Every row recomputed from the projects, assets and entries.
fn recompute(conn: &mut DbConnection) -> QueryResult<Sums> {
    let mut sums = Sums::new();
    let rows: Vec<DatedRow> = diesel::sql_query(sql_contributions(None, None)).load(conn)?;
    for r in rows {
        add_to(&mut sums, (r.figure, r.day, r.year), r.figures.as_array());
    }
    for chunk in eventful(conn, None)?.chunks(PROJECTS_PER_PASS) {
        folded_contributions(conn, chunk, None, &mut sums)?;
    }
    sums.retain(|_, f| *f != [0; 4]);
    Ok(sums)
}

/// Recomputes every row. The caller holds the chain lock.
///
/// Fails when a query fails or a stored entry does not fold.
pub fn rebuild(conn: &mut DbConnection) -> QueryResult<()> {
    diesel::sql_query("DELETE FROM dated_figures").execute(conn)?;
    diesel::sql_query(format!(
        "INSERT INTO dated_figures ({COLUMNS}) SELECT {COLUMNS} FROM ({}) q",
        sql_contributions(None, None)
    ))
    .execute(conn)?;
    let mut sums = Sums::new();
    for chunk in eventful(conn, None)?.chunks(PROJECTS_PER_PASS) {
        folded_contributions(conn, chunk, None, &mut sums)?;
    }
    upsert(conn, &sums, 1)
}

/// The first row (by figure, day, year) whose kept figures differ from their
/// recomputation, a row missing counting as zeros: the figure's name
/// (`dated_figures.operating/2021-06-01/0.value_fen`), the kept value and the
/// recomputed one; `None` when all agree.
///
/// Fails when a query fails or a stored entry does not fold.
pub fn compare(conn: &mut DbConnection) -> QueryResult<Option<(String, i64, i64)>> {
    let again = recompute(conn)?;
    let kept_rows: Vec<DatedRow> = diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM dated_figures \
         WHERE projects <> 0 OR assets <> 0 OR funds_fen <> 0 OR value_fen <> 0"
    ))
    .load(conn)?;
    let mut kept = Sums::new();
    for r in kept_rows {
        add_to(&mut kept, (r.figure, r.day, r.year), r.figures.as_array());
    }
    Ok(first_difference("dated_figures", &kept, &again))
}

/// The figures as of the end of `day`: per figure and year, the changes dated `day` or
/// earlier summed, as `(figure, year, projects, assets, funds, value)` rows.
///
/// Fails when the query fails.
pub fn as_of(conn: &mut DbConnection, day: &str) -> QueryResult<Vec<DatedRow>> {
    diesel::sql_query(format!(
        "SELECT figure, '' AS day, year, CAST(SUM(projects) AS BIGINT) AS projects, \
             CAST(SUM(assets) AS BIGINT) AS assets, CAST(SUM(funds_fen) AS BIGINT) AS funds_fen, \
             CAST(SUM(value_fen) AS BIGINT) AS value_fen \
         FROM dated_figures WHERE day <= {} GROUP BY figure, year",
        literal(day)
    ))
    .load(conn)
}
