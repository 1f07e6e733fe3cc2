//! Every asset's row compared with the fold of its entries, and the names held for
//! searching it with those its entries give: assets in code order, a page at a time with
//! their entries, so memory stays bounded at millions of assets.

use std::collections::BTreeSet;

use diesel::prelude::*;

use crate::db::rows::AssetRow;
use crate::db::schema::{assets, ledger_entries};
use crate::db::DbConnection;
use crate::domain::Vocabulary;
use crate::ledger::chain::EntryRow;
use crate::ledger::entry::EntryData;
use crate::ledger::projection::{fold, Folded};
use crate::ledger::search_names;

/// Assets compared per page.
const PAGE: i64 = 500;

/// What the comparison found.
pub(super) struct Compared {
    /// Assets compared (up to and including the first bad one).
    pub assets: i64,
    /// The first asset whose row differs, and how.
    pub failure: Option<(String, String)>,
}

/// Compares every asset with the fold of its entries, and the names held for searching
/// it with those its entries give; `entries` is how many entries the chain holds, all of which
/// must belong to an asset, as every name held must.
///
/// Fails only when the database fails.
pub(super) fn compare(conn: &mut DbConnection, entries: i64) -> QueryResult<Compared> {
    let mut after: Option<String> = None;
    let mut count = 0i64;
    let mut seen_entries = 0i64;
    let mut seen_names = 0i64;
    loop {
        let mut query = assets::table
            .order(assets::code)
            .limit(PAGE)
            .select(AssetRow::as_select())
            .into_boxed();
        if let Some(code) = &after {
            query = query.filter(assets::code.gt(code.clone()));
        }
        let page: Vec<AssetRow> = query.load(conn)?;
        let Some(last) = page.last() else { break };
        after = Some(last.code.clone());
        let codes: Vec<&str> = page.iter().map(|a| a.code.as_str()).collect();
        let mut rows: Vec<EntryRow> = ledger_entries::table
            .filter(ledger_entries::asset_code.eq_any(&codes))
            .order((ledger_entries::asset_code, ledger_entries::seq))
            .select(EntryRow::as_select())
            .load(conn)?;
        // The walk has checked every digest against the held fields.
        crate::ledger::registered::hydrate(conn, &mut rows)?;
        seen_entries += rows.len() as i64;
        let ids: Vec<&str> = page.iter().map(|a| a.id.as_str()).collect();
        let mut held_names = search_names::held_for(conn, &ids)?;
        let mut rest = rows.as_slice();
        for asset in &page {
            count += 1;
            let split = rest
                .iter()
                .position(|r| r.asset_code != asset.code)
                .unwrap_or(rest.len());
            let (own, others) = rest.split_at(split);
            rest = others;
            let held = held_names.remove(&asset.id).unwrap_or_default();
            seen_names += held.len() as i64;
            let problem = difference(asset, own).or_else(|| names_difference(asset, own, &held));
            if let Some(problem) = problem {
                return Ok(Compared {
                    assets: count,
                    failure: Some((asset.code.clone(), problem)),
                });
            }
        }
        if (page.len() as i64) < PAGE {
            break;
        }
    }
    if seen_entries != entries {
        let problem = format!(
            "台账有 {entries} 条条目，其中只有 {seen_entries} 条属于登记在册的资产（有资产行被删除或改了编号）"
        );
        return Ok(Compared {
            assets: count,
            failure: Some(("-".to_owned(), problem)),
        });
    }
    if let Some(problem) = search_names::whole_difference(conn, seen_names)? {
        return Ok(Compared {
            assets: count,
            failure: Some(("-".to_owned(), problem)),
        });
    }
    Ok(Compared {
        assets: count,
        failure: None,
    })
}

/// What differs between the names held for an asset and those its entries (in `seq`
/// order) give it, in Chinese; `None` when nothing does.
fn names_difference(
    asset: &AssetRow,
    entries: &[EntryRow],
    held: &BTreeSet<String>,
) -> Option<String> {
    let given: BTreeSet<String> = entries.iter().flat_map(search_names::named_by).collect();
    (given != *held).then(|| {
        let list = |names: &BTreeSet<String>| names.iter().cloned().collect::<Vec<_>>().join("、");
        format!(
            "资产 {} 的检索名称记为「{}」，而台账给出的是「{}」",
            asset.code,
            list(held),
            list(&given)
        )
    })
}

/// What differs between an asset's row and the fold of its entries (given in `seq`
/// order), in Chinese; `None` when nothing does.
fn difference(asset: &AssetRow, entries: &[EntryRow]) -> Option<String> {
    let code = &asset.code;
    let Some(first) = entries.first() else {
        return Some(format!("资产 {code} 在台账中没有条目"));
    };
    if let Some(stray) = entries.iter().find(|e| e.asset_id != asset.id) {
        return Some(format!(
            "资产 {code} 的 id 为 {}，而台账第 {} 条记的是 {}",
            asset.id, stray.seq, stray.asset_id
        ));
    }
    let mut data = Vec::with_capacity(entries.len());
    for entry in entries {
        match EntryData::from_stored(&entry.kind, &entry.data) {
            Ok(parsed) => data.push(parsed),
            Err(_) => {
                return Some(format!(
                    "资产 {code} 的台账第 {} 条数据与其种类不符",
                    entry.seq
                ))
            }
        }
    }
    let folded: Vec<Folded<'_>> = entries
        .iter()
        .zip(&data)
        .map(|(e, d)| Folded {
            seq: e.seq,
            data: d,
        })
        .collect();
    let state = match fold(&folded) {
        Ok(Some(state)) => state,
        Ok(None) => return Some(format!("资产 {code} 在台账中没有登记条目")),
        Err(error) => return Some(format!("资产 {code} 的台账无法折算：{error}")),
    };
    let Some((registered_entry, EntryData::Registered(registered))) = entries
        .iter()
        .zip(&data)
        .find(|(_, d)| matches!(d, EntryData::Registered(_)))
    else {
        return Some(format!("资产 {code} 在台账中没有登记条目"));
    };
    let last_seq = entries.last().map_or(first.seq, |e| e.seq);
    let value_events = data.iter().any(|d| d.kind().changes_value());
    let text = |value: Option<&str>| value.unwrap_or("（空）").to_owned();
    let expected: [(&str, String, String); 26] = [
        (
            "project_code",
            asset.project_code.clone(),
            registered.project_code.to_string(),
        ),
        ("name", asset.name.clone(), registered.name.clone()),
        (
            "class",
            asset.class.clone(),
            registered.class.as_str().to_owned(),
        ),
        (
            "quantity",
            text(asset.quantity.as_deref()),
            text(
                registered
                    .quantity
                    .as_ref()
                    .map(ToString::to_string)
                    .as_deref(),
            ),
        ),
        (
            "unit",
            text(asset.unit.as_deref()),
            text(registered.unit.as_deref()),
        ),
        ("town", asset.town.clone(), registered.town.clone()),
        (
            "village",
            text(asset.village.as_deref()),
            text(registered.village.as_deref()),
        ),
        (
            "batch_id",
            asset.batch_id.clone(),
            text(registered_entry.batch_id.as_deref()),
        ),
        (
            "created_at",
            asset.created_at.clone(),
            registered_entry.recorded_at.clone(),
        ),
        (
            "registered_on",
            asset.registered_on.clone(),
            registered_entry.occurred_on.clone(),
        ),
        (
            "owner_name",
            asset.owner_name.clone(),
            state.owner_name.clone(),
        ),
        (
            "owner_type",
            asset.owner_type.clone(),
            state.owner_type.clone(),
        ),
        (
            "owner_id_number",
            text(asset.owner_id_number.as_deref()),
            text(state.owner_id_number.as_deref()),
        ),
        (
            "custodian",
            text(asset.custodian.as_deref()),
            text(state.custodian.as_deref()),
        ),
        (
            "status",
            asset.status.clone(),
            state.status.as_str().to_owned(),
        ),
        (
            "confirmed_on",
            text(asset.confirmed_on.as_deref()),
            text(state.confirmed_on.as_deref()),
        ),
        (
            "certificate_no",
            text(asset.certificate_no.as_deref()),
            text(state.certificate_no.as_deref()),
        ),
        (
            "value_fen",
            asset.value_fen.to_string(),
            state.value.fen().to_string(),
        ),
        (
            "income_fen",
            asset.income_fen.to_string(),
            state.income.fen().to_string(),
        ),
        (
            "distributed_fen",
            asset.distributed_fen.to_string(),
            state.distributed.fen().to_string(),
        ),
        ("last_seq", asset.last_seq.to_string(), last_seq.to_string()),
        (
            "has_value_events",
            asset.has_value_events.to_string(),
            i32::from(value_events).to_string(),
        ),
        ("code", asset.code.clone(), first.asset_code.clone()),
        (
            "details",
            text(asset.details.as_deref()),
            text(crate::register::store::details_json(&registered.details).as_deref()),
        ),
        (
            "condition",
            text(asset.condition.as_deref()),
            text(registered.details.condition.map(|c| c.as_str())),
        ),
        (
            "operating_mode",
            text(asset.operating_mode.as_deref()),
            text(registered.details.operating_mode.map(|m| m.as_str())),
        ),
    ];
    expected
        .into_iter()
        .find(|(_, row, folded)| row != folded)
        .map(|(field, row, folded)| {
            // ID numbers are named, not shown: the message may be logged or printed.
            let (row, folded) = if field == "owner_id_number" || field == "details" {
                (masked(&row), masked(&folded))
            } else {
                (row, folded)
            };
            format!("资产 {code} 的 {field} 为 {row}，而按台账折算应为 {folded}（资产行被改动）")
        })
}

fn masked(text: &str) -> String {
    crate::domain::id_number::mask(text)
}
