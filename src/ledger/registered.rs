//! The registered fields, held once: an import writes an asset's fields into its
//! `assets` row (the columns no entry changes) and its `registered_fields` row (the
//! registered values of the fields entries change), both guarded against UPDATE and
//! DELETE like the ledger, and its `registered` entry carries only their digest (see
//! [`chain_held`](super::chain::chain_held)).
//!
//! Readers see no difference: every reading of entries ([`super::store`]) rebuilds a
//! digest entry's data from the held fields, exactly the fields an entry of the earlier
//! form carries. Verification recomputes the digest from the held fields and compares
//! it with the entry's: an edited registered field names its entry and asset. Entries
//! written before the fields were held keep carrying them and verify as they did.

use std::collections::HashMap;

use diesel::prelude::*;
use serde_json::Value;

use super::chain::{fields_digest, stored_digest, EntryRow};
use super::entry::kinds::Registered;
use super::entry::EntryData;
use crate::db::rows::{AssetRow, HeldRow};
use crate::db::schema::{assets, registered_fields};
use crate::db::DbConnection;
use crate::domain::Vocabulary;
use crate::register::AssetRecord;

/// Assets looked up per query.
const CHUNK: usize = 1_000;

impl HeldRow {
    /// The row that holds the registered values of the fields entries change of the
    /// new asset `asset_id` registered as `record`.
    pub fn new(asset_id: &str, record: &AssetRecord) -> Self {
        HeldRow {
            asset_id: asset_id.to_owned(),
            value_fen: record.value.fen(),
            owner_name: record.owner.name.clone(),
            owner_type: record.owner.owner_type.as_str().to_owned(),
            owner_id_number: record.owner.id_number.as_ref().map(ToString::to_string),
            custodian: record.custodian.clone(),
            status: record.status.as_str().to_owned(),
            confirmed_on: record.confirmed_on.map(|d| d.to_string()),
            certificate_no: record.certificate_no.clone(),
        }
    }

    /// Holds the registered fields of new assets, in one statement.
    ///
    /// Fails when an asset's fields are already held or the insert fails.
    pub fn insert_all(conn: &mut DbConnection, rows: &[HeldRow]) -> QueryResult<usize> {
        crate::db::bulk::insert_registered_fields(conn, rows)
    }
}

/// The data of an asset's `registered` entry, rebuilt from its held fields: its
/// unchanging columns with the registered values of the others. `None` when a stored
/// value is not valid for its domain type.
pub fn rebuilt(asset: &AssetRow, held: &HeldRow) -> Option<Value> {
    let mut registered = asset.clone();
    registered.value_fen = held.value_fen;
    registered.owner_name = held.owner_name.clone();
    registered.owner_type = held.owner_type.clone();
    registered.owner_id_number = held.owner_id_number.clone();
    registered.custodian = held.custodian.clone();
    registered.status = held.status.clone();
    registered.confirmed_on = held.confirmed_on.clone();
    registered.certificate_no = held.certificate_no.clone();
    let record = registered.to_record().ok()?;
    Some(EntryData::Registered(Box::new(Registered::from(&record))).to_value())
}

/// The held fields of the assets `ids` (each once), by asset id.
///
/// Fails when the query fails.
fn held_of(
    conn: &mut DbConnection,
    ids: &[&str],
) -> QueryResult<HashMap<String, (AssetRow, HeldRow)>> {
    let mut found = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        let rows: Vec<(AssetRow, HeldRow)> = assets::table
            .inner_join(registered_fields::table.on(registered_fields::asset_id.eq(assets::id)))
            .filter(assets::id.eq_any(chunk))
            .select((AssetRow::as_select(), HeldRow::as_select()))
            .load(conn)?;
        found.extend(rows.into_iter().map(|(a, h)| (a.id.clone(), (a, h))));
    }
    Ok(found)
}

/// The asset ids of the digest entries among `rows`, each once.
fn digest_assets(rows: &[EntryRow]) -> Vec<&str> {
    let mut ids: Vec<&str> = rows
        .iter()
        .filter(|r| stored_digest(r).is_some())
        .map(|r| r.asset_id.as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Gives every `registered` entry among `rows` that carries a digest the data it
/// stands for, rebuilt from the held fields, so that it reads as an entry carrying
/// its fields. An entry whose fields cannot be rebuilt keeps its digest (verification
/// names it).
///
/// Fails when the query fails.
pub fn hydrate(conn: &mut DbConnection, rows: &mut [EntryRow]) -> QueryResult<()> {
    let ids = digest_assets(rows);
    if ids.is_empty() {
        return Ok(());
    }
    let held = held_of(conn, &ids)?;
    for row in rows.iter_mut() {
        if stored_digest(row).is_none() {
            continue;
        }
        if let Some(data) = held.get(&row.asset_id).and_then(|(a, h)| rebuilt(a, h)) {
            row.data = data.to_string();
        }
    }
    Ok(())
}

/// The first of `rows` (as stored, in `seq` order) whose digest does not match the
/// fields the register holds for it: its `seq`, its asset's code and what is wrong,
/// in Chinese.
///
/// Fails when the query fails.
pub fn first_mismatch(
    conn: &mut DbConnection,
    rows: &[EntryRow],
) -> QueryResult<Option<(i64, String, String)>> {
    let ids = digest_assets(rows);
    if ids.is_empty() {
        return Ok(None);
    }
    let held = held_of(conn, &ids)?;
    for row in rows {
        let Some(digest) = stored_digest(row) else {
            continue;
        };
        let (seq, code) = (row.seq, &row.asset_code);
        let problem = match held.get(&row.asset_id) {
            None => Some(format!(
                "条目 {seq}（资产 {code} 的登记）所摘要的登记字段不在册（资产行或登记字段被删除）"
            )),
            Some((asset, _)) if asset.code != *code => Some(format!(
                "条目 {seq}（资产 {code} 的登记）所摘要的登记字段属于资产 {}（资产行被改动）",
                asset.code
            )),
            Some((asset, fields)) => match rebuilt(asset, fields) {
                None => Some(format!(
                    "条目 {seq}（资产 {code} 的登记）的登记字段有无效的值（登记字段被改动）"
                )),
                Some(data) => match fields_digest(row, data) {
                    Ok(computed) if computed == digest => None,
                    Ok(_) => Some(format!(
                        "条目 {seq}（资产 {code} 的登记）的登记字段与其摘要不符（登记字段被改动）"
                    )),
                    Err(error) => Some(format!(
                        "条目 {seq}（资产 {code} 的登记）无法计算登记字段的摘要：{}",
                        error.chinese()
                    )),
                },
            },
        };
        if let Some(problem) = problem {
            return Ok(Some((seq, code.clone(), problem)));
        }
    }
    Ok(None)
}
