//! `config`: every setting's effective value, where it came from and what it does —
//! secrets never (a database URL's password is masked, Rocket's secret key only said to
//! be set).

use std::process::ExitCode;

use super::table::{pad, width};
use crate::settings::{self, Effective};

/// Prints the effective settings of a command run here, with `database` the one it
/// would open (`flag` when given by `--database` or `DATABASE_URL`).
pub(super) fn print(database: &str, flag: bool) -> Result<ExitCode, String> {
    let figment = settings::figment();
    let lines = settings::effective(&figment, database, flag);
    print!("{}", table(&lines));
    Ok(ExitCode::SUCCESS)
}

/// The lines as a table: 设置, 当前值, 来源, 默认值, 说明.
fn table(lines: &[Effective]) -> String {
    let rows: Vec<[String; 5]> = lines
        .iter()
        .map(|line| {
            [
                line.setting.name.to_owned(),
                line.value.clone(),
                line.source.label(),
                line.setting.default.to_owned(),
                line.setting.what.to_owned(),
            ]
        })
        .collect();
    let header = ["设置", "当前值", "来源", "默认值", "说明"].map(str::to_owned);
    let mut widths = [0usize; 5];
    for row in std::iter::once(&header).chain(&rows) {
        for (column, cell) in row.iter().enumerate() {
            widths[column] = widths[column].max(width(cell));
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(column, cell)| {
                if column + 1 == row.len() {
                    cell.clone()
                } else {
                    pad(cell, widths[column])
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}
