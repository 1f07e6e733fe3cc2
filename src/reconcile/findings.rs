//! Audit findings (审计发现): what an auditor would raise about the register.

use diesel::QueryResult;
use serde::Serialize;

use crate::db::DbConnection;
use crate::domain::{Scope, Spelling, Vocabulary};
use crate::paging::{Cursor, CursorKey, Limit, Page};

mod contracts;
mod income;
pub mod kept;
mod ledger_rows;
pub mod maintain;
mod recompute;
mod stocktake;

pub use kept::{counts, page};
pub use recompute::recompute;

/// The kinds of findings with their Chinese names, in the order findings are listed in.
const SPELLINGS: [Spelling; 11] = [
    Spelling::new("project_value_mismatch", "项目资金与资产价值不符"),
    Spelling::new("owner_type_mismatch", "所有权人类型不符"),
    Spelling::new("missing_custodian", "未落实管护主体"),
    Spelling::new("unconfirmed", "尚未确权"),
    Spelling::new("operating_without_income", "经营性资产一年内无收益"),
    Spelling::new("idle_or_damaged", "巡查闲置或损坏"),
    Spelling::new("duplicate_candidate", "疑似重复登记"),
    Spelling::new("income_below_contract", "收益低于合同约定"),
    Spelling::new("contract_expiring", "经营合同即将到期"),
    Spelling::new("contract_expired", "经营合同已到期未续签"),
    Spelling::new("not_stocktaken", "年度盘点未盘"),
];

/// The kinds of findings, as findings and the API carry them.
pub const KINDS: [&str; SPELLINGS.len()] = {
    let mut kinds = [""; SPELLINGS.len()];
    let mut i = 0;
    while i < kinds.len() {
        kinds[i] = SPELLINGS[i].code;
        i += 1;
    }
    kinds
};

/// One of the [`KINDS`], by its place in them (the order findings are listed in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FindingKind(usize);

impl FindingKind {
    /// Every kind, in order.
    pub fn all() -> impl Iterator<Item = FindingKind> {
        (0..KINDS.len()).map(FindingKind)
    }

    /// Parses one of the [`KINDS`]; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        KINDS.iter().position(|k| *k == text).map(FindingKind)
    }

    /// Its place in the list of kinds.
    pub fn index(self) -> usize {
        self.0
    }

    /// The kind's name, as findings carry it.
    pub fn as_str(self) -> &'static str {
        // The index came from a position in KINDS: it is in bounds.
        KINDS.get(self.0).copied().unwrap_or_default()
    }
}

/// The first kind.
impl Default for FindingKind {
    fn default() -> Self {
        FindingKind(0)
    }
}

impl Vocabulary for FindingKind {
    const ALL: &'static [Self] = &[
        FindingKind(0),
        FindingKind(1),
        FindingKind(2),
        FindingKind(3),
        FindingKind(4),
        FindingKind(5),
        FindingKind(6),
        FindingKind(7),
        FindingKind(8),
        FindingKind(9),
        FindingKind(10),
    ];

    fn spelling(self) -> Spelling {
        // The index came from a position in KINDS, which SPELLINGS makes: in bounds.
        SPELLINGS[self.0.min(SPELLINGS.len() - 1)]
    }
}

/// The Chinese name of a finding kind (`missing_custodian` → 未落实管护主体).
pub fn finding_label(kind: &str) -> &'static str {
    FindingKind::parse(kind).map_or("其他", |k| k.label())
}

impl std::fmt::Display for FindingKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a finding stands in the list: its kind's place, then the code of the asset (or
/// project) concerned.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FindingKey {
    rank: usize,
    code: String,
}

impl CursorKey for FindingKey {
    fn to_text(&self) -> String {
        format!("{}|{}", self.rank, self.code)
    }

    fn from_text(text: &str) -> Option<Self> {
        let (rank, code) = text.split_once('|')?;
        Some(FindingKey {
            rank: rank.parse().ok()?,
            code: code.to_owned(),
        })
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Finding {
    /// One of [`KINDS`].
    pub kind: &'static str,
    /// The asset concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asset_code: Option<String>,
    /// The project concerned (for `project_value_mismatch`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_code: Option<String>,
    /// What is wrong, in Chinese.
    pub detail: String,
}

impl Finding {
    /// Its place in the list of findings (kind, then code).
    pub fn key(&self) -> FindingKey {
        FindingKey {
            rank: FindingKind::parse(self.kind).map_or(KINDS.len(), |k| k.0),
            code: self
                .asset_code
                .clone()
                .or_else(|| self.project_code.clone())
                .unwrap_or_default(),
        }
    }
}

/// The page of `found` (ordered by kind then code) that follows `after`.
pub fn paginate(
    found: Vec<Finding>,
    after: Option<&Cursor<FindingKey>>,
    limit: Limit,
) -> Page<Finding, FindingKey> {
    let rest: Vec<Finding> = found
        .into_iter()
        .filter(|f| after.is_none_or(|a| &f.key() > a.key()))
        .take(limit.get().saturating_add(1))
        .collect();
    Page::from_rows(rest, limit, Finding::key)
}

fn asset_finding(kind: &'static str, code: String, detail: String) -> Finding {
    Finding {
        kind,
        asset_code: Some(code),
        project_code: None,
        detail,
    }
}

/// Every finding of `kind` (or of every kind) about the projects and assets in `scope`,
/// ordered by kind then code, read from the kept findings.
///
/// Fails when a query fails.
pub fn findings(
    conn: &mut DbConnection,
    scope: &Scope,
    kind: Option<FindingKind>,
) -> QueryResult<Vec<Finding>> {
    kept::all(conn, scope, kind)
}
/// What a printed report shows of the findings in a scope: how many of each kind, and
/// the first few of each (a report of a province's register must not hold them all;
/// the findings page and its CSV have the rest).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Digest {
    /// How many findings of each kind, in the order of the kinds.
    pub counts: Vec<(FindingKind, i64)>,
    /// The first findings of each kind by code, at most `per_kind` of each.
    pub first: Vec<Finding>,
    /// How many of each kind `first` holds at most.
    pub per_kind: u16,
}

impl Digest {
    /// How many findings of `kind` there are.
    pub fn count(&self, kind: FindingKind) -> i64 {
        self.counts
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(0, |(_, n)| *n)
    }
}

/// The [`Digest`] of the findings in `scope`: every kind counted, and the first
/// `per_kind` of each read a page at a time from the kept findings.
///
/// Fails when a query fails.
pub fn digest(conn: &mut DbConnection, scope: &Scope, per_kind: u16) -> QueryResult<Digest> {
    let counts = kept::counts(conn, scope, None)?;
    let mut first = Vec::new();
    for (kind, count) in &counts {
        if *count > 0 && per_kind > 0 {
            first.extend(kept::page(conn, scope, Some(*kind), None, Limit::fixed(per_kind))?.items);
        }
    }
    Ok(Digest {
        counts,
        first,
        per_kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(kind: &'static str, code: &str) -> Finding {
        asset_finding(kind, code.to_owned(), String::new())
    }

    #[test]
    fn pages_follow_kind_then_code_from_the_cursor() {
        let found = vec![
            finding("owner_type_mismatch", "A2"),
            finding("missing_custodian", "A1"),
            finding("missing_custodian", "A3"),
        ];
        let first = paginate(found.clone(), None, Limit::fixed(2));
        assert_eq!(first.items, found[..2]);
        let next = first.next.expect("another page");
        assert_eq!(next.to_string(), "c1.327c4131", "rank 2, code A1");
        let rest = paginate(found.clone(), Some(&next), Limit::fixed(2));
        assert_eq!((rest.items, rest.next), (found[2..].to_vec(), None));
        assert_eq!(Cursor::<FindingKey>::parse("c1.787c79"), None, "x|y");
    }

    #[test]
    fn kinds_parse_from_their_names_only() {
        let names: Vec<&str> = FindingKind::all().map(FindingKind::as_str).collect();
        assert_eq!(names, KINDS);
        assert_eq!(FindingKind::parse("foo"), None);
    }
}
