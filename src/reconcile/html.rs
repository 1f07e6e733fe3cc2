//! The printable reconciliation report: one self-contained HTML page with a print
//! stylesheet, fit for public notice (公示).

use maud::{html, Markup, PreEscaped, Render};

use super::findings::{finding_label, Digest, Finding, FindingKind};
use super::report::{FigureView, Report};
use crate::domain::money::parse_signed_yuan;
use crate::domain::shown;

/// A signed yuan string as a person reads it in 万元.
fn wan(amount: &str) -> String {
    shown::wan(parse_signed_yuan(amount).unwrap_or_default())
}

/// A signed yuan string as a person reads it in 元.
fn yuan(amount: &str) -> String {
    shown::yuan(parse_signed_yuan(amount).unwrap_or_default())
}

/// A right-aligned cell, written `<td class=n>` byte for byte as the report has always
/// been served and as its readers match it (maud would quote the class).
fn number_cell(value: impl Render) -> Markup {
    html! {
        // Safe unescaped: constant tags; the value between them is a splice, escaped.
        (PreEscaped("<td class=n>")) (value) (PreEscaped("</td>"))
    }
}

fn figure_cells(figure: &FigureView) -> Markup {
    html! {
        (number_cell(figure.projects))
        (number_cell(wan(&figure.amount)))
        (number_cell(yuan(&figure.amount)))
    }
}

/// Renders the report as a whole page, and a digest of the findings when given
/// (auditors see them).
pub fn render(report: &Report, findings: Option<&Digest>) -> Markup {
    let title = format!("{} 对账报告", report.declaration.name);
    html! {
        // Safe unescaped: a constant (maud's own DOCTYPE is upper case).
        (PreEscaped("<!doctype html>"))
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                title { (title) }
                // Safe unescaped: the constant stylesheet below, which escaping would break.
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { (title) }
                p class="meta" {
                    "申报截至：" (report.declaration.as_of)
                    "　　生成时间：" (shown::china_time(&report.generated_at))
                    "　　结论："
                    strong class=(report.status) {
                        @if report.status == "match" { "全部相符" } @else { "存在差异" }
                    }
                }
                (variance_table(report))
                h2 { "差额说明" }
                p {
                    "截至 " (report.declaration.as_of) "，共有 " strong { (report.unclassified.projects) }
                    " 个项目未形成资产（项目资金 " (wan(&report.unclassified.amount))
                    " 万元，即 " (yuan(&report.unclassified.amount)) " 元）。"
                    "这些项目计入合计，但不属于任何资产类别，这就是合计与各类资产之和之间的差额。"
                }
                @if let Some(findings) = findings {
                    (findings_summary(findings))
                }
                h2 { "台账校验" }
                p { "本报告依据管护台账第 " (report.ledger_head.seq) " 条记录为止的数据生成。链头（SEQ:HASH）：" }
                @match (&report.ledger_head.pin, &report.ledger_head.how_to_check) {
                    (Some(pin), Some(check)) => {
                        p class="hash" { (pin) }
                        p class="meta" { (check) }
                    }
                    _ => {
                        p class="meta" {
                            "链头哈希仅审计员可见：该条目按第 1 版编码计算，其哈希可推出证件号。"
                            "请由审计员打印本报告，或待台账追加新条目后再打印。"
                        }
                    }
                }
                footer { span { "经办人：" } span { "审核人：" } span { "（盖章）" } }
            }
        }
    }
}

fn variance_table(report: &Report) -> Markup {
    html! {
        table {
            thead { (variance_head("项目数", None)) }
            tbody { (variance_rows(report, figure_cells, html! { "不符" })) }
        }
    }
}

/// The rows of a variance table, a line each: its scope, its declared, registered and
/// difference figures as `cells` shows them, and the check (`mismatch` where they
/// differ).
pub fn variance_rows(
    report: &Report,
    cells: impl Fn(&FigureView) -> Markup,
    mismatch: Markup,
) -> Markup {
    html! {
        @for line in &report.lines {
            tr class=(line.status) {
                td title=(line.scope) { (line.label) }
                (cells(&line.declared))
                (cells(&line.actual))
                (cells(&line.difference))
                td { @if line.status == "match" { "相符" } @else { (mismatch) } }
            }
        }
    }
}

/// The two header rows of a variance table: the scope; projects, 万元 and 元 under each
/// of declared, registered and difference; the check. The second row's cells say
/// `projects` for the count and carry `class` when given.
pub fn variance_head(projects: &str, class: Option<&str>) -> Markup {
    html! {
        tr {
            th rowspan="2" { "口径" }
            th colspan="3" { "申报数" }
            th colspan="3" { "登记数" }
            th colspan="3" { "差额（登记减申报）" }
            th rowspan="2" { "核对" }
        }
        tr {
            @for _ in 0..3 {
                th class=[class] { (projects) }
                th class=[class] { "万元" }
                th class=[class] { "元" }
            }
        }
    }
}

/// The count of every kind, then the first findings of each kind found (a report of a
/// province's register lists a few of each, not all: the findings page and its CSV have
/// every one).
fn findings_summary(digest: &Digest) -> Markup {
    html! {
        h2 { "审计发现摘要" }
        table class="small" {
            thead { tr { th { "类别" } th { "数量" } } }
            tbody {
                @for kind in FindingKind::all() {
                    tr {
                        td title=(kind) { (finding_label(kind.as_str())) }
                        (number_cell(digest.count(kind)))
                    }
                }
            }
        }
        @for kind in FindingKind::all() {
            (first_of_kind(digest, kind))
        }
    }
}

/// The first findings of `kind` in `digest`, and how to see the rest when there are more.
fn first_of_kind(digest: &Digest, kind: FindingKind) -> Markup {
    let listed: Vec<&Finding> = digest
        .first
        .iter()
        .filter(|f| f.kind == kind.as_str())
        .collect();
    let count = digest.count(kind);
    let more = usize::try_from(count).is_ok_and(|count| count > listed.len());
    html! {
        @if !listed.is_empty() {
            h3 { (finding_label(kind.as_str())) }
            table class="findings" {
                thead { tr { th { "编号" } th { "说明" } } }
                tbody {
                    @for finding in &listed {
                        tr {
                            td { (finding.asset_code.as_deref().or(finding.project_code.as_deref()).unwrap_or_default()) }
                            td { (finding.detail) }
                        }
                    }
                }
            }
            @if more {
                p class="meta" {
                    "共 " (count) " 条，以上为按编号排列的前 " (listed.len()) " 条。全部见“审计发现”页面（"
                    a href={ "/findings?kind=" (kind) } { "在线查看" }
                    "），或下载 "
                    a href={ "/api/v1/findings.csv?kind=" (kind) } { "CSV 文件" }
                    "。"
                }
            }
        }
    }
}

const STYLE: &str = "body{font-family:\"Noto Sans CJK SC\",\"Source Han Sans SC\",\"Microsoft YaHei\",\"SimSun\",sans-serif;margin:2em;color:#111}\
h1{font-size:1.5em;text-align:center}h2{font-size:1.1em;margin-top:1.5em;border-bottom:1px solid #999}\
table{border-collapse:collapse;width:100%;font-size:.9em}th,td{border:1px solid #666;padding:.3em .5em}\
th{background:#eee}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\
tr.mismatch td{background:#fde2e2}strong.mismatch{color:#b00}strong.match{color:#060}\
table.small{width:auto}.meta{color:#444}.hash{font-family:monospace;word-break:break-all;font-size:.9em}\
footer{margin-top:3em;display:flex;justify-content:space-between}\
@media print{body{margin:0;font-size:10.5pt}@page{size:A4 landscape;margin:15mm}tr.mismatch td{background:none;font-weight:bold}\
h2{page-break-after:avoid}table{page-break-inside:auto}tr{page-break-inside:avoid}}\
@media screen and (max-width:700px){body{margin:.6em;overflow-wrap:anywhere}table{display:block;overflow-x:auto}}";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reconcile::report::{DeclarationSummary, HeadView, ReportLine};

    const HOSTILE: &str = "<script>alert(1)</script>\"><img src=x onerror=alert(1)>&amp;";
    const ESCAPED: &str =
        "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&amp;amp;";

    fn report(text: &str) -> Report {
        let figure = |projects, amount: &str| FigureView {
            projects,
            amount: amount.to_owned(),
        };
        Report {
            declaration: DeclarationSummary {
                id: Some(format!("{text}id")),
                name: format!("{text}name"),
                as_of: format!("{text}as_of"),
            },
            lines: vec![ReportLine {
                scope: format!("{text}scope"),
                label: format!("{text}label"),
                declared: figure(25, "7910000.00"),
                actual: figure(25, "7910000.00"),
                difference: figure(0, "0.00"),
                status: "match",
            }],
            unclassified: figure(2059, &format!("{text}amount")),
            ledger_head: HeadView::new(9, format!("{text}hash"), true),
            status: "match",
            generated_at: format!("{text}generated_at"),
        }
    }

    #[test]
    fn every_text_of_the_report_is_escaped() {
        let finding = Finding {
            kind: "unconfirmed",
            asset_code: Some(HOSTILE.to_owned()),
            project_code: None,
            detail: HOSTILE.to_owned(),
        };
        let html = render(
            &report(HOSTILE),
            Some(&Digest {
                first: vec![finding],
                ..Digest::default()
            }),
        )
        .into_string();
        for field in ["name", "as_of", "scope", "label", "hash", "generated_at"] {
            assert!(
                html.contains(&format!("{ESCAPED}{field}")),
                "{field} escaped in {html}"
            );
        }
        assert!(
            !html.contains("<script") && !html.contains("<img"),
            "{html}"
        );
    }

    #[test]
    fn the_report_keeps_its_markup() {
        let html = render(&report(""), None).into_string();
        assert!(html.starts_with(
            "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>name 对账报告</title><style>body{font-family:\"Noto Sans CJK SC\""
        ));
        assert!(html.contains(
            "<tr class=\"match\"><td title=\"scope\">label</td><td class=n>25</td><td class=n>791.00</td><td class=n>7,910,000.00</td>"
        ));
        assert!(html.contains("结论：<strong class=\"match\">全部相符</strong>"));
        assert!(!html.contains("审计发现"));
        let with_findings = render(&report(""), Some(&Digest::default())).into_string();
        assert!(with_findings.contains(
            "<tr><td title=\"missing_custodian\">未落实管护主体</td><td class=n>0</td></tr>"
        ));
    }

    #[test]
    fn amounts_show_in_wan() {
        assert_eq!(wan("369800000.00"), "36,980.00");
        assert_eq!(wan("-10000.00"), "-1.00");
        assert_eq!(yuan("369800000.00"), "369,800,000.00");
    }
}
