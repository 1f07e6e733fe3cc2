//! Every name an asset's owner has been given (`asset_owner_names`, each name once in
//! `owner_names`): held in the transaction of every entry that gives one, so that a name
//! search as of a date (`register::query`) finds the assets whose owner may then have
//! had a matching name without reading their entries; the fold still decides. A
//! corrected transfer's name stays held: a search finds more, never fewer.

use std::collections::{BTreeSet, HashMap, HashSet};

use diesel::prelude::*;

use super::chain::EntryRow;
use super::entry::EntryData;
use crate::db::bulk::{insert_asset_owner_names, insert_owner_names};
use crate::db::rows::OwnerNameRow;
use crate::db::schema::{asset_owner_names, owner_names};
use crate::db::DbConnection;

/// Pairs looked up or written per statement.
const CHUNK: usize = 1_000;

/// The owner's name an entry gives: a `registered` entry carrying its fields (or
/// rebuilt from the fields held) or an `ownership_transferred` one.
pub fn named_by(row: &EntryRow) -> Option<String> {
    if row.kind != "registered" && row.kind != "ownership_transferred" {
        return None;
    }
    match EntryData::from_stored(&row.kind, &row.data).ok()? {
        EntryData::Registered(registered) => Some(registered.owner.name),
        EntryData::OwnershipTransferred(transferred) => Some(transferred.owner.name),
        _ => None,
    }
}

/// Holds the owners' names that `rows`, entries being written, give their assets.
///
/// Fails when the database fails.
pub fn hold_entries(conn: &mut DbConnection, rows: &[EntryRow]) -> QueryResult<()> {
    let named: Vec<OwnerNameRow> = rows
        .iter()
        .filter_map(|row| {
            named_by(row).map(|owner_name| OwnerNameRow {
                asset_id: row.asset_id.clone(),
                owner_name,
            })
        })
        .collect();
    hold(conn, named)
}

/// Holds that each asset of `named` was given the name beside it: each pair and each
/// name once. The caller holds the chain's lock, so no other writer adds them meanwhile.
///
/// Fails when the database fails.
pub fn hold(conn: &mut DbConnection, mut named: Vec<OwnerNameRow>) -> QueryResult<()> {
    named.sort_unstable();
    named.dedup();
    for chunk in named.chunks(CHUNK) {
        let ids: Vec<&str> = chunk.iter().map(|r| r.asset_id.as_str()).collect();
        let held: HashSet<OwnerNameRow> = asset_owner_names::table
            .filter(asset_owner_names::asset_id.eq_any(&ids))
            .select(OwnerNameRow::as_select())
            .load(conn)?
            .into_iter()
            .collect();
        let new: Vec<OwnerNameRow> = chunk
            .iter()
            .filter(|r| !held.contains(*r))
            .cloned()
            .collect();
        hold_new(conn, &new)?;
    }
    Ok(())
}

/// Holds `named`, pairs none of which is held yet (those of new assets), and their
/// names that are not held yet.
///
/// Fails when a pair is held already or the database fails.
pub fn hold_new(conn: &mut DbConnection, named: &[OwnerNameRow]) -> QueryResult<()> {
    for chunk in named.chunks(CHUNK) {
        insert_asset_owner_names(conn, chunk)?;
        let names: BTreeSet<&str> = chunk.iter().map(|r| r.owner_name.as_str()).collect();
        let names: Vec<&str> = names.into_iter().collect();
        let known: HashSet<String> = owner_names::table
            .filter(owner_names::name.eq_any(&names))
            .select(owner_names::name)
            .load::<String>(conn)?
            .into_iter()
            .collect();
        let unknown: Vec<&str> = names.into_iter().filter(|n| !known.contains(*n)).collect();
        insert_owner_names(conn, &unknown)?;
    }
    Ok(())
}

/// The names held for the assets `ids`, by asset id.
///
/// Fails when the query fails.
pub fn held_for(
    conn: &mut DbConnection,
    ids: &[&str],
) -> QueryResult<HashMap<String, BTreeSet<String>>> {
    let mut held: HashMap<String, BTreeSet<String>> = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let rows: Vec<OwnerNameRow> = asset_owner_names::table
            .filter(asset_owner_names::asset_id.eq_any(chunk))
            .select(OwnerNameRow::as_select())
            .load(conn)?;
        for row in rows {
            held.entry(row.asset_id).or_default().insert(row.owner_name);
        }
    }
    Ok(held)
}

/// What is wrong with the held names as a whole, when every asset's names were found
/// to match its entries (`pairs` of them in all), in Chinese: pairs held for no
/// registered asset, or `owner_names` not being each held name once.
///
/// Fails when the query fails.
pub fn whole_difference(conn: &mut DbConnection, pairs: i64) -> QueryResult<Option<String>> {
    let held: i64 = asset_owner_names::table.count().get_result(conn)?;
    if held != pairs {
        return Ok(Some(format!(
            "历任所有权人名称有 {held} 条，而台账给出的只有 {pairs} 条（有名称不属于登记在册的资产）"
        )));
    }
    let names: i64 = owner_names::table.count().get_result(conn)?;
    let distinct: i64 = asset_owner_names::table
        .select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
            "COUNT(DISTINCT owner_name)",
        ))
        .first(conn)?;
    let missing: Option<String> = asset_owner_names::table
        .filter(diesel::dsl::not(diesel::dsl::exists(
            owner_names::table.filter(owner_names::name.eq(asset_owner_names::owner_name)),
        )))
        .select(asset_owner_names::owner_name)
        .first(conn)
        .optional()?;
    Ok(match missing {
        Some(name) => Some(format!("所有权人名称表缺少历任所有权人名称「{name}」")),
        None if names != distinct => Some(format!(
            "所有权人名称表有 {names} 个名称，而历任所有权人名称只有 {distinct} 个"
        )),
        None => None,
    })
}
