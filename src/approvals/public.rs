//! What the public sees of a notice: the village's open notices and the printable
//! notice — the asset, place and period, a distribution's households by name and amount,
//! never an ID number.

use diesel::prelude::*;
use serde_json::Value;

use super::notices::NoticeRow;
use super::proposals::{ProposalRow, ProposalStatus};
use crate::db::schema::{assets, notices, proposals};
use crate::db::DbConnection;
use crate::domain::Vocabulary;
use crate::ledger::entry::{parse_kept_entry, EntryData};
use crate::register::public::{
    village_notice, NoticeError, PublicDistributionLine, PublicNotice, VillageNotice,
};

/// What a notice makes public of its proposal's entry: amount, period, lines.
fn content_of(body: &str) -> (Option<String>, Option<String>, Vec<PublicDistributionLine>) {
    let parsed = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| parse_kept_entry(&v).ok());
    match parsed.map(|p| p.data) {
        Some(EntryData::IncomeDistributed(d)) => (
            Some(d.amount.to_string()),
            Some(d.period.clone()),
            d.lines
                .unwrap_or_default()
                .into_iter()
                .map(|l| PublicDistributionLine {
                    name: l.name,
                    amount: l.amount.to_string(),
                })
                .collect(),
        ),
        Some(EntryData::Disposed(d)) => (d.proceeds.map(|p| p.to_string()), None, Vec::new()),
        _ => (None, None, Vec::new()),
    }
}

/// The notice `row` of `proposal` as the public sees it.
///
/// Fails when the query fails.
pub fn public_notice(
    conn: &mut DbConnection,
    row: &NoticeRow,
    proposal: &ProposalRow,
) -> QueryResult<PublicNotice> {
    let asset_name: String = assets::table
        .find(&proposal.asset_id)
        .select(assets::name)
        .first(conn)
        .optional()?
        .unwrap_or_default();
    let (amount, period, lines) = content_of(&proposal.body);
    let label = proposal.label(conn)?;
    Ok(PublicNotice {
        id: row.id.clone(),
        subject: format!("{label}：{asset_name}（{}）", proposal.asset_code),
        asset_code: proposal.asset_code.clone(),
        kind: proposal.kind.clone(),
        place: row.place.clone(),
        starts_on: row.starts_on.clone(),
        ends_on: row.ends_on.clone(),
        amount,
        period,
        lines,
    })
}

/// The public notice of `village` in `town` (`register::public`) with its open notices;
/// `None` when the register holds no asset there.
///
/// Fails when a query fails or the names are not valid.
pub fn village_notice_with_open(
    conn: &mut DbConnection,
    town: &str,
    village: &str,
) -> Result<Option<VillageNotice>, NoticeError> {
    let Some(mut notice) = village_notice(conn, town, village)? else {
        return Ok(None);
    };
    notice.notices = open_in_village(conn, town, village)?;
    Ok(Some(notice))
}

/// The open notices of a village: those of proposals still pending on its assets,
/// newest first.
///
/// Fails when the query fails.
pub fn open_in_village(
    conn: &mut DbConnection,
    town: &str,
    village: &str,
) -> QueryResult<Vec<PublicNotice>> {
    let rows: Vec<(NoticeRow, ProposalRow)> = notices::table
        .inner_join(proposals::table.on(proposals::id.eq(notices::proposal_id)))
        .filter(proposals::status.eq(ProposalStatus::Pending.as_str()))
        .filter(
            proposals::asset_id.eq_any(
                assets::table
                    .filter(assets::town.eq(town))
                    .filter(assets::village.eq(village))
                    .select(assets::id),
            ),
        )
        .order((notices::starts_on.desc(), notices::id.desc()))
        .select((NoticeRow::as_select(), ProposalRow::as_select()))
        .load(conn)?;
    rows.iter()
        .map(|(notice, proposal)| public_notice(conn, notice, proposal))
        .collect()
}
