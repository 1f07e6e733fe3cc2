//! The hash chain of the custody ledger: one append-only, SHA-256 hash-chained sequence of
//! entries over all assets.
//!
//! Canonical encoding of an entry (what its `hash` covers): the compact JSON object
//! with keys in this order and no whitespace —
//! `{"actor":…,"asset_code":…,"asset_id":…,"batch_id":…|null,"data":<data>,"kind":…,
//! "occurred_on":"YYYY-MM-DD","recorded_at":"RFC 3339","seq":N}` — where strings are
//! JSON-escaped as serde_json writes them and `<data>` is the entry's data exactly as
//! stored (itself compact JSON with sorted keys). Then
//! `hash = hex(SHA-256(prev_hash ‖ "\n" ‖ canonical))`, and the first entry's
//! `prev_hash` is 64 zeros.

use diesel::prelude::*;
use sha2::{Digest, Sha256};

pub use crate::db::rows::EntryRow;
use crate::db::schema::ledger_head;
use crate::db::DbConnection;

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The end of the chain: the last entry's `seq` and `hash` (0 and the genesis hash
/// for an empty ledger).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The last `seq`.
    pub seq: i64,
    /// The last `hash`.
    pub hash: String,
}

/// An entry about to be appended.
#[derive(Debug, Clone)]
pub struct NewEntry {
    /// The asset's UUID.
    pub asset_id: String,
    /// The asset's code.
    pub asset_code: String,
    /// What happened.
    pub kind: &'static str,
    /// Business date (YYYY-MM-DD).
    pub occurred_on: String,
    /// Server time (RFC 3339, UTC).
    pub recorded_at: String,
    /// The token name that writes it.
    pub actor: String,
    /// Kind-specific data.
    pub data: serde_json::Value,
    /// The import batch making it, if any.
    pub batch_id: Option<String>,
}

fn json_string(text: &str) -> String {
    // Infallible: serialising a string into JSON cannot fail.
    serde_json::to_string(text).expect("a string serialises to JSON")
}

/// The canonical encoding of an entry, as documented at the top of this module.
pub fn canonical(entry: &EntryRow) -> String {
    let batch = entry
        .batch_id
        .as_deref()
        .map_or_else(|| "null".to_owned(), json_string);
    format!(
        "{{\"actor\":{},\"asset_code\":{},\"asset_id\":{},\"batch_id\":{},\"data\":{},\"kind\":{},\"occurred_on\":{},\"recorded_at\":{},\"seq\":{}}}",
        json_string(&entry.actor),
        json_string(&entry.asset_code),
        json_string(&entry.asset_id),
        batch,
        entry.data,
        json_string(&entry.kind),
        json_string(&entry.occurred_on),
        json_string(&entry.recorded_at),
        entry.seq,
    )
}

/// `hex(SHA-256(prev_hash ‖ "\n" ‖ canonical(entry)))`.
pub fn entry_hash(entry: &EntryRow) -> String {
    let mut hasher = Sha256::new();
    hasher.update(entry.prev_hash.as_bytes());
    hasher.update(b"\n");
    hasher.update(canonical(entry).as_bytes());
    hex::encode(hasher.finalize())
}

/// Takes the chain's lock for the rest of the current transaction and reads the head.
///
/// The first statement writes the single head row: on PostgreSQL that row lock
/// serialises appends across processes; on SQLite the write takes the database's write
/// lock at once (so a deferred transaction never has to upgrade a read lock).
/// Fails when the database fails; must run inside a transaction.
pub fn lock_head(conn: &mut DbConnection) -> QueryResult<Head> {
    diesel::update(ledger_head::table.filter(ledger_head::id.eq(1)))
        .set(ledger_head::seq.eq(ledger_head::seq))
        .execute(conn)?;
    read_head(conn)
}

/// Reads the head without locking it.
///
/// Fails when the database fails.
pub fn read_head(conn: &mut DbConnection) -> QueryResult<Head> {
    let (seq, hash) = ledger_head::table
        .filter(ledger_head::id.eq(1))
        .select((ledger_head::seq, ledger_head::hash))
        .first::<(i64, String)>(conn)?;
    Ok(Head { seq, hash })
}

/// Chains `entries` after `head`, returning the rows to insert and the new head.
pub fn chain(head: &Head, entries: Vec<NewEntry>) -> (Vec<EntryRow>, Head) {
    let mut prev = head.clone();
    let rows = entries
        .into_iter()
        .map(|entry| {
            let mut row = EntryRow {
                seq: prev.seq + 1,
                asset_id: entry.asset_id,
                asset_code: entry.asset_code,
                kind: entry.kind.to_owned(),
                occurred_on: entry.occurred_on,
                recorded_at: entry.recorded_at,
                actor: entry.actor,
                data: entry.data.to_string(),
                batch_id: entry.batch_id,
                prev_hash: prev.hash.clone(),
                hash: String::new(),
            };
            row.hash = entry_hash(&row);
            prev = Head {
                seq: row.seq,
                hash: row.hash.clone(),
            };
            row
        })
        .collect();
    (rows, prev)
}

/// Inserts chained rows in one statement.
///
/// Fails when the insert fails.
pub fn insert_rows(conn: &mut DbConnection, rows: &[EntryRow]) -> QueryResult<usize> {
    crate::db::bulk::insert_ledger_entries(conn, rows)
}

/// Moves the head to `head`; the caller holds the lock from [`lock_head`].
///
/// Fails when the update fails.
pub fn store_head(conn: &mut DbConnection, head: &Head) -> QueryResult<()> {
    diesel::update(ledger_head::table.filter(ledger_head::id.eq(1)))
        .set((
            ledger_head::seq.eq(head.seq),
            ledger_head::hash.eq(&head.hash),
        ))
        .execute(conn)
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(code: &str) -> NewEntry {
        NewEntry {
            asset_id: format!("id-{code}"),
            asset_code: code.to_owned(),
            kind: "registered",
            occurred_on: "2020-03-05".to_owned(),
            recorded_at: "2026-11-28T00:00:00.000000Z".to_owned(),
            actor: "clerk \"one\"".to_owned(),
            data: serde_json::json!({"b": 1, "a": "值"}),
            batch_id: None,
        }
    }

    #[test]
    fn canonical_encoding_is_compact_sorted_json() {
        let (rows, _) = chain(
            &Head {
                seq: 0,
                hash: GENESIS_HASH.to_owned(),
            },
            vec![entry("A-1")],
        );
        assert_eq!(
            canonical(&rows[0]),
            r#"{"actor":"clerk \"one\"","asset_code":"A-1","asset_id":"id-A-1","batch_id":null,"data":{"a":"值","b":1},"kind":"registered","occurred_on":"2020-03-05","recorded_at":"2026-11-28T00:00:00.000000Z","seq":1}"#
        );
        let value: serde_json::Value =
            serde_json::from_str(&canonical(&rows[0])).expect("canonical is JSON");
        assert_eq!(value["seq"], 1);
    }

    #[test]
    fn each_entry_links_to_the_previous_hash() {
        let genesis = Head {
            seq: 0,
            hash: GENESIS_HASH.to_owned(),
        };
        let (rows, head) = chain(&genesis, vec![entry("A-1"), entry("A-2")]);
        assert_eq!(rows[0].prev_hash, GENESIS_HASH);
        assert_eq!(rows[1].prev_hash, rows[0].hash);
        assert_eq!(
            head,
            Head {
                seq: 2,
                hash: rows[1].hash.clone()
            }
        );
        let mut edited = rows[0].clone();
        edited.data = r#"{"a":"改","b":1}"#.to_owned();
        assert_ne!(entry_hash(&edited), rows[0].hash);
    }
}
