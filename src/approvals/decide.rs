//! Deciding a step of a proposal: who may take which step, in which order, the notice
//! that must have run first, and the append of the entry when the last step approves.
//! Each decision holds the chain's lock from its first read to its commit, so that two
//! servers deciding the same step at once answer one each: the one that came first
//! decides, the other finds the step taken.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde_json::{json, Value};

use super::notices::{gate, NoticeGate};
use super::policy::Level;
use super::proposals::{ProposalRow, ProposalStatus};
use super::replies::{keyed_write, ChainLock, Keyed};
use super::{check_text, refused, ProposalError};
use crate::auth::Caller;
use crate::db::schema::{proposal_decisions, proposals};
use crate::db::DbConnection;
use crate::domain::dates::timestamp_now;
use crate::domain::{Scope, Vocabulary};
use crate::ledger::append::{append_within, AppendOutcome, AppendRequest};
use crate::ledger::entry::kinds::Approval;
use crate::ledger::entry::{parse_kept_entry, EntryKind};
use crate::register::query::find_asset;

/// A decision asked for.
#[derive(Debug, Clone)]
pub enum Decision {
    /// Approve the next step (or the step named, which must be the next).
    Approve(Option<Level>),
    /// Reject the proposal at its next step.
    Reject(String),
}

/// Whether a caller with `scope` may take `level` of a proposal on an asset in `town`.
pub fn can_take(scope: &Scope, level: Level, town: &str) -> bool {
    match (level, scope) {
        (_, Scope::County) => true,
        (Level::Town, Scope::Town(own)) => own == town,
        _ => false,
    }
}

/// Decides the next step of the proposal `id` as `caller`, on `today` (China time):
/// the proposal as it then stands, 200.
///
/// Fails with 404 when the proposal is not in the caller's scope; 409
/// `proposal_decided` when it is no longer pending; 403 `own_proposal` for its
/// proposer; 409 `wrong_step` for a step that is not the next or one the caller's scope
/// cannot take; 422 `same_approver` for a person who approved an earlier step; 422
/// `notice_required`, `notice_period_not_elapsed` or `objection_open` when the last
/// approval of a disposal or distribution comes before its notice has run clear; with
/// the ledger's refusal when the entry no longer passes its rules. Nothing is written
/// then.
pub fn decide(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    decision: &Decision,
    keyed: &Keyed,
    today: NaiveDate,
) -> Result<(u16, Value), ProposalError> {
    if let Decision::Reject(reason) = decision {
        check_text("reason", "驳回理由", reason)?;
    }
    // Set only by a decision that runs (not by a replay) and appends.
    let mut appended = false;
    let reply = keyed_write(conn, keyed, ChainLock::Always, |conn| {
        let proposal = ProposalRow::find(conn, &caller.scope, id)?
            .ok_or_else(|| ProposalError::NotFound(format!("没有 id 为“{id}”的审批事项")))?;
        let (decided, appends) = decide_locked(conn, caller, &proposal, decision, today)?;
        appended = appends;
        Ok::<_, ProposalError>((200, json!(decided.view(conn)?)))
    })?;
    if appended {
        crate::observe::metrics::METRICS.ledger_append();
    }
    Ok(reply)
}

/// [`decide`] once the lock is held and the proposal found: the proposal after the
/// decision, and whether an entry was appended.
fn decide_locked(
    conn: &mut DbConnection,
    caller: &Caller,
    proposal: &ProposalRow,
    decision: &Decision,
    today: NaiveDate,
) -> Result<(ProposalRow, bool), ProposalError> {
    let status = proposal.status();
    if status != ProposalStatus::Pending {
        return Err(refused(
            409,
            "proposal_decided",
            "",
            format!("此事项{}，不能再审批", status.label()),
        ));
    }
    if caller.name == proposal.proposed_by {
        return Err(refused(
            403,
            "own_proposal",
            "",
            format!("“{}”是此事项的提出人，不能审批自己的提议", caller.name),
        ));
    }
    let decisions = proposal.decisions(conn)?;
    let levels = proposal.levels();
    let Some(next) = levels
        .iter()
        .copied()
        .find(|l| !decisions.iter().any(|d| d.step == l.as_str()))
    else {
        return Err(refused(
            409,
            "proposal_decided",
            "",
            "此事项已无待审批的步骤",
        ));
    };
    if let Decision::Approve(Some(asked)) = decision {
        if *asked != next {
            return Err(refused(
                409,
                "wrong_step",
                "step",
                format!("当前待审批的步骤是{}，不是{}", next.label(), asked.label()),
            ));
        }
    }
    let town = find_asset(conn, &Scope::County, &proposal.asset_id)?
        .map(|asset| asset.town)
        .unwrap_or_default();
    if !can_take(&caller.scope, next, &town) {
        let needed = match next {
            Level::Town => format!("镇街“{town}”或全县范围"),
            Level::County => "全县范围".to_owned(),
        };
        return Err(refused(
            409,
            "wrong_step",
            "step",
            format!(
                "当前待审批的步骤是{}，需要{needed}的审批人；此令牌的范围是{}",
                next.label(),
                caller.scope.label()
            ),
        ));
    }
    let now = timestamp_now();
    let (approved, reason) = match decision {
        Decision::Reject(reason) => (false, Some(reason.clone())),
        Decision::Approve(_) => {
            if let Some(earlier) = decisions.iter().find(|d| d.decided_by == caller.name) {
                return Err(refused(
                    422,
                    "same_approver",
                    "",
                    format!(
                        "“{}”已审批此事项的{}，同一人不能审批两个步骤",
                        caller.name,
                        Level::parse(&earlier.step).map_or("", Level::label)
                    ),
                ));
            }
            (true, None)
        }
    };
    let last = levels.last() == Some(&next);
    let mut entry_seq = None;
    if approved && last {
        let kind = EntryKind::parse(&proposal.kind);
        if matches!(
            kind,
            Some(EntryKind::Disposed | EntryKind::IncomeDistributed)
        ) {
            match gate(conn, &proposal.id, today)? {
                NoticeGate::Clear => {}
                NoticeGate::Refused(error) => return Err(error),
            }
        }
        let mut approvals: Vec<Approval> = decisions
            .iter()
            .filter(|d| d.approved == 1)
            .map(|d| Approval {
                level: d.step.clone(),
                by: d.decided_by.clone(),
                at: d.decided_at.clone(),
            })
            .collect();
        approvals.push(Approval {
            level: next.as_str().to_owned(),
            by: caller.name.clone(),
            at: now.clone(),
        });
        entry_seq = Some(append_approved(conn, proposal, approvals)?);
    }
    diesel::insert_into(proposal_decisions::table)
        .values((
            proposal_decisions::proposal_id.eq(&proposal.id),
            proposal_decisions::step.eq(next.as_str()),
            proposal_decisions::approved.eq(i32::from(approved)),
            proposal_decisions::decided_by.eq(&caller.name),
            proposal_decisions::decided_at.eq(&now),
            proposal_decisions::reason.eq(&reason),
        ))
        .execute(conn)?;
    let new_status = match (approved, last) {
        (false, _) => Some(ProposalStatus::Rejected),
        (true, true) => Some(ProposalStatus::Approved),
        (true, false) => None,
    };
    if let Some(new_status) = new_status {
        diesel::update(proposals::table.find(&proposal.id))
            .set((
                proposals::status.eq(new_status.as_str()),
                proposals::decided_at.eq(Some(&now)),
                proposals::entry_seq.eq(entry_seq),
            ))
            .execute(conn)?;
    }
    let row = ProposalRow::find(conn, &Scope::County, &proposal.id)?
        .ok_or_else(|| ProposalError::NotFound(proposal.id.clone()))?;
    Ok((row, entry_seq.is_some()))
}

/// Appends the approved entry with its `approvals`, dated as proposed, through the
/// ledger's own append (chain, projection, figures): its `seq`.
///
/// Fails with the ledger's refusal when it no longer passes the rules.
fn append_approved(
    conn: &mut DbConnection,
    proposal: &ProposalRow,
    approvals: Vec<Approval>,
) -> Result<i64, ProposalError> {
    let body: Value = serde_json::from_str(&proposal.body)
        .map_err(|e| ProposalError::Malformed(e.to_string()))?;
    let mut entry = parse_kept_entry(&body).map_err(|errors| {
        let message = errors
            .iter()
            .map(|e| e.message.as_str())
            .collect::<Vec<_>>()
            .join("；");
        refused(422, "invalid_entry", "", message)
    })?;
    entry.data.set_approvals(approvals);
    let request = AppendRequest {
        asset: proposal.asset_id.clone(),
        scope: Scope::County,
        entry,
        actor: proposal.proposed_by.clone(),
        idempotency_key: None,
        canonical_body: proposal.body.clone(),
    };
    match append_within(conn, &request)? {
        AppendOutcome::Created(row) | AppendOutcome::Replayed(row) => Ok(row.seq),
    }
}
