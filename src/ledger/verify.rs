//! Verification: recompute every hash from the first entry and name the first entry
//! that does not fit (edited, deleted, inserted or reordered); check that a head printed
//! earlier (`SEQ:HASH`) is still in the chain; fold every asset's entries and compare
//! the projection with its row, and the names held for searching it with those
//! its entries give; check that every reference names a row that exists;
//! recompute every maintained total and the kept findings and compare. All in
//! one read snapshot, streaming, in bounded memory.

mod assets;
mod figures;
mod findings;
mod references;
mod walk;

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::db::DbConnection;

/// The result of a verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Verification {
    /// Whether the chain, the pinned head (if any), every asset and every maintained
    /// figure are intact.
    pub ok: bool,
    /// How many entries were read.
    pub entries: i64,
    /// How many assets were compared with the fold of their entries.
    pub assets: i64,
    /// The head hash the chain computes to (up to the first bad entry).
    pub head: String,
    /// The first entry that does not fit, or the first `seq` missing after the pinned
    /// head.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_bad_seq: Option<i64>,
    /// The first asset (in code order) whose row differs from the fold of its entries,
    /// or the asset of the first bad entry when its registered fields were edited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_bad_asset: Option<String>,
    /// The first maintained figure or kept finding that differs from its recomputation
    /// (`register_summary.value_fen`, `class_summary.household.assets`,
    /// `group_figures.operating.桑镇/东村/2019/.value_fen`,
    /// `findings.missing_custodian.A001`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bad_figure: Option<String>,
    /// What is wrong, in Chinese.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

impl Verification {
    fn failed(mut self, problem: String) -> Self {
        self.ok = false;
        self.problem = Some(problem);
        self
    }
}

/// A head printed on an earlier report: `SEQ:HASH`, the `seq` and the hash of the last
/// entry then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    seq: i64,
    hash: String,
}

/// A pin that is not `SEQ:HASH`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("应为 SEQ:HASH：SEQ 为非负整数，HASH 为 64 位小写十六进制（如 12:3fa9…）")]
pub struct BadPin;

impl Pin {
    /// The pinned `seq`.
    pub fn seq(&self) -> i64 {
        self.seq
    }

    /// The pinned hash.
    pub fn hash(&self) -> &str {
        &self.hash
    }
}

impl FromStr for Pin {
    type Err = BadPin;

    fn from_str(text: &str) -> Result<Self, BadPin> {
        let (seq, hash) = text.split_once(':').ok_or(BadPin)?;
        if seq.is_empty() || !seq.bytes().all(|b| b.is_ascii_digit()) {
            return Err(BadPin);
        }
        let seq: i64 = seq.parse().map_err(|_| BadPin)?;
        let lower_hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
        if hash.len() != 64 || !hash.bytes().all(lower_hex) {
            return Err(BadPin);
        }
        Ok(Pin {
            seq,
            hash: hash.to_owned(),
        })
    }
}

impl fmt::Display for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

/// `SEQ:HASH` of a head, as reports print it.
pub fn pin_text(seq: i64, hash: &str) -> String {
    format!("{seq}:{hash}")
}

/// The line in Chinese that tells how to check a printed head.
pub fn how_to_check(pin: &str) -> String {
    format!("核对方法：运行 asset-registry verify --against {pin}（或审计员调用 GET /api/v1/ledger/verify?against={pin}），可证明本报告所依据的台账至今完整、未被截短或改写。")
}

/// Verifies the whole ledger, the assets and the maintained totals, within one
/// read-only snapshot, so that appends committed meanwhile neither break nor extend
/// what is checked; then, on SQLite, the name search's trigram tables against the
/// names.
///
/// Fails only when the database fails.
pub fn verify(conn: &mut DbConnection) -> diesel::QueryResult<Verification> {
    verify_against(conn, None)
}

/// As [`verify`], and also proves that `pin` (a head printed earlier) is still in the
/// chain, with everything after it intact.
///
/// Fails only when the database fails.
pub fn verify_against(
    conn: &mut DbConnection,
    pin: Option<&Pin>,
) -> diesel::QueryResult<Verification> {
    let verified = crate::db::read_snapshot(conn, |conn| verify_snapshot(conn, pin))?;
    if !verified.ok {
        return Ok(verified);
    }
    // The name search's own index of the names, after the snapshot (see
    // `trigram_difference`): it finds assets by names the comparison above checked.
    Ok(match crate::db::name_search::trigram_difference(conn)? {
        Some(problem) => verified.failed(problem),
        None => verified,
    })
}

fn verify_snapshot(
    conn: &mut DbConnection,
    pin: Option<&Pin>,
) -> diesel::QueryResult<Verification> {
    let walked = walk::walk(conn, pin.map(Pin::seq))?;
    let result = Verification {
        ok: true,
        entries: walked.entries,
        assets: 0,
        head: walked.head.clone(),
        first_bad_seq: None,
        first_bad_asset: None,
        bad_figure: None,
        problem: None,
    };
    if let Some((seq, problem)) = walked.failure {
        return Ok(Verification {
            first_bad_seq: Some(seq),
            first_bad_asset: walked.bad_asset,
            ..result.failed(problem)
        });
    }
    if let Some(pin) = pin {
        if let Some((seq, problem)) = walk::check_pin(pin, walked.entries, walked.pinned.as_deref())
        {
            return Ok(Verification {
                first_bad_seq: Some(seq),
                ..result.failed(problem)
            });
        }
    }
    let compared = assets::compare(conn, walked.entries)?;
    let result = Verification {
        assets: compared.assets,
        ..result
    };
    if let Some((code, problem)) = compared.failure {
        return Ok(Verification {
            first_bad_asset: Some(code),
            ..result.failed(problem)
        });
    }
    if let Some(dangling) = references::first_dangling(conn)? {
        return Ok(Verification {
            first_bad_seq: dangling.seq(),
            first_bad_asset: dangling.asset().map(ToOwned::to_owned),
            ..result.failed(dangling.problem())
        });
    }
    if let Some((figure, problem)) = figures::compare(conn)? {
        return Ok(Verification {
            bad_figure: Some(figure),
            ..result.failed(problem)
        });
    }
    if let Some((finding, problem)) = findings::compare(conn)? {
        return Ok(Verification {
            bad_figure: Some(finding),
            ..result.failed(problem)
        });
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_are_seq_colon_lowercase_hash() {
        let hash = "ab".repeat(32);
        let pin: Pin = format!("12:{hash}").parse().expect("pin");
        assert_eq!((pin.seq(), pin.hash()), (12, hash.as_str()));
        assert_eq!(pin.to_string(), format!("12:{hash}"));
        for bad in [
            "12".to_owned(),
            format!(":{hash}"),
            format!("-1:{hash}"),
            format!("+1:{hash}"),
            format!("1:{}", "AB".repeat(32)),
            format!("1:{}", "ab".repeat(31)),
            format!("99999999999999999999:{hash}"),
        ] {
            assert_eq!(bad.parse::<Pin>(), Err(BadPin), "{bad}");
        }
    }
}
