//! How `operating_without_income` is kept so that a page of it reads about a page of
//! rows: an operating asset's row stands under the kind's rank while it is a finding
//! (no income in the year before the day the row was written or last moved), and under
//! a rank of its own, with the day of its last income, while that income holds the
//! finding back. A held row becomes a finding a year after its income, with no write:
//! every write, and the server's start, moves the rows whose year has passed to the
//! kind's rank ([`release`]), and a page reads the few that passed since then (through
//! an index on their day) beside the kind's rows (through the index on scope, kind and
//! code), so that it never walks past the operating assets with recent income.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::Text;

use super::ledger_rows::rank_of;
use super::recompute::income_since;
use crate::db::DbConnection;
use crate::domain::dates::today_in_china;
use crate::register::scope::literal;

/// The kind kept this way.
const KIND: &str = "operating_without_income";

/// How far the held rows' rank is from the kind's, beyond every kind's rank.
const HELD_OFFSET: i32 = 100;

/// The rank of the rows that are findings (the kind's place in the list).
pub(super) fn finding_rank() -> i32 {
    rank_of(KIND)
}

/// The rank of the rows held back by an income of the last year (the partial index
/// `findings_held` holds exactly these, by day).
pub(super) fn held_rank() -> i32 {
    rank_of(KIND) + HELD_OFFSET
}

/// The rank of an operating asset's row whose last income was on `last_income`, on
/// `today`.
pub(super) fn rank_for(last_income: Option<&str>, today: NaiveDate) -> i32 {
    match last_income {
        Some(day) if day >= income_since(today).as_str() => held_rank(),
        _ => finding_rank(),
    }
}

/// [`rank_for`] today, in SQL, of the last income `on_date` (an SQL expression).
pub(super) fn rank_sql(on_date: &str) -> String {
    format!(
        "CASE WHEN {on_date} >= {} THEN {} ELSE {} END",
        literal(&income_since(today_in_china())),
        held_rank(),
        finding_rank()
    )
}

/// Moves the held rows whose year without income has passed to the kind's rank.
///
/// Fails when the statement fails.
pub(super) fn release(conn: &mut DbConnection) -> QueryResult<()> {
    diesel::sql_query(format!(
        "UPDATE findings SET rank = {} WHERE rank = {} AND on_date < {}",
        finding_rank(),
        held_rank(),
        literal(&income_since(today_in_china()))
    ))
    .execute(conn)
    .map(|_| ())
}

#[derive(QueryableByName)]
struct Code {
    #[diesel(sql_type = Text)]
    code: String,
}

/// The held rows whose year has passed since the last write moved them (every scope),
/// by code: read by their day, so about as many rows as passed.
///
/// Fails when the query fails.
pub(super) fn passed(conn: &mut DbConnection) -> QueryResult<Vec<String>> {
    let found: Vec<Code> = diesel::sql_query(format!(
        "SELECT f.code AS code FROM findings f WHERE f.rank = {} AND f.on_date < {} \
         ORDER BY f.on_date",
        held_rank(),
        literal(&income_since(today_in_china()))
    ))
    .load(conn)?;
    let mut codes: Vec<String> = found.into_iter().map(|c| c.code).collect();
    codes.sort();
    Ok(codes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_income_of_the_last_year_holds_the_finding_back() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 6).expect("date");
        assert_eq!(rank_for(None, today), finding_rank());
        assert_eq!(rank_for(Some("2025-12-05"), today), finding_rank());
        assert_eq!(rank_for(Some("2025-12-06"), today), held_rank());
        assert_eq!(rank_for(Some("2026-12-06"), today), held_rank());
        assert!(held_rank() > 10 && finding_rank() == 4);
    }
}
