//! Totals maintained by every import and ledger append (projects, funds, live assets
//! and their value, overall and per class, and the projects that formed no asset), so
//! that totals and reconciliation read a few rows instead of scanning the register.
//!
//! Writers hold the ledger's chain lock while they apply a [`Delta`], so updates never
//! interleave. [`Summary::recompute`] derives the same figures from the rows, for
//! checking.

use std::ops::Add;

use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::db::schema::{class_summary, register_summary};
use crate::db::DbConnection;
use crate::domain::{AssetClass, Scope, Vocabulary};
use crate::register::scope::{asset_sql, project_sql};

/// Figures of one class: projects with a live asset of the class, those projects'
/// funds, and the class's live assets and their value. A `class_summary` row, read,
/// recomputed and updated as a whole.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Queryable, Selectable, QueryableByName, AsChangeset,
)]
#[diesel(table_name = class_summary)]
pub struct ClassFigures {
    /// Projects with at least one live asset of the class.
    pub projects: i64,
    /// Live assets of the class.
    pub assets: i64,
    /// Funds of those projects, in fen.
    pub funds_fen: i64,
    /// Value of those assets, in fen.
    pub value_fen: i64,
}

impl Add for ClassFigures {
    type Output = ClassFigures;

    fn add(self, change: ClassFigures) -> ClassFigures {
        ClassFigures {
            projects: self.projects + change.projects,
            assets: self.assets + change.assets,
            funds_fen: self.funds_fen + change.funds_fen,
            value_fen: self.value_fen + change.value_fen,
        }
    }
}

/// The figures of the whole register: projects and their funds, live (not disposed)
/// assets and their value, and the projects that formed no asset and their funds. The
/// counts of the `register_summary` row, read, recomputed and updated as a whole; in a
/// [`Delta`], what they change by.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Queryable, Selectable, QueryableByName, AsChangeset,
)]
#[diesel(table_name = register_summary)]
pub struct Overall {
    /// Projects.
    pub projects: i64,
    /// Their funds, in fen.
    pub funds_fen: i64,
    /// Live assets (negative in a delta when one is disposed).
    pub assets: i64,
    /// Their value, in fen.
    pub value_fen: i64,
    /// Projects that formed no asset (negative in a delta when one forms its first).
    pub unclassified_projects: i64,
    /// Their funds, in fen.
    pub unclassified_funds_fen: i64,
}

impl Add for Overall {
    type Output = Overall;

    fn add(self, change: Overall) -> Overall {
        Overall {
            projects: self.projects + change.projects,
            funds_fen: self.funds_fen + change.funds_fen,
            assets: self.assets + change.assets,
            value_fen: self.value_fen + change.value_fen,
            unclassified_projects: self.unclassified_projects + change.unclassified_projects,
            unclassified_funds_fen: self.unclassified_funds_fen + change.unclassified_funds_fen,
        }
    }
}

/// The maintained totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The figures of the whole register.
    pub overall: Overall,
    /// The latest day an asset was registered.
    pub last_registered_on: String,
    /// The latest business date of a disposal, value adjustment or correction.
    pub last_value_event_on: String,
    /// Per class, in [`AssetClass::ALL`] order.
    pub classes: [ClassFigures; 3],
}

/// A change to the totals.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Delta {
    /// What the figures of the whole register change by.
    pub overall: Overall,
    /// A registration day to fold into `last_registered_on`.
    pub registered_on: Option<String>,
    /// A value event's day to fold into `last_value_event_on`.
    pub value_event_on: Option<String>,
    /// Per class, in [`AssetClass::ALL`] order.
    pub classes: [ClassFigures; 3],
}

impl Delta {
    /// The figures of `class`.
    pub fn class(&mut self, class: AssetClass) -> &mut ClassFigures {
        &mut self.classes[class_index(class)]
    }
}

/// Position of a class in [`AssetClass::ALL`].
pub fn class_index(class: AssetClass) -> usize {
    match class {
        AssetClass::Operating => 0,
        AssetClass::PublicWelfare => 1,
        AssetClass::Household => 2,
    }
}

/// The figures of each class, from `(class, figures)` rows; a class without a row has
/// none.
fn per_class(rows: Vec<(String, ClassFigures)>) -> [ClassFigures; 3] {
    let mut classes = [ClassFigures::default(); 3];
    for (class, figures) in rows {
        if let Some(class) = AssetClass::parse(&class) {
            classes[class_index(class)] = figures;
        }
    }
    classes
}

fn later(current: &str, candidate: Option<&String>) -> String {
    match candidate {
        Some(day) if day.as_str() > current => day.clone(),
        _ => current.to_owned(),
    }
}

impl Summary {
    /// The maintained totals.
    ///
    /// Fails when the query fails.
    pub fn load(conn: &mut DbConnection) -> QueryResult<Summary> {
        let (overall, last_registered_on, last_value_event_on) = register_summary::table
            .find(1)
            .select((
                Overall::as_select(),
                register_summary::last_registered_on,
                register_summary::last_value_event_on,
            ))
            .first(conn)?;
        let rows = class_summary::table
            .select((class_summary::class, ClassFigures::as_select()))
            .load(conn)?;
        Ok(Summary {
            overall,
            last_registered_on,
            last_value_event_on,
            classes: per_class(rows),
        })
    }

    /// The same figures computed from the rows, to check the maintained ones.
    ///
    /// Fails when a query fails.
    pub fn recompute(conn: &mut DbConnection) -> QueryResult<Summary> {
        Summary::within(conn, &Scope::County)
    }

    /// The figures of the projects and assets in `scope`, computed from the rows (the
    /// county's are maintained: [`Summary::load`]). The conditions of a town or village
    /// read the `town, village` indexes of both tables, a department's the
    /// `projects_department` index.
    ///
    /// Fails when a query fails.
    pub fn within(conn: &mut DbConnection, scope: &Scope) -> QueryResult<Summary> {
        let (p, a, b) = (
            project_sql(scope, "p"),
            asset_sql(scope, "a"),
            asset_sql(scope, "b"),
        );
        #[derive(QueryableByName)]
        struct Recomputed {
            #[diesel(embed)]
            overall: Overall,
            #[diesel(sql_type = Text)]
            last_registered_on: String,
            #[diesel(sql_type = Text)]
            last_value_event_on: String,
        }
        #[derive(QueryableByName)]
        struct PerClass {
            #[diesel(sql_type = Text)]
            class: String,
            #[diesel(embed)]
            figures: ClassFigures,
        }
        let recomputed: Recomputed = diesel::sql_query(format!(
            "SELECT (SELECT COUNT(*) FROM projects p WHERE {p}) AS projects, \
             (SELECT CAST(COALESCE(SUM(p.funds_fen), 0) AS BIGINT) FROM projects p WHERE {p}) AS funds_fen, \
             (SELECT COUNT(*) FROM assets a WHERE a.status <> 'disposed' AND {a}) AS assets, \
             (SELECT CAST(COALESCE(SUM(a.value_fen), 0) AS BIGINT) FROM assets a WHERE a.status <> 'disposed' AND {a}) AS value_fen, \
             (SELECT COUNT(*) FROM projects p WHERE {p} AND NOT EXISTS (SELECT 1 FROM assets a WHERE a.project_code = p.code)) AS unclassified_projects, \
             (SELECT CAST(COALESCE(SUM(p.funds_fen), 0) AS BIGINT) FROM projects p WHERE {p} AND NOT EXISTS (SELECT 1 FROM assets a WHERE a.project_code = p.code)) AS unclassified_funds_fen, \
             (SELECT COALESCE(MAX(a.registered_on), '0001-01-01') FROM assets a WHERE {a}) AS last_registered_on, \
             (SELECT COALESCE(MAX(occurred_on), '0001-01-01') FROM ledger_entries WHERE kind IN ('disposed', 'value_adjusted', 'correction')) AS last_value_event_on",
        ))
        .get_result(conn)?;
        let rows: Vec<PerClass> = diesel::sql_query(format!(
            "SELECT a.class AS class, COUNT(DISTINCT a.project_code) AS projects, COUNT(*) AS assets, \
             CAST(COALESCE(SUM(a.value_fen), 0) AS BIGINT) AS value_fen, \
             CAST((SELECT COALESCE(SUM(p.funds_fen), 0) FROM projects p WHERE {p} AND EXISTS \
                 (SELECT 1 FROM assets b WHERE b.project_code = p.code AND b.class = a.class AND b.status <> 'disposed' AND {b})) AS BIGINT) AS funds_fen \
             FROM assets a WHERE a.status <> 'disposed' AND {a} GROUP BY a.class",
        ))
        .load(conn)?;
        Ok(Summary {
            overall: recomputed.overall,
            last_registered_on: recomputed.last_registered_on,
            last_value_event_on: recomputed.last_value_event_on,
            classes: per_class(rows.into_iter().map(|r| (r.class, r.figures)).collect()),
        })
    }
}

/// Adds `delta` to the maintained totals. The caller holds the chain lock.
///
/// Fails when a query fails.
pub fn apply(conn: &mut DbConnection, delta: &Delta) -> QueryResult<()> {
    if *delta == Delta::default() {
        return Ok(());
    }
    let current = Summary::load(conn)?;
    diesel::update(register_summary::table.find(1))
        .set((
            current.overall + delta.overall,
            register_summary::last_registered_on.eq(later(
                &current.last_registered_on,
                delta.registered_on.as_ref(),
            )),
            register_summary::last_value_event_on.eq(later(
                &current.last_value_event_on,
                delta.value_event_on.as_ref(),
            )),
        ))
        .execute(conn)?;
    for &class in AssetClass::ALL {
        let change = delta.classes[class_index(class)];
        if change == ClassFigures::default() {
            continue;
        }
        let now = current.classes[class_index(class)];
        diesel::update(class_summary::table.find(class.as_str()))
            .set(now + change)
            .execute(conn)?;
    }
    Ok(())
}
