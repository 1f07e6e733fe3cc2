//! The printable pages of a campaign, each one self-contained HTML with a print
//! stylesheet: a village's checklist with the signature lines of its checkers, and the
//! closing report (counts and values per result, 盘亏 to the fen, progress by town and
//! village). Times in China time, money in 元 with separators, results by their
//! Chinese names.

use maud::{html, Markup, PreEscaped};

use super::campaign::{Campaign, CampaignStatus, Tally, TallyLine};
use super::checklist::{village_label, ChecklistItem, Place};
use crate::domain::{shown, InspectionResult, Vocabulary};

/// The counts and values of a line by result, in the order a report lists them:
/// (label, assets, fen), 未盘点 last.
pub fn by_result(line: &TallyLine) -> [(&'static str, i64, i64); 5] {
    [
        (
            InspectionResult::Normal.label(),
            line.normal,
            line.normal_fen,
        ),
        (InspectionResult::Idle.label(), line.idle, line.idle_fen),
        (
            InspectionResult::Damaged.label(),
            line.damaged,
            line.damaged_fen,
        ),
        (
            InspectionResult::Missing.label(),
            line.missing,
            line.missing_fen,
        ),
        ("未盘点", line.unchecked(), line.unchecked_fen()),
    ]
}

fn number(value: impl maud::Render) -> Markup {
    html! { td class="n" { (value) } }
}

fn frame(title: &str, body: Markup) -> Markup {
    html! {
        // Safe unescaped: a constant (maud's own DOCTYPE is upper case).
        (PreEscaped("<!doctype html>"))
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                // Safe unescaped: the constant stylesheet below, which escaping would break.
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { (title) }
                (body)
            }
        }
    }
}

/// Where the campaign stands, as a person reads it.
fn standing(campaign: &Campaign) -> String {
    match (&campaign.status, &campaign.tenure.closed_at) {
        (CampaignStatus::Closed, Some(at)) => format!(
            "已于 {}（北京时间）结束，截至管护台账第 {} 条记录",
            shown::china_time(at),
            campaign.tenure.closed_seq.unwrap_or_default()
        ),
        _ => "进行中（数字随盘点结果变化）".to_owned(),
    }
}

/// The printable closing report of `campaign` as `scope_label` sees it, generated at
/// `generated_at`.
pub fn render_report(
    campaign: &Campaign,
    tally: &Tally,
    scope_label: &str,
    generated_at: &str,
) -> Markup {
    let title = format!("{}（{}年度）资产清查盘点报告", campaign.name, campaign.year);
    let total = &tally.total;
    frame(
        &title,
        html! {
            p class="meta" {
                "盘点范围：" (campaign.scope.label()) "　　本报告范围：" (scope_label)
                "　　状态：" (standing(campaign))
                "　　生成时间：" (shown::china_time(generated_at)) "（北京时间）"
            }
            p class="loss" {
                "盘亏（缺失资产价值）：" strong { (shown::yuan(total.missing_fen)) " 元" }
                "，共 " (total.missing) " 项；应盘 " (total.assets) " 项，已盘 " (total.checked())
                " 项，未盘点 " (total.unchecked()) " 项。"
            }
            h2 { "按盘点结果" }
            table class="small" {
                thead { tr { th { "盘点结果" } th { "资产数" } th { "资产价值（元）" } } }
                tbody {
                    @for (label, count, fen) in by_result(total) {
                        tr { td { (label) } (number(count)) (number(shown::yuan(fen))) }
                    }
                }
                tfoot { tr { th { "合计" } (number(total.assets)) (number(shown::yuan(total.value_fen))) } }
            }
            h2 { "按镇街、村" }
            table {
                thead {
                    tr {
                        th { "镇街" } th { "村" } th { "应盘" } th { "已盘" }
                        @for (label, _, _) in by_result(total) { th { (label) } }
                        th { "盘亏（元）" }
                    }
                }
                tbody {
                    @for line in &tally.lines {
                        tr {
                            td { (line.town) } td { (village_label(&line.village)) }
                            (number(line.assets)) (number(line.checked()))
                            @for (_, count, _) in by_result(line) { (number(count)) }
                            (number(shown::yuan(line.missing_fen)))
                        }
                    }
                }
            }
            (signatures(&["盘点负责人", "审核人", "单位负责人"]))
        },
    )
}

fn signatures(roles: &[&str]) -> Markup {
    html! {
        footer {
            @for role in roles {
                span { (role) "（签字）：" span class="line" {} }
            }
            span { "日期：" span class="line" {} }
        }
    }
}

/// The printable checklist of `campaign` at `place`, printed at `printed_at`.
pub fn render_checklist(
    campaign: &Campaign,
    place: &Place,
    items: &[ChecklistItem],
    printed_at: &str,
) -> Markup {
    let title = format!("{}（{}年度）资产清查盘点表", campaign.name, campaign.year);
    let total: i64 = items
        .iter()
        .map(|i| i.value_fen)
        .fold(0, i64::saturating_add);
    frame(
        &title,
        html! {
            p class="meta" {
                "清单：" (place.label()) "　　资产 " (items.len()) " 项，价值合计 " (shown::yuan(total)) " 元"
                "　　打印时间：" (shown::china_time(printed_at)) "（北京时间）"
            }
            p class="meta" { "盘点结果填写：正常、闲置、损毁 或 缺失。" }
            table {
                thead {
                    tr {
                        th { "序号" } th { "资产编号" } th { "资产名称" } th { "类别" } th { "村" }
                        th { "所有权人" } th { "管护主体" } th { "资产价值（元）" }
                        th { "已记录结果" } th { "盘点结果" } th { "盘点日期" } th { "备注" }
                    }
                }
                tbody {
                    @for (n, item) in items.iter().enumerate() {
                        tr {
                            (number(n + 1))
                            td { (item.asset_code) } td { (item.asset_name) } td { (item.class_label()) }
                            td { (village_label(&item.village)) } td { (item.owner_name) }
                            td { (item.custodian.as_deref().unwrap_or("")) }
                            (number(shown::yuan(item.value_fen)))
                            td { (item.result_label()) @if let Some(day) = &item.checked_on { " " (day) } }
                            td class="fill" {} td class="fill" {} td class="fill" {}
                        }
                    }
                }
                tfoot { tr { th colspan="7" { "合计" } (number(shown::yuan(total))) th colspan="4" {} } }
            }
            (signatures(&["盘点人", "盘点人", "村集体负责人", "镇街复核人"]))
        },
    )
}

const STYLE: &str = "body{font-family:\"Noto Sans CJK SC\",\"Source Han Sans SC\",\"Microsoft YaHei\",\"SimSun\",sans-serif;margin:2em;color:#111}\
h1{font-size:1.4em;text-align:center}h2{font-size:1.1em;margin-top:1.5em;border-bottom:1px solid #999}\
table{border-collapse:collapse;width:100%;font-size:.9em}th,td{border:1px solid #666;padding:.3em .5em}\
th{background:#eee}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\
td.fill{min-width:5em}table.small{width:auto}.meta{color:#444}.loss strong{color:#b00}\
footer{margin-top:3em;display:flex;flex-wrap:wrap;gap:2em}footer .line{display:inline-block;width:9em;border-bottom:1px solid #111}\
@media print{body{margin:0;font-size:10.5pt}@page{size:A4 landscape;margin:15mm}tr{page-break-inside:avoid}}\
@media screen and (max-width:700px){body{margin:.6em;overflow-wrap:anywhere}table{display:block;overflow-x:auto}}";
