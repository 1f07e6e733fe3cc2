//! The campaigns a scope sees, newest first, a page at a time.

use diesel::prelude::*;

use super::campaign::{Campaign, StocktakeError, StocktakeRow};
use crate::db::pool::DbBackend;
use crate::db::schema::stocktakes;
use crate::db::seek::newest_first;
use crate::db::DbConnection;
use crate::domain::Scope;
use crate::paging::{Cursor, Limit, Page, TimeKey};

/// A campaign's place in the list: when it was opened, then its id.
pub fn key(campaign: &Campaign) -> TimeKey {
    TimeKey::of(&campaign.tenure.opened_at, &campaign.id)
}

/// Up to `n` campaigns a token of `scope` sees, newest first, after the one opened at
/// `after` (`(opened_at, id)`). Campaigns are read `n` at a time, and those of other
/// scopes skipped (a scope's sight is not a column: a village sees its town's and the
/// county's campaigns too).
///
/// Fails when a query fails or a stored row is malformed.
fn after(
    conn: &mut DbConnection,
    scope: &Scope,
    after: Option<(&str, &str)>,
    n: i64,
) -> Result<Vec<Campaign>, StocktakeError> {
    let wanted = usize::try_from(n).unwrap_or(usize::MAX);
    let mut from = after.map(|(at, id)| (at.to_owned(), id.to_owned()));
    let mut campaigns = Vec::new();
    loop {
        let query = stocktakes::table
            .select(StocktakeRow::as_select())
            .into_boxed::<DbBackend>();
        let before = from.as_ref().map(|(at, id)| (at.as_str(), id.as_str()));
        let rows: Vec<StocktakeRow> =
            newest_first!(query, stocktakes, opened_at, id, before, n).load(conn)?;
        let read = rows.len();
        for row in rows {
            from = Some((row.tenure.opened_at.clone(), row.id.clone()));
            let campaign = Campaign::of(row)?;
            if campaign.seen_by(scope) && campaigns.len() < wanted {
                campaigns.push(campaign);
            }
        }
        if read < wanted || campaigns.len() >= wanted {
            return Ok(campaigns);
        }
    }
}

/// The page of campaigns a token of `scope` sees, newest first, that follows `cursor`.
///
/// Fails when a query fails or a stored row is malformed.
pub fn page(
    conn: &mut DbConnection,
    scope: &Scope,
    cursor: Option<&Cursor<TimeKey>>,
    limit: Limit,
) -> Result<Page<Campaign, TimeKey>, StocktakeError> {
    Page::fetch(
        cursor,
        limit,
        |before, n| after(conn, scope, before.map(TimeKey::as_pair), n),
        key,
    )
}

/// Every campaign a token of `scope` sees, newest first, read a page at a time (for the
/// web page, which lists them all: a county opens a few a year).
///
/// Fails when a query fails or a stored row is malformed.
pub fn all(conn: &mut DbConnection, scope: &Scope) -> Result<Vec<Campaign>, StocktakeError> {
    let mut campaigns = Vec::new();
    let mut cursor = None;
    loop {
        let found = page(conn, scope, cursor.as_ref(), Limit::fixed(Limit::MAX))?;
        campaigns.extend(found.items);
        match found.next {
            Some(next) => cursor = Some(next),
            None => return Ok(campaigns),
        }
    }
}
