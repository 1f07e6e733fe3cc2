//! Campaigns: opening one over the live assets of a scope (the list kept as it was
//! then), finding a campaign a scope sees (`listing` lists them), their progress by
//! town and village, and closing one (its values frozen, the chain's head at that
//! moment kept).

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::db::db_variant_from_query;
use crate::db::schema::stocktakes;
use crate::db::{DbConnection, DbError};
use crate::domain::dates::{timestamp_now, today_in_china};
use crate::domain::vocabulary::closed_vocabulary;
use crate::domain::{Scope, Spelling, Vocabulary, Year};
use crate::ledger::lock_head;
use crate::register::scope::{asset_sql, literal, project_sql};

/// The longest name of a campaign, in characters.
const MAX_NAME_CHARS: usize = 100;

closed_vocabulary! {
    /// Whether a campaign still takes results.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum CampaignStatus {
        /// 进行中: results are recorded.
        Open => Spelling::new("open", "进行中"),
        /// 已结束: closed, its report fixed.
        Closed => Spelling::new("closed", "已结束"),
    }
}

/// A `stocktakes` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = stocktakes, treat_none_as_default_value = false)]
pub(super) struct StocktakeRow {
    pub(super) id: String,
    name: String,
    year: i32,
    scope: String,
    status: String,
    #[diesel(embed)]
    pub(super) tenure: Tenure,
}

/// When and by whom a campaign was opened, and closed: as the `stocktakes` row holds
/// it, and as the API sends it (within the campaign).
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    Queryable,
    Selectable,
    Insertable,
    serde::Serialize,
    schemars::JsonSchema,
)]
#[diesel(table_name = stocktakes, treat_none_as_default_value = false)]
pub struct Tenure {
    /// When it was opened (RFC 3339, UTC).
    pub opened_at: String,
    /// Who opened it (the token's name).
    pub opened_by: String,
    /// When it was closed.
    pub closed_at: Option<String>,
    /// Who closed it.
    pub closed_by: Option<String>,
    /// The day it was closed (China).
    pub closed_on: Option<String>,
    /// The ledger's last `seq` when it was closed: its figures are as of then.
    pub closed_seq: Option<i64>,
}

/// A stock-take campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Campaign {
    /// Its id (a UUID).
    pub id: String,
    /// Its name, e.g. 2026年度资产清查.
    pub name: String,
    /// The year it checks.
    pub year: i32,
    /// The part of the county it covers.
    pub scope: Scope,
    /// Open or closed.
    pub status: CampaignStatus,
    /// When and by whom it was opened and closed.
    pub tenure: Tenure,
}

impl Campaign {
    pub(super) fn of(row: StocktakeRow) -> Result<Self, StocktakeError> {
        let StocktakeRow {
            id,
            name,
            year,
            scope,
            status,
            tenure,
        } = row;
        let malformed = |what: &str| StocktakeError::Malformed(format!("campaign {id}: {what}"));
        Ok(Campaign {
            scope: Scope::parse(&scope).map_err(|_| malformed("scope"))?,
            status: CampaignStatus::parse(&status).ok_or_else(|| malformed("status"))?,
            id,
            name,
            year,
            tenure,
        })
    }

    /// Whether a token of `scope` sees this campaign: one that holds the campaign's
    /// scope (the county sees every campaign), or one the campaign's scope holds (a
    /// village sees the county's campaign, and its own part of it).
    pub fn seen_by(&self, scope: &Scope) -> bool {
        scope.contains(&self.scope) || self.scope.contains(scope)
    }
}

/// Why a stock-take request was refused.
#[derive(Debug, thiserror::Error)]
pub enum StocktakeError {
    /// No campaign with that id in the caller's sight.
    #[error("no campaign {0}")]
    NotFound(String),
    /// A field of the request breaks a rule.
    #[error("{message}")]
    Rule {
        /// Machine-readable code.
        code: &'static str,
        /// The field at fault.
        field: &'static str,
        /// What is wrong, in Chinese.
        message: String,
    },
    /// Results were refused row by row; nothing was written.
    #[error("{count} results refused")]
    Rejected {
        /// The first errors, in the order of the rows.
        errors: Vec<crate::stocktake::results::ResultError>,
        /// How many errors in all.
        count: usize,
    },
    /// A stored row is not one this register writes.
    #[error("malformed stock-take data: {0}")]
    Malformed(String),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

db_variant_from_query!(StocktakeError);

/// A rule broken by one field.
pub fn rule(code: &'static str, field: &'static str, message: String) -> StocktakeError {
    StocktakeError::Rule {
        code,
        field,
        message,
    }
}

/// What opening a campaign asks.
#[derive(Debug, Clone)]
pub struct Opening {
    /// Its name, as given.
    pub name: String,
    /// The year it checks, as given.
    pub year: i64,
    /// The scope it covers (`county`, `town:…`, …); the caller's own when absent.
    pub scope: Option<String>,
}

/// Opens a campaign over every asset not disposed in its scope, the list of them kept
/// as it is now, by the token `actor` of scope `caller`.
///
/// Fails with a rule (`invalid_name`, `invalid_year`, `invalid_scope`,
/// `scope_outside_token`) naming the field, or when the database fails; nothing is
/// written then.
pub fn open(
    conn: &mut DbConnection,
    caller: &Scope,
    actor: &str,
    opening: &Opening,
) -> Result<Campaign, StocktakeError> {
    let name = opening.name.trim().to_owned();
    if name.is_empty()
        || name.chars().count() > MAX_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(rule(
            "invalid_name",
            "name",
            format!("盘点名称不能为空，不超过 {MAX_NAME_CHARS} 个字符，且不含控制字符"),
        ));
    }
    let year = i32::try_from(opening.year)
        .ok()
        .and_then(Year::new)
        .ok_or_else(|| {
            rule(
                "invalid_year",
                "year",
                format!(
                    "盘点年度应为 {} 至 {} 之间的整数，收到 {}",
                    Year::FIRST,
                    Year::last_accepted(),
                    opening.year
                ),
            )
        })?;
    let scope = match &opening.scope {
        Some(text) => {
            Scope::parse(text).map_err(|e| rule("invalid_scope", "scope", e.to_string()))?
        }
        None => caller.clone(),
    };
    if !caller.contains(&scope) {
        return Err(rule(
            "scope_outside_token",
            "scope",
            format!(
                "盘点范围“{}”超出令牌的范围“{}”",
                scope.label(),
                caller.label()
            ),
        ));
    }
    let row = StocktakeRow {
        id: uuid::Uuid::now_v7().to_string(),
        name,
        year: year.get(),
        scope: scope.to_string(),
        status: CampaignStatus::Open.as_str().to_owned(),
        tenure: Tenure {
            opened_at: timestamp_now(),
            opened_by: actor.to_owned(),
            closed_at: None,
            closed_by: None,
            closed_on: None,
            closed_seq: None,
        },
    };
    conn.transaction(|conn| {
        diesel::insert_into(stocktakes::table)
            .values(&row)
            .execute(conn)?;
        diesel::sql_query(format!(
            "INSERT INTO stocktake_assets (stocktake_id, asset_id, asset_code, town, village, value_fen) \
             SELECT {id}, a.id, a.code, a.town, COALESCE(a.village, ''), a.value_fen \
             FROM assets a WHERE a.status <> 'disposed' AND {in_scope}",
            id = literal(&row.id),
            in_scope = asset_sql(&scope, "a"),
        ))
        .execute(conn)?;
        Ok::<_, StocktakeError>(())
    })?;
    Campaign::of(row)
}

/// The campaign `id` if a token of `scope` sees it.
///
/// Fails with [`StocktakeError::NotFound`] otherwise, or when the query fails.
pub fn find(conn: &mut DbConnection, scope: &Scope, id: &str) -> Result<Campaign, StocktakeError> {
    let not_found = || StocktakeError::NotFound(id.to_owned());
    if !super::is_campaign_id(id) {
        return Err(not_found());
    }
    let row: Option<StocktakeRow> = stocktakes::table
        .find(id)
        .select(StocktakeRow::as_select())
        .first(conn)
        .optional()?;
    let campaign = Campaign::of(row.ok_or_else(not_found)?)?;
    if campaign.seen_by(scope) {
        Ok(campaign)
    } else {
        Err(not_found())
    }
}

/// The SQL condition that the `stocktake_assets` row aliased `sa` is of an asset in
/// `scope` (town and village are the asset's, kept on the row).
pub fn member_sql(scope: &Scope, sa: &str) -> String {
    match scope {
        Scope::Department(_) => format!(
            "{sa}.asset_id IN (SELECT a.id FROM assets a WHERE {})",
            asset_sql(scope, "a")
        ),
        _ => project_sql(scope, sa),
    }
}

/// The counts and values of one town and village of a campaign (or of all of it).
#[derive(Debug, Clone, Default, PartialEq, Eq, QueryableByName)]
pub struct TallyLine {
    /// 镇街 (empty for the whole).
    #[diesel(sql_type = Text)]
    pub town: String,
    /// 村 (empty for none, or for the whole).
    #[diesel(sql_type = Text)]
    pub village: String,
    /// Assets to check.
    #[diesel(sql_type = BigInt)]
    pub assets: i64,
    /// Their value, in fen.
    #[diesel(sql_type = BigInt)]
    pub value_fen: i64,
    /// Found normal (正常).
    #[diesel(sql_type = BigInt)]
    pub normal: i64,
    /// Their value.
    #[diesel(sql_type = BigInt)]
    pub normal_fen: i64,
    /// Found idle (闲置).
    #[diesel(sql_type = BigInt)]
    pub idle: i64,
    /// Their value.
    #[diesel(sql_type = BigInt)]
    pub idle_fen: i64,
    /// Found damaged (损毁).
    #[diesel(sql_type = BigInt)]
    pub damaged: i64,
    /// Their value.
    #[diesel(sql_type = BigInt)]
    pub damaged_fen: i64,
    /// Not found (缺失): their value is the 盘亏.
    #[diesel(sql_type = BigInt)]
    pub missing: i64,
    /// Their value: 盘亏.
    #[diesel(sql_type = BigInt)]
    pub missing_fen: i64,
}

impl TallyLine {
    /// Assets with a result.
    pub fn checked(&self) -> i64 {
        self.normal + self.idle + self.damaged + self.missing
    }

    /// Assets still without a result.
    pub fn unchecked(&self) -> i64 {
        self.assets - self.checked()
    }

    /// The value of the assets still without a result.
    pub fn unchecked_fen(&self) -> i64 {
        self.value_fen - self.normal_fen - self.idle_fen - self.damaged_fen - self.missing_fen
    }

    /// Adds `other`'s counts and values.
    ///
    /// Fails (`None`) when a sum passes 64 bits.
    fn add(&mut self, other: &TallyLine) -> Option<()> {
        self.assets = self.assets.checked_add(other.assets)?;
        self.value_fen = self.value_fen.checked_add(other.value_fen)?;
        self.normal = self.normal.checked_add(other.normal)?;
        self.normal_fen = self.normal_fen.checked_add(other.normal_fen)?;
        self.idle = self.idle.checked_add(other.idle)?;
        self.idle_fen = self.idle_fen.checked_add(other.idle_fen)?;
        self.damaged = self.damaged.checked_add(other.damaged)?;
        self.damaged_fen = self.damaged_fen.checked_add(other.damaged_fen)?;
        self.missing = self.missing.checked_add(other.missing)?;
        self.missing_fen = self.missing_fen.checked_add(other.missing_fen)?;
        Some(())
    }
}

/// A campaign's progress: by town and village, and the whole.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// By town, then village.
    pub lines: Vec<TallyLine>,
    /// All of them.
    pub total: TallyLine,
}

/// The counts and values, by result, of the campaign's assets in `scope`, by town and
/// village (values as the campaign keeps them: at opening, frozen again at closing).
///
/// Fails when the query fails.
pub fn tally(
    conn: &mut DbConnection,
    scope: &Scope,
    campaign: &Campaign,
) -> Result<Tally, StocktakeError> {
    let by = |result: &str| {
        format!(
            "CAST(SUM(CASE WHEN sa.result = '{result}' THEN 1 ELSE 0 END) AS BIGINT) AS {result}, \
             CAST(SUM(CASE WHEN sa.result = '{result}' THEN sa.value_fen ELSE 0 END) AS BIGINT) AS {result}_fen"
        )
    };
    let lines: Vec<TallyLine> = diesel::sql_query(format!(
        "SELECT sa.town AS town, sa.village AS village, CAST(COUNT(*) AS BIGINT) AS assets, \
         CAST(SUM(sa.value_fen) AS BIGINT) AS value_fen, {normal}, {idle}, {damaged}, {missing} \
         FROM stocktake_assets sa WHERE sa.stocktake_id = {id} AND {in_scope} \
         GROUP BY sa.town, sa.village ORDER BY sa.town, sa.village",
        normal = by("normal"),
        idle = by("idle"),
        damaged = by("damaged"),
        missing = by("missing"),
        id = literal(&campaign.id),
        in_scope = member_sql(scope, "sa"),
    ))
    .load(conn)?;
    let mut total = TallyLine::default();
    for line in &lines {
        total.add(line).ok_or_else(|| {
            StocktakeError::Malformed(format!("campaign {}: a sum past 64 bits", campaign.id))
        })?;
    }
    Ok(Tally { lines, total })
}

/// Closes the campaign `id` seen by `scope` (which must hold the campaign's scope):
/// the values of its assets are frozen as they are now, and the ledger's head kept.
///
/// Fails with [`StocktakeError::NotFound`], the rule `campaign_closed` or
/// `scope_outside_token`, or when the database fails; nothing is written then.
pub fn close(
    conn: &mut DbConnection,
    scope: &Scope,
    actor: &str,
    id: &str,
) -> Result<Campaign, StocktakeError> {
    conn.transaction(|conn| {
        // A county's campaign touches every asset: longer than a read may take.
        crate::db::lift_statement_timeout(conn)?;
        // The chain's lock: no result of this campaign is being recorded meanwhile.
        let head = lock_head(conn)?;
        let campaign = find(conn, scope, id)?;
        if campaign.status == CampaignStatus::Closed {
            return Err(closed(&campaign));
        }
        if !scope.contains(&campaign.scope) {
            return Err(rule(
                "scope_outside_token",
                "scope",
                format!(
                    "只有范围包含“{}”的令牌才能结束此盘点",
                    campaign.scope.label()
                ),
            ));
        }
        diesel::sql_query(format!(
            "UPDATE stocktake_assets SET value_fen = \
             (SELECT a.value_fen FROM assets a WHERE a.id = stocktake_assets.asset_id) \
             WHERE stocktake_id = {}",
            literal(&campaign.id)
        ))
        .execute(conn)?;
        diesel::update(stocktakes::table.find(&campaign.id))
            .set((
                stocktakes::status.eq(CampaignStatus::Closed.as_str()),
                stocktakes::closed_at.eq(timestamp_now()),
                stocktakes::closed_by.eq(actor),
                stocktakes::closed_on.eq(today_in_china().format("%Y-%m-%d").to_string()),
                stocktakes::closed_seq.eq(head.seq),
            ))
            .execute(conn)?;
        crate::reconcile::findings::maintain::after_stocktake_closed(conn, &campaign.id)?;
        find(conn, scope, id)
    })
}

/// The refusal of a write to a closed campaign.
pub fn closed(campaign: &Campaign) -> StocktakeError {
    rule(
        "campaign_closed",
        "stocktake",
        format!(
            "盘点“{}”已于 {} 结束，不能再记录或结束",
            campaign.name,
            campaign.tenure.closed_on.as_deref().unwrap_or("此前")
        ),
    )
}
