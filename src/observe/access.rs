//! The record of personal-data access (个人信息访问记录, as the Personal Information
//! Protection Law expects of a system holding ID numbers): every response that carried
//! an unmasked ID or phone number appends who (the token's name, role and scope), when,
//! which route and which asset codes — for an export, how many rows — to the access log,
//! a table no role of the application can edit (`store`).
//!
//! The handler that decides to show personal data whole notes it on the request's
//! [`Disclosure`] (a request guard); the request fairing appends the row once the
//! response is made. A response whose row cannot be written is replaced by a 500: no
//! personal data leaves without its record.

pub mod store;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};

use rocket::request::{FromRequest, Outcome};
use rocket::response::Responder;
use rocket::{Request, Response};

use crate::api::error::ApiError;
use crate::auth::Visibility;
use crate::db::Db;
use crate::domain::dates::timestamp_now;
use store::AccessRow;

/// What a response discloses whole, noted by its handler: a request guard, shared with
/// the work the handler hands to the database thread.
#[derive(Debug, Clone, Default)]
pub struct Disclosure(Arc<Mutex<Noted>>);

#[derive(Debug, Default)]
struct Noted {
    codes: BTreeSet<String>,
    /// Codes beyond what is kept, counted.
    count: u64,
    export: Option<(u64, u64)>,
}

impl Disclosure {
    fn noted(&self) -> std::sync::MutexGuard<'_, Noted> {
        // A panic while noting leaves nothing half-done worth refusing.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Notes that the response shows the personal data of the asset `code` (an ID or
    /// phone number) as `visibility` lets the caller see it: whole, it is recorded.
    pub fn asset(&self, visibility: Visibility, code: &str) {
        if visibility == Visibility::Whole {
            let mut noted = self.noted();
            if noted.codes.insert(code.to_owned()) {
                noted.count += 1;
            }
        }
    }

    /// Notes an export of `rows` rows of which `with_personal` carry an ID or phone
    /// number whole; recorded when any does.
    pub fn export(&self, rows: u64, with_personal: u64) {
        if with_personal > 0 {
            self.noted().export = Some((rows, with_personal));
        }
    }

    /// The row to append for this response, if it disclosed anything.
    fn row(&self, request: &Request<'_>, status: u16) -> Option<AccessRow> {
        let noted = self.noted();
        if noted.codes.is_empty() && noted.export.is_none() {
            return None;
        }
        let caller = crate::api::guard::cached_caller(request)
            .or_else(|| crate::web::session::signed_in(request))?;
        let count = noted.export.map_or(noted.count, |(_, personal)| personal);
        Some(AccessRow {
            id: uuid::Uuid::now_v7().to_string(),
            at: timestamp_now(),
            request_id: super::requests::id_of(request).to_owned(),
            token_id: caller.token_id,
            token_name: caller.name,
            role: caller.role.as_str().to_owned(),
            scope: caller.scope.to_string(),
            method: request.method().as_str().to_owned(),
            route: super::requests::route_of(request),
            status: i32::from(status),
            codes: AccessRow::framed(noted.codes.iter().map(String::as_str)),
            code_count: i64::try_from(count).unwrap_or(i64::MAX),
            export_rows: noted
                .export
                .map(|(rows, _)| i64::try_from(rows).unwrap_or(i64::MAX)),
        })
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Disclosure {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        Outcome::Success(request.local_cache(Disclosure::default).clone())
    }
}

/// Appends the access-log row of `request` when its handler noted a disclosure (a
/// page refused with 422 still shows the asset whole); when the row cannot be written
/// the response becomes a 500 problem and its body is dropped.
pub async fn record<'r>(request: &'r Request<'_>, response: &mut Response<'r>) {
    let status = response.status().code;
    let Some(row) = request
        .local_cache(Disclosure::default)
        .row(request, status)
    else {
        return;
    };
    let written = match request.rocket().state::<Db>() {
        Some(db) => {
            db.run(move |conn| store::append(conn, &row).map_err(ApiError::from))
                .await
        }
        None => Err(ApiError::Internal("no database".to_owned())),
    };
    if let Err(error) = written {
        let cause = format!("the access log could not be written, answer withheld: {error:?}");
        match ApiError::Internal(cause).respond_to(request) {
            Ok(problem) => {
                response.remove_header("Content-Disposition");
                response.merge(problem);
            }
            Err(status) => {
                response.set_status(status);
            }
        }
    }
}

/// The routes that may disclose personal data, as a person reads them: `(method,
/// route, label)`. A route missing here is shown by its path.
pub const ROUTES: [(&str, &str, &str); 16] = [
    ("GET", "/api/v1/assets", "资产列表（接口）"),
    ("GET", "/api/v1/assets/<key>", "资产详情（接口）"),
    ("GET", "/api/v1/assets.csv", "导出台账 CSV"),
    ("GET", "/api/v1/assets.xlsx", "导出台账 Excel"),
    ("GET", "/api/v1/assets/<key>/ledger", "资产台账记录（接口）"),
    ("POST", "/api/v1/assets/<key>/ledger", "记录台账（接口）"),
    ("GET", "/api/v1/events", "变更流（接口）"),
    ("GET", "/api/v1/projects/<code>", "项目详情（接口）"),
    ("GET", "/api/v1/households/<id_number>", "分户收益（接口）"),
    ("GET", "/assets/<key>", "资产页面"),
    ("POST", "/assets/<key>/entries", "资产页面（记录未成）"),
    ("GET", "/households/<id_number>", "分户收益页面"),
    ("GET", "/api/v1/proposals", "审批事项列表（接口）"),
    ("GET", "/api/v1/proposals/<id>", "审批事项（接口）"),
    ("POST", "/api/v1/proposals/<id>/approve", "审批通过（接口）"),
    ("POST", "/api/v1/proposals/<id>/reject", "审批驳回（接口）"),
];

/// How a person reads the route `route` taken with `method`.
pub fn route_label<'a>(method: &str, route: &'a str) -> &'a str {
    ROUTES
        .iter()
        .find(|(m, r, _)| *m == method && *r == route)
        .map_or(route, |(_, _, label)| label)
}
