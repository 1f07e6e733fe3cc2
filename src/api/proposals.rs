//! Proposals over HTTP: the list and one proposal (clerks, auditors, approvers, within
//! their scope; readers none), and an approver's approval or rejection of its next
//! step, each with `Idempotency-Key`.

use rocket::form;
use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{get, post, State};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::ApiError;
use super::guard::{ApproveAccess, ReviewAccess};
use super::ledger::IdempotencyKey;
use super::params;
use super::views::Page;
use crate::approvals::decide::{decide, Decision};
use crate::approvals::notices::{NoticeRow, NoticeView};
use crate::approvals::proposals::{ProposalRow, ProposalStatus, ProposalView};
use crate::approvals::replies::{keyed_write, ChainLock, Keyed};
use crate::approvals::Level;
use crate::auth::{Caller, Visibility};
use crate::db::{Db, DbConnection};
use crate::domain::dates::today_in_china;
use crate::domain::Vocabulary;
use crate::ledger::entry::personal::personal_values;
use crate::observe::access::Disclosure;
use crate::paging::{Page as ListPage, TimeKey};
use crate::request::PageQuery;

/// `POST /proposals/{id}/approve`: the step to approve, when the caller names it.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveBody {
    /// `town` or `county`: must be the next pending step.
    pub step: Option<StepName>,
}

/// A step's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum StepName {
    /// 镇街审批.
    Town,
    /// 县级审批.
    County,
}

impl From<StepName> for Level {
    fn from(step: StepName) -> Self {
        match step {
            StepName::Town => Level::Town,
            StepName::County => Level::County,
        }
    }
}

/// `POST /proposals/{id}/reject`: why.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectBody {
    /// Why it is rejected (required, not blank).
    pub reason: String,
}

/// A proposal with its notices.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ProposalDetail {
    /// The proposal.
    #[serde(flatten)]
    pub proposal: ProposalView,
    /// Its notices (公示), oldest first.
    pub notices: Vec<NoticeView>,
}

/// A required text field, trimmed: 422 `required` when blank, `too_long` past 2,000
/// characters.
pub fn required_text(field: &'static str, label: &str, value: &str) -> Result<String, ApiError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(ApiError::Rule {
            status: Status::UnprocessableEntity,
            code: "required",
            field,
            detail: format!("缺少{label}（{field}）"),
        });
    }
    if value.chars().count() > 2000 {
        return Err(ApiError::Rule {
            status: Status::UnprocessableEntity,
            code: "too_long",
            field,
            detail: format!("{label}（{field}）超过 2000 字"),
        });
    }
    Ok(value.to_owned())
}

/// The reply of a write: its status and body.
pub fn reply((status, body): (u16, Value)) -> (Status, Json<Value>) {
    (Status::from_code(status).unwrap_or(Status::Ok), Json(body))
}

/// Runs `write` under `keyed` in one transaction holding the chain's lock as `lock`
/// says (a retry is answered as the first time was, see [`keyed_write`]) and answers
/// with its reply.
///
/// Fails when `write` refuses, the key was used before for another request, or the
/// database fails.
pub async fn run_keyed(
    db: &Db,
    keyed: Keyed,
    lock: ChainLock,
    write: impl FnOnce(&mut DbConnection) -> Result<(u16, Value), ApiError> + Send + 'static,
) -> Result<(Status, Json<Value>), ApiError> {
    db.run(move |conn| keyed_write(conn, &keyed, lock, write))
        .await
        .map(reply)
}

/// Notes on `disclosure` the asset of a proposal (as JSON) whose entry carries an ID or
/// phone number: the response shows it whole, so the access log records it.
fn disclose(disclosure: &Disclosure, proposal: &Value) {
    let kind = proposal["kind"].as_str().unwrap_or_default();
    if !personal_values(kind, &proposal["entry"]).is_empty() {
        if let Some(code) = proposal["asset_code"].as_str() {
            disclosure.asset(Visibility::Whole, code);
        }
    }
}

/// [`disclose`] for a proposal's view.
fn disclose_view(disclosure: &Disclosure, view: &ProposalView) {
    if !personal_values(&view.kind, &view.entry).is_empty() {
        disclosure.asset(Visibility::Whole, &view.asset_code);
    }
}

/// Proposals in the caller's scope, newest first, `?status=pending|approved|rejected`.
#[get("/proposals?<status>&<query..>")]
pub async fn list_proposals(
    caller: ReviewAccess,
    status: Option<&str>,
    query: form::Result<'_, PageQuery<TimeKey>>,
    disclosure: Disclosure,
    db: &State<Db>,
) -> Result<Json<Page<ProposalView>>, ApiError> {
    let query = query?;
    let status = match status {
        None | Some("") => None,
        Some(text) => Some(
            ProposalStatus::parse(text).ok_or_else(|| ApiError::BadParameter {
                parameter: "status".into(),
                detail: format!(
                    "status 应为 {}，收到“{text}”",
                    ProposalStatus::codes_listed()
                ),
            })?,
        ),
    };
    let scope = caller.0.scope;
    db.run(move |conn| {
        let page = ListPage::fetch(
            query.cursor(),
            query.limit(),
            |before, n| ProposalRow::list(conn, &scope, status, before.map(TimeKey::as_pair), n),
            |row| TimeKey::of(&row.proposed_at, &row.id),
        )?;
        let mut items = Vec::with_capacity(page.items.len());
        for row in &page.items {
            let view = row.view(conn)?;
            disclose_view(&disclosure, &view);
            items.push(view);
        }
        Ok(Json(Page::from(ListPage {
            items,
            next: page.next,
        })))
    })
    .await
}

/// One proposal in the caller's scope, with its notices.
#[get("/proposals/<id>")]
pub async fn get_proposal(
    caller: ReviewAccess,
    id: &str,
    disclosure: Disclosure,
    db: &State<Db>,
) -> Result<Json<ProposalDetail>, ApiError> {
    let id = params::key(id)?;
    let scope = caller.0.scope;
    db.run(move |conn| {
        let proposal = ProposalRow::find(conn, &scope, &id)?
            .ok_or_else(|| ApiError::NotFound(format!("没有 id 为“{id}”的审批事项")))?;
        let mut notices = Vec::new();
        for notice in NoticeRow::of_proposal(conn, &proposal.id)? {
            notices.push(notice.view(conn)?);
        }
        let view = proposal.view(conn)?;
        disclose_view(&disclosure, &view);
        Ok(Json(ProposalDetail {
            proposal: view,
            notices,
        }))
    })
    .await
}

/// Approves the next step of a proposal (the one named, which must be the next).
#[post("/proposals/<id>/approve", data = "<body>")]
pub async fn approve(
    caller: ApproveAccess,
    id: &str,
    idempotency: IdempotencyKey,
    disclosure: Disclosure,
    body: Json<ApproveBody>,
    db: &State<Db>,
) -> Result<(Status, Json<Value>), ApiError> {
    let id = params::key(id)?;
    let body = body.into_inner();
    let keyed = idempotency.for_body(
        &caller.0,
        &format!("POST /api/v1/proposals/{id}/approve"),
        &body,
    );
    let decision = Decision::Approve(body.step.map(Level::from));
    take_decision(db, caller.0, id, decision, keyed, &disclosure).await
}

/// Rejects a proposal at its next step, with a reason.
#[post("/proposals/<id>/reject", data = "<body>")]
pub async fn reject(
    caller: ApproveAccess,
    id: &str,
    idempotency: IdempotencyKey,
    disclosure: Disclosure,
    body: Json<RejectBody>,
    db: &State<Db>,
) -> Result<(Status, Json<Value>), ApiError> {
    let id = params::key(id)?;
    let body = body.into_inner();
    let reason = required_text("reason", "驳回理由", &body.reason)?;
    let keyed = idempotency.for_body(
        &caller.0,
        &format!("POST /api/v1/proposals/{id}/reject"),
        &body,
    );
    let decision = Decision::Reject(reason);
    take_decision(db, caller.0, id, decision, keyed, &disclosure).await
}

/// Takes `decision` on proposal `id` for the approver `caller` (answered again for a
/// retry of `keyed`): the reply, the proposal's ID or phone numbers noted on
/// `disclosure` (every role that sees proposals sees them whole).
async fn take_decision(
    db: &Db,
    caller: Caller,
    id: String,
    decision: Decision,
    keyed: Keyed,
    disclosure: &Disclosure,
) -> Result<(Status, Json<Value>), ApiError> {
    let answer = db
        .run(move |conn| {
            decide(conn, &caller, &id, &decision, &keyed, today_in_china()).map_err(ApiError::from)
        })
        .await?;
    disclose(disclosure, &answer.1);
    Ok(reply(answer))
}
