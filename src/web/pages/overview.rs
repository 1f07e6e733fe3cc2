//! 概览: the register's totals by class, with the projects that formed no asset.

use maud::{html, Markup};
use rocket::response::content::RawHtml;
use rocket::{get, State};

use super::{internal, PageError};
use crate::db::Db;
use crate::domain::Scope;
use crate::register::totals::{totals, Figures, GroupBy};
use crate::web::session::Session;
use crate::web::view::{class_label, header_row, money_cells, number_cell, page};

/// What the overview shows: a line per class (and one for the projects that formed no
/// asset), and the total.
struct Overview {
    lines: Vec<(&'static str, Figures)>,
    total: Figures,
}

/// The overview page.
#[get("/")]
pub async fn overview(session: Session, db: &State<Db>) -> Result<RawHtml<String>, PageError> {
    let view = load(db, session.0.scope.clone()).await?;
    Ok(page(&session.0, "/", "概览", None, render(&view)))
}

/// Reads the totals by class of the register in `scope`.
async fn load(db: &Db, scope: Scope) -> Result<Overview, PageError> {
    let report = db
        .run(move |conn| totals(conn, &scope, GroupBy::Class).map_err(internal))
        .await?;
    let lines = report
        .groups
        .iter()
        .map(|group| {
            let label = if group.key == "none" {
                "未形成资产的项目"
            } else {
                class_label(&group.key)
            };
            (label, group.figures)
        })
        .collect();
    Ok(Overview {
        lines,
        total: report.total,
    })
}

fn render(view: &Overview) -> Markup {
    html! {
        div class="card scroll" {
            table {
                thead {
                    (header_row(&[
                        ("类别", false),
                        ("项目数", true),
                        ("资产数", true),
                        ("项目资金（万元）", true),
                        ("项目资金（元）", true),
                        ("资产价值（万元）", true),
                        ("资产价值（元）", true),
                    ]))
                }
                tbody {
                    @for (label, figures) in &view.lines {
                        tr { td { (label) } (figure_cells(figures)) }
                    }
                }
                tfoot {
                    tr { th { "合计" } (figure_cells(&view.total)) }
                }
            }
        }
        p class="muted" {
            "一个项目可同时有多类资产；“未形成资产的项目”计入合计而不属于任何类别，是合计与各类之和的差额所在。已处置的资产不计入。"
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

    fn figures(projects: i64, assets: i64, funds: i64, value: i64) -> Figures {
        Figures {
            projects,
            assets,
            funds: Yuan::from_fen(funds).expect("not negative"),
            asset_value: Yuan::from_fen(value).expect("not negative"),
        }
    }

    #[test]
    fn the_overview_shows_each_class_and_the_total_in_wan_and_yuan() {
        let view = Overview {
            lines: vec![
                ("经营性", figures(25, 30, 791_000_000, 700_000_000)),
                ("未形成资产的项目", figures(2059, 0, 13_410_900_000, 0)),
            ],
            total: figures(3219, 2889, 36_980_000_000, 23_569_100_000),
        };
        let html = render(&view).into_string();
        assert!(html.contains(
            "<tr><td>经营性</td><td class=\"n\">25</td><td class=\"n\">30</td><td class=\"n\">791.00</td><td class=\"n\">7,910,000.00</td><td class=\"n\">700.00</td><td class=\"n\">7,000,000.00</td></tr>"
        ), "{html}");
        assert!(html.contains("<tfoot><tr><th>合计</th><td class=\"n\">3219</td><td class=\"n\">2889</td><td class=\"n\">36,980.00</td><td class=\"n\">369,800,000.00</td>"));
        assert!(html.contains("<tr><td>未形成资产的项目</td><td class=\"n\">2059</td>"));
    }
}
