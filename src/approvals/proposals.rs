//! Proposals: made from an append request of a kind that waits for approval, checked
//! against the ledger's rules first (nothing is written to the ledger), listed and read
//! within the caller's scope.

use diesel::prelude::*;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{json, Value};

use super::policy::{steps_of, steps_text, Level};
use super::replies::{keyed_write, ChainLock, Keyed};
use super::waits::corrected_kind;
use super::ProposalError;
use crate::db::pool::DbBackend;
use crate::db::schema::{proposal_decisions, proposals};
use crate::db::seek::newest_first;
use crate::db::DbConnection;
use crate::domain::codes::could_be_key;
use crate::domain::dates::timestamp_now;
use crate::domain::vocabulary::closed_vocabulary;
use crate::domain::{Scope, Spelling, Vocabulary};
use crate::ledger::append::{check_append, AppendError, AppendRequest};
use crate::ledger::entry::{EntryKind, EntryRequest};
use crate::register::query::find_asset;
use crate::register::scope::{asset_sql, narrowed};

/// A proposal as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = proposals)]
pub struct ProposalRow {
    /// UUID.
    pub id: String,
    /// The asset's id.
    pub asset_id: String,
    /// The asset's code.
    pub asset_code: String,
    /// The entry's kind.
    pub kind: String,
    /// The entry's date.
    pub occurred_on: String,
    /// The append request as sent (canonical JSON).
    pub body: String,
    /// Its steps, `town,county`.
    pub steps: String,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    /// The proposer's token name.
    pub proposed_by: String,
    /// When it was proposed.
    pub proposed_at: String,
    /// When its last step approved or a step rejected it.
    pub decided_at: Option<String>,
    /// The entry the last approval appended.
    pub entry_seq: Option<i64>,
}

/// A decision on one step, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = proposal_decisions)]
pub struct DecisionRow {
    /// The proposal.
    pub proposal_id: String,
    /// The step: `town` or `county`.
    pub step: String,
    /// 1 approved, 0 rejected.
    pub approved: i32,
    /// The approver's token name.
    pub decided_by: String,
    /// When.
    pub decided_at: String,
    /// Why it was rejected.
    pub reason: Option<String>,
}

closed_vocabulary! {
    /// Where a proposal stands.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum ProposalStatus {
        /// Waiting for a step.
        Pending => Spelling::new("pending", "待审批"),
        /// Every step approved; the entry is in the ledger.
        Approved => Spelling::new("approved", "已通过"),
        /// A step rejected it.
        Rejected => Spelling::new("rejected", "已驳回"),
    }
}

/// One step of a proposal as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct StepView {
    /// `town` or `county`.
    pub level: String,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    /// Who decided it.
    pub by: Option<String>,
    /// When (RFC 3339).
    pub at: Option<String>,
    /// Why it was rejected.
    pub reason: Option<String>,
}

/// A proposal as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ProposalView {
    /// Its id.
    pub id: String,
    /// The asset's code.
    pub asset_code: String,
    /// The entry's kind.
    pub kind: String,
    /// The entry's date: the appended entry keeps it.
    pub occurred_on: String,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    /// Its steps in order.
    pub steps: Vec<StepView>,
    /// The step that decides next, while pending.
    pub next_step: Option<String>,
    /// The proposer's token name.
    pub proposed_by: String,
    /// When it was proposed (RFC 3339).
    pub proposed_at: String,
    /// When it was decided.
    pub decided_at: Option<String>,
    /// The ledger entry its last approval appended.
    pub entry_seq: Option<i64>,
    /// For a correction, the kind of the entry it finally corrects, whose steps it
    /// waits for (`disposed`…); `null` otherwise.
    pub corrects_kind: Option<String>,
    /// The append request as sent.
    pub entry: Value,
}

impl ProposalView {
    /// What it proposes as people read it: 处置, or for a correction 更正（处置）.
    pub fn label(&self) -> String {
        label_of(
            &self.kind,
            self.corrects_kind.as_deref().and_then(EntryKind::parse),
        )
    }
}

/// The label of a proposal of `kind`, naming for a correction the kind it corrects:
/// 更正（处置）.
pub fn label_of(kind: &str, corrects: Option<EntryKind>) -> String {
    let label = EntryKind::parse(kind).map_or("其他", EntryKind::label);
    match corrects {
        Some(corrected) => format!("{label}（{}）", corrected.label()),
        None => label.to_owned(),
    }
}

/// The answer to an append that waits for approval: 202.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ProposalCreated {
    /// The proposal's id.
    pub proposal_id: String,
    /// `pending`.
    pub status: String,
    /// Its steps in order: `town`, `county`.
    pub steps: Vec<String>,
}

impl ProposalRow {
    /// Its steps.
    pub fn levels(&self) -> Vec<Level> {
        steps_of(&self.steps)
    }

    /// Its status (pending for anything unknown, which no code writes).
    pub fn status(&self) -> ProposalStatus {
        ProposalStatus::parse(&self.status).unwrap_or(ProposalStatus::Pending)
    }

    /// The proposal `id`, when it is in `scope`.
    ///
    /// Fails when the query fails.
    pub fn find(conn: &mut DbConnection, scope: &Scope, id: &str) -> QueryResult<Option<Self>> {
        if !could_be_key(id) {
            return Ok(None);
        }
        let query = proposals::table
            .filter(proposals::id.eq(id.to_owned()))
            .select(ProposalRow::as_select())
            .into_boxed::<DbBackend>();
        narrowed(query, in_scope(scope)).first(conn).optional()
    }

    /// Up to `limit` proposals in `scope` (of `status`, when given), newest first,
    /// after `before` (`proposed_at`, `id`).
    ///
    /// Fails when the query fails.
    pub fn list(
        conn: &mut DbConnection,
        scope: &Scope,
        status: Option<ProposalStatus>,
        before: Option<(&str, &str)>,
        limit: i64,
    ) -> QueryResult<Vec<Self>> {
        let query = proposals::table
            .select(ProposalRow::as_select())
            .into_boxed::<DbBackend>();
        let mut query = narrowed(query, in_scope(scope));
        if let Some(status) = status {
            query = query.filter(proposals::status.eq(status.as_str()));
        }
        newest_first!(query, proposals, proposed_at, id, before, limit).load(conn)
    }

    /// The pending proposals of the asset `asset_id`, oldest first.
    ///
    /// Fails when the query fails.
    pub fn pending_of_asset(conn: &mut DbConnection, asset_id: &str) -> QueryResult<Vec<Self>> {
        proposals::table
            .filter(proposals::asset_id.eq(asset_id))
            .filter(proposals::status.eq(ProposalStatus::Pending.as_str()))
            .order((proposals::proposed_at, proposals::id))
            .select(ProposalRow::as_select())
            .load(conn)
    }

    /// The decisions taken on it, in the order of its steps.
    ///
    /// Fails when the query fails.
    pub fn decisions(&self, conn: &mut DbConnection) -> QueryResult<Vec<DecisionRow>> {
        let mut rows: Vec<DecisionRow> = proposal_decisions::table
            .filter(proposal_decisions::proposal_id.eq(&self.id))
            .select(DecisionRow::as_select())
            .load(conn)?;
        let order = self.levels();
        rows.sort_by_key(|d| {
            order
                .iter()
                .position(|l| l.as_str() == d.step)
                .unwrap_or(usize::MAX)
        });
        Ok(rows)
    }

    /// For a correction, the kind of the entry it finally corrects (whose steps it
    /// waits for); `None` for any other proposal.
    ///
    /// Fails when the query fails.
    pub fn corrects_kind(&self, conn: &mut DbConnection) -> QueryResult<Option<EntryKind>> {
        if self.kind != EntryKind::Correction.as_str() {
            return Ok(None);
        }
        let corrects = serde_json::from_str::<Value>(&self.body)
            .ok()
            .and_then(|body| body["corrects"].as_i64());
        match corrects {
            Some(seq) => corrected_kind(conn, &self.asset_id, seq),
            None => Ok(None),
        }
    }

    /// What it proposes as people read it: 处置, or for a correction 更正（处置）.
    ///
    /// Fails when the query fails.
    pub fn label(&self, conn: &mut DbConnection) -> QueryResult<String> {
        Ok(label_of(&self.kind, self.corrects_kind(conn)?))
    }

    /// The proposal as the API shows it.
    ///
    /// Fails when the query fails.
    pub fn view(&self, conn: &mut DbConnection) -> QueryResult<ProposalView> {
        let decisions = self.decisions(conn)?;
        let corrects_kind = self.corrects_kind(conn)?;
        Ok(self.view_with(&decisions, corrects_kind))
    }

    /// The proposal as the API shows it, with its `decisions` and, for a correction,
    /// the kind it corrects.
    pub fn view_with(
        &self,
        decisions: &[DecisionRow],
        corrects_kind: Option<EntryKind>,
    ) -> ProposalView {
        let steps: Vec<StepView> = self
            .levels()
            .into_iter()
            .map(|level| {
                let decision = decisions.iter().find(|d| d.step == level.as_str());
                StepView {
                    level: level.as_str().to_owned(),
                    status: match decision {
                        None => "pending",
                        Some(d) if d.approved == 1 => "approved",
                        Some(_) => "rejected",
                    }
                    .to_owned(),
                    by: decision.map(|d| d.decided_by.clone()),
                    at: decision.map(|d| d.decided_at.clone()),
                    reason: decision.and_then(|d| d.reason.clone()),
                }
            })
            .collect();
        let next_step = (self.status() == ProposalStatus::Pending)
            .then(|| steps.iter().find(|s| s.status == "pending"))
            .flatten()
            .map(|s| s.level.clone());
        ProposalView {
            id: self.id.clone(),
            asset_code: self.asset_code.clone(),
            kind: self.kind.clone(),
            occurred_on: self.occurred_on.clone(),
            status: self.status.clone(),
            steps,
            next_step,
            proposed_by: self.proposed_by.clone(),
            proposed_at: self.proposed_at.clone(),
            decided_at: self.decided_at.clone(),
            entry_seq: self.entry_seq,
            corrects_kind: corrects_kind.map(|kind| kind.as_str().to_owned()),
            entry: serde_json::from_str(&self.body).unwrap_or(Value::Null),
        }
    }
}

/// The proposals of the assets in `scope`; `None` for the county.
fn in_scope(
    scope: &Scope,
) -> Option<
    Box<dyn BoxableExpression<proposals::table, DbBackend, SqlType = diesel::sql_types::Bool>>,
> {
    if *scope == Scope::County {
        return None;
    }
    Some(Box::new(diesel::dsl::sql::<diesel::sql_types::Bool>(
        &format!(
            "proposals.asset_code IN (SELECT a.code FROM assets a WHERE {})",
            asset_sql(scope, "a")
        ),
    )))
}

/// What to propose.
#[derive(Debug, Clone)]
pub struct NewProposal {
    /// The asset's id or code.
    pub asset: String,
    /// The proposer's scope: an asset outside it is not found.
    pub scope: Scope,
    /// The parsed entry.
    pub entry: EntryRequest,
    /// The request as sent.
    pub body: Value,
    /// The proposer's token name.
    pub actor: String,
    /// The steps it waits for.
    pub steps: Vec<Level>,
    /// Its `Idempotency-Key`.
    pub keyed: Keyed,
}

/// Makes a proposal, once the entry is found to pass every rule of the ledger today:
/// 202 and `{proposal_id, status, steps}`; a repeated key and request answers as the
/// first time.
///
/// Fails when the asset is not in scope, the entry breaks a rule, the key was used for
/// another request, or the database fails; nothing is written then.
pub fn propose(conn: &mut DbConnection, new: &NewProposal) -> Result<(u16, Value), ProposalError> {
    keyed_write(conn, &new.keyed, ChainLock::Always, |conn| {
        check_append(
            conn,
            &AppendRequest {
                asset: new.asset.clone(),
                scope: new.scope.clone(),
                entry: new.entry.clone(),
                actor: new.actor.clone(),
                idempotency_key: None,
                canonical_body: new.body.to_string(),
            },
        )?;
        let asset = find_asset(conn, &new.scope, &new.asset)?
            .ok_or_else(|| AppendError::AssetNotFound(new.asset.clone()))?;
        let id = uuid::Uuid::now_v7().to_string();
        diesel::insert_into(proposals::table)
            .values((
                proposals::id.eq(&id),
                proposals::asset_id.eq(&asset.id),
                proposals::asset_code.eq(&asset.code),
                proposals::kind.eq(new.entry.kind().as_str()),
                proposals::occurred_on.eq(new.entry.occurred_on.to_string()),
                proposals::body.eq(new.body.to_string()),
                proposals::steps.eq(steps_text(&new.steps)),
                proposals::status.eq(ProposalStatus::Pending.as_str()),
                proposals::proposed_by.eq(&new.actor),
                proposals::proposed_at.eq(timestamp_now()),
            ))
            .execute(conn)?;
        let created = ProposalCreated {
            proposal_id: id,
            status: ProposalStatus::Pending.as_str().to_owned(),
            steps: new.steps.iter().map(|l| l.as_str().to_owned()).collect(),
        };
        Ok((202, json!(created)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_is_stored_and_labelled_as_before() {
        assert_eq!(
            ProposalStatus::choices(),
            vec![
                ("pending", "待审批"),
                ("approved", "已通过"),
                ("rejected", "已驳回")
            ]
        );
        assert_eq!(
            ProposalStatus::parse("approved"),
            Some(ProposalStatus::Approved)
        );
        assert_eq!(ProposalStatus::parse("已通过"), None);
        assert_eq!(
            ProposalStatus::codes_listed(),
            "pending、approved 或 rejected"
        );
    }
}
