//! `GET /api/v1/totals?group_by=class|town|village|year`.

use rocket::form;
use rocket::serde::json::Json;
use rocket::{get, State};

use super::error::ApiError;
use super::guard::ReadAccess;
use crate::db::Db;
use crate::register::totals::{totals, GroupBy, Totals};
use crate::request::Param;

/// The totals of the register in the caller's scope, grouped by class (the default), town, village or year.
#[get("/totals?<group_by>")]
pub async fn get_totals(
    caller: ReadAccess,
    group_by: form::Result<'_, Param<GroupBy>>,
    db: &State<Db>,
) -> Result<Json<Totals>, ApiError> {
    let group_by = group_by?.into_inner().unwrap_or(GroupBy::Class);
    let scope = caller.0.scope;
    let report = db
        .run(move |conn| totals(conn, &scope, group_by).map_err(ApiError::from))
        .await?;
    Ok(Json(report))
}
