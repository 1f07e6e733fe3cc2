//! Every reference of the register checked: each project's and asset's import batch,
//! each asset's project (and the project's year and department its row holds), each
//! ledger entry's asset (and the asset's town and department it holds) and batch. SQLite's foreign keys and
//! PostgreSQL's statement checks refuse a dangling reference as it is written (and
//! batches, projects and assets are never deleted); this finds one made behind their
//! back, with the checks switched off.

use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::db::DbConnection;

/// A reference that names nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Dangling {
    /// A project whose batch does not exist.
    ProjectBatch { code: String, batch: String },
    /// An asset whose batch does not exist.
    AssetBatch { code: String, batch: String },
    /// An asset whose project is not registered.
    AssetProject { code: String, project: String },
    /// An asset whose row holds another year or department than its project's.
    AssetProjectFields { code: String, project: String },
    /// A ledger entry whose asset does not exist.
    EntryAsset { seq: i64, asset_id: String },
    /// A ledger entry that holds another town or department than its asset's.
    EntryPlace { seq: i64, code: String },
    /// A ledger entry whose batch does not exist.
    EntryBatch { seq: i64, batch: String },
}

impl Dangling {
    /// What is wrong, in Chinese.
    pub(super) fn problem(&self) -> String {
        match self {
            Dangling::ProjectBatch { code, batch } => {
                format!("项目 {code} 记载的导入批次 {batch} 不存在（引用悬空，登记簿被改动）")
            }
            Dangling::AssetBatch { code, batch } => {
                format!("资产 {code} 记载的导入批次 {batch} 不存在（引用悬空，登记簿被改动）")
            }
            Dangling::AssetProject { code, project } => {
                format!("资产 {code} 所属的项目 {project} 未登记（引用悬空，登记簿被改动）")
            }
            Dangling::AssetProjectFields { code, project } => {
                format!(
                    "资产 {code} 记载的项目年度或行业主管部门与项目 {project} 不符（登记簿被改动）"
                )
            }
            Dangling::EntryAsset { seq, asset_id } => {
                format!("台账第 {seq} 条记载的资产 {asset_id} 不存在（引用悬空，登记簿被改动）")
            }
            Dangling::EntryPlace { seq, code } => {
                format!("台账第 {seq} 条记载的镇街或行业主管部门与资产 {code} 不符（登记簿被改动）")
            }
            Dangling::EntryBatch { seq, batch } => {
                format!("台账第 {seq} 条记载的导入批次 {batch} 不存在（引用悬空，登记簿被改动）")
            }
        }
    }

    /// The asset code to name as the first bad asset, if the reference is an asset's.
    pub(super) fn asset(&self) -> Option<&str> {
        match self {
            Dangling::AssetBatch { code, .. }
            | Dangling::AssetProject { code, .. }
            | Dangling::AssetProjectFields { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The entry to name as the first bad one, if the reference is an entry's.
    pub(super) fn seq(&self) -> Option<i64> {
        match self {
            Dangling::EntryAsset { seq, .. }
            | Dangling::EntryPlace { seq, .. }
            | Dangling::EntryBatch { seq, .. } => Some(*seq),
            _ => None,
        }
    }
}

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = Text)]
    row_key: String,
    #[diesel(sql_type = Text)]
    named: String,
}

/// The reference a row makes, from its key and what it names.
type Named = fn(String, String) -> Dangling;

/// The checks, in order: a query finding the first row whose reference dangles, as its
/// key (`row_key`) and what it names (`named`), and the reference that row makes. Each
/// is one anti-join over a table.
const CHECKS: &[(&str, Named)] = &[
    (
        "SELECT p.code AS row_key, p.batch_id AS named FROM projects p \
         WHERE NOT EXISTS (SELECT 1 FROM import_batches b WHERE b.id = p.batch_id) \
         LIMIT 1",
        |code, batch| Dangling::ProjectBatch { code, batch },
    ),
    (
        "SELECT a.code AS row_key, a.batch_id AS named FROM assets a \
         WHERE NOT EXISTS (SELECT 1 FROM import_batches b WHERE b.id = a.batch_id) \
         LIMIT 1",
        |code, batch| Dangling::AssetBatch { code, batch },
    ),
    (
        "SELECT a.code AS row_key, a.project_code AS named FROM assets a \
         LEFT JOIN projects p ON p.code = a.project_code WHERE p.code IS NULL \
         LIMIT 1",
        |code, project| Dangling::AssetProject { code, project },
    ),
    (
        "SELECT a.code AS row_key, a.project_code AS named FROM assets a \
         JOIN projects p ON p.code = a.project_code \
         WHERE a.project_year <> p.year \
         OR (a.project_department IS NULL) <> (p.department IS NULL) \
         OR a.project_department <> p.department \
         LIMIT 1",
        |code, project| Dangling::AssetProjectFields { code, project },
    ),
    (
        "SELECT CAST(e.seq AS TEXT) AS row_key, e.asset_id AS named FROM ledger_entries e \
         LEFT JOIN assets a ON a.id = e.asset_id WHERE a.id IS NULL \
         LIMIT 1",
        |seq, asset_id| Dangling::EntryAsset {
            seq: seq.parse().unwrap_or_default(),
            asset_id,
        },
    ),
    (
        "SELECT CAST(e.seq AS TEXT) AS row_key, a.code AS named FROM ledger_entries e \
         JOIN assets a ON a.id = e.asset_id \
         WHERE e.asset_town <> a.town \
         OR (e.asset_department IS NULL) <> (a.project_department IS NULL) \
         OR e.asset_department <> a.project_department \
         LIMIT 1",
        |seq, code| Dangling::EntryPlace {
            seq: seq.parse().unwrap_or_default(),
            code,
        },
    ),
    (
        "SELECT CAST(e.seq AS TEXT) AS row_key, e.batch_id AS named FROM ledger_entries e \
         WHERE e.batch_id IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM import_batches b WHERE b.id = e.batch_id) \
         LIMIT 1",
        |seq, batch| Dangling::EntryBatch {
            seq: seq.parse().unwrap_or_default(),
            batch,
        },
    ),
];

/// The first dangling reference, in the order of [`CHECKS`]; `None` when every
/// reference names a row that exists.
///
/// Fails only when the database fails.
pub(super) fn first_dangling(conn: &mut DbConnection) -> QueryResult<Option<Dangling>> {
    for (query, dangling) in CHECKS {
        let found: Vec<Found> = diesel::sql_query(*query).load(conn)?;
        if let Some(row) = found.into_iter().next() {
            return Ok(Some(dangling(row.row_key, row.named)));
        }
    }
    Ok(None)
}
