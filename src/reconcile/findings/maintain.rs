//! Keeping `findings` up to date: every write calls one of these in its own
//! transaction (an import once, in bulk; a ledger append, a stock-take's results and
//! its closing for the assets they touch), and the server builds the table at start
//! when a migration left it empty. `verify` compares the kept findings with their
//! recomputation (`compare`).

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::income;
use super::kept;
use super::ledger_rows::{ledger_entries_of, ledger_ranks, ledger_rows, placed, rank_of, Place};
use super::recompute::{mismatch_text, owner_type_sql, recompute, unconfirmed_sql};
use super::stocktake::not_stocktaken;
use super::{Finding, FindingKey, FindingKind};
use crate::db::finding_rows::{insert_findings, FindingRow};
use crate::db::schema::findings_state;
use crate::db::DbConnection;
use crate::domain::Scope;
use crate::paging::{Cursor, Limit};
use crate::register::figures::Touched;
use crate::register::scope::literal;
use crate::register::store::AssetRow;

/// Assets or projects refreshed per statement.
const CODES_PER_STATEMENT: usize = 500;

fn list<S: AsRef<str>>(codes: &[S]) -> String {
    let quoted: Vec<String> = codes.iter().map(|c| literal(c.as_ref())).collect();
    quoted.join(", ")
}

/// Inserts the rows of the findings on the asset's own columns (`owner_type_mismatch`,
/// `missing_custodian`, `unconfirmed`) and the candidates of `operating_without_income`
/// (with the last income, corrections not applied) of the live assets meeting
/// `condition` (SQL on the asset row aliased `a`). One statement reads the assets once,
/// each joined to the kinds it meets (a statement per kind read a province's import,
/// a million assets just written, four times).
fn insert_column_kinds(conn: &mut DbConnection, condition: &str, income: bool) -> QueryResult<()> {
    let mut kinds = vec![
        ("owner_type_mismatch", owner_type_sql("a")),
        ("missing_custodian", "a.custodian IS NULL".to_owned()),
        ("unconfirmed", unconfirmed_sql("a")),
    ];
    if income {
        kinds.push((
            "operating_without_income",
            "a.class = 'operating'".to_owned(),
        ));
    }
    let (mut ranks, mut dates, mut predicates, mut numbers) =
        (String::new(), String::new(), String::new(), Vec::new());
    for (number, (kind, predicate)) in kinds.iter().enumerate() {
        let (rank, on_date) = if *kind == "operating_without_income" {
            let last_income = "(SELECT MAX(e.occurred_on) FROM ledger_entries e \
                 WHERE e.asset_code = a.code AND e.kind = 'income')";
            (income::rank_sql(last_income), last_income)
        } else {
            (rank_of(kind).to_string(), "NULL")
        };
        ranks.push_str(&format!("WHEN {number} THEN {rank} "));
        dates.push_str(&format!("WHEN {number} THEN {on_date} "));
        predicates.push_str(&format!("WHEN {number} THEN {predicate} "));
        numbers.push(format!("SELECT {number} AS n"));
    }
    diesel::sql_query(format!(
        "INSERT INTO findings (rank, code, town, village, department, on_date, flag, detail) \
         SELECT CASE k.n {ranks}END, a.code, a.town, COALESCE(a.village, ''), \
             COALESCE(p.department, ''), CASE k.n {dates}END, 0, NULL \
         FROM assets a CROSS JOIN ({kinds}) k JOIN projects p ON p.code = a.project_code \
         WHERE a.status <> 'disposed' AND ({condition}) AND (CASE k.n {predicates}ELSE FALSE END)",
        kinds = numbers.join(" UNION ALL "),
    ))
    .execute(conn)
    .map(|_| ())
}

/// Inserts the `not_stocktaken` rows of the assets meeting `condition`.
fn insert_not_stocktaken(conn: &mut DbConnection, condition: &str) -> QueryResult<()> {
    let rows: Vec<FindingRow> = not_stocktaken(conn, condition)?
        .into_iter()
        .map(|r| {
            r.place
                .row(rank_of("not_stocktaken"), r.code, None, Some(r.detail))
        })
        .collect();
    insert_findings(conn, &rows)
}

/// Replaces the rows of the ledger's findings of the assets `codes`.
fn refresh_ledger_kinds(conn: &mut DbConnection, codes: &[&str]) -> QueryResult<()> {
    let ranks = ledger_ranks().map(|r| r.to_string()).join(", ");
    diesel::sql_query(format!(
        "DELETE FROM findings WHERE rank IN ({ranks}) AND code IN ({})",
        list(codes)
    ))
    .execute(conn)?;
    let assets = placed(conn, codes)?;
    let entries = ledger_entries_of(conn, codes)?;
    let mut rows = Vec::new();
    for asset in &assets {
        let of_asset: Vec<_> = entries
            .iter()
            .filter(|e| e.asset_code == asset.code)
            .cloned()
            .collect();
        rows.extend(ledger_rows(asset, &of_asset));
    }
    insert_findings(conn, &rows)
}

/// Brings the findings about the assets `codes` up to date (every kind about an asset
/// alone: all but `project_value_mismatch` and `duplicate_candidate`).
///
/// Fails when a query fails.
pub fn refresh_assets<S: AsRef<str>>(conn: &mut DbConnection, codes: &[S]) -> QueryResult<()> {
    income::release(conn)?;
    for chunk in codes.chunks(CODES_PER_STATEMENT) {
        let chunk: Vec<&str> = chunk.iter().map(AsRef::as_ref).collect();
        let condition = format!("a.code IN ({})", list(&chunk));
        let ranks = [
            "owner_type_mismatch",
            "missing_custodian",
            "unconfirmed",
            "not_stocktaken",
        ]
        .map(|k| rank_of(k).to_string())
        .join(", ");
        diesel::sql_query(format!(
            "DELETE FROM findings WHERE rank IN ({ranks}) AND code IN ({})",
            list(&chunk)
        ))
        .execute(conn)?;
        insert_column_kinds(conn, &condition, false)?;
        insert_not_stocktaken(conn, &condition)?;
        refresh_ledger_kinds(conn, &chunk)?;
    }
    Ok(())
}

#[derive(QueryableByName)]
struct ProjectSum {
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(embed)]
    place: Place,
    #[diesel(sql_type = BigInt)]
    funds_fen: i64,
    #[diesel(sql_type = BigInt)]
    value_fen: i64,
}

/// Brings `project_value_mismatch` of the projects meeting `condition` (SQL on the
/// project row aliased `p`) up to date: the sum of their assets' values, read through
/// the index on the assets' project.
fn refresh_projects(conn: &mut DbConnection, condition: &str) -> QueryResult<()> {
    let rank = rank_of("project_value_mismatch");
    diesel::sql_query(format!(
        "DELETE FROM findings WHERE rank = {rank} AND code IN (SELECT p.code FROM projects p WHERE {condition})"
    ))
    .execute(conn)?;
    let sums: Vec<ProjectSum> = diesel::sql_query(format!(
        "SELECT p.code AS code, p.town AS town, p.village AS village, p.department AS department, \
         p.funds_fen AS funds_fen, CAST(SUM(a.value_fen) AS BIGINT) AS value_fen \
         FROM projects p JOIN assets a ON a.project_code = p.code WHERE {condition} \
         GROUP BY p.code, p.town, p.village, p.department, p.funds_fen \
         HAVING SUM(a.value_fen) <> p.funds_fen"
    ))
    .load(conn)?;
    let rows: Vec<FindingRow> = sums
        .into_iter()
        .map(|s| {
            let detail = mismatch_text(s.value_fen, s.funds_fen);
            s.place.row(rank, s.code, None, Some(detail))
        })
        .collect();
    insert_findings(conn, &rows)
}

/// Brings `project_value_mismatch` of the projects `codes` up to date.
///
/// Fails when a query fails.
pub fn refresh_projects_with_codes<S: AsRef<str>>(
    conn: &mut DbConnection,
    codes: &[S],
) -> QueryResult<()> {
    for chunk in codes.chunks(CODES_PER_STATEMENT) {
        refresh_projects(conn, &format!("p.code IN ({})", list(chunk)))?;
    }
    Ok(())
}

/// What makes assets duplicate candidates of each other: town, village ('' for none),
/// name, value and, for a household asset, its owner ('' otherwise).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, QueryableByName)]
pub struct DuplicateKey {
    #[diesel(sql_type = Text)]
    town: String,
    #[diesel(sql_type = Text)]
    village: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = BigInt)]
    value_fen: i64,
    #[diesel(sql_type = Text)]
    owner: String,
}

const OWNER_KEY: &str = "CASE WHEN a.class = 'household' THEN a.owner_name ELSE '' END";

impl DuplicateKey {
    /// The key of an asset's row.
    pub fn of(asset: &AssetRow) -> Self {
        DuplicateKey {
            town: asset.town.clone(),
            village: asset.village.clone().unwrap_or_default(),
            name: asset.name.clone(),
            value_fen: asset.value_fen,
            owner: if asset.class == "household" {
                asset.owner_name.clone()
            } else {
                String::new()
            },
        }
    }

    /// The SQL condition that the asset row aliased `a` has this key (read through the
    /// index on name and value).
    fn sql(&self, a: &str) -> String {
        format!(
            "{a}.name = {} AND {a}.value_fen = {} AND {a}.town = {} AND COALESCE({a}.village, '') = {} \
             AND {} = {}",
            literal(&self.name),
            self.value_fen,
            literal(&self.town),
            literal(&self.village),
            OWNER_KEY.replace("a.", &format!("{a}.")),
            literal(&self.owner)
        )
    }
}

/// The columns of an asset's duplicate key, selected from the row aliased `a`.
fn key_columns() -> String {
    format!(
        "a.town AS town, COALESCE(a.village, '') AS village, a.name AS name, \
         a.value_fen AS value_fen, {OWNER_KEY} AS owner"
    )
}

/// Brings the `duplicate_candidate` rows of the assets with each of `keys` up to date:
/// a live asset is one when another live asset has its key, and stays one within its
/// department (`flag`) when another of the same department has it.
///
/// Fails when a query fails.
pub fn refresh_groups(conn: &mut DbConnection, keys: &[DuplicateKey]) -> QueryResult<()> {
    let rank = rank_of("duplicate_candidate");
    let mut keys = keys.to_vec();
    keys.sort();
    keys.dedup();
    for key in &keys {
        let same = key.sql("a");
        diesel::sql_query(format!(
            "DELETE FROM findings WHERE rank = {rank} AND code IN (SELECT a.code FROM assets a WHERE {same})"
        ))
        .execute(conn)?;
        // The group's assets counted by department once, joined to each: counted per
        // asset, a group of n assets took n² reads (minutes for one of 20,000).
        diesel::sql_query(format!(
            "INSERT INTO findings (rank, code, town, village, department, on_date, flag, detail) \
             SELECT {rank}, a.code, a.town, COALESCE(a.village, ''), COALESCE(p.department, ''), NULL, \
             CASE WHEN d.n > 1 THEN 1 ELSE 0 END, NULL \
             FROM assets a JOIN projects p ON p.code = a.project_code \
             LEFT JOIN (SELECT q.department AS department, COUNT(*) AS n \
                 FROM assets b JOIN projects q ON q.code = b.project_code \
                 WHERE b.status <> 'disposed' AND {same_b} GROUP BY q.department) d \
                 ON d.department = p.department \
             WHERE a.status <> 'disposed' AND {same} \
             AND (SELECT COUNT(*) FROM assets b WHERE b.status <> 'disposed' AND {same_b}) > 1",
            same_b = key.sql("b"),
        ))
        .execute(conn)?;
    }
    Ok(())
}

/// The keys of the live duplicate groups that hold an asset meeting `condition`.
fn groups_holding(conn: &mut DbConnection, condition: &str) -> QueryResult<Vec<DuplicateKey>> {
    diesel::sql_query(format!(
        "SELECT DISTINCT {columns} FROM assets a WHERE a.status <> 'disposed' AND ({condition}) \
         AND EXISTS (SELECT 1 FROM assets x WHERE x.status <> 'disposed' AND x.code <> a.code \
             AND x.name = a.name AND x.value_fen = a.value_fen AND x.town = a.town \
             AND COALESCE(x.village, '') = COALESCE(a.village, '') \
             AND {owner_x} = {OWNER_KEY})",
        columns = key_columns(),
        owner_x = OWNER_KEY.replace("a.", "x."),
    ))
    .load(conn)
}

/// Brings the findings up to date after an append to the asset whose row was `before`
/// (its row now holds the entry's effect): its own findings, its project's, and the
/// duplicate groups it left and joined. The caller holds the chain's lock.
///
/// Fails when a query fails.
pub fn after_append(conn: &mut DbConnection, before: &AssetRow) -> QueryResult<()> {
    refresh_assets(conn, &[before.code.as_str()])?;
    refresh_projects_with_codes(conn, &[before.project_code.as_str()])?;
    let mut keys = vec![DuplicateKey::of(before)];
    keys.extend(
        diesel::sql_query(format!(
            "SELECT {} FROM assets a WHERE a.code = {}",
            key_columns(),
            literal(&before.code)
        ))
        .load::<DuplicateKey>(conn)?,
    );
    refresh_groups(conn, &keys)
}

/// Brings the findings up to date after the import `touched` describes wrote its
/// assets (which have no entry but their registration and hand-over): in bulk, a few
/// statements over the batch's rows, and `project_value_mismatch` for the projects it
/// created whose assets' value differs from their funds and the earlier projects it
/// added to (all projects when those are most of the register's `projects_now`). The
/// caller holds the chain's lock.
///
/// Fails when a query fails.
pub fn after_import(
    conn: &mut DbConnection,
    touched: &Touched,
    projects_now: i64,
) -> QueryResult<()> {
    income::release(conn)?;
    let condition = format!("a.batch_id = {}", literal(&touched.batch_id));
    insert_column_kinds(conn, &condition, true)?;
    let most = |count: usize| {
        u64::try_from(count).unwrap_or(u64::MAX) * 2 >= u64::try_from(projects_now).unwrap_or(0)
    };
    if !touched.earlier.is_empty() && most(touched.earlier.len()) {
        refresh_projects(conn, "1 = 1")?;
    } else {
        let projects = [touched.mismatched.as_slice(), touched.earlier.as_slice()].concat();
        refresh_projects_with_codes(conn, &projects)?;
    }
    let keys = groups_holding(conn, &condition)?;
    refresh_groups(conn, &keys)?;
    if most(touched.created + touched.earlier.len()) {
        analyze(conn)?;
    }
    Ok(())
}

/// Lets the planner know the table's new size and spread: without statistics,
/// PostgreSQL read a whole kind (333,000 rows at 1M assets) to sort out a page instead
/// of walking the index on kind and code.
fn analyze(conn: &mut DbConnection) -> QueryResult<()> {
    diesel::sql_query("ANALYZE findings")
        .execute(conn)
        .map(|_| ())
}

/// Brings `not_stocktaken` up to date for the assets of the stock-take `campaign_id`
/// (after it closed).
///
/// Fails when a query fails.
pub fn after_stocktake_closed(conn: &mut DbConnection, campaign_id: &str) -> QueryResult<()> {
    let condition = format!(
        "a.id IN (SELECT asset_id FROM stocktake_assets WHERE stocktake_id = {})",
        literal(campaign_id)
    );
    diesel::sql_query(format!(
        "DELETE FROM findings WHERE rank = {} AND code IN (SELECT a.code FROM assets a WHERE {condition})",
        rank_of("not_stocktaken")
    ))
    .execute(conn)?;
    insert_not_stocktaken(conn, &condition)
}

/// Builds the kept findings again from the register and the ledger.
///
/// Fails when a query fails.
pub fn rebuild(conn: &mut DbConnection) -> QueryResult<()> {
    diesel::sql_query("DELETE FROM findings").execute(conn)?;
    insert_column_kinds(conn, "1 = 1", true)?;
    insert_not_stocktaken(conn, "1 = 1")?;
    // Inspections, contracts and corrections (which may cancel an income) are read from
    // the entries of the few assets that have them.
    let with_entries: Vec<String> = {
        use crate::db::schema::ledger_entries;
        ledger_entries::table
            .filter(ledger_entries::kind.eq_any([
                "inspection",
                "contract_signed",
                "contract_ended",
                "correction",
            ]))
            .select(ledger_entries::asset_code)
            .distinct()
            .load(conn)?
    };
    for chunk in with_entries.chunks(CODES_PER_STATEMENT) {
        let chunk: Vec<&str> = chunk.iter().map(String::as_str).collect();
        refresh_ledger_kinds(conn, &chunk)?;
    }
    refresh_projects(conn, "1 = 1")?;
    let keys = groups_holding(conn, "1 = 1")?;
    refresh_groups(conn, &keys)?;
    analyze(conn)?;
    diesel::update(findings_state::table.find(1))
        .set(findings_state::built.eq(1))
        .execute(conn)?;
    Ok(())
}

/// Builds the kept findings when a migration left them unbuilt (a register made before
/// they were kept), in one transaction; else moves the held `operating_without_income`
/// rows whose year has passed. Run at start, after the migrations.
///
/// Fails when a query fails.
pub fn backfill(conn: &mut DbConnection) -> QueryResult<()> {
    let built: i32 = findings_state::table
        .find(1)
        .select(findings_state::built)
        .first(conn)?;
    if built == 0 {
        conn.transaction(rebuild)?;
    } else {
        income::release(conn)?;
    }
    Ok(())
}

/// A finding on which the kept findings and their recomputation differ: its name
/// (`findings.KIND.CODE`), the kept one and the recomputed one (`None` when that side
/// lacks it).
pub type Difference = (String, Option<Finding>, Option<Finding>);

/// The first finding (by kind, then code) on which the kept findings in `scope` and
/// their recomputation differ: `(its name, the kept one, the recomputed one)`, each
/// `None` when that side lacks it; `None` when both agree. A kind at a time, the kept
/// side read a page at a time.
///
/// Fails when a query fails.
pub fn compare(conn: &mut DbConnection, scope: &Scope) -> QueryResult<Option<Difference>> {
    for kind in FindingKind::all() {
        let mut again = recompute(conn, scope, Some(kind))?.into_iter().peekable();
        let mut after: Option<Cursor<FindingKey>> = None;
        loop {
            let page = kept::page(conn, scope, Some(kind), after.as_ref(), Limit::fixed(1000))?;
            for kept in page.items {
                match again.next_if(|a| a.key() <= kept.key()) {
                    Some(a) if a == kept => {}
                    Some(a) if a.key() == kept.key() => {
                        return Ok(Some((name(&kept), Some(kept), Some(a))))
                    }
                    Some(a) => return Ok(Some((name(&a), None, Some(a)))),
                    None => return Ok(Some((name(&kept), Some(kept), None))),
                }
            }
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        if let Some(a) = again.next() {
            return Ok(Some((name(&a), None, Some(a))));
        }
    }
    Ok(None)
}

/// A finding's name in a verification: `findings.KIND.CODE`.
fn name(finding: &Finding) -> String {
    format!(
        "findings.{}.{}",
        finding.kind,
        finding
            .asset_code
            .as_deref()
            .or(finding.project_code.as_deref())
            .unwrap_or_default()
    )
}
