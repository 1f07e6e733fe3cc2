//! `GET /api/v1/totals?group_by=class|town|village|year`.

use rocket::serde::json::Json;
use rocket::{get, State};

use super::error::ApiError;
use super::guard::ReadAccess;
use crate::db::Db;
use crate::register::totals::{totals, GroupBy, Totals};

/// The register's totals, grouped by class (the default), town, village or year.
#[get("/totals?<group_by>")]
pub async fn get_totals(
    _caller: ReadAccess,
    group_by: Option<&str>,
    db: &State<Db>,
) -> Result<Json<Totals>, ApiError> {
    let group_by = match group_by {
        None => GroupBy::Class,
        Some(text) => GroupBy::parse(text).ok_or_else(|| ApiError::BadParameter {
            parameter: "group_by",
            detail: format!("group_by 只能是 class、town、village 或 year，收到“{text}”"),
        })?,
    };
    let report = db
        .run(move |conn| totals(conn, group_by).map_err(ApiError::from))
        .await?;
    Ok(Json(report))
}
