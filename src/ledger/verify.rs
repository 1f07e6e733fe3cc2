//! Verification: recompute every hash from the first entry and name the first entry
//! that does not fit (edited, deleted, inserted or reordered).

use serde::Serialize;

use super::chain::{entry_hash, read_head, GENESIS_HASH};
use super::store::entries_after;
use crate::db::DbConnection;

/// Entries read per query.
const PAGE: i64 = 10_000;

/// The result of a verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Verification {
    /// Whether the whole chain is intact.
    pub ok: bool,
    /// How many entries were read.
    pub entries: i64,
    /// The head hash the chain computes to (up to the first bad entry).
    pub head: String,
    /// The first entry that does not fit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_bad_seq: Option<i64>,
    /// What is wrong with it, in Chinese.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// Verifies the whole ledger, reading it in pages within one read-only snapshot, so
/// that appends committed meanwhile neither break nor extend what is checked.
///
/// Fails only when the database fails.
pub fn verify(conn: &mut DbConnection) -> diesel::QueryResult<Verification> {
    crate::db::read_snapshot(conn, verify_snapshot)
}

fn verify_snapshot(conn: &mut DbConnection) -> diesel::QueryResult<Verification> {
    let mut expected_seq = 1i64;
    let mut running = GENESIS_HASH.to_owned();
    let mut count = 0i64;
    let bad = |seq: i64, running: &str, count: i64, problem: String| Verification {
        ok: false,
        entries: count,
        head: running.to_owned(),
        first_bad_seq: Some(seq),
        problem: Some(problem),
    };
    loop {
        let page = entries_after(conn, expected_seq - 1, PAGE)?;
        if page.is_empty() {
            break;
        }
        let full = page.len() as i64 == PAGE;
        for row in &page {
            count += 1;
            if row.seq != expected_seq {
                return Ok(bad(
                    expected_seq,
                    &running,
                    count,
                    format!("缺少 seq 为 {expected_seq} 的条目（下一条为 {}）", row.seq),
                ));
            }
            if row.prev_hash != running {
                return Ok(bad(
                    row.seq,
                    &running,
                    count,
                    format!(
                        "条目 {} 的 prev_hash 与前一条目的哈希不符（被删除、插入或调换了顺序）",
                        row.seq
                    ),
                ));
            }
            if entry_hash(row) != row.hash {
                return Ok(bad(
                    row.seq,
                    &running,
                    count,
                    format!("条目 {} 的内容与其哈希不符（被修改）", row.seq),
                ));
            }
            running = row.hash.clone();
            expected_seq += 1;
        }
        if !full {
            break;
        }
    }
    let head = read_head(conn)?;
    if head.seq != expected_seq - 1 || head.hash != running {
        let seq = head.seq.min(expected_seq - 1) + 1;
        return Ok(bad(
            seq,
            &running,
            count,
            format!(
                "链头记录为第 {} 条（{}），而条目链到第 {} 条为止",
                head.seq,
                head.hash,
                expected_seq - 1
            ),
        ));
    }
    Ok(Verification {
        ok: true,
        entries: count,
        head: running,
        first_bad_seq: None,
        problem: None,
    })
}
