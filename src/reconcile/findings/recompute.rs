//! The findings computed from the register and the ledger as they stand, scanning
//! every project and asset in scope: the reference the kept findings (`maintain`,
//! `kept`) are tested and verified against, and the texts both give.

use std::collections::HashMap;

use chrono::{Months, NaiveDate};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

use super::contracts::contract_findings;
use super::stocktake::not_stocktaken;
use super::{asset_finding, Finding, FindingKind};
use crate::db::schema::{assets, ledger_entries};
use crate::db::DbConnection;
use crate::domain::dates::today_in_china;
use crate::domain::shown;
use crate::domain::{InspectionResult, Scope, Vocabulary};
use crate::ledger::store::cancelled_among;
use crate::register::scope::{asset_sql, asset_sql_expression, project_sql};

/// What `project_value_mismatch` says of a project.
pub(super) fn mismatch_text(value_fen: i64, funds_fen: i64) -> String {
    format!(
        "资产价值合计 {} 元，项目资金 {} 元，相差 {} 元",
        shown::yuan(value_fen),
        shown::yuan(funds_fen),
        shown::yuan(value_fen - funds_fen)
    )
}

/// What `owner_type_mismatch` says of an asset of `class`.
pub(super) fn owner_type_text(class: &str, owner: &str, owner_type: &str) -> String {
    if class == "household" {
        format!("到户类资产的所有权人“{owner}”不是农户（{owner_type}）")
    } else {
        format!("经营性资产的所有权人“{owner}”既非村集体也非农户（{owner_type}），且无确权证书说明")
    }
}

/// What `missing_custodian` says of the asset `name`.
pub(super) fn missing_custodian_text(name: &str) -> String {
    format!("资产“{name}”未落实管护主体")
}

/// What `unconfirmed` says of an asset without one or both of these.
pub(super) fn unconfirmed_text(date: Option<&str>, certificate: Option<&str>) -> String {
    let missing = match (date, certificate) {
        (None, None) => "无确权日期和确权证书编号",
        (None, Some(_)) => "无确权日期",
        _ => "无确权证书编号",
    };
    format!("尚未确权：{missing}")
}

/// The first day of the year before `today` that `operating_without_income` looks at.
pub(super) fn income_since(today: NaiveDate) -> String {
    today
        .checked_sub_months(Months::new(12))
        .unwrap_or(today)
        .format("%Y-%m-%d")
        .to_string()
}

/// What `operating_without_income` says.
pub(super) fn without_income_text(since: &str) -> String {
    format!("经营性资产自 {since} 起没有经营收益记录")
}

/// What `idle_or_damaged` says of an inspection on `day` with `result` (stored data's
/// `result`); `None` when it found the asset normal.
pub(super) fn inspection_text(day: &str, data: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(data).unwrap_or_default();
    let result = value
        .get("result")
        .and_then(|r| r.as_str())
        .unwrap_or_default();
    if result == InspectionResult::Normal.as_str() {
        return None;
    }
    let label = InspectionResult::parse(result).map_or("异常", |r| r.label());
    Some(format!("{day} 最近一次巡查结果为{label}"))
}

/// What `duplicate_candidate` says of an asset.
pub(super) fn duplicate_text(
    town: &str,
    village: Option<&str>,
    name: &str,
    value_fen: i64,
) -> String {
    format!(
        "{}{}有同名同值的资产“{}”（{} 元），可能重复登记",
        town,
        village.unwrap_or_default(),
        name,
        shown::yuan(value_fen)
    )
}

/// The SQL condition on the asset row aliased `a` of `owner_type_mismatch`.
pub(super) fn owner_type_sql(a: &str) -> String {
    format!(
        "(({a}.class = 'household' AND {a}.owner_type <> 'household') OR ({a}.class = 'operating' \
         AND {a}.owner_type NOT IN ('village_collective', 'household') AND {a}.certificate_no IS NULL))"
    )
}

/// The SQL condition on the asset row aliased `a` of `unconfirmed`.
pub(super) fn unconfirmed_sql(a: &str) -> String {
    format!("({a}.confirmed_on IS NULL OR {a}.certificate_no IS NULL)")
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
/// ordered by kind then code, computed from the register and the ledger as they stand
/// (a scan of the register: the reference the kept findings are compared with).
///
/// Fails when a query fails.
pub fn recompute(
    conn: &mut DbConnection,
    scope: &Scope,
    kind: Option<FindingKind>,
) -> QueryResult<Vec<Finding>> {
    let wanted = |k: &str| kind.is_none_or(|w| w.as_str() == k);
    let mut found = Vec::new();
    let live = || assets::status.ne("disposed");
    let in_scope = || asset_sql_expression(scope);

    if wanted("project_value_mismatch") {
        let mut rows: Vec<Mismatch> = diesel::sql_query(format!(
            "SELECT p.code AS code, p.funds_fen AS funds_fen, CAST(SUM(a.value_fen) AS BIGINT) AS value_fen \
             FROM projects p JOIN assets a ON a.project_code = p.code WHERE {} \
             GROUP BY p.code, p.funds_fen HAVING SUM(a.value_fen) <> p.funds_fen",
            project_sql(scope, "p")
        ))
        .load(conn)?;
        rows.sort_by(|a, b| a.code.cmp(&b.code));
        found.extend(rows.into_iter().map(|r| Finding {
            kind: "project_value_mismatch",
            asset_code: None,
            project_code: Some(r.code),
            detail: mismatch_text(r.value_fen, r.funds_fen),
        }));
    }

    if wanted("owner_type_mismatch") {
        let rows: Vec<(String, String, String, String)> = assets::table
            .filter(live())
            .filter(in_scope())
            .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
                &owner_type_sql("assets"),
            ))
            .order(assets::code)
            .select((
                assets::code,
                assets::class,
                assets::owner_type,
                assets::owner_name,
            ))
            .load(conn)?;
        found.extend(rows.into_iter().map(|(code, class, owner_type, owner)| {
            let detail = owner_type_text(&class, &owner, &owner_type);
            asset_finding("owner_type_mismatch", code, detail)
        }));
    }

    if wanted("missing_custodian") {
        let rows: Vec<(String, String)> = assets::table
            .filter(live())
            .filter(in_scope())
            .filter(assets::custodian.is_null())
            .order(assets::code)
            .select((assets::code, assets::name))
            .load(conn)?;
        found.extend(rows.into_iter().map(|(code, name)| {
            asset_finding("missing_custodian", code, missing_custodian_text(&name))
        }));
    }

    if wanted("unconfirmed") {
        let rows: Vec<(String, Option<String>, Option<String>)> = assets::table
            .filter(live())
            .filter(in_scope())
            .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
                &unconfirmed_sql("assets"),
            ))
            .order(assets::code)
            .select((assets::code, assets::confirmed_on, assets::certificate_no))
            .load(conn)?;
        found.extend(rows.into_iter().map(|(code, date, certificate)| {
            let detail = unconfirmed_text(date.as_deref(), certificate.as_deref());
            asset_finding("unconfirmed", code, detail)
        }));
    }

    // The entries a live correction cancelled, by the rule every ledger reader uses.
    let corrected = cancelled_among(conn, scope, None)?;
    let corrected_list: Vec<i64> = corrected.iter().copied().collect();

    if wanted("operating_without_income") {
        let since = income_since(today_in_china());
        let rows: Vec<String> = assets::table
            .filter(live())
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
                without_income_text(&since),
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
            .filter(live())
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
            if let Some(detail) = inspection_text(&day, &data) {
                found.push(asset_finding("idle_or_damaged", code, detail));
            }
        }
    }

    if wanted("duplicate_candidate") {
        // Household assets are handed out alike to many households: among them only the
        // same owner makes a candidate.
        // Counted over a window of each key (one sort): a join of the assets with their
        // groups is quadratic on SQLite when groups are many.
        let mut rows: Vec<Duplicate> = diesel::sql_query(format!(
            "SELECT code, town, village, name, value_fen FROM (SELECT a.code AS code, a.town AS town, \
             a.village AS village, a.name AS name, a.value_fen AS value_fen, COUNT(*) OVER (PARTITION BY \
             a.town, COALESCE(a.village, ''), a.name, a.value_fen, \
             CASE WHEN a.class = 'household' THEN a.owner_name ELSE '' END) AS n \
             FROM assets a WHERE a.status <> 'disposed' AND {in_scope}) d WHERE n > 1",
            in_scope = asset_sql(scope, "a"),
        ))
        .load(conn)?;
        rows.sort_by(|a, b| a.code.cmp(&b.code));
        found.extend(rows.into_iter().map(|r| {
            let detail = duplicate_text(&r.town, r.village.as_deref(), &r.name, r.value_fen);
            asset_finding("duplicate_candidate", r.code, detail)
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
        found.extend(
            not_stocktaken(conn, &asset_sql(scope, "a"))?
                .into_iter()
                .map(|r| asset_finding("not_stocktaken", r.code, r.detail)),
        );
    }
    Ok(found)
}
