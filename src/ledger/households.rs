//! Income paid to households by name (分户收益): every household line of the
//! distributions in a caller's scope paid to one ID number, across assets and years,
//! with a total per year. A corrected distribution pays nobody.

use std::collections::BTreeMap;

use chrono::Datelike;
use diesel::prelude::*;

use super::entry::kinds::DistributionLine;
use super::entry::EntryData;
use super::store::cancelled_among;
use super::EntryRow;
use crate::db::schema::{assets, ledger_entries};
use crate::db::DbConnection;
use crate::domain::{BusinessDate, IdNumber, Scope, Yuan};
use crate::register::scope::{assets_query, entries_query};

/// One line paid to the household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdLine {
    /// The distribution entry.
    pub seq: i64,
    /// The asset whose income it was.
    pub asset_code: String,
    /// The asset's name.
    pub asset_name: String,
    /// The asset's town.
    pub town: String,
    /// The asset's village.
    pub village: Option<String>,
    /// The distribution's business date.
    pub occurred_on: BusinessDate,
    /// The period the income was earned in.
    pub period: String,
    /// The name on the line.
    pub name: String,
    /// What was paid.
    pub amount: Yuan,
    /// When it was paid, when the line says.
    pub paid_on: Option<BusinessDate>,
}

impl HouseholdLine {
    /// The day it was paid: the line's own date, else the distribution's.
    pub fn paid(&self) -> BusinessDate {
        self.paid_on.unwrap_or(self.occurred_on)
    }
}

/// What one year paid the household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdYear {
    /// The calendar year of payment.
    pub year: i32,
    /// How many lines.
    pub lines: usize,
    /// Their sum.
    pub total: Yuan,
}

/// Everything paid to one household that a scope sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Household {
    /// Its ID number.
    pub id_number: IdNumber,
    /// The names its lines carry, in order of first appearance.
    pub names: Vec<String>,
    /// Its lines, by date of payment then `seq`.
    pub lines: Vec<HouseholdLine>,
    /// Per year of payment, in order.
    pub years: Vec<HouseholdYear>,
    /// All of it.
    pub total: Yuan,
}

/// Why a household cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum HouseholdError {
    /// The query failed.
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
    /// A stored distribution does not read as one.
    #[error("ledger entry {0} has malformed data")]
    Malformed(i64),
    /// The sum of the household's lines overflows.
    #[error("the household's total overflows")]
    Overflow,
}

/// The household with `id_number`, as `scope` sees it: the lines of live
/// distributions on assets in scope.
///
/// Fails when a query fails, a distribution is malformed or a total overflows.
pub fn household(
    conn: &mut DbConnection,
    scope: &Scope,
    id_number: &IdNumber,
) -> Result<Household, HouseholdError> {
    // An ID number is ASCII letters and digits: nothing `LIKE` reads as special.
    let pattern = format!("%\"id_number\":\"{}\"%", id_number.as_str());
    let rows = entries_query(scope)
        .filter(ledger_entries::kind.eq("income_distributed"))
        .filter(ledger_entries::data.like(pattern))
        .order(ledger_entries::seq)
        .select(EntryRow::as_select())
        .load(conn)?;
    let codes: Vec<&str> = rows.iter().map(|r| r.asset_code.as_str()).collect();
    let cancelled = cancelled_among(conn, scope, Some(&codes))?;
    let assets: BTreeMap<String, (String, String, Option<String>)> = assets_query(scope)
        .filter(assets::code.eq_any(&codes))
        .select((assets::code, assets::name, assets::town, assets::village))
        .load::<(String, String, String, Option<String>)>(conn)?
        .into_iter()
        .map(|(code, name, town, village)| (code, (name, town, village)))
        .collect();
    let mut lines = Vec::new();
    for row in rows.iter().filter(|r| !cancelled.contains(&r.seq)) {
        let Some((asset_name, town, village)) = assets.get(&row.asset_code) else {
            continue;
        };
        let Ok(EntryData::IncomeDistributed(paid)) = EntryData::from_stored(&row.kind, &row.data)
        else {
            return Err(HouseholdError::Malformed(row.seq));
        };
        let occurred_on =
            BusinessDate::stored(&row.occurred_on).ok_or(HouseholdError::Malformed(row.seq))?;
        let theirs = paid
            .lines
            .iter()
            .flatten()
            .filter(|line: &&DistributionLine| line.id_number.as_ref() == Some(id_number));
        for line in theirs {
            lines.push(HouseholdLine {
                seq: row.seq,
                asset_code: row.asset_code.clone(),
                asset_name: asset_name.clone(),
                town: town.clone(),
                village: village.clone(),
                occurred_on,
                period: paid.period.clone(),
                name: line.name.clone(),
                amount: line.amount,
                paid_on: line.paid_on,
            });
        }
    }
    lines.sort_by_key(|line| (line.paid(), line.seq));
    let mut names: Vec<String> = Vec::new();
    let mut by_year: BTreeMap<i32, HouseholdYear> = BTreeMap::new();
    let mut total = Yuan::ZERO;
    for line in &lines {
        if !names.contains(&line.name) {
            names.push(line.name.clone());
        }
        let year = line.paid().naive().year();
        let entry = by_year.entry(year).or_insert(HouseholdYear {
            year,
            lines: 0,
            total: Yuan::ZERO,
        });
        entry.lines += 1;
        entry.total = entry
            .total
            .checked_add(line.amount)
            .ok_or(HouseholdError::Overflow)?;
        total = total
            .checked_add(line.amount)
            .ok_or(HouseholdError::Overflow)?;
    }
    Ok(Household {
        id_number: id_number.clone(),
        names,
        lines,
        years: by_year.into_values().collect(),
        total,
    })
}
