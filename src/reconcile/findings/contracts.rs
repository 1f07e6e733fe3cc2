//! The three contract findings (`income_below_contract`, `contract_expiring`,
//! `contract_expired`), read from the contracts the ledger holds, and the dates on
//! which each turns on (which the kept findings index).

use chrono::{Days, NaiveDate};
use diesel::prelude::*;

use super::{asset_finding, Finding};
use crate::db::schema::{assets, ledger_entries};
use crate::db::DbConnection;
use crate::domain::dates::today_in_china;
use crate::domain::{shown, Scope, Vocabulary};
use crate::ledger::contracts::{active_on, contracts_of, Contract, EXPIRING_WITHIN_DAYS};
use crate::ledger::EntryRow;
use crate::register::scope::asset_sql_expression;

/// The entry kinds the contract findings read.
pub(super) const CONTRACT_KINDS: [&str; 4] =
    ["contract_signed", "contract_ended", "income", "correction"];

/// The last day `contract_expiring` looks ahead to from `today`.
pub(super) fn expiring_until(today: NaiveDate) -> NaiveDate {
    today
        .checked_add_days(Days::new(EXPIRING_WITHIN_DAYS))
        .unwrap_or(today)
}

/// The contract findings of one live asset of `class`, from its entries of
/// [`CONTRACT_KINDS`] in `seq` order, as of `today`: `(below, expiring, expired)`.
pub(super) fn of_asset(
    code: &str,
    class: &str,
    rows: &[EntryRow],
    today: NaiveDate,
) -> (Option<Finding>, Option<Finding>, Option<Finding>) {
    let Some(contracts) = contracts_of(rows) else {
        return (None, None, None);
    };
    let soon = expiring_until(today);
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
    let below = (!short.is_empty())
        .then(|| asset_finding("income_below_contract", code.to_owned(), short.join("；")));
    let Some(latest) = latest(&contracts) else {
        return (below, None, None);
    };
    let last = latest.last_day();
    let contract = format!(
        "与{}的{}合同",
        latest.terms.counterparty,
        latest.terms.mode.label()
    );
    let mut expiring = None;
    if today <= last && last <= soon && latest.ended.is_none() {
        let days = (last - today).num_days();
        expiring = Some(asset_finding(
            "contract_expiring",
            code.to_owned(),
            format!("{contract} {last} 到期，还有 {days} 天，尚无续签合同"),
        ));
    }
    let mut expired = None;
    if last < today && class == "operating" && active_on(&contracts, today).is_none() {
        let how = match &latest.ended {
            Some((on, reason)) => format!("已于 {on} 终止（{reason}）"),
            None => format!("已于 {last} 到期"),
        };
        expired = Some(asset_finding(
            "contract_expired",
            code.to_owned(),
            format!("{contract}{how}，此后没有新合同，资产仍为经营性资产"),
        ));
    }
    (below, expiring, expired)
}

fn latest(contracts: &[Contract]) -> Option<&Contract> {
    contracts.iter().max_by_key(|c| (c.last_day(), c.seq))
}

/// The days on which the contract findings of an asset of `class` turn on, whatever
/// the day: `(below, expiring, expired)`. `below` is the last day of the earliest
/// contract year that fell short (the finding holds from the day after), `expiring`
/// the last day of its latest contract when that was not ended early (it holds from
/// [`EXPIRING_WITHIN_DAYS`] days before to that day), `expired` that last day for an
/// operating asset (it holds from the day after: no contract holds once the latest
/// has run out).
pub(super) fn dates_of(
    class: &str,
    rows: &[EntryRow],
) -> (Option<NaiveDate>, Option<NaiveDate>, Option<NaiveDate>) {
    let Some(contracts) = contracts_of(rows) else {
        return (None, None, None);
    };
    let below = contracts
        .iter()
        .flat_map(|c| c.years.iter())
        .filter(|y| {
            y.expected
                .fen()
                .checked_sub(y.received.fen())
                .is_some_and(|short| short > 0)
        })
        .map(|y| y.last)
        .min();
    let Some(latest) = latest(&contracts) else {
        return (below, None, None);
    };
    let last = latest.last_day();
    let expiring = latest.ended.is_none().then_some(last);
    let expired = (class == "operating").then_some(last);
    (below, expiring, expired)
}

/// The entries of [`CONTRACT_KINDS`] of the assets `codes`, in `(asset_code, seq)`
/// order.
///
/// Fails when the query fails.
pub(super) fn contract_entries(
    conn: &mut DbConnection,
    codes: &[&str],
) -> QueryResult<Vec<EntryRow>> {
    ledger_entries::table
        .filter(ledger_entries::asset_code.eq_any(codes))
        .filter(ledger_entries::kind.eq_any(CONTRACT_KINDS))
        .order((ledger_entries::asset_code, ledger_entries::seq))
        .select(EntryRow::as_select())
        .load(conn)
}

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
    let (mut below, mut expiring, mut expired) = (Vec::new(), Vec::new(), Vec::new());
    for chunk in assets_with.chunks(500) {
        let codes: Vec<&str> = chunk.iter().map(|(code, _)| code.as_str()).collect();
        let rows = contract_entries(conn, &codes)?;
        for (code, class) in chunk {
            let of_asset_rows: Vec<EntryRow> = rows
                .iter()
                .filter(|r| &r.asset_code == code)
                .cloned()
                .collect();
            let (b, e, x) = of_asset(code, class, &of_asset_rows, today);
            below.extend(b);
            expiring.extend(e);
            expired.extend(x);
        }
    }
    Ok((below, expiring, expired))
}
