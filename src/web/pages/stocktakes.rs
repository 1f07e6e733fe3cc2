//! 年度盘点: the campaigns a scope sees (clerks open one), a campaign's progress by
//! town and village with its checklists (printable, Excel) and its report, and the
//! phone page where a village worker finds an asset by code or name and records its
//! result (clerks, auditors, approvers see; clerks write; readers see none).

use std::collections::HashMap;

use maud::{html, Markup};
use rocket::form::Form;
use rocket::http::Status;
use rocket::response::content::RawHtml;
use rocket::response::Redirect;
use rocket::{get, post, State};
use serde_json::json;

use super::{internal, message_page, missing, require, PageError};
use crate::approvals::replies::{answered, keyed_write, ChainLock, Keyed};
use crate::auth::{Access, Caller};
use crate::db::{Db, DbConnection};
use crate::domain::dates::today_in_china;
use crate::domain::{shown, Vocabulary};
use crate::stocktake::campaign::{self, Opening};
use crate::stocktake::checklist::village_label;
use crate::stocktake::listing;
use crate::stocktake::report::by_result;
use crate::stocktake::{Campaign, CampaignStatus, StocktakeError, Tally};
use crate::web::form_key::{self, Refused};
use crate::web::session::Session;
use crate::web::view::{encode, header_row, number_cell, page, scroll_table};

pub mod phone;

/// A stock-take error as the page shows it: missing campaigns are 404, rules a message,
/// a busy database 503 ([`super::busy`]).
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
        // A busy database (the chain's lock not granted in time) is a page of its own.
        StocktakeError::Db(e) => Err(e.into()),
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
                (form_key::fresh_hidden())
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

/// Runs `write` (which opens or closes a campaign) for a clerk, under the one-time key
/// of the form `values` (see [`form_key`]) on `route` and the form's other values: a
/// form posted again is answered with the campaign of the first time and writes
/// nothing. Redirects to the campaign's page (saying so when the form was such a
/// repeat), or, when the write refuses, back to `form_page` with the refusal.
///
/// Fails (403 page) for a session that may not write; (422 page, nothing written) when
/// the key is malformed or was sent before with other content; (404 page) when the
/// campaign is not there; or when the database fails.
async fn keyed_campaign_write(
    session: &Session,
    db: &Db,
    mut values: HashMap<String, String>,
    route: String,
    form_page: &str,
    write: impl FnOnce(&mut DbConnection) -> Result<Campaign, StocktakeError> + Send + 'static,
) -> Result<Redirect, PageError> {
    require(session, Access::Write)?;
    let key = form_key::take(&mut values)?;
    let keyed = Keyed::of_caller(key, &session.0, &route, &form_key::canonical(&values));
    let written = db
        .run(move |conn| {
            let repeated = answered(conn, &keyed).map_err(internal)?;
            let written = keyed_write(conn, &keyed, ChainLock::WithKey, |conn| {
                let campaign = write(conn).map_err(Refused::Write)?;
                Ok((201, json!({ "id": campaign.id })))
            });
            Ok::<_, PageError>(written.map(|(_, answer)| (repeated, answer)))
        })
        .await?;
    match written {
        Ok((repeated, answer)) => Ok(after_write(
            answer["id"].as_str().unwrap_or_default(),
            repeated,
        )),
        Err(Refused::Write(e)) => Ok(Redirect::to(format!(
            "{form_page}?error={}",
            encode(&page_error(e)?)
        ))),
        Err(Refused::Reused) => Err(message_page(
            Status::UnprocessableEntity,
            "未记录",
            form_key::REUSED,
            ("/stocktakes", "返回年度盘点"),
        )),
        Err(Refused::Failed(e)) => Err(internal(e)),
    }
}

/// The campaign `id`'s page after a write, saying so when the form was a repeat.
fn after_write(id: &str, repeated: bool) -> Redirect {
    let done = if repeated {
        format!("?done={}", form_key::REPEATED_DONE)
    } else {
        String::new()
    };
    Redirect::to(format!("/stocktakes/{}{done}", encode(id)))
}

/// Opens a campaign from the form (once for a form posted twice).
#[post("/stocktakes", data = "<form>")]
pub async fn open_stocktake(
    session: Session,
    form: Form<HashMap<String, String>>,
    db: &State<Db>,
) -> Result<Redirect, PageError> {
    let values = form.into_inner();
    let text = |name: &str| values.get(name).map(|v| v.trim().to_owned());
    let opening = Opening {
        name: text("name").unwrap_or_default(),
        year: text("year").and_then(|y| y.parse().ok()).unwrap_or(0),
        scope: text("scope").filter(|s| !s.is_empty()),
    };
    let (scope, actor) = (session.0.scope.clone(), session.0.name.clone());
    keyed_campaign_write(
        &session,
        db,
        values,
        "POST /stocktakes".to_owned(),
        "/stocktakes",
        move |conn| campaign::open(conn, &scope, &actor, &opening),
    )
    .await
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
#[get("/stocktakes/<id>?<error>&<done>")]
pub async fn stocktake(
    session: Session,
    id: &str,
    error: Option<&str>,
    done: Option<&str>,
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
                        td { (line.town) } td { (village_label(&line.village)) }
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
                (form_key::fresh_hidden())
                p { "结束后不能再记录结果；未盘点的资产列入审计发现。" }
                button type="submit" { "结束盘点" }
            }
        }
    };
    Ok(page(
        &session.0,
        "/stocktakes",
        &campaign.name,
        error.map(|e| (false, e)).or_else(|| {
            (done == Some(form_key::REPEATED_DONE)).then_some((true, form_key::REPEATED))
        }),
        body,
    ))
}

/// Closes a campaign from its page (once for a form posted twice: the repeat says so
/// rather than that the campaign is closed).
#[post("/stocktakes/<id>/close", data = "<form>")]
pub async fn close_stocktake(
    session: Session,
    id: &str,
    form: Form<HashMap<String, String>>,
    db: &State<Db>,
) -> Result<Redirect, PageError> {
    let (scope, actor, campaign) = (
        session.0.scope.clone(),
        session.0.name.clone(),
        id.to_owned(),
    );
    keyed_campaign_write(
        &session,
        db,
        form.into_inner(),
        format!("POST /stocktakes/{id}/close"),
        &format!("/stocktakes/{}", encode(id)),
        move |conn| campaign::close(conn, &scope, &actor, &campaign),
    )
    .await
}
