//! `reconcile`: declared figures read from a JSON or CSV file, reconciled with the
//! register as of their date, and the report printed as a table.

use std::path::Path;
use std::process::ExitCode;

use super::database::open;
use super::table::{pad, width};
use crate::domain::shown;
use crate::reconcile::declaration::{parse_csv, parse_json, Declaration};

/// Reconciles the declaration in `file` with the register; exit 1 on any mismatch.
pub(super) fn reconcile(
    database: &str,
    file: &Path,
    name: Option<&str>,
    as_of: Option<&str>,
) -> Result<ExitCode, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("无法读取 {}：{e}", file.display()))?;
    let declaration = read_declaration(file, &bytes, name, as_of)?;
    let db = open(database)?;
    let mut conn = db.conn().map_err(|e| e.to_string())?;
    let report = crate::reconcile::report::reconcile(&mut conn, None, &declaration)
        .map_err(|e| e.to_string())?;
    print_report(&report);
    Ok(if report.status == "match" {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The declaration in the `bytes` of `file`: JSON when its first character, after a
/// UTF-8 byte-order mark, is `{`; else CSV, named `name` or after the file.
///
/// Fails with every error found, one a line.
fn read_declaration(
    file: &Path,
    bytes: &[u8],
    name: Option<&str>,
    as_of: Option<&str>,
) -> Result<Declaration, String> {
    let content = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let is_json = content.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let parsed = if is_json {
        let text = String::from_utf8_lossy(content);
        let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            format!(
                "{} 不是有效的 JSON：第 {} 行：{e}",
                file.display(),
                e.line()
            )
        })?;
        parse_json(&value)
    } else {
        parse_csv(
            bytes,
            name.or(file.file_stem().and_then(|s| s.to_str())),
            as_of,
        )
    };
    parsed.map_err(|errors| {
        errors
            .iter()
            .map(|e| {
                format!(
                    "{}{}：{}（{}）",
                    e.line.map(|l| format!("第 {l} 行 ")).unwrap_or_default(),
                    e.field,
                    e.message,
                    e.code
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    })
}

fn print_report(report: &crate::reconcile::report::Report) {
    use crate::reconcile::report::FigureView;
    let fen =
        |f: &FigureView| crate::domain::money::parse_signed_yuan(&f.amount).unwrap_or_default();
    let wan = |f: &FigureView| shown::wan(fen(f));
    let yuan = |f: &FigureView| shown::yuan(fen(f));
    println!(
        "{}（截至 {}）",
        report.declaration.name, report.declaration.as_of
    );
    let header = [
        "口径",
        "申报项目",
        "登记项目",
        "项目差",
        "申报(万元)",
        "登记(万元)",
        "差额(万元)",
        "申报(元)",
        "登记(元)",
        "差额(元)",
        "核对",
    ];
    let mut rows: Vec<Vec<String>> = vec![header.iter().map(|h| (*h).to_owned()).collect()];
    for line in &report.lines {
        rows.push(vec![
            line.label.clone(),
            line.declared.projects.to_string(),
            line.actual.projects.to_string(),
            line.difference.projects.to_string(),
            wan(&line.declared),
            wan(&line.actual),
            wan(&line.difference),
            yuan(&line.declared),
            yuan(&line.actual),
            yuan(&line.difference),
            if line.status == "match" {
                "相符".to_owned()
            } else {
                "✗ 不符".to_owned()
            },
        ]);
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|i| rows.iter().map(|r| width(&r[i])).max().unwrap_or(0))
        .collect();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                if i == 0 || i == row.len() - 1 {
                    pad(cell, widths[i])
                } else {
                    format!(
                        "{}{cell}",
                        " ".repeat(widths[i].saturating_sub(width(cell)))
                    )
                }
            })
            .collect();
        println!("{}", cells.join("  ").trim_end());
    }
    println!(
        "未形成资产的项目：{} 个，项目资金 {} 万元（{} 元）——合计与各类资产之和的差额即由此而来",
        report.unclassified.projects,
        wan(&report.unclassified),
        yuan(&report.unclassified)
    );
    let head = &report.ledger_head;
    println!(
        "台账链头（SEQ:HASH）：{}",
        head.pin.as_deref().unwrap_or_default()
    );
    println!("{}", head.how_to_check.as_deref().unwrap_or_default());
    println!(
        "结论：{}",
        if report.status == "match" {
            "全部相符"
        } else {
            "存在差异"
        }
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_saved_with_a_byte_order_mark_is_read_as_csv() {
        let csv = "\u{feff}scope,projects,amount\ntotal,3,1.00\n";
        let declaration = read_declaration(
            Path::new("兴平.csv"),
            csv.as_bytes(),
            None,
            Some("2020-10-31"),
        )
        .expect("a CSV");
        assert_eq!(declaration.name, "兴平");
        assert_eq!(declaration.lines[0].projects, 3);
    }

    #[test]
    fn json_is_read_with_or_without_a_byte_order_mark() {
        let json = r#"{"name": "x", "as_of": "2020-10-31", "lines": [{"scope": "total", "projects": 1, "amount": "1.00"}]}"#;
        for text in [json.to_owned(), format!("\u{feff} {json}")] {
            let declaration =
                read_declaration(Path::new("d.json"), text.as_bytes(), None, None).expect("JSON");
            assert_eq!(declaration.name, "x");
        }
        assert_eq!(
            read_declaration(Path::new("d.json"), b"{\"name\": ", None, None),
            Err(
                "d.json 不是有效的 JSON：第 1 行：EOF while parsing a value at line 1 column 9"
                    .to_owned()
            )
        );
    }

    #[test]
    fn every_error_is_a_line() {
        let errors = read_declaration(
            Path::new("d.csv"),
            b"scope,projects,amount\ncounty,1,1.00\ntotal,x,1.00\n",
            None,
            Some("2020-10-31"),
        )
        .expect_err("two bad lines");
        assert_eq!(errors.lines().count(), 2, "{errors}");
        assert!(errors.starts_with("第 2 行 scope："), "{errors}");
    }
}
