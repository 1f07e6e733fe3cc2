//! Finding projects: the project list's filters, its pages, count and funds, and one
//! project by code, all within a scope.

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::{like_pattern, TallyError};
use crate::db::name_search::holds;
use crate::db::pool::DbBackend;
use crate::db::schema::{assets, projects};
use crate::db::DbConnection;
use crate::domain::codes::{code_key, could_be_key};
use crate::domain::{AssetClass, Scope, Vocabulary, Yuan};
use crate::register::scope::{holds_project, projects_query};
use crate::register::store::ProjectRow;

/// Filters of the project list.
#[derive(Debug, Clone, Default)]
pub struct ProjectFilter {
    /// 镇/街道.
    pub town: Option<String>,
    /// 村.
    pub village: Option<String>,
    /// 项目年度.
    pub year: Option<i32>,
    /// Projects with at least one asset of this class.
    pub class: Option<AssetClass>,
    /// A substring of the project's name.
    pub q: Option<String>,
}

/// Up to `limit` projects in `scope` after the code `after`, in code order, matching
/// `filter`.
///
/// Fails when the query fails.
pub fn list_projects(
    conn: &mut DbConnection,
    scope: &Scope,
    filter: &ProjectFilter,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<ProjectRow>> {
    let mut query = filtered_projects(conn, scope, filter);
    if let Some(after) = after {
        query = query.filter(projects::code.gt(after.to_owned()));
    }
    query
        .order(projects::code)
        .limit(limit)
        .select(ProjectRow::as_select())
        .load(conn)
}

/// How many projects a filtered list holds and their funds together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProjectTally {
    /// Number of projects.
    pub projects: i64,
    /// Sum of their 项目资金.
    pub funds: Yuan,
}

/// The number and the summed funds of the projects in `scope` matching `filter`, summed
/// in SQL as exact 64-bit integers.
///
/// Fails when the query fails or the sum is negative.
pub fn tally_projects(
    conn: &mut DbConnection,
    scope: &Scope,
    filter: &ProjectFilter,
) -> Result<ProjectTally, TallyError> {
    let (projects, funds_fen): (i64, i64) = filtered_projects(conn, scope, filter)
        .select(sql::<(BigInt, BigInt)>(
            "COUNT(*), CAST(COALESCE(SUM(projects.funds_fen), 0) AS BIGINT)",
        ))
        .first(conn)?;
    Ok(ProjectTally {
        projects,
        funds: Yuan::from_fen(funds_fen).ok_or(TallyError::NegativeSum)?,
    })
}

/// How many projects in `scope` matching `filter` come up to the code `through`, that
/// one included.
///
/// Fails when the query fails.
pub fn projects_through(
    conn: &mut DbConnection,
    scope: &Scope,
    filter: &ProjectFilter,
    through: &str,
) -> QueryResult<i64> {
    filtered_projects(conn, scope, filter)
        .filter(projects::code.le(through.to_owned()))
        .count()
        .get_result(conn)
}

/// The code of the project at `position` (0-based, in code order) among those in
/// `scope` matching `filter`.
///
/// Fails when the query fails.
pub fn project_code_at(
    conn: &mut DbConnection,
    scope: &Scope,
    filter: &ProjectFilter,
    position: i64,
) -> QueryResult<Option<String>> {
    filtered_projects(conn, scope, filter)
        .order(projects::code)
        .offset(position)
        .limit(1)
        .select(projects::code)
        .first(conn)
        .optional()
}

/// The projects in `scope` matching `filter`, as a query to order, page, count or sum.
fn filtered_projects(
    conn: &DbConnection,
    scope: &Scope,
    filter: &ProjectFilter,
) -> projects::BoxedQuery<'static, DbBackend> {
    let mut query = projects_query(scope);
    if let Some(town) = &filter.town {
        query = query.filter(projects::town.eq(town.clone()));
    }
    if let Some(village) = &filter.village {
        query = query.filter(projects::village.eq(village.clone()));
    }
    if let Some(year) = filter.year {
        query = query.filter(projects::year.eq(year));
    }
    if let Some(class) = filter.class {
        query = query.filter(
            projects::code.eq_any(
                assets::table
                    .filter(assets::class.eq(class.as_str()))
                    .select(assets::project_code),
            ),
        );
    }
    if let Some(q) = &filter.q {
        // No trigram index holds project names: `indexed` only keeps the column plain.
        query = query.filter(holds::<projects::table>(
            conn,
            "projects.name",
            &like_pattern(q),
            true,
        ));
    }
    query
}

/// The project with this code, if there is one in `scope`.
///
/// Fails when the query fails.
pub fn find_project(
    conn: &mut DbConnection,
    scope: &Scope,
    code: &str,
) -> QueryResult<Option<ProjectRow>> {
    if !could_be_key(code) {
        return Ok(None);
    }
    let found = projects::table
        .filter(
            projects::code
                .eq(code)
                .or(projects::code_key.eq(code_key(code))),
        )
        .select(ProjectRow::as_select())
        .first(conn)
        .optional()?;
    Ok(found.filter(|project| holds_project(scope, project)))
}
