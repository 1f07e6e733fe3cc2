//! 年度盘点: the campaigns a scope sees (clerks open one), a campaign's progress by
//! town and village with its checklists (printable, Excel) and its report, and the
//! phone page where a village worker finds an asset by code or name and records its
//! result (clerks, auditors, approvers see; clerks write; readers see none).

use std::collections::HashMap;

use maud::{html, Markup};
use rocket::form::{Form, FromForm};
use rocket::fs::TempFile;
use rocket::http::Status;
use rocket::response::content::RawHtml;
use rocket::response::Redirect;
use rocket::{get, post, State};
use serde_json::json;

use super::{internal, missing, require, PageError};
use crate::approvals::replies::{answered, keyed_write, Keyed};
use crate::auth::{Access, Caller};
use crate::db::Db;
use crate::domain::dates::today_in_china;
use crate::domain::{shown, InspectionResult, Vocabulary};
use crate::ledger::attachments;
use crate::stocktake::campaign::{self, Opening};
use crate::stocktake::checklist::{search, ChecklistItem};
use crate::stocktake::listing;
use crate::stocktake::report::by_result;
use crate::stocktake::results::{record, Origin, ResultInput};
use crate::stocktake::{Campaign, CampaignStatus, StocktakeError, Tally};
use crate::web::form_key::{self, Refused};
use crate::web::session::Session;
use crate::web::view::{encode, header_row, number_cell, options, page, scroll_table};

/// The most assets a search on the phone page lists.
const FOUND_AT_MOST: u32 = 20;

/// A stock-take error as the page shows it: missing campaigns are 404, rules a message.
fn page_error(error: StocktakeError) -> Result<String, PageError> {
    match error {
        StocktakeError::NotFound(_) => {
            Err(missing("没有这次盘点，或不在令牌范围内。", "/stocktakes"))
        }
        StocktakeError::Rule { message, .. } => Ok(message),
        StocktakeError::Rejected { errors, .. } => Ok(errors
            .iter()
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join("；")),
        other => Err(internal(other)),
    }
}

fn campaign_link(campaign: &Campaign) -> String {
    format!("/stocktakes/{}", encode(&campaign.id))
}

/// The campaigns the caller sees; a clerk's form to open one.
#[get("/stocktakes?<error>")]
pub async fn stocktakes(
    session: Session,
    error: Option<&str>,
    db: &State<Db>,
) -> Result<RawHtml<String>, PageError> {
    require(&session, Access::Review)?;
    let scope = session.0.scope.clone();
    let campaigns = db
        .run(move |conn| {
            let mut listed = Vec::new();
            for campaign in listing::all(conn, &scope)? {
                let tally = campaign::tally(conn, &scope, &campaign)?;
                listed.push((campaign, tally));
            }
            Ok::<_, StocktakeError>(listed)
        })
        .await
        .map_err(internal)?;
    let body = html! {
        @if session.0.role.allows(Access::Write) {
            (open_form(&session.0))
        }
        @if campaigns.is_empty() {
            p { "还没有盘点。" }
        } @else {
            (scroll_table(
                header_row(&[("盘点", false), ("年度", false), ("范围", false), ("状态", false),
                    ("应盘", true), ("已盘", true), ("盘亏（元）", true)]),
                html! {
                    @for (campaign, tally) in &campaigns {
                        tr {
                            td { a href=(campaign_link(campaign)) { (campaign.name) } }
                            td { (campaign.year) "年" }
                            td { (campaign.scope.label()) }
                            td { (campaign.status.label()) }
                            (number_cell(tally.total.assets))
                            (number_cell(tally.total.checked()))
                            (number_cell(shown::yuan(tally.total.missing_fen)))
                        }
                    }
                },
            ))
        }
    };
    Ok(page(
        &session.0,
        "/stocktakes",
        "年度盘点",
        error.map(|e| (false, e)),
        body,
    ))
}

fn open_form(caller: &Caller) -> Markup {
    let year = today_in_china().format("%Y").to_string();
    html! {
        details class="entry-form" {
            summary { "开始新的盘点" }
            form method="post" action="/stocktakes" {
                label { "盘点名称" input type="text" name="name" required value={ (year) "年度资产清查盘点" }; }
                label { "年度" input type="number" name="year" required value=(year) min="2000"; }
                label {
                    "范围（留空为令牌的范围：" (caller.scope.label()) "）"
                    input type="text" name="scope" placeholder="town:镇街 或 village:镇街/村";
                }
                div { button type="submit" { "开始盘点" } }
            }
        }
    }
}

/// Opens a campaign from the form.
#[post("/stocktakes", data = "<form>")]
pub async fn open_stocktake(
    session: Session,
    form: Form<HashMap<String, String>>,
    db: &State<Db>,
) -> Result<Redirect, PageError> {
    require(&session, Access::Write)?;
    let values = form.into_inner();
    let text = |name: &str| values.get(name).map(|v| v.trim().to_owned());
    let opening = Opening {
        name: text("name").unwrap_or_default(),
        year: text("year").and_then(|y| y.parse().ok()).unwrap_or(0),
        scope: text("scope").filter(|s| !s.is_empty()),
    };
    let (scope, actor) = (session.0.scope.clone(), session.0.name.clone());
    let opened = db
        .run(move |conn| Ok::<_, PageError>(campaign::open(conn, &scope, &actor, &opening)))
        .await?;
    match opened {
        Ok(campaign) => Ok(Redirect::to(campaign_link(&campaign))),
        Err(e) => Ok(Redirect::to(format!(
            "/stocktakes?error={}",
            encode(&page_error(e)?)
        ))),
    }
}

async fn load(db: &Db, session: &Session, id: &str) -> Result<(Campaign, Tally), PageError> {
    let (scope, id) = (session.0.scope.clone(), id.to_owned());
    db.run(move |conn| {
        let found = campaign::find(conn, &scope, &id).and_then(|campaign| {
            let tally = campaign::tally(conn, &scope, &campaign)?;
            Ok((campaign, tally))
        });
        match found {
            Ok(found) => Ok(found),
            Err(e) => Err(page_error(e)
                .err()
                .unwrap_or_else(|| internal("unexpected rule"))),
        }
    })
    .await
}

/// A campaign: its figures by result, its progress by town and village with each
/// village's checklist, and (for clerks, while open) the way to record and to close.
#[get("/stocktakes/<id>?<error>")]
pub async fn stocktake(
    session: Session,
    id: &str,
    error: Option<&str>,
    db: &State<Db>,
) -> Result<RawHtml<String>, PageError> {
    require(&session, Access::Review)?;
    let (campaign, tally) = load(db, &session, id).await?;
    let api = format!("/api/v1/stocktakes/{}", encode(&campaign.id));
    let writes = session.0.role.allows(Access::Write) && campaign.status == CampaignStatus::Open;
    let body = html! {
        p {
            "范围：" (campaign.scope.label()) "　状态：" (campaign.status.label())
            "　开始于 " (shown::china_time(&campaign.tenure.opened_at)) "（" (campaign.tenure.opened_by) "）"
            @if let Some(at) = &campaign.tenure.closed_at { "　结束于 " (shown::china_time(at)) }
        }
        p class="actions" {
            @if writes { a class="button" href={ (campaign_link(&campaign)) "/check" } { "现场盘点（手机）" } " " }
            a href={ (api) "/report.html" } { "打印盘点报告" }
        }
        p { "盘亏（缺失资产价值）：" strong { (shown::yuan(tally.total.missing_fen)) " 元" } }
        h2 { "按盘点结果" }
        (scroll_table(
            header_row(&[("盘点结果", false), ("资产数", true), ("资产价值（元）", true)]),
            html! {
                @for (label, count, fen) in by_result(&tally.total) {
                    tr { td { (label) } (number_cell(count)) (number_cell(shown::yuan(fen))) }
                }
            },
        ))
        h2 { "按镇街、村" }
        (scroll_table(
            header_row(&[("镇街", false), ("村", false), ("已盘/应盘", true), ("盘亏（元）", true), ("盘点清单", false)]),
            html! {
                @for line in &tally.lines {
                    @let query = format!("town={}&village={}", encode(&line.town), encode(&line.village));
                    tr {
                        td { (line.town) } td { (line.village) }
                        (number_cell(format!("{} / {}", line.checked(), line.assets)))
                        (number_cell(shown::yuan(line.missing_fen)))
                        td {
                            a href={ (api) "/checklist.html?" (query) } { "打印" } " "
                            a href={ (api) "/checklist.xlsx?" (query) } { "Excel" }
                        }
                    }
                }
            },
        ))
        @if writes && session.0.scope.contains(&campaign.scope) {
            form method="post" action={ (campaign_link(&campaign)) "/close" } class="close" {
                p { "结束后不能再记录结果；未盘点的资产列入审计发现。" }
                button type="submit" { "结束盘点" }
            }
        }
    };
    Ok(page(
        &session.0,
        "/stocktakes",
        &campaign.name,
        error.map(|e| (false, e)),
        body,
    ))
}

/// Closes a campaign from its page.
#[post("/stocktakes/<id>/close")]
pub async fn close_stocktake(
    session: Session,
    id: &str,
    db: &State<Db>,
) -> Result<Redirect, PageError> {
    require(&session, Access::Write)?;
    let (scope, actor, key) = (
        session.0.scope.clone(),
        session.0.name.clone(),
        id.to_owned(),
    );
    let closed = db
        .run(move |conn| Ok::<_, PageError>(campaign::close(conn, &scope, &actor, &key)))
        .await?;
    let back = format!("/stocktakes/{}", encode(id));
    match closed {
        Ok(_) => Ok(Redirect::to(back)),
        Err(e) => Ok(Redirect::to(format!(
            "{back}?error={}",
            encode(&page_error(e)?)
        ))),
    }
}

/// The phone page: find an asset of the campaign by code or name, record its result.
#[get("/stocktakes/<id>/check?<q>&<done>&<repeated>")]
pub async fn check(
    session: Session,
    id: &str,
    q: Option<&str>,
    done: Option<&str>,
    repeated: Option<bool>,
    db: &State<Db>,
) -> Result<RawHtml<String>, PageError> {
    require(&session, Access::Write)?;
    let flash = done.map(|code| match repeated {
        Some(true) => format!("{}（资产 {code} 的盘点结果）", form_key::REPEATED),
        _ => format!("已记录资产 {code} 的盘点结果"),
    });
    check_page(
        &session,
        db,
        id,
        q.unwrap_or(""),
        flash.as_deref().map(|f| (true, f)),
        Status::Ok,
    )
    .await
}

async fn check_page(
    session: &Session,
    db: &Db,
    id: &str,
    q: &str,
    flash: Option<(bool, &str)>,
    status: Status,
) -> Result<RawHtml<String>, PageError> {
    let (campaign, tally) = load(db, session, id).await?;
    let text = q.trim().to_owned();
    let found = if text.is_empty() {
        Vec::new()
    } else {
        let (scope, campaign) = (session.0.scope.clone(), campaign.clone());
        let text = text.clone();
        db.run(move |conn| search(conn, &scope, &campaign, &text, FOUND_AT_MOST))
            .await
            .map_err(internal)?
    };
    let action = format!("{}/check", campaign_link(&campaign));
    let body = html! {
        p { "已盘 " (tally.total.checked()) " / 应盘 " (tally.total.assets) " 项" }
        @if campaign.status == CampaignStatus::Closed {
            p { "这次盘点已结束，不能再记录结果。" }
        } @else {
            form method="get" action=(action) class="filters" {
                label { "资产编号或名称" input type="search" name="q" value=(text) required autocomplete="off"; }
                button type="submit" { "查找" }
            }
            @if !text.is_empty() && found.is_empty() {
                p { "没有找到编号或名称含“" (text) "”的资产。" }
            }
            @for item in &found {
                (result_form(&action, &text, item))
            }
        }
        p { a href=(campaign_link(&campaign)) { "返回盘点进度" } }
    };
    let html = page(
        &session.0,
        "/stocktakes",
        &format!("现场盘点 · {}", campaign.name),
        flash,
        body,
    );
    if status == Status::Ok {
        Ok(html)
    } else {
        Err(PageError::page(status, html))
    }
}

fn result_form(action: &str, q: &str, item: &ChecklistItem) -> Markup {
    let today = today_in_china().format("%Y-%m-%d").to_string();
    html! {
        form method="post" action=(action) enctype="multipart/form-data" class="entry-form stocktake-result" {
            h3 { (item.asset_code) " " (item.asset_name) }
            p {
                (item.class_label()) "　" (item.town) (item.village) "　所有权人：" (item.owner_name)
                "　价值 " (shown::yuan(item.value_fen)) " 元"
                @if let Some(day) = &item.checked_on { "　已记录：" (item.result_label()) "（" (day) "）" }
            }
            input type="hidden" name="asset_code" value=(item.asset_code);
            (form_key::fresh_hidden())
            input type="hidden" name="q" value=(q);
            label { "盘点结果"
                select name="result" required {
                    option value="" { "请选择" }
                    (options(&InspectionResult::choices(), None))
                }
            }
            label { "盘点日期" input type="date" name="checked_on" value=(today) required; }
            label { "备注" input type="text" name="note"; }
            label { "现场照片（可不传）" input type="file" name="photo" accept="image/*" capture="environment"; }
            div { button type="submit" { "记录" } }
        }
    }
}

/// The phone page's form: one result, and the photo taken on site if any.
#[derive(FromForm)]
pub struct CheckForm<'r> {
    asset_code: Option<String>,
    result: Option<String>,
    checked_on: Option<String>,
    note: Option<String>,
    q: Option<String>,
    form_key: Option<String>,
    photo: Option<TempFile<'r>>,
}

/// Records one result from the phone page, with its photo stored as an attachment the
/// inspection entry cites (the photo is kept only when the result is recorded).
#[post("/stocktakes/<id>/check", data = "<form>")]
pub async fn record_check(
    session: Session,
    id: &str,
    form: Form<CheckForm<'_>>,
    db: &State<Db>,
) -> Result<Redirect, PageError> {
    require(&session, Access::Write)?;
    let form = form.into_inner();
    let form_key = form_key::checked(form.form_key.as_deref())?;
    let field = |value: &Option<String>| value.clone().filter(|v| !v.trim().is_empty());
    let photo = match form.photo.as_ref().and_then(|file| file.path()) {
        Some(path) => Some(rocket::tokio::fs::read(path).await.map_err(internal)?),
        None => None,
    }
    .filter(|bytes| !bytes.is_empty());
    let photo_name = form
        .photo
        .as_ref()
        .and_then(|file| file.raw_name())
        .map(|name| name.dangerous_unsafe_unsanitized_raw().as_str().to_owned());
    let photo_name = crate::api::attachments::filename_of(photo_name.as_deref())
        .unwrap_or_else(|_| "盘点照片".to_owned());
    let input = ResultInput {
        origin: Some(Origin::Index(0)),
        asset_code: field(&form.asset_code),
        result: field(&form.result),
        checked_on: field(&form.checked_on),
        note: field(&form.note),
        attachments: None,
    };
    let q = field(&form.q).unwrap_or_default();
    // A repeated form sends the same fields and photo: its key is answered as before.
    let asked = json!([
        input.asset_code,
        input.result,
        input.checked_on,
        input.note,
        q,
        photo.as_deref().map(attachments::digest)
    ]);
    let keyed = Keyed::of_caller(
        form_key,
        &session.0,
        &format!("POST /stocktakes/{id}/check"),
        &asked.to_string(),
    );
    let (scope, actor, key) = (
        session.0.scope.clone(),
        session.0.name.clone(),
        id.to_owned(),
    );
    let code = input.asset_code.clone().unwrap_or_default();
    let recorded = db
        .run(move |conn| {
            let repeated = answered(conn, &keyed).map_err(internal)?;
            let written = keyed_write(conn, &keyed, |conn| {
                let mut input = input;
                if let Some(bytes) = &photo {
                    let (stored, _) = attachments::store(conn, bytes, &photo_name, &actor)?;
                    input.attachments = Some(json!([stored.sha256]));
                }
                let recorded = record(conn, &scope, &actor, &key, &[input], None);
                Ok((
                    201,
                    json!({"recorded": recorded.map_err(Refused::Write)?.count}),
                ))
            });
            Ok::<_, PageError>(written.map(|_| repeated))
        })
        .await?;
    match recorded {
        Ok(repeated) => Ok(Redirect::to(format!(
            "/stocktakes/{}/check?q={}&done={}{}",
            encode(id),
            encode(&q),
            encode(&code),
            if repeated { "&repeated=true" } else { "" }
        ))),
        Err(Refused::Failed(e)) => Err(internal(e)),
        Err(refused) => {
            let message = match refused {
                Refused::Write(e) => page_error(e)?,
                _ => form_key::REUSED.to_owned(),
            };
            Err(
                match check_page(
                    &session,
                    db,
                    id,
                    &q,
                    Some((false, &message)),
                    Status::UnprocessableEntity,
                )
                .await
                {
                    Ok(_) => internal("a refused result rendered as success"),
                    Err(page) => page,
                },
            )
        }
    }
}
