//! The walk along the chain: every hash recomputed in `seq` order, page by page, every
//! cited attachment rehashed, every digest of registered fields recomputed from the
//! fields held, and the chain's end compared with the stored head.

use super::Pin;
use crate::db::DbConnection;
use crate::domain::Scope;
use crate::ledger::attachments::problem_of;
use crate::ledger::chain::{entry_hash, read_head, GENESIS_HASH};
use crate::ledger::registered::first_mismatch;
use crate::ledger::store::stored_entries_after;

/// Entries read per query.
const PAGE: i64 = 10_000;

/// What the walk found.
pub(super) struct Walked {
    /// Entries read (up to and including the first bad one).
    pub entries: i64,
    /// The hash the chain computes to, up to the first bad entry.
    pub head: String,
    /// The hash of the entry at the pinned `seq`, if the walk reached it.
    pub pinned: Option<String>,
    /// The first bad `seq` and what is wrong with it.
    pub failure: Option<(i64, String)>,
    /// The asset of the first bad entry, when its registered fields are what is wrong.
    pub bad_asset: Option<String>,
}

/// Walks the whole chain, noting the hash at `pinned_seq`.
///
/// Fails only when the database fails.
pub(super) fn walk(
    conn: &mut DbConnection,
    pinned_seq: Option<i64>,
) -> diesel::QueryResult<Walked> {
    let mut expected_seq = 1i64;
    let mut running = GENESIS_HASH.to_owned();
    let mut count = 0i64;
    let mut pinned = (pinned_seq == Some(0)).then(|| GENESIS_HASH.to_owned());
    let bad =
        |seq: i64, running: &str, count: i64, pinned: Option<String>, problem: String| Walked {
            entries: count,
            head: running.to_owned(),
            pinned,
            failure: Some((seq, problem)),
            bad_asset: None,
        };
    loop {
        let page = stored_entries_after(conn, &Scope::County, expected_seq - 1, PAGE)?;
        // The registered fields the page's digests stand for; reported at their entry,
        // after the hashes of the entries before it.
        let mut mismatch = first_mismatch(conn, &page)?;
        if page.is_empty() {
            break;
        }
        let full = page.len() as i64 == PAGE;
        for row in &page {
            count += 1;
            if row.seq != expected_seq {
                let problem = format!("缺少 seq 为 {expected_seq} 的条目（下一条为 {}）", row.seq);
                return Ok(bad(expected_seq, &running, count, pinned, problem));
            }
            if row.prev_hash != running {
                let problem = format!(
                    "条目 {} 的 prev_hash 与前一条目的哈希不符（被删除、插入或调换了顺序）",
                    row.seq
                );
                return Ok(bad(row.seq, &running, count, pinned, problem));
            }
            match entry_hash(row) {
                Ok(hash) if hash == row.hash => {}
                Ok(_) => {
                    let problem = format!("条目 {} 的内容与其哈希不符（被修改）", row.seq);
                    return Ok(bad(row.seq, &running, count, pinned, problem));
                }
                Err(error) => {
                    let problem = format!("条目 {} 无法计算哈希：{}", row.seq, error.chinese());
                    return Ok(bad(row.seq, &running, count, pinned, problem));
                }
            }
            if let Some((seq, code, problem)) = mismatch.take_if(|(seq, _, _)| *seq == row.seq) {
                return Ok(Walked {
                    bad_asset: Some(code),
                    ..bad(seq, &running, count, pinned, problem)
                });
            }
            // The files it cites must still be those it cited.
            if let Some(problem) = problem_of(conn, row.seq, &row.data)? {
                return Ok(bad(row.seq, &running, count, pinned, problem));
            }
            running = row.hash.clone();
            if pinned_seq == Some(row.seq) {
                pinned = Some(row.hash.clone());
            }
            expected_seq += 1;
        }
        if !full {
            break;
        }
    }
    let head = read_head(conn)?;
    if head.seq != expected_seq - 1 || head.hash != running {
        let seq = head.seq.min(expected_seq - 1) + 1;
        let problem = format!(
            "链头记录为第 {} 条（{}），而条目链到第 {} 条为止",
            head.seq,
            head.hash,
            expected_seq - 1
        );
        return Ok(bad(seq, &running, count, pinned, problem));
    }
    Ok(Walked {
        entries: count,
        head: running,
        pinned,
        failure: None,
        bad_asset: None,
    })
}

/// Whether an intact chain of `entries` entries, whose entry at the pinned `seq` has
/// the hash `found`, still holds `pin`: `None`, or the first bad `seq` and the problem.
pub(super) fn check_pin(pin: &Pin, entries: i64, found: Option<&str>) -> Option<(i64, String)> {
    match found {
        None => Some((
            entries + 1,
            format!(
                "报告所印链头为第 {} 条，而台账现在只有 {entries} 条：第 {} 条起的条目被截去",
                pin.seq(),
                entries + 1
            ),
        )),
        Some(hash) if hash != pin.hash() => Some((
            pin.seq(),
            format!(
                "第 {} 条的哈希为 {hash}，而不是报告所印的 {}：此处及以前的历史被改写",
                pin.seq(),
                pin.hash()
            ),
        )),
        Some(_) => None,
    }
}
