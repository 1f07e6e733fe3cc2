//! `migrate-to postgres://…`: the register (SQLite) and its ledger copied into an empty
//! PostgreSQL database, then verified there against the source.

use std::process::ExitCode;

use super::database::open;
use crate::db::migrate_to::{check_backends, copy_register};
use crate::db::Db;
use crate::ledger::verify::verify;

/// Copies the register at `database` into `target` and verifies the copy: exit 0 when
/// its chain, assets and totals verify with the source's head and counts, 1 when not.
///
/// Fails (exit 2) when the source is missing or not SQLite, the target is not
/// PostgreSQL or not empty, or either cannot be opened.
pub(super) fn migrate_to(database: &str, target: &str) -> Result<ExitCode, String> {
    let source = open(database, "migrate-to")?;
    check_backends(&source, target).map_err(|e| e.to_string())?;
    let mut from = source.conn().map_err(|e| e.to_string())?;
    let before = verify(&mut from).map_err(|e| e.to_string())?;
    if !before.ok {
        return Err(format!(
            "源登记簿校验未通过（{}），未迁移：先查明原因",
            before.problem.unwrap_or_default()
        ));
    }
    // Opening the target applies the migrations (under the advisory lock).
    let copy = Db::open_for(target, 2, "migrate-to").map_err(|e| e.to_string())?;
    let mut to = copy.conn().map_err(|e| e.to_string())?;
    let copied = copy_register(&mut from, &mut to).map_err(|e| e.to_string())?;
    for (table, rows) in &copied {
        println!("{}：{rows} 行", table_label(table));
    }
    let after = verify(&mut to).map_err(|e| e.to_string())?;
    let same = after.entries == before.entries
        && after.assets == before.assets
        && after.head == before.head;
    if after.ok && same {
        println!(
            "已迁移并在目标库校验通过：{} 条台账记录，{} 项资产，合计无误；链头 {}:{}（与源一致）",
            after.entries, after.assets, after.entries, after.head
        );
        Ok(ExitCode::SUCCESS)
    } else {
        println!(
            "迁移后目标库校验未通过：{}（源 {} 条、链头 {}；目标 {} 条、链头 {}）",
            after.problem.unwrap_or_else(|| "与源不一致".to_owned()),
            before.entries,
            before.head,
            after.entries,
            after.head
        );
        Ok(ExitCode::FAILURE)
    }
}

/// A table as a person reads it (a table of a later release by its name).
fn table_label(table: &str) -> &str {
    match table {
        "projects" => "项目",
        "assets" => "资产",
        "registered_fields" => "登记字段",
        "asset_search_names" => "资产检索名称",
        "search_names" => "检索名称",
        "ledger_entries" => "台账记录",
        "ledger_head" => "链头",
        "idempotency_keys" => "幂等键",
        "import_batches" => "导入批次",
        "import_errors" => "导入错误",
        "declarations" => "申报",
        "declaration_lines" => "申报行",
        "register_summary" => "登记簿合计",
        "class_summary" => "分类合计",
        "group_figures" => "分组合计",
        "rollup_figures" => "口径分组合计",
        "dated_figures" => "按日合计",
        "access_tokens" => "令牌",
        "access_log" => "个人信息访问记录",
        other => other,
    }
}
