//! Public notices (公示) of proposals and the objections raised against them: recorded
//! by clerks, they gate the last approval of a disposal or a distribution, and the open
//! ones appear on the village's public page and its printable notice.

use chrono::{Days, NaiveDate};
use diesel::prelude::*;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{json, Value};

use super::proposals::{ProposalRow, ProposalStatus};
use super::replies::{keyed_write, ChainLock, Keyed};
use super::{check_text, refused, ProposalError};
use crate::db::schema::{notice_objections, notices};
use crate::db::DbConnection;
use crate::domain::codes::could_be_key;
use crate::domain::dates::timestamp_now;
use crate::domain::{BusinessDate, Scope, Vocabulary};

/// A notice as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = notices)]
pub struct NoticeRow {
    /// UUID.
    pub id: String,
    /// The proposal it makes public.
    pub proposal_id: String,
    /// Where it was posted.
    pub place: String,
    /// Its first day.
    pub starts_on: String,
    /// How many days it runs.
    pub days: i64,
    /// Its last day.
    pub ends_on: String,
    /// The clerk who recorded it.
    pub recorded_by: String,
    /// When.
    pub recorded_at: String,
}

/// An objection as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = notice_objections)]
pub struct ObjectionRow {
    /// Its notice.
    pub notice_id: String,
    /// Its number within the notice, from 1.
    pub n: i64,
    /// What was objected.
    pub text: String,
    /// The clerk who recorded it.
    pub recorded_by: String,
    /// When.
    pub recorded_at: String,
    /// How it was resolved; `None` while open.
    pub resolution: Option<String>,
    /// Who resolved it.
    pub resolved_by: Option<String>,
    /// When.
    pub resolved_at: Option<String>,
}

/// An objection as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ObjectionView {
    /// Its number within the notice, from 1.
    pub n: i64,
    /// What was objected.
    pub text: String,
    /// Who recorded it.
    pub recorded_by: String,
    /// When (RFC 3339).
    pub recorded_at: String,
    /// Whether it is still open.
    pub open: bool,
    /// How it was resolved.
    pub resolution: Option<String>,
    /// Who resolved it.
    pub resolved_by: Option<String>,
    /// When.
    pub resolved_at: Option<String>,
}

/// A notice as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct NoticeView {
    /// Its id.
    pub id: String,
    /// The proposal it makes public.
    pub proposal_id: String,
    /// Where it was posted.
    pub place: String,
    /// Its first day.
    pub starts_on: String,
    /// How many days it runs.
    pub days: i64,
    /// Its last day.
    pub ends_on: String,
    /// Who recorded it.
    pub recorded_by: String,
    /// When (RFC 3339).
    pub recorded_at: String,
    /// The objections raised, in order.
    pub objections: Vec<ObjectionView>,
}

impl From<ObjectionRow> for ObjectionView {
    fn from(row: ObjectionRow) -> Self {
        let ObjectionRow {
            notice_id: _,
            n,
            text,
            recorded_by,
            recorded_at,
            resolution,
            resolved_by,
            resolved_at,
        } = row;
        ObjectionView {
            n,
            text,
            recorded_by,
            recorded_at,
            open: resolution.is_none(),
            resolution,
            resolved_by,
            resolved_at,
        }
    }
}

impl NoticeRow {
    /// The notice `id`, when its proposal is in `scope`.
    ///
    /// Fails when the query fails.
    pub fn find(conn: &mut DbConnection, scope: &Scope, id: &str) -> QueryResult<Option<Self>> {
        if !could_be_key(id) {
            return Ok(None);
        }
        let Some(row) = notices::table
            .find(id)
            .select(NoticeRow::as_select())
            .first(conn)
            .optional()?
        else {
            return Ok(None);
        };
        let in_scope = ProposalRow::find(conn, scope, &row.proposal_id)?.is_some();
        Ok(in_scope.then_some(row))
    }

    /// The notices of a proposal, oldest first.
    ///
    /// Fails when the query fails.
    pub fn of_proposal(conn: &mut DbConnection, proposal_id: &str) -> QueryResult<Vec<Self>> {
        notices::table
            .filter(notices::proposal_id.eq(proposal_id))
            .order((notices::recorded_at, notices::id))
            .select(NoticeRow::as_select())
            .load(conn)
    }

    /// Its objections, in order.
    ///
    /// Fails when the query fails.
    pub fn objections(&self, conn: &mut DbConnection) -> QueryResult<Vec<ObjectionRow>> {
        notice_objections::table
            .filter(notice_objections::notice_id.eq(&self.id))
            .order(notice_objections::n)
            .select(ObjectionRow::as_select())
            .load(conn)
    }

    /// The notice as the API shows it.
    ///
    /// Fails when the query fails.
    pub fn view(&self, conn: &mut DbConnection) -> QueryResult<NoticeView> {
        let objections = self.objections(conn)?;
        Ok(NoticeView {
            id: self.id.clone(),
            proposal_id: self.proposal_id.clone(),
            place: self.place.clone(),
            starts_on: self.starts_on.clone(),
            days: self.days,
            ends_on: self.ends_on.clone(),
            recorded_by: self.recorded_by.clone(),
            recorded_at: self.recorded_at.clone(),
            objections: objections.into_iter().map(ObjectionView::from).collect(),
        })
    }

    /// Whether it has run all its days by `today`.
    pub fn elapsed_by(&self, today: NaiveDate) -> bool {
        BusinessDate::stored(&self.ends_on).is_some_and(|last| last.naive() < today)
    }
}

/// The last day of a notice that starts on `starts_on` and runs `days` days.
pub fn last_day(starts_on: NaiveDate, days: u32) -> NaiveDate {
    starts_on
        .checked_add_days(Days::new(u64::from(days.max(1)) - 1))
        .unwrap_or(starts_on)
}

/// Whether a proposal's notices let its last approval through.
#[derive(Debug)]
pub enum NoticeGate {
    /// A notice ran its days and no objection is open.
    Clear,
    /// Not yet: why.
    Refused(ProposalError),
}

/// Whether the proposal `proposal_id` may get its last approval on `today`.
///
/// Fails when the query fails.
pub fn gate(
    conn: &mut DbConnection,
    proposal_id: &str,
    today: NaiveDate,
) -> QueryResult<NoticeGate> {
    let notices = NoticeRow::of_proposal(conn, proposal_id)?;
    if notices.is_empty() {
        return Ok(NoticeGate::Refused(refused(
            422,
            "notice_required",
            "",
            "处置和收益分配须先公示：请先为此事项登记公示（地点、起始日期、天数）",
        )));
    }
    if !notices.iter().any(|n| n.elapsed_by(today)) {
        let ends = notices
            .iter()
            .map(|n| n.ends_on.as_str())
            .min()
            .unwrap_or_default();
        return Ok(NoticeGate::Refused(refused(
            422,
            "notice_period_not_elapsed",
            "",
            format!("公示期未满：公示至 {ends}，期满后方可审批"),
        )));
    }
    for notice in &notices {
        if let Some(open) = notice
            .objections(conn)?
            .iter()
            .find(|o| o.resolution.is_none())
        {
            return Ok(NoticeGate::Refused(refused(
                422,
                "objection_open",
                "",
                format!(
                    "公示（{}）的第 {} 条异议尚未处理：“{}”",
                    notice.place, open.n, open.text
                ),
            )));
        }
    }
    Ok(NoticeGate::Clear)
}

/// A notice to record.
#[derive(Debug, Clone)]
pub struct NewNotice {
    /// The proposal.
    pub proposal_id: String,
    /// Where it was posted.
    pub place: String,
    /// Its first day.
    pub starts_on: BusinessDate,
    /// How many days it runs.
    pub days: u32,
}

/// The pending proposal `id` in `scope`.
fn pending(conn: &mut DbConnection, scope: &Scope, id: &str) -> Result<ProposalRow, ProposalError> {
    let proposal = ProposalRow::find(conn, scope, id)?
        .ok_or_else(|| ProposalError::NotFound(format!("没有 id 为“{id}”的审批事项")))?;
    let status = proposal.status();
    if status != ProposalStatus::Pending {
        return Err(refused(
            409,
            "proposal_decided",
            "proposal_id",
            format!("此事项{}，不能再公示或提出异议", status.label()),
        ));
    }
    Ok(proposal)
}

/// Records a notice of a pending proposal: 201 with the notice.
///
/// Fails with 404 when the proposal is not in `scope`, 409 `proposal_decided` when it
/// is no longer pending, as [`keyed_write`] does for a reused key.
pub fn record_notice(
    conn: &mut DbConnection,
    scope: &Scope,
    actor: &str,
    new: &NewNotice,
    keyed: &Keyed,
) -> Result<(u16, Value), ProposalError> {
    check_text("place", "公示地点", &new.place)?;
    keyed_write(conn, keyed, ChainLock::Always, |conn| {
        pending(conn, scope, &new.proposal_id)?;
        let id = uuid::Uuid::now_v7().to_string();
        let ends_on = last_day(new.starts_on.naive(), new.days);
        diesel::insert_into(notices::table)
            .values((
                notices::id.eq(&id),
                notices::proposal_id.eq(&new.proposal_id),
                notices::place.eq(&new.place),
                notices::starts_on.eq(new.starts_on.to_string()),
                notices::days.eq(i64::from(new.days)),
                notices::ends_on.eq(ends_on.format("%Y-%m-%d").to_string()),
                notices::recorded_by.eq(actor),
                notices::recorded_at.eq(timestamp_now()),
            ))
            .execute(conn)?;
        let row = NoticeRow::find(conn, &Scope::County, &id)?
            .ok_or_else(|| ProposalError::NotFound(id.clone()))?;
        Ok((201, json!(row.view(conn)?)))
    })
}

/// Records an objection to the notice `notice_id`: 201 with the objection.
///
/// Fails with 404 when the notice is not in `scope`, 409 `proposal_decided` when its
/// proposal is no longer pending.
pub fn object(
    conn: &mut DbConnection,
    scope: &Scope,
    actor: &str,
    notice_id: &str,
    text: &str,
    keyed: &Keyed,
) -> Result<(u16, Value), ProposalError> {
    check_text("text", "异议内容", text)?;
    keyed_write(conn, keyed, ChainLock::Always, |conn| {
        let notice = NoticeRow::find(conn, scope, notice_id)?
            .ok_or_else(|| ProposalError::NotFound(format!("没有 id 为“{notice_id}”的公示")))?;
        pending(conn, scope, &notice.proposal_id)?;
        let n = notice.objections(conn)?.last().map_or(1, |o| o.n + 1);
        let now = timestamp_now();
        diesel::insert_into(notice_objections::table)
            .values((
                notice_objections::notice_id.eq(&notice.id),
                notice_objections::n.eq(n),
                notice_objections::text.eq(text),
                notice_objections::recorded_by.eq(actor),
                notice_objections::recorded_at.eq(&now),
            ))
            .execute(conn)?;
        let row = objection(conn, &notice.id, n)?;
        Ok((201, json!(ObjectionView::from(row))))
    })
}

fn objection(
    conn: &mut DbConnection,
    notice_id: &str,
    n: i64,
) -> Result<ObjectionRow, ProposalError> {
    notice_objections::table
        .find((notice_id, n))
        .select(ObjectionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ProposalError::NotFound(format!("此公示没有第 {n} 条异议")))
}

/// Resolves objection `n` of the notice `notice_id`: 200 with the objection.
///
/// Fails with 404 when the notice is not in `scope` or has no such objection, 409
/// `objection_resolved` when it was resolved before.
pub fn resolve(
    conn: &mut DbConnection,
    scope: &Scope,
    actor: &str,
    notice_id: &str,
    n: i64,
    resolution: &str,
    keyed: &Keyed,
) -> Result<(u16, Value), ProposalError> {
    check_text("resolution", "处理结果", resolution)?;
    keyed_write(conn, keyed, ChainLock::Always, |conn| {
        let notice = NoticeRow::find(conn, scope, notice_id)?
            .ok_or_else(|| ProposalError::NotFound(format!("没有 id 为“{notice_id}”的公示")))?;
        let found = objection(conn, &notice.id, n)?;
        if found.resolution.is_some() {
            return Err(refused(
                409,
                "objection_resolved",
                "",
                format!("第 {n} 条异议已处理，不能再次处理"),
            ));
        }
        diesel::update(notice_objections::table.find((&notice.id, n)))
            .set((
                notice_objections::resolution.eq(Some(resolution)),
                notice_objections::resolved_by.eq(Some(actor)),
                notice_objections::resolved_at.eq(Some(timestamp_now())),
            ))
            .execute(conn)?;
        Ok((
            200,
            json!(ObjectionView::from(objection(conn, &notice.id, n)?)),
        ))
    })
}
