//! `GET /api/v1/assets` (with filters, cursor pages and `as_of`),
//! `GET /api/v1/assets/{id or code}` and the register's CSV export `GET /api/v1/assets.csv`.

use rocket::serde::json::Json;
use rocket::{get, State};

use super::error::ApiError;
use std::io::{Seek, SeekFrom, Write};

use super::guard::{AuditAccess, ReadAccess};
use super::params;
use super::views::{AssetView, LedgerHeadView, Page};
use crate::db::Db;
use crate::export::{write_register, ExportEncoding, ExportError};
use crate::ledger::as_of::{asset_history_as_of, assets_as_of};
use crate::register::query::find_asset_with_head;
use crate::register::query::list_assets;

/// Lists assets in code order, filtered; with `as_of`, as they stood at the end of that
/// day according to the ledger (assets registered later are left out).
#[expect(
    clippy::too_many_arguments,
    reason = "one parameter per query filter of the spec"
)]
#[get("/assets?<class>&<town>&<village>&<owner>&<owner_type>&<status>&<project>&<q>&<as_of>&<limit>&<cursor>")]
pub async fn list(
    caller: ReadAccess,
    class: Option<&str>,
    town: Option<&str>,
    village: Option<&str>,
    owner: Option<&str>,
    owner_type: Option<&str>,
    status: Option<&str>,
    project: Option<&str>,
    q: Option<&str>,
    as_of: Option<&str>,
    limit: Option<&str>,
    cursor: Option<&str>,
    db: &State<Db>,
) -> Result<Json<Page<AssetView>>, ApiError> {
    let filter = params::asset_filter(params::AssetFilterText {
        class,
        town,
        village,
        owner,
        owner_type,
        status,
        project,
        q,
    })?;
    let day = params::date("as_of", as_of)?;
    let limit = params::limit(limit)?;
    let after = params::cursor(cursor)?;
    let visibility = caller.0.visibility();
    db.run(move |conn| match day {
        Some(day) => {
            let size = usize::try_from(limit).unwrap_or(1);
            let page = assets_as_of(conn, &filter, day, after, size)?;
            let next = page.next_after;
            let items = page
                .items
                .into_iter()
                .map(|(row, state)| AssetView::as_of(row, state, &day.to_string(), visibility))
                .collect();
            Ok(Json(Page {
                items,
                next_cursor: next.as_deref().map(params::encode_cursor),
            }))
        }
        None => {
            let rows = list_assets(conn, &filter, true, after.as_deref(), limit + 1)?;
            Ok(Json(Page::of(
                rows,
                limit,
                |r| r.code.clone(),
                |row| AssetView::new(row, visibility),
            )))
        }
    })
    .await
}

/// One asset with its `ledger_head`; with `as_of`, as it stood then.
#[get("/assets/<key>?<as_of>", rank = 2)]
pub async fn get_one(
    caller: ReadAccess,
    key: &str,
    as_of: Option<&str>,
    db: &State<Db>,
) -> Result<Json<AssetView>, ApiError> {
    let day = params::date("as_of", as_of)?;
    let visibility = caller.0.visibility();
    let key = params::key(key)?;
    db.run(move |conn| {
        let (row, hash) = find_asset_with_head(conn, &key)?
            .ok_or_else(|| ApiError::NotFound(format!("没有编号或 id 为“{key}”的资产")))?;
        let view = match day {
            Some(day) => {
                // As of a day, the head is the last entry the state was folded up to.
                let (state, head) = asset_history_as_of(conn, &row, day)?
                    .ok_or_else(|| ApiError::NotFound(format!("资产“{key}”在 {day} 尚未登记")))?;
                let mut view = AssetView::as_of(row, state, &day.to_string(), visibility);
                view.ledger_head = Some(LedgerHeadView {
                    seq: head.seq,
                    hash: head.hash,
                });
                view
            }
            None => {
                let seq = row.last_seq;
                let mut view = AssetView::new(row, visibility);
                view.ledger_head = Some(LedgerHeadView { seq, hash });
                view
            }
        };
        Ok(Json(view))
    })
    .await
}

/// The CSV export: the filtered assets (and, unfiltered, the projects without assets)
/// in the import format, UTF-8 with BOM by default or `encoding=gbk`.
#[expect(
    clippy::too_many_arguments,
    reason = "one parameter per query filter of the spec"
)]
#[get(
    "/assets.csv?<encoding>&<class>&<town>&<village>&<owner>&<owner_type>&<status>&<project>&<q>"
)]
pub async fn export_csv(
    _auditor: AuditAccess,
    encoding: Option<&str>,
    class: Option<&str>,
    town: Option<&str>,
    village: Option<&str>,
    owner: Option<&str>,
    owner_type: Option<&str>,
    status: Option<&str>,
    project: Option<&str>,
    q: Option<&str>,
    db: &State<Db>,
) -> Result<CsvDownload, ApiError> {
    let encoding = match encoding {
        None => ExportEncoding::Utf8Bom,
        Some(text) => ExportEncoding::parse(text).ok_or_else(|| ApiError::BadParameter {
            parameter: "encoding",
            detail: format!("encoding 只能是 utf-8 或 gbk，收到“{text}”"),
        })?,
    };
    let filter = params::asset_filter(params::AssetFilterText {
        class,
        town,
        village,
        owner,
        owner_type,
        status,
        project,
        q,
    })?;
    let file = db
        .run(move |conn| {
            // Written to an anonymous temp file, then streamed: memory stays flat however
            // large the register.
            let mut file = tempfile::tempfile().map_err(|e| ApiError::Internal(e.to_string()))?;
            let mut out = std::io::BufWriter::new(&mut file);
            write_register(conn, &filter, encoding, &mut out).map_err(|e| match e {
                ExportError::Db(e) => ApiError::from(e),
                other => ApiError::Internal(other.to_string()),
            })?;
            out.flush().map_err(|e| ApiError::Internal(e.to_string()))?;
            drop(out);
            file.seek(SeekFrom::Start(0))
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            Ok::<_, ApiError>(file)
        })
        .await?;
    Ok(CsvDownload {
        file: rocket::tokio::fs::File::from_std(file),
        charset: encoding.charset(),
    })
}

/// A CSV file sent as a download.
pub struct CsvDownload {
    file: rocket::tokio::fs::File,
    charset: &'static str,
}

impl<'r> rocket::response::Responder<'r, 'static> for CsvDownload {
    fn respond_to(self, _request: &'r rocket::Request<'_>) -> rocket::response::Result<'static> {
        rocket::Response::build()
            .raw_header(
                "Content-Type",
                format!("text/csv; charset={}", self.charset),
            )
            .raw_header("Content-Disposition", "attachment; filename=\"assets.csv\"")
            .streamed_body(self.file)
            .ok()
    }
}
