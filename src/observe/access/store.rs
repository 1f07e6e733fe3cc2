//! The access log's table: one row appended per response that disclosed personal data,
//! read newest first with filters. The table refuses UPDATE and DELETE (triggers on
//! both backends), so no role of the application can edit what it records.

use chrono::{Duration, NaiveDate, NaiveTime};
use diesel::prelude::*;

use crate::db::pool::DbBackend;
use crate::db::schema::access_log;
use crate::db::seek::newest_first;
use crate::db::DbConnection;
use crate::register::query::like_pattern;

/// The most codes one row lists (`code_count` says how many there were).
pub const MAX_CODES: usize = 1000;

/// One row of the access log, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = access_log)]
pub struct AccessRow {
    /// A UUID (version 7: time-ordered).
    pub id: String,
    /// When the response was sent (RFC 3339, UTC).
    pub at: String,
    /// The request's id (`X-Request-Id`).
    pub request_id: String,
    /// The token's id.
    pub token_id: String,
    /// The token's name (the person).
    pub token_name: String,
    /// The token's role.
    pub role: String,
    /// The token's scope.
    pub scope: String,
    /// The HTTP method.
    pub method: String,
    /// The route as mounted (`/api/v1/assets/<key>`).
    pub route: String,
    /// The response's status.
    pub status: i32,
    /// The asset codes whose personal data the response carried: each on its own line,
    /// with a newline before the first and after the last (at most [`MAX_CODES`]).
    pub codes: String,
    /// How many codes (or, for an export, rows carrying an ID number) there were.
    pub code_count: i64,
    /// For an export: how many rows it wrote.
    pub export_rows: Option<i64>,
}

impl AccessRow {
    /// The codes it lists.
    pub fn code_list(&self) -> Vec<&str> {
        self.codes.split('\n').filter(|c| !c.is_empty()).collect()
    }

    /// `codes` as stored: each code on its own line, newline-framed, at most
    /// [`MAX_CODES`] of them.
    pub fn framed<'a>(codes: impl IntoIterator<Item = &'a str>) -> String {
        let mut framed = String::from("\n");
        for code in codes.into_iter().take(MAX_CODES) {
            framed.push_str(code);
            framed.push('\n');
        }
        framed
    }
}

/// Appends `row`.
///
/// Fails when the insert fails.
pub fn append(conn: &mut DbConnection, row: &AccessRow) -> QueryResult<()> {
    diesel::insert_into(access_log::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// What the list is filtered on; every part optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessFilter {
    /// The token's name, exactly.
    pub who: Option<String>,
    /// The route as mounted, exactly (`/api/v1/assets/<key>`).
    pub route: Option<String>,
    /// From this day on (China time).
    pub since: Option<NaiveDate>,
    /// Up to and including this day (China time).
    pub until: Option<NaiveDate>,
    /// Rows listing this asset code.
    pub code: Option<String>,
}

/// The UTC timestamp, as stored, at which `day` begins in China (UTC+8).
fn china_midnight(day: NaiveDate) -> String {
    let utc = day.and_time(NaiveTime::MIN) - Duration::hours(8);
    utc.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Up to `limit` rows matching `filter`, newest first, before `(at, id)`.
///
/// Fails when the query fails.
pub fn list(
    conn: &mut DbConnection,
    filter: &AccessFilter,
    before: Option<(&str, &str)>,
    limit: i64,
) -> QueryResult<Vec<AccessRow>> {
    let mut query = access_log::table
        .select(AccessRow::as_select())
        .into_boxed::<DbBackend>();
    if let Some(who) = &filter.who {
        query = query.filter(access_log::token_name.eq(who.clone()));
    }
    if let Some(route) = &filter.route {
        query = query.filter(access_log::route.eq(route.clone()));
    }
    if let Some(since) = filter.since {
        query = query.filter(access_log::at.ge(china_midnight(since)));
    }
    if let Some(until) = filter.until.and_then(|d| d.succ_opt()) {
        query = query.filter(access_log::at.lt(china_midnight(until)));
    }
    if let Some(code) = &filter.code {
        // `like_pattern` frames the text with `%`; the newlines make it a whole code.
        let pattern = like_pattern(&format!("\n{code}\n"));
        query = query.filter(access_log::codes.like(pattern).escape('\\'));
    }
    newest_first!(query, access_log, at, id, before, limit).load(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_china_day_begins_at_four_in_the_afternoon_utc() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 6).expect("a date");
        assert_eq!(china_midnight(day), "2026-12-05T16:00:00.000000Z");
    }

    #[test]
    fn codes_are_framed_by_newlines_and_bounded() {
        assert_eq!(AccessRow::framed(["A-1", "B_2"]), "\nA-1\nB_2\n");
        let many: Vec<String> = (0..1500).map(|n| format!("C{n}")).collect();
        let framed = AccessRow::framed(many.iter().map(String::as_str));
        assert_eq!(framed.matches('\n').count(), MAX_CODES + 1);
    }
}
