//! The names a list as of a date searches (`q`): every asset's own name and every name
//! its owner has been given (`asset_search_names`, each name once in `search_names`),
//! held in the transaction of the asset's registration and of every entry that gives an
//! owner, so that a search finds the assets that may then have matched without reading
//! their entries (see [`crate::ledger::as_of`]); the fold still decides. A corrected
//! transfer's name stays held: a search finds more, never fewer.

use std::collections::{BTreeSet, HashMap, HashSet};

use diesel::prelude::*;

use super::chain::EntryRow;
use super::entry::EntryData;
use crate::db::bulk::{insert_asset_search_names, insert_search_names};
use crate::db::name_search::search_names_holding;
use crate::db::rows::NameRow;
use crate::db::schema::{asset_search_names, search_names};
use crate::db::DbConnection;
use crate::register::query::like_pattern;

/// Pairs looked up or written per statement.
const CHUNK: usize = 1_000;

/// The names an entry gives its asset: a `registered` entry carrying its fields (or
/// rebuilt from the fields held) its name and its owner's; an `ownership_transferred`
/// one the new owner's.
pub fn named_by(row: &EntryRow) -> Vec<String> {
    if row.kind != "registered" && row.kind != "ownership_transferred" {
        return Vec::new();
    }
    match EntryData::from_stored(&row.kind, &row.data) {
        Ok(EntryData::Registered(registered)) => vec![registered.name, registered.owner.name],
        Ok(EntryData::OwnershipTransferred(transferred)) => vec![transferred.owner.name],
        _ => Vec::new(),
    }
}

/// Holds the names that `rows`, entries being written, give their assets.
///
/// Fails when the database fails.
pub fn hold_entries(conn: &mut DbConnection, rows: &[EntryRow]) -> QueryResult<()> {
    let named: Vec<NameRow> = rows
        .iter()
        .flat_map(|row| {
            named_by(row).into_iter().map(|name| NameRow {
                name,
                asset_id: row.asset_id.clone(),
            })
        })
        .collect();
    hold(conn, named)
}

/// Holds that each asset of `named` is known by the name beside it: each pair and each
/// name once. The caller holds the chain's lock, so no other writer adds them meanwhile.
///
/// Fails when the database fails.
pub fn hold(conn: &mut DbConnection, mut named: Vec<NameRow>) -> QueryResult<()> {
    named.sort_unstable();
    named.dedup();
    for chunk in named.chunks(CHUNK) {
        let ids: Vec<&str> = chunk.iter().map(|r| r.asset_id.as_str()).collect();
        let held: HashSet<NameRow> = asset_search_names::table
            .filter(asset_search_names::asset_id.eq_any(&ids))
            .select(NameRow::as_select())
            .load(conn)?
            .into_iter()
            .collect();
        let new: Vec<NameRow> = chunk
            .iter()
            .filter(|r| !held.contains(*r))
            .cloned()
            .collect();
        hold_new(conn, &new)?;
    }
    Ok(())
}

/// Holds the names of new assets, by their rows as registered: the asset's name and
/// its owner's, `(asset id, name, owner's name)`.
///
/// Fails when a pair is held already or the database fails.
pub fn hold_registered<'a>(
    conn: &mut DbConnection,
    assets: impl Iterator<Item = (&'a str, &'a str, &'a str)>,
) -> QueryResult<()> {
    let mut named = Vec::new();
    for (id, name, owner) in assets {
        named.push(NameRow {
            name: name.to_owned(),
            asset_id: id.to_owned(),
        });
        if owner != name {
            named.push(NameRow {
                name: owner.to_owned(),
                asset_id: id.to_owned(),
            });
        }
    }
    hold_new(conn, &named)
}

/// Holds `named`, pairs none of which is held yet, and their names not held yet.
///
/// Fails when a pair is held already or the database fails.
fn hold_new(conn: &mut DbConnection, named: &[NameRow]) -> QueryResult<()> {
    for chunk in named.chunks(CHUNK) {
        insert_asset_search_names(conn, chunk)?;
        let names: BTreeSet<&str> = chunk.iter().map(|r| r.name.as_str()).collect();
        let names: Vec<&str> = names.into_iter().collect();
        insert_search_names(conn, &names)?;
    }
    Ok(())
}

/// The ids of the assets known by a name that holds `text`, when there are at most
/// `most` of them; `None` when there are more.
///
/// Fails when the query fails.
pub fn assets_named(
    conn: &mut DbConnection,
    text: &str,
    most: usize,
) -> QueryResult<Option<Vec<String>>> {
    // Every held search name is some asset's, so more names than `most` are more assets.
    let Some(names) = search_names_holding(conn, text, &like_pattern(text), most)? else {
        return Ok(None);
    };
    let mut ids: Vec<String> = asset_search_names::table
        .filter(asset_search_names::name.eq_any(&names))
        .select(asset_search_names::asset_id)
        .limit(i64::try_from(most).unwrap_or(i64::MAX).saturating_add(1))
        .load(conn)?;
    if ids.len() > most {
        return Ok(None);
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(Some(ids))
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
        let rows: Vec<NameRow> = asset_search_names::table
            .filter(asset_search_names::asset_id.eq_any(chunk))
            .select(NameRow::as_select())
            .load(conn)?;
        for row in rows {
            held.entry(row.asset_id).or_default().insert(row.name);
        }
    }
    Ok(held)
}

/// What is wrong with the held names as a whole, when every asset's names were found
/// to match its entries (`pairs` of them in all), in Chinese: pairs held for no
/// registered asset, or `search_names` not being each held name once.
///
/// Fails when the query fails.
pub fn whole_difference(conn: &mut DbConnection, pairs: i64) -> QueryResult<Option<String>> {
    let held: i64 = asset_search_names::table.count().get_result(conn)?;
    if held != pairs {
        return Ok(Some(format!(
            "资产检索名称有 {held} 条，而台账给出的只有 {pairs} 条（有名称不属于登记在册的资产）"
        )));
    }
    let names: i64 = search_names::table.count().get_result(conn)?;
    let distinct: i64 = asset_search_names::table
        .select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
            "COUNT(DISTINCT name)",
        ))
        .first(conn)?;
    let missing: Option<String> = asset_search_names::table
        .filter(diesel::dsl::not(diesel::dsl::exists(
            search_names::table.filter(search_names::name.eq(asset_search_names::name)),
        )))
        .select(asset_search_names::name)
        .first(conn)
        .optional()?;
    Ok(match missing {
        Some(name) => Some(format!("检索名称表缺少资产检索名称「{name}」")),
        None if names != distinct => Some(format!(
            "检索名称表有 {names} 个名称，而资产检索名称只有 {distinct} 个"
        )),
        None => None,
    })
}
