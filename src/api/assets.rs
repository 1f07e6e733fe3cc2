//! `GET /api/v1/assets` (with filters, cursor pages and `as_of`),
//! `GET /api/v1/assets/{id or code}` and the register's exports `GET /api/v1/assets.csv`
//! and `GET /api/v1/assets.xlsx`.

use std::io::{Seek, SeekFrom, Write};

use rocket::form;
use rocket::serde::json::Json;
use rocket::{get, State};

use super::error::ApiError;
use super::guard::{ReadAccess, ReviewAccess};
use super::params;
use super::views::{AssetView, LedgerHeadView, Page};
use crate::auth::Visibility;
use crate::db::{Db, DbConnection};
use crate::domain::dates::today_in_china;
use crate::domain::BusinessDate;
use crate::export::xlsx::write_register_xlsx;
use crate::export::{write_register, ExportEncoding, ExportError};
use crate::ledger::as_of::{asset_history_as_of, assets_as_of};
use crate::ledger::disclosure::hash_readable_at;
use crate::observe::access::Disclosure;
use crate::paging::{Cursor, Page as ListPage};
use crate::register::query::{self, find_asset_with_head};
use crate::request::{AssetFilterQuery, AssetListQuery, Both, ExportQuery, Param};

/// Lists assets in code order, filtered; with `as_of`, as they stood at the end of that
/// day according to the ledger (assets registered later are left out).
#[get("/assets?<query..>")]
pub async fn list_assets(
    caller: ReadAccess,
    query: form::Result<'_, AssetListQuery>,
    disclosure: Disclosure,
    db: &State<Db>,
) -> Result<Json<Page<AssetView>>, ApiError> {
    let Both(filter, page) = query?;
    let filter = filter.into_filter();
    let (limit, after) = (page.limit(), page.cursor().cloned());
    let visibility = caller.0.visibility();
    let scope = caller.0.scope;
    let page = db
        .run(move |conn| match page.as_of() {
            Some(day) => {
                let after = after.map(Cursor::into_key);
                let found = assets_as_of(conn, &scope, &filter, day, after, limit.get())?;
                let page = ListPage {
                    items: found.items,
                    next: found.next_after.map(Cursor::after),
                };
                Ok::<_, ApiError>(Page::from(page.map(|(row, state)| {
                    AssetView::as_of(row, state, &day.to_string(), visibility)
                })))
            }
            None => {
                let page = ListPage::fetch(
                    after.as_ref(),
                    limit,
                    |after, n| {
                        query::list_assets(
                            conn,
                            &scope,
                            &filter,
                            true,
                            after.map(String::as_str),
                            n,
                        )
                    },
                    |row| row.code.clone(),
                )?;
                Ok(Page::from(page.map(|row| AssetView::new(row, visibility))))
            }
        })
        .await?;
    for view in &page.items {
        view.disclose(&disclosure, visibility);
    }
    Ok(Json(page))
}

/// The hash of the entry at `seq` as `visibility` sees it (`ledger::disclosure`).
fn visible_hash(
    conn: &mut DbConnection,
    visibility: Visibility,
    seq: i64,
    hash: String,
) -> diesel::QueryResult<Option<String>> {
    Ok(match visibility {
        Visibility::Whole => Some(hash),
        Visibility::Masked => hash_readable_at(conn, seq)?.then_some(hash),
    })
}

/// One asset with its `ledger_head`; with `as_of`, as it stood then.
#[get("/assets/<key>?<as_of>", rank = 2)]
pub async fn get_asset(
    caller: ReadAccess,
    key: &str,
    as_of: form::Result<'_, Param<BusinessDate>>,
    disclosure: Disclosure,
    db: &State<Db>,
) -> Result<Json<AssetView>, ApiError> {
    let day = as_of?.into_inner();
    let visibility = caller.0.visibility();
    let scope = caller.0.scope;
    let key = params::key(key)?;
    db.run(move |conn| {
        let (row, hash) = find_asset_with_head(conn, &scope, &key)?
            .ok_or_else(|| ApiError::NotFound(format!("没有编号或 id 为“{key}”的资产")))?;
        let view = match day {
            Some(day) => {
                // As of a day, the head is the last entry the state was folded up to.
                let (state, head) = asset_history_as_of(conn, &row, day)?
                    .ok_or_else(|| ApiError::NotFound(format!("资产“{key}”在 {day} 尚未登记")))?;
                let mut view = AssetView::as_of(row, state, &day.to_string(), visibility);
                let hash = visible_hash(conn, visibility, head.seq, head.hash)?;
                view.ledger_head = Some(LedgerHeadView {
                    seq: head.seq,
                    hash,
                });
                view
            }
            None => {
                let seq = row.last_seq;
                let mut view = AssetView::new(row, visibility);
                let hash = visible_hash(conn, visibility, seq, hash)?;
                view.ledger_head = Some(LedgerHeadView { seq, hash });
                view
            }
        };
        view.disclose(&disclosure, visibility);
        Ok(Json(view))
    })
    .await
}

/// The CSV export: the filtered assets (and, unfiltered, the projects without assets)
/// in the import format, UTF-8 with BOM by default or `encoding=gbk`; ID numbers as
/// `="…"` so that Excel keeps their 18 digits (`export`).
#[get("/assets.csv?<query..>")]
pub async fn export_csv(
    caller: ReviewAccess,
    query: form::Result<'_, ExportQuery>,
    disclosure: Disclosure,
    db: &State<Db>,
) -> Result<CsvDownload, ApiError> {
    let scope = caller.0.scope;
    let Both(encoding, filter) = query?;
    let (encoding, filter) = (encoding.encoding(), filter.into_filter());
    CsvDownload::spool(
        db,
        encoding,
        "assets.csv".to_owned(),
        None,
        move |conn, out| {
            let written = write_register(conn, &scope, &filter, encoding, out)?;
            disclosure.export(written.rows, written.with_personal);
            Ok(written.rows)
        },
    )
    .await
}

/// The Excel export: the filtered assets (and, unfiltered, the projects without assets)
/// as the 台账 a finance bureau prints, dated today in China (`export::xlsx`).
#[get("/assets.xlsx?<query..>")]
pub async fn export_xlsx(
    caller: ReviewAccess,
    query: form::Result<'_, AssetFilterQuery>,
    disclosure: Disclosure,
    db: &State<Db>,
) -> Result<CsvDownload, ApiError> {
    let scope = caller.0.scope;
    let filter = query?.into_filter();
    let file = spool_file(db, move |conn, file| {
        let written = write_register_xlsx(conn, &scope, &filter, today_in_china(), file)?;
        disclosure.export(written.rows, written.with_personal);
        Ok(written.rows)
    })
    .await?;
    Ok(CsvDownload {
        file: rocket::tokio::fs::File::from_std(file),
        content_type: XLSX_TYPE.to_owned(),
        filename: "assets.xlsx".to_owned(),
        chinese_filename: Some("资产台账.xlsx".to_owned()),
    })
}

/// The media type of an .xlsx workbook.
const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// What `write` writes into an anonymous temp file, rewound to its start, so that it
/// can be streamed and memory stays flat however large the register.
///
/// Fails when `write` fails or the temp file cannot be written.
async fn spool_file(
    db: &Db,
    write: impl FnOnce(&mut DbConnection, &mut std::fs::File) -> Result<u64, ExportError>
        + Send
        + 'static,
) -> Result<std::fs::File, ApiError> {
    db.run(move |conn| {
        let mut file = tempfile::tempfile().map_err(|e| ApiError::Internal(e.to_string()))?;
        write(conn, &mut file)?;
        file.flush()
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        file.seek(SeekFrom::Start(0))
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        Ok::<_, ApiError>(file)
    })
    .await
}

/// A file (CSV, or the Excel workbook) sent as a download.
pub struct CsvDownload {
    file: rocket::tokio::fs::File,
    /// The `Content-Type`.
    content_type: String,
    /// The file name in ASCII.
    filename: String,
    /// The file name in Chinese, for browsers that read `filename*`.
    chinese_filename: Option<String>,
}

impl CsvDownload {
    /// The CSV that `write` writes in `encoding`, written to an anonymous temp file and
    /// then streamed, so that memory stays flat however large the register; offered as
    /// `filename` (and `chinese_filename` where the browser reads it).
    ///
    /// Fails when `write` fails or the temp file cannot be written.
    pub async fn spool(
        db: &Db,
        encoding: ExportEncoding,
        filename: String,
        chinese_filename: Option<String>,
        write: impl FnOnce(&mut DbConnection, &mut dyn Write) -> Result<u64, ExportError>
            + Send
            + 'static,
    ) -> Result<CsvDownload, ApiError> {
        let file = spool_file(db, move |conn, file| {
            let mut out = std::io::BufWriter::new(file);
            let written = write(conn, &mut out)?;
            out.flush()?;
            Ok(written)
        })
        .await?;
        Ok(CsvDownload {
            file: rocket::tokio::fs::File::from_std(file),
            content_type: format!("text/csv; charset={}", encoding.charset()),
            filename,
            chinese_filename,
        })
    }
}

impl<'r> rocket::response::Responder<'r, 'static> for CsvDownload {
    fn respond_to(self, _request: &'r rocket::Request<'_>) -> rocket::response::Result<'static> {
        let disposition =
            super::attachment_disposition(&self.filename, self.chinese_filename.as_deref());
        rocket::Response::build()
            .raw_header("Content-Type", self.content_type)
            .raw_header("Content-Disposition", disposition)
            .streamed_body(self.file)
            .ok()
    }
}
