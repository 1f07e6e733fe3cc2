//! 概览: the register's totals by class, with the projects that formed no asset.

use rocket::response::content::RawHtml;
use rocket::{get, State};

use super::{internal, PageError};
use crate::db::Db;
use crate::register::totals::{totals, GroupBy};
use crate::web::session::Session;
use crate::web::view::{class_label, money_cells, page};

/// The overview page.
#[get("/")]
pub async fn overview(session: Session, db: &State<Db>) -> Result<RawHtml<String>, PageError> {
    let report = db
        .run(|conn| totals(conn, GroupBy::Class).map_err(internal))
        .await?;
    let mut rows = String::new();
    for group in &report.groups {
        let label = if group.key == "none" {
            "未形成资产的项目"
        } else {
            class_label(&group.key)
        };
        rows.push_str(&format!(
            "<tr><td>{label}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>{}{}</tr>",
            group.figures.projects,
            group.figures.assets,
            money_cells(group.figures.funds.fen()),
            money_cells(group.figures.asset_value.fen())
        ));
    }
    let total = &report.total;
    let body = format!(
        "<div class=\"card scroll\"><table><thead><tr><th>类别</th><th class=\"n\">项目数</th><th class=\"n\">资产数</th>\
         <th class=\"n\">项目资金（万元）</th><th class=\"n\">项目资金（元）</th><th class=\"n\">资产价值（万元）</th><th class=\"n\">资产价值（元）</th></tr></thead>\
         <tbody>{rows}</tbody><tfoot><tr><th>合计</th><td class=\"n\">{}</td><td class=\"n\">{}</td>{}{}</tr></tfoot></table></div>\
         <p class=\"muted\">一个项目可同时有多类资产；“未形成资产的项目”计入合计而不属于任何类别，是合计与各类之和的差额所在。已处置的资产不计入。</p>",
        total.projects,
        total.assets,
        money_cells(total.funds.fen()),
        money_cells(total.asset_value.fen())
    );
    Ok(page(&session.0, "/", "概览", None, &body))
}
