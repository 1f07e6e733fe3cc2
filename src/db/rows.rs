//! The rows of the tables written many at a time (projects, assets, their registered
//! fields, ledger entries, the names they are searched by, import errors), as Diesel reads and inserts them: plain columns, so that
//! [`super::bulk`] can load them by the fastest path of each engine. Their meaning and
//! their conversions live with the modules that own them (`register::store`,
//! `ledger::chain`, `import::batch`).

use diesel::prelude::*;

use super::schema::{
    asset_search_names, assets, import_errors, ledger_entries, projects, registered_fields,
};

/// A `projects` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = projects, treat_none_as_default_value = false)]
pub struct ProjectRow {
    /// 项目编号
    pub code: String,
    /// 项目名称
    pub name: String,
    /// 项目年度
    pub year: i32,
    /// 镇/街道
    pub town: String,
    /// 村
    pub village: Option<String>,
    /// 项目资金 in fen
    pub funds_fen: i64,
    /// 资金来源
    pub funding_source: Option<String>,
    /// The import batch that registered it.
    pub batch_id: String,
    /// When it was registered (RFC 3339).
    pub created_at: String,
    /// The code as it is compared (NFKC, lower case): unique.
    pub code_key: Option<String>,
    /// 行业主管部门: the sector department that oversees it; the department scope
    /// matches it, for the project and its assets.
    pub department: Option<String>,
    /// 中央衔接资金 in fen, when the funds are split by channel.
    pub funds_central_fen: Option<i64>,
    /// 省级衔接资金 in fen.
    pub funds_provincial_fen: Option<i64>,
    /// 市县衔接资金 in fen.
    pub funds_local_fen: Option<i64>,
    /// 整合涉农资金 in fen.
    pub funds_integrated_fen: Option<i64>,
    /// 行业部门资金 in fen.
    pub funds_sector_fen: Option<i64>,
    /// 社会帮扶资金 in fen.
    pub funds_social_fen: Option<i64>,
    /// 其他资金 in fen.
    pub funds_other_fen: Option<i64>,
}

/// An `assets` row: the asset's current state, the projection of its ledger entries.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = assets, treat_none_as_default_value = false)]
pub struct AssetRow {
    /// UUID v7, never reused: time-ordered, so a new asset's key lands at the end of
    /// the primary-key index (and of the ledger's foreign-key lookups) instead of on a
    /// random page of it.
    pub id: String,
    /// 资产编号
    pub code: String,
    /// The project that formed it.
    pub project_code: String,
    /// 资产名称
    pub name: String,
    /// 资产类别 (English name)
    pub class: String,
    /// 数量, exact decimal text
    pub quantity: Option<String>,
    /// 计量单位
    pub unit: Option<String>,
    /// 资产价值 in fen
    pub value_fen: i64,
    /// 所有权人
    pub owner_name: String,
    /// 所有权人类型 (English name)
    pub owner_type: String,
    /// 所有权人证件号
    pub owner_id_number: Option<String>,
    /// 管护主体
    pub custodian: Option<String>,
    /// registered, confirmed or disposed
    pub status: String,
    /// 确权日期
    pub confirmed_on: Option<String>,
    /// 确权证书编号
    pub certificate_no: Option<String>,
    /// 镇/街道
    pub town: String,
    /// 村
    pub village: Option<String>,
    /// The import batch that registered it.
    pub batch_id: String,
    /// The `seq` of its latest ledger entry.
    pub last_seq: i64,
    /// When it was registered (RFC 3339).
    pub created_at: String,
    /// Income recorded (经营收益), in fen.
    pub income_fen: i64,
    /// Income distributed (收益分配), in fen.
    pub distributed_fen: i64,
    /// The `occurred_on` of its `registered` entry: the first day it existed.
    pub registered_on: String,
    /// 1 when the ledger holds a disposal, value adjustment or correction of it, so its
    /// value or existence as of a date needs a fold of its entries; else 0.
    pub has_value_events: i32,
    /// The code as it is compared (NFKC, lower case): unique.
    pub code_key: Option<String>,
    /// 资产状态 (English name): normal, idle or damaged.
    pub condition: Option<String>,
    /// 经营方式 (English name).
    pub operating_mode: Option<String>,
    /// The other 台账 columns (资产形态 … 备注) as a JSON object, as the `registered`
    /// entry carries them; `None` when none is filled.
    pub details: Option<String>,
    /// 项目年度 of its project, held here so that a list by year reads an index of year
    /// and code (a project's fields never change).
    pub project_year: i32,
    /// 行业主管部门 of its project, held here so that a list or scope by department
    /// reads an index of department and code.
    pub project_department: Option<String>,
}

/// A `registered_fields` row: the values an asset was registered with of the fields that
/// entries change (its other registered fields are the columns of its `assets` row that
/// no entry changes). Written once at import, never updated; see `ledger::registered`.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = registered_fields, treat_none_as_default_value = false)]
pub struct HeldRow {
    /// The asset's UUID.
    pub asset_id: String,
    /// 资产价值 in fen.
    pub value_fen: i64,
    /// 所有权人.
    pub owner_name: String,
    /// 所有权人类型 (English name).
    pub owner_type: String,
    /// 所有权人证件号.
    pub owner_id_number: Option<String>,
    /// 管护主体.
    pub custodian: Option<String>,
    /// registered or confirmed.
    pub status: String,
    /// 确权日期.
    pub confirmed_on: Option<String>,
    /// 确权证书编号.
    pub certificate_no: Option<String>,
}

/// A `ledger_entries` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = ledger_entries, treat_none_as_default_value = false)]
pub struct EntryRow {
    /// Global, gap-free position.
    pub seq: i64,
    /// The asset's UUID.
    pub asset_id: String,
    /// The asset's code.
    pub asset_code: String,
    /// What happened.
    pub kind: String,
    /// Business date (YYYY-MM-DD).
    pub occurred_on: String,
    /// Server time (RFC 3339, UTC).
    pub recorded_at: String,
    /// The token name that wrote it.
    pub actor: String,
    /// Kind-specific data: compact JSON with sorted keys.
    pub data: String,
    /// The import batch that made it, if any.
    pub batch_id: Option<String>,
    /// The previous entry's hash.
    pub prev_hash: String,
    /// SHA-256 over `prev_hash` and the canonical encoding.
    pub hash: String,
    /// The version of the canonical encoding that hashed it (`ledger::chain`).
    pub encoding: i32,
    /// From version 2: the entry's random 128-bit salt (hex), never served.
    pub salt: Option<String>,
    /// The asset's town, beside the entry for the change feed of a town (not hashed:
    /// the asset's, like its code).
    pub asset_town: String,
    /// The asset's project's department, beside the entry for the change feed of a
    /// department (not hashed).
    pub asset_department: Option<String>,
}

/// An `import_errors` row: one listed error of a rejected batch.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = import_errors, treat_none_as_default_value = false)]
pub struct ImportErrorRow {
    /// The rejected batch.
    pub batch_id: String,
    /// Position among the batch's listed errors, from 0.
    pub ordinal: i64,
    /// Physical line of the file, if the error has one.
    pub line: Option<i64>,
    /// The column's header text, if the error concerns one column.
    pub column_name: Option<String>,
    /// Machine-readable code.
    pub code: String,
    /// What is wrong, in Chinese.
    pub message: String,
    /// For a conflict with the register: the value the register holds.
    pub registered_value: Option<String>,
    /// For a conflict with the register: the value the file holds.
    pub file_value: Option<String>,
    /// In a workbook: the cell, as Excel names it (`H14`).
    pub cell: Option<String>,
    /// For a totals row that does not add up: the figure it declares.
    pub declared: Option<String>,
    /// For a totals row that does not add up: the sum of the rows it covers.
    pub computed: Option<String>,
}

/// An `asset_search_names` row: a name the asset is known by — its own, or one its
/// owner was given by one of its entries. Written with the asset or the entry, never
/// updated; see `ledger::search_names`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Queryable, Selectable, Insertable)]
#[diesel(table_name = asset_search_names, treat_none_as_default_value = false)]
pub struct NameRow {
    /// The name.
    pub name: String,
    /// The asset's UUID.
    pub asset_id: String,
}
