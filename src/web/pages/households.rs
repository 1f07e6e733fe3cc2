//! 分户收益: a search box for an ID number and, for one person, every household line
//! paid to them in the caller's scope, with a total per year (clerks, auditors,
//! approvers; readers see no households).

use maud::{html, Markup};
use rocket::http::Status;
use rocket::response::content::RawHtml;
use rocket::response::Redirect;
use rocket::{get, State};

use super::{internal, missing, require, PageError};
use crate::auth::{Access, Visibility};
use crate::db::Db;
use crate::domain::{shown, IdNumber};
use crate::ledger::households::{household, Household};
use crate::observe::access::Disclosure;
use crate::web::session::Session;
use crate::web::view::{encode, header_row, number_cell, page, scroll_table};

/// The search box; with `id_number`, the household's page.
#[get("/households?<id_number>")]
pub async fn search(
    session: Session,
    id_number: Option<&str>,
) -> Result<Result<RawHtml<String>, Redirect>, PageError> {
    require(&session, Access::Review)?;
    match id_number.map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => match IdNumber::parse(text) {
            Ok(id) => Ok(Err(Redirect::to(format!(
                "/households/{}",
                encode(id.as_str())
            )))),
            Err(e) => Ok(Ok(page(
                &session.0,
                "/households",
                "分户收益",
                Some((false, &format!("身份证号“{text}”无效：{e}"))),
                search_box(text),
            ))),
        },
        None => Ok(Ok(page(
            &session.0,
            "/households",
            "分户收益",
            None,
            search_box(""),
        ))),
    }
}

/// One household: its lines in the caller's scope and its totals per year.
#[get("/households/<id_number>", rank = 2)]
pub async fn household_page(
    session: Session,
    id_number: &str,
    disclosure: Disclosure,
    db: &State<Db>,
) -> Result<RawHtml<String>, PageError> {
    require(&session, Access::Review)?;
    let Ok(id) = IdNumber::parse(id_number) else {
        return Err(missing("身份证号无效。", "/households"));
    };
    let scope = session.0.scope.clone();
    let found = db
        .run(move |conn| household(conn, &scope, &id).map_err(internal))
        .await?;
    if found.lines.is_empty() {
        return Err(PageError::page(
            Status::NotFound,
            page(
                &session.0,
                "/households",
                "分户收益",
                Some((false, "令牌范围内没有付给该身份证号的收益分配。")),
                search_box(id_number),
            ),
        ));
    }
    // The page shows the ID number whole with every asset that paid it.
    for line in &found.lines {
        disclosure.asset(Visibility::Whole, &line.asset_code);
    }
    Ok(page(
        &session.0,
        "/households",
        "分户收益",
        None,
        html! {
            (search_box(""))
            (render_household(&found))
        },
    ))
}

fn search_box(value: &str) -> Markup {
    html! {
        form method="get" action="/households" class="filters" {
            label {
                "身份证号"
                input type="search" name="id_number" value=(value) required
                    inputmode="text" autocomplete="off";
            }
            button type="submit" { "查询" }
        }
    }
}

fn render_household(found: &Household) -> Markup {
    html! {
        h2 { (found.names.join("、")) " " span class="id" { (found.id_number.as_str()) } }
        p { "合计 " strong { (shown::yuan(found.total.fen())) } " 元，共 " (found.lines.len()) " 笔" }
        h3 { "按年度" }
        (scroll_table(
            header_row(&[("年度", false), ("笔数", true), ("金额（元）", true)]),
            html! {
                @for year in &found.years {
                    tr {
                        td { (year.year) "年" }
                        (number_cell(year.lines))
                        (number_cell(shown::yuan(year.total.fen())))
                    }
                }
            },
        ))
        h3 { "明细" }
        (scroll_table(
            header_row(&[
                ("发放日期", false),
                ("资产", false),
                ("镇村", false),
                ("收益期间", false),
                ("姓名", false),
                ("金额（元）", true),
            ]),
            html! {
                @for line in &found.lines {
                    tr {
                        td { (line.paid()) }
                        td { a href={ "/assets/" (encode(&line.asset_code)) } { (line.asset_code) } " " (line.asset_name) }
                        td { (line.town) @if let Some(village) = &line.village { " " (village) } }
                        td { (line.period) }
                        td { (line.name) }
                        (number_cell(shown::yuan(line.amount.fen())))
                    }
                }
            },
        ))
    }
}
