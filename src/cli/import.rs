//! `import`: a register (CSV or workbook) imported (or checked, with `--dry-run`) with a progress bar
//! on a terminal, then its summary or its table of errors.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use super::database::open_or_create;
use super::table::{pad, width};
use crate::import::pipeline::{Progress, Unwatched};
use crate::import::{import_file, BatchReport, ImportOutcome, ImportRequest, RowError};

/// A progress bar on a terminal.
struct Bar(indicatif::ProgressBar);

impl Progress for Bar {
    fn advance(&mut self, read: u64, total: u64) {
        self.0.set_length(total);
        self.0.set_position(read);
    }

    fn rows_read(&mut self, rows: u64) {
        self.0.set_prefix(rows.to_string());
    }

    fn committing(&mut self) {
        self.0.set_message("正在提交（写入索引与合计）…");
    }
}

/// What the bar shows: what it does, the rows read, the percent of the file and its bytes.
const BAR_TEMPLATE: &str =
    "{msg} [{bar:30}] {percent:>3}%  已读 {prefix} 行  {bytes}/{total_bytes}  {elapsed}";

/// Imports `file` (or checks it, `dry_run`); exit 1 when it is rejected.
pub(super) fn import(
    database: &str,
    file: &Path,
    dry_run: bool,
    sheet: Option<String>,
) -> Result<ExitCode, String> {
    if file.is_dir() {
        return Err(format!(
            "{} 是文件夹，不是文件：请给出要导入的 CSV 或 Excel 文件",
            file.display()
        ));
    }
    if !file.is_file() {
        return Err(format!("找不到文件 {}", file.display()));
    }
    let db = open_or_create(database, "import")?;
    let mut conn = db.conn().map_err(|e| e.to_string())?;
    let request = ImportRequest {
        path: file,
        filename: file.file_name().map(|n| n.to_string_lossy().into_owned()),
        actor: "cli".to_owned(),
        dry_run,
        scope: crate::domain::Scope::County,
        sheet,
    };
    let started = std::time::Instant::now();
    let outcome = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(BAR_TEMPLATE)
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.set_prefix("0");
        bar.set_message(if dry_run {
            "试导入：读取并校验"
        } else {
            "导入：读取、校验并写入"
        });
        let mut progress = Bar(bar);
        let outcome = import_file(&mut conn, &request, &mut progress);
        progress.0.finish_and_clear();
        outcome
    } else {
        import_file(&mut conn, &request, &mut Unwatched)
    }
    .map_err(|e| e.to_string())?;
    let elapsed = started.elapsed();
    match outcome {
        ImportOutcome::Committed(report) => {
            print_summary("已导入", &report);
            eprintln!("用时 {:.2} 秒", elapsed.as_secs_f64());
            Ok(ExitCode::SUCCESS)
        }
        ImportOutcome::Replayed(report) => {
            print_summary(
                "此文件此前已导入（内容相同），未写入任何数据；原批次",
                &report,
            );
            Ok(ExitCode::SUCCESS)
        }
        ImportOutcome::DryRun(report) => {
            print_summary("试导入（未写入）", &report);
            Ok(ExitCode::SUCCESS)
        }
        ImportOutcome::Rejected(report) => {
            print_errors(&report);
            Ok(ExitCode::FAILURE)
        }
    }
}

fn print_summary(heading: &str, report: &BatchReport) {
    println!("{heading} {}", report.id.as_deref().unwrap_or(""));
    println!("  编码         {}", report.encoding);
    if let Some(sheet) = &report.sheet {
        println!("  工作表       {sheet}");
    }
    println!("  数据行       {}", report.data_rows);
    if report.continued_rows > 0 {
        println!(
            "  续行         {}（项目各列为空，沿用上一行的项目）",
            report.continued_rows
        );
    }
    if report.totals_checked > 0 {
        println!(
            "  合计行       {} 行已核对，与明细相符",
            report.totals_checked
        );
    }
    println!("  新增项目     {}", report.projects_created);
    println!("  新增资产     {}", report.assets_created);
    println!("  未变的行     {}", report.rows_unchanged);
    for warning in &report.warnings {
        println!("  提示：第 {} 行 {}", warning.line, warning.message);
    }
    if report.warnings_truncated {
        println!(
            "  提示共 {} 条，只列出前 {} 条",
            report.warning_count,
            report.warnings.len()
        );
    }
}

fn print_errors(report: &BatchReport) {
    println!(
        "导入被拒绝：共 {} 处错误，未写入任何数据{}",
        report.error_count,
        if report.errors.len() < usize::try_from(report.error_count).unwrap_or(usize::MAX) {
            format!("（以下列出前 {} 处）", report.errors.len())
        } else {
            String::new()
        }
    );
    let cells = |e: &RowError| {
        [
            e.line.map_or_else(|| "-".to_owned(), |l| l.to_string()),
            match (&e.column, &e.cell) {
                (Some(column), Some(cell)) => format!("{column}（{cell}）"),
                (Some(column), None) => column.clone(),
                (None, _) => "-".to_owned(),
            },
            crate::domain::error_labels::error_label(e.code).to_owned(),
            e.message.clone(),
        ]
    };
    let header = ["行", "列", "错误类型", "说明"].map(str::to_owned);
    let rows: Vec<[String; 4]> = report.errors.iter().map(cells).collect();
    let widths: Vec<usize> = (0..3)
        .map(|i| {
            rows.iter()
                .chain(std::iter::once(&header))
                .map(|r| width(&r[i]).min(40))
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in std::iter::once(&header).chain(rows.iter()) {
        println!(
            "{}  {}  {}  {}",
            pad(&row[0], widths[0]),
            pad(&row[1], widths[1]),
            pad(&row[2], widths[2]),
            row[3]
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_names_what_it_does_with_rows_and_percent() {
        assert!(indicatif::ProgressStyle::with_template(BAR_TEMPLATE).is_ok());
        for part in ["{msg}", "{percent", "已读 {prefix} 行"] {
            assert!(BAR_TEMPLATE.contains(part), "{part}");
        }
    }
}
