//! One pass over a file's rows: each row checked against the rows before it, then, a
//! chunk at a time, against the register, and handed to the writer while the file is
//! clean so far. What the pass leaves: the batch's counts, the errors, and the change to
//! the maintained totals.

use super::against_register::{Registered, Verdict};
use super::batch::{BatchReport, BatchRow, BatchStatus};
use super::delta::RunningDelta;
use super::error::{ErrorList, ImportFailure, RowError};
use super::read::field::Field;
use super::read::header::Layout;
use super::read::row::ParsedRow;
use super::totals::{DeclaredTotals, RunningTotals};
use super::warnings::WarningSummary;
use super::within_file::{Checked, WithinFile};
use super::write::{Target, Writer};
use crate::db::DbConnection;
use crate::domain::Scope;
use crate::ledger::Head;
use crate::register::created::CreatedFigures;
use crate::register::summary::{Delta, Summary};
use crate::register::{AssetRecord, ProjectRecord};

/// Rows validated and written together: one lookup against the register and one
/// multi-row insert per table.
const CHUNK_ROWS: usize = 1000;

/// Rows read before the file's number of rows is estimated from their bytes.
const ROWS_TO_ESTIMATE: u64 = 2000;

/// A row waiting in the current chunk.
struct Pending {
    row: ParsedRow,
    first_of_project: bool,
}

/// The state of one import as it reads the file.
pub struct Run {
    layout: Layout,
    batch: BatchRow,
    scope: Scope,
    register_empty: bool,
    /// `None` for a dry run, which writes nothing.
    writer: Option<Writer>,
    errors: ErrorList,
    within_file: WithinFile,
    /// Whether room was made for the codes of the whole file.
    sized: bool,
    pending: Vec<Pending>,
    delta: RunningDelta,
    /// What the projects this import creates contribute to the figures by group and
    /// date, summed as their rows are written.
    figures: CreatedFigures,
    totals: RunningTotals,
}

impl Run {
    /// A pass over rows laid out as `layout`, counted in `batch`, by an importer holding
    /// `scope` (a row outside it is refused), into a register that
    /// `register_empty` says holds no project; rows are written by `writer`, or not at
    /// all when it is `None` (a dry run).
    pub fn new(
        layout: Layout,
        batch: BatchRow,
        scope: Scope,
        register_empty: bool,
        writer: Option<Writer>,
    ) -> Self {
        let errors = if layout.names_cells {
            ErrorList::naming_cells(layout.headers.clone())
        } else {
            ErrorList::default()
        };
        Run {
            layout,
            batch,
            scope,
            register_empty,
            writer,
            errors,
            within_file: WithinFile::new(),
            sized: false,
            pending: Vec::with_capacity(CHUNK_ROWS),
            delta: RunningDelta::default(),
            figures: CreatedFigures::default(),
            totals: RunningTotals::default(),
        }
    }

    /// How the file's columns map to fields.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The batch with its counts so far.
    pub fn batch(&self) -> &BatchRow {
        &self.batch
    }

    /// The errors found so far.
    pub fn errors(&self) -> &ErrorList {
        &self.errors
    }

    /// Whether a writing thread may write while rows are read: only into an empty
    /// register (nothing to look up) and not for a dry run.
    pub fn writes_behind(&self) -> bool {
        self.register_empty && self.writer.is_some()
    }

    /// The end of the chain after the rows written, unless this is a dry run.
    pub fn head(&self) -> Option<&Head> {
        self.writer.as_ref().map(Writer::head)
    }

    /// Takes the row at `line` as the reading thread parsed it; every [`CHUNK_ROWS`]
    /// clean rows, checks them against the register and writes them to `target`.
    ///
    /// Fails when the database fails.
    pub fn take_row(
        &mut self,
        target: &mut Target<'_>,
        line: u64,
        parsed: Result<ParsedRow, Vec<RowError>>,
    ) -> Result<(), ImportFailure> {
        self.batch.data_rows += 1;
        let row = match parsed {
            Ok(row) => row,
            Err(errors) => {
                errors.into_iter().for_each(|e| self.errors.push(e));
                self.totals.skip();
                return Ok(());
            }
        };
        if let Some(error) = out_of_scope(&self.layout, &self.scope, line, &row.project) {
            self.errors.push(error);
            self.totals.skip();
            return Ok(());
        }
        match self
            .within_file
            .check(&self.layout, line, &row, &mut self.errors)
        {
            Checked::Contradicts => {
                self.totals.skip();
                Ok(())
            }
            Checked::Clean { first_of_project } => {
                self.totals.add(&row, first_of_project);
                self.pending.push(Pending {
                    row,
                    first_of_project,
                });
                if self.pending.len() >= CHUNK_ROWS {
                    self.flush(target)?;
                }
                Ok(())
            }
        }
    }

    /// Told that `rows` data rows took `consumed` of the file's bytes: once enough are
    /// read to tell the file's rows apart from its header, makes room for the codes of
    /// the rows to come, estimated from the bytes per row so far.
    pub fn note_read(&mut self, rows: u64, consumed: u64) {
        if self.sized || rows < ROWS_TO_ESTIMATE || consumed == 0 {
            return;
        }
        let total = u64::try_from(self.batch.byte_size).unwrap_or(0);
        let estimated = u128::from(total) * u128::from(rows) / u128::from(consumed);
        // A tenth more, for rows a little longer than the first ones.
        let estimated = u64::try_from(estimated + estimated / 10).unwrap_or(u64::MAX);
        self.within_file.expect_rows(estimated);
        self.sized = true;
    }

    /// Counts a register row that continued the project of the row above.
    pub fn count_continued(&mut self) {
        self.batch.continued_rows += 1;
    }

    /// Takes a totals row (合计, 总计, 小计) as read: checks its figures against the
    /// register rows it covers and counts it as checked when they add up.
    pub fn take_totals(&mut self, declared: Result<DeclaredTotals, Vec<RowError>>) {
        let checked = declared.and_then(|declared| self.totals.check(&self.layout, &declared));
        match checked {
            Ok(true) => self.batch.totals_checked += 1,
            Ok(false) => {}
            Err(errors) => errors.into_iter().for_each(|e| self.errors.push(e)),
        }
    }

    /// Checks the pending rows against the register and, while the file is clean so
    /// far, writes them to `target`.
    ///
    /// Fails when the database fails.
    pub fn flush(&mut self, target: &mut Target<'_>) -> Result<(), ImportFailure> {
        let pending = std::mem::take(&mut self.pending);
        if pending.is_empty() {
            return Ok(());
        }
        let registered = match target.lookup() {
            Some(conn) if !self.register_empty => look_up(conn, &self.scope, &pending)?,
            // The register was empty when the import took the chain lock.
            _ => Registered::default(),
        };
        let (new_projects, new_assets) = self.compare(&registered, &pending);
        if !self.errors.is_empty() {
            return Ok(());
        }
        let Some(writer) = self.writer.as_mut() else {
            return Ok(());
        };
        let writes = writer.build(&self.batch, &new_projects, &new_assets);
        if let Some(latest) = writes.latest_registered_on() {
            self.delta.registered_on(latest);
        }
        target.write(writes)
    }

    /// Compares the pending rows with `registered`, counting what is unchanged and what
    /// is new; returns the new projects and the new assets, each with its project.
    fn compare<'p>(
        &mut self,
        registered: &Registered,
        pending: &'p [Pending],
    ) -> (
        Vec<&'p ProjectRecord>,
        Vec<(&'p AssetRecord, &'p ProjectRecord)>,
    ) {
        let mut new_projects = Vec::new();
        let mut new_assets = Vec::new();
        // A dry run writes nothing, so sums no figures.
        let today = self.writer.as_ref().map(Writer::today);
        for Pending {
            row,
            first_of_project,
        } in pending
        {
            let code = &row.project.code;
            if *first_of_project {
                let verdict = registered.compare_project(
                    &self.layout,
                    row.line,
                    &row.project,
                    &mut self.errors,
                );
                let fate = self.within_file.fate_mut(code);
                match verdict {
                    Verdict::Unchanged => {
                        self.batch.projects_unchanged += 1;
                        if let Some(fate) = fate {
                            fate.unchanged = true;
                        }
                    }
                    Verdict::New => {
                        self.batch.projects_created += 1;
                        if let Some(fate) = fate {
                            fate.created = true;
                        }
                        if today.is_some() {
                            self.figures.project(&row.project);
                        }
                        new_projects.push(&row.project);
                    }
                    Verdict::Conflicts => {}
                }
            }
            let Some(asset) = &row.asset else {
                if self
                    .within_file
                    .fate(code)
                    .is_some_and(|fate| fate.unchanged)
                {
                    self.batch.rows_unchanged += 1;
                }
                continue;
            };
            match registered.compare_asset(&self.layout, row.line, asset, &mut self.errors) {
                Verdict::Unchanged => {
                    self.batch.assets_unchanged += 1;
                    self.batch.rows_unchanged += 1;
                }
                Verdict::New => {
                    self.batch.assets_created += 1;
                    if let Some(fate) = self.within_file.fate_mut(code) {
                        if let Some(today) = today.filter(|_| fate.created) {
                            let on = asset.confirmed_on.unwrap_or(today);
                            let counted = (asset.class, asset.value.fen());
                            self.figures
                                .asset(&row.project, &mut fate.first, counted, on);
                        }
                        fate.gains(asset.class, asset.value.fen());
                    }
                    self.delta.asset_created(asset);
                    new_assets.push((asset, &row.project));
                }
                Verdict::Conflicts => {}
            }
        }
        (new_projects, new_assets)
    }

    /// Ends the pass once every row is taken: a file without a data row is empty.
    pub fn finish(&mut self) {
        if self.batch.data_rows == 0 && self.errors.is_empty() {
            self.errors.push(RowError::file(
                Some(self.layout.header_line),
                None,
                "empty_file",
                "表头下没有任何数据行".to_owned(),
            ));
        }
    }

    /// The change the written rows make to the maintained totals, checked against the
    /// totals now: `None` when a figure would pass 64 bits, which is then the file's
    /// error `total_too_large` (on the funds column for funds, else the value column).
    ///
    /// Fails when a lookup fails.
    pub fn summary_delta(
        &mut self,
        conn: &mut DbConnection,
    ) -> Result<Option<Delta>, ImportFailure> {
        let fates = self.within_file.fates();
        let checked = match std::mem::take(&mut self.delta).finish(conn, &self.batch.id, fates)? {
            Ok(mut delta) => {
                if let Some(touched) = delta.touched.as_mut() {
                    touched.figures = std::mem::take(&mut self.figures);
                }
                Summary::load(conn)?.after(&delta).map(|_| delta)
            }
            Err(overflow) => Err(overflow),
        };
        match checked {
            Ok(delta) => Ok(Some(delta)),
            Err(overflow) => {
                let field = if overflow.is_funds() {
                    Field::ProjectFunds
                } else {
                    Field::AssetValue
                };
                let column = self
                    .layout
                    .position(field)
                    .map(|at| self.layout.headers[at].clone());
                let message = format!("导入后{overflow}");
                self.errors
                    .push(RowError::file(None, column, "total_too_large", message));
                Ok(None)
            }
        }
    }

    /// Frees the asset codes kept for the duplicate check.
    pub fn forget_asset_codes(&mut self) {
        self.within_file.forget_asset_codes();
    }

    /// Frees what the file said of each project, once the change to the totals is
    /// known.
    pub fn forget_projects(&mut self) {
        self.within_file = WithinFile::new();
    }

    /// The report of the pass as `status`: the batch's counts, the errors listed, the
    /// warnings; no batch id for a dry run.
    pub fn report(&self, status: BatchStatus) -> BatchReport {
        let mut report = self.batch.to_summary();
        report.errors = self.errors.listed().to_vec();
        report.status = status;
        report.error_count = self.errors.count();
        report.set_warnings(&WarningSummary::of(&self.layout.warnings));
        if status == BatchStatus::DryRun || self.writer.is_none() {
            report.id = None;
        }
        report
    }

    /// The batch and the errors, given up (for the record of a rejection).
    pub fn into_rejection(self) -> (BatchRow, ErrorList) {
        (self.batch, self.errors)
    }
}

/// Looks up the register's rows that `pending` names: the projects first named in the
/// chunk and every asset, telling apart those outside the importer's `scope`.
fn look_up(
    conn: &mut DbConnection,
    scope: &Scope,
    pending: &[Pending],
) -> Result<Registered, ImportFailure> {
    let project_codes: Vec<&str> = pending
        .iter()
        .filter(|p| p.first_of_project)
        .map(|p| p.row.project.code.as_str())
        .collect();
    let asset_codes: Vec<&str> = pending
        .iter()
        .filter_map(|p| p.row.asset.as_ref().map(|a| a.code.as_str()))
        .collect();
    Registered::look_up(conn, scope, &project_codes, &asset_codes)
}

/// The error `out_of_scope` when the project of the row at `line` (and so its asset,
/// which takes the project's town, village and department) lies outside `scope`, in
/// the column that places it there.
fn out_of_scope(
    layout: &Layout,
    scope: &Scope,
    line: u64,
    project: &ProjectRecord,
) -> Option<RowError> {
    if scope.holds(
        &project.town,
        project.village.as_deref(),
        project.department.as_deref(),
    ) {
        return None;
    }
    let field = match scope {
        Scope::Department(_) => Field::Department,
        Scope::Village { town, .. } if *town == project.town => Field::Village,
        _ => Field::Town,
    };
    let message = format!(
        "此行的项目（{}{}）不在令牌的范围（{}）内，未写入任何数据",
        project.town,
        project.village.as_deref().unwrap_or_default(),
        scope.label()
    );
    Some(RowError::cell(
        line,
        layout.header_of(field),
        "out_of_scope",
        message,
    ))
}
