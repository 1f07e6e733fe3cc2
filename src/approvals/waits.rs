//! Which entries wait for approval, and the one door a clerk's entry goes through:
//! appended at once, or proposed. An entry waits for its kind's steps; a correction
//! waits for the steps of the kind it finally corrects, so that undoing an approved
//! disposal, distribution or transfer (or restoring one) takes the same approvals as
//! the act itself.

use diesel::QueryResult;
use serde_json::Value;

use super::policy::{ApprovalPolicy, Level};
use super::proposals::{propose, NewProposal};
use super::replies::Keyed;
use super::ProposalError;
use crate::db::DbConnection;
use crate::domain::Scope;
use crate::ledger::append::{append_entry, data_of, AppendOutcome, AppendRequest};
use crate::ledger::entry::{EntryData, EntryKind, EntryRequest};
use crate::ledger::store::entry;
use crate::register::query::find_asset;

/// How many corrections of corrections are followed before giving up (a chain that
/// long is left to the append's own checks, and waits for nothing here).
const MAX_DEPTH: usize = 1_000;

/// The kind a correction of entry `seq` of the asset `asset_id` finally corrects: the
/// kind of `seq`, or, when `seq` is itself a correction, of the entry that one
/// corrects, and so on. `None` when `seq` is no entry of that asset (the append refuses
/// it as `unknown_entry`).
///
/// `None` too for a stored entry that is malformed: the append's own fold refuses it.
///
/// Fails when a query fails.
pub fn corrected_kind(
    conn: &mut DbConnection,
    asset_id: &str,
    seq: i64,
) -> QueryResult<Option<EntryKind>> {
    let mut seq = seq;
    for _ in 0..MAX_DEPTH {
        let Some(row) = entry(conn, seq)?.filter(|row| row.asset_id == asset_id) else {
            return Ok(None);
        };
        match data_of(&row) {
            // A correction names an earlier entry; anything else would loop.
            Ok(EntryData::Correction(c)) if c.corrects < seq => seq = c.corrects,
            Ok(EntryData::Correction(_)) | Err(_) => return Ok(None),
            Ok(data) => return Ok(Some(data.kind())),
        }
    }
    Ok(None)
}

/// The steps `entry`, appended to the asset `asset` (id or code) in `scope`, waits for
/// under `policy`: its kind's; for a correction, those of the kind it finally corrects
/// ([`corrected_kind`]). Empty when it appends at once, or when the asset or the
/// corrected entry is not found (the append then refuses it).
///
/// Fails when a query fails.
pub fn steps_for(
    conn: &mut DbConnection,
    policy: &ApprovalPolicy,
    scope: &Scope,
    asset: &str,
    entry: &EntryRequest,
) -> Result<Vec<Level>, ProposalError> {
    let Some(target) = entry.corrects() else {
        return Ok(policy.steps(entry.kind()).to_vec());
    };
    if policy.is_empty() {
        return Ok(Vec::new());
    }
    let Some(asset) = find_asset(conn, scope, asset)? else {
        return Ok(Vec::new());
    };
    Ok(corrected_kind(conn, &asset.id, target)?
        .map(|kind| policy.steps(kind).to_vec())
        .unwrap_or_default())
}

/// Where a clerk's entry went.
#[derive(Debug, Clone)]
pub enum Submitted {
    /// Appended at once (or the original, for a repeated key and body); boxed, being
    /// ten times the size of a proposal's answer.
    Appended(Box<AppendOutcome>),
    /// Waiting for approval: the status (202, or the first answer for a repeated key)
    /// and `{proposal_id, status, steps}`.
    Proposed(u16, Value),
}

/// Appends `request`, or, when it waits for approval ([`steps_for`]), proposes it
/// under `keyed` (the proposal's `Idempotency-Key`) with `body`, the request as sent.
///
/// Fails as [`append_entry`] or [`propose`] does: the asset is not found, a rule of the
/// ledger refuses it (a proposal is checked as the append would be), the key was used
/// for another request, or the database fails; nothing is written then.
pub fn append_or_propose(
    conn: &mut DbConnection,
    policy: &ApprovalPolicy,
    request: AppendRequest,
    body: Value,
    keyed: Keyed,
) -> Result<Submitted, ProposalError> {
    let steps = steps_for(conn, policy, &request.scope, &request.asset, &request.entry)?;
    if steps.is_empty() {
        return Ok(Submitted::Appended(Box::new(append_entry(conn, &request)?)));
    }
    let proposal = NewProposal {
        asset: request.asset,
        scope: request.scope,
        entry: request.entry,
        body,
        actor: request.actor,
        steps,
        keyed,
    };
    let (status, created) = propose(conn, &proposal)?;
    Ok(Submitted::Proposed(status, created))
}
