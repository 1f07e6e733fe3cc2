//! The import of one file, from bytes on disk to its outcome: the hash and encoding,
//! a replay of the same bytes, the rows read on one thread and taken by a `Run` on
//! this one (written by a third into an empty register), all in one transaction under
//! the chain lock that is rolled back when any error is found — and the record of a
//! rejection.

use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver};

use diesel::prelude::*;

use super::batch::{insert_errors, BatchReport, BatchRow, BatchStatus};
use super::bulk;
use super::error::{ImportFailure, RowError, MAX_LISTED_ERRORS};
use super::read::decode::{self, TextEncoding};
use super::read::sheet::container_of;
use super::read::{open_rows, open_sheet, read_rows, ReadChunk, ReadRow, Rows, READ_AHEAD_CHUNKS};
use super::run::Run;
use super::warnings::WarningSummary;
use super::write::{spawn_writing_thread, Target, Writer};
use crate::db::bulk_load;
use crate::db::DbConnection;
use crate::domain::dates::{timestamp_now, today_in_china};
use crate::domain::{BusinessDate, Scope};
use crate::ledger;
use crate::reconcile::findings;
use crate::register::store::register_is_empty;
use crate::register::summary::{self, ApplyError, Summary};

/// What to import and how.
#[derive(Debug, Clone)]
pub struct ImportRequest<'a> {
    /// The file's bytes, on disk.
    pub path: &'a Path,
    /// The file's name, as the user knows it.
    pub filename: Option<String>,
    /// Who imports (the token's name, or `cli`).
    pub actor: String,
    /// Validate and report without writing anything.
    pub dry_run: bool,
    /// The importer's scope: a row outside it is the error `out_of_scope`.
    pub scope: Scope,
    /// For a workbook: the sheet to read (else the first visible one). A CSV file has
    /// no sheets and reads past it.
    pub sheet: Option<String>,
}

/// Told how far the import has read.
pub trait Progress {
    /// `read` of `total` bytes have been read.
    fn advance(&mut self, read: u64, total: u64);

    /// `rows` data rows have been read so far.
    fn rows_read(&mut self, _rows: u64) {}

    /// Every row is read and checked; the import now commits (indexes rebuilt, totals
    /// updated), which on a large file takes a while.
    fn committing(&mut self) {}
}

/// Progress that nobody watches.
pub struct Unwatched;

impl Progress for Unwatched {
    fn advance(&mut self, _read: u64, _total: u64) {}
}

/// How an import ended.
#[derive(Debug, Clone)]
pub enum ImportOutcome {
    /// Everything was registered.
    Committed(BatchReport),
    /// The same bytes were imported before (or by another process while this one
    /// waited for the chain lock): the original batch, nothing written.
    Replayed(BatchReport),
    /// What a commit would do; nothing written.
    DryRun(BatchReport),
    /// The file has errors; nothing written to the register (the rejected batch and its
    /// errors are recorded, unless this was a dry run).
    Rejected(BatchReport),
}

/// Why the import's transaction was rolled back.
enum RolledBack {
    /// The file has errors: the rejection is recorded afterwards.
    Rejected(Box<Run>),
    /// Another process committed the same bytes while this one waited for the chain
    /// lock: its batch answers, as a replay.
    CommittedElsewhere(Box<BatchRow>),
    /// The file could not be read or the database failed.
    Failure(ImportFailure),
}

impl From<diesel::result::Error> for RolledBack {
    fn from(e: diesel::result::Error) -> Self {
        RolledBack::Failure(e.into())
    }
}

impl From<ImportFailure> for RolledBack {
    fn from(e: ImportFailure) -> Self {
        RolledBack::Failure(e)
    }
}

/// Imports the file at `request.path` into the register.
///
/// Returns the outcome for any content of the file, valid or not. Fails only when the
/// file cannot be read or the database fails; nothing is written then either.
pub fn import_file(
    conn: &mut DbConnection,
    request: &ImportRequest<'_>,
    progress: &mut dyn Progress,
) -> Result<ImportOutcome, ImportFailure> {
    let sniffed = decode::sniff(request.path)?;
    // A workbook is told by its first bytes, whatever its name says; its sheet is read
    // first, because which sheet is imported is part of what is imported.
    let workbook = match sniffed.size {
        0 => None,
        _ => match container_of(request.path)? {
            Some(container) => Some(open_sheet(
                request.path,
                container,
                sniffed.size,
                request.sheet.as_deref(),
            )?),
            None => None,
        },
    };
    let sha256 = match workbook.as_ref().and_then(|w| w.sheet.as_deref()) {
        Some(sheet) => sheet_identity(&sniffed.sha256, sheet),
        None => sniffed.sha256.clone(),
    };
    if let Some(batch) = BatchRow::committed_with_sha256(conn, &sha256)? {
        // A batch the importer's scope does not see is not answered: that would tell a
        // town's clerk who imported the county's file, when, and what it held. The file
        // is checked as any other instead, each row outside the scope `out_of_scope`.
        if BatchRow::find(conn, &request.scope, &batch.id)?.is_some() {
            return Ok(ImportOutcome::Replayed(batch.to_report(conn, true)?));
        }
    }
    let mut base = BatchRow {
        id: uuid::Uuid::new_v4().to_string(),
        sha256,
        status: BatchStatus::Committed,
        filename: request.filename.clone(),
        encoding: sniffed
            .encoding
            .map_or("unknown", TextEncoding::name)
            .to_owned(),
        byte_size: i64::try_from(sniffed.size).unwrap_or(i64::MAX),
        data_rows: 0,
        projects_created: 0,
        assets_created: 0,
        projects_unchanged: 0,
        assets_unchanged: 0,
        rows_unchanged: 0,
        error_count: 0,
        warnings: "[]".to_owned(),
        actor: request.actor.clone(),
        created_at: timestamp_now(),
        scope: request.scope.to_string(),
        sheet: None,
        continued_rows: 0,
        totals_checked: 0,
    };
    let file_error = |error: RowError| vec![error];
    let opened = match (sniffed.size, sniffed.encoding, workbook) {
        (_, _, Some(workbook)) => {
            if let Some(format) = workbook.format {
                format.clone_into(&mut base.encoding);
            }
            base.sheet = workbook.sheet;
            workbook.opened
        }
        (0, _, None) => Err(file_error(RowError::file(None, None, "empty_file", "文件为空（0 字节）".to_owned()))),
        (_, Err(line), None) => Err(file_error(RowError::file(
            Some(line),
            None,
            "undecodable",
            format!("第 {line} 行的字节既不是 UTF-8 也不是 GB18030/GBK 编码；请直接导入 Excel 工作簿（.xlsx、.xls），或用 Excel 另存为“CSV UTF-8”或“CSV（逗号分隔）”"),
        ))),
        (_, Ok(encoding), None) => open_rows(request.path, encoding)?,
    };
    let (layout, rows) = match opened {
        Ok(opened) => opened,
        Err(errors) => return reject(conn, request, base, errors),
    };
    base.warnings = WarningSummary::of(&layout.warnings).to_json();
    let total_bytes = sniffed.size;

    if request.dry_run {
        let register_empty = register_is_empty(conn)?;
        let mut run = Run::new(layout, base, request.scope.clone(), register_empty, None);
        read_all(&mut run, conn, rows, progress, total_bytes)?;
        if run.errors().is_empty() {
            run.summary_delta(conn)?;
        }
        return Ok(if run.errors().is_empty() {
            ImportOutcome::DryRun(run.report(BatchStatus::DryRun))
        } else {
            ImportOutcome::Rejected(run.report(BatchStatus::Rejected))
        });
    }

    // Whether the load brought its tables' planner statistics up to date itself.
    let mut loaded_analysed = false;
    let outcome = bulk_load::with_import_cache(conn, |conn| {
        conn.transaction::<Box<Run>, RolledBack, _>(|conn| {
            // An import may run longer than a request's statements are allowed to.
            crate::db::lift_statement_timeout(conn)?;
            let head = ledger::lock_head(conn)?;
            // Read under the lock: an import that committed while this one waited counts.
            let register_empty = register_is_empty(conn)?;
            // A batch of the same bytes that the importer's scope does not see is not
            // answered unless every row lies within the scope (below).
            let elsewhere = match BatchRow::committed_with_sha256(conn, &base.sha256)? {
                Some(batch) if BatchRow::find(conn, &request.scope, &batch.id)?.is_some() => {
                    return Err(RolledBack::CommittedElsewhere(Box::new(batch)));
                }
                other => other,
            };
            // The batch row comes last, with its final counts (batches are append-only).
            let after_seq = head.seq;
            let registered_assets = if register_empty {
                0
            } else {
                u64::try_from(Summary::load(conn)?.overall.assets).unwrap_or(0)
            };
            let set_aside = if bulk::is_bulk(total_bytes, registered_assets) {
                bulk_load::set_indexes_aside(conn)?
            } else {
                bulk_load::keep_indexes(conn)
            };
            let writer = Writer::new(head, BusinessDate::from_naive(today_in_china()));
            let mut run = Box::new(Run::new(
                layout,
                base,
                request.scope.clone(),
                register_empty,
                Some(writer),
            ));
            read_all(&mut run, conn, rows, progress, total_bytes)?;
            if !run.errors().is_empty() {
                return Err(RolledBack::Rejected(run));
            }
            // A file wholly within the scope, registered by a wider one: every row is the
            // register's already, all of it the importer's to see, and the batch that
            // registered it answers.
            if let Some(batch) = elsewhere {
                return Err(RolledBack::CommittedElsewhere(Box::new(batch)));
            }
            progress.committing();
            // The codes seen are no longer needed; free them before the indexes are sorted.
            run.forget_asset_codes();
            run.batch().insert(conn)?;
            loaded_analysed = set_aside.restore(conn, &run.batch().id, after_seq)?;
            let Some(delta) = run.summary_delta(conn)? else {
                return Err(RolledBack::Rejected(run));
            };
            // What the file said of each project is no longer needed either.
            run.forget_projects();
            match summary::apply(conn, &delta) {
                Ok(()) => {}
                Err(ApplyError::Query(e)) => return Err(e.into()),
                // Checked by `summary_delta` under the same lock: cannot happen.
                Err(ApplyError::Overflow(_)) => return Err(RolledBack::Rejected(run)),
            }
            if let Some(touched) = &delta.touched {
                let projects_now = Summary::load(conn)?.overall.projects;
                findings::maintain::after_import(conn, touched, projects_now)?;
            }
            if let Some(head) = run.head() {
                ledger::store_head(conn, head)?;
            }
            Ok(run)
        })
    })?;
    match outcome {
        Ok(run) => {
            let report = run.report(BatchStatus::Committed);
            if u64::try_from(report.assets_created).unwrap_or(0) >= bulk::BULK_MIN_ROWS {
                // The import has committed: statistics that lag behind it only slow reads.
                if let Err(e) = bulk_load::refresh_statistics(conn, loaded_analysed) {
                    tracing::warn!(error = %e, "planner statistics not refreshed after import");
                }
            }
            Ok(ImportOutcome::Committed(report))
        }
        Err(RolledBack::Rejected(run)) => {
            let (mut batch, errors) = run.into_rejection();
            batch.error_count = errors.count();
            reject(conn, request, batch, errors.into_listed())
        }
        Err(RolledBack::CommittedElsewhere(batch)) => {
            Ok(ImportOutcome::Replayed(batch.to_report(conn, true)?))
        }
        Err(RolledBack::Failure(failure)) => Err(failure),
    }
}

/// What makes an import of one sheet of a workbook the same import: the SHA-256 of
/// the file's SHA-256 and the sheet's name, so that each sheet of one workbook is
/// imported once, and the same sheet again is a replay.
fn sheet_identity(file_sha256: &str, sheet: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(file_sha256.as_bytes());
    hasher.update(b"\n");
    hasher.update(sheet.as_bytes());
    hex::encode(hasher.finalize())
}

/// Records a rejected batch with its listed errors (not for a dry run) and reports it.
fn reject(
    conn: &mut DbConnection,
    request: &ImportRequest<'_>,
    mut batch: BatchRow,
    errors: Vec<RowError>,
) -> Result<ImportOutcome, ImportFailure> {
    batch.status = BatchStatus::Rejected;
    if batch.error_count == 0 {
        batch.error_count = i64::try_from(errors.len()).unwrap_or(i64::MAX);
    }
    batch.projects_created = 0;
    batch.assets_created = 0;
    let listed: Vec<RowError> = errors.into_iter().take(MAX_LISTED_ERRORS).collect();
    if !request.dry_run {
        conn.transaction::<_, diesel::result::Error, _>(|conn| {
            batch.insert(conn)?;
            insert_errors(conn, &batch.id, &listed)
        })?;
    }
    let mut report = batch.to_summary();
    report.errors = listed;
    if request.dry_run {
        report.id = None;
    }
    Ok(ImportOutcome::Rejected(report))
}

/// Reads every row into `run`: one thread reads, decodes and checks each row on its own
/// while this one checks rows against each other and the register and builds what to
/// write. Into an empty register (nothing to look up) a third thread holds the
/// connection and writes, so building and writing overlap too.
///
/// Fails when the file cannot be read or the database fails.
fn read_all(
    run: &mut Run,
    conn: &mut DbConnection,
    rows: Rows,
    progress: &mut dyn Progress,
    total_bytes: u64,
) -> Result<(), ImportFailure> {
    let layout = run.layout().clone();
    let (sender, receiver) = sync_channel(READ_AHEAD_CHUNKS);
    let writes_behind = run.writes_behind();
    std::thread::scope(|scope| {
        scope.spawn(move || read_rows(rows, &layout, &sender));
        if !writes_behind {
            let mut target = Target::Connection(conn);
            return take_all(run, &mut target, receiver, progress, total_bytes);
        }
        let (writes, written) = spawn_writing_thread(scope, conn);
        let taken = take_all(
            run,
            &mut Target::Writer(&writes),
            receiver,
            progress,
            total_bytes,
        );
        drop(writes);
        // The writer's failure first: it is why sending to it failed.
        written
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
        taken
    })?;
    run.finish();
    Ok(())
}

/// Takes every row the reading thread sends, then flushes the last chunk.
fn take_all(
    run: &mut Run,
    target: &mut Target<'_>,
    receiver: Receiver<Result<ReadChunk, ImportFailure>>,
    progress: &mut dyn Progress,
    total_bytes: u64,
) -> Result<(), ImportFailure> {
    let mut rows = 0u64;
    for chunk in receiver {
        let chunk = chunk?;
        for (line, row) in chunk.rows {
            match row {
                ReadRow::Register { parsed, continued } => {
                    if continued {
                        run.count_continued();
                    }
                    run.take_row(target, line, parsed)?;
                    rows += 1;
                }
                ReadRow::Totals(declared) => run.take_totals(declared),
            }
        }
        run.note_read(rows, chunk.consumed);
        progress.rows_read(rows);
        progress.advance(chunk.consumed, total_bytes);
    }
    run.flush(target)?;
    progress.advance(total_bytes, total_bytes);
    Ok(())
}
