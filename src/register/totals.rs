//! Totals of the register: projects, assets, project funds and asset value, overall and
//! grouped by class, town, village or year.
//!
//! Disposed assets no longer count. A project counts in every class of which it holds an
//! asset; the class group `none` holds the projects that formed no asset at all. Every
//! figure is a maintained one, never a scan of the register: the county's overall and
//! per-class figures are `register::summary`'s, everything else (a scope's, and groups
//! by town, village and year) adds up the rows of `register::figures` in the scope.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use serde::Serialize;

use crate::db::DbConnection;
use crate::domain::{AssetClass, FundingChannel, Scope, Vocabulary, Yuan};
use crate::register::figures::{grouped_sql, EVERY_CLASS};
use crate::register::scope::project_sql;
use crate::register::summary::{class_index, ClassFigures, Overall, Summary};

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
    /// By 行业主管部门; projects without one under `unspecified`.
    Department,
    /// By funding channel (`central` … `other`): a project counts in every channel
    /// that funds it, with that channel's amount as its funds; projects whose funds
    /// are not split count under `unspecified`.
    FundingChannel,
}

impl GroupBy {
    /// Parses `class`, `town`, `village`, `year`, `department` or `funding_channel`;
    /// `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "class" => Some(GroupBy::Class),
            "town" => Some(GroupBy::Town),
            "village" => Some(GroupBy::Village),
            "year" => Some(GroupBy::Year),
            "department" => Some(GroupBy::Department),
            "funding_channel" => Some(GroupBy::FundingChannel),
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

/// The figures of the projects in `scope`, grouped by the project columns `group_by` of
/// a `group_figures` row `g` and keyed by `key_expression` over them: the rows of every
/// project (`all`) summed per key.
fn by_project_column(scope: &Scope, group_by: &str, key_expression: &str) -> String {
    grouped_sql(scope, "('all')", group_by, key_expression)
}

/// The maintained figures of a scope narrower than the county, in the shape of the
/// county's [`Summary`]: the `all` rows summed for the whole, the class rows per class,
/// the `none` rows for the projects that formed no asset.
fn scope_summary(conn: &mut DbConnection, scope: &Scope) -> Result<Summary, TotalsError> {
    let rows: Vec<FiguresRow> =
        diesel::sql_query(grouped_sql(scope, EVERY_CLASS, "g.class", "g.class")).load(conn)?;
    let mut summary = Summary {
        overall: Overall::default(),
        last_registered_on: String::new(),
        last_value_event_on: String::new(),
        classes: [ClassFigures::default(); 3],
    };
    for row in rows {
        let figures = ClassFigures {
            projects: row.projects,
            assets: row.assets,
            funds_fen: row.funds,
            value_fen: row.asset_value,
        };
        match (row.key.as_str(), AssetClass::parse(&row.key)) {
            (_, Some(class)) => summary.classes[class_index(class)] = figures,
            ("none", None) => {
                summary.overall.unclassified_projects = figures.projects;
                summary.overall.unclassified_funds_fen = figures.funds_fen;
            }
            _ => {
                summary.overall.projects = figures.projects;
                summary.overall.assets = figures.assets;
                summary.overall.funds_fen = figures.funds_fen;
                summary.overall.value_fen = figures.value_fen;
            }
        }
    }
    Ok(summary)
}

/// The figures of the projects in `scope` per funding channel, and of those without a
/// split under `unspecified`: `(key, projects, assets, funds, asset_value)` rows, the
/// funds being the channel's amounts. The channel amounts are the projects' own
/// columns, so this reads the projects in scope with their live assets' figures.
fn by_funding_channel(scope: &Scope) -> String {
    let columns: Vec<String> = FundingChannel::ALL
        .iter()
        .map(|c| format!("funds_{}_fen", c.as_str()))
        .collect();
    let per_project = format!(
        "SELECT p.funds_fen AS funds_fen, {},              (SELECT COUNT(*) FROM assets a WHERE a.project_code = p.code AND a.status <> 'disposed') AS n,              (SELECT COALESCE(SUM(a.value_fen), 0) FROM assets a WHERE a.project_code = p.code AND a.status <> 'disposed') AS v          FROM projects p WHERE {}",
        columns
            .iter()
            .map(|c| format!("p.{c} AS {c}"))
            .collect::<Vec<_>>()
            .join(", "),
        project_sql(scope, "p")
    );
    let group = |key: &str, funds: &str, condition: &str| {
        format!(
            "SELECT '{key}' AS key, CAST(COUNT(*) AS BIGINT) AS projects,                  CAST(COALESCE(SUM(s.n), 0) AS BIGINT) AS assets,                  CAST(COALESCE(SUM(s.{funds}), 0) AS BIGINT) AS funds,                  CAST(COALESCE(SUM(s.v), 0) AS BIGINT) AS asset_value              FROM split s WHERE {condition}"
        )
    };
    let mut parts: Vec<String> = FundingChannel::ALL
        .iter()
        .zip(&columns)
        .map(|(channel, column)| {
            group(channel.as_str(), column, &format!("s.{column} IS NOT NULL"))
        })
        .collect();
    let unsplit = columns
        .iter()
        .map(|c| format!("s.{c} IS NULL"))
        .collect::<Vec<_>>()
        .join(" AND ");
    parts.push(group("unspecified", "funds_fen", &unsplit));
    format!(
        "WITH split AS ({per_project}) {}",
        parts.join(" UNION ALL ")
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
        _ => scope_summary(conn, scope)?,
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
        GroupBy::Town => load(conn, &by_project_column(scope, "g.town", "g.town"))?,
        GroupBy::Village => load(
            conn,
            &by_project_column(scope, "g.town, g.village", "g.town || '/' || g.village"),
        )?,
        GroupBy::Year => load(
            conn,
            &by_project_column(scope, "g.year", "CAST(g.year AS TEXT)"),
        )?,
        GroupBy::Department => load(
            conn,
            &by_project_column(
                scope,
                "g.department",
                "CASE WHEN g.department = '' THEN 'unspecified' ELSE g.department END",
            ),
        )?,
        GroupBy::FundingChannel => load(conn, &by_funding_channel(scope))?,
    };
    let mut groups = groups;
    if group_by != GroupBy::Class {
        // Sorted here, by code point, so that both backends list groups alike whatever
        // their collation.
        groups.sort_by(|a, b| a.key.cmp(&b.key));
    }
    Ok(Totals { total, groups })
}
