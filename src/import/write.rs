//! Writing what a chunk registers: the rows of its new projects and assets, their
//! registered fields and their `registered` ledger entries (which carry the digest of
//! those fields, held once in the register: see `ledger::registered`), chained after the head, built where the rows are
//! checked and inserted on the import's connection — or, into an empty register, by a
//! writing thread of their own, so that building and writing overlap.

use std::sync::mpsc::{sync_channel, SyncSender};
use std::thread::{Scope, ScopedJoinHandle};

use diesel::QueryResult;

use super::batch::BatchRow;
use super::error::ImportFailure;
use crate::db::rows::HeldRow;
use crate::db::DbConnection;
use crate::domain::BusinessDate;
use crate::ledger::entry::kinds::{CustodianChanged, HandedOver, Registered};
use crate::ledger::entry::EntryData;
use crate::ledger::{self, EntryPlace, EntryRow, Head, NewEntry};
use crate::register::store::{AssetRow, ProjectRow};
use crate::register::{AssetRecord, ProjectRecord};

/// Chunks built ahead of the writing thread.
const WRITE_AHEAD_CHUNKS: usize = 2;

/// The rows one chunk registers, inserted in this order: one multi-row insert per table.
pub struct Writes {
    projects: Vec<ProjectRow>,
    assets: Vec<AssetRow>,
    held: Vec<HeldRow>,
    entries: Vec<EntryRow>,
}

impl Writes {
    /// Inserts the rows.
    ///
    /// Fails when an insert fails.
    pub fn apply(&self, conn: &mut DbConnection) -> QueryResult<()> {
        ProjectRow::insert_all(conn, &self.projects)?;
        AssetRow::insert_all(conn, &self.assets)?;
        HeldRow::insert_all(conn, &self.held)?;
        ledger::insert_rows(conn, &self.entries)?;
        Ok(())
    }

    /// The latest business date of the chunk's `registered` entries, if it has any.
    pub fn latest_registered_on(&self) -> Option<&str> {
        self.entries
            .iter()
            .filter(|e| e.kind == "registered")
            .map(|e| e.occurred_on.as_str())
            .max()
    }
}

/// Where a chunk's lookups run and its rows go.
pub enum Target<'a> {
    /// Look up and write on this connection, in turn.
    Connection(&'a mut DbConnection),
    /// Hand the rows to the writing thread, which holds the connection. Only for an
    /// import into an empty register, which has nothing to look up.
    Writer(&'a SyncSender<Writes>),
}

impl Target<'_> {
    /// The connection to look the register up on, unless the writing thread holds it.
    pub fn lookup(&mut self) -> Option<&mut DbConnection> {
        match self {
            Target::Connection(conn) => Some(&mut **conn),
            Target::Writer(_) => None,
        }
    }

    /// Writes a chunk's rows, or hands them to the writing thread.
    ///
    /// Fails when an insert fails or the writing thread has stopped (its own failure
    /// says why).
    pub fn write(&mut self, writes: Writes) -> Result<(), ImportFailure> {
        match self {
            Target::Connection(conn) => writes.apply(conn)?,
            Target::Writer(queue) => queue.send(writes).map_err(|_| {
                ImportFailure::Io(std::io::Error::other("the writing thread stopped"))
            })?,
        }
        Ok(())
    }
}

/// Starts the writing thread on `conn`: it inserts the chunks sent to it in turn, until
/// the sender is dropped or an insert fails.
pub fn spawn_writing_thread<'scope>(
    scope: &'scope Scope<'scope, '_>,
    conn: &'scope mut DbConnection,
) -> (
    SyncSender<Writes>,
    ScopedJoinHandle<'scope, QueryResult<()>>,
) {
    let (writes, queued) = sync_channel::<Writes>(WRITE_AHEAD_CHUNKS);
    let written = scope.spawn(move || queued.iter().try_for_each(|w| w.apply(conn)));
    (writes, written)
}

/// Builds the rows of new projects and assets, chaining their entries after the head.
pub struct Writer {
    head: Head,
    today: BusinessDate,
}

impl Writer {
    /// Chains after `head`; an asset without 确权日期 is registered on `today`.
    pub fn new(head: Head, today: BusinessDate) -> Self {
        Writer { head, today }
    }

    /// The end of the chain after the chunks built so far.
    pub fn head(&self) -> &Head {
        &self.head
    }

    /// The day an asset without 确权日期 is registered on.
    pub fn today(&self) -> BusinessDate {
        self.today
    }

    /// The rows that register `projects` and `assets` (each with its project) by
    /// `batch`, with one `registered` entry per asset; the head moves past them.
    pub fn build(
        &mut self,
        batch: &BatchRow,
        projects: &[&ProjectRecord],
        assets: &[(&AssetRecord, &ProjectRecord)],
    ) -> Writes {
        let now = &batch.created_at;
        let project_rows = projects
            .iter()
            .map(|p| ProjectRow::new(p, &batch.id, now))
            .collect();
        let ids: Vec<String> = assets
            .iter()
            .map(|_| uuid::Uuid::now_v7().to_string())
            .collect();
        // Each asset's entries: `registered`, then a `handed_over` when the file gives a
        // 移交日期 (and a `custodian_changed` when it names a custodian other than the
        // receiver); the asset's row points at the last.
        let mut entries = Vec::with_capacity(assets.len());
        let mut counts = Vec::with_capacity(assets.len());
        for ((asset, project), id) in assets.iter().zip(&ids) {
            let before = entries.len();
            let place = EntryPlace {
                town: asset.town.clone(),
                department: project.department.clone(),
            };
            entries.push(registered_entry(batch, id, asset, &place, self.today));
            entries.extend(handover_entries(batch, id, asset, &place));
            counts.push(entries.len() - before);
        }
        let (entry_rows, head) = ledger::chain_held(&self.head, entries);
        let mut next = 0;
        let asset_rows: Vec<AssetRow> = assets
            .iter()
            .zip(&ids)
            .zip(&counts)
            .map(|(((asset, project), id), count)| {
                let first = &entry_rows[next];
                let last = &entry_rows[next + count - 1];
                next += count;
                let entry = (last.seq, first.occurred_on.as_str());
                AssetRow::new(id, asset, project, &batch.id, entry, now)
            })
            .collect();
        let held = asset_rows.iter().map(HeldRow::new).collect();
        self.head = head;
        Writes {
            projects: project_rows,
            assets: asset_rows,
            held,
            entries: entry_rows,
        }
    }
}

/// The entries that record the hand-over of an imported asset with a 移交日期: a
/// `handed_over` from its town to the receiver on that date, citing the import batch as
/// its document, and, when the file names
/// a custodian other than the receiver, a `custodian_changed` to it the same day (so
/// that the asset ends looked after as the file says).
fn handover_entries(
    batch: &BatchRow,
    asset_id: &str,
    asset: &AssetRecord,
    place: &EntryPlace,
) -> Vec<NewEntry> {
    let details = &asset.details;
    let (Some(on), Some(receiver)) = (details.handed_over_on, &details.received_by) else {
        return Vec::new();
    };
    let entry = |data: EntryData| NewEntry {
        asset_id: asset_id.to_owned(),
        asset_code: asset.code.to_string(),
        kind: data.kind().as_str(),
        occurred_on: on.to_string(),
        recorded_at: batch.created_at.clone(),
        actor: batch.actor.clone(),
        data: data.to_value(),
        batch_id: Some(batch.id.clone()),
        place: place.clone(),
    };
    let mut entries = vec![entry(EntryData::HandedOver(HandedOver {
        from: asset.town.clone(),
        to: receiver.clone(),
        document_no: format!("导入批次 {}", batch.id),
    }))];
    if let Some(custodian) = asset.custodian.as_ref().filter(|c| *c != receiver) {
        entries.push(entry(EntryData::CustodianChanged(CustodianChanged {
            custodian: custodian.clone(),
            responsible_person: None,
            phone: None,
        })));
    }
    entries
}

/// The `registered` entry of the new asset `asset_id` imported by `batch`: dated its
/// 确权日期, else `today`, and carrying its fields, which the chain replaces by their
/// digest.
fn registered_entry(
    batch: &BatchRow,
    asset_id: &str,
    asset: &AssetRecord,
    place: &EntryPlace,
    today: BusinessDate,
) -> NewEntry {
    let data = EntryData::Registered(Box::new(Registered::from(asset)));
    NewEntry {
        asset_id: asset_id.to_owned(),
        asset_code: asset.code.to_string(),
        kind: data.kind().as_str(),
        occurred_on: asset.confirmed_on.unwrap_or(today).to_string(),
        recorded_at: batch.created_at.clone(),
        actor: batch.actor.clone(),
        data: data.to_value(),
        batch_id: Some(batch.id.clone()),
        place: place.clone(),
    }
}
