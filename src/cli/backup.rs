//! `verify`, `backup` and `restore`: the ledger's hash chain checked in the register,
//! in a fresh copy, and in a backup before it replaces the register.

use std::path::Path;
use std::process::ExitCode;

use super::database::open;

/// Copies the register to `file` and verifies the copy's chain; exit 1 when it is broken.
pub(super) fn backup(database: &str, file: &Path) -> Result<ExitCode, String> {
    let db = open(database, "backup")?;
    let mut conn = db.conn().map_err(|e| e.to_string())?;
    crate::db::backup::backup(&mut conn, file).map_err(|e| e.to_string())?;
    let copy = open(&file.to_string_lossy(), "backup")?;
    let mut copy_conn = copy.conn().map_err(|e| e.to_string())?;
    let verified = crate::ledger::verify::verify(&mut copy_conn).map_err(|e| e.to_string())?;
    println!(
        "已备份到 {}：{} 条台账记录，链头哈希 {}",
        file.display(),
        verified.entries,
        verified.head
    );
    Ok(if verified.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Replaces the register by the backup `file` once its chain verifies.
pub(super) fn restore(database: &str, file: &Path, force: bool) -> Result<ExitCode, String> {
    let target = crate::db::backup::restore_target(database).map_err(|e| e.to_string())?;
    let verified = {
        let backup = open(&file.to_string_lossy(), "restore")?;
        let mut conn = backup.conn().map_err(|e| e.to_string())?;
        crate::ledger::verify::verify(&mut conn).map_err(|e| e.to_string())?
    };
    if !verified.ok {
        return Err(format!(
            "备份 {} 的台账校验失败（{}），未恢复",
            file.display(),
            verified.problem.unwrap_or_default()
        ));
    }
    crate::db::backup::restore(file, &target, force).map_err(|e| e.to_string())?;
    println!(
        "已从 {} 恢复到 {}：{} 条台账记录，链头哈希 {}",
        file.display(),
        target.display(),
        verified.entries,
        verified.head
    );
    Ok(ExitCode::SUCCESS)
}

/// Verifies the register's chain; exit 1 when it is broken.
pub(super) fn verify(
    database: &str,
    against: Option<&crate::ledger::verify::Pin>,
) -> Result<ExitCode, String> {
    let db = open(database, "verify")?;
    let mut conn = db.conn().map_err(|e| e.to_string())?;
    let result =
        crate::ledger::verify::verify_against(&mut conn, against).map_err(|e| e.to_string())?;
    if result.ok {
        println!(
            "校验通过：共 {} 条台账记录，{} 项资产与台账一致，合计无误；链头 {}:{}",
            result.entries, result.assets, result.entries, result.head
        );
        if let Some(pin) = against {
            println!("报告所印链头 {pin} 仍在链中，其后条目完整");
        }
        return Ok(ExitCode::SUCCESS);
    }
    let problem = result.problem.unwrap_or_default();
    if let Some(seq) = result.first_bad_seq {
        let asset = crate::ledger::store::asset_code_of_entry(&mut conn, seq)
            .map_err(|e| e.to_string())?
            .map(|code| format!("（资产 {code}）"))
            .unwrap_or_default();
        println!("校验失败：第一个不符的条目 seq {seq}{asset}：{problem}");
        println!(
            "此前 {} 条记录完好，链哈希 {}",
            result.entries.saturating_sub(1),
            result.head
        );
    } else if let Some(code) = result.first_bad_asset {
        println!("校验失败：第一个不符的资产 {code}：{problem}");
    } else if let Some(figure) = result.bad_figure {
        println!("校验失败：不符的合计 {figure}：{problem}");
    } else {
        println!("校验失败：{problem}");
    }
    Ok(ExitCode::FAILURE)
}
