//! Notices (公示) over HTTP: a clerk records a notice of a pending proposal, objections
//! to it, and their resolution, each with `Idempotency-Key`.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{post, State};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::ApiError;
use super::guard::WriteAccess;
use super::ledger::IdempotencyKey;
use super::params;
use super::proposals::{reply, required_text};
use crate::approvals::notices::{object, record_notice, resolve, NewNotice};
use crate::approvals::replies::Keyed;
use crate::approvals::{ApprovalSettings, ProposalError};
use crate::auth::Caller;
use crate::db::{Db, DbConnection};
use crate::domain::dates::DateError;
use crate::domain::BusinessDate;

/// `POST /notices`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeBody {
    /// The pending proposal it makes public.
    pub proposal_id: String,
    /// Where it was posted (村务公开栏…).
    pub place: String,
    /// Its first day, YYYY-MM-DD (may be earlier than today).
    pub starts_on: String,
    /// How many days it runs, 1–365 (default: the setting `notice_days`).
    pub days: Option<u32>,
}

/// `POST /notices/{id}/objections`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectionBody {
    /// What is objected.
    pub text: String,
}

/// `POST /notices/{id}/objections/{n}/resolve`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolutionBody {
    /// How it was resolved.
    pub resolution: String,
}

fn invalid(field: &'static str, code: &'static str, detail: String) -> ApiError {
    ApiError::Rule {
        status: Status::UnprocessableEntity,
        code,
        field,
        detail,
    }
}

/// Records a notice of a pending proposal: 201.
#[post("/notices", data = "<body>")]
pub async fn create_notice(
    caller: WriteAccess,
    idempotency: IdempotencyKey,
    body: Json<NoticeBody>,
    settings: &State<ApprovalSettings>,
    db: &State<Db>,
) -> Result<(Status, Json<Value>), ApiError> {
    let body = body.into_inner();
    let place = required_text("place", "公示地点", &body.place)?;
    let starts_on = BusinessDate::parse_iso(body.starts_on.trim()).map_err(|e| {
        let why = match e {
            DateError::Malformed => "应为 YYYY-MM-DD".to_owned(),
            DateError::OutOfRange => DateError::range(),
        };
        invalid(
            "starts_on",
            "invalid_date",
            format!("公示起始日期“{}”无效：{why}", body.starts_on),
        )
    })?;
    let days = body.days.unwrap_or(settings.notice_days);
    if !(1..=365).contains(&days) {
        return Err(invalid(
            "days",
            "invalid_value",
            format!("公示天数应为 1 至 365，收到 {days}"),
        ));
    }
    let keyed = idempotency.for_body(&caller.0, "POST /api/v1/notices", &body);
    let new = NewNotice {
        proposal_id: params::key(&body.proposal_id)?,
        place,
        starts_on,
        days,
    };
    keyed_reply(db, caller.0, keyed, move |conn, caller, keyed| {
        record_notice(conn, &caller.scope, &caller.name, &new, keyed)
    })
    .await
}

/// Runs `write` for the clerk `caller` under `keyed` (a retry is answered as the first
/// time was) and answers with its reply.
///
/// Fails when `write` refuses or the database fails.
async fn keyed_reply(
    db: &Db,
    caller: Caller,
    keyed: Keyed,
    write: impl FnOnce(&mut DbConnection, &Caller, &Keyed) -> Result<(u16, Value), ProposalError>
        + Send
        + 'static,
) -> Result<(Status, Json<Value>), ApiError> {
    db.run(move |conn| write(conn, &caller, &keyed).map_err(ApiError::from))
        .await
        .map(reply)
}

/// Records an objection to a notice: 201.
#[post("/notices/<id>/objections", data = "<body>")]
pub async fn create_objection(
    caller: WriteAccess,
    id: &str,
    idempotency: IdempotencyKey,
    body: Json<ObjectionBody>,
    db: &State<Db>,
) -> Result<(Status, Json<Value>), ApiError> {
    let id = params::key(id)?;
    let body = body.into_inner();
    let text = required_text("text", "异议内容", &body.text)?;
    let keyed = idempotency.for_body(
        &caller.0,
        &format!("POST /api/v1/notices/{id}/objections"),
        &body,
    );
    keyed_reply(db, caller.0, keyed, move |conn, caller, keyed| {
        object(conn, &caller.scope, &caller.name, &id, &text, keyed)
    })
    .await
}

/// Resolves an objection: 200.
#[post("/notices/<id>/objections/<n>/resolve", data = "<body>")]
pub async fn resolve_objection(
    caller: WriteAccess,
    id: &str,
    n: &str,
    idempotency: IdempotencyKey,
    body: Json<ResolutionBody>,
    db: &State<Db>,
) -> Result<(Status, Json<Value>), ApiError> {
    let id = params::key(id)?;
    let n: i64 = n
        .parse()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| ApiError::NotFound(format!("此公示没有第 {n} 条异议")))?;
    let body = body.into_inner();
    let resolution = required_text("resolution", "处理结果", &body.resolution)?;
    let keyed = idempotency.for_body(
        &caller.0,
        &format!("POST /api/v1/notices/{id}/objections/{n}/resolve"),
        &body,
    );
    keyed_reply(db, caller.0, keyed, move |conn, caller, keyed| {
        let (scope, name) = (&caller.scope, &caller.name);
        resolve(conn, scope, name, &id, n, &resolution, keyed)
    })
    .await
}
