//! The answers kept for requests sent with an `Idempotency-Key` that are not ledger
//! appends (proposals, approvals, rejections, notices, objections): the same key with
//! the same request gets the same answer; with another request it is refused.

use diesel::prelude::*;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::auth::Caller;
use crate::db::schema::idempotent_replies;
use crate::db::DbConnection;
use crate::domain::dates::timestamp_now;
use crate::ledger::append::AppendError;
use crate::ledger::chain::lock_head;
use crate::ledger::store::idempotency_key;

/// A request that may carry an `Idempotency-Key`.
#[derive(Debug, Clone)]
pub struct Keyed {
    /// The key, if sent.
    pub key: Option<String>,
    /// The SHA-256 of what was asked: the route and the canonical body.
    pub request_sha256: String,
}

impl Keyed {
    /// The key of a request to `route` (`POST /api/v1/proposals/…/approve`) with
    /// `body` as canonical JSON.
    pub fn new(key: Option<String>, route: &str, body: &str) -> Keyed {
        Keyed {
            key,
            request_sha256: hex::encode(Sha256::digest(format!("{route}\n{body}"))),
        }
    }

    /// As [`Keyed::new`], for a request of `caller`: the same key sent by another token
    /// name or scope is another request (refused as a reused key), so a replay never
    /// answers someone else with what the first caller was shown.
    pub fn of_caller(key: Option<String>, caller: &Caller, route: &str, body: &str) -> Keyed {
        Keyed::new(
            key,
            &format!("{}\n{}\n{route}", caller.name, caller.scope),
            body,
        )
    }
}

/// What a keyed request found.
#[derive(Debug, Clone, PartialEq)]
pub enum Seen {
    /// No key, or a key not used before.
    New,
    /// The same key and request: the answer given then (status, body).
    Replay(u16, Value),
    /// The key was used with another request.
    Reused,
}

/// Looks `request`'s key up.
///
/// Fails when the query fails.
pub fn seen(conn: &mut DbConnection, request: &Keyed) -> QueryResult<Seen> {
    let Some(key) = &request.key else {
        return Ok(Seen::New);
    };
    let found: Option<(String, i64, String)> = idempotent_replies::table
        .find(key)
        .select((
            idempotent_replies::request_sha256,
            idempotent_replies::status,
            idempotent_replies::body,
        ))
        .first(conn)
        .optional()?;
    Ok(match found {
        // One key names one request, whatever its route: a key a ledger append was
        // sent with is taken.
        None if idempotency_key(conn, key)?.is_some() => Seen::Reused,
        None => Seen::New,
        Some((sha, _, _)) if sha != request.request_sha256 => Seen::Reused,
        Some((_, status, body)) => Seen::Replay(
            u16::try_from(status).unwrap_or(200),
            serde_json::from_str(&body).unwrap_or(Value::Null),
        ),
    })
}

/// Whether `request`'s key was answered before for the same request (a page tells a
/// repeated form from a new one by it, before the write that then replays).
///
/// Fails when the query fails.
pub fn answered(conn: &mut DbConnection, request: &Keyed) -> QueryResult<bool> {
    Ok(matches!(seen(conn, request)?, Seen::Replay(..)))
}

/// Keeps the answer to `request` (nothing without a key), in the caller's transaction.
///
/// Fails when the insert fails (a key taken meanwhile by another server included:
/// the transaction then rolls back).
pub fn keep(
    conn: &mut DbConnection,
    request: &Keyed,
    status: u16,
    body: &Value,
) -> QueryResult<()> {
    let Some(key) = &request.key else {
        return Ok(());
    };
    diesel::insert_into(idempotent_replies::table)
        .values((
            idempotent_replies::idempotency_key.eq(key),
            idempotent_replies::request_sha256.eq(&request.request_sha256),
            idempotent_replies::status.eq(i64::from(status)),
            idempotent_replies::body.eq(body.to_string()),
            idempotent_replies::created_at.eq(timestamp_now()),
        ))
        .execute(conn)
        .map(|_| ())
}

/// When a keyed write holds the chain's lock ([`lock_head`]), the one lock every write
/// that appends to the ledger takes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainLock {
    /// Only with a key, where it guards the key's check and keep (a second request with
    /// the same key waits and is answered as the first). For a write that appends
    /// nothing (a declaration, a campaign opened) or takes the lock itself before it
    /// reads (a campaign closed): without a key it runs beside ledger appends. Not a
    /// proposal: its check takes the lock in a savepoint it rolls back, and PostgreSQL
    /// releases a row lock with the savepoint that took it.
    WithKey,
    /// Always. For a write that reads what it then changes and counts on the lock to
    /// serialise it with the writes that change the same rows: a proposal (checked
    /// against the asset as its entry would be appended), a decision (the
    /// proposal's status and steps, and the entry its last step appends), a notice or
    /// an objection (made while the proposal is pending, against the last approval that
    /// requires none open), and results read against their campaign before the append
    /// takes the lock (on SQLite, a deferred transaction that has read cannot take the
    /// write lock once another connection wrote: busy at once, not waited for).
    Always,
}

/// Runs `write` in a transaction, answering a repeated key and request as before
/// (without running `write`) and keeping `write`'s answer under the key; the chain's
/// lock is held throughout with a key, and without one as `lock` says.
///
/// Fails as `write` does, with [`AppendError::IdempotencyKeyReused`] when the key was
/// sent before with another request, or when the database fails; nothing is written
/// then.
pub fn keyed_write<E>(
    conn: &mut DbConnection,
    keyed: &Keyed,
    lock: ChainLock,
    write: impl FnOnce(&mut DbConnection) -> Result<(u16, Value), E>,
) -> Result<(u16, Value), E>
where
    E: From<diesel::result::Error> + From<AppendError>,
{
    conn.transaction(|conn| {
        if keyed.key.is_some() || lock == ChainLock::Always {
            lock_head(conn)?;
        }
        match seen(conn, keyed)? {
            Seen::Replay(status, body) => return Ok((status, body)),
            Seen::Reused => return Err(AppendError::IdempotencyKeyReused.into()),
            Seen::New => {}
        }
        let (status, body) = write(conn)?;
        keep(conn, keyed, status, &body)?;
        Ok((status, body))
    })
}
