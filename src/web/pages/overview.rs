//! 概览: the register's totals by class (with the projects that formed no asset), by
//! 镇街 and by 项目年度, each row a link to the register filtered on it, with bar charts.

use maud::{html, Markup};
use rocket::response::content::RawHtml;
use rocket::{get, State};

use super::{internal, PageError};
use crate::db::Db;
use crate::domain::Scope;
use crate::register::totals::{totals_by_class_town_and_year, Figures, Totals};
use crate::web::session::Session;
use crate::web::view::chart::{bar_chart, Bar};
use crate::web::view::{class_label, encode, header_row, money_cells, number_cell, page};

/// One row of a grouped total: its label, the register filtered on it (none for the
/// projects that formed no asset, which the register does not list), its figures.
struct Line {
    label: String,
    href: Option<String>,
    figures: Figures,
}

/// One grouping of the totals: its lines and the total.
struct Grouping {
    lines: Vec<Line>,
    total: Figures,
}

/// What the overview shows: the totals by class, by 镇街 and by 项目年度.
struct Overview {
    classes: Grouping,
    towns: Grouping,
    years: Grouping,
}

/// The overview page.
#[get("/")]
pub async fn overview(session: Session, db: &State<Db>) -> Result<RawHtml<String>, PageError> {
    let view = load(db, session.0.scope.clone()).await?;
    Ok(page(&session.0, "/", "概览", None, render(&view)))
}

/// Reads the totals of the register in `scope` by class, by town and by year.
async fn load(db: &Db, scope: Scope) -> Result<Overview, PageError> {
    let (by_class, by_town, by_year) = db
        .run(move |conn| totals_by_class_town_and_year(conn, &scope).map_err(internal))
        .await?;
    Ok(Overview {
        classes: grouping(by_class, |key| {
            if key == "none" {
                ("未形成资产的项目".to_owned(), None)
            } else {
                (
                    class_label(key).to_owned(),
                    Some(format!("/assets?class={}", encode(key))),
                )
            }
        }),
        towns: grouping(by_town, |key| {
            (
                key.to_owned(),
                Some(format!("/assets?town={}", encode(key))),
            )
        }),
        years: grouping(by_year, |key| {
            (
                format!("{key} 年"),
                Some(format!("/assets?year={}", encode(key))),
            )
        }),
    })
}

/// The lines of `totals`, each group's key made into a label and a link by `line`.
fn grouping(totals: Totals, line: impl Fn(&str) -> (String, Option<String>)) -> Grouping {
    Grouping {
        lines: totals
            .groups
            .into_iter()
            .map(|group| {
                let (label, href) = line(&group.key);
                Line {
                    label,
                    href,
                    figures: group.figures,
                }
            })
            .collect(),
        total: totals.total,
    }
}

fn render(view: &Overview) -> Markup {
    let classed = view.classes.lines.iter().filter(|line| line.href.is_some());
    let class_bars = bars(classed, |figures| figures.asset_value.fen());
    let town_bars = bars(&view.towns.lines, |figures| figures.funds.fen());
    let year_bars = bars(&view.years.lines, |figures| figures.funds.fen());
    html! {
        section id="by-class" {
            h2 { "按资产类别" }
            (figures_table("类别", &view.classes))
            p class="muted" {
                "一个项目可同时有多类资产；“未形成资产的项目”计入合计而不属于任何类别，是合计与各类之和的差额所在。已处置的资产不计入。"
            }
            (bar_chart("资产价值（按类别）", &class_bars))
        }
        section id="by-town" {
            h2 { "按镇街" }
            (figures_table("镇街", &view.towns))
            (bar_chart("项目资金（按镇街）", &town_bars))
        }
        section id="by-year" {
            h2 { "按项目年度" }
            (figures_table("项目年度", &view.years))
            (bar_chart("项目资金（按项目年度）", &year_bars))
        }
    }
}

/// The chart's bar of `line`: `fen`, linking where the line links.
/// A bar a line, as long as the figure `fen` picks from its figures.
fn bars<'a>(lines: impl IntoIterator<Item = &'a Line>, fen: impl Fn(&Figures) -> i64) -> Vec<Bar> {
    lines
        .into_iter()
        .map(|line| Bar {
            label: line.label.clone(),
            fen: fen(&line.figures),
            href: line.href.clone(),
        })
        .collect()
}

/// A table of a grouping: a row per line, its label a link to the filtered register,
/// and the total.
fn figures_table(first: &str, grouping: &Grouping) -> Markup {
    html! {
        div class="card scroll" {
            table {
                thead {
                    (header_row(&[
                        (first, false),
                        ("项目数", true),
                        ("资产数", true),
                        ("项目资金（万元）", true),
                        ("项目资金（元）", true),
                        ("资产价值（万元）", true),
                        ("资产价值（元）", true),
                    ]))
                }
                tbody {
                    @for line in &grouping.lines {
                        tr {
                            td {
                                @match &line.href {
                                    Some(href) => { a href=(href) { (line.label) } }
                                    None => { (line.label) }
                                }
                            }
                            (figure_cells(&line.figures))
                        }
                    }
                    @if grouping.lines.is_empty() {
                        tr { td colspan="7" class="muted" { "无" } }
                    }
                }
                tfoot {
                    tr { th { "合计" } (figure_cells(&grouping.total)) }
                }
            }
        }
    }
}

fn figure_cells(figures: &Figures) -> Markup {
    html! {
        (number_cell(figures.projects))
        (number_cell(figures.assets))
        (money_cells(figures.funds.fen()))
        (money_cells(figures.asset_value.fen()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Yuan;
    use crate::web::view::tests::{assert_escaped, hostile};

    fn figures(projects: i64, assets: i64, funds: i64, value: i64) -> Figures {
        Figures {
            projects,
            assets,
            funds: Yuan::from_fen(funds).expect("not negative"),
            asset_value: Yuan::from_fen(value).expect("not negative"),
        }
    }

    fn line(label: &str, href: Option<&str>, figures: Figures) -> Line {
        Line {
            label: label.to_owned(),
            href: href.map(str::to_owned),
            figures,
        }
    }

    fn view() -> Overview {
        let total = figures(3219, 2889, 36_980_000_000, 23_569_100_000);
        Overview {
            classes: Grouping {
                lines: vec![
                    line(
                        "经营性",
                        Some("/assets?class=operating"),
                        figures(25, 30, 791_000_000, 700_000_000),
                    ),
                    line(
                        "未形成资产的项目",
                        None,
                        figures(2059, 0, 13_410_900_000, 0),
                    ),
                ],
                total,
            },
            towns: Grouping {
                lines: vec![line(
                    &hostile("town"),
                    Some("/assets?town=%3C"),
                    figures(3, 2, 300, 200),
                )],
                total,
            },
            years: Grouping {
                lines: vec![line("2016 年", Some("/assets?year=2016"), total)],
                total,
            },
        }
    }

    #[test]
    fn the_overview_shows_each_class_and_the_total_in_wan_and_yuan() {
        let html = render(&view()).into_string();
        assert!(html.contains(
            "<tr><td><a href=\"/assets?class=operating\">经营性</a></td><td class=\"n\">25</td><td class=\"n\">30</td><td class=\"n\">791.00</td><td class=\"n\">7,910,000.00</td><td class=\"n\">700.00</td><td class=\"n\">7,000,000.00</td></tr>"
        ), "{html}");
        assert!(html.contains("<tfoot><tr><th>合计</th><td class=\"n\">3219</td><td class=\"n\">2889</td><td class=\"n\">36,980.00</td><td class=\"n\">369,800,000.00</td>"));
        assert!(html.contains("<tr><td>未形成资产的项目</td><td class=\"n\">2059</td>"));
    }

    #[test]
    fn towns_and_years_link_to_the_register_and_are_charted() {
        let html = render(&view()).into_string();
        assert_escaped(&html, &["town"]);
        assert!(html.contains("<tr><td><a href=\"/assets?year=2016\">2016 年</a></td>"));
        assert_eq!(html.matches("<svg class=\"chart\"").count(), 3);
        // The class chart leaves out the projects that formed no asset (no value).
        assert!(
            html.contains("<a href=\"/assets?class=operating\"><title>经营性：700.00 万元</title>")
        );
        assert!(!html.contains("<title>未形成资产的项目"));
    }
}
