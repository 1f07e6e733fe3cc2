//! 访问记录: the record of personal-data access, for auditors and administrators with
//! county scope, newest first, filtered by person, content, days and asset code; times
//! in China time.

use maud::{html, Markup};
use rocket::form;
use rocket::response::content::RawHtml;
use rocket::{get, State};

use super::assets::text_filter;
use super::{bad_query, internal, require, require_county, PageError};
use crate::auth::{Access, Role};
use crate::db::Db;
use crate::domain::shown::{self, china_time};
use crate::domain::Scope;
use crate::observe::access::store::{self, AccessFilter, AccessRow};
use crate::observe::access::{route_label, ROUTES};
use crate::paging::{Limit, Page, TimeKey};
use crate::request::{AccessLogPageQuery, Both};
use crate::web::session::Session;
use crate::web::view::{encode, header_row, number_cell, options, pager, scroll_table};

const PAGE_SIZE: Limit = Limit::fixed(100);

/// The access log, newest first, a hundred rows a page.
#[get("/access-log?<query..>")]
pub async fn access_log(
    session: Session,
    query: form::Result<'_, AccessLogPageQuery>,
    db: &State<Db>,
) -> Result<RawHtml<String>, PageError> {
    require(&session, Access::Audit)?;
    require_county(&session)?;
    let Both(filter, cursor) = query.map_err(|e| bad_query(e, "/access-log"))?;
    let filter = filter.into_filter();
    let after = cursor.cursor().cloned();
    let asked = filter.clone();
    let found = db
        .run(move |conn| {
            Page::fetch(
                after.as_ref(),
                PAGE_SIZE,
                |before, n| store::list(conn, &asked, before.map(TimeKey::as_pair), n),
                |r| TimeKey::of(&r.at, &r.id),
            )
            .map_err(internal)
        })
        .await?;
    Ok(crate::web::view::page(
        &session.0,
        "/access-log",
        "个人信息访问记录",
        None,
        render(&filter, &found),
    ))
}

/// The filters as a query string, each given one as `key=value&`.
fn filter_query(filter: &AccessFilter) -> String {
    let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string());
    [
        ("who", filter.who.clone()),
        ("route", filter.route.clone()),
        ("since", day(filter.since)),
        ("until", day(filter.until)),
        ("code", filter.code.clone()),
    ]
    .into_iter()
    .filter_map(|(name, value)| value.map(|v| format!("{name}={}&", encode(&v))))
    .collect()
}

fn render(filter: &AccessFilter, found: &Page<AccessRow, TimeKey>) -> Markup {
    // One choice per route (a route taken by GET and POST is named by its GET).
    let mut routes: Vec<(&str, &str)> = Vec::new();
    for (_, route, label) in ROUTES {
        if !routes.iter().any(|(r, _)| *r == route) {
            routes.push((route, label));
        }
    }
    let mut links = Vec::new();
    if let Some(next) = &found.next {
        links.push((
            format!(
                "/access-log?{}cursor={}",
                filter_query(filter),
                encode(&next.to_string())
            ),
            "下一页",
        ));
    }
    let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    html! {
        p class="muted" {
            "每一次带有完整身份证号或电话号码的查看、导出都记在这里（谁、何时、看了什么、涉及哪些资产）。此记录任何角色都不能修改或删除。时间为北京时间。"
        }
        form class="filters card" method="get" action="/access-log" {
            (text_filter("访问人", "who", filter.who.as_deref()))
            label {
                "访问内容"
                select name="route" {
                    option value="" { "全部" }
                    (options(&routes, filter.route.as_deref()))
                }
            }
            label { "自" input type="date" name="since" value=(day(filter.since)); }
            label { "至" input type="date" name="until" value=(day(filter.until)); }
            (text_filter("资产编号", "code", filter.code.as_deref()))
            button type="submit" { "查询" }
        }
        @if found.items.is_empty() {
            p { "没有符合条件的访问记录。" }
        } @else {
            (scroll_table(
                header_row(&[("时间", false), ("访问人", false), ("角色", false), ("范围", false),
                    ("访问内容", false), ("涉及资产", false), ("导出行数", true)]),
                html! { @for row in &found.items { (access_row(row)) } },
            ))
        }
        (pager(&links))
    }
}

fn access_row(row: &AccessRow) -> Markup {
    let role: &str = match Role::parse(&row.role) {
        Some(role) => role.label(),
        None => &row.role,
    };
    let scope = Scope::parse(&row.scope).map_or_else(|_| row.scope.clone(), |s| s.label());
    let codes = row.code_list();
    let listed: Vec<&str> = codes.iter().copied().take(20).collect();
    html! {
        tr {
            td title={ "请求编号 " (row.request_id) } { (china_time(&row.at)) }
            td { (row.token_name) }
            td { (role) }
            td { (scope) }
            td title=(row.route) { (route_label(&row.method, &row.route)) }
            td {
                @for (i, code) in listed.iter().enumerate() {
                    @if i > 0 { "、" }
                    a href={ "/assets/" (encode(code)) } { (code) }
                }
                @if row.export_rows.is_some() {
                    "含身份证号 " (shown::count(row.code_count)) " 行"
                } @else if usize::try_from(row.code_count).unwrap_or(0) > listed.len() {
                    " 等 " (shown::count(row.code_count)) " 项"
                }
            }
            @if let Some(rows) = row.export_rows {
                (number_cell(shown::count(rows)))
            } @else {
                td class="n" { "—" }
            }
        }
    }
}
