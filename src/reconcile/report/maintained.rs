//! The figures of a report as of a date from the maintained ones: projects by year from
//! the rollups (`register::rollups`), classes and the projects that had formed an asset
//! from the figures by business date (`register::dated`), each summing a row per year
//! or per day up to the date, never the register.

use std::collections::HashMap;

use diesel::QueryResult;

use super::Figure;
use crate::db::DbConnection;
use crate::domain::{AssetClass, Scope, Vocabulary};
use crate::register::dated::{self, DatedRow};
use crate::register::rollups;

/// The projects of `scope` whose year is `up_to` or earlier (and is `only`, when
/// given), and their funds.
///
/// Fails when the query fails.
pub(super) fn projects(
    conn: &mut DbConnection,
    scope: &Scope,
    up_to: i32,
    only: Option<i32>,
) -> QueryResult<Figure> {
    let mut figure = Figure::default();
    for row in rollups::read(conn, scope, "year")? {
        let Ok(year) = row.group_key.parse::<i32>() else {
            continue;
        };
        if year <= up_to && only.is_none_or(|only| only == year) {
            figure.projects += row.figures.projects;
            figure.fen += row.figures.funds_fen;
        }
    }
    Ok(figure)
}

/// The figures by date summed up to the end of `day`.
pub(super) struct AsOfDay {
    rows: Vec<DatedRow>,
}

impl AsOfDay {
    /// Reads them.
    ///
    /// Fails when the query fails.
    pub(super) fn read(conn: &mut DbConnection, day: &str) -> QueryResult<AsOfDay> {
        Ok(AsOfDay {
            rows: dated::as_of(conn, day)?,
        })
    }

    /// Per class: projects with a live asset of the class, and those assets' value.
    pub(super) fn classes(&self) -> HashMap<AssetClass, Figure> {
        self.rows
            .iter()
            .filter_map(|row| {
                AssetClass::parse(&row.figure).map(|class| {
                    (
                        class,
                        Figure {
                            projects: row.figures.projects,
                            fen: row.figures.value_fen,
                        },
                    )
                })
            })
            .collect()
    }

    /// The projects of year `up_to` or earlier that had formed no asset, and their
    /// funds: all those projects less those whose first asset was registered by then.
    ///
    /// Fails when the query fails.
    pub(super) fn unclassified(&self, conn: &mut DbConnection, up_to: i32) -> QueryResult<Figure> {
        let mut figure = projects(conn, &Scope::County, up_to, None)?;
        for row in &self.rows {
            if row.figure == "registered" && row.year <= up_to {
                figure.projects -= row.figures.projects;
                figure.fen -= row.figures.funds_fen;
            }
        }
        Ok(figure)
    }
}
