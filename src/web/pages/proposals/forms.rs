//! The forms of a proposal's page: approve and reject (approvers), record a notice, an
//! objection and its resolution (clerks); each redirects back to the proposal, or shows
//! it again with the refusal.

use std::collections::HashMap;

use rocket::form::Form;
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{post, State};
use serde_json::Value;

use super::{load, proposal_of_notice, proposal_page};
use crate::approvals::decide::{decide, Decision};
use crate::approvals::notices::{object, record_notice, resolve, NewNotice};
use crate::approvals::replies::Keyed;
use crate::approvals::{refused, ApprovalSettings, Level, ProposalError};
use crate::auth::{Access, Caller};
use crate::db::{Db, DbConnection};
use crate::domain::dates::today_in_china;
use crate::domain::BusinessDate;
use crate::ledger::append::AppendError;
use crate::web::pages::{internal, missing, require, PageError};
use crate::web::session::Session;
use crate::web::view::encode;

/// A write from a form: redirects to the proposal on success, else the proposal page
/// with the refusal.
async fn after_write(
    session: &Session,
    db: &Db,
    settings: &ApprovalSettings,
    proposal_id: String,
    done: &str,
    outcome: Result<(u16, Value), ProposalError>,
) -> Result<Redirect, PageError> {
    let message = match outcome {
        Ok(_) => {
            return Ok(Redirect::to(format!(
                "/proposals/{}?done={done}",
                encode(&proposal_id)
            )))
        }
        Err(ProposalError::NotFound(_)) => return Err(missing("没有这个审批事项。", "/proposals")),
        Err(ProposalError::Refused { message, .. }) => message,
        Err(ProposalError::Append(AppendError::Rule { message, .. })) => message,
        Err(other) => return Err(internal(other)),
    };
    let view = load(db, session.0.scope.clone(), proposal_id).await?;
    Err(PageError::page(
        Status::UnprocessableEntity,
        proposal_page(
            &session.0,
            &view,
            Some((false, &format!("未完成：{message}"))),
            settings.notice_days,
        ),
    ))
}

/// A form field, trimmed (empty when missing).
fn field(values: &HashMap<String, String>, name: &str) -> String {
    values
        .get(name)
        .map(|v| v.trim().to_owned())
        .unwrap_or_default()
}

/// Runs `write` as the session's caller, with no idempotency key (a form posted twice
/// is refused the second time by the rules): its outcome, for [`after_write`].
///
/// Fails only when no connection is free.
async fn run_write(
    db: &Db,
    session: &Session,
    write: impl FnOnce(&mut DbConnection, &Caller, &Keyed) -> Result<(u16, Value), ProposalError>
        + Send
        + 'static,
) -> Result<Result<(u16, Value), ProposalError>, PageError> {
    let caller = session.0.clone();
    db.run(move |conn| Ok::<_, PageError>(write(conn, &caller, &Keyed::new(None, "", ""))))
        .await
}

/// Approves the next step (approvers).
#[post("/proposals/<id>/approve", data = "<form>")]
pub async fn approve(
    session: Session,
    id: &str,
    form: Form<HashMap<String, String>>,
    db: &State<Db>,
    settings: &State<ApprovalSettings>,
) -> Result<Redirect, PageError> {
    require(&session, Access::Approve)?;
    let step = Level::parse(&field(&form, "step"));
    let target = id.to_owned();
    let outcome = run_write(db, &session, move |conn, caller, keyed| {
        let approve = Decision::Approve(step);
        decide(conn, caller, &target, &approve, keyed, today_in_china())
    })
    .await?;
    after_write(&session, db, settings, id.to_owned(), "approved", outcome).await
}

/// Rejects the proposal (approvers).
#[post("/proposals/<id>/reject", data = "<form>")]
pub async fn reject(
    session: Session,
    id: &str,
    form: Form<HashMap<String, String>>,
    db: &State<Db>,
    settings: &State<ApprovalSettings>,
) -> Result<Redirect, PageError> {
    require(&session, Access::Approve)?;
    let reason = field(&form, "reason");
    let target = id.to_owned();
    let outcome = if reason.is_empty() {
        Err(refused(422, "required", "reason", "缺少驳回理由（reason）"))
    } else {
        run_write(db, &session, move |conn, caller, keyed| {
            let reject = Decision::Reject(reason);
            decide(conn, caller, &target, &reject, keyed, today_in_china())
        })
        .await?
    };
    after_write(&session, db, settings, id.to_owned(), "rejected", outcome).await
}

/// Records a notice of the proposal (clerks).
#[post("/proposals/<id>/notices", data = "<form>")]
pub async fn create_notice(
    session: Session,
    id: &str,
    form: Form<HashMap<String, String>>,
    db: &State<Db>,
    settings: &State<ApprovalSettings>,
) -> Result<Redirect, PageError> {
    require(&session, Access::Write)?;
    let place = field(&form, "place");
    let starts_on = BusinessDate::parse_iso(&field(&form, "starts_on"));
    let days = field(&form, "days")
        .parse::<u32>()
        .ok()
        .filter(|d| (1..=365).contains(d));
    let id = id.to_owned();
    let outcome = match (place.is_empty(), starts_on, days) {
        (true, _, _) => Err(refused(422, "required", "place", "缺少公示地点")),
        (_, Err(_), _) => Err(refused(
            422,
            "invalid_date",
            "starts_on",
            "公示起始日期无效",
        )),
        (_, _, None) => Err(refused(
            422,
            "invalid_value",
            "days",
            "公示天数应为 1 至 365",
        )),
        (false, Ok(starts_on), Some(days)) => {
            let new = NewNotice {
                proposal_id: id.clone(),
                place,
                starts_on,
                days,
            };
            run_write(db, &session, move |conn, caller, keyed| {
                record_notice(conn, &caller.scope, &caller.name, &new, keyed)
            })
            .await?
        }
    };
    after_write(&session, db, settings, id, "notice", outcome).await
}

/// Records an objection to a notice (clerks).
#[post("/notices/<id>/objections", data = "<form>")]
pub async fn create_objection(
    session: Session,
    id: &str,
    form: Form<HashMap<String, String>>,
    db: &State<Db>,
    settings: &State<ApprovalSettings>,
) -> Result<Redirect, PageError> {
    require(&session, Access::Write)?;
    let notice = proposal_of_notice(db, session.0.scope.clone(), id.to_owned()).await?;
    let text = field(&form, "text");
    let outcome = if text.is_empty() {
        Err(refused(422, "required", "text", "缺少异议内容"))
    } else {
        let notice_id = notice.id.clone();
        run_write(db, &session, move |conn, caller, keyed| {
            object(conn, &caller.scope, &caller.name, &notice_id, &text, keyed)
        })
        .await?
    };
    after_write(
        &session,
        db,
        settings,
        notice.proposal_id,
        "objection",
        outcome,
    )
    .await
}

/// Resolves an objection (clerks).
#[post("/notices/<id>/objections/<n>/resolve", data = "<form>")]
pub async fn resolve_objection(
    session: Session,
    id: &str,
    n: i64,
    form: Form<HashMap<String, String>>,
    db: &State<Db>,
    settings: &State<ApprovalSettings>,
) -> Result<Redirect, PageError> {
    require(&session, Access::Write)?;
    let notice = proposal_of_notice(db, session.0.scope.clone(), id.to_owned()).await?;
    let resolution = field(&form, "resolution");
    let outcome = if resolution.is_empty() {
        Err(refused(422, "required", "resolution", "缺少处理结果"))
    } else {
        let notice_id = notice.id.clone();
        run_write(db, &session, move |conn, caller, keyed| {
            let (scope, name) = (&caller.scope, &caller.name);
            resolve(conn, scope, name, &notice_id, n, &resolution, keyed)
        })
        .await?
    };
    after_write(
        &session,
        db,
        settings,
        notice.proposal_id,
        "resolved",
        outcome,
    )
    .await
}
