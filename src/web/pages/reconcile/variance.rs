//! One declaration reconciled: the variance table, the gap the classes leave, the
//! ledger head, and bar charts (inline SVG) of value by class and funds by town.

use maud::{html, Markup};

use super::super::{internal, PageError};
use crate::db::Db;
use crate::domain::shown;
use crate::reconcile::declaration;
use crate::reconcile::html::{variance_head, variance_rows};
use crate::reconcile::report::{reconcile as reconcile_report, FigureView, Report};
use crate::register::totals::{totals, GroupBy};
use crate::web::view::chart::{bar_chart, Bar};
use crate::web::view::{class_label, fen_of, money_cells, number_cell, scroll_table};

/// How many towns the chart of funds shows.
const TOWNS_CHARTED: usize = 20;

/// What the page of one declaration shows.
pub(super) struct DeclarationPage {
    /// The declaration's id.
    pub(super) id: String,
    /// Its name.
    pub(super) name: String,
    /// The date its figures stand at.
    pub(super) as_of: String,
    /// The figures declared against the register's.
    pub(super) report: Report,
    /// Asset value by class, today.
    pub(super) classes: Vec<Bar>,
    /// Project funds by town, today, the largest first.
    pub(super) towns: Vec<Bar>,
}

/// Reads declaration `id`, reconciles it with the register, and reads the totals the
/// charts show; `None` when there is no such declaration.
/// `reader` withholds the head's hash when it commits to unsalted personal fields.
pub(super) async fn load(
    db: &Db,
    id: &str,
    reader: bool,
) -> Result<Option<DeclarationPage>, PageError> {
    let key = id.to_owned();
    db.run(move |conn| {
        let Some(stored) = declaration::find(conn, &key).map_err(internal)? else {
            return Ok(None);
        };
        let mut report =
            reconcile_report(conn, Some(&stored.id), &stored.declaration).map_err(internal)?;
        if reader {
            report.ledger_head.for_readers();
        }
        let by_class =
            totals(conn, &crate::domain::Scope::County, GroupBy::Class).map_err(internal)?;
        let by_town =
            totals(conn, &crate::domain::Scope::County, GroupBy::Town).map_err(internal)?;
        let classes = by_class
            .groups
            .iter()
            .filter(|g| g.key != "none")
            .map(|g| Bar {
                label: class_label(&g.key).to_owned(),
                fen: g.figures.asset_value.fen(),
                href: None,
            })
            .collect();
        let mut towns: Vec<Bar> = by_town
            .groups
            .into_iter()
            .map(|g| Bar {
                fen: g.figures.funds.fen(),
                label: g.key,
                href: None,
            })
            .collect();
        towns.sort_by(|a, b| b.fen.cmp(&a.fen).then_with(|| a.label.cmp(&b.label)));
        towns.truncate(TOWNS_CHARTED);
        Ok(Some(DeclarationPage {
            id: stored.id,
            name: stored.declaration.name,
            as_of: stored.declaration.as_of.to_string(),
            report,
            classes,
            towns,
        }))
    })
    .await
}

/// The page's body.
pub(super) fn render(view: &DeclarationPage) -> Markup {
    let report = &view.report;
    html! {
        p {
            "截至日期 " (view.as_of) "，结论："
            strong {
                @if report.status == "match" {
                    span class="ok" { "全部相符" }
                } @else {
                    span class="bad" { "存在差异" }
                }
            }
            "　"
            a class="button secondary"
                href={ "/api/v1/declarations/" (view.id) "/report.html" }
                target="_blank" { "打开可打印报告" }
        }
        (scroll_table(
            variance_head("项目", Some("n")),
            variance_rows(report, figure_cells, html! { strong class="bad" { "不符" } }),
        ))
        p {
            "未形成资产的项目：" strong { (report.unclassified.projects) }
            " 个，项目资金 " (shown::wan(fen_of(&report.unclassified.amount)))
            " 万元（" (shown::yuan(fen_of(&report.unclassified.amount))) " 元）——合计与各类资产之和的差额即由此而来。"
        }
        p class="muted" {
            "台账链头：第 " (report.ledger_head.seq) " 条 "
            @if let Some(pin) = &report.ledger_head.pin {
                span class="hash" { (pin) }
            } @else {
                "（链头哈希仅审计员可见）"
            }
        }
        div class="grid" style="grid-template-columns:repeat(auto-fit,minmax(320px,1fr))" {
            (bar_chart("资产价值（按类别，当前）", &view.classes))
            (bar_chart("项目资金（按镇街，前 20，当前）", &view.towns))
        }
    }
}

/// Projects, 万元 and 元 of one figure.
fn figure_cells(figure: &FigureView) -> Markup {
    html! {
        (number_cell(figure.projects))
        (money_cells(fen_of(&figure.amount)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reconcile::report::{DeclarationSummary, HeadView, ReportLine};
    use crate::web::view::tests::{assert_escaped, hostile};

    fn figure(projects: i64, amount: &str) -> FigureView {
        FigureView {
            projects,
            amount: amount.to_owned(),
        }
    }

    fn view(text: impl Fn(&str) -> String) -> DeclarationPage {
        DeclarationPage {
            id: text("id"),
            name: text("name"),
            as_of: text("as_of"),
            report: Report {
                declaration: DeclarationSummary {
                    id: Some(text("id")),
                    name: text("name"),
                    as_of: text("as_of"),
                },
                lines: vec![ReportLine {
                    scope: text("scope"),
                    label: text("label"),
                    declared: figure(25, "7910000.00"),
                    actual: figure(25, "7910000.00"),
                    difference: figure(-1, "-10000.00"),
                    status: "mismatch",
                }],
                unclassified: figure(2059, &text("amount")),
                ledger_head: HeadView::new(7, text("hash"), true),
                status: "mismatch",
                generated_at: text("generated_at"),
            },
            classes: vec![Bar {
                label: text("class"),
                fen: 100,
                href: None,
            }],
            towns: vec![
                Bar {
                    label: text("town"),
                    fen: 200,
                    href: None,
                },
                Bar {
                    label: "桑镇".to_owned(),
                    fen: 100,
                    href: None,
                },
            ],
        }
    }

    #[test]
    fn the_declaration_page_escapes_what_was_declared_and_stored() {
        let html = render(&view(hostile)).into_string();
        assert_escaped(
            &html,
            &["id", "as_of", "scope", "label", "hash", "class", "town"],
        );
    }

    #[test]
    fn the_variance_table_shows_each_figure_in_wan_and_yuan() {
        let html = render(&view(str::to_owned)).into_string();
        assert!(html.contains(
            "<tr class=\"mismatch\"><td title=\"scope\">label</td><td class=\"n\">25</td><td class=\"n\">791.00</td><td class=\"n\">7,910,000.00</td>"
        ), "{html}");
        assert!(html.contains("<td class=\"n\">-1</td><td class=\"n\">-1.00</td><td class=\"n\">-10,000.00</td><td><strong class=\"bad\">不符</strong></td></tr>"));
        assert!(html.contains("结论：<strong><span class=\"bad\">存在差异</span></strong>　<a class=\"button secondary\" href=\"/api/v1/declarations/id/report.html\" target=\"_blank\">"));
        assert!(html.contains("<p>未形成资产的项目：<strong>2059</strong> 个，项目资金 "));
    }
}
