//! Finding assets: by code or id, and by the fields the API filters on, in a stable
//! order for cursor pages, with the count and sum of a filtered list. Projects are found
//! in `query/project_list.rs`.

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::scope::{assets_query, holds_asset, projects_query};
use super::store::{AssetRow, ProjectRow};
use crate::db::pool::DbBackend;
use crate::db::schema::{assets, ledger_entries, projects};
use crate::db::{columns_of, first_cached, DbConnection};
use crate::domain::codes::{code_key, could_be_key};
use crate::domain::{
    AssetClass, AssetCondition, AssetStatus, OperatingMode, OwnerType, Scope, Vocabulary, Yuan,
};

mod name_search;
mod project_list;

pub use name_search::{like_pattern, name_holds};

pub use project_list::{
    find_project, list_projects, project_code_at, projects_through, tally_projects, ProjectFilter,
    ProjectTally,
};

/// Filters of the asset list. Owner, owner type and status are the current state's.
#[derive(Debug, Clone, Default)]
pub struct AssetFilter {
    /// 资产类别.
    pub class: Option<AssetClass>,
    /// 镇/街道.
    pub town: Option<String>,
    /// 村.
    pub village: Option<String>,
    /// 所有权人, exactly.
    pub owner: Option<String>,
    /// 所有权人类型.
    pub owner_type: Option<OwnerType>,
    /// Status.
    pub status: Option<AssetStatus>,
    /// 项目编号.
    pub project: Option<String>,
    /// 项目年度: the year of the asset's project.
    pub year: Option<i32>,
    /// A substring of the asset's or the owner's name.
    pub q: Option<String>,
    /// 行业主管部门 of the asset's project, exactly.
    pub department: Option<String>,
    /// 资产状态.
    pub condition: Option<AssetCondition>,
    /// 经营方式.
    pub operating_mode: Option<OperatingMode>,
}

/// Up to `limit` assets in `scope` after the code `after`, in code order, matching `filter`;
/// `with_state` false leaves out the filters on the current state (owner, owner type,
/// status), for callers that filter on a state as of a date instead.
///
/// Fails when the query fails.
pub fn list_assets(
    conn: &mut DbConnection,
    scope: &Scope,
    filter: &AssetFilter,
    with_state: bool,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<AssetRow>> {
    let query = filtered_assets(conn, scope, filter, with_state)?;
    page_by_code(conn, query, after, limit)
}

/// Up to `limit` rows of `query` after the code `after`, in code order.
fn page_by_code(
    conn: &mut DbConnection,
    mut query: assets::BoxedQuery<'static, DbBackend>,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<AssetRow>> {
    if let Some(after) = after {
        query = query.filter(assets::code.gt(after.to_owned()));
    }
    query
        .order(assets::code)
        .limit(limit)
        .select(AssetRow::as_select())
        .load(conn)
}

/// Up to `limit` assets in `scope` registered on or before `day` (`YYYY-MM-DD`), after
/// the code `after`, in code order, matching `filter` but for its filters on the state
/// (owner, owner type, status), which the caller decides on the state as of `day`: the
/// candidates of a list as of that day (an asset registered later did not exist then).
/// With `among`, the ids of the assets the search `q` finds, only those: read by id
/// and sorted, instead of walking the code order for them.
///
/// Fails when the query fails.
pub fn list_assets_registered_by(
    conn: &mut DbConnection,
    scope: &Scope,
    filter: &AssetFilter,
    day: &str,
    among: Option<&[String]>,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<AssetRow>> {
    let query = match among {
        Some(ids) => {
            let unsearched = AssetFilter {
                q: None,
                ..filter.clone()
            };
            filtered_assets(conn, scope, &unsearched, false)?
                .filter(assets::id.eq_any(ids.to_vec()))
        }
        None => filtered_assets(conn, scope, filter, false)?,
    }
    .filter(assets::registered_on.le(day.to_owned()));
    page_by_code(conn, query, after, limit)
}

/// Up to `limit` assets in `scope` matching `filter` (current state) after the key
/// `after` (project code, asset code), in project order and, within a project, in code
/// order: each project's assets come together, as a printed register lists them.
///
/// Fails when the query fails.
pub fn list_assets_by_project(
    conn: &mut DbConnection,
    scope: &Scope,
    filter: &AssetFilter,
    after: Option<(&str, &str)>,
    limit: i64,
) -> QueryResult<Vec<AssetRow>> {
    let mut query = filtered_assets(conn, scope, filter, true)?;
    if let Some((project, code)) = after {
        query = query.filter(
            assets::project_code
                .gt(project.to_owned())
                .or(assets::project_code
                    .eq(project.to_owned())
                    .and(assets::code.gt(code.to_owned()))),
        );
    }
    query
        .order((assets::project_code, assets::code))
        .limit(limit)
        .select(AssetRow::as_select())
        .load(conn)
}

/// How many assets a filtered list holds and what they are worth together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssetTally {
    /// Number of assets.
    pub assets: i64,
    /// Sum of their 资产价值.
    pub value: Yuan,
}

/// Errors counting a list.
#[derive(Debug, thiserror::Error)]
pub enum TallyError {
    /// The query failed.
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
    /// The sum came out negative: a stored amount was changed behind the application.
    #[error("the register holds a negative sum of asset values")]
    NegativeSum,
}

/// The number and the summed value of the assets in `scope` matching `filter` (current
/// state), summed in SQL as exact 64-bit integers.
///
/// Fails when the query fails or the sum is negative.
pub fn tally_assets(
    conn: &mut DbConnection,
    scope: &Scope,
    filter: &AssetFilter,
) -> Result<AssetTally, TallyError> {
    let (assets, value_fen): (i64, i64) = filtered_assets(conn, scope, filter, true)?
        .select(sql::<(BigInt, BigInt)>(
            "COUNT(*), CAST(COALESCE(SUM(assets.value_fen), 0) AS BIGINT)",
        ))
        .first(conn)?;
    Ok(AssetTally {
        assets,
        value: Yuan::from_fen(value_fen).ok_or(TallyError::NegativeSum)?,
    })
}

/// How many assets in `scope` matching `filter` (current state) come up to the code
/// `through`, that one included: where a page that continues after it begins.
///
/// Fails when the query fails.
pub fn assets_through(
    conn: &mut DbConnection,
    scope: &Scope,
    filter: &AssetFilter,
    through: &str,
) -> QueryResult<i64> {
    filtered_assets(conn, scope, filter, true)?
        .filter(assets::code.le(through.to_owned()))
        .count()
        .get_result(conn)
}

/// The code of the asset at `position` (0-based, in code order) among those in `scope`
/// matching `filter` (current state): the key a page that begins after it continues from.
///
/// Fails when the query fails.
pub fn asset_code_at(
    conn: &mut DbConnection,
    scope: &Scope,
    filter: &AssetFilter,
    position: i64,
) -> QueryResult<Option<String>> {
    filtered_assets(conn, scope, filter, true)?
        .order(assets::code)
        .offset(position)
        .limit(1)
        .select(assets::code)
        .first(conn)
        .optional()
}

/// The assets in `scope` matching `filter`, as a query to order, page, count or sum;
/// `with_state` as [`list_assets`] takes it.
///
/// Fails when the name search's trigram table cannot be read.
fn filtered_assets(
    conn: &mut DbConnection,
    scope: &Scope,
    filter: &AssetFilter,
    with_state: bool,
) -> QueryResult<assets::BoxedQuery<'static, DbBackend>> {
    let mut query = assets_query(scope);
    if let Some(class) = filter.class {
        query = query.filter(assets::class.eq(class.as_str()));
    }
    if let Some(town) = &filter.town {
        query = query.filter(assets::town.eq(town.clone()));
    }
    if let Some(village) = &filter.village {
        query = query.filter(assets::village.eq(village.clone()));
    }
    if let Some(project) = &filter.project {
        query = query.filter(assets::project_code.eq(project.clone()));
    }
    // The project's year and department as the asset's row holds them, each indexed
    // with the code.
    if let Some(year) = filter.year {
        query = query.filter(assets::project_year.eq(year));
    }
    if let Some(department) = &filter.department {
        query = query.filter(assets::project_department.eq(department.clone()));
    }
    if let Some(condition) = filter.condition {
        query = query.filter(assets::condition.eq(condition.as_str()));
    }
    if let Some(mode) = filter.operating_mode {
        query = query.filter(assets::operating_mode.eq(mode.as_str()));
    }
    match &filter.q {
        Some(q) if with_state => query = query.filter(name_search::named_now(conn, q)?),
        // As of a date the owner then may have had another name: every name the owner
        // was ever given is searched, and the caller decides on the state then.
        Some(q) => query = query.filter(name_search::named_ever(conn, q)),
        None => {}
    }
    if with_state {
        if let Some(owner) = &filter.owner {
            query = query.filter(assets::owner_name.eq(owner.clone()));
        }
        if let Some(owner_type) = filter.owner_type {
            query = query.filter(assets::owner_type.eq(owner_type.as_str()));
        }
        if let Some(status) = filter.status {
            query = query.filter(assets::status.eq(status.as_str()));
        }
    }
    Ok(query)
}

/// The assets in `scope` that a project formed, in code order.
///
/// Fails when the query fails.
pub fn assets_of_project(
    conn: &mut DbConnection,
    scope: &Scope,
    code: &str,
) -> QueryResult<Vec<AssetRow>> {
    assets_query(scope)
        .filter(assets::project_code.eq(code))
        .order(assets::code)
        .select(AssetRow::as_select())
        .load(conn)
}

/// The assets in `scope` whose code is one of `codes` (in no particular order).
///
/// Fails when the query fails.
pub fn assets_with_codes(
    conn: &mut DbConnection,
    scope: &Scope,
    codes: &[&str],
) -> QueryResult<Vec<AssetRow>> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    assets_query(scope)
        .filter(assets::code.eq_any(codes))
        .select(AssetRow::as_select())
        .load(conn)
}

/// The projects in `scope` whose code is one of `codes` (in no particular order).
///
/// Fails when the query fails.
pub fn projects_with_codes(
    conn: &mut DbConnection,
    scope: &Scope,
    codes: &[&str],
) -> QueryResult<Vec<ProjectRow>> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    projects_query(scope)
        .filter(projects::code.eq_any(codes))
        .select(ProjectRow::as_select())
        .load(conn)
}

/// Finds an asset in `scope` by UUID or code (one outside it is not found).
///
/// Fails when the query fails.
pub fn find_asset(
    conn: &mut DbConnection,
    scope: &Scope,
    key: &str,
) -> QueryResult<Option<AssetRow>> {
    if !could_be_key(key) {
        return Ok(None);
    }
    let matching = assets::id
        .eq(key)
        .or(assets::code.eq(key))
        .or(assets::code_key.eq(code_key(key)));
    // On the backend's own connection, whose statement cache serves this hot query.
    let found: Option<AssetRow> = first_cached(
        conn,
        assets::table
            .filter(matching)
            .select(columns_of::<AssetRow>()),
    )?;
    match found {
        Some(asset) if holds_asset(scope, &asset) => Ok(Some(asset)),
        _ => Ok(None),
    }
}

/// Finds an asset in `scope` by UUID or code together with the hash of its latest
/// entry, in one query (the single-asset read of the API is the hottest path).
///
/// Fails when the query fails.
pub fn find_asset_with_head(
    conn: &mut DbConnection,
    scope: &Scope,
    key: &str,
) -> QueryResult<Option<(AssetRow, String)>> {
    if !could_be_key(key) {
        return Ok(None);
    }
    let matching = assets::id
        .eq(key)
        .or(assets::code.eq(key))
        .or(assets::code_key.eq(code_key(key)));
    let head = ledger_entries::table.on(ledger_entries::seq.eq(assets::last_seq));
    let found: Option<(AssetRow, String)> = first_cached(
        conn,
        assets::table
            .inner_join(head)
            .filter(matching)
            .select((columns_of::<AssetRow>(), ledger_entries::hash)),
    )?;
    match found {
        Some((asset, hash)) if holds_asset(scope, &asset) => Ok(Some((asset, hash))),
        _ => Ok(None),
    }
}
