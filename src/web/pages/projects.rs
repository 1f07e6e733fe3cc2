//! 项目: the filtered, numbered list of projects with their count and funds, and a
//! project's page with its assets and its funds set against the value of its assets.

use maud::{html, Markup};
use rocket::form;
use rocket::response::content::RawHtml;
use rocket::{get, State};

use super::assets::{
    asset_line, asset_row, choice_filter, text_filter, year_filter, AssetLine, ASSET_COLUMNS,
};
use super::{bad_query, internal, missing, number_pages, PageError};
use crate::db::Db;
use crate::domain::FundingChannel;
use crate::domain::{shown, AssetClass, Scope, Vocabulary, Yuan};
use crate::paging::{Cursor, Limit, Page};
use crate::reconcile::findings::FindingKind;
use crate::register::query::{
    assets_of_project, find_project, list_projects, project_code_at, projects_through,
    tally_assets, tally_projects, AssetFilter, ProjectFilter, ProjectTally,
};
use crate::register::store::ProjectRow;
use crate::request::{Both, ProjectPageQuery};
use crate::web::session::Session;
use crate::web::view::{
    encode, header_row, money_cells, number_cell, numbered_pager, page, print_button, Pages,
};

const PAGE_SIZE: Limit = Limit::fixed(50);

/// What the project list shows.
struct ProjectList {
    /// The filters asked for, shown again in the form.
    filter: ProjectFilter,
    /// The projects on this page.
    rows: Vec<ProjectRow>,
    /// How many projects the filters select, and their funds together.
    tally: ProjectTally,
    /// Where this page stands among the list's pages.
    pages: Pages,
}

/// The projects, filtered and paged.
#[get("/projects?<query..>")]
pub async fn projects(
    session: Session,
    query: form::Result<'_, ProjectPageQuery>,
    db: &State<Db>,
) -> Result<RawHtml<String>, PageError> {
    let Both(filter, at) = query.map_err(|e| bad_query(e, "/projects"))?;
    let view = load_list(
        db,
        session.0.scope.clone(),
        filter.into_filter(),
        at.cursor(),
    )
    .await?;
    Ok(page(
        &session.0,
        "/projects",
        "项目",
        None,
        render_list(&view),
    ))
}

/// Reads the page of the projects in `scope` that `filter` selects and that follows
/// `after`, with the count and funds of all it selects.
async fn load_list(
    db: &Db,
    scope: Scope,
    filter: ProjectFilter,
    after: Option<&Cursor<String>>,
) -> Result<ProjectList, PageError> {
    let query_filter = filter.clone();
    let cursor = after.cloned();
    let (tally, rows, pages) = db
        .run(move |conn| {
            let filter = &query_filter;
            let tally = tally_projects(conn, &scope, filter).map_err(internal)?;
            let after = cursor.as_ref().map(|c| c.key().as_str());
            let before = match after {
                Some(key) => projects_through(conn, &scope, filter, key).map_err(internal)?,
                None => 0,
            };
            let rows =
                list_projects(conn, &scope, filter, after, PAGE_SIZE.fetch()).map_err(internal)?;
            let Page { items, next } = Page::from_rows(rows, PAGE_SIZE, |row| row.code.clone());
            let query = filter_query(filter);
            let pages = number_pages(
                tally.projects,
                PAGE_SIZE,
                (cursor.as_ref(), before),
                next.as_ref(),
                |position| project_code_at(conn, &scope, filter, position),
                |cursor| list_address(&query, cursor),
            )
            .map_err(internal)?;
            Ok::<_, PageError>((tally, items, pages))
        })
        .await?;
    Ok(ProjectList {
        filter,
        rows,
        tally,
        pages,
    })
}

/// The filters as a query string, each given one as `key=value&`.
fn filter_query(filter: &ProjectFilter) -> String {
    [
        ("town", filter.town.clone()),
        ("village", filter.village.clone()),
        ("year", filter.year.map(|year| year.to_string())),
        ("class", filter.class.map(|c| c.as_str().to_owned())),
        ("q", filter.q.clone()),
    ]
    .iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={}&", encode(v))))
    .collect()
}

/// The address of the list page with the filters of `query` that continues after
/// `cursor` (the first page without one).
fn list_address(query: &str, cursor: Option<&Cursor<String>>) -> String {
    match cursor {
        Some(cursor) => format!("/projects?{query}cursor={}", encode(&cursor.to_string())),
        None => format!("/projects?{query}"),
    }
}

fn render_list(view: &ProjectList) -> Markup {
    let filter = &view.filter;
    html! {
        form class="filters card" method="get" action="/projects" {
            (text_filter("镇街", "town", filter.town.as_deref()))
            (text_filter("村", "village", filter.village.as_deref()))
            (year_filter(filter.year))
            (choice_filter("含资产类别", "class", &AssetClass::choices(), filter.class.map(AssetClass::as_str)))
            (text_filter("名称包含", "q", filter.q.as_deref()))
            button type="submit" { "查询" }
        }
        p class="actions" { (print_button()) }
        p class="tally" {
            "共 " strong { (view.tally.projects) } " 个项目，项目资金合计 "
            strong { (shown::yuan(view.tally.funds.fen())) } " 元（"
            (shown::wan(view.tally.funds.fen())) " 万元）"
        }
        div class="scroll" {
            table {
                thead {
                    (header_row(&[
                        ("项目编号", false),
                        ("项目名称", false),
                        ("年度", true),
                        ("镇街/村", false),
                        ("项目资金（万元）", true),
                        ("项目资金（元）", true),
                    ]))
                }
                tbody {
                    @for row in &view.rows {
                        tr {
                            td { a href={ "/projects/" (encode(&row.code)) } { (row.code) } }
                            td { (row.name) }
                            (number_cell(row.year))
                            td { (place(&row.town, row.village.as_deref())) }
                            (money_cells(row.funds_fen))
                        }
                    }
                    @if view.rows.is_empty() {
                        tr { td colspan="6" class="muted" { "没有符合条件的项目" } }
                    }
                }
                tfoot {
                    tr {
                        th colspan="4" { "合计（" (view.tally.projects) " 个）" }
                        (money_cells(view.tally.funds.fen()))
                    }
                }
            }
        }
        (numbered_pager(&view.pages))
    }
}

/// 镇街 and 村, as one cell shows them.
fn place(town: &str, village: Option<&str>) -> String {
    match village {
        Some(village) => format!("{town} {village}"),
        None => town.to_owned(),
    }
}

/// What a project's page shows.
struct ProjectView {
    project: ProjectRow,
    /// Its assets in scope, in code order.
    assets: Vec<AssetLine>,
    /// The value of those assets together, summed by the database.
    value: Yuan,
}

/// One project: its fields, its assets, its funds against their value.
#[get("/projects/<code>")]
pub async fn project(
    session: Session,
    code: &str,
    db: &State<Db>,
) -> Result<RawHtml<String>, PageError> {
    let view = load_project(db, session.0.scope.clone(), code.to_owned()).await?;
    let title = format!("项目 {}", view.project.code);
    Ok(page(
        &session.0,
        "/projects",
        &title,
        None,
        render_project(&view),
    ))
}

/// Reads the project `code` in `scope` with its assets; a project outside the scope is
/// not found.
async fn load_project(db: &Db, scope: Scope, code: String) -> Result<ProjectView, PageError> {
    db.run(move |conn| {
        let project = find_project(conn, &scope, &code)
            .map_err(internal)?
            .ok_or_else(|| missing("没有这个项目。", "/projects"))?;
        let assets = assets_of_project(conn, &scope, &project.code).map_err(internal)?;
        let of_project = AssetFilter {
            project: Some(project.code.clone()),
            ..AssetFilter::default()
        };
        let tally = tally_assets(conn, &scope, &of_project).map_err(internal)?;
        Ok(ProjectView {
            project,
            assets: assets.into_iter().map(asset_line).collect(),
            value: tally.value,
        })
    })
    .await
}

fn render_project(view: &ProjectView) -> Markup {
    let project = &view.project;
    let funds = project.funds_fen;
    let value = view.value.fen();
    // Both lie between 0 and Yuan::MAX (10^16 fen): the difference cannot overflow.
    let difference = value - funds;
    html! {
        p class="actions" {
            a class="button secondary" href={ "/assets?project=" (encode(&project.code)) } { "在资产台账中查看" }
            " "
            (print_button())
        }
        dl class="fields card" {
            dt { "项目编号" } dd { (project.code) }
            dt { "项目名称" } dd { (project.name) }
            dt { "项目年度" } dd { (project.year) }
            dt { "镇街/村" } dd { (place(&project.town, project.village.as_deref())) }
            dt { "行业主管部门" } dd { (project.department.as_deref().unwrap_or("—")) }
            dt { "资金来源" } dd { (project.funding_source.as_deref().unwrap_or("—")) }
        }
        h2 { "项目资金与资产价值" }
        div class="scroll" {
            table class="balance" {
                thead { (header_row(&[("", false), ("万元", true), ("元", true)])) }
                tbody {
                    tr { td { "项目资金" } (money_cells(funds)) }
                    @for (channel, fen) in FundingChannel::ALL.iter().zip(project.funding_fen()) {
                        @if let Some(fen) = fen {
                            tr { td { "其中：" (channel.label()) } (money_cells(fen)) }
                        }
                    }
                    tr { td { "资产价值合计（" (view.assets.len()) " 项资产）" } (money_cells(value)) }
                }
                tfoot {
                    tr class=(if difference == 0 { "ok" } else { "bad" }) {
                        th { "差额（资产价值 − 项目资金）" }
                        (money_cells(difference))
                    }
                }
            }
        }
        p class="muted" {
            @if view.assets.is_empty() {
                "此项目未形成资产。"
            } @else if difference == 0 {
                "资产价值合计与项目资金相符。"
            } @else {
                "资产价值合计与项目资金不符（审计发现：" (mismatch_label()) "）。"
            }
        }
        h2 { "资产（" (view.assets.len()) " 项）" }
        div class="scroll" {
            table {
                thead { (header_row(&ASSET_COLUMNS)) }
                tbody {
                    @for row in &view.assets {
                        (asset_row(row))
                    }
                    @if view.assets.is_empty() {
                        tr { td colspan="9" class="muted" { "无" } }
                    }
                }
            }
        }
    }
}

/// The name of the finding a project whose funds and asset values differ raises.
fn mismatch_label() -> &'static str {
    FindingKind::parse("project_value_mismatch").map_or("", |kind| kind.label())
}
