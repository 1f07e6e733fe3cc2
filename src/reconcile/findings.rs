//! Audit findings (审计发现): what an auditor would raise about the register.

use std::collections::HashMap;

use chrono::Months;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use serde::Serialize;

use crate::db::schema::{assets, ledger_entries};
use crate::db::DbConnection;
use crate::domain::dates::today_in_china;
use crate::domain::shown;
use crate::domain::{InspectionResult, Scope, Spelling, Vocabulary};
use crate::ledger::store::cancelled_among;
use crate::paging::{Cursor, CursorKey, Limit, Page};
use crate::register::scope::{asset_sql, asset_sql_expression, project_sql};

mod contracts;
mod stocktake;

use contracts::contract_findings;

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

    /// The kind's name, as findings carry it.
    pub fn as_str(self) -> &'static str {
        // The index came from a position in KINDS: it is in bounds.
        KINDS.get(self.0).copied().unwrap_or_default()
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

/// The page of findings of `kind` (or of every kind) that follows `after`: pages follow
/// the stable order of kind, then code, whatever changes between requests.
///
/// Fails when a query fails.
pub fn page(
    conn: &mut DbConnection,
    scope: &Scope,
    kind: Option<FindingKind>,
    after: Option<&Cursor<FindingKey>>,
    limit: Limit,
) -> QueryResult<Page<Finding, FindingKey>> {
    Ok(paginate(findings(conn, scope, kind)?, after, limit))
}

fn asset_finding(kind: &'static str, code: String, detail: String) -> Finding {
    Finding {
        kind,
        asset_code: Some(code),
        project_code: None,
        detail,
    }
}

#[derive(QueryableByName)]
struct Mismatch {
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = BigInt)]
    funds_fen: i64,
    #[diesel(sql_type = BigInt)]
    value_fen: i64,
}

#[derive(QueryableByName)]
struct Duplicate {
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = Text)]
    town: String,
    #[diesel(sql_type = Nullable<Text>)]
    village: Option<String>,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = BigInt)]
    value_fen: i64,
}

/// Every finding of `kind` (or of every kind) about the projects and assets in `scope`,
/// ordered by kind then code.
///
/// Fails when a query fails.
pub fn findings(
    conn: &mut DbConnection,
    scope: &Scope,
    kind: Option<FindingKind>,
) -> QueryResult<Vec<Finding>> {
    let wanted = |k: &str| kind.is_none_or(|w| w.as_str() == k);
    let mut found = Vec::new();
    let live = assets::status.ne("disposed");
    let in_scope = || asset_sql_expression(scope);

    if wanted("project_value_mismatch") {
        let rows: Vec<Mismatch> = diesel::sql_query(format!(
            "SELECT p.code AS code, p.funds_fen AS funds_fen, CAST(SUM(a.value_fen) AS BIGINT) AS value_fen \
             FROM projects p JOIN assets a ON a.project_code = p.code WHERE {} \
             GROUP BY p.code, p.funds_fen HAVING SUM(a.value_fen) <> p.funds_fen",
            project_sql(scope, "p")
        ))
        .load(conn)?;
        let mut rows = rows;
        rows.sort_by(|a, b| a.code.cmp(&b.code));
        found.extend(rows.into_iter().map(|r| Finding {
            kind: "project_value_mismatch",
            asset_code: None,
            project_code: Some(r.code),
            detail: format!(
                "资产价值合计 {} 元，项目资金 {} 元，相差 {} 元",
                shown::yuan(r.value_fen),
                shown::yuan(r.funds_fen),
                shown::yuan(r.value_fen - r.funds_fen)
            ),
        }));
    }

    if wanted("owner_type_mismatch") {
        let rows: Vec<(String, String, String, String)> = assets::table
            .filter(live)
            .filter(in_scope())
            .filter(
                assets::class
                    .eq("household")
                    .and(assets::owner_type.ne("household"))
                    .or(assets::class
                        .eq("operating")
                        .and(assets::owner_type.ne_all(["village_collective", "household"]))
                        .and(assets::certificate_no.is_null())),
            )
            .order(assets::code)
            .select((
                assets::code,
                assets::class,
                assets::owner_type,
                assets::owner_name,
            ))
            .load(conn)?;
        found.extend(rows.into_iter().map(|(code, class, owner_type, owner)| {
            let detail = if class == "household" {
                format!("到户类资产的所有权人“{owner}”不是农户（{owner_type}）")
            } else {
                format!("经营性资产的所有权人“{owner}”既非村集体也非农户（{owner_type}），且无确权证书说明")
            };
            asset_finding("owner_type_mismatch", code, detail)
        }));
    }

    if wanted("missing_custodian") {
        let rows: Vec<(String, String)> = assets::table
            .filter(live)
            .filter(in_scope())
            .filter(assets::custodian.is_null())
            .order(assets::code)
            .select((assets::code, assets::name))
            .load(conn)?;
        found.extend(rows.into_iter().map(|(code, name)| {
            asset_finding(
                "missing_custodian",
                code,
                format!("资产“{name}”未落实管护主体"),
            )
        }));
    }

    if wanted("unconfirmed") {
        let rows: Vec<(String, Option<String>, Option<String>)> = assets::table
            .filter(live)
            .filter(in_scope())
            .filter(
                assets::confirmed_on
                    .is_null()
                    .or(assets::certificate_no.is_null()),
            )
            .order(assets::code)
            .select((assets::code, assets::confirmed_on, assets::certificate_no))
            .load(conn)?;
        found.extend(rows.into_iter().map(|(code, date, certificate)| {
            let missing = match (date, certificate) {
                (None, None) => "无确权日期和确权证书编号",
                (None, Some(_)) => "无确权日期",
                _ => "无确权证书编号",
            };
            asset_finding("unconfirmed", code, format!("尚未确权：{missing}"))
        }));
    }

    // The entries a live correction cancelled, by the rule every ledger reader uses.
    let corrected = cancelled_among(conn, scope, None)?;
    let corrected_list: Vec<i64> = corrected.iter().copied().collect();

    if wanted("operating_without_income") {
        let today = today_in_china();
        let since = today
            .checked_sub_months(Months::new(12))
            .unwrap_or(today)
            .format("%Y-%m-%d")
            .to_string();
        let rows: Vec<String> = assets::table
            .filter(live)
            .filter(in_scope())
            .filter(assets::class.eq("operating"))
            .filter(diesel::dsl::not(diesel::dsl::exists(
                ledger_entries::table
                    .filter(ledger_entries::asset_code.eq(assets::code))
                    .filter(ledger_entries::kind.eq("income"))
                    .filter(ledger_entries::occurred_on.ge(since.clone()))
                    .filter(ledger_entries::seq.ne_all(corrected_list)),
            )))
            .order(assets::code)
            .select(assets::code)
            .load(conn)?;
        found.extend(rows.into_iter().map(|code| {
            asset_finding(
                "operating_without_income",
                code,
                format!("经营性资产自 {since} 起没有经营收益记录"),
            )
        }));
    }

    if wanted("idle_or_damaged") {
        // `corrected` (above) holds the entries a correction cancelled.
        let inspections: Vec<(i64, String, String, String)> = ledger_entries::table
            .inner_join(assets::table)
            .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
                "ledger_entries.kind = 'inspection'",
            ))
            .filter(live)
            .filter(in_scope())
            .order((ledger_entries::occurred_on, ledger_entries::seq))
            .select((
                ledger_entries::seq,
                assets::code,
                ledger_entries::occurred_on,
                ledger_entries::data,
            ))
            .load(conn)?;
        let mut last: HashMap<String, (String, String)> = HashMap::new();
        for (seq, code, day, data) in inspections {
            if !corrected.contains(&seq) {
                last.insert(code, (day, data));
            }
        }
        let mut rows: Vec<(String, (String, String))> = last.into_iter().collect();
        rows.sort();
        for (code, (day, data)) in rows {
            let value: serde_json::Value = serde_json::from_str(&data).unwrap_or_default();
            let result = value
                .get("result")
                .and_then(|r| r.as_str())
                .unwrap_or_default()
                .to_owned();
            if result != InspectionResult::Normal.as_str() {
                let label = InspectionResult::parse(&result).map_or("异常", |r| r.label());
                found.push(asset_finding(
                    "idle_or_damaged",
                    code,
                    format!("{day} 最近一次巡查结果为{label}"),
                ));
            }
        }
    }

    if wanted("duplicate_candidate") {
        // Household assets are handed out alike to many households: among them only the
        // same owner makes a candidate.
        let rows: Vec<Duplicate> = diesel::sql_query(format!(
            "SELECT a.code AS code, a.town AS town, a.village AS village, a.name AS name, a.value_fen AS value_fen \
             FROM assets a JOIN (SELECT town, COALESCE(village, '') AS v, name, value_fen, \
                 CASE WHEN class = 'household' THEN owner_name ELSE '' END AS o \
                 FROM assets WHERE status <> 'disposed' AND {inner} \
                 GROUP BY town, COALESCE(village, ''), name, value_fen, CASE WHEN class = 'household' THEN owner_name ELSE '' END \
                 HAVING COUNT(*) > 1) d \
             ON d.town = a.town AND d.v = COALESCE(a.village, '') AND d.name = a.name AND d.value_fen = a.value_fen \
                AND d.o = CASE WHEN a.class = 'household' THEN a.owner_name ELSE '' END \
             WHERE a.status <> 'disposed' AND {outer}",
            inner = asset_sql(scope, "assets"),
            outer = asset_sql(scope, "a"),
        ))
        .load(conn)?;
        let mut rows = rows;
        rows.sort_by(|a, b| a.code.cmp(&b.code));
        found.extend(rows.into_iter().map(|r| {
            asset_finding(
                "duplicate_candidate",
                r.code,
                format!(
                    "{}{}有同名同值的资产“{}”（{} 元），可能重复登记",
                    r.town,
                    r.village.unwrap_or_default(),
                    r.name,
                    shown::yuan(r.value_fen)
                ),
            )
        }));
    }

    if wanted("income_below_contract") || wanted("contract_expiring") || wanted("contract_expired")
    {
        let (below, expiring, expired) = contract_findings(conn, scope)?;
        for (kind, list) in [
            ("income_below_contract", below),
            ("contract_expiring", expiring),
            ("contract_expired", expired),
        ] {
            if wanted(kind) {
                found.extend(list);
            }
        }
    }
    if wanted("not_stocktaken") {
        found.extend(stocktake::not_stocktaken(conn, scope)?);
    }
    Ok(found)
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
