//! `export`: the register in the import format, to a file or stdout.

use std::path::Path;
use std::process::ExitCode;

use super::database::open;

/// Writes the whole register in the import format, in `encoding`, to `output` or stdout.
pub(super) fn export(
    database: &str,
    encoding: &str,
    output: Option<&Path>,
) -> Result<ExitCode, String> {
    let encoding = crate::export::ExportEncoding::parse(encoding)
        .ok_or_else(|| format!("未知编码“{encoding}”：应为 utf-8 或 gbk"))?;
    let db = open(database)?;
    let mut conn = db.conn().map_err(|e| e.to_string())?;
    let filter = crate::register::query::AssetFilter::default();
    let rows = match output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .map_err(|e| format!("无法写入 {}：{e}", path.display()))?;
            let mut out = std::io::BufWriter::new(file);
            crate::export::write_register(
                &mut conn,
                &crate::domain::Scope::County,
                &filter,
                encoding,
                &mut out,
            )
            .map_err(|e| e.to_string())?
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            crate::export::write_register(
                &mut conn,
                &crate::domain::Scope::County,
                &filter,
                encoding,
                &mut out,
            )
            .map_err(|e| e.to_string())?
        }
    };
    eprintln!("已导出 {rows} 行");
    Ok(ExitCode::SUCCESS)
}
