//! The custody ledger over HTTP: an asset's entries, appending one (with
//! `Idempotency-Key`), the change feed, and verification.

use rocket::data::{Data, Limits};
use rocket::form;
use rocket::http::Status;
use rocket::request::{FromRequest, Outcome};
use rocket::serde::json::Json;
use rocket::{get, post, Request, State};
use serde::Serialize;
use serde_json::{json, Value};

use super::error::ApiError;
use super::guard::{CountyAudit, ReadAccess, WriteAccess};
use super::params;
use super::views::{EntryView, Page};
use crate::approvals::replies::Keyed;
use crate::approvals::waits::{append_or_propose, Submitted};
use crate::approvals::ApprovalSettings;
use crate::auth::{Caller, Visibility};
use crate::db::{Db, DbConnection};
use crate::ledger::append::{AppendOutcome, AppendRequest};
use crate::ledger::disclosure::prev_hash_readable;
use crate::ledger::entry::parse_entry;
use crate::ledger::store::{entries_after, entries_of_asset_after};
use crate::ledger::verify::{verify_against, Pin, Verification};
use crate::ledger::EntryRow;
use crate::observe::access::Disclosure;
use crate::paging::Page as ListPage;
use crate::register::query::find_asset;
use crate::request::{EventsQuery, PageQuery, Param};

/// The `Idempotency-Key` header, if sent.
pub struct IdempotencyKey(pub Option<String>);

/// Why the request's `Idempotency-Key` was refused: what the 400 catcher says, as a
/// guard's own error never reaches the response.
struct KeyRefused(Option<&'static str>);

/// The refusal of the request's `Idempotency-Key`, when its guard refused it: a 400
/// naming the header and what is wrong with it.
pub fn idempotency_key_refused(request: &Request<'_>) -> Option<ApiError> {
    let detail = request.local_cache(|| KeyRefused(None)).0?;
    Some(ApiError::BadParameter {
        parameter: "Idempotency-Key".into(),
        detail: detail.to_owned(),
    })
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for IdempotencyKey {
    type Error = ApiError;
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ApiError> {
        let mut given = request.headers().get("Idempotency-Key");
        let (first, again) = (given.next().map(str::trim), given.next().is_some());
        let refusal = match first {
            None => return Outcome::Success(IdempotencyKey(None)),
            // Which of two keys was meant is not ours to guess (as a repeated parameter).
            Some(_) if again => "Idempotency-Key 只能给出一次",
            Some(key)
                if !key.is_empty()
                    && key.len() <= 200
                    && key.chars().all(|c| c.is_ascii_graphic()) =>
            {
                return Outcome::Success(IdempotencyKey(Some(key.to_owned())));
            }
            Some(_) => "Idempotency-Key 应为 1 至 200 个可见 ASCII 字符",
        };
        request.local_cache(|| KeyRefused(Some(refusal)));
        Outcome::Error((
            Status::BadRequest,
            ApiError::BadParameter {
                parameter: "Idempotency-Key".into(),
                detail: refusal.to_owned(),
            },
        ))
    }
}

impl IdempotencyKey {
    /// The key of `caller`'s request to `route` (`POST /api/v1/notices`) with the JSON
    /// `body`, as it serialises: a retry must send the same body to be answered again.
    pub fn for_body(self, caller: &Caller, route: &str, body: &impl Serialize) -> Keyed {
        Keyed::of_caller(self.0, caller, route, &json!(body).to_string())
    }
}

/// Entries as `visibility` sees them (for readers, the hashes that commit to unsalted
/// personal fields withheld).
fn views_of(
    conn: &mut DbConnection,
    rows: Vec<EntryRow>,
    visibility: Visibility,
) -> diesel::QueryResult<Vec<EntryView>> {
    let readable = match visibility {
        Visibility::Whole => vec![true; rows.len()],
        Visibility::Masked => prev_hash_readable(conn, &rows)?,
    };
    Ok(rows
        .into_iter()
        .zip(readable)
        .map(|(row, prev)| EntryView::new(row, visibility, prev))
        .collect())
}

/// A page of an asset's entries in `seq` order, `{items, next_cursor}` like every list.
#[get("/assets/<key>/ledger?<query..>")]
pub async fn asset_ledger(
    caller: ReadAccess,
    key: &str,
    query: form::Result<'_, PageQuery<i64>>,
    disclosure: Disclosure,
    db: &State<Db>,
) -> Result<Json<Page<EntryView>>, ApiError> {
    let query = query?;
    let (limit, after) = (query.limit(), query.cursor().cloned());
    let visibility = caller.0.visibility();
    let scope = caller.0.scope;
    let key = params::key(key)?;
    db.run(move |conn| {
        let asset = find_asset(conn, &scope, &key)?
            .ok_or_else(|| ApiError::NotFound(format!("没有编号或 id 为“{key}”的资产")))?;
        let page = ListPage::fetch(
            after.as_ref(),
            limit,
            |after, n| entries_of_asset_after(conn, &asset.code, after.copied(), n),
            |row| row.seq,
        )?;
        let views = views_of(conn, page.items, visibility)?;
        for view in &views {
            view.disclose(&disclosure, visibility);
        }
        Ok(Json(Page::from(ListPage {
            items: views,
            next: page.next,
        })))
    })
    .await
}

/// Appends an entry `{kind, occurred_on, ...data}`: 201 with the entry; 200 with the
/// original for the same token's repeated `Idempotency-Key` and body (422 from another
/// token); 413 past `limits.json` (1 MiB).
/// A kind the setting `approvals` names, or a correction of an entry of such a kind, is
/// proposed instead: 202 `{proposal_id, status, steps}`, nothing appended.
#[post("/assets/<key>/ledger", data = "<body>")]
#[expect(
    clippy::too_many_arguments,
    reason = "a Rocket handler takes each guard as an argument"
)]
pub async fn append(
    caller: WriteAccess,
    key: &str,
    idempotency: IdempotencyKey,
    limits: &Limits,
    disclosure: Disclosure,
    body: Data<'_>,
    settings: &State<ApprovalSettings>,
    db: &State<Db>,
) -> Result<(Status, Json<Value>), ApiError> {
    let body = super::json_body(body, limits).await?;
    let value: Value =
        crate::request::strict_json::from_slice(&body).map_err(|e| ApiError::Unprocessable {
            code: "malformed_json",
            detail: format!(
                "请求体不是有效的 JSON：第 {} 行第 {} 列：{e}",
                e.line(),
                e.column()
            ),
            errors: json!([{"field": "", "code": "malformed_json", "message": e.to_string()}]),
        })?;
    let entry = parse_entry(&value)
        .map_err(|errors| ApiError::rejected("invalid_entry", &errors, |e| e.message.as_str()))?;
    let asset = params::key(key)?;
    let keyed = Keyed::of_caller(
        idempotency.0.clone(),
        &caller.0,
        &format!("POST /api/v1/assets/{asset}/ledger"),
        &value.to_string(),
    );
    let request = AppendRequest {
        asset,
        scope: caller.0.scope.clone(),
        entry,
        actor: caller.0.name.clone(),
        idempotency_key: idempotency.0,
        canonical_body: value.to_string(),
    };
    let policy = settings.policy.clone();
    let visibility = caller.0.visibility();
    let submitted = db
        .run(move |conn| {
            append_or_propose(conn, &policy, request, value, keyed).map_err(ApiError::from)
        })
        .await?;
    let (status, view) = match submitted {
        Submitted::Proposed(status, body) => {
            return Ok((
                Status::from_code(status).unwrap_or(Status::Accepted),
                Json(body),
            ))
        }
        Submitted::Appended(outcome) => match *outcome {
            AppendOutcome::Created(row) => (Status::Created, EntryView::new(row, visibility, true)),
            AppendOutcome::Replayed(row) => (Status::Ok, EntryView::new(row, visibility, true)),
        },
    };
    view.disclose(&disclosure, visibility);
    Ok((status, Json(json!(view))))
}

/// A page of the change feed.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Events {
    /// Entries in `seq` order.
    pub items: Vec<EntryView>,
    /// Pass as `after` to continue (the last `seq` seen).
    pub next_after: i64,
}

/// The ledger in `seq` order after `after`, for systems that follow changes: the
/// entries of the assets in the caller's scope.
#[get("/events?<query..>")]
pub async fn events(
    caller: ReadAccess,
    query: form::Result<'_, EventsQuery>,
    disclosure: Disclosure,
    db: &State<Db>,
) -> Result<Json<Events>, ApiError> {
    let query = query?;
    let (after, limit) = (query.after(), query.limit());
    let visibility = caller.0.visibility();
    let scope = caller.0.scope;
    db.run(move |conn| {
        let rows = entries_after(conn, &scope, after, limit.as_i64())?;
        let next_after = rows.last().map_or(after, |r| r.seq);
        let items = views_of(conn, rows, visibility)?;
        for view in &items {
            view.disclose(&disclosure, visibility);
        }
        Ok(Json(Events { items, next_after }))
    })
    .await
}

/// Recomputes the whole chain, folds every asset and recomputes every maintained
/// total; with `against=SEQ:HASH`, also proves that a head printed earlier is still in
/// the chain with everything after it intact.
#[get("/ledger/verify?<against>")]
pub async fn verify(
    _auditor: CountyAudit,
    against: form::Result<'_, Param<Pin>>,
    db: &State<Db>,
) -> Result<Json<Verification>, ApiError> {
    let pin = against?.into_inner();
    db.run(move |conn| {
        verify_against(conn, pin.as_ref())
            .map(Json)
            .map_err(ApiError::from)
    })
    .await
}
