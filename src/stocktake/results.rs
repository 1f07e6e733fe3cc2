//! Recording results: each row checked (the asset known, in the caller's scope, on the
//! campaign's list and not disposed; a result, a date; no asset twice), then, only when
//! every row passes, all of them appended to the ledger as `inspection` entries in one
//! transaction that holds the chain's lock — chained, tied to the campaign, and the
//! assets' rows and the campaign's list brought up to date by a few set-wise updates,
//! so that a whole county's upload goes in at once.

use std::collections::{HashMap, HashSet};

use super::campaign::{closed, find, Campaign, CampaignStatus, StocktakeError};
use super::rows::{text, Checked};
pub use super::rows::{
    CheckedUpload, Columns, Origin, ResultError, ResultField, ResultInput, ShapeError,
    LISTED_ERRORS,
};
use crate::db::schema::{assets, stocktake_assets};
use crate::db::stocktake_rows::{insert_results, StocktakeResultRow};
use crate::db::DbConnection;
use crate::domain::codes::code_key;
use crate::domain::dates::timestamp_now;
use crate::domain::{Scope, Vocabulary};
use crate::ledger::entry::kinds::Inspection;
use crate::ledger::entry::EntryData;
use crate::ledger::entry::EntryRequest;
use crate::ledger::{chain, insert_rows, lock_head, store_head, EntryPlace, NewEntry};
use crate::register::scope::{assets_query, literal};
use crate::register::store::AssetRow;
use diesel::prelude::*;

/// Codes looked up, and entries inserted, per statement.
const ROWS_PER_QUERY: usize = 1000;

/// What an accepted upload recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// How many results.
    pub count: usize,
    /// The first and last `seq` of their entries.
    pub seqs: Option<(i64, i64)>,
}

/// An asset as the codes of an upload find it.
struct Found {
    id: String,
    code: String,
    disposed: bool,
    place: EntryPlace,
}

/// The assets the rows name, by code key; the ids of those in the caller's scope; the
/// ids of those on the campaign's list.
type LookedUp = (HashMap<String, Found>, HashSet<String>, HashSet<String>);

/// The assets the rows name, by code key; those of them in `scope`; those of them on
/// the campaign's list.
fn look_up(
    conn: &mut DbConnection,
    scope: &Scope,
    campaign: &Campaign,
    rows: &[Checked],
) -> QueryResult<LookedUp> {
    let mut found = HashMap::new();
    let mut in_scope = HashSet::new();
    let mut listed = HashSet::new();
    for chunk in rows.chunks(ROWS_PER_QUERY) {
        let keys: Vec<&str> = chunk.iter().map(|r| r.key.as_str()).collect();
        let rows: Vec<AssetRow> = assets::table
            .filter(assets::code_key.eq_any(&keys))
            .select(AssetRow::as_select())
            .load(conn)?;
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        for row in rows {
            let key = row.code_key.clone().unwrap_or_else(|| code_key(&row.code));
            let place = EntryPlace::of(&row);
            found.insert(
                key,
                Found {
                    disposed: row.status == "disposed",
                    id: row.id,
                    code: row.code,
                    place,
                },
            );
        }
        in_scope.extend(
            assets_query(scope)
                .filter(assets::id.eq_any(&ids))
                .select(assets::id)
                .load::<String>(conn)?,
        );
        listed.extend(
            stocktake_assets::table
                .filter(stocktake_assets::stocktake_id.eq(&campaign.id))
                .filter(stocktake_assets::asset_id.eq_any(&ids))
                .select(stocktake_assets::asset_id)
                .load::<String>(conn)?,
        );
    }
    Ok((found, in_scope, listed))
}

/// Records the results of `upload` (checked row by row before) in the campaign `id`
/// seen by `scope`, written by `actor`: all of them, or none.
///
/// Fails with [`StocktakeError::NotFound`], the rules `campaign_closed` and
/// `no_results`, [`StocktakeError::Rejected`] listing every row's errors (`required`,
/// `duplicate_in_upload`, `invalid_result`, `invalid_date`, `field_too_long`,
/// `unknown_asset` (also for an asset outside `scope`), `not_in_campaign`,
/// `asset_disposed`, `invalid_value`
/// and `unknown_attachment` on `attachments`), or when the
/// database fails; nothing is written then.
pub fn record(
    conn: &mut DbConnection,
    scope: &Scope,
    actor: &str,
    id: &str,
    upload: &CheckedUpload,
) -> Result<Recorded, StocktakeError> {
    conn.transaction(|conn| {
        let head = lock_head(conn)?;
        let campaign = find(conn, scope, id)?;
        if campaign.status == CampaignStatus::Closed {
            return Err(closed(&campaign));
        }
        if upload.is_empty() {
            return Err(super::campaign::rule(
                "no_results",
                "results",
                "没有要记录的盘点结果（文件中没有填写盘点结果的行）".to_owned(),
            ));
        }
        let (inputs, mut errors, rows) = upload.parts();
        let (found, in_scope, listed) = look_up(conn, scope, &campaign, rows)?;
        let mut targets: Vec<(&Checked, &Found)> = Vec::with_capacity(rows.len());
        for row in rows {
            let code = text(&inputs[row.at].asset_code).unwrap_or_default();
            // Outside the scope an asset does not exist for the token: the same answer
            // as for a code nobody registered, which tells nothing of other places.
            let Some(asset) = found.get(&row.key).filter(|a| in_scope.contains(&a.id)) else {
                errors.add(
                    row.at,
                    ResultField::AssetCode,
                    "unknown_asset",
                    format!("没有资产编号为“{code}”的资产"),
                );
                continue;
            };
            if !listed.contains(&asset.id) {
                errors.add(
                    row.at,
                    ResultField::AssetCode,
                    "not_in_campaign",
                    format!(
                        "资产“{}”不在盘点“{}”的清单中（开始盘点时已处置、不在盘点范围内，或此后才登记）",
                        asset.code, campaign.name
                    ),
                );
            } else if asset.disposed {
                errors.add(
                    row.at,
                    ResultField::AssetCode,
                    "asset_disposed",
                    format!("资产“{}”已处置，不能记录盘点结果", asset.code),
                );
            } else if let Some(digest) =
                crate::ledger::attachments::first_unknown(conn, &row.attachments)?
            {
                errors.add(
                    row.at,
                    ResultField::Attachments,
                    "unknown_attachment",
                    format!("没有 SHA-256 为 {digest} 的附件：请先上传附件（POST /api/v1/attachments）"),
                );
            } else {
                targets.push((row, asset));
            }
        }
        if errors.count > 0 {
            return Err(errors.into_rejection());
        }
        write(conn, &campaign, actor, head, &targets)
    })
}

/// Appends the checked results and brings the campaign's list and the assets' rows up
/// to date; the caller holds the chain's lock at `head`.
fn write(
    conn: &mut DbConnection,
    campaign: &Campaign,
    actor: &str,
    head: crate::ledger::Head,
    targets: &[(&Checked, &Found)],
) -> Result<Recorded, StocktakeError> {
    let now = timestamp_now();
    let entries: Vec<NewEntry> = targets
        .iter()
        .map(|(row, asset)| {
            let request = EntryRequest {
                occurred_on: row.checked_on,
                data: EntryData::Inspection(Inspection {
                    result: row.result,
                    note: row.note.clone(),
                }),
                attachments: row.attachments.clone(),
            };
            let data = &request.data;
            NewEntry {
                asset_id: asset.id.clone(),
                asset_code: asset.code.clone(),
                kind: data.kind().as_str(),
                occurred_on: row.checked_on.to_string(),
                recorded_at: now.clone(),
                actor: actor.to_owned(),
                data: request.stored_data(),
                batch_id: None,
                place: asset.place.clone(),
            }
        })
        .collect();
    let before = head.seq;
    let (rows, new_head) = chain(&head, entries);
    for chunk in rows.chunks(ROWS_PER_QUERY) {
        insert_rows(conn, chunk)?;
    }
    let results: Vec<StocktakeResultRow> = rows
        .iter()
        .zip(targets)
        .map(|(entry, (row, asset))| StocktakeResultRow {
            seq: entry.seq,
            stocktake_id: campaign.id.clone(),
            asset_id: asset.id.clone(),
            result: row.result.as_str().to_owned(),
            checked_on: row.checked_on.to_string(),
        })
        .collect();
    insert_results(conn, &results)?;
    let id = literal(&campaign.id);
    diesel::sql_query(format!(
        "UPDATE stocktake_assets SET result = r.result, checked_on = r.checked_on, seq = r.seq \
         FROM stocktake_results r WHERE r.stocktake_id = {id} AND r.seq > {before} \
         AND stocktake_assets.stocktake_id = {id} AND stocktake_assets.asset_id = r.asset_id"
    ))
    .execute(conn)?;
    diesel::sql_query(format!(
        "UPDATE assets SET last_seq = r.seq FROM stocktake_results r \
         WHERE r.stocktake_id = {id} AND r.seq > {before} AND assets.id = r.asset_id"
    ))
    .execute(conn)?;
    let codes: Vec<&str> = targets
        .iter()
        .map(|(_, asset)| asset.code.as_str())
        .collect();
    crate::reconcile::findings::maintain::refresh_assets(conn, &codes)?;
    store_head(conn, &new_head)?;
    for _ in &rows {
        crate::observe::metrics::METRICS.ledger_append();
    }
    Ok(Recorded {
        count: rows.len(),
        seqs: rows.first().zip(rows.last()).map(|(f, l)| (f.seq, l.seq)),
    })
}
