//! `export`: the register in the import format (CSV) or as the Excel 台账, to a file or
//! stdout.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use super::database::open;
use crate::db::DbConnection;
use crate::domain::dates::today_in_china;
use crate::domain::Scope;
use crate::export::xlsx::write_register_xlsx;
use crate::export::{write_register, ExportEncoding, ExportError};
use crate::register::query::AssetFilter;

/// The form of an export.
enum Format {
    Csv(ExportEncoding),
    Xlsx,
}

/// Writes the whole register as `format` (`csv` in `encoding`, or `xlsx`) to `output` or
/// stdout.
pub(super) fn export(
    database: &str,
    format: &str,
    encoding: &str,
    output: Option<&Path>,
) -> Result<ExitCode, String> {
    let format = match format.to_ascii_lowercase().as_str() {
        "csv" => Format::Csv(
            ExportEncoding::parse(encoding)
                .ok_or_else(|| format!("未知编码“{encoding}”：应为 utf-8 或 gbk"))?,
        ),
        "xlsx" => Format::Xlsx,
        _ => return Err(format!("未知格式“{format}”：应为 csv 或 xlsx")),
    };
    let db = open(database, "export")?;
    let mut conn = db.conn().map_err(|e| e.to_string())?;
    let rows = match output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .map_err(|e| format!("无法写入 {}：{e}", path.display()))?;
            write(&mut conn, &format, std::io::BufWriter::new(file))
        }
        None => write(
            &mut conn,
            &format,
            std::io::BufWriter::new(std::io::stdout()),
        ),
    }
    .map_err(|e| e.to_string())?;
    eprintln!("已导出 {rows} 行");
    Ok(ExitCode::SUCCESS)
}

/// Writes the whole register as `format` to `out`; returns how many rows.
fn write(
    conn: &mut DbConnection,
    format: &Format,
    mut out: impl Write + Send,
) -> Result<u64, ExportError> {
    let filter = AssetFilter::default();
    let rows = match format {
        Format::Csv(encoding) => {
            write_register(conn, &Scope::County, &filter, *encoding, &mut out)?.rows
        }
        Format::Xlsx => {
            write_register_xlsx(conn, &Scope::County, &filter, today_in_china(), &mut out)?.rows
        }
    };
    out.flush()?;
    Ok(rows)
}
