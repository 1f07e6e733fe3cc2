//! `GET /api/v1/projects` and `GET /api/v1/projects/{code}` (with its assets).

use rocket::serde::json::Json;
use rocket::{get, State};

use super::error::ApiError;
use super::guard::ReadAccess;
use super::params;
use super::views::{AssetView, Page, ProjectView};
use crate::db::Db;
use crate::register::query::{assets_of_project, find_project, list_projects, ProjectFilter};

/// Lists projects in code order, filtered by town, village, year, class (projects with
/// an asset of that class) and `q` (a substring of the name).
#[expect(
    clippy::too_many_arguments,
    reason = "one parameter per query filter of the spec"
)]
#[get("/projects?<town>&<village>&<year>&<class>&<q>&<limit>&<cursor>")]
pub async fn list(
    _caller: ReadAccess,
    town: Option<&str>,
    village: Option<&str>,
    year: Option<&str>,
    class: Option<&str>,
    q: Option<&str>,
    limit: Option<&str>,
    cursor: Option<&str>,
    db: &State<Db>,
) -> Result<Json<Page<ProjectView>>, ApiError> {
    let filter = ProjectFilter {
        town: params::text("town", town)?,
        village: params::text("village", village)?,
        year: params::year(year)?,
        class: params::class(class)?,
        q: params::text("q", q)?,
    };
    let limit = params::limit(limit)?;
    let after = params::cursor(cursor)?;
    db.run(move |conn| {
        let rows = list_projects(conn, &filter, after.as_deref(), limit + 1)?;
        Ok(Json(Page::of(
            rows,
            limit,
            |r| r.code.clone(),
            ProjectView::new,
        )))
    })
    .await
}

/// One project with its assets.
#[get("/projects/<code>")]
pub async fn get_one(
    caller: ReadAccess,
    code: &str,
    db: &State<Db>,
) -> Result<Json<ProjectView>, ApiError> {
    let visibility = caller.0.visibility();
    let code = params::key(code)?;
    db.run(move |conn| {
        let row = find_project(conn, &code)?
            .ok_or_else(|| ApiError::NotFound(format!("没有项目编号为“{code}”的项目")))?;
        let assets = assets_of_project(conn, &code)?;
        let mut view = ProjectView::new(row);
        view.assets = Some(
            assets
                .into_iter()
                .map(|a| AssetView::new(a, visibility))
                .collect(),
        );
        Ok(Json(view))
    })
    .await
}
