//! The annual stock-take over HTTP: `POST /api/v1/stocktakes` opens a campaign (clerk),
//! `GET /api/v1/stocktakes` and `/{id}` show campaigns and their progress by town and
//! village (clerks, auditors, approvers; readers see none), `/{id}/checklist` (JSON,
//! `.html`, `.xlsx`) a village's list, `POST /{id}/results` records results (a JSON list,
//! or a checklist filled in as XLSX or CSV), `POST /{id}/close` closes it and
//! `/{id}/report` (and `.html`) gives the report.

use rocket::data::{Data, Limits};
use rocket::form::{self, FromForm};
use rocket::http::{ContentType, Status};
use rocket::response::content::RawHtml;
use rocket::serde::json::Json;
use rocket::{get, post, routes, Route, State};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::error::ApiError;
use super::guard::{ReviewAccess, WriteAccess};
use super::ledger::IdempotencyKey;
use super::proposals::run_keyed;
use super::views::Page;
use crate::approvals::replies::{ChainLock, Keyed};
use crate::auth::Caller;
use crate::db::{Db, DbConnection};
use crate::domain::dates::timestamp_now;
use crate::domain::Scope;
use crate::paging::{Limit, TimeKey};
use crate::request::{Documented, FilterText, KeepBlank, PageQuery, Param};
use crate::stocktake::campaign::{self, Opening};
use crate::stocktake::checklist::{checklist, write_xlsx, ChecklistItem, Place};
use crate::stocktake::listing;
use crate::stocktake::report::{render_checklist, render_report};
use crate::stocktake::results::{record, CheckedUpload};
use crate::stocktake::upload::read_upload;
use crate::stocktake::{Campaign, StocktakeError};

mod json_results;
mod operations;
pub mod views;

pub use operations::operations;
use views::{
    detail, item_view, yuan, ChecklistView, NewStocktake, ResultsRecorded, StocktakeDetail,
    StocktakeList, StocktakeView,
};

impl From<StocktakeError> for ApiError {
    fn from(e: StocktakeError) -> Self {
        match e {
            StocktakeError::NotFound(id) => ApiError::NotFound(format!(
                "没有 id 为“{}”的盘点（或不在令牌范围内）",
                id.escape_default()
            )),
            StocktakeError::Rule {
                code,
                field,
                message,
            } => ApiError::field_rule(code, field, message),
            StocktakeError::Rejected { errors, count } => ApiError::Unprocessable {
                code: "results_rejected",
                detail: format!(
                    "共有 {count} 处错误，未写入任何盘点结果；请修正后重新提交{}",
                    if count > errors.len() {
                        format!("（列出前 {} 处）", errors.len())
                    } else {
                        String::new()
                    }
                ),
                errors: json!(errors),
            },
            StocktakeError::Malformed(what) => ApiError::Internal(what),
            StocktakeError::Db(e) => ApiError::from(e),
        }
    }
}

/// Opens a campaign over every asset not disposed in its scope. With an
/// `Idempotency-Key`, a repeated post answers as the first did (the same campaign) and
/// opens nothing; another body under the same key is 422 `idempotency_key_reused`.
#[post("/stocktakes", data = "<body>")]
pub async fn open_stocktake(
    caller: WriteAccess,
    idempotency: IdempotencyKey,
    body: Json<NewStocktake>,
    db: &State<Db>,
) -> Result<(Status, Json<Value>), ApiError> {
    let body = body.into_inner();
    let keyed = idempotency.for_body(&caller.0, "POST /api/v1/stocktakes", &body);
    let NewStocktake { name, year, scope } = body;
    let opening = Opening { name, year, scope };
    keyed_campaign_reply(db, caller.0, keyed, 201, move |conn, scope, actor| {
        campaign::open(conn, scope, actor, &opening)
    })
    .await
}

/// Runs `write` (which opens or closes a campaign, in the scope and with the name of
/// `caller`) under `keyed` (a retry is answered as the first time was), and answers
/// `status` with the campaign and its progress.
///
/// Fails when `write` refuses or the database fails.
async fn keyed_campaign_reply(
    db: &Db,
    caller: Caller,
    keyed: Keyed,
    status: u16,
    write: impl FnOnce(&mut DbConnection, &Scope, &str) -> Result<Campaign, StocktakeError>
        + Send
        + 'static,
) -> Result<(Status, Json<Value>), ApiError> {
    let (actor, scope) = (caller.name, caller.scope);
    run_keyed(db, keyed, ChainLock::WithKey, move |conn| {
        let campaign = write(conn, &scope, &actor)?;
        let tally = campaign::tally(conn, &scope, &campaign)?;
        Ok((status, json!(detail(&campaign, &tally))))
    })
    .await
}

/// The campaigns the caller's scope sees, newest first, each with its progress: a page
/// after `cursor` of `limit` campaigns when either is given, else the newest
/// [`Limit::MAX`] as a list (the shape this answer had before it was paged).
#[get("/stocktakes?<query..>")]
pub async fn list_stocktakes(
    caller: ReviewAccess,
    query: form::Result<'_, PageQuery<TimeKey>>,
    db: &State<Db>,
) -> Result<Json<StocktakeList>, ApiError> {
    let paged = query?;
    let scope = caller.0.scope;
    db.run(move |conn| {
        let asked = paged.asked();
        let limit = if asked {
            paged.limit()
        } else {
            Limit::fixed(Limit::MAX)
        };
        let found = listing::page(conn, &scope, paged.cursor(), limit)?;
        let mut views = Vec::new();
        for campaign in &found.items {
            let tally = campaign::tally(conn, &scope, campaign)?;
            views.push(StocktakeView::of(campaign, &tally));
        }
        Ok(Json(if asked {
            StocktakeList::Page(Page {
                items: views,
                next_cursor: found.next.map(|cursor| cursor.to_string()),
            })
        } else {
            StocktakeList::Newest(views)
        }))
    })
    .await
}

/// A campaign's progress by town and village: while open its progress, once closed its
/// report.
async fn campaign_detail(db: &Db, scope: Scope, id: String) -> Result<StocktakeDetail, ApiError> {
    db.run(move |conn| {
        let campaign = campaign::find(conn, &scope, &id)?;
        let tally = campaign::tally(conn, &scope, &campaign)?;
        Ok(detail(&campaign, &tally))
    })
    .await
}

/// One campaign with its progress by town and village.
#[get("/stocktakes/<id>")]
pub async fn get_stocktake(
    caller: ReviewAccess,
    id: &str,
    db: &State<Db>,
) -> Result<Json<StocktakeDetail>, ApiError> {
    Ok(Json(
        campaign_detail(db, caller.0.scope, id.to_owned()).await?,
    ))
}

/// The report: counts and value per result, 盘亏, by town and village; the same
/// detail as the campaign's, under the name a report is asked for by.
#[get("/stocktakes/<id>/report")]
pub async fn stocktake_report(
    caller: ReviewAccess,
    id: &str,
    db: &State<Db>,
) -> Result<Json<StocktakeDetail>, ApiError> {
    get_stocktake(caller, id, db).await
}

/// The printable report.
#[get("/stocktakes/<id>/report.html")]
pub async fn stocktake_report_html(
    caller: ReviewAccess,
    id: &str,
    db: &State<Db>,
) -> Result<RawHtml<String>, ApiError> {
    let (scope, id) = (caller.0.scope, id.to_owned());
    db.run(move |conn| {
        let campaign = campaign::find(conn, &scope, &id)?;
        let tally = campaign::tally(conn, &scope, &campaign)?;
        let html = render_report(&campaign, &tally, &scope.label(), &timestamp_now());
        Ok(RawHtml(html.into_string()))
    })
    .await
}

/// Closes the campaign: its values frozen, its report fixed. With an
/// `Idempotency-Key`, a repeated post answers with the report the first one returned
/// (without it, a repeat is 422 `campaign_closed`); the same key sent to close another
/// campaign is 422 `idempotency_key_reused`.
#[post("/stocktakes/<id>/close")]
pub async fn close_stocktake(
    caller: WriteAccess,
    id: &str,
    idempotency: IdempotencyKey,
    db: &State<Db>,
) -> Result<(Status, Json<Value>), ApiError> {
    let keyed = Keyed::of_caller(
        idempotency.0,
        &caller.0,
        &format!("POST /api/v1/stocktakes/{id}/close"),
        "",
    );
    let id = id.to_owned();
    keyed_campaign_reply(db, caller.0, keyed, 200, move |conn, scope, actor| {
        campaign::close(conn, scope, actor, &id)
    })
    .await
}

/// The town and village a checklist asks for (`village=` for the assets of no village,
/// as the campaign page links them; no `village` for every village).
#[derive(Debug, Clone, FromForm)]
pub struct PlaceQuery {
    town: Param<FilterText>,
    village: KeepBlank<FilterText>,
}

impl PlaceQuery {
    /// The part of the campaign asked for.
    fn into_place(self) -> Place {
        Place {
            town: self.town.into_inner().and_then(FilterText::non_empty),
            village: self.village.into_inner().map(FilterText::into_text),
        }
    }
}

impl Documented for PlaceQuery {
    fn parameters() -> Vec<(&'static str, &'static str)> {
        vec![
            ("town", "镇街（不给则全部）"),
            ("village", "村（空值为不属于任何村的资产；不给则全部）"),
        ]
    }
}

/// The checklist of campaign `id` for the place `query` asks for, in the caller's scope:
/// the campaign, the place and its assets, as the JSON, HTML and Excel checklists show
/// them.
///
/// Fails when the query is malformed, or the campaign is not there or not in scope.
async fn load_checklist(
    db: &Db,
    caller: ReviewAccess,
    id: &str,
    query: form::Result<'_, PlaceQuery>,
) -> Result<(Campaign, Place, Vec<ChecklistItem>), ApiError> {
    let place = query?.into_place();
    let (scope, id) = (caller.0.scope, id.to_owned());
    db.run(move |conn| {
        let campaign = campaign::find(conn, &scope, &id)?;
        let items = checklist(conn, &scope, &campaign, &place)?;
        Ok((campaign, place, items))
    })
    .await
}

/// A village's checklist (`town`, `village`; `village=` for the assets of no village).
#[get("/stocktakes/<id>/checklist?<place..>")]
pub async fn get_checklist(
    caller: ReviewAccess,
    id: &str,
    place: form::Result<'_, PlaceQuery>,
    db: &State<Db>,
) -> Result<Json<ChecklistView>, ApiError> {
    let (campaign, place, items) = load_checklist(db, caller, id, place).await?;
    let value = items
        .iter()
        .try_fold(0i64, |sum, i| sum.checked_add(i.value_fen));
    Ok(Json(ChecklistView {
        stocktake_id: campaign.id,
        town: place.town,
        village: place.village,
        count: items.len(),
        value: yuan(value.ok_or_else(|| ApiError::Internal("checklist sum past 64 bits".into()))?),
        items: items.into_iter().map(item_view).collect(),
    }))
}

/// The printable checklist, with the signature lines of the village's checkers.
#[get("/stocktakes/<id>/checklist.html?<place..>")]
pub async fn get_checklist_html(
    caller: ReviewAccess,
    id: &str,
    place: form::Result<'_, PlaceQuery>,
    db: &State<Db>,
) -> Result<RawHtml<String>, ApiError> {
    let (campaign, place, items) = load_checklist(db, caller, id, place).await?;
    Ok(RawHtml(
        render_checklist(&campaign, &place, &items, &timestamp_now()).into_string(),
    ))
}

/// The checklist as an Excel workbook to fill in and upload back as results.
#[get("/stocktakes/<id>/checklist.xlsx?<place..>")]
pub async fn get_checklist_xlsx(
    caller: ReviewAccess,
    id: &str,
    place: form::Result<'_, PlaceQuery>,
    db: &State<Db>,
) -> Result<(ContentType, Vec<u8>), ApiError> {
    let (campaign, place, items) = load_checklist(db, caller, id, place).await?;
    let bytes = write_xlsx(&campaign, &place, &items, &timestamp_now())
        .map_err(|e| ApiError::Internal(format!("cannot write the checklist: {e}")))?;
    let xlsx = ContentType::new(
        "application",
        "vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    );
    Ok((xlsx, bytes))
}

/// Records results: a JSON list (`Content-Type: application/json`), or a checklist
/// filled in (XLSX, XLS, ODS or CSV). All of them, or none with every row's errors.
/// With an `Idempotency-Key`, a retried upload (a phone on a village's mobile data)
/// answers as the first did and records nothing twice; another upload under the same
/// key is 422 `idempotency_key_reused`.
#[post("/stocktakes/<id>/results", data = "<body>")]
pub async fn record_results(
    caller: WriteAccess,
    id: &str,
    content_type: Option<&ContentType>,
    idempotency: IdempotencyKey,
    limits: &Limits,
    body: Data<'_>,
    db: &State<Db>,
) -> Result<(Status, Json<Value>), ApiError> {
    let limit = super::import_limit(limits);
    let spool = super::spool_body(body, limit).await?;
    let json = content_type.is_some_and(|c| c.is_json());
    let keyed = match idempotency.0 {
        None => Keyed::new(None, "", ""),
        Some(key) => {
            let bytes = rocket::tokio::fs::read(spool.path())
                .await
                .map_err(|e| ApiError::Internal(format!("cannot read the upload: {e}")))?;
            Keyed::of_caller(
                Some(key),
                &caller.0,
                &format!("POST /api/v1/stocktakes/{id}/results"),
                &hex::encode(Sha256::digest(&bytes)),
            )
        }
    };
    // Read, parsed and checked row by row before the chain's lock is taken: a large
    // workbook does not hold up every ledger append while it is read.
    let parsed = rocket::tokio::task::spawn_blocking(move || parse_upload(json, &spool))
        .await
        .map_err(|e| ApiError::Internal(format!("cannot read the upload: {e}")))?;
    let (actor, scope, id) = (caller.0.name, caller.0.scope, id.to_owned());
    run_keyed(db, keyed, ChainLock::Always, move |conn| {
        let recorded = record_upload(conn, &scope, &actor, &id, parsed)?;
        let body = json!(ResultsRecorded {
            recorded: recorded.count,
            first_seq: recorded.seqs.map(|s| s.0),
            last_seq: recorded.seqs.map(|s| s.1),
        });
        Ok((201, body))
    })
    .await
}

/// An upload's results, each row checked by itself, or what is wrong with the upload.
type ParsedUpload = Result<CheckedUpload, ApiError>;

/// Reads the upload spooled at `spool` (a JSON list when `json`, else a filled-in
/// checklist) and checks each row by itself. Reads nothing of the register.
///
/// Fails with the rule `invalid_body` (not a JSON list), as [`read_upload`] does, or
/// when the file cannot be read.
fn parse_upload(json: bool, spool: &tempfile::NamedTempFile) -> ParsedUpload {
    if json {
        let bytes = std::fs::read(spool.path())
            .map_err(|e| ApiError::Internal(format!("cannot read the upload: {e}")))?;
        Ok(CheckedUpload::of(json_results::json_results(&bytes)?, None))
    } else {
        let (inputs, columns) = read_upload(spool.path())?;
        Ok(CheckedUpload::of(inputs, Some(columns)))
    }
}

/// Records the `parsed` upload in campaign `id`, within the caller's transaction.
///
/// Fails as [`record`] does, when the campaign is not there (404 whatever the body),
/// or with what is wrong with the upload.
fn record_upload(
    conn: &mut DbConnection,
    scope: &Scope,
    actor: &str,
    id: &str,
    parsed: ParsedUpload,
) -> Result<crate::stocktake::results::Recorded, ApiError> {
    // The campaign first: an unknown one is 404 whatever the body holds.
    campaign::find(conn, scope, id)?;
    Ok(record(conn, scope, actor, id, &parsed?)?)
}

/// The routes of the stock-take, to mount under `/api/v1`.
pub fn routes() -> Vec<Route> {
    routes![
        open_stocktake,
        list_stocktakes,
        get_stocktake,
        stocktake_report,
        stocktake_report_html,
        close_stocktake,
        get_checklist,
        get_checklist_html,
        get_checklist_xlsx,
        record_results,
    ]
}
