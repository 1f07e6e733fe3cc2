//! Appending one entry: the rules of the ledger, the chain and the projection, all in
//! one transaction.

use diesel::prelude::*;

use super::chain::{chain, lock_head, EntryPlace, EntryRow, NewEntry};
use super::entry::{EntryData, EntryKind, EntryRequest, StoredDataError};
use super::idempotency::{replay, request_sha256};
use super::projection::{cancelling, fold, AssetState, Folded, MalformedEntry};
use super::store::store_idempotency_key;
use super::store::{entries_of_asset, entry, idempotency_key, key_kept_by_another_write};
use super::store::{insert_rows, store_head};
use crate::db::db_variant_from_query;
use crate::db::schema::{assets, projects};
use crate::db::{DbConnection, DbError};
use crate::domain::dates::timestamp_now;
use crate::domain::{AssetClass, AssetStatus, Scope, Vocabulary, Yuan};
use crate::register::figures;
use crate::register::query::find_asset;
use crate::register::store::AssetRow;
use crate::register::summary::{self, ApplyError, Delta, FigureOverflow};

/// What to append.
#[derive(Debug, Clone)]
pub struct AppendRequest {
    /// The asset's UUID or code.
    pub asset: String,
    /// The writer's scope: an asset outside it is not found.
    pub scope: Scope,
    /// The parsed entry.
    pub entry: EntryRequest,
    /// The token name writing it.
    pub actor: String,
    /// The client's `Idempotency-Key`, if sent.
    pub idempotency_key: Option<String>,
    /// The request body as canonical JSON, to tell a retry from a reuse of the key.
    pub canonical_body: String,
}

/// How an append ended.
#[derive(Debug, Clone)]
pub enum AppendOutcome {
    /// The entry was appended.
    Created(EntryRow),
    /// The same key and request were seen before: the original entry.
    Replayed(EntryRow),
}

/// Why an entry was not appended.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    /// No asset has this id or code.
    #[error("no asset {0}")]
    AssetNotFound(String),
    /// The entry breaks a rule of the ledger.
    #[error("{message}")]
    Rule {
        /// Machine-readable code.
        code: &'static str,
        /// The field at fault.
        field: &'static str,
        /// What is wrong, in Chinese.
        message: String,
    },
    /// The key was used before with another request.
    #[error("idempotency key reused with another request")]
    IdempotencyKeyReused,
    /// A stored entry is malformed.
    #[error(transparent)]
    Malformed(#[from] MalformedEntry),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

db_variant_from_query!(AppendError);

fn rule(code: &'static str, field: &'static str, message: String) -> AppendError {
    AppendError::Rule {
        code,
        field,
        message,
    }
}

/// The refusal of an entry that would push a figure past 64 bits, on the field of the
/// entry that carries the amount.
fn too_large(entry: &EntryRequest, overflow: FigureOverflow) -> AppendError {
    let field = match entry.kind() {
        EntryKind::ValueAdjusted => "value",
        EntryKind::Income | EntryKind::IncomeDistributed => "amount",
        EntryKind::Correction => "corrects",
        _ => "kind",
    };
    rule("total_too_large", field, format!("记录后{overflow}"))
}

/// Checks that the value of the asset's project, its other assets (disposed ones
/// included) and this one at `value_fen`, stays within 64 bits.
fn check_project_value(
    conn: &mut DbConnection,
    asset: &AssetRow,
    value_fen: i64,
) -> Result<Result<(), FigureOverflow>, AppendError> {
    let others: Vec<i64> = assets::table
        .filter(assets::project_code.eq(&asset.project_code))
        .filter(assets::id.ne(&asset.id))
        .select(assets::value_fen)
        .load(conn)?;
    let sum = others
        .into_iter()
        .try_fold(value_fen, |sum, value| sum.checked_add(value));
    Ok(sum.map(|_| ()).ok_or(FigureOverflow {
        label: "项目的资产价值合计",
    }))
}

/// The rule every entry's citations follow, whether appended at once or proposed:
/// each digest in `attachments` names a stored file.
///
/// Fails with the rule `unknown_attachment` naming the first unknown digest, or when
/// the database fails.
pub fn check_attachments(conn: &mut DbConnection, entry: &EntryRequest) -> Result<(), AppendError> {
    match super::attachments::first_unknown(conn, &entry.attachments)? {
        None => Ok(()),
        Some(digest) => Err(rule(
            "unknown_attachment",
            "attachments",
            format!("没有 SHA-256 为 {digest} 的附件：请先上传附件（POST /api/v1/attachments）"),
        )),
    }
}

/// Reads a stored row's typed data.
///
/// Fails when its kind is unknown or its data does not fit the kind.
pub fn data_of(row: &EntryRow) -> Result<EntryData, MalformedEntry> {
    EntryData::from_stored(&row.kind, &row.data).map_err(|e| MalformedEntry {
        seq: row.seq,
        what: match e {
            StoredDataError::UnknownKind(_) => "kind",
            StoredDataError::Data(_) => "data",
        },
    })
}

/// The corrections among an asset's stored rows (in `seq` order), newest first, as
/// `(seq, the seq it corrects)`.
///
/// Fails when an entry is malformed.
fn corrections_newest_first(rows: &[EntryRow]) -> Result<Vec<(i64, i64)>, MalformedEntry> {
    let mut corrections = Vec::new();
    for row in rows.iter().rev() {
        if row.kind == EntryKind::Correction.as_str() {
            if let EntryData::Correction(c) = data_of(row)? {
                corrections.push((row.seq, c.corrects));
            }
        }
    }
    Ok(corrections)
}

/// Folds stored rows into a state.
///
/// Fails when an entry is malformed.
pub fn fold_rows(rows: &[EntryRow]) -> Result<Option<AssetState>, MalformedEntry> {
    let parsed: Vec<(i64, EntryData)> = rows
        .iter()
        .map(|row| Ok((row.seq, data_of(row)?)))
        .collect::<Result<_, MalformedEntry>>()?;
    let view: Vec<Folded<'_>> = parsed
        .iter()
        .map(|(seq, data)| Folded { seq: *seq, data })
        .collect();
    fold(&view)
}

/// How an entry changes the maintained totals: the asset's live count and value, and,
/// when it leaves or re-enters the live assets, its project's membership of the class.
fn summary_delta(
    conn: &mut DbConnection,
    asset: &AssetRow,
    before: &AssetState,
    after: &AssetState,
    entry: &EntryRequest,
) -> Result<Delta, AppendError> {
    let mut delta = Delta::default();
    if entry.kind().changes_value() {
        delta.value_event_on = Some(entry.occurred_on.to_string());
    }
    let class = AssetClass::parse(&asset.class).ok_or(MalformedEntry {
        seq: asset.last_seq,
        what: "class",
    })?;
    let live_before = before.status != AssetStatus::Disposed;
    let live_after = after.status != AssetStatus::Disposed;
    let value = |live: bool, state: &AssetState| if live { state.value.fen() } else { 0 };
    delta.overall.assets = i64::from(live_after) - i64::from(live_before);
    delta.overall.value_fen = value(live_after, after) - value(live_before, before);
    let figures = delta.class(class);
    figures.assets = i64::from(live_after) - i64::from(live_before);
    figures.value_fen = value(live_after, after) - value(live_before, before);
    if live_before != live_after {
        let others: i64 = assets::table
            .filter(assets::project_code.eq(&asset.project_code))
            .filter(assets::class.eq(&asset.class))
            .filter(assets::status.ne(AssetStatus::Disposed.as_str()))
            .filter(assets::id.ne(&asset.id))
            .count()
            .get_result(conn)?;
        if others == 0 {
            let funds: i64 = projects::table
                .find(&asset.project_code)
                .select(projects::funds_fen)
                .first(conn)?;
            let sign = if live_after { 1 } else { -1 };
            let figures = delta.class(class);
            figures.projects += sign;
            figures.funds_fen = sign * funds;
        }
    }
    Ok(delta)
}

/// The projection an asset's row holds.
///
/// Fails when the row's status or amounts are not ones the fold could have written.
fn state_of_row(asset: &AssetRow) -> Result<AssetState, MalformedEntry> {
    let malformed = |what| MalformedEntry {
        seq: asset.last_seq,
        what,
    };
    let yuan = |fen| Yuan::from_fen(fen).ok_or(malformed("amount"));
    Ok(AssetState {
        owner_name: asset.owner_name.clone(),
        owner_type: asset.owner_type.clone(),
        owner_id_number: asset.owner_id_number.clone(),
        custodian: asset.custodian.clone(),
        status: AssetStatus::parse(&asset.status).ok_or(malformed("status"))?,
        confirmed_on: asset.confirmed_on.clone(),
        certificate_no: asset.certificate_no.clone(),
        value: yuan(asset.value_fen)?,
        income: yuan(asset.income_fen)?,
        distributed: yuan(asset.distributed_fen)?,
    })
}

/// Appends an entry to an asset's history and updates its projection, in one
/// transaction that also holds the chain's lock.
///
/// Fails with [`AppendError`] when the asset is unknown, a rule is broken, the key was
/// reused, or the database fails; nothing is written then.
pub fn append_entry(
    conn: &mut DbConnection,
    request: &AppendRequest,
) -> Result<AppendOutcome, AppendError> {
    conn.transaction(|conn| append_within(conn, request))
        .inspect(|outcome| {
            if let AppendOutcome::Created(_) = outcome {
                crate::observe::metrics::METRICS.ledger_append();
            }
        })
}

/// Why a trial append ended.
enum Trial {
    /// The entry would be refused.
    Refused(AppendError),
    /// The entry would be appended: rolled back.
    Passed,
}

impl From<diesel::result::Error> for Trial {
    fn from(e: diesel::result::Error) -> Self {
        Trial::Refused(e.into())
    }
}

/// Checks that `request` would be appended now, by appending it in a transaction that
/// is rolled back: every rule of the ledger is applied, nothing is written (a proposal
/// is checked so before it waits for approval).
///
/// Fails with the [`AppendError`] the append would fail with.
pub fn check_append(conn: &mut DbConnection, request: &AppendRequest) -> Result<(), AppendError> {
    match conn.transaction::<(), Trial, _>(|conn| {
        append_within(conn, request).map_err(Trial::Refused)?;
        Err(Trial::Passed)
    }) {
        Ok(()) | Err(Trial::Passed) => Ok(()),
        Err(Trial::Refused(e)) => Err(e),
    }
}

/// [`append_entry`] inside a transaction the caller holds (a savepoint when nested).
///
/// Fails as [`append_entry`] does; the caller's transaction must then roll back.
pub fn append_within(
    conn: &mut DbConnection,
    request: &AppendRequest,
) -> Result<AppendOutcome, AppendError> {
    {
        let head = lock_head(conn)?;
        let asset = find_asset(conn, &request.scope, &request.asset)?
            .ok_or_else(|| AppendError::AssetNotFound(request.asset.clone()))?;
        let request_sha256 = request_sha256(request, &asset.id);
        if let Some(key) = &request.idempotency_key {
            if let Some((sha, seq)) = idempotency_key(conn, key)? {
                return replay(conn, request, &asset.id, &request_sha256, &sha, seq);
            }
            if key_kept_by_another_write(conn, key)? {
                return Err(AppendError::IdempotencyKeyReused);
            }
        }
        let new = &request.entry;
        let current = state_of_row(&asset)?;
        if current.status == AssetStatus::Disposed && new.kind() != EntryKind::Correction {
            return Err(rule(
                "asset_disposed",
                "kind",
                format!("资产 {} 已处置，只能记录更正（correction）", asset.code),
            ));
        }
        if new.kind() == EntryKind::ContractEnded {
            let day = new.occurred_on.naive();
            let rows = entries_of_asset(conn, &asset.code)?;
            let contracts = super::contracts::contracts_of(&rows).unwrap_or_default();
            if super::contracts::active_on(&contracts, day).is_none() {
                return Err(rule(
                    "no_contract",
                    "occurred_on",
                    format!("资产 {} 在 {day} 没有生效的经营合同可以终止", asset.code),
                ));
            }
        }
        check_attachments(conn, new)?;
        if let Some(target) = new.corrects() {
            match entry(conn, target)?.filter(|row| row.asset_id == asset.id) {
                None => {
                    return Err(rule(
                        "unknown_entry",
                        "corrects",
                        format!("资产 {} 没有 seq 为 {target} 的条目", asset.code),
                    ));
                }
                Some(row) if row.kind == EntryKind::Registered.as_str() => {
                    return Err(rule(
                        "cannot_correct_registration",
                        "corrects",
                        "登记条目不能更正；登记有误请处置或调整价值".to_owned(),
                    ));
                }
                Some(_) => {}
            }
            let rows = entries_of_asset(conn, &asset.code)?;
            if let Some(by) = cancelling(&corrections_newest_first(&rows)?, target) {
                return Err(rule(
                    "already_corrected",
                    "corrects",
                    format!(
                        "资产 {} 的第 {target} 条已由第 {by} 条更正，不能再次更正；如需撤销那次更正，请更正第 {by} 条",
                        asset.code
                    ),
                ));
            }
        }
        let now = timestamp_now();
        let (mut new_rows, new_head) = chain(
            &head,
            vec![NewEntry {
                asset_id: asset.id.clone(),
                asset_code: asset.code.clone(),
                kind: new.kind().as_str(),
                occurred_on: new.occurred_on.to_string(),
                recorded_at: now.clone(),
                actor: request.actor.clone(),
                data: new.stored_data(),
                batch_id: None,
                place: EntryPlace::of(&asset),
            }],
        );
        // The asset's row holds the fold of its entries (verification checks it), so
        // an entry applies to that state; only a correction, which cancels an earlier
        // entry, needs the whole history folded again.
        let state = if new.kind() == EntryKind::Correction {
            let mut rows = entries_of_asset(conn, &asset.code)?;
            rows.extend(new_rows.iter().cloned());
            fold_rows(&rows)?.ok_or(MalformedEntry {
                seq: new_head.seq,
                what: "no registered entry",
            })?
        } else {
            let mut state = current.clone();
            // The only failure of `apply` is a running total past 64 bits.
            if state.apply(new_head.seq, &new.data).is_err() {
                let label = if new.kind() == EntryKind::Income {
                    "该资产的累计经营收益"
                } else {
                    "该资产的累计分配收益"
                };
                return Err(too_large(new, FigureOverflow { label }));
            }
            state
        };
        if state.distributed > state.income {
            return Err(rule(
                "overdistributed",
                "amount",
                format!(
                    "累计分配收益 {} 元将超过累计经营收益 {} 元",
                    crate::domain::shown::yuan(state.distributed.fen()),
                    crate::domain::shown::yuan(state.income.fen())
                ),
            ));
        }
        if state.value > current.value {
            if let Err(overflow) = check_project_value(conn, &asset, state.value.fen())? {
                return Err(too_large(new, overflow));
            }
        }
        let delta = summary_delta(conn, &asset, &current, &state, new)?;
        match summary::apply(conn, &delta) {
            Ok(()) => {}
            Err(ApplyError::Query(e)) => return Err(e.into()),
            Err(ApplyError::Overflow(overflow)) => return Err(too_large(new, overflow)),
        }
        // The figures by group and by date of the asset's project: its contribution
        // taken away before the entry is written and the asset's row changes, and
        // added again after. A value event changes the figures by date even when it
        // leaves today's alone (a back-dated adjustment to the value the asset has now).
        let project = [asset.project_code.clone()];
        let refigure = delta.changes_figures() || new.kind().changes_value();
        if refigure {
            figures::withdraw(conn, &project)?;
        }
        insert_rows(conn, &new_rows)?;
        diesel::update(assets::table.find(&asset.id))
            .set((
                assets::owner_name.eq(&state.owner_name),
                assets::owner_type.eq(&state.owner_type),
                assets::owner_id_number.eq(&state.owner_id_number),
                assets::custodian.eq(&state.custodian),
                assets::status.eq(state.status.as_str()),
                assets::confirmed_on.eq(&state.confirmed_on),
                assets::certificate_no.eq(&state.certificate_no),
                assets::value_fen.eq(state.value.fen()),
                assets::income_fen.eq(state.income.fen()),
                assets::distributed_fen.eq(state.distributed.fen()),
                assets::last_seq.eq(new_head.seq),
            ))
            .execute(conn)?;
        if new.kind().changes_value() {
            diesel::update(assets::table.find(&asset.id))
                .set(assets::has_value_events.eq(1))
                .execute(conn)?;
        }
        if refigure {
            figures::deposit(conn, &project)?;
        }
        crate::reconcile::findings::maintain::after_append(conn, &asset)?;
        store_head(conn, &new_head)?;
        if let Some(key) = &request.idempotency_key {
            store_idempotency_key(conn, key, &request_sha256, new_head.seq, &now)?;
        }
        Ok(AppendOutcome::Created(new_rows.remove(0)))
    }
}
