//! What readers may see of the chain's hashes. A version 2 hash commits to a secret
//! salt (`chain`), so it tells nothing about a masked field. A version 1 hash commits to
//! personal fields as they are, and so does every version 1 hash after it (whoever
//! knows the entries in between can chain a guess forward): readers see neither the
//! hash of a version 1 entry nor, as `prev_hash`, the hash before a version 2 entry
//! when that is a version 1 one. The first version 2 entry ends the run for good.

use std::collections::HashMap;

use diesel::prelude::*;

use super::chain::{EntryRow, ENCODING_V2};
use crate::db::schema::ledger_entries;
use crate::db::DbConnection;

/// Whether a reader may see the hash of an entry hashed by `encoding`.
pub fn hash_readable(encoding: i32) -> bool {
    encoding >= ENCODING_V2
}

/// Whether a reader may see the hash of the entry at `seq` (0 stands for the genesis
/// hash, which anyone may see); `false` for an entry that is not there.
///
/// Fails when the query fails.
pub fn hash_readable_at(conn: &mut DbConnection, seq: i64) -> QueryResult<bool> {
    if seq == 0 {
        return Ok(true);
    }
    let encoding: Option<i32> = ledger_entries::table
        .find(seq)
        .select(ledger_entries::encoding)
        .first(conn)
        .optional()?;
    Ok(encoding.is_some_and(hash_readable))
}

/// For each of `rows`, whether a reader may see its `prev_hash`: whether the entry
/// before it is version 2, or it is the first entry. The predecessors not among `rows`
/// are looked up by `seq`, in one query.
///
/// Fails when the query fails.
pub fn prev_hash_readable(conn: &mut DbConnection, rows: &[EntryRow]) -> QueryResult<Vec<bool>> {
    let mut encodings: HashMap<i64, i32> = rows.iter().map(|r| (r.seq, r.encoding)).collect();
    let missing: Vec<i64> = rows
        .iter()
        .map(|r| r.seq - 1)
        .filter(|seq| *seq > 0 && !encodings.contains_key(seq))
        .collect();
    if !missing.is_empty() {
        let found: Vec<(i64, i32)> = ledger_entries::table
            .filter(ledger_entries::seq.eq_any(&missing))
            .select((ledger_entries::seq, ledger_entries::encoding))
            .load(conn)?;
        encodings.extend(found);
    }
    Ok(rows
        .iter()
        .map(|r| {
            r.seq == 1
                || encodings
                    .get(&(r.seq - 1))
                    .is_some_and(|e| hash_readable(*e))
        })
        .collect())
}
