//! Totals maintained by every import and ledger append (projects, funds, live assets
//! and their value, overall and per class, and the projects that formed no asset), so
//! that totals and reconciliation read a few rows instead of scanning the register.
//!
//! Writers hold the ledger's chain lock while they apply a [`Delta`], so updates never
//! interleave; a change that would push a figure past 64 bits is refused
//! ([`FigureOverflow`]), so that every figure a later read sums stays within them.
//! [`Summary::recompute`] derives the same figures from the rows, for checking.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Display;

use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::db::schema::{class_summary, register_summary};
use crate::db::DbConnection;
use crate::domain::{AssetClass, Scope, Vocabulary};
use crate::register::figures::{self, Touched};
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

impl ClassFigures {
    /// The figures' names, in the order of [`ClassFigures::as_array`].
    pub const NAMES: [&'static str; 4] = ["projects", "assets", "funds_fen", "value_fen"];

    /// The figures in the order of [`ClassFigures::NAMES`].
    pub fn as_array(self) -> [i64; 4] {
        [self.projects, self.assets, self.funds_fen, self.value_fen]
    }
}

/// The first key, in order, whose figures in `kept` differ from those in `again`, a key
/// missing from either counting as zeros: the figure's name (`table.a/b/c.figure`), the
/// kept value and the recomputed one; `None` when all agree.
pub fn first_difference<A: Display + Ord, B: Display + Ord, C: Display + Ord>(
    table: &str,
    kept: &BTreeMap<(A, B, C), [i64; 4]>,
    again: &BTreeMap<(A, B, C), [i64; 4]>,
) -> Option<(String, i64, i64)> {
    let keys: BTreeSet<&(A, B, C)> = kept.keys().chain(again.keys()).collect();
    keys.into_iter().find_map(|key| {
        let (a, b) = (
            kept.get(key).copied().unwrap_or_default(),
            again.get(key).copied().unwrap_or_default(),
        );
        (0..4).find(|&i| a[i] != b[i]).map(|i| {
            let (x, y, z) = key;
            let name = ClassFigures::NAMES[i];
            (format!("{table}.{x}/{y}/{z}.{name}"), a[i], b[i])
        })
    })
}

/// A write that would push a figure the register keeps (or a sum a read makes of its
/// amounts) past 64-bit fen: refused, with nothing written, so that every later read
/// can serve it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{label}将超过 64 位整数所能记录的上限（92,233,720,368,547,758.07 元），未写入任何内容")]
pub struct FigureOverflow {
    /// Which figure, in Chinese.
    pub label: &'static str,
}

impl FigureOverflow {
    /// Whether the figure sums project funds (else asset values or counts).
    pub fn is_funds(&self) -> bool {
        self.label.contains("资金")
    }
}

/// `now` changed by `change`, or the overflow of the figure `label` names.
pub fn checked_figure(label: &'static str, now: i64, change: i64) -> Result<i64, FigureOverflow> {
    now.checked_add(change).ok_or(FigureOverflow { label })
}

impl ClassFigures {
    /// These figures changed by `change`.
    ///
    /// Fails when one would pass 64 bits.
    pub fn checked_add(self, change: ClassFigures) -> Result<ClassFigures, FigureOverflow> {
        Ok(ClassFigures {
            projects: checked_figure("分类项目数", self.projects, change.projects)?,
            assets: checked_figure("分类资产数", self.assets, change.assets)?,
            funds_fen: checked_figure("分类项目资金合计", self.funds_fen, change.funds_fen)?,
            value_fen: checked_figure("分类资产价值合计", self.value_fen, change.value_fen)?,
        })
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

impl Overall {
    /// These figures changed by `change`.
    ///
    /// Fails when one would pass 64 bits.
    pub fn checked_add(self, change: Overall) -> Result<Overall, FigureOverflow> {
        Ok(Overall {
            projects: checked_figure("项目数", self.projects, change.projects)?,
            funds_fen: checked_figure("项目资金合计", self.funds_fen, change.funds_fen)?,
            assets: checked_figure("资产数", self.assets, change.assets)?,
            value_fen: checked_figure("资产价值合计", self.value_fen, change.value_fen)?,
            unclassified_projects: checked_figure(
                "未形成资产的项目数",
                self.unclassified_projects,
                change.unclassified_projects,
            )?,
            unclassified_funds_fen: checked_figure(
                "未形成资产的项目资金合计",
                self.unclassified_funds_fen,
                change.unclassified_funds_fen,
            )?,
        })
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
    /// For an import, the projects it touched, whose figures by group
    /// (`register::figures`) [`apply`] brings up to date from the rows written.
    pub touched: Option<Touched>,
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

    /// The figures of the projects and assets in `scope`, computed from the rows, to
    /// check the maintained ones (the county's are [`Summary::load`], every other
    /// scope's add up `register::figures`). The conditions of a town or village
    /// read the `town, village` indexes of both tables, a department's the
    /// `projects_department` index.
    ///
    /// Fails when a query fails.
    pub fn within(conn: &mut DbConnection, scope: &Scope) -> QueryResult<Summary> {
        let (p, a) = (project_sql(scope, "p"), asset_sql(scope, "a"));
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
        // Each project's live assets of a class summed once, then joined to the project:
        // a subquery per project read every asset of the class for each on SQLite
        // (minutes for 16,000 projects).
        let rows: Vec<PerClass> = diesel::sql_query(format!(
            "SELECT x.class AS class, COUNT(*) AS projects, CAST(SUM(x.n) AS BIGINT) AS assets, \
             CAST(COALESCE(SUM(x.v), 0) AS BIGINT) AS value_fen, \
             CAST(COALESCE(SUM(CASE WHEN {p} THEN p.funds_fen ELSE 0 END), 0) AS BIGINT) AS funds_fen \
             FROM (SELECT a.project_code AS project_code, a.class AS class, COUNT(*) AS n, SUM(a.value_fen) AS v \
                 FROM assets a WHERE a.status <> 'disposed' AND {a} GROUP BY a.project_code, a.class) x \
             JOIN projects p ON p.code = x.project_code GROUP BY x.class",
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

impl Summary {
    /// The figures after `delta`.
    ///
    /// Fails when one would pass 64 bits.
    pub fn after(&self, delta: &Delta) -> Result<Summary, FigureOverflow> {
        let mut classes = self.classes;
        for (now, change) in classes.iter_mut().zip(delta.classes) {
            *now = now.checked_add(change)?;
        }
        Ok(Summary {
            overall: self.overall.checked_add(delta.overall)?,
            last_registered_on: later(&self.last_registered_on, delta.registered_on.as_ref()),
            last_value_event_on: later(&self.last_value_event_on, delta.value_event_on.as_ref()),
            classes,
        })
    }
}

/// Why the maintained totals were not changed.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The query failed.
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
    /// A figure would pass 64 bits.
    #[error(transparent)]
    Overflow(#[from] FigureOverflow),
}

/// Adds `delta` to the maintained totals, and, for an import (whose rows are written
/// by then), brings the figures by group of the projects it touched up to date. The
/// caller holds the chain lock.
///
/// Fails when a query fails or a figure would pass 64 bits (nothing is changed then;
/// the caller rolls its write back).
pub fn apply(conn: &mut DbConnection, delta: &Delta) -> Result<(), ApplyError> {
    let touches = delta
        .touched
        .as_ref()
        .is_some_and(|t| t.created > 0 || !t.earlier.is_empty());
    if !delta.changes_figures()
        && delta.registered_on.is_none()
        && delta.value_event_on.is_none()
        && !touches
    {
        return Ok(());
    }
    let current = Summary::load(conn)?;
    let after = current.after(delta)?;
    diesel::update(register_summary::table.find(1))
        .set((
            after.overall,
            register_summary::last_registered_on.eq(&after.last_registered_on),
            register_summary::last_value_event_on.eq(&after.last_value_event_on),
        ))
        .execute(conn)?;
    for &class in AssetClass::ALL {
        if delta.classes[class_index(class)] == ClassFigures::default() {
            continue;
        }
        diesel::update(class_summary::table.find(class.as_str()))
            .set(after.classes[class_index(class)])
            .execute(conn)?;
    }
    if let Some(touched) = &delta.touched {
        figures::after_import(conn, touched, after.overall.projects)?;
    }
    Ok(())
}

impl Delta {
    /// Whether the delta changes a figure (not only a date).
    pub fn changes_figures(&self) -> bool {
        self.overall != Overall::default() || self.classes != [ClassFigures::default(); 3]
    }
}
