//! Reading the kept findings (`maintain`): a page of one kind reads about a page of
//! `findings` rows through the index on its scope, kind and code; the kinds that turn
//! on a date compare the kept date with today's (`operating_without_income` adds the
//! few held rows whose year has passed, see `income`). Texts that depend on today or on
//! the asset's current columns are written for the page's rows only.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

use super::contracts::{contract_entries, expiring_until, of_asset};
use super::income;
use super::ledger_rows::rank_of;
use super::recompute::{
    duplicate_text, income_since, missing_custodian_text, owner_type_text, unconfirmed_text,
    without_income_text,
};
use super::{asset_finding, Finding, FindingKey, FindingKind};
use crate::db::schema::assets;
use crate::db::DbConnection;
use crate::domain::dates::today_in_china;
use crate::domain::Scope;
use crate::ledger::EntryRow;
use crate::paging::{Cursor, Limit, Page};
use crate::register::scope::{figures_sql, literal};

#[derive(QueryableByName)]
struct Kept {
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = Nullable<Text>)]
    detail: Option<String>,
}

#[derive(QueryableByName)]
struct Counted {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The SQL condition on the `findings` row aliased `f` that it is a finding of `kind`
/// in `scope` today.
fn condition(scope: &Scope, kind: FindingKind) -> String {
    let today = today_in_china();
    let day = |d: chrono::NaiveDate| literal(&d.format("%Y-%m-%d").to_string());
    let on = match kind.as_str() {
        // The rows under the kind's rank are findings whatever the day; the held rows
        // whose year has passed are read apart (`without_income`).
        "operating_without_income" => String::new(),
        "income_below_contract" | "contract_expired" => format!(" AND f.on_date < {}", day(today)),
        "contract_expiring" => format!(
            " AND f.on_date >= {} AND f.on_date <= {}",
            day(today),
            day(expiring_until(today))
        ),
        // A duplicate within the county may have no twin within its department.
        "duplicate_candidate" if matches!(scope, Scope::Department(_)) => " AND f.flag = 1".into(),
        _ => String::new(),
    };
    format!(
        "f.rank = {} AND {}{on}",
        rank_of(kind.as_str()),
        figures_sql(scope, "f")
    )
}

/// Up to `n` findings of `kind` in `scope` with codes after `after`, by code.
fn of_kind(
    conn: &mut DbConnection,
    scope: &Scope,
    kind: FindingKind,
    after: Option<&str>,
    n: usize,
) -> QueryResult<Vec<Finding>> {
    let after_sql = after.map_or(String::new(), |code| {
        format!(" AND f.code > {}", literal(code))
    });
    let mut rows: Vec<Kept> = diesel::sql_query(format!(
        "SELECT f.code AS code, f.detail AS detail FROM findings f WHERE {}{after_sql} \
         ORDER BY f.code LIMIT {n}",
        condition(scope, kind)
    ))
    .load(conn)?;
    let name = kind.as_str();
    if name == "operating_without_income" {
        rows.extend(
            held_past_their_year(conn, scope, after)?
                .into_iter()
                .map(|code| Kept { code, detail: None }),
        );
        rows.sort_by(|a, b| a.code.cmp(&b.code));
        rows.truncate(n);
    }
    let codes: Vec<&str> = rows.iter().map(|r| r.code.as_str()).collect();
    Ok(match name {
        "project_value_mismatch" => rows
            .into_iter()
            .map(|r| Finding {
                kind: "project_value_mismatch",
                asset_code: None,
                project_code: Some(r.code),
                detail: r.detail.unwrap_or_default(),
            })
            .collect(),
        "idle_or_damaged" | "not_stocktaken" => rows
            .into_iter()
            .map(|r| asset_finding(kind.as_str(), r.code, r.detail.unwrap_or_default()))
            .collect(),
        "operating_without_income" => {
            let detail = without_income_text(&income_since(today_in_china()));
            rows.into_iter()
                .map(|r| asset_finding("operating_without_income", r.code, detail.clone()))
                .collect()
        }
        "income_below_contract" | "contract_expiring" | "contract_expired" => {
            contract_texts(conn, kind, &codes)?
        }
        _ => column_texts(conn, kind, &codes)?,
    })
}

/// The held `operating_without_income` rows in `scope` with codes after `after` whose
/// year without income has passed since a write last moved them (see `income`): a
/// lookup of the few that passed, then of those in the scope by their keys.
fn held_past_their_year(
    conn: &mut DbConnection,
    scope: &Scope,
    after: Option<&str>,
) -> QueryResult<Vec<String>> {
    let passed: Vec<String> = income::passed(conn)?
        .into_iter()
        .filter(|code| after.is_none_or(|after| code.as_str() > after))
        .collect();
    let mut found = Vec::new();
    for chunk in passed.chunks(500) {
        let codes: Vec<String> = chunk.iter().map(|c| literal(c)).collect();
        let rows: Vec<Kept> = diesel::sql_query(format!(
            "SELECT f.code AS code, f.detail AS detail FROM findings f \
             WHERE f.rank = {} AND f.code IN ({}) AND {}",
            income::held_rank(),
            codes.join(", "),
            figures_sql(scope, "f")
        ))
        .load(conn)?;
        found.extend(rows.into_iter().map(|r| r.code));
    }
    found.sort();
    Ok(found)
}

type Columns = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    i64,
);

/// The findings of `kind` on the assets' own columns about the assets `codes`, with
/// their texts.
fn column_texts(
    conn: &mut DbConnection,
    kind: FindingKind,
    codes: &[&str],
) -> QueryResult<Vec<Finding>> {
    let rows: Vec<Columns> = assets::table
        .filter(assets::code.eq_any(codes))
        .select((
            assets::code,
            assets::name,
            assets::class,
            assets::owner_type,
            assets::owner_name,
            assets::confirmed_on,
            assets::certificate_no,
            assets::town,
            assets::village,
            assets::value_fen,
        ))
        .load(conn)?;
    let by_code: HashMap<&str, &Columns> = rows.iter().map(|r| (r.0.as_str(), r)).collect();
    let name = kind.as_str();
    Ok(codes
        .iter()
        .filter_map(|code| by_code.get(code))
        .map(
            |(code, asset, class, owner_type, owner, date, certificate, town, village, value)| {
                let detail = match name {
                    "owner_type_mismatch" => owner_type_text(class, owner, owner_type),
                    "missing_custodian" => missing_custodian_text(asset),
                    "unconfirmed" => unconfirmed_text(date.as_deref(), certificate.as_deref()),
                    _ => duplicate_text(town, village.as_deref(), asset, *value),
                };
                asset_finding(name, code.clone(), detail)
            },
        )
        .collect())
}

/// The contract findings of `kind` about the assets `codes`, written as of today.
fn contract_texts(
    conn: &mut DbConnection,
    kind: FindingKind,
    codes: &[&str],
) -> QueryResult<Vec<Finding>> {
    let classes: Vec<(String, String)> = assets::table
        .filter(assets::code.eq_any(codes))
        .select((assets::code, assets::class))
        .load(conn)?;
    let classes: HashMap<String, String> = classes.into_iter().collect();
    let entries = contract_entries(conn, codes)?;
    let today = today_in_china();
    let mut found = Vec::new();
    for code in codes {
        let rows: Vec<EntryRow> = entries
            .iter()
            .filter(|e| e.asset_code == *code)
            .cloned()
            .collect();
        let class = classes.get(*code).map_or("", String::as_str);
        let (below, expiring, expired) = of_asset(code, class, &rows, today);
        found.extend(match kind.as_str() {
            "income_below_contract" => below,
            "contract_expiring" => expiring,
            _ => expired,
        });
    }
    Ok(found)
}

/// The page of findings of `kind` (or of every kind) in `scope` that follows `after`:
/// pages follow the stable order of kind, then code, whatever changes between requests.
/// Read from the kept findings: at most one query per kind, each reading about a page
/// of rows, whatever the register's size.
///
/// Fails when a query fails.
pub fn page(
    conn: &mut DbConnection,
    scope: &Scope,
    kind: Option<FindingKind>,
    after: Option<&Cursor<FindingKey>>,
    limit: Limit,
) -> QueryResult<Page<Finding, FindingKey>> {
    let want = limit.get().saturating_add(1);
    let after = after.map(Cursor::key);
    let mut found = Vec::new();
    for k in FindingKind::all().filter(|k| kind.is_none_or(|w| w == *k)) {
        let from = match after {
            Some(a) if a.rank > k.index() => continue,
            Some(a) if a.rank == k.index() => Some(a.code.as_str()),
            _ => None,
        };
        found.extend(of_kind(conn, scope, k, from, want - found.len())?);
        if found.len() >= want {
            break;
        }
    }
    Ok(Page::from_rows(found, limit, Finding::key))
}

/// Every finding of `kind` (or of every kind) in `scope`, read from the kept findings
/// a page at a time.
///
/// Fails when a query fails.
pub fn all(
    conn: &mut DbConnection,
    scope: &Scope,
    kind: Option<FindingKind>,
) -> QueryResult<Vec<Finding>> {
    let mut found = Vec::new();
    let mut after: Option<Cursor<FindingKey>> = None;
    loop {
        let page = page(conn, scope, kind, after.as_ref(), Limit::fixed(1000))?;
        found.extend(page.items);
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(found),
        }
    }
}

/// How many findings of each kind `scope` has, in the order of the kinds, counted up to
/// `cap` + 1 at most (so that counting reads a bounded number of rows: more than `cap`
/// is all a page needs to say).
///
/// Fails when a query fails.
pub fn counts(
    conn: &mut DbConnection,
    scope: &Scope,
    cap: Option<u32>,
) -> QueryResult<Vec<(FindingKind, i64)>> {
    let limit = cap.map_or(String::new(), |cap| {
        format!(" LIMIT {}", u64::from(cap) + 1)
    });
    FindingKind::all()
        .map(|k| {
            let counted: Counted = diesel::sql_query(format!(
                "SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM findings f WHERE {}{limit}) x",
                condition(scope, k)
            ))
            .get_result(conn)?;
            let held = if k.as_str() == "operating_without_income" {
                held_past_their_year(conn, scope, None)?.len()
            } else {
                0
            };
            Ok((
                k,
                counted
                    .n
                    .saturating_add(i64::try_from(held).unwrap_or(i64::MAX)),
            ))
        })
        .collect()
}
