//! Totals of the register: projects, assets, project funds and asset value, overall and
//! grouped by class, town, village or year.
//!
//! Disposed assets no longer count. A project counts in every class of which it holds an
//! asset; the class group `none` holds the projects that formed no asset at all. The
//! overall and per-class figures are the maintained ones (`register::summary`); groups
//! by town, village and year are summed in SQL.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use serde::Serialize;

use crate::db::DbConnection;
use crate::domain::{AssetClass, Scope, Vocabulary, Yuan};
use crate::register::scope::{asset_sql, project_sql};
use crate::register::summary::{class_index, Summary};

/// How totals are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    /// By 资产类别, plus `none`.
    Class,
    /// By the project's 镇/街道.
    Town,
    /// By the project's town and village, keyed `town/village`.
    Village,
    /// By 项目年度.
    Year,
}

impl GroupBy {
    /// Parses `class`, `town`, `village` or `year`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "class" => Some(GroupBy::Class),
            "town" => Some(GroupBy::Town),
            "village" => Some(GroupBy::Village),
            "year" => Some(GroupBy::Year),
            _ => None,
        }
    }
}

/// Counts and sums of one scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default, schemars::JsonSchema)]
pub struct Figures {
    /// Number of projects.
    pub projects: i64,
    /// Number of assets not disposed.
    pub assets: i64,
    /// Sum of the projects' funds.
    pub funds: Yuan,
    /// Sum of the assets' value.
    pub asset_value: Yuan,
}

/// One group of a grouped total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Group {
    /// The group's key: a class name or `none`, a town, `town/village`, or a year.
    pub key: String,
    /// Its figures.
    #[serde(flatten)]
    pub figures: Figures,
}

/// The register's totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Totals {
    /// All projects and assets.
    pub total: Figures,
    /// The groups asked for, in key order by code point (classes in their report order).
    pub groups: Vec<Group>,
}

#[derive(QueryableByName)]
struct FiguresRow {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    projects: i64,
    #[diesel(sql_type = BigInt)]
    assets: i64,
    #[diesel(sql_type = BigInt)]
    funds: i64,
    #[diesel(sql_type = BigInt)]
    asset_value: i64,
}

/// A sum that came out negative: a stored amount was changed behind the application.
#[derive(Debug, thiserror::Error)]
#[error("the register holds a negative sum under {0:?}")]
pub struct NegativeSum(String);

/// Errors computing totals.
#[derive(Debug, thiserror::Error)]
pub enum TotalsError {
    /// The query failed.
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
    /// The stored amounts are inconsistent.
    #[error(transparent)]
    Corrupt(#[from] NegativeSum),
}

impl FiguresRow {
    fn into_group(self) -> Result<Group, NegativeSum> {
        let money = |fen: i64| Yuan::from_fen(fen).ok_or_else(|| NegativeSum(self.key.clone()));
        Ok(Group {
            figures: Figures {
                projects: self.projects,
                assets: self.assets,
                funds: money(self.funds)?,
                asset_value: money(self.asset_value)?,
            },
            key: self.key.clone(),
        })
    }
}

/// Groups the projects in `scope` by `key_expression`, with the counts and values of
/// their assets in `scope` not disposed. Sums are cast to BIGINT so that both backends
/// read them as exact 64-bit integers.
fn by_project_column(scope: &Scope, key_expression: &str) -> String {
    let (in_scope, assets_in_scope) = (project_sql(scope, "p"), asset_sql(scope, "s"));
    format!(
        "SELECT {key_expression} AS key, COUNT(*) AS projects, \
         CAST(COALESCE(SUM(a.n), 0) AS BIGINT) AS assets, \
         CAST(COALESCE(SUM(p.funds_fen), 0) AS BIGINT) AS funds, \
         CAST(COALESCE(SUM(a.v), 0) AS BIGINT) AS asset_value \
         FROM projects p LEFT JOIN (SELECT s.project_code, COUNT(*) AS n, SUM(s.value_fen) AS v \
             FROM assets s WHERE s.status <> 'disposed' AND {assets_in_scope} GROUP BY s.project_code) a \
         ON a.project_code = p.code WHERE {in_scope} \
         GROUP BY {key_expression}"
    )
}

fn load(conn: &mut DbConnection, query: &str) -> Result<Vec<Group>, TotalsError> {
    let rows: Vec<FiguresRow> = diesel::sql_query(query).load(conn)?;
    Ok(rows
        .into_iter()
        .map(FiguresRow::into_group)
        .collect::<Result<_, _>>()?)
}

/// The totals of the register in `scope`, grouped as asked, from one consistent
/// snapshot: the county's overall and per-class figures are the maintained ones, a
/// narrower scope's are summed from its rows.
///
/// Fails when a query fails or a stored amount is negative.
pub fn totals(
    conn: &mut DbConnection,
    scope: &Scope,
    group_by: GroupBy,
) -> Result<Totals, TotalsError> {
    crate::db::read_snapshot(conn, |conn| totals_in_snapshot(conn, scope, group_by))
}

fn totals_in_snapshot(
    conn: &mut DbConnection,
    scope: &Scope,
    group_by: GroupBy,
) -> Result<Totals, TotalsError> {
    let summary = match scope {
        Scope::County => Summary::load(conn)?,
        _ => Summary::within(conn, scope)?,
    };
    let money =
        |key: &str, fen: i64| Yuan::from_fen(fen).ok_or_else(|| NegativeSum(key.to_owned()));
    let total = Figures {
        projects: summary.overall.projects,
        assets: summary.overall.assets,
        funds: money("total", summary.overall.funds_fen)?,
        asset_value: money("total", summary.overall.value_fen)?,
    };
    let groups = match group_by {
        GroupBy::Class => {
            let mut groups = AssetClass::ALL
                .iter()
                .map(|class| {
                    let figures = summary.classes[class_index(*class)];
                    Ok(Group {
                        key: class.as_str().to_owned(),
                        figures: Figures {
                            projects: figures.projects,
                            assets: figures.assets,
                            funds: money(class.as_str(), figures.funds_fen)?,
                            asset_value: money(class.as_str(), figures.value_fen)?,
                        },
                    })
                })
                .collect::<Result<Vec<_>, NegativeSum>>()?;
            groups.push(Group {
                key: "none".to_owned(),
                figures: Figures {
                    projects: summary.overall.unclassified_projects,
                    assets: 0,
                    funds: money("none", summary.overall.unclassified_funds_fen)?,
                    asset_value: Yuan::ZERO,
                },
            });
            groups
        }
        GroupBy::Town => load(conn, &by_project_column(scope, "p.town"))?,
        GroupBy::Village => load(
            conn,
            &by_project_column(scope, "p.town || '/' || COALESCE(p.village, '')"),
        )?,
        GroupBy::Year => load(conn, &by_project_column(scope, "CAST(p.year AS TEXT)"))?,
    };
    let mut groups = groups;
    if group_by != GroupBy::Class {
        // Sorted here, by code point, so that both backends list groups alike whatever
        // their collation.
        groups.sort_by(|a, b| a.key.cmp(&b.key));
    }
    Ok(Totals { total, groups })
}
