//! An append's `Idempotency-Key`: the hash of the request it is kept with, and the
//! answer to a key sent again.

use sha2::{Digest, Sha256};

use super::append::{AppendError, AppendOutcome, AppendRequest};
use super::projection::MalformedEntry;
use super::store::entry;
use crate::db::DbConnection;

/// The hash an append's `Idempotency-Key` is kept with: the writer's token name and
/// scope, the asset and the body. The key is the writer's own, as for every other keyed
/// write (`approvals::replies::Keyed::of_caller`): the same key and body sent by another
/// token is another request, refused as a reused key, and never shown the first entry.
pub(super) fn request_sha256(request: &AppendRequest, asset_id: &str) -> String {
    hex::encode(Sha256::digest(format!(
        "{}\n{}\n{asset_id}\n{}",
        request.actor, request.scope, request.canonical_body
    )))
}

/// The hash keys were kept with before they were the writer's own: the asset and the
/// body alone.
fn request_sha256_without_writer(request: &AppendRequest, asset_id: &str) -> String {
    hex::encode(Sha256::digest(format!(
        "{asset_id}\n{}",
        request.canonical_body
    )))
}

/// The answer to a key already kept with the hash `kept` for the entry `seq`: that
/// entry when `request` is the one it was kept for. A key kept before keys were the
/// writer's own (its hash without the writer) is answered when the body is the same
/// and the entry's actor is the writer's token name (the scope was not kept then).
///
/// Fails with [`AppendError::IdempotencyKeyReused`] for another request, or when the
/// entry is missing or the database fails.
pub(super) fn replay(
    conn: &mut DbConnection,
    request: &AppendRequest,
    asset_id: &str,
    request_sha256: &str,
    kept: &str,
    seq: i64,
) -> Result<AppendOutcome, AppendError> {
    let same_request = kept == request_sha256;
    if !same_request && kept != request_sha256_without_writer(request, asset_id) {
        return Err(AppendError::IdempotencyKeyReused);
    }
    let original = entry(conn, seq)?.ok_or(MalformedEntry {
        seq,
        what: "missing",
    })?;
    if !same_request && original.actor != request.actor {
        return Err(AppendError::IdempotencyKeyReused);
    }
    Ok(AppendOutcome::Replayed(original))
}
