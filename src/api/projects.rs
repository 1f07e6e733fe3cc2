//! `GET /api/v1/projects` and `GET /api/v1/projects/{code}` (with its assets).

use rocket::form;
use rocket::serde::json::Json;
use rocket::{get, State};

use super::error::ApiError;
use super::guard::ReadAccess;
use super::params;
use super::views::{AssetView, Page, ProjectView};
use crate::db::Db;
use crate::observe::access::Disclosure;
use crate::paging::Page as ListPage;
use crate::register::query::{self, assets_of_project, find_project};
use crate::request::{Both, ProjectListQuery};

/// Lists projects in code order, filtered by town, village, year, class (projects with
/// an asset of that class) and `q` (a substring of the name).
#[get("/projects?<query..>")]
pub async fn list_projects(
    caller: ReadAccess,
    query: form::Result<'_, ProjectListQuery>,
    db: &State<Db>,
) -> Result<Json<Page<ProjectView>>, ApiError> {
    let Both(filter, page) = query?;
    let filter = filter.into_filter();
    let scope = caller.0.scope;
    db.run(move |conn| {
        let found = ListPage::fetch(
            page.cursor(),
            page.limit(),
            |after, n| query::list_projects(conn, &scope, &filter, after.map(String::as_str), n),
            |row| row.code.clone(),
        )?;
        Ok(Json(Page::from(found.map(ProjectView::new))))
    })
    .await
}

/// One project with its assets.
#[get("/projects/<code>")]
pub async fn get_project(
    caller: ReadAccess,
    code: &str,
    disclosure: Disclosure,
    db: &State<Db>,
) -> Result<Json<ProjectView>, ApiError> {
    let visibility = caller.0.visibility();
    let scope = caller.0.scope;
    let code = params::key(code)?;
    db.run(move |conn| {
        let row = find_project(conn, &scope, &code)?
            .ok_or_else(|| ApiError::NotFound(format!("没有项目编号为“{code}”的项目")))?;
        let assets = assets_of_project(conn, &scope, &row.code)?;
        let mut view = ProjectView::new(row);
        view.assets = Some(
            assets
                .into_iter()
                .map(|a| AssetView::new(a, visibility))
                .inspect(|view| view.disclose(&disclosure, visibility))
                .collect(),
        );
        Ok(Json(view))
    })
    .await
}
