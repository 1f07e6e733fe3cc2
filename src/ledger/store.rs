//! Storing and reading ledger entries: the chained rows and the head, an asset's
//! history, the change feed, idempotency keys. Every
//! reading gives a `registered` entry that carries the digest of its held fields the
//! data it stands for (see [`super::registered`]).

use std::collections::HashSet;

use diesel::prelude::*;

use super::chain::{EntryRow, Head};
use super::entry::EntryData;
use super::projection::cancelled_by;
use super::registered::hydrate;
use crate::db::schema::{idempotency_keys, idempotent_replies, ledger_entries, ledger_head};
use crate::db::DbConnection;
use crate::domain::Scope;
use crate::register::scope::entries_query;

/// An asset's entries in `seq` order, found by the asset's code.
///
/// Fails when the query fails.
pub fn entries_of_asset(conn: &mut DbConnection, asset_code: &str) -> QueryResult<Vec<EntryRow>> {
    let rows = ledger_entries::table
        .filter(ledger_entries::asset_code.eq(asset_code))
        .order(ledger_entries::seq)
        .select(EntryRow::as_select())
        .load(conn)?;
    hydrated(conn, rows)
}

/// `rows` with the data of their digest entries rebuilt.
fn hydrated(conn: &mut DbConnection, mut rows: Vec<EntryRow>) -> QueryResult<Vec<EntryRow>> {
    hydrate(conn, &mut rows)?;
    Ok(rows)
}

/// Up to `limit` of an asset's entries with `seq` greater than `after` (from the first
/// when `None`), in `seq` order, found by the asset's code.
///
/// Fails when the query fails.
pub fn entries_of_asset_after(
    conn: &mut DbConnection,
    asset_code: &str,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<EntryRow>> {
    let rows = ledger_entries::table
        .filter(ledger_entries::asset_code.eq(asset_code))
        .filter(ledger_entries::seq.gt(after.unwrap_or(0)))
        .order(ledger_entries::seq)
        .limit(limit)
        .select(EntryRow::as_select())
        .load(conn)?;
    hydrated(conn, rows)
}

/// The code of the asset the entry `seq` is about, when there is such an entry.
///
/// Fails when the query fails.
pub fn asset_code_of_entry(conn: &mut DbConnection, seq: i64) -> QueryResult<Option<String>> {
    ledger_entries::table
        .find(seq)
        .select(ledger_entries::asset_code)
        .first(conn)
        .optional()
}

/// The entries of several assets (by code) whose `occurred_on` is on or before `day`,
/// in `seq` order.
///
/// Fails when the query fails.
pub fn entries_as_of(
    conn: &mut DbConnection,
    asset_codes: &[&str],
    day: &str,
) -> QueryResult<Vec<EntryRow>> {
    let rows = ledger_entries::table
        .filter(ledger_entries::asset_code.eq_any(asset_codes))
        .filter(ledger_entries::occurred_on.le(day))
        .order(ledger_entries::seq)
        .select(EntryRow::as_select())
        .load(conn)?;
    hydrated(conn, rows)
}

/// Up to `limit` entries of the assets in `scope` with `seq` greater than `after`, in
/// `seq` order.
///
/// Fails when the query fails.
pub fn entries_after(
    conn: &mut DbConnection,
    scope: &Scope,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<EntryRow>> {
    let rows = stored_entries_after(conn, scope, after, limit)?;
    hydrated(conn, rows)
}

/// As [`entries_after`], but as stored: a `registered` entry that carries the digest
/// of its held fields keeps it (what verification hashes).
///
/// Fails when the query fails.
pub fn stored_entries_after(
    conn: &mut DbConnection,
    scope: &Scope,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<EntryRow>> {
    entries_query(scope)
        .filter(ledger_entries::seq.gt(after))
        .order(ledger_entries::seq)
        .limit(limit)
        .select(EntryRow::as_select())
        .load(conn)
}

/// The entry at `seq`, if any.
///
/// Fails when the query fails.
pub fn entry(conn: &mut DbConnection, seq: i64) -> QueryResult<Option<EntryRow>> {
    let row = ledger_entries::table
        .find(seq)
        .select(EntryRow::as_select())
        .first(conn)
        .optional()?;
    Ok(hydrated(conn, row.into_iter().collect())?.pop())
}

/// The request hash and entry of an idempotency key already used, if any.
///
/// Fails when the query fails.
pub fn idempotency_key(conn: &mut DbConnection, key: &str) -> QueryResult<Option<(String, i64)>> {
    idempotency_keys::table
        .find(key)
        .select((idempotency_keys::request_sha256, idempotency_keys::seq))
        .first(conn)
        .optional()
}

/// Whether `key` was kept for a keyed write that is not a ledger append (a
/// declaration, a proposal, a decision, a notice…, `approvals::replies`): one key
/// names one request, whatever its route, so an append sent with it is refused.
///
/// Fails when the query fails.
pub fn key_kept_by_another_write(conn: &mut DbConnection, key: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(idempotent_replies::table.find(key))).get_result(conn)
}

/// Records that `key` made the entry at `seq` from a request hashing to `request_sha256`.
///
/// Fails when the insert fails.
pub fn store_idempotency_key(
    conn: &mut DbConnection,
    key: &str,
    request_sha256: &str,
    seq: i64,
    now: &str,
) -> QueryResult<()> {
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::idempotency_key.eq(key),
            idempotency_keys::request_sha256.eq(request_sha256),
            idempotency_keys::seq.eq(seq),
            idempotency_keys::created_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The entries that a live correction cancels (see [`cancelled_by`]) among the assets
/// `codes` in `scope`, or among every asset in `scope` when `codes` is `None`.
///
/// Fails when the query fails.
pub fn cancelled_among(
    conn: &mut DbConnection,
    scope: &Scope,
    codes: Option<&[&str]>,
) -> QueryResult<HashSet<i64>> {
    let mut query = entries_query(scope)
        .filter(ledger_entries::kind.eq("correction"))
        .order(ledger_entries::seq.desc())
        .select((
            ledger_entries::seq,
            ledger_entries::kind,
            ledger_entries::data,
        ));
    if let Some(codes) = codes {
        query = query.filter(ledger_entries::asset_code.eq_any(codes.to_vec()));
    }
    let corrections: Vec<(i64, String, String)> = query.load(conn)?;
    Ok(cancelled_by(corrections.iter().filter_map(
        |(seq, kind, data)| match EntryData::from_stored(kind, data) {
            Ok(EntryData::Correction(correction)) => Some((*seq, correction.corrects)),
            _ => None,
        },
    )))
}

/// Inserts chained rows in one statement, holding the names they give their assets
/// (see [`super::search_names`]).
///
/// Fails when the insert fails.
pub fn insert_rows(conn: &mut DbConnection, rows: &[EntryRow]) -> QueryResult<usize> {
    let inserted = crate::db::bulk::insert_ledger_entries(conn, rows)?;
    super::search_names::hold_entries(conn, rows)?;
    Ok(inserted)
}

/// Moves the head to `head`; the caller holds the lock from [`super::chain::lock_head`].
///
/// Fails when the update fails.
pub fn store_head(conn: &mut DbConnection, head: &Head) -> QueryResult<()> {
    diesel::update(ledger_head::table.filter(ledger_head::id.eq(1)))
        .set((
            ledger_head::seq.eq(head.seq),
            ledger_head::hash.eq(&head.hash),
        ))
        .execute(conn)
        .map(|_| ())
}
