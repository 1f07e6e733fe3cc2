//! The three contract findings (`income_below_contract`, `contract_expiring`,
//! `contract_expired`), read from the contracts the ledger holds.

use chrono::Days;
use diesel::prelude::*;

use super::{asset_finding, Finding};
use crate::db::schema::{assets, ledger_entries};
use crate::db::DbConnection;
use crate::domain::dates::today_in_china;
use crate::domain::{shown, Scope, Vocabulary};
use crate::ledger::contracts::{active_on, contracts_of, EXPIRING_WITHIN_DAYS};
use crate::ledger::EntryRow;
use crate::register::scope::asset_sql_expression;

/// The three contract findings about the live assets in `scope` that have a contract,
/// each ordered by code: `income_below_contract` (contract years run by today whose
/// income fell short), `contract_expiring` (the current contract ends within
/// [`EXPIRING_WITHIN_DAYS`] days and nothing follows it), `contract_expired` (an
/// operating asset whose last contract has ended and none holds today).
pub(super) fn contract_findings(
    conn: &mut DbConnection,
    scope: &Scope,
) -> QueryResult<(Vec<Finding>, Vec<Finding>, Vec<Finding>)> {
    let with_contract = diesel::dsl::exists(
        ledger_entries::table
            .filter(ledger_entries::asset_code.eq(assets::code))
            .filter(ledger_entries::kind.eq("contract_signed")),
    );
    let assets_with: Vec<(String, String)> = assets::table
        .filter(assets::status.ne("disposed"))
        .filter(asset_sql_expression(scope))
        .filter(with_contract)
        .order(assets::code)
        .select((assets::code, assets::class))
        .load(conn)?;
    let today = today_in_china();
    let soon = today
        .checked_add_days(Days::new(EXPIRING_WITHIN_DAYS))
        .unwrap_or(today);
    let (mut below, mut expiring, mut expired) = (Vec::new(), Vec::new(), Vec::new());
    for chunk in assets_with.chunks(500) {
        let codes: Vec<&str> = chunk.iter().map(|(code, _)| code.as_str()).collect();
        let rows: Vec<EntryRow> = ledger_entries::table
            .filter(ledger_entries::asset_code.eq_any(&codes))
            .filter(ledger_entries::kind.eq_any([
                "contract_signed",
                "contract_ended",
                "income",
                "correction",
            ]))
            .order((ledger_entries::asset_code, ledger_entries::seq))
            .select(EntryRow::as_select())
            .load(conn)?;
        for (code, class) in chunk {
            let of_asset: Vec<EntryRow> = rows
                .iter()
                .filter(|r| &r.asset_code == code)
                .cloned()
                .collect();
            let Some(contracts) = contracts_of(&of_asset) else {
                continue;
            };
            let short: Vec<String> = contracts
                .iter()
                .flat_map(|c| {
                    c.shortfalls(today).into_iter().map(|(year, short)| {
                        format!(
                            "{}合同第 {} 年（{} 至 {}）应收 {} 元，实收 {} 元，短收 {} 元",
                            c.terms.mode.label(),
                            year.number,
                            year.first,
                            year.last,
                            shown::yuan(year.expected.fen()),
                            shown::yuan(year.received.fen()),
                            shown::yuan(short.fen())
                        )
                    })
                })
                .collect();
            if !short.is_empty() {
                below.push(asset_finding(
                    "income_below_contract",
                    code.clone(),
                    short.join("；"),
                ));
            }
            let Some(latest) = contracts.iter().max_by_key(|c| (c.last_day(), c.seq)) else {
                continue;
            };
            let last = latest.last_day();
            let counterparty = &latest.terms.counterparty;
            if today <= last && last <= soon && latest.ended.is_none() {
                let days = (last - today).num_days();
                expiring.push(asset_finding(
                    "contract_expiring",
                    code.clone(),
                    format!(
                        "与{counterparty}的{}合同 {last} 到期，还有 {days} 天，尚无续签合同",
                        latest.terms.mode.label()
                    ),
                ));
            }
            if last < today && class == "operating" && active_on(&contracts, today).is_none() {
                let how = match &latest.ended {
                    Some((on, reason)) => format!("已于 {on} 终止（{reason}）"),
                    None => format!("已于 {last} 到期"),
                };
                expired.push(asset_finding(
                    "contract_expired",
                    code.clone(),
                    format!(
                        "与{counterparty}的{}合同{how}，此后没有新合同，资产仍为经营性资产",
                        latest.terms.mode.label()
                    ),
                ));
            }
        }
    }
    Ok((below, expiring, expired))
}
