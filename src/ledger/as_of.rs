//! Assets as of a date, answered from the ledger: the fold of each asset's entries with
//! `occurred_on` on or before that day.

use std::collections::HashMap;

use super::append::fold_rows;
use super::projection::{AssetState, MalformedEntry};
use super::search_names;
use super::store::entries_as_of;
use crate::db::db_variant_from_query;
use crate::db::{DbConnection, DbError};
use crate::domain::{BusinessDate, Scope, Vocabulary};
use crate::register::query::{list_assets_registered_by, name_holds, AssetFilter};
use crate::register::store::AssetRow;

/// The most assets a name search as of a date reads by id (and sorts by code); a
/// search that finds more walks the code order instead.
const SEARCHED_BY_ID: usize = 10_000;

/// Why an as-of query failed.
#[derive(Debug, thiserror::Error)]
pub enum AsOfError {
    /// A stored entry is malformed.
    #[error(transparent)]
    Malformed(#[from] MalformedEntry),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

db_variant_from_query!(AsOfError);

/// A page of assets as of a date: each with its state, and the code to continue after.
pub struct AsOfPage {
    /// The assets and their states.
    pub items: Vec<(AssetRow, AssetState)>,
    /// The last code looked at, when more may follow.
    pub next_after: Option<String>,
}

/// Whether an asset, by its name and its state as of a date, passes the filters `q`,
/// owner, owner type and status.
fn state_matches(filter: &AssetFilter, name: &str, state: &AssetState) -> bool {
    let named = filter
        .q
        .as_ref()
        .is_none_or(|q| name_holds(name, q) || name_holds(&state.owner_name, q));
    named && owner_and_status_match(filter, state)
}

/// Whether a state as of a date passes the filters on owner, owner type and status.
fn owner_and_status_match(filter: &AssetFilter, state: &AssetState) -> bool {
    filter
        .owner
        .as_ref()
        .is_none_or(|owner| &state.owner_name == owner)
        && filter
            .owner_type
            .is_none_or(|t| state.owner_type == t.as_str())
        && filter.status.is_none_or(|s| state.status == s)
}

/// The state of one asset as of `day`, when it existed then.
///
/// Fails when an entry is malformed or the database fails.
pub fn asset_as_of(
    conn: &mut DbConnection,
    row: &AssetRow,
    day: BusinessDate,
) -> Result<Option<AssetState>, AsOfError> {
    Ok(asset_history_as_of(conn, row, day)?.map(|(state, _)| state))
}

/// The state of one asset as of `day`, when it existed then, with the last entry of
/// its history on or before that day (the head the state was folded up to).
///
/// Fails when an entry is malformed or the database fails.
pub fn asset_history_as_of(
    conn: &mut DbConnection,
    row: &AssetRow,
    day: BusinessDate,
) -> Result<Option<(AssetState, crate::ledger::Head)>, AsOfError> {
    let entries = entries_as_of(conn, &[row.code.as_str()], &day.to_string())?;
    let head = entries.last().map(|e| crate::ledger::Head {
        seq: e.seq,
        hash: e.hash.clone(),
    });
    Ok(fold_rows(&entries)?.zip(head))
}

/// Up to `limit` assets in `scope` after the code `after` that existed on `day` and match
/// `filter` as of that day, with their states, and the cursor of the next page.
///
/// Fails when an entry is malformed or the database fails.
pub fn assets_as_of(
    conn: &mut DbConnection,
    scope: &Scope,
    filter: &AssetFilter,
    day: BusinessDate,
    after: Option<String>,
    limit: usize,
) -> Result<AsOfPage, AsOfError> {
    let page = (after, limit);
    assets_as_of_searching(conn, scope, filter, day, page, SEARCHED_BY_ID)
}

/// As [`assets_as_of`] (`page` is `after` and `limit`), a search that finds at most
/// `by_id` assets by name read by id and one that finds more by walking the code order,
/// where matches come soon (0: always walking; the tests compare both ways).
///
/// Fails when an entry is malformed or the database fails.
pub fn assets_as_of_searching(
    conn: &mut DbConnection,
    scope: &Scope,
    filter: &AssetFilter,
    day: BusinessDate,
    (after, limit): (Option<String>, usize),
    by_id: usize,
) -> Result<AsOfPage, AsOfError> {
    let day_text = day.to_string();
    let batch_size = i64::try_from(limit.max(100)).unwrap_or(1000);
    let among = match &filter.q {
        Some(q) => search_names::assets_named(conn, q, by_id)?,
        None => None,
    };
    let mut after = after;
    let mut found = Vec::new();
    loop {
        // Only assets registered by then existed then. `q` also matches the owner's
        // name, which is the name then: the query keeps a superset (every name the
        // owner was ever given) and the folded state below decides.
        let batch = list_assets_registered_by(
            conn,
            scope,
            filter,
            &day_text,
            among.as_deref(),
            after.as_deref(),
            batch_size,
        )?;
        let exhausted = (batch.len() as i64) < batch_size;
        let codes: Vec<&str> = batch.iter().map(|a| a.code.as_str()).collect();
        let mut by_asset: HashMap<String, Vec<crate::ledger::EntryRow>> = HashMap::new();
        for entry in entries_as_of(conn, &codes, &day_text)? {
            by_asset
                .entry(entry.asset_code.clone())
                .or_default()
                .push(entry);
        }
        for row in batch {
            let code = row.code.clone();
            let entries = by_asset.remove(&row.code).unwrap_or_default();
            if let Some(state) = fold_rows(&entries)? {
                if state_matches(filter, &row.name, &state) {
                    found.push((row, state));
                }
            }
            after = Some(code.clone());
            if found.len() == limit {
                return Ok(AsOfPage {
                    items: found,
                    next_after: Some(code),
                });
            }
        }
        if exhausted {
            return Ok(AsOfPage {
                items: found,
                next_after: None,
            });
        }
    }
}
