//! The import of one file, from bytes on disk to committed rows: hash and encoding, the
//! rows as [`super::reader`] hands them over, their checks against each other and the
//! register, and the writes — all in one transaction that is rolled back when any error
//! is found.

use std::collections::hash_map::{DefaultHasher, Entry};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::Path;

use diesel::prelude::*;

use super::batch::{insert_errors, warnings_json, BatchReport, BatchRow};
use super::bulk;
use super::decode::{self, TextEncoding};
use super::header::{Field, Layout};
use super::reader::{open_rows, read_rows, ReadChunk, Rows, READ_AHEAD_CHUNKS};
use super::row::ParsedRow;
use super::{RowError, MAX_LISTED_ERRORS};
use crate::db::bulk_load::{self, SetAside};
use crate::db::schema::assets;
use crate::db::{DbConnection, DbError};
use crate::domain::dates::{timestamp_now, today_in_china};
use crate::domain::BusinessDate;
use crate::domain::{AssetClass, AssetStatus};
use crate::ledger::{self, EntryRow, Head, NewEntry};
use crate::register::store::{register_is_empty, AssetRow, CorruptRow, ProjectRow};
use crate::register::summary::{self, class_index, Delta, Summary};
use crate::register::{AssetRecord, ProjectRecord};

/// Rows validated and written together: one lookup against the register and one
/// multi-row insert per table.
const CHUNK_ROWS: usize = 1000;

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
}

/// Told how far the import has read.
pub trait Progress {
    /// `read` of `total` bytes have been read.
    fn advance(&mut self, read: u64, total: u64);
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
    /// The same bytes were imported before: the original batch, nothing written.
    Replayed(BatchReport),
    /// What a commit would do; nothing written.
    DryRun(BatchReport),
    /// The file has errors; nothing written to the register (the rejected batch and its
    /// errors are recorded, unless this was a dry run).
    Rejected(BatchReport),
}

/// An import that could not be carried out for reasons other than the file's content.
#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    /// The file could not be read.
    #[error("cannot read the import file: {0}")]
    Io(#[from] std::io::Error),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// A stored row is not valid.
    #[error(transparent)]
    Corrupt(#[from] CorruptRow),
}

impl From<diesel::result::Error> for ImportFailure {
    fn from(e: diesel::result::Error) -> Self {
        ImportFailure::Db(DbError::Query(e))
    }
}

/// Why the import transaction was rolled back.
enum Abort {
    Rejected(Box<Run>),
    Failure(ImportFailure),
}

impl From<diesel::result::Error> for Abort {
    fn from(e: diesel::result::Error) -> Self {
        Abort::Failure(e.into())
    }
}

impl From<ImportFailure> for Abort {
    fn from(e: ImportFailure) -> Self {
        Abort::Failure(e)
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
    if let Some(batch) = BatchRow::committed_with_sha256(conn, &sniffed.sha256)? {
        return Ok(ImportOutcome::Replayed(batch.to_report(conn, true)?));
    }
    let mut base = BatchRow {
        id: uuid::Uuid::new_v4().to_string(),
        sha256: sniffed.sha256.clone(),
        status: "committed".to_owned(),
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
    };
    let file_error = |error: RowError| vec![error];
    let opened = match (sniffed.size, sniffed.encoding) {
        (0, _) => Err(file_error(RowError::file(None, None, "empty_file", "文件为空（0 字节）".to_owned()))),
        (_, Err(line)) => Err(file_error(RowError::file(
            Some(line),
            None,
            "undecodable",
            format!("第 {line} 行的字节既不是 UTF-8 也不是 GB18030/GBK 编码，请用 Excel 另存为“CSV UTF-8”或“CSV（逗号分隔）”"),
        ))),
        (_, Ok(encoding)) => open_rows(request.path, encoding)?,
    };
    let (layout, rows) = match opened {
        Ok(opened) => opened,
        Err(errors) => return reject(conn, request, base, errors),
    };
    base.warnings = warnings_json(&layout.warnings);
    let total_bytes = sniffed.size;

    if request.dry_run {
        let register_empty = register_is_empty(conn)?;
        let mut run = Run::new(layout, base, register_empty, None);
        run.read_all(conn, rows, progress, total_bytes)?;
        let report = run.report(
            if run.error_count > 0 {
                "rejected"
            } else {
                "dry_run"
            },
            false,
        );
        return Ok(if run.error_count > 0 {
            ImportOutcome::Rejected(report)
        } else {
            ImportOutcome::DryRun(report)
        });
    }

    let outcome = bulk_load::with_import_cache(conn, |conn| {
        conn.transaction::<Box<Run>, Abort, _>(|conn| {
            let head = ledger::lock_head(conn)?;
            // Read under the lock: an import that committed while this one waited counts.
            let register_empty = register_is_empty(conn)?;
            // Another process may have committed the same bytes while this one waited.
            if BatchRow::committed_with_sha256(conn, &base.sha256)?.is_some() {
                return Err(Abort::Failure(ImportFailure::Db(DbError::Query(
                    diesel::result::Error::RollbackTransaction,
                ))));
            }
            base.insert(conn)?;
            let registered_assets = if register_empty {
                0
            } else {
                u64::try_from(Summary::load(conn)?.assets).unwrap_or(0)
            };
            let set_aside = if bulk::is_bulk(total_bytes, registered_assets) {
                bulk_load::set_indexes_aside(conn)?
            } else {
                SetAside::default()
            };
            let writer = Writer {
                head,
                today: BusinessDate::from_naive(today_in_china()),
            };
            let mut run = Box::new(Run::new(layout, base, register_empty, Some(writer)));
            run.read_all(conn, rows, progress, total_bytes)?;
            if run.error_count > 0 {
                return Err(Abort::Rejected(run));
            }
            // The codes seen are no longer needed; free them before the indexes are sorted.
            run.assets = HashMap::new();
            set_aside.restore(conn)?;
            run.batch.update_counts(conn)?;
            let delta = run.summary_delta(conn)?;
            summary::apply(conn, &delta)?;
            if let Some(writer) = &run.writer {
                ledger::store_head(conn, &writer.head)?;
            }
            Ok(run)
        })
    })?;
    match outcome {
        Ok(run) => Ok(ImportOutcome::Committed(run.report("committed", false))),
        Err(Abort::Rejected(run)) => {
            let Run {
                errors,
                error_count,
                mut batch,
                ..
            } = *run;
            batch.error_count = error_count;
            reject(conn, request, batch, errors)
        }
        Err(Abort::Failure(ImportFailure::Db(DbError::Query(
            diesel::result::Error::RollbackTransaction,
        )))) => match BatchRow::committed_with_sha256(conn, &sniffed.sha256)? {
            Some(batch) => Ok(ImportOutcome::Replayed(batch.to_report(conn, true)?)),
            None => Err(ImportFailure::Db(DbError::Query(
                diesel::result::Error::RollbackTransaction,
            ))),
        },
        Err(Abort::Failure(failure)) => Err(failure),
    }
}

/// Records a rejected batch with its listed errors (not for a dry run) and reports it.
fn reject(
    conn: &mut DbConnection,
    request: &ImportRequest<'_>,
    mut batch: BatchRow,
    errors: Vec<RowError>,
) -> Result<ImportOutcome, ImportFailure> {
    batch.status = "rejected".to_owned();
    if batch.error_count == 0 {
        batch.error_count = i64::try_from(errors.len()).unwrap_or(i64::MAX);
    }
    batch.projects_created = 0;
    batch.assets_created = 0;
    let listed: Vec<RowError> = errors.into_iter().take(MAX_LISTED_ERRORS).collect();
    if request.dry_run {
        let mut report = report_of(&batch, listed, false);
        report.id = None;
        return Ok(ImportOutcome::Rejected(report));
    }
    conn.transaction::<_, diesel::result::Error, _>(|conn| {
        batch.insert(conn)?;
        insert_errors(conn, &batch.id, &listed)
    })?;
    Ok(ImportOutcome::Rejected(report_of(&batch, listed, false)))
}

fn report_of(batch: &BatchRow, errors: Vec<RowError>, replayed: bool) -> BatchReport {
    let mut report = batch.to_summary();
    report.errors = errors;
    report.replayed = replayed;
    report
}

/// Chunks built ahead of the writing thread.
const WRITE_AHEAD_CHUNKS: usize = 2;

/// The rows one chunk registers, inserted in this order.
struct Writes {
    projects: Vec<ProjectRow>,
    assets: Vec<AssetRow>,
    entries: Vec<EntryRow>,
}

impl Writes {
    fn apply(&self, conn: &mut DbConnection) -> diesel::QueryResult<()> {
        ProjectRow::insert_all(conn, &self.projects)?;
        AssetRow::insert_all(conn, &self.assets)?;
        ledger::insert_rows(conn, &self.entries)?;
        Ok(())
    }
}

/// Where the checks of a chunk look up the register and where its rows go.
enum Target<'a> {
    /// Look up and write on this connection, in turn.
    Connection(&'a mut DbConnection),
    /// Hand the rows to the thread that holds the connection. Only for an import into
    /// an empty register, which has nothing to look up.
    Writer(&'a std::sync::mpsc::SyncSender<Writes>),
}

/// Appends the entries of created assets while the import runs.
struct Writer {
    head: Head,
    today: BusinessDate,
}

/// What the file said first about a project.
struct SeenProject {
    line: u64,
    fingerprint: [u64; 6],
    /// Registered before this import with the same values.
    unchanged: bool,
    /// Registered by this import.
    created: bool,
    /// Its funds, for the maintained totals.
    funds_fen: i64,
    /// The classes of the assets this import registers for it, one bit per class.
    new_classes: u8,
}

/// A row waiting in the current chunk.
struct Pending {
    row: ParsedRow,
    first_of_project: bool,
}

/// The state of one import as it reads the file.
struct Run {
    layout: Layout,
    batch: BatchRow,
    register_empty: bool,
    writer: Option<Writer>,
    errors: Vec<RowError>,
    error_count: i64,
    projects: HashMap<String, SeenProject>,
    /// The asset codes seen so far, as 128-bit hashes (a collision between two of a
    /// province's million codes has a chance of about 10^-27), with their first line.
    /// Two `u64` rather than one `u128`: 24 bytes a slot instead of 32.
    assets: HashMap<(u64, u64), u64>,
    pending: Vec<Pending>,
    /// The change to the maintained totals, as far as the rows tell it.
    delta: Delta,
}

const PROJECT_FIELDS: [Field; 6] = [
    Field::ProjectName,
    Field::ProjectYear,
    Field::Town,
    Field::Village,
    Field::ProjectFunds,
    Field::FundingSource,
];

fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// A 128-bit key of a code: two SipHash digests under different keys.
fn code_key(code: &str) -> (u64, u64) {
    let mut first = DefaultHasher::new();
    code.hash(&mut first);
    let mut second = DefaultHasher::new();
    0x9E37_79B9_7F4A_7C15u64.hash(&mut second);
    code.hash(&mut second);
    (first.finish(), second.finish())
}

/// One hash per project field, so a repeated project row is compared field by field
/// without keeping every project's text in memory.
fn fingerprint(project: &ProjectRecord) -> [u64; 6] {
    [
        hash_of(&project.name),
        hash_of(&project.year.get()),
        hash_of(&project.town),
        hash_of(&project.village),
        hash_of(&project.funds.fen()),
        hash_of(&project.funding_source),
    ]
}

fn shown(value: Option<&str>) -> String {
    value.map_or_else(|| "（空）".to_owned(), str::to_owned)
}

/// The value of a project field as a person reads it.
fn project_value(project: &ProjectRecord, field: Field) -> String {
    match field {
        Field::ProjectName => project.name.clone(),
        Field::ProjectYear => project.year.to_string(),
        Field::Town => project.town.clone(),
        Field::Village => shown(project.village.as_deref()),
        Field::ProjectFunds => format!("{} 元", project.funds),
        Field::FundingSource => shown(project.funding_source.as_deref()),
        _ => String::new(),
    }
}

/// The fields in which two projects differ, with both values.
fn project_differences(
    registered: &ProjectRecord,
    file: &ProjectRecord,
) -> Vec<(Field, String, String)> {
    PROJECT_FIELDS
        .into_iter()
        .map(|field| {
            (
                field,
                project_value(registered, field),
                project_value(file, field),
            )
        })
        .filter(|(_, a, b)| a != b)
        .collect()
}

/// The fields in which two assets differ, with both values.
fn asset_differences(registered: &AssetRecord, file: &AssetRecord) -> Vec<(Field, String, String)> {
    let opt = |v: &Option<String>| shown(v.as_deref());
    let values = |a: &AssetRecord| {
        [
            (Field::ProjectCode, a.project_code.to_string()),
            (Field::AssetName, a.name.clone()),
            (Field::AssetClass, a.class.label().to_owned()),
            (
                Field::Quantity,
                shown(a.quantity.as_ref().map(ToString::to_string).as_deref()),
            ),
            (Field::Unit, opt(&a.unit)),
            (Field::AssetValue, format!("{} 元", a.value)),
            (Field::Owner, a.owner.name.clone()),
            (Field::OwnerType, a.owner.owner_type.label().to_owned()),
            (
                Field::OwnerIdNumber,
                shown(a.owner.id_number.as_ref().map(|i| i.as_str())),
            ),
            (Field::Custodian, opt(&a.custodian)),
            (
                Field::ConfirmedOn,
                shown(a.confirmed_on.map(|d| d.to_string()).as_deref()),
            ),
            (Field::CertificateNo, opt(&a.certificate_no)),
        ]
    };
    // ID numbers are compared whole but shown masked: the messages are kept with the
    // batch, which readers may see.
    let shown_id = |field: Field, value: String| {
        if field == Field::OwnerIdNumber {
            crate::domain::id_number::mask(&value)
        } else {
            value
        }
    };
    values(registered)
        .into_iter()
        .zip(values(file))
        .filter(|((_, a), (_, b))| a != b)
        .map(|((field, a), (_, b))| (field, shown_id(field, a), shown_id(field, b)))
        .collect()
}

impl Run {
    fn new(layout: Layout, batch: BatchRow, register_empty: bool, writer: Option<Writer>) -> Self {
        let expected_rows = bulk::estimated_rows(u64::try_from(batch.byte_size).unwrap_or(0));
        Run {
            layout,
            batch,
            register_empty,
            writer,
            errors: Vec::new(),
            error_count: 0,
            projects: HashMap::new(),
            // Sized for the file at once: growing a table of a million codes would
            // hold the old and the new table together for a moment.
            assets: HashMap::with_capacity(usize::try_from(expected_rows).unwrap_or(0)),
            pending: Vec::with_capacity(CHUNK_ROWS),
            delta: Delta::default(),
        }
    }

    /// The change this import makes to the maintained totals: its new projects, the
    /// classes they (and projects registered before) enter, its new assets.
    ///
    /// Fails when the lookup of projects registered before fails.
    fn summary_delta(&mut self, conn: &mut DbConnection) -> Result<Delta, ImportFailure> {
        let mut delta = std::mem::take(&mut self.delta);
        let mut earlier: Vec<(&str, &SeenProject)> = Vec::new();
        for (code, seen) in &self.projects {
            if seen.created {
                delta.projects += 1;
                delta.funds_fen += seen.funds_fen;
                if seen.new_classes == 0 {
                    delta.unclassified_projects += 1;
                    delta.unclassified_funds_fen += seen.funds_fen;
                }
                for class in AssetClass::ALL {
                    if seen.new_classes & (1 << class_index(class)) != 0 {
                        delta.class(class).projects += 1;
                        delta.class(class).funds_fen += seen.funds_fen;
                    }
                }
            } else if seen.new_classes != 0 {
                earlier.push((code.as_str(), seen));
            }
        }
        for chunk in earlier.chunks(500) {
            let codes: Vec<&str> = chunk.iter().map(|(code, _)| *code).collect();
            let before: Vec<(String, String, String)> = assets::table
                .filter(assets::project_code.eq_any(&codes))
                .filter(assets::batch_id.ne(&self.batch.id))
                .select((assets::project_code, assets::class, assets::status))
                .load(conn)?;
            for (code, seen) in chunk {
                let mine: Vec<&(String, String, String)> =
                    before.iter().filter(|(p, _, _)| p == code).collect();
                if mine.is_empty() {
                    delta.unclassified_projects -= 1;
                    delta.unclassified_funds_fen -= seen.funds_fen;
                }
                for class in AssetClass::ALL {
                    let live_before = mine.iter().any(|(_, c, status)| {
                        c == class.as_str() && status != AssetStatus::Disposed.as_str()
                    });
                    if seen.new_classes & (1 << class_index(class)) != 0 && !live_before {
                        delta.class(class).projects += 1;
                        delta.class(class).funds_fen += seen.funds_fen;
                    }
                }
            }
        }
        for figures in delta.classes {
            delta.assets += figures.assets;
            delta.value_fen += figures.value_fen;
        }
        Ok(delta)
    }

    fn report(&self, status: &str, replayed: bool) -> BatchReport {
        let mut report = report_of(&self.batch, self.errors.clone(), replayed);
        report.status = status.to_owned();
        report.error_count = self.error_count;
        report.warnings = self.layout.warnings.clone();
        if status == "dry_run" || self.writer.is_none() {
            report.id = None;
        }
        report
    }

    fn push_error(&mut self, error: RowError) {
        self.error_count += 1;
        if self.errors.len() < MAX_LISTED_ERRORS {
            self.errors.push(error);
        }
    }

    fn read_all(
        &mut self,
        conn: &mut DbConnection,
        rows: Rows,
        progress: &mut dyn Progress,
        total_bytes: u64,
    ) -> Result<(), ImportFailure> {
        // One thread reads, decodes and checks each row on its own while this one
        // checks rows against each other and the register and builds what to write.
        // Into an empty register (nothing to look up) a third thread holds the
        // connection and writes, so building and writing overlap too.
        let layout = self.layout.clone();
        let (sender, receiver) = std::sync::mpsc::sync_channel(READ_AHEAD_CHUNKS);
        let write_ahead = self.register_empty && self.writer.is_some();
        std::thread::scope(|scope| {
            scope.spawn(move || read_rows(rows, &layout, &sender));
            if !write_ahead {
                return self.take_all(
                    &mut Target::Connection(conn),
                    receiver,
                    progress,
                    total_bytes,
                );
            }
            let (writes, queued) = std::sync::mpsc::sync_channel::<Writes>(WRITE_AHEAD_CHUNKS);
            let written = scope.spawn(move || queued.iter().try_for_each(|w| w.apply(conn)));
            let taken = self.take_all(
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
        if self.batch.data_rows == 0 && self.error_count == 0 {
            self.push_error(RowError::file(
                Some(self.layout.header_line),
                None,
                "empty_file",
                "表头下没有任何数据行".to_owned(),
            ));
        }
        Ok(())
    }

    /// Takes every row the reading thread sends, then flushes the last chunk.
    fn take_all(
        &mut self,
        target: &mut Target<'_>,
        receiver: std::sync::mpsc::Receiver<Result<ReadChunk, ImportFailure>>,
        progress: &mut dyn Progress,
        total_bytes: u64,
    ) -> Result<(), ImportFailure> {
        for chunk in receiver {
            let chunk = chunk?;
            for (line, parsed) in chunk.rows {
                self.batch.data_rows += 1;
                self.take_row(target, line, parsed)?;
            }
            progress.advance(chunk.consumed, total_bytes);
        }
        self.flush(target)?;
        progress.advance(total_bytes, total_bytes);
        Ok(())
    }

    fn take_row(
        &mut self,
        target: &mut Target<'_>,
        line: u64,
        parsed: Result<ParsedRow, Vec<RowError>>,
    ) -> Result<(), ImportFailure> {
        let row = match parsed {
            Ok(row) => row,
            Err(errors) => {
                errors.into_iter().for_each(|e| self.push_error(e));
                return Ok(());
            }
        };
        let mut clean = true;
        let first_of_project = match self.projects.entry(row.project.code.to_string()) {
            Entry::Vacant(slot) => {
                slot.insert(SeenProject {
                    line,
                    fingerprint: fingerprint(&row.project),
                    unchanged: false,
                    created: false,
                    funds_fen: row.project.funds.fen(),
                    new_classes: 0,
                });
                true
            }
            Entry::Occupied(seen) => {
                let seen = seen.get();
                let now = fingerprint(&row.project);
                let first_line = seen.line;
                let differing: Vec<Field> = PROJECT_FIELDS
                    .into_iter()
                    .zip(seen.fingerprint.iter().zip(now.iter()))
                    .filter(|(_, (a, b))| a != b)
                    .map(|(field, _)| field)
                    .collect();
                for field in differing {
                    clean = false;
                    let column = self.layout.header_of(field).to_owned();
                    let value = project_value(&row.project, field);
                    self.push_error(RowError::cell(
                        line,
                        &column,
                        "project_conflict",
                        format!(
                            "项目 {} 的“{}”为“{value}”，与第 {first_line} 行的同一项目不一致",
                            row.project.code,
                            field.chinese()
                        ),
                    ));
                }
                false
            }
        };
        if let Some(asset) = &row.asset {
            match self.assets.entry(code_key(asset.code.as_str())) {
                Entry::Vacant(slot) => {
                    slot.insert(line);
                }
                Entry::Occupied(first) => {
                    clean = false;
                    let first_line = *first.get();
                    let column = self.layout.header_of(Field::AssetCode).to_owned();
                    self.push_error(RowError::cell(
                        line,
                        &column,
                        "duplicate_asset_code",
                        format!(
                            "资产编号 {} 在第 {first_line} 行已出现，同一文件中资产编号不能重复",
                            asset.code
                        ),
                    ));
                }
            }
        }
        if clean {
            self.pending.push(Pending {
                row,
                first_of_project,
            });
            if self.pending.len() >= CHUNK_ROWS {
                self.flush(target)?;
            }
        }
        Ok(())
    }

    /// Checks the pending rows against the register and, while the file is clean so
    /// far, writes them.
    fn flush(&mut self, target: &mut Target<'_>) -> Result<(), ImportFailure> {
        let pending = std::mem::take(&mut self.pending);
        if pending.is_empty() {
            return Ok(());
        }
        let lookup = match target {
            Target::Connection(conn) if !self.register_empty => Some(&mut **conn),
            _ => None,
        };
        let (registered_projects, registered_assets) = if let Some(conn) = lookup {
            let project_codes: Vec<&str> = pending
                .iter()
                .filter(|p| p.first_of_project)
                .map(|p| p.row.project.code.as_str())
                .collect();
            let asset_codes: Vec<&str> = pending
                .iter()
                .filter_map(|p| p.row.asset.as_ref().map(|a| a.code.as_str()))
                .collect();
            let projects: HashMap<String, ProjectRecord> =
                ProjectRow::find_by_codes(conn, &project_codes)?
                    .into_iter()
                    .map(|r| r.to_record().map(|rec| (r.code, rec)))
                    .collect::<Result<_, _>>()?;
            let assets: HashMap<String, AssetRecord> = AssetRow::find_by_codes(conn, &asset_codes)?
                .into_iter()
                .map(|r| r.to_record().map(|rec| (r.code, rec)))
                .collect::<Result<_, _>>()?;
            (projects, assets)
        } else {
            // The register was empty when the import took the chain lock.
            (HashMap::new(), HashMap::new())
        };

        let mut new_projects = Vec::new();
        let mut new_assets = Vec::new();
        for Pending {
            row,
            first_of_project,
        } in &pending
        {
            let code = row.project.code.as_str();
            if *first_of_project {
                match registered_projects.get(code) {
                    Some(registered) => {
                        let differences = project_differences(registered, &row.project);
                        if differences.is_empty() {
                            self.batch.projects_unchanged += 1;
                            if let Some(seen) = self.projects.get_mut(code) {
                                seen.unchanged = true;
                            }
                        }
                        for (field, registered_value, file_value) in differences {
                            let message = format!(
                                "项目 {code} 已登记，“{}”登记为“{registered_value}”，文件中为“{file_value}”",
                                field.chinese()
                            );
                            self.conflict(row.line, field, message, registered_value, file_value);
                        }
                    }
                    None => {
                        self.batch.projects_created += 1;
                        if let Some(seen) = self.projects.get_mut(code) {
                            seen.created = true;
                        }
                        new_projects.push(&row.project);
                    }
                }
            }
            match &row.asset {
                Some(asset) => match registered_assets.get(asset.code.as_str()) {
                    Some(registered) => {
                        let differences = asset_differences(registered, asset);
                        if differences.is_empty() {
                            self.batch.assets_unchanged += 1;
                            self.batch.rows_unchanged += 1;
                        }
                        for (field, registered_value, file_value) in differences {
                            let message = format!(
                                "资产 {} 已登记，“{}”登记为“{registered_value}”，文件中为“{file_value}”；已登记资产的变更请记入管护台账",
                                asset.code,
                                field.chinese()
                            );
                            self.conflict(row.line, field, message, registered_value, file_value);
                        }
                    }
                    None => {
                        self.batch.assets_created += 1;
                        if let Some(seen) = self.projects.get_mut(code) {
                            seen.new_classes |= 1 << class_index(asset.class);
                        }
                        let figures = self.delta.class(asset.class);
                        figures.assets += 1;
                        figures.value_fen += asset.value.fen();
                        new_assets.push(asset);
                    }
                },
                None => {
                    if self.projects.get(code).is_some_and(|seen| seen.unchanged) {
                        self.batch.rows_unchanged += 1;
                    }
                }
            }
        }
        if self.error_count > 0 {
            return Ok(());
        }
        let Some(writer) = self.writer.as_mut() else {
            return Ok(());
        };
        let now = self.batch.created_at.clone();
        let batch_id = self.batch.id.clone();
        let project_rows: Vec<ProjectRow> = new_projects
            .iter()
            .map(|p| ProjectRow::new(p, &batch_id, &now))
            .collect();
        let ids: Vec<String> = new_assets
            .iter()
            .map(|_| uuid::Uuid::now_v7().to_string())
            .collect();
        let entries = new_assets
            .iter()
            .zip(&ids)
            .map(|(asset, id)| NewEntry {
                asset_id: id.clone(),
                asset_code: asset.code.to_string(),
                kind: "registered",
                occurred_on: asset.confirmed_on.unwrap_or(writer.today).to_string(),
                recorded_at: now.clone(),
                actor: self.batch.actor.clone(),
                data: asset.to_ledger_data(),
                batch_id: Some(batch_id.clone()),
            })
            .collect();
        let (entry_rows, head) = ledger::chain(&writer.head, entries);
        if let Some(latest) = entry_rows.iter().map(|e| &e.occurred_on).max() {
            if self
                .delta
                .registered_on
                .as_ref()
                .is_none_or(|known| latest > known)
            {
                self.delta.registered_on = Some(latest.clone());
            }
        }
        let asset_rows: Vec<AssetRow> = new_assets
            .iter()
            .zip(&ids)
            .zip(&entry_rows)
            .map(|((asset, id), entry)| {
                AssetRow::new(id, asset, &batch_id, (entry.seq, &entry.occurred_on), &now)
            })
            .collect();
        writer.head = head;
        let writes = Writes {
            projects: project_rows,
            assets: asset_rows,
            entries: entry_rows,
        };
        match target {
            Target::Connection(conn) => writes.apply(conn)?,
            Target::Writer(queue) => queue.send(writes).map_err(|_| {
                ImportFailure::Io(std::io::Error::other("the writing thread stopped"))
            })?,
        }
        Ok(())
    }

    fn conflict(
        &mut self,
        line: u64,
        field: Field,
        message: String,
        registered: String,
        file: String,
    ) {
        let column = self.layout.header_of(field).to_owned();
        let mut error = RowError::cell(line, &column, "conflicts_with_register", message);
        error.registered_value = Some(registered);
        error.file_value = Some(file);
        self.push_error(error);
    }
}
