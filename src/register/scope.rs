//! The one place a [`Scope`] becomes a filter: as Diesel predicates on projects, assets
//! and ledger entries, as SQL conditions for the queries written in SQL (totals, the
//! maintained group figures, findings), and as checks of single rows. Every query of the register, the ledger,
//! the totals, the findings, the export and the change feed takes a `&Scope` and applies
//! it through this module, so a query without a scope does not compile.
//!
//! A project is in scope by its own town, village and department; an asset by its own
//! town and village, and by its project's department, which its row holds
//! (`project_department`).

use diesel::dsl::sql;
use diesel::expression::BoxableExpression;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable};

use crate::db::pool::DbBackend;
use crate::db::rows::{AssetRow, ProjectRow};
use crate::db::schema::{assets, import_batches, ledger_entries, projects};
use crate::domain::Scope;

/// A condition on `assets` rows.
pub type AssetPredicate =
    Box<dyn BoxableExpression<assets::table, DbBackend, SqlType = Nullable<Bool>>>;

/// A condition on `projects` rows.
pub type ProjectPredicate =
    Box<dyn BoxableExpression<projects::table, DbBackend, SqlType = Nullable<Bool>>>;

/// A condition on `ledger_entries` rows.
pub type EntryPredicate =
    Box<dyn BoxableExpression<ledger_entries::table, DbBackend, SqlType = Bool>>;

/// A condition on `import_batches` rows.
pub type BatchPredicate =
    Box<dyn BoxableExpression<import_batches::table, DbBackend, SqlType = Bool>>;

/// The condition that a row of `$table` (whose `town` and `village` columns place it,
/// and whose column `$department` names its department) is in `$scope`; `None` for the
/// county. A macro because each table's columns are their own Diesel types: the two
/// tables placed this way (projects, assets) share one rule.
macro_rules! placed_in {
    ($scope:expr, $table:ident, $department:ident) => {
        match $scope {
            Scope::County => None,
            Scope::Town(town) => Some(Box::new($table::town.eq(town.clone()).nullable()) as _),
            Scope::Village { town, village } => Some(Box::new(
                $table::town
                    .eq(town.clone())
                    .nullable()
                    .and($table::village.eq(village.clone())),
            ) as _),
            Scope::Department(department) => {
                Some(Box::new($table::$department.eq(department.clone())) as _)
            }
        }
    };
}

/// The assets in `scope`; `None` for the county (no condition).
pub fn assets_in(scope: &Scope) -> Option<AssetPredicate> {
    placed_in!(scope, assets, project_department)
}

/// The projects in `scope`; `None` for the county.
pub fn projects_in(scope: &Scope) -> Option<ProjectPredicate> {
    placed_in!(scope, projects, department)
}

/// `query` narrowed to `in_scope`, when there is a condition (the `None` of the county
/// leaves it whole).
pub fn narrowed<Q, P>(query: Q, in_scope: Option<P>) -> Q
where
    Q: diesel::query_dsl::methods::FilterDsl<P, Output = Q>,
{
    match in_scope {
        Some(in_scope) => query.filter(in_scope),
        None => query,
    }
}

/// The assets in `scope`, as a query to narrow, order and select.
pub fn assets_query<'a>(scope: &Scope) -> assets::BoxedQuery<'a, DbBackend> {
    narrowed(assets::table.into_boxed(), assets_in(scope))
}

/// The projects in `scope`, as a query to narrow, order and select.
pub fn projects_query<'a>(scope: &Scope) -> projects::BoxedQuery<'a, DbBackend> {
    narrowed(projects::table.into_boxed(), projects_in(scope))
}

/// The ledger entries of the assets in `scope`, as a query to narrow, order and select.
pub fn entries_query<'a>(scope: &Scope) -> ledger_entries::BoxedQuery<'a, DbBackend> {
    narrowed(ledger_entries::table.into_boxed(), entries_in(scope))
}

/// The ledger entries of the assets in `scope`; `None` for the county. An entry holds
/// its asset's town and department, each indexed with `seq`, so that a town's or a
/// department's entries are read in `seq` order; a village's are its few assets'
/// entries, found by their codes.
pub fn entries_in(scope: &Scope) -> Option<EntryPredicate> {
    match scope {
        Scope::County => None,
        Scope::Town(town) => Some(Box::new(ledger_entries::asset_town.eq(town.clone()))),
        Scope::Department(department) => Some(Box::new(
            ledger_entries::asset_department
                .eq(department.clone())
                .assume_not_null(),
        )),
        Scope::Village { .. } => Some(Box::new(sql::<Bool>(&format!(
            "ledger_entries.asset_code IN (SELECT a.code FROM assets a WHERE {})",
            asset_sql(scope, "a")
        )))),
    }
}

/// The import batches `scope` sees: those made by a token whose scope it contains (the
/// county sees every batch; a town those of its villages too).
pub fn batches_in(scope: &Scope) -> Option<BatchPredicate> {
    match scope {
        Scope::County => None,
        Scope::Town(town) => Some(Box::new(
            import_batches::scope
                .eq(scope.to_string())
                .or(import_batches::scope
                    .like(format!("village:{}/%", escape_like(town)))
                    .escape('\\')),
        )),
        _ => Some(Box::new(import_batches::scope.eq(scope.to_string()))),
    }
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// A text as an SQL string literal (quotes doubled). Scope names have no control
/// characters ([`Scope::parse`]), nor have codes, and both engines read `''` inside a
/// literal as one quote and nothing else as special.
pub(crate) fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The SQL condition that the project row aliased `p` is in `scope` (`1 = 1` for the
/// county), for the queries written in SQL.
pub fn project_sql(scope: &Scope, p: &str) -> String {
    match scope {
        Scope::County => "1 = 1".to_owned(),
        Scope::Town(town) => format!("{p}.town = {}", literal(town)),
        Scope::Village { town, village } => format!(
            "{p}.town = {} AND {p}.village = {}",
            literal(town),
            literal(village)
        ),
        Scope::Department(department) => format!("{p}.department = {}", literal(department)),
    }
}

/// The SQL condition that the `group_figures` row aliased `g` is in `scope` (`1 = 1`
/// for the county): a group is its projects' town, village (`''` for none) and
/// department, which is what puts those projects and their assets in a scope.
/// The condition is a project's: a group has the same three columns.
pub fn figures_sql(scope: &Scope, g: &str) -> String {
    project_sql(scope, g)
}

/// The SQL condition that the asset row aliased `a` is in `scope` (`1 = 1` for the
/// county).
pub fn asset_sql(scope: &Scope, a: &str) -> String {
    match scope {
        Scope::Department(department) => {
            format!("{a}.project_department = {}", literal(department))
        }
        _ => project_sql(scope, a),
    }
}

/// The same condition as a Diesel expression on `assets` (for queries that join).
pub fn asset_sql_expression(scope: &Scope) -> diesel::expression::SqlLiteral<Bool> {
    sql::<Bool>(&asset_sql(scope, "assets"))
}

/// Whether `project` is in `scope`.
pub fn holds_project(scope: &Scope, project: &ProjectRow) -> bool {
    scope.holds(
        &project.town,
        project.village.as_deref(),
        project.department.as_deref(),
    )
}

/// Whether `asset` is in `scope`.
pub fn holds_asset(scope: &Scope, asset: &AssetRow) -> bool {
    scope.holds(
        &asset.town,
        asset.village.as_deref(),
        asset.project_department.as_deref(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sql_conditions_quote_their_names() {
        let scope = Scope::parse("village:马嵬'街道/李村").expect("scope");
        assert_eq!(
            project_sql(&scope, "p"),
            "p.town = '马嵬''街道' AND p.village = '李村'"
        );
        assert_eq!(
            asset_sql(&Scope::Department("农业".into()), "a"),
            "a.project_department = '农业'"
        );
        assert_eq!(project_sql(&Scope::County, "p"), "1 = 1");
        assert_eq!(
            figures_sql(&scope, "g"),
            "g.town = '马嵬''街道' AND g.village = '李村'"
        );
        assert_eq!(
            figures_sql(&Scope::Department("农业".into()), "g"),
            "g.department = '农业'"
        );
    }
}
