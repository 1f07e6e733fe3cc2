//! The printable reconciliation report: one self-contained HTML page with a print
//! stylesheet, fit for public notice (公示).

use std::fmt::Write;

use super::findings::{Finding, KINDS};
use super::report::{FigureView, Report};
use crate::domain::money::{parse_signed_yuan, signed_wan};

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A signed yuan string as 万元 with four decimals.
fn wan(amount: &str) -> String {
    signed_wan(parse_signed_yuan(amount).unwrap_or_default())
}

fn figure_cells(figure: &FigureView, out: &mut String) {
    let _ = write!(
        out,
        "<td class=n>{}</td><td class=n>{}</td><td class=n>{}</td>",
        figure.projects,
        wan(&figure.amount),
        escape(&figure.amount)
    );
}

/// Chinese names of finding kinds.
pub fn finding_label(kind: &str) -> &'static str {
    match kind {
        "project_value_mismatch" => "项目资金与资产价值不符",
        "owner_type_mismatch" => "所有权人类型不符",
        "missing_custodian" => "未落实管护主体",
        "unconfirmed" => "尚未确权",
        "operating_without_income" => "经营性资产一年内无收益",
        "idle_or_damaged" => "巡查闲置或损坏",
        "duplicate_candidate" => "疑似重复登记",
        _ => "其他",
    }
}

/// Renders the report, and a summary of the findings when given (auditors see them).
pub fn render(report: &Report, findings: Option<&[Finding]>) -> String {
    let mut out = String::new();
    let title = format!("{} 对账报告", report.declaration.name);
    let _ = write!(
        out,
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{}</title><style>{}</style></head><body>",
        escape(&title),
        STYLE
    );
    let _ = write!(
        out,
        "<h1>{}</h1><p class=meta>申报截止日期：{}　　生成时间：{}　　结论：<strong class={}>{}</strong></p>",
        escape(&title),
        escape(&report.declaration.as_of),
        escape(&report.generated_at),
        report.status,
        if report.status == "match" { "全部相符" } else { "存在差异" }
    );
    out.push_str(
        "<table><thead><tr><th rowspan=2>口径</th><th colspan=3>申报数</th><th colspan=3>登记数</th><th colspan=3>差额（登记减申报）</th><th rowspan=2>核对</th></tr>\
         <tr><th>项目数</th><th>万元</th><th>元</th><th>项目数</th><th>万元</th><th>元</th><th>项目数</th><th>万元</th><th>元</th></tr></thead><tbody>",
    );
    for line in &report.lines {
        let _ = write!(
            out,
            "<tr class={}><td>{}<br><small>{}</small></td>",
            line.status,
            escape(&line.label),
            escape(&line.scope)
        );
        figure_cells(&line.declared, &mut out);
        figure_cells(&line.actual, &mut out);
        figure_cells(&line.difference, &mut out);
        let _ = write!(
            out,
            "<td>{}</td></tr>",
            if line.status == "match" {
                "相符"
            } else {
                "不符"
            }
        );
    }
    out.push_str("</tbody></table>");
    let _ = write!(
        out,
        "<h2>差额说明</h2><p>截至 {}，共有 <strong>{}</strong> 个项目未形成资产（项目资金 {} 万元，即 {} 元）。\
         这些项目计入合计，但不属于任何资产类别，这就是合计与各类资产之和之间的差额。</p>",
        escape(&report.declaration.as_of),
        report.unclassified.projects,
        wan(&report.unclassified.amount),
        escape(&report.unclassified.amount)
    );
    if let Some(findings) = findings {
        out.push_str("<h2>审计发现摘要</h2><table class=small><thead><tr><th>类别</th><th>数量</th></tr></thead><tbody>");
        for kind in KINDS {
            let count = findings.iter().filter(|f| f.kind == kind).count();
            let _ = write!(
                out,
                "<tr><td>{}（{}）</td><td class=n>{}</td></tr>",
                finding_label(kind),
                kind,
                count
            );
        }
        out.push_str("</tbody></table>");
    }
    let _ = write!(
        out,
        "<h2>台账校验</h2><p>本报告依据管护台账第 {} 条记录为止的数据生成。链头哈希：</p><p class=hash>{}</p>\
         <p class=meta>任何人可用 <code>asset-registry verify</code> 或 <code>GET /api/v1/ledger/verify</code> 核对台账未被改动，且链头与此相同。</p>",
        report.ledger_head.seq,
        escape(&report.ledger_head.hash)
    );
    out.push_str("<footer><span>经办人：</span><span>审核人：</span><span>（盖章）</span></footer></body></html>");
    out
}

const STYLE: &str = "body{font-family:\"Noto Sans CJK SC\",\"Source Han Sans SC\",\"Microsoft YaHei\",\"SimSun\",sans-serif;margin:2em;color:#111}\
h1{font-size:1.5em;text-align:center}h2{font-size:1.1em;margin-top:1.5em;border-bottom:1px solid #999}\
table{border-collapse:collapse;width:100%;font-size:.9em}th,td{border:1px solid #666;padding:.3em .5em}\
th{background:#eee}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\
tr.mismatch td{background:#fde2e2}strong.mismatch{color:#b00}strong.match{color:#060}\
table.small{width:auto}.meta{color:#444}.hash{font-family:monospace;word-break:break-all;font-size:.9em}\
footer{margin-top:3em;display:flex;justify-content:space-between}\
@media print{body{margin:0;font-size:10.5pt}@page{size:A4 landscape;margin:15mm}tr.mismatch td{background:none;font-weight:bold}\
h2{page-break-after:avoid}table{page-break-inside:auto}tr{page-break-inside:avoid}}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("<script>&\"'"), "&lt;script&gt;&amp;&quot;&#39;");
    }

    #[test]
    fn amounts_show_in_wan() {
        assert_eq!(wan("369800000.00"), "36980.0000");
        assert_eq!(wan("-10000.00"), "-1.0000");
    }
}
