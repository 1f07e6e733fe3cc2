//! `GET /api/v1/access-log`: the record of personal-data access (个人信息访问记录),
//! newest first, for auditors with county scope.

use rocket::form;
use rocket::serde::json::Json;
use rocket::{get, State};
use serde::Serialize;

use super::error::ApiError;
use super::guard::CountyAudit;
use super::views::Page;
use crate::db::Db;
use crate::observe::access::store::{self, AccessRow};
use crate::paging::{Page as ListPage, TimeKey};
use crate::request::{AccessLogQuery, Both};

/// One recorded disclosure, as sent.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct AccessView {
    /// Its id.
    pub id: String,
    /// When the response was sent (RFC 3339, UTC).
    pub at: String,
    /// The request's id (`X-Request-Id`, `instance` of its problems).
    pub request_id: String,
    /// Who: the token's name.
    pub who: String,
    /// The token's id.
    pub token_id: String,
    /// Its role: clerk, auditor, admin or approver.
    pub role: String,
    /// Its scope.
    pub scope: String,
    /// The HTTP method.
    pub method: String,
    /// The route as mounted (`/api/v1/assets/<key>`).
    pub route: String,
    /// The response's status.
    pub status: i32,
    /// The asset codes whose ID or phone numbers the response carried (at most 1,000).
    pub codes: Vec<String>,
    /// How many codes there were; for an export, how many of its rows carried an ID
    /// number.
    pub code_count: i64,
    /// For an export: how many rows it wrote.
    pub export_rows: Option<i64>,
}

impl From<AccessRow> for AccessView {
    fn from(row: AccessRow) -> Self {
        let codes = row.code_list().into_iter().map(str::to_owned).collect();
        let AccessRow {
            id,
            at,
            request_id,
            token_id,
            token_name,
            role,
            scope,
            method,
            route,
            status,
            codes: _,
            code_count,
            export_rows,
        } = row;
        AccessView {
            id,
            at,
            request_id,
            who: token_name,
            token_id,
            role,
            scope,
            method,
            route,
            status,
            codes,
            code_count,
            export_rows,
        }
    }
}

/// The access log, newest first, filtered by `who`, `route`, `since`, `until` (China
/// days) and `code`.
#[get("/access-log?<query..>")]
pub async fn list_access_log(
    _auditor: CountyAudit,
    query: form::Result<'_, AccessLogQuery>,
    db: &State<Db>,
) -> Result<Json<Page<AccessView>>, ApiError> {
    let Both(filter, page) = query?;
    let filter = filter.into_filter();
    db.run(move |conn| {
        let found = ListPage::fetch(
            page.cursor(),
            page.limit(),
            |before, n| store::list(conn, &filter, before.map(TimeKey::as_pair), n),
            |r| TimeKey::of(&r.at, &r.id),
        )?;
        Ok(Json(Page::from(found.map(AccessView::from))))
    })
    .await
}
