//! The kept rows of the findings an asset's ledger entries make (`operating_without_income`,
//! `idle_or_damaged` and the three contract findings), folded from its entries of
//! those kinds with corrections applied by the one rule every ledger reader uses.

use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};

use super::contracts::dates_of;
use super::income;
use super::recompute::inspection_text;
use super::FindingKind;
use crate::db::finding_rows::FindingRow;
use crate::db::schema::ledger_entries;
use crate::db::DbConnection;
use crate::domain::dates::today_in_china;
use crate::ledger::entry::EntryData;
use crate::ledger::projection::cancelled_by;
use crate::ledger::EntryRow;
use crate::register::scope::literal;

/// The entry kinds these findings read.
pub(super) const LEDGER_KINDS: [&str; 5] = [
    "income",
    "inspection",
    "contract_signed",
    "contract_ended",
    "correction",
];

/// The kinds of findings kept from the ledger, by their place in the list (and the
/// rank of the `operating_without_income` rows an income holds back).
pub(super) fn ledger_ranks() -> [i32; 6] {
    let [operating, idle, below, expiring, expired] = [
        "operating_without_income",
        "idle_or_damaged",
        "income_below_contract",
        "contract_expiring",
        "contract_expired",
    ]
    .map(rank_of);
    [
        operating,
        income::held_rank(),
        idle,
        below,
        expiring,
        expired,
    ]
}

/// The place of the kind `kind` in the list, as `findings.rank` holds it.
pub(super) fn rank_of(kind: &str) -> i32 {
    FindingKind::parse(kind)
        .and_then(|k| i32::try_from(k.index()).ok())
        .unwrap_or(-1)
}

/// Where a finding stands: the town, village and project's department of its project
/// or asset, as a query reads them.
#[derive(Debug, Clone, QueryableByName)]
pub(super) struct Place {
    #[diesel(sql_type = Text)]
    pub town: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub village: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub department: Option<String>,
}

impl Place {
    /// The row of the finding ranked `rank` about the project or asset `code`, here.
    pub fn row(
        self,
        rank: i32,
        code: String,
        on_date: Option<String>,
        detail: Option<String>,
    ) -> FindingRow {
        FindingRow {
            rank,
            code,
            town: self.town,
            village: self.village.unwrap_or_default(),
            department: self.department.unwrap_or_default(),
            on_date,
            flag: 0,
            detail,
        }
    }
}

/// An asset as its kept findings see it.
#[derive(Debug, Clone, QueryableByName)]
pub(super) struct Placed {
    #[diesel(sql_type = Text)]
    pub code: String,
    #[diesel(sql_type = Text)]
    pub class: String,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(embed)]
    pub place: Place,
}

impl Placed {
    /// A row of `kind` about this asset.
    pub fn row(&self, kind: &str, on_date: Option<String>, detail: Option<String>) -> FindingRow {
        self.place
            .clone()
            .row(rank_of(kind), self.code.clone(), on_date, detail)
    }
}

/// The assets with codes `codes`, with their project's department.
///
/// Fails when the query fails.
pub(super) fn placed(conn: &mut DbConnection, codes: &[&str]) -> QueryResult<Vec<Placed>> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = codes.iter().map(|c| literal(c)).collect();
    diesel::sql_query(format!(
        "SELECT a.code AS code, a.class AS class, a.status AS status, a.town AS town, \
         a.village AS village, p.department AS department \
         FROM assets a JOIN projects p ON p.code = a.project_code WHERE a.code IN ({})",
        list.join(", ")
    ))
    .load(conn)
}

/// The entries of [`LEDGER_KINDS`] of the assets `codes`, in `(asset_code, seq)` order.
///
/// Fails when the query fails.
pub(super) fn ledger_entries_of(
    conn: &mut DbConnection,
    codes: &[&str],
) -> QueryResult<Vec<EntryRow>> {
    ledger_entries::table
        .filter(ledger_entries::asset_code.eq_any(codes))
        .filter(ledger_entries::kind.eq_any(LEDGER_KINDS))
        .order((ledger_entries::asset_code, ledger_entries::seq))
        .select(EntryRow::as_select())
        .load(conn)
}

/// The kept rows of the ledger's findings about `asset`, from its entries of
/// [`LEDGER_KINDS`] in `seq` order: none for a disposed asset.
pub(super) fn ledger_rows(asset: &Placed, rows: &[EntryRow]) -> Vec<FindingRow> {
    if asset.status == "disposed" {
        return Vec::new();
    }
    let cancelled =
        cancelled_by(rows.iter().rev().filter_map(|row| {
            match EntryData::from_stored(&row.kind, &row.data) {
                Ok(EntryData::Correction(correction)) => Some((row.seq, correction.corrects)),
                _ => None,
            }
        }));
    let live = || rows.iter().filter(|row| !cancelled.contains(&row.seq));
    let mut kept = Vec::new();
    if asset.class == "operating" {
        let last_income = live()
            .filter(|row| row.kind == "income")
            .map(|row| row.occurred_on.clone())
            .max();
        let rank = income::rank_for(last_income.as_deref(), today_in_china());
        kept.push(FindingRow {
            rank,
            ..asset.row("operating_without_income", last_income, None)
        });
    }
    let last_inspection = live()
        .filter(|row| row.kind == "inspection")
        .max_by(|a, b| (&a.occurred_on, a.seq).cmp(&(&b.occurred_on, b.seq)));
    if let Some(row) = last_inspection {
        if let Some(detail) = inspection_text(&row.occurred_on, &row.data) {
            kept.push(asset.row(
                "idle_or_damaged",
                Some(row.occurred_on.clone()),
                Some(detail),
            ));
        }
    }
    if rows.iter().any(|row| row.kind == "contract_signed") {
        let (below, expiring, expired) = dates_of(&asset.class, rows);
        for (kind, day) in [
            ("income_below_contract", below),
            ("contract_expiring", expiring),
            ("contract_expired", expired),
        ] {
            if let Some(day) = day {
                kept.push(asset.row(kind, Some(day.format("%Y-%m-%d").to_string()), None));
            }
        }
    }
    kept
}
