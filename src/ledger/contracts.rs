//! Operating contracts (经营合同) read from an asset's ledger: each `contract_signed`
//! with its effective end (a `contract_ended` cuts the contract current on its date
//! short), its contract years with the income owed and received in each, and the
//! findings about them (`income_below_contract`, `contract_expiring`,
//! `contract_expired`). A corrected entry counts for nothing.

use chrono::{Days, Months, NaiveDate};

use super::entry::kinds::ContractSigned;
use super::entry::EntryData;
use super::projection::cancelled_by;
use super::EntryRow;
use crate::domain::{BusinessDate, Yuan};

/// How many days ahead a contract's end makes it `contract_expiring`.
pub const EXPIRING_WITHIN_DAYS: u64 = 90;

/// One contract of an asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contract {
    /// The `contract_signed` entry.
    pub seq: i64,
    /// Its terms.
    pub terms: ContractSigned,
    /// When and why it was ended before its term, if it was.
    pub ended: Option<(BusinessDate, String)>,
    /// Its years, in order: the first starts on `starts_on`, the last stops at the
    /// effective end.
    pub years: Vec<ContractYear>,
}

impl Contract {
    /// Its last day: the day before a `contract_ended`, else `ends_on`.
    pub fn last_day(&self) -> NaiveDate {
        match &self.ended {
            Some((on, _)) => on.naive().pred_opt().unwrap_or(on.naive()),
            None => self.terms.ends_on.naive(),
        }
        .max(self.terms.starts_on.naive())
    }

    /// The shortfall of each year that has run its course by `today`: `(year, short)`.
    pub fn shortfalls(&self, today: NaiveDate) -> Vec<(&ContractYear, Yuan)> {
        self.years
            .iter()
            .filter(|y| y.last < today)
            .filter_map(|y| {
                let short = y.expected.fen().checked_sub(y.received.fen())?;
                (short > 0).then(|| Yuan::from_fen(short).map(|s| (y, s)))?
            })
            .collect()
    }
}

/// One contract year: what was owed and what income arrived in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractYear {
    /// 1 for the first.
    pub number: u32,
    /// Its first day.
    pub first: NaiveDate,
    /// Its last day.
    pub last: NaiveDate,
    /// The annual amount, or the share of it a shortened last year owes (by days,
    /// rounded down to the fen).
    pub expected: Yuan,
    /// The income entries dated within it.
    pub received: Yuan,
}

/// An asset's contracts, from its entries in `seq` order.
///
/// `None` when a sum of income overflows.
pub fn contracts_of(rows: &[EntryRow]) -> Option<Vec<Contract>> {
    let typed: Vec<(i64, NaiveDate, EntryData)> = rows
        .iter()
        .filter_map(|row| {
            let data = EntryData::from_stored(&row.kind, &row.data).ok()?;
            let on = BusinessDate::stored(&row.occurred_on)?.naive();
            Some((row.seq, on, data))
        })
        .collect();
    let cancelled = cancelled_by(typed.iter().rev().filter_map(|(seq, _, data)| match data {
        EntryData::Correction(correction) => Some((*seq, correction.corrects)),
        _ => None,
    }));
    let live: Vec<&(i64, NaiveDate, EntryData)> = typed
        .iter()
        .filter(|(seq, _, _)| !cancelled.contains(seq))
        .collect();
    let mut contracts: Vec<Contract> = Vec::new();
    for (seq, on, data) in &live {
        match data {
            EntryData::ContractSigned(terms) => contracts.push(Contract {
                seq: *seq,
                terms: terms.clone(),
                ended: None,
                years: Vec::new(),
            }),
            EntryData::ContractEnded(ended) => {
                let current = contracts.iter_mut().rev().find(|c| {
                    c.ended.is_none()
                        && c.terms.starts_on.naive() <= *on
                        && *on <= c.terms.ends_on.naive()
                });
                if let Some(contract) = current {
                    contract.ended = Some((BusinessDate::from_naive(*on), ended.reason.clone()));
                }
            }
            _ => {}
        }
    }
    let income: Vec<(NaiveDate, Yuan)> = live
        .iter()
        .filter_map(|(_, on, data)| match data {
            EntryData::Income(income) => Some((*on, income.amount)),
            _ => None,
        })
        .collect();
    for contract in &mut contracts {
        contract.years = years_of(contract, &income)?;
    }
    Some(contracts)
}

/// The contract that holds on `day` (the latest signed of those running), if any.
pub fn active_on(contracts: &[Contract], day: NaiveDate) -> Option<&Contract> {
    contracts
        .iter()
        .rev()
        .find(|c| c.terms.starts_on.naive() <= day && day <= c.last_day())
}

fn years_of(contract: &Contract, income: &[(NaiveDate, Yuan)]) -> Option<Vec<ContractYear>> {
    let start = contract.terms.starts_on.naive();
    let end = contract.last_day();
    let annual = contract.terms.annual_amount.fen();
    let mut years = Vec::new();
    let mut number = 0u32;
    loop {
        let first = start.checked_add_months(Months::new(12 * number))?;
        if first > end {
            break;
        }
        let full_last = start
            .checked_add_months(Months::new(12 * (number + 1)))?
            .checked_sub_days(Days::new(1))?;
        let last = full_last.min(end);
        let expected = if last == full_last {
            annual
        } else {
            // A shortened year owes its share by days, rounded down to the fen.
            let days = (last - first).num_days() + 1;
            let of = (full_last - first).num_days() + 1;
            i64::try_from(i128::from(annual) * i128::from(days) / i128::from(of)).ok()?
        };
        let received = income
            .iter()
            .filter(|(on, _)| first <= *on && *on <= last)
            .try_fold(Yuan::ZERO, |sum, (_, amount)| sum.checked_add(*amount))?;
        number += 1;
        years.push(ContractYear {
            number,
            first,
            last,
            expected: Yuan::from_fen(expected)?,
            received,
        });
    }
    Some(years)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(seq: i64, kind: &str, on: &str, data: &str) -> EntryRow {
        EntryRow {
            seq,
            asset_id: "a".into(),
            asset_code: "A".into(),
            kind: kind.into(),
            occurred_on: on.into(),
            recorded_at: String::new(),
            actor: String::new(),
            data: data.into(),
            batch_id: None,
            prev_hash: String::new(),
            hash: String::new(),
            encoding: 2,
            salt: None,
            asset_town: String::new(),
            asset_department: None,
        }
    }

    /// Entry 2: a contract with 甲 for 1000.00 a year from 2021-01-01 to `ends_on`,
    /// signed on `on`.
    fn signed(on: &str, ends_on: &str, mode: &str) -> EntryRow {
        let data = format!(
            r#"{{"annual_amount":"1000.00","counterparty":"甲","ends_on":"{ends_on}","mode":"{mode}","starts_on":"2021-01-01"}}"#
        );
        row(2, "contract_signed", on, &data)
    }

    fn date(text: &str) -> NaiveDate {
        BusinessDate::stored(text)
            .map(BusinessDate::naive)
            .unwrap_or_default()
    }

    #[test]
    fn years_owe_the_annual_amount_and_count_income_within_them() {
        let rows = [
            signed("2020-12-01", "2022-06-30", "lease"),
            row(
                3,
                "income",
                "2021-06-01",
                r#"{"amount":"600.00","period":"2021"}"#,
            ),
            row(
                4,
                "income",
                "2021-12-31",
                r#"{"amount":"300.00","period":"2021"}"#,
            ),
            row(
                5,
                "income",
                "2022-01-01",
                r#"{"amount":"999.00","period":"2022"}"#,
            ),
            row(
                6,
                "correction",
                "2022-02-01",
                r#"{"corrects":5,"reason":"错录"}"#,
            ),
            row(
                7,
                "income",
                "2022-03-01",
                r#"{"amount":"400.00","period":"2022"}"#,
            ),
        ];
        let contracts = contracts_of(&rows).unwrap_or_default();
        let years: Vec<(u32, String, String, String, String)> = contracts[0]
            .years
            .iter()
            .map(|y| {
                (
                    y.number,
                    y.first.to_string(),
                    y.last.to_string(),
                    y.expected.to_string(),
                    y.received.to_string(),
                )
            })
            .collect();
        // 2022-01-01..2022-06-30 is 181 of 365 days: 1000 × 181 / 365 = 495.89.
        assert_eq!(
            years,
            [
                (
                    1,
                    "2021-01-01".into(),
                    "2021-12-31".into(),
                    "1000.00".into(),
                    "900.00".into()
                ),
                (
                    2,
                    "2022-01-01".into(),
                    "2022-06-30".into(),
                    "495.89".into(),
                    "400.00".into()
                ),
            ]
        );
        let short: Vec<(u32, String)> = contracts[0]
            .shortfalls(date("2022-07-01"))
            .into_iter()
            .map(|(y, s)| (y.number, s.to_string()))
            .collect();
        assert_eq!(short, [(1, "100.00".into()), (2, "95.89".into())]);
        assert!(
            contracts[0].shortfalls(date("2021-12-31")).is_empty(),
            "a running year owes nothing yet"
        );
    }

    #[test]
    fn an_ended_contract_stops_the_day_before() {
        let rows = [
            signed("2021-01-01", "2025-12-31", "contract"),
            row(3, "contract_ended", "2021-07-01", r#"{"reason":"违约"}"#),
        ];
        let contracts = contracts_of(&rows).unwrap_or_default();
        assert_eq!(contracts[0].last_day(), date("2021-06-30"));
        assert_eq!(contracts[0].years.len(), 1);
        assert!(active_on(&contracts, date("2021-07-01")).is_none());
        assert!(active_on(&contracts, date("2021-06-30")).is_some());
    }
}
