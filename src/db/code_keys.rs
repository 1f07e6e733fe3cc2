//! The `code_key` of projects and assets registered before codes were compared by key
//! (NFKC, case ignored): filled once, when the database is opened after the migration
//! that added the column. SQL cannot compute NFKC on SQLite, so the application does,
//! a thousand rows a transaction.

use diesel::prelude::*;

use super::pool::DbConnection;
use super::schema::{assets, projects};
use crate::domain::codes::code_key;

/// Rows read and updated per transaction.
const ROWS_PER_CHUNK: i64 = 1000;

/// Fills every missing `code_key`; returns how many rows it filled. A row whose key an
/// earlier row already holds (two look-alike codes registered by an earlier release)
/// keeps none: it is still found by its exact code, and the unique index keeps any new
/// look-alike of the first out.
///
/// Fails when a query fails.
pub fn backfill(conn: &mut DbConnection) -> QueryResult<usize> {
    Ok(backfill_projects(conn)? + backfill_assets(conn)?)
}

fn backfill_projects(conn: &mut DbConnection) -> QueryResult<usize> {
    let mut filled = 0;
    let mut after = String::new();
    loop {
        let codes: Vec<String> = projects::table
            .filter(projects::code_key.is_null())
            .filter(projects::code.gt(&after))
            .order(projects::code)
            .select(projects::code)
            .limit(ROWS_PER_CHUNK)
            .load(conn)?;
        let Some(last) = codes.last().cloned() else {
            return Ok(filled);
        };
        filled += conn.transaction(|conn| {
            let mut filled = 0;
            for code in &codes {
                let key = code_key(code);
                let taken: i64 = projects::table
                    .filter(projects::code_key.eq(&key))
                    .count()
                    .get_result(conn)?;
                if taken == 0 {
                    filled += diesel::update(projects::table.find(code))
                        .set(projects::code_key.eq(&key))
                        .execute(conn)?;
                }
            }
            QueryResult::Ok(filled)
        })?;
        after = last;
    }
}

fn backfill_assets(conn: &mut DbConnection) -> QueryResult<usize> {
    let mut filled = 0;
    let mut after = String::new();
    loop {
        let rows: Vec<(String, String)> = assets::table
            .filter(assets::code_key.is_null())
            .filter(assets::code.gt(&after))
            .order(assets::code)
            .select((assets::id, assets::code))
            .limit(ROWS_PER_CHUNK)
            .load(conn)?;
        let Some((_, last)) = rows.last().cloned() else {
            return Ok(filled);
        };
        filled += conn.transaction(|conn| {
            let mut filled = 0;
            for (id, code) in &rows {
                let key = code_key(code);
                let taken: i64 = assets::table
                    .filter(assets::code_key.eq(&key))
                    .count()
                    .get_result(conn)?;
                if taken == 0 {
                    filled += diesel::update(assets::table.find(id))
                        .set(assets::code_key.eq(&key))
                        .execute(conn)?;
                }
            }
            QueryResult::Ok(filled)
        })?;
        after = last;
    }
}
