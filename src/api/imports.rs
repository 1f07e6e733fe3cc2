//! Imports over HTTP: `POST /api/v1/imports?dry_run=true|false` (the body is the CSV
//! file), the list of import batches and one batch with its errors.

use rocket::data::{Data, Limits};
use rocket::form;
use rocket::http::Status;
use rocket::request::{FromRequest, Outcome};
use rocket::serde::json::Json;
use rocket::{get, post, Request, State};

use super::error::ApiError;
use super::guard::{ReadAccess, WriteAccess};
use super::params;
use super::views::Page;
use crate::db::Db;
use crate::import::batch::BatchRow;
use crate::import::{import_file, BatchReport, ImportOutcome, ImportRequest};
use crate::observe::metrics::METRICS;
use crate::paging::{Page as ListPage, TimeKey};
use crate::request::{Flag, PageQuery, Param};

/// The `Content-Length` a client declared, if any.
pub struct DeclaredLength(Option<u64>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for DeclaredLength {
    type Error = std::convert::Infallible;
    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let length = request
            .headers()
            .get_one("Content-Length")
            .and_then(|v| v.trim().parse().ok());
        Outcome::Success(DeclaredLength(length))
    }
}

/// Imports the register in the body (CSV, or a workbook: `sheet` names the sheet): 201 committed; 200 dry run or replay; 422 rejected;
/// 413 over the `limits.import` size.
#[post("/imports?<dry_run>&<filename>&<sheet>", data = "<body>")]
#[expect(
    clippy::too_many_arguments,
    reason = "a Rocket handler takes each guard as an argument"
)]
pub async fn create_import(
    caller: WriteAccess,
    dry_run: form::Result<'_, Param<Flag>>,
    filename: form::Result<'_, Param<&str>>,
    sheet: form::Result<'_, Param<&str>>,
    declared: DeclaredLength,
    limits: &Limits,
    body: Data<'_>,
    db: &State<Db>,
) -> Result<(Status, Json<BatchReport>), ApiError> {
    let dry_run = dry_run?.into_inner().is_some_and(Flag::get);
    let filename = filename?.into_inner();
    let sheet = sheet?.into_inner().map(str::to_owned);
    if sheet
        .as_deref()
        .is_some_and(|s| s.chars().any(char::is_control) || s.chars().count() > 255)
    {
        // No workbook names a sheet so; the name would be kept with a rejected batch.
        return Err(ApiError::BadParameter {
            parameter: "sheet".into(),
            detail: "sheet 不能含有控制字符，且不超过 255 个字符".to_owned(),
        });
    }
    let limit = super::import_limit(limits);
    if declared.0.is_some_and(|length| length > limit.as_u64()) {
        return Err(ApiError::PayloadTooLarge {
            limit: limit.as_u64(),
        });
    }
    let spool = super::spool_body(body, limit).await?;
    let (actor, scope) = (caller.0.name, caller.0.scope);
    let filename = filename.map(|f| {
        f.chars()
            .filter(|c| !c.is_control())
            .take(255)
            .collect::<String>()
    });
    let outcome = db
        .run(move |conn| {
            let request = ImportRequest {
                path: spool.path(),
                filename,
                actor,
                dry_run,
                scope,
                sheet,
            };
            import_file(conn, &request, &mut crate::import::pipeline::Unwatched)
                .map_err(ApiError::from)
        })
        .await?;
    let (kind, report) = match &outcome {
        ImportOutcome::Committed(report) => ("committed", report),
        ImportOutcome::Replayed(report) => ("replayed", report),
        ImportOutcome::DryRun(report) => ("dry_run", report),
        ImportOutcome::Rejected(report) => ("rejected", report),
    };
    METRICS.import(kind, u64::try_from(report.data_rows).unwrap_or(0));
    match outcome {
        ImportOutcome::Committed(report) => Ok((Status::Created, Json(report))),
        ImportOutcome::Replayed(report) | ImportOutcome::DryRun(report) => {
            Ok((Status::Ok, Json(report)))
        }
        ImportOutcome::Rejected(report) => Err(ApiError::ImportRejected(Box::new(report))),
    }
}

/// The import batches the caller's scope sees, newest first, with their counts (errors on the single batch).
#[get("/imports?<query..>")]
pub async fn list_imports(
    caller: ReadAccess,
    query: form::Result<'_, PageQuery<TimeKey>>,
    db: &State<Db>,
) -> Result<Json<Page<BatchReport>>, ApiError> {
    let page = query?;
    let scope = caller.0.scope;
    db.run(move |conn| {
        let found = ListPage::fetch(
            page.cursor(),
            page.limit(),
            |before, n| BatchRow::list(conn, &scope, before.map(TimeKey::as_pair), n),
            |r| TimeKey::of(&r.created_at, &r.id),
        )?;
        Ok(Json(Page::from(found.map(|row| row.to_summary()))))
    })
    .await
}

/// One import batch with its row errors.
#[get("/imports/<id>")]
pub async fn get_import(
    caller: ReadAccess,
    id: &str,
    db: &State<Db>,
) -> Result<Json<BatchReport>, ApiError> {
    let id = params::key(id)?;
    let scope = caller.0.scope;
    db.run(move |conn| {
        let batch = BatchRow::find(conn, &scope, &id)?
            .ok_or_else(|| ApiError::NotFound(format!("没有导入批次 {id}")))?;
        Ok(Json(batch.to_report(conn, false)?))
    })
    .await
}
