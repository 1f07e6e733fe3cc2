//! 待审批: the proposals in the caller's scope, one proposal with its steps and notices,
//! the approver's approve and reject forms, the clerk's notice, objection and
//! resolution forms, and the printable notice for the village board.

use maud::{html, Markup};
use rocket::response::content::RawHtml;
use rocket::{get, State};
use serde_json::{json, Value};

mod forms;

pub use forms::{approve, create_notice, create_objection, reject, resolve_objection};

use super::{internal, missing, require, PageError};
use crate::approvals::notices::{NoticeRow, NoticeView};
use crate::approvals::proposals::{ProposalRow, ProposalStatus, ProposalView};
use crate::approvals::public::public_notice;
use crate::approvals::{ApprovalSettings, Level};
use crate::auth::{Access, Caller};
use crate::db::{Db, DbError};
use crate::domain::{shown, Scope, Vocabulary};
use crate::ledger::entry::{parse_kept_entry, EntryData};
use crate::register::query::find_asset;
use crate::web::form_key;
use crate::web::session::Session;
use crate::web::view::{bare_page, encode, grouped, header_row, page, print_button, scroll_table};

/// The label of a step's or a proposal's status.
fn status_label(status: &str) -> &'static str {
    match status {
        "approved" => "已通过",
        "rejected" => "已驳回",
        _ => "待审批",
    }
}

/// The label of a level.
fn level_label(level: &str) -> &'static str {
    Level::parse(level).map_or("审批", Level::label)
}

/// The proposals in the caller's scope: the pending ones, or those of `status`.
#[get("/proposals?<status>")]
pub async fn proposals(
    session: Session,
    status: Option<&str>,
    db: &State<Db>,
) -> Result<RawHtml<String>, PageError> {
    require(&session, Access::Review)?;
    let status = status
        .and_then(ProposalStatus::parse)
        .unwrap_or(ProposalStatus::Pending);
    let scope = session.0.scope.clone();
    let rows = db
        .run(move |conn| {
            let rows = ProposalRow::list(conn, &scope, Some(status), None, 200)?;
            rows.iter()
                .map(|row| {
                    let name = find_asset(conn, &Scope::County, &row.asset_id)?
                        .map(|a| a.name)
                        .unwrap_or_default();
                    Ok((row.view(conn)?, name))
                })
                .collect::<Result<Vec<_>, DbError>>()
        })
        .await
        .map_err(internal)?;
    Ok(page(
        &session.0,
        "/proposals",
        "待审批",
        None,
        html! {
            p class="filters" {
                @for tab in ProposalStatus::ALL {
                    a href={ "/proposals?status=" (tab.as_str()) } class=[(*tab == status).then_some("active")] { (tab.label()) } " "
                }
            }
            @if rows.is_empty() {
                p class="muted" { "没有" (status.label()) "的事项。" }
            } @else {
                (scroll_table(
                    header_row(&[("事项", false), ("资产", false), ("日期", false), ("提出人", false), ("提出时间", false), ("进度", false)]),
                    html! {
                        @for (view, name) in &rows {
                            tr {
                                td { a href={ "/proposals/" (encode(&view.id)) } { (view.label()) } }
                                td { (view.asset_code) " " (name) }
                                td { (view.occurred_on) }
                                td { (view.proposed_by) }
                                td { (shown::china_time(&view.proposed_at)) }
                                td { (progress(view)) }
                            }
                        }
                    },
                ))
            }
        },
    ))
}

/// A proposal's steps in a line: 镇街审批 已通过 → 县级审批 待审批.
fn progress(view: &ProposalView) -> String {
    view.steps
        .iter()
        .map(|s| format!("{} {}", level_label(&s.level), status_label(&s.status)))
        .collect::<Vec<_>>()
        .join(" → ")
}

/// What the proposal page shows.
struct ProposalPage {
    view: ProposalView,
    asset_name: String,
    town: String,
    notices: Vec<NoticeView>,
}

async fn load(db: &Db, scope: Scope, id: String) -> Result<ProposalPage, PageError> {
    let found = db
        .run(move |conn| {
            let Some(row) = ProposalRow::find(conn, &scope, &id)? else {
                return Ok(None);
            };
            let asset = find_asset(conn, &Scope::County, &row.asset_id)?;
            let mut notices = Vec::new();
            for notice in NoticeRow::of_proposal(conn, &row.id)? {
                notices.push(notice.view(conn)?);
            }
            Ok::<_, DbError>(Some(ProposalPage {
                view: row.view(conn)?,
                asset_name: asset.as_ref().map(|a| a.name.clone()).unwrap_or_default(),
                town: asset.map(|a| a.town).unwrap_or_default(),
                notices,
            }))
        })
        .await
        .map_err(internal)?;
    found.ok_or_else(|| missing("没有这个审批事项。", "/proposals"))
}

/// One proposal: its entry, steps, notices and the forms the caller may use.
#[get("/proposals/<id>?<done>")]
pub async fn proposal(
    session: Session,
    id: &str,
    done: Option<&str>,
    db: &State<Db>,
    settings: &State<ApprovalSettings>,
) -> Result<RawHtml<String>, PageError> {
    require(&session, Access::Review)?;
    let view = load(db, session.0.scope.clone(), id.to_owned()).await?;
    let flash = done.map(|what| match what {
        "proposed" => "已提交审批：待审批通过后记入台账",
        "approved" => "已审批",
        "rejected" => "已驳回",
        "notice" => "已登记公示",
        "objection" => "已登记异议",
        form_key::REPEATED_DONE => form_key::REPEATED,
        _ => "已处理",
    });
    Ok(proposal_page(
        &session.0,
        &view,
        flash.map(|m| (true, m)),
        settings.notice_days,
    ))
}

fn proposal_page(
    caller: &Caller,
    view: &ProposalPage,
    flash: Option<(bool, &str)>,
    notice_days: u32,
) -> RawHtml<String> {
    page(
        caller,
        "/proposals",
        &format!("{}：{}", view.view.label(), view.view.asset_code),
        flash,
        render(caller, view, notice_days),
    )
}

/// The entry a proposal would append, as people read it, and its household lines.
fn entry_of(view: &ProposalView) -> (String, Vec<(String, String)>) {
    match parse_kept_entry(&view.entry) {
        Ok(entry) => {
            let lines = match &entry.data {
                EntryData::IncomeDistributed(d) => d
                    .lines
                    .iter()
                    .flatten()
                    .map(|l| (l.name.clone(), shown::yuan(l.amount.fen())))
                    .collect(),
                _ => Vec::new(),
            };
            // ID numbers masked: deciding needs the names, and the page stays out of
            // the access log.
            (entry.data.summary(&|id| id.masked()), lines)
        }
        Err(_) => (String::new(), Vec::new()),
    }
}

fn render(caller: &Caller, page: &ProposalPage, notice_days: u32) -> Markup {
    let view = &page.view;
    let (summary, lines) = entry_of(view);
    let pending = view.status == "pending";
    let path = format!("/proposals/{}", encode(&view.id));
    let next = view.next_step.as_deref().and_then(Level::parse);
    html! {
        p {
            "资产：" a href={ "/assets/" (encode(&view.asset_code)) } { (view.asset_code) " " (page.asset_name) }
            "；日期：" (view.occurred_on) "；提出人：" (view.proposed_by)
            "（" (shown::china_time(&view.proposed_at)) "）"
        }
        p { strong { (status_label(&view.status)) } "：" (summary) }
        @if !lines.is_empty() {
            (scroll_table(
                header_row(&[("户主", false), ("金额（元）", true)]),
                html! { @for (name, amount) in &lines { tr { td { (name) } td class="n" { (amount) } } } },
            ))
        }
        h2 { "审批步骤" }
        ol {
            @for step in &view.steps {
                li {
                    (level_label(&step.level)) "：" (status_label(&step.status))
                    @if let Some(by) = &step.by { "，" (by) }
                    @if let Some(at) = &step.at { "，" (shown::china_time(at)) }
                    @if let Some(reason) = &step.reason { "，理由：" (reason) }
                }
            }
        }
        @if let Some(seq) = view.entry_seq {
            p { "已记入台账：第 " (seq) " 条。" }
        }
        @if pending && caller.role.allows(Access::Approve) {
            @if let Some(level) = next {
                form method="post" action={ (path) "/approve" } class="card" {
                    input type="hidden" name="step" value=(level.as_str());
                    (form_key::fresh_hidden())
                    button type="submit" { "通过（" (level.label()) "）" }
                }
                form method="post" action={ (path) "/reject" } class="card" {
                    (form_key::fresh_hidden())
                    label { "驳回理由" input type="text" name="reason" required; }
                    button type="submit" class="secondary" { "驳回" }
                }
            }
        }
        h2 { "公示" }
        @if page.notices.is_empty() {
            @if view.kind == "correction" {
                p class="muted" { "尚未登记公示。更正无须公示：最后一步审批通过即记入台账。" }
            } @else {
                p class="muted" { "尚未登记公示。处置和收益分配须公示期满、异议处理完毕后方可最后审批。" }
            }
        }
        @for notice in &page.notices {
            div class="card" {
                p {
                    (notice.place) "，" (notice.starts_on) " 至 " (notice.ends_on) "（" (notice.days) " 天）"
                    " " a href={ "/notices/" (encode(&notice.id)) "/print" } { "打印公示单" }
                }
                @for objection in &notice.objections {
                    p {
                        "异议 " (objection.n) "：" (objection.text) "（" (objection.recorded_by) "，" (shown::china_time(&objection.recorded_at)) "）"
                        @if let Some(resolution) = &objection.resolution {
                            "；已处理：" (resolution)
                        } @else {
                            strong { "；尚未处理" }
                        }
                    }
                    @if objection.open && pending && caller.role.allows(Access::Write) {
                        form method="post" action={ "/notices/" (encode(&notice.id)) "/objections/" (objection.n) "/resolve" } {
                            (form_key::fresh_hidden())
                            label { "处理结果" input type="text" name="resolution" required; }
                            button type="submit" { "记录处理结果" }
                        }
                    }
                }
                @if pending && caller.role.allows(Access::Write) {
                    form method="post" action={ "/notices/" (encode(&notice.id)) "/objections" } {
                        (form_key::fresh_hidden())
                        label { "异议内容" input type="text" name="text" required; }
                        button type="submit" class="secondary" { "登记异议" }
                    }
                }
            }
        }
        @if pending && caller.role.allows(Access::Write) {
            form method="post" action={ (path) "/notices" } class="card" {
                h3 { "登记公示" }
                (form_key::fresh_hidden())
                label { "公示地点" input type="text" name="place" required placeholder="村务公开栏"; }
                label { "起始日期" input type="date" name="starts_on" required; }
                label { "天数" input type="number" name="days" min="1" max="365" value=(notice_days); }
                button type="submit" { "登记公示" }
            }
        }
        p { a href="/proposals" { "返回待审批" } " · 镇街：" (page.town) }
    }
}

/// The notice `notice_id` in the caller's scope.
async fn proposal_of_notice(
    db: &Db,
    scope: Scope,
    notice_id: String,
) -> Result<NoticeRow, PageError> {
    db.run(move |conn| NoticeRow::find(conn, &scope, &notice_id).map_err(DbError::from))
        .await
        .map_err(internal)?
        .ok_or_else(|| missing("没有这个公示。", "/proposals"))
}

/// The printable notice for the village board: the county's name in the title, the
/// asset, the place and period, and a distribution's households by name and amount,
/// never an ID number.
#[get("/notices/<id>/print")]
pub async fn print_notice(
    session: Session,
    id: &str,
    db: &State<Db>,
    settings: &State<ApprovalSettings>,
) -> Result<RawHtml<String>, PageError> {
    require(&session, Access::Review)?;
    let notice = proposal_of_notice(db, session.0.scope.clone(), id.to_owned()).await?;
    let scope = session.0.scope.clone();
    let found = db
        .run(move |conn| {
            let Some(proposal) = ProposalRow::find(conn, &scope, &notice.proposal_id)? else {
                return Ok(None);
            };
            let asset = find_asset(conn, &Scope::County, &proposal.asset_id)?;
            let public = public_notice(conn, &notice, &proposal)?;
            // 处置, or for a correction the kind it corrects: 更正（处置）.
            let label = proposal.label(conn)?;
            Ok::<_, DbError>(Some((public, asset, label)))
        })
        .await
        .map_err(internal)?;
    let Some((notice, asset, kind)) = found else {
        return Err(missing("没有这个公示。", "/proposals"));
    };
    let place = asset
        .map(|a| format!("{}{}", a.town, a.village.unwrap_or_default()))
        .unwrap_or_default();
    let title = format!("{}{}{}公示", settings.county_name, place, kind);
    let total: Value = json!(notice.amount);
    Ok(bare_page(
        &title,
        html! {
            p { (print_button()) }
            p { "事项：" (notice.subject) }
            @if let Some(amount) = total.as_str() {
                p { "金额：" (grouped(amount)) " 元" @if let Some(period) = &notice.period { "（收益期间：" (period) "）" } }
            }
            p { "公示地点：" (notice.place) }
            p { "公示期：" (notice.starts_on) " 至 " (notice.ends_on) }
            @if !notice.lines.is_empty() {
                (scroll_table(
                    header_row(&[("序号", true), ("户主", false), ("金额（元）", true)]),
                    html! {
                        @for (i, line) in notice.lines.iter().enumerate() {
                            tr { td class="n" { (i + 1) } td { (line.name) } td class="n" { (grouped(&line.amount)) } }
                        }
                    },
                ))
            }
            p { "公示期内如有异议，请向村委会或镇（街道）反映。" }
        },
    ))
}
