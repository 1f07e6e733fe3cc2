//! The forms of a proposal's page: approve and reject (approvers), record a notice, an
//! objection and its resolution (clerks); each redirects back to the proposal, or shows
//! it again with the refusal.

use std::collections::HashMap;

use rocket::form::Form;
use rocket::http::Status;
use rocket::outcome::try_outcome;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::Redirect;
use rocket::{post, State};
use serde_json::Value;

use super::{load, proposal_of_notice, proposal_page};
use crate::approvals::decide::{decide, Decision};
use crate::approvals::notices::{object, record_notice, resolve, NewNotice, NoticeRow};
use crate::approvals::replies::{answered, Keyed};
use crate::approvals::{refused, ApprovalSettings, Level, ProposalError};
use crate::auth::{Access, Caller};
use crate::db::{Db, DbConnection};
use crate::domain::dates::today_in_china;
use crate::domain::BusinessDate;
use crate::ledger::append::AppendError;
use crate::web::form_key;
use crate::web::pages::{internal, missing, require, PageError};
use crate::web::session::Session;
use crate::web::view::encode;

/// A form's fields by name.
type Fields = Form<HashMap<String, String>>;

/// How a form's write ended: whether it repeated a form already answered, and the
/// answer; or the refusal.
type Written = Result<(bool, (u16, Value)), ProposalError>;

/// What every form of a proposal's page works with: the signed-in session, the
/// register and the approval settings. Refused as the session is.
pub struct Desk<'r> {
    session: Session,
    db: &'r Db,
    settings: &'r ApprovalSettings,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Desk<'r> {
    type Error = ();
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        let session = try_outcome!(request.guard::<Session>().await);
        let db = try_outcome!(request.guard::<&State<Db>>().await);
        let settings = try_outcome!(request.guard::<&State<ApprovalSettings>>().await);
        Outcome::Success(Desk {
            session,
            db: db.inner(),
            settings: settings.inner(),
        })
    }
}

impl Desk<'_> {
    /// The notice `id` in the session's scope.
    ///
    /// Fails (404 page) when there is none.
    async fn notice(&self, id: &str) -> Result<NoticeRow, PageError> {
        proposal_of_notice(self.db, self.session.0.scope.clone(), id.to_owned()).await
    }

    /// Refuses a session without `access` (see [`require`]).
    fn require(&self, access: Access) -> Result<(), PageError> {
        require(&self.session, access)
    }

    /// Runs `write` as the session's caller, keyed by the form's one-time key (see
    /// [`form_key`]) on `route` and the form's other fields: a form posted again is
    /// answered as the first time and writes nothing. Its outcome, and whether it was
    /// such a repeat, for [`Desk::after_write`]. A form without a key runs unkeyed (a
    /// second post is then refused by the rules).
    ///
    /// Fails when the key is malformed or no connection is free.
    async fn run(
        &self,
        form: &HashMap<String, String>,
        route: String,
        write: impl FnOnce(&mut DbConnection, &Caller, &Keyed) -> Result<(u16, Value), ProposalError>
            + Send
            + 'static,
    ) -> Result<Written, PageError> {
        let key = form_key::checked(form.get(form_key::FIELD).map(String::as_str))?;
        let caller = self.session.0.clone();
        let keyed = Keyed::of_caller(key, &caller, &route, &form_key::canonical(form));
        self.db
            .run(move |conn| {
                let repeated = answered(conn, &keyed).map_err(internal)?;
                Ok::<_, PageError>(write(conn, &caller, &keyed).map(|answer| (repeated, answer)))
            })
            .await
    }

    /// Redirects to the proposal after a write that succeeded, else shows the proposal
    /// page with the refusal.
    async fn after_write(
        &self,
        proposal_id: String,
        done: &str,
        outcome: Written,
    ) -> Result<Redirect, PageError> {
        let message = match outcome {
            Ok((repeated, _)) => {
                let done = if repeated {
                    form_key::REPEATED_DONE
                } else {
                    done
                };
                return Ok(Redirect::to(format!(
                    "/proposals/{}?done={done}",
                    encode(&proposal_id)
                )));
            }
            Err(ProposalError::Append(AppendError::IdempotencyKeyReused)) => {
                form_key::REUSED.to_owned()
            }
            Err(ProposalError::NotFound(_)) => {
                return Err(missing("没有这个审批事项。", "/proposals"))
            }
            Err(ProposalError::Refused { message, .. }) => message,
            Err(ProposalError::Append(AppendError::Rule { message, .. })) => message,
            // A busy database (the chain's lock not granted in time) is a page of its own.
            Err(ProposalError::Db(e) | ProposalError::Append(AppendError::Db(e))) => {
                return Err(e.into())
            }
            Err(other) => return Err(internal(other)),
        };
        let view = load(self.db, self.session.0.scope.clone(), proposal_id).await?;
        Err(PageError::page(
            Status::UnprocessableEntity,
            proposal_page(
                &self.session.0,
                &view,
                Some((false, &format!("未完成：{message}"))),
                self.settings.notice_days,
            ),
        ))
    }
}

/// The form field `name`, trimmed, or the refusal `missing` when it is empty.
fn required(form: &Fields, name: &'static str, missing: &str) -> Result<String, ProposalError> {
    let value = field(form, name);
    if value.is_empty() {
        Err(refused(422, "required", name, missing))
    } else {
        Ok(value)
    }
}

/// A form field, trimmed (empty when missing).
fn field(values: &HashMap<String, String>, name: &str) -> String {
    values
        .get(name)
        .map(|v| v.trim().to_owned())
        .unwrap_or_default()
}

/// Approves the next step (approvers).
#[post("/proposals/<id>/approve", data = "<form>")]
pub async fn approve(desk: Desk<'_>, id: &str, form: Fields) -> Result<Redirect, PageError> {
    let step = Level::parse(&field(&form, "step"));
    let approve = Ok(Decision::Approve(step));
    take_decision(&desk, id, &form, ("approve", "approved"), approve).await
}

/// Rejects the proposal (approvers).
#[post("/proposals/<id>/reject", data = "<form>")]
pub async fn reject(desk: Desk<'_>, id: &str, form: Fields) -> Result<Redirect, PageError> {
    let reason = required(&form, "reason", "缺少驳回理由（reason）");
    let reject = reason.map(Decision::Reject);
    take_decision(&desk, id, &form, ("reject", "rejected"), reject).await
}

/// Takes `decision` on proposal `id` from its form posted to `action` (`approve`,
/// `reject`) for an approver; then redirects to the proposal saying `done`, or shows it
/// with the refusal (also when `decision` is itself a refusal, and then nothing runs).
///
/// Fails (403 page) for a session that may not approve, or when the key is malformed or
/// no connection is free.
async fn take_decision(
    desk: &Desk<'_>,
    id: &str,
    form: &Fields,
    (action, done): (&str, &str),
    decision: Result<Decision, ProposalError>,
) -> Result<Redirect, PageError> {
    desk.require(Access::Approve)?;
    let outcome = match decision {
        Ok(decision) => {
            let (target, route) = (id.to_owned(), format!("POST /proposals/{id}/{action}"));
            desk.run(form, route, move |conn, caller, keyed| {
                decide(conn, caller, &target, &decision, keyed, today_in_china())
            })
            .await?
        }
        Err(refusal) => Err(refusal),
    };
    desk.after_write(id.to_owned(), done, outcome).await
}

/// Records a notice of the proposal (clerks).
#[post("/proposals/<id>/notices", data = "<form>")]
pub async fn create_notice(desk: Desk<'_>, id: &str, form: Fields) -> Result<Redirect, PageError> {
    desk.require(Access::Write)?;
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
            let route = format!("POST /proposals/{id}/notices");
            desk.run(&form, route, move |conn, caller, keyed| {
                record_notice(conn, &caller.scope, &caller.name, &new, keyed)
            })
            .await?
        }
    };
    desk.after_write(id, "notice", outcome).await
}

/// Records an objection to a notice (clerks).
#[post("/notices/<id>/objections", data = "<form>")]
pub async fn create_objection(
    desk: Desk<'_>,
    id: &str,
    form: Fields,
) -> Result<Redirect, PageError> {
    let route = format!("POST /notices/{id}/objections");
    let text = ("text", "缺少异议内容");
    notice_write(
        &desk,
        id,
        &form,
        text,
        (route, "objection"),
        |conn, caller, keyed, notice, text| {
            object(conn, &caller.scope, &caller.name, notice, &text, keyed)
        },
    )
    .await
}

/// Resolves an objection (clerks).
#[post("/notices/<id>/objections/<n>/resolve", data = "<form>")]
pub async fn resolve_objection(
    desk: Desk<'_>,
    id: &str,
    n: i64,
    form: Fields,
) -> Result<Redirect, PageError> {
    let route = format!("POST /notices/{id}/objections/{n}/resolve");
    let resolution = ("resolution", "缺少处理结果");
    notice_write(
        &desk,
        id,
        &form,
        resolution,
        (route, "resolved"),
        move |conn, caller, keyed, notice, text| {
            let (scope, name) = (&caller.scope, &caller.name);
            resolve(conn, scope, name, notice, n, &text, keyed)
        },
    )
    .await
}

/// Runs `write` on notice `id` for a clerk, given the id of the notice and the form's
/// field `name` (trimmed), under the form's key on `route`; then redirects to the
/// notice's proposal saying `done`, or shows it with the refusal. When the field is
/// empty nothing runs and the refusal is `missing`.
///
/// Fails (403 page) for a session that may not write, (404 page) when the notice is not
/// in the session's scope, or when the key is malformed or no connection is free.
async fn notice_write(
    desk: &Desk<'_>,
    id: &str,
    form: &Fields,
    (name, missing): (&'static str, &str),
    (route, done): (String, &str),
    write: impl FnOnce(
            &mut DbConnection,
            &Caller,
            &Keyed,
            &str,
            String,
        ) -> Result<(u16, Value), ProposalError>
        + Send
        + 'static,
) -> Result<Redirect, PageError> {
    desk.require(Access::Write)?;
    let notice = desk.notice(id).await?;
    let outcome = match required(form, name, missing) {
        Ok(value) => {
            let notice_id = notice.id.clone();
            desk.run(form, route, move |conn, caller, keyed| {
                write(conn, caller, keyed, &notice_id, value)
            })
            .await?
        }
        Err(refusal) => Err(refusal),
    };
    desk.after_write(notice.proposal_id, done, outcome).await
}
