//! Totals of the register: projects, assets, project funds and asset value, overall and
//! grouped by class, town, village or year.
//!
//! Disposed assets no longer count. A project counts in every class of which it holds an
//! asset; the class group `none` holds the projects that formed no asset at all. Every
//! figure is a maintained one, never a scan of the register: the county's overall and
//! per-class figures are `register::summary`'s, everything else (a scope's, and its
//! groups by any grouping) reads one row per group of `register::rollups`.

use serde::Serialize;

use crate::db::DbConnection;
use crate::domain::{AssetClass, FundingChannel, Scope, Vocabulary, Yuan};
use crate::register::rollups::{self, RollupRow};
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

/// A rollup row as a group: its key and figures.
fn into_group(row: RollupRow) -> Result<Group, NegativeSum> {
    let money = |fen: i64| Yuan::from_fen(fen).ok_or_else(|| NegativeSum(row.group_key.clone()));
    Ok(Group {
        figures: Figures {
            projects: row.figures.projects,
            assets: row.figures.assets,
            funds: money(row.figures.funds_fen)?,
            asset_value: money(row.figures.value_fen)?,
        },
        key: row.group_key.clone(),
    })
}

/// The maintained figures of a scope narrower than the county, in the shape of the
/// county's [`Summary`]: its rollup rows of the `class` grouping (`all` for the whole,
/// a row per class, `none` for the projects that formed no asset).
fn scope_summary(conn: &mut DbConnection, scope: &Scope) -> Result<Summary, TotalsError> {
    let rows = rollups::read(conn, scope, "class")?;
    let mut summary = Summary {
        overall: Overall::default(),
        last_registered_on: String::new(),
        last_value_event_on: String::new(),
        classes: [ClassFigures::default(); 3],
    };
    for row in rows {
        let figures = row.figures;
        match (row.group_key.as_str(), AssetClass::parse(&row.group_key)) {
            (_, Some(class)) => summary.classes[class_index(class)] = figures,
            ("none", None) => {
                summary.overall.unclassified_projects = figures.projects;
                summary.overall.unclassified_funds_fen = figures.funds_fen;
            }
            ("all", None) => {
                summary.overall.projects = figures.projects;
                summary.overall.assets = figures.assets;
                summary.overall.funds_fen = figures.funds_fen;
                summary.overall.value_fen = figures.value_fen;
            }
            _ => {}
        }
    }
    Ok(summary)
}

/// The groups of `scope` by `grouping`, from its rollup rows; by funding channel,
/// every channel and `unspecified` is listed, with zeros when no project is in it.
fn load(conn: &mut DbConnection, scope: &Scope, grouping: &str) -> Result<Vec<Group>, TotalsError> {
    let mut groups = rollups::read(conn, scope, grouping)?
        .into_iter()
        .map(into_group)
        .collect::<Result<Vec<_>, _>>()?;
    if grouping == "funding_channel" {
        let keys = FundingChannel::ALL
            .iter()
            .map(|c| c.as_str())
            .chain(["unspecified"]);
        for key in keys {
            if !groups.iter().any(|g| g.key == key) {
                groups.push(Group {
                    key: key.to_owned(),
                    figures: Figures::default(),
                });
            }
        }
    }
    Ok(groups)
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
    crate::db::read_snapshot(conn, |conn| totals_within(conn, scope, group_by))
}

/// The totals of the register in `scope` by class, by town and by year, from one
/// snapshot, so that the three add up to the same register while others write (the
/// overview's tables).
///
/// Fails as [`totals`] does.
pub fn totals_by_class_town_and_year(
    conn: &mut DbConnection,
    scope: &Scope,
) -> Result<(Totals, Totals, Totals), TotalsError> {
    crate::db::read_snapshot(conn, |conn| {
        Ok((
            totals_within(conn, scope, GroupBy::Class)?,
            totals_within(conn, scope, GroupBy::Town)?,
            totals_within(conn, scope, GroupBy::Year)?,
        ))
    })
}

fn totals_within(
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
        GroupBy::Town => load(conn, scope, "town")?,
        GroupBy::Village => load(conn, scope, "village")?,
        GroupBy::Year => load(conn, scope, "year")?,
        GroupBy::Department => load(conn, scope, "department")?,
        GroupBy::FundingChannel => load(conn, scope, "funding_channel")?,
    };
    let mut groups = groups;
    if group_by != GroupBy::Class {
        // Sorted here, by code point, so that both backends list groups alike whatever
        // their collation.
        groups.sort_by(|a, b| a.key.cmp(&b.key));
    }
    Ok(Totals { total, groups })
}
