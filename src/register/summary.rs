//! Totals maintained by every import and ledger append (projects, funds, live assets
//! and their value, overall and per class, and the projects that formed no asset), so
//! that totals and reconciliation read a few rows instead of scanning the register.
//!
//! Writers hold the ledger's chain lock while they apply a [`Delta`], so updates never
//! interleave. [`Summary::recompute`] derives the same figures from the rows, for
//! checking.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::db::schema::{class_summary, register_summary};
use crate::db::DbConnection;
use crate::domain::{AssetClass, Vocabulary};

/// Figures of one class: projects with a live asset of the class, those projects'
/// funds, and the class's live assets and their value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
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

/// The maintained totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// All projects.
    pub projects: i64,
    /// Their funds, in fen.
    pub funds_fen: i64,
    /// Live (not disposed) assets.
    pub assets: i64,
    /// Their value, in fen.
    pub value_fen: i64,
    /// Projects that formed no asset.
    pub unclassified_projects: i64,
    /// Their funds, in fen.
    pub unclassified_funds_fen: i64,
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
    /// Projects added.
    pub projects: i64,
    /// Funds added.
    pub funds_fen: i64,
    /// Live assets added (negative when disposed).
    pub assets: i64,
    /// Value added.
    pub value_fen: i64,
    /// Projects without assets added (negative when one forms its first asset).
    pub unclassified_projects: i64,
    /// Their funds.
    pub unclassified_funds_fen: i64,
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
        let (
            projects,
            funds_fen,
            assets,
            value_fen,
            unclassified_projects,
            unclassified_funds_fen,
            last_registered_on,
            last_value_event_on,
        ) = register_summary::table
            .find(1)
            .select((
                register_summary::projects,
                register_summary::funds_fen,
                register_summary::assets,
                register_summary::value_fen,
                register_summary::unclassified_projects,
                register_summary::unclassified_funds_fen,
                register_summary::last_registered_on,
                register_summary::last_value_event_on,
            ))
            .first::<(i64, i64, i64, i64, i64, i64, String, String)>(conn)?;
        let rows: Vec<(String, i64, i64, i64, i64)> = class_summary::table
            .select((
                class_summary::class,
                class_summary::projects,
                class_summary::assets,
                class_summary::funds_fen,
                class_summary::value_fen,
            ))
            .load(conn)?;
        let mut classes = [ClassFigures::default(); 3];
        for (class, projects, assets, funds_fen, value_fen) in rows {
            if let Some(class) = AssetClass::parse(&class) {
                classes[class_index(class)] = ClassFigures {
                    projects,
                    assets,
                    funds_fen,
                    value_fen,
                };
            }
        }
        Ok(Summary {
            projects,
            funds_fen,
            assets,
            value_fen,
            unclassified_projects,
            unclassified_funds_fen,
            last_registered_on,
            last_value_event_on,
            classes,
        })
    }

    /// The same figures computed from the rows, to check the maintained ones.
    ///
    /// Fails when a query fails.
    pub fn recompute(conn: &mut DbConnection) -> QueryResult<Summary> {
        #[derive(QueryableByName)]
        struct Overall {
            #[diesel(sql_type = BigInt)]
            projects: i64,
            #[diesel(sql_type = BigInt)]
            funds_fen: i64,
            #[diesel(sql_type = BigInt)]
            assets: i64,
            #[diesel(sql_type = BigInt)]
            value_fen: i64,
            #[diesel(sql_type = BigInt)]
            unclassified_projects: i64,
            #[diesel(sql_type = BigInt)]
            unclassified_funds_fen: i64,
            #[diesel(sql_type = Text)]
            last_registered_on: String,
            #[diesel(sql_type = Text)]
            last_value_event_on: String,
        }
        #[derive(QueryableByName)]
        struct PerClass {
            #[diesel(sql_type = Text)]
            class: String,
            #[diesel(sql_type = BigInt)]
            projects: i64,
            #[diesel(sql_type = BigInt)]
            assets: i64,
            #[diesel(sql_type = BigInt)]
            funds_fen: i64,
            #[diesel(sql_type = BigInt)]
            value_fen: i64,
        }
        let overall: Overall = diesel::sql_query(
            "SELECT (SELECT COUNT(*) FROM projects) AS projects, \
             (SELECT CAST(COALESCE(SUM(funds_fen), 0) AS BIGINT) FROM projects) AS funds_fen, \
             (SELECT COUNT(*) FROM assets WHERE status <> 'disposed') AS assets, \
             (SELECT CAST(COALESCE(SUM(value_fen), 0) AS BIGINT) FROM assets WHERE status <> 'disposed') AS value_fen, \
             (SELECT COUNT(*) FROM projects p WHERE NOT EXISTS (SELECT 1 FROM assets a WHERE a.project_code = p.code)) AS unclassified_projects, \
             (SELECT CAST(COALESCE(SUM(funds_fen), 0) AS BIGINT) FROM projects p WHERE NOT EXISTS (SELECT 1 FROM assets a WHERE a.project_code = p.code)) AS unclassified_funds_fen, \
             (SELECT COALESCE(MAX(registered_on), '0001-01-01') FROM assets) AS last_registered_on, \
             (SELECT COALESCE(MAX(occurred_on), '0001-01-01') FROM ledger_entries WHERE kind IN ('disposed', 'value_adjusted', 'correction')) AS last_value_event_on",
        )
        .get_result(conn)?;
        let rows: Vec<PerClass> = diesel::sql_query(
            "SELECT a.class AS class, COUNT(DISTINCT a.project_code) AS projects, COUNT(*) AS assets, \
             CAST(COALESCE(SUM(a.value_fen), 0) AS BIGINT) AS value_fen, \
             CAST((SELECT COALESCE(SUM(p.funds_fen), 0) FROM projects p WHERE EXISTS \
                 (SELECT 1 FROM assets b WHERE b.project_code = p.code AND b.class = a.class AND b.status <> 'disposed')) AS BIGINT) AS funds_fen \
             FROM assets a WHERE a.status <> 'disposed' GROUP BY a.class",
        )
        .load(conn)?;
        let mut classes = [ClassFigures::default(); 3];
        for row in rows {
            if let Some(class) = AssetClass::parse(&row.class) {
                classes[class_index(class)] = ClassFigures {
                    projects: row.projects,
                    assets: row.assets,
                    funds_fen: row.funds_fen,
                    value_fen: row.value_fen,
                };
            }
        }
        Ok(Summary {
            projects: overall.projects,
            funds_fen: overall.funds_fen,
            assets: overall.assets,
            value_fen: overall.value_fen,
            unclassified_projects: overall.unclassified_projects,
            unclassified_funds_fen: overall.unclassified_funds_fen,
            last_registered_on: overall.last_registered_on,
            last_value_event_on: overall.last_value_event_on,
            classes,
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
            register_summary::projects.eq(current.projects + delta.projects),
            register_summary::funds_fen.eq(current.funds_fen + delta.funds_fen),
            register_summary::assets.eq(current.assets + delta.assets),
            register_summary::value_fen.eq(current.value_fen + delta.value_fen),
            register_summary::unclassified_projects
                .eq(current.unclassified_projects + delta.unclassified_projects),
            register_summary::unclassified_funds_fen
                .eq(current.unclassified_funds_fen + delta.unclassified_funds_fen),
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
            .set((
                class_summary::projects.eq(now.projects + change.projects),
                class_summary::assets.eq(now.assets + change.assets),
                class_summary::funds_fen.eq(now.funds_fen + change.funds_fen),
                class_summary::value_fen.eq(now.value_fen + change.value_fen),
            ))
            .execute(conn)?;
    }
    Ok(())
}
