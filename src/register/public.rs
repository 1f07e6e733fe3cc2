//! The public notice of one village (公示): its assets, its income and distributions of
//! the last 24 months, its open notices and the ledger head — read through the village's
//! scope, and never with an ID or phone number (no field below holds one).

use chrono::Months;
use diesel::prelude::*;
use serde::Serialize;

use super::query::{list_assets, AssetFilter};
use super::scope::entries_query;
use crate::db::schema::ledger_entries;
use crate::db::DbConnection;
use crate::domain::dates::today_in_china;
use crate::domain::money::signed_yuan;
use crate::domain::{AssetClass, AssetStatus, Scope, Vocabulary};
use crate::ledger::chain::read_head;
use crate::ledger::disclosure::hash_readable_at;
use crate::ledger::entry::EntryData;
use crate::ledger::store::cancelled_among;

/// How many months of income and distributions a notice shows.
pub const NOTICE_MONTHS: u32 = 24;

/// One asset as the notice lists it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct PublicAsset {
    /// 资产编号.
    pub code: String,
    /// 资产名称.
    pub name: String,
    /// 资产类别 (code).
    pub class: String,
    /// 资产类别 as people read it.
    pub class_label: String,
    /// 资产价值, yuan.
    pub value: String,
    /// 所有权人 (the name only).
    pub owner_name: String,
    /// 管护主体.
    pub custodian: Option<String>,
}

/// One income entry of the village's assets.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct PublicIncome {
    /// The asset that earned it.
    pub asset_code: String,
    /// The business date it was recorded for.
    pub occurred_on: String,
    /// 收益期间.
    pub period: String,
    /// 收益金额, yuan.
    pub amount: String,
}

/// One household line of a distribution: its name and amount, never its ID number.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct PublicDistributionLine {
    /// The household's name.
    pub name: String,
    /// The amount paid, yuan.
    pub amount: String,
}

/// One distribution of income with its household lines.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct PublicDistribution {
    /// The asset whose income was distributed.
    pub asset_code: String,
    /// The business date.
    pub occurred_on: String,
    /// The amount distributed, yuan.
    pub amount: String,
    /// Its household lines (names and amounts).
    pub lines: Vec<PublicDistributionLine>,
}

/// An open notice (公示) posted in the village: of a proposal still waiting for
/// approval (`approvals::notices` fills them).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct PublicNotice {
    /// The notice's id.
    pub id: String,
    /// What is announced, as people read it (收益分配：村级光伏电站（PV-1）).
    pub subject: String,
    /// The asset's code.
    pub asset_code: String,
    /// The proposal's kind: `disposed`, `income_distributed`…
    pub kind: String,
    /// Where it is posted.
    pub place: String,
    /// First day.
    pub starts_on: String,
    /// Last day.
    pub ends_on: String,
    /// The amount distributed, or a disposal's proceeds, yuan.
    pub amount: Option<String>,
    /// The period of a distribution's income.
    pub period: Option<String>,
    /// A distribution's household lines: names and amounts.
    pub lines: Vec<PublicDistributionLine>,
}

/// The ledger head a notice was read at.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct PublicHead {
    /// The last entry's `seq`.
    pub seq: i64,
    /// Its hash, unless it commits to unsalted personal fields (then withheld, as for
    /// readers).
    pub hash: Option<String>,
}

/// The public notice of one village.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct VillageNotice {
    /// 镇/街道.
    pub town: String,
    /// 村.
    pub village: String,
    /// The day the notice was read (China time).
    pub as_of: String,
    /// Its assets not disposed, in code order.
    pub assets: Vec<PublicAsset>,
    /// Income of the last 24 months, newest first.
    pub income: Vec<PublicIncome>,
    /// Distributions of the last 24 months with their household lines.
    pub distributions: Vec<PublicDistribution>,
    /// Open notices.
    pub notices: Vec<PublicNotice>,
    /// The ledger head.
    pub ledger_head: PublicHead,
}

/// Why a notice could not be read.
#[derive(Debug, thiserror::Error)]
pub enum NoticeError {
    /// The query failed.
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
    /// The village name is not a valid scope.
    #[error(transparent)]
    Place(#[from] crate::domain::ScopeError),
}

/// The notice of `village` in `town`, read through that village's scope; `None` when
/// the register holds no asset there.
///
/// Fails when a query fails or the names are not valid.
pub fn village_notice(
    conn: &mut DbConnection,
    town: &str,
    village: &str,
) -> Result<Option<VillageNotice>, NoticeError> {
    let scope = Scope::parse(&format!("village:{town}/{village}"))?;
    let Scope::Village { town, village } = scope.clone() else {
        return Ok(None);
    };
    crate::db::read_snapshot(conn, |conn| {
        let mut assets = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = list_assets(
                conn,
                &scope,
                &AssetFilter::default(),
                true,
                after.as_deref(),
                1000,
            )?;
            let Some(last) = page.last() else { break };
            after = Some(last.code.clone());
            assets.extend(
                page.into_iter()
                    .filter(|a| a.status != AssetStatus::Disposed.as_str())
                    .map(|a| PublicAsset {
                        class_label: AssetClass::parse(&a.class)
                            .map_or("未知", |c| c.label())
                            .to_owned(),
                        code: a.code,
                        name: a.name,
                        class: a.class,
                        value: signed_yuan(a.value_fen),
                        owner_name: a.owner_name,
                        custodian: a.custodian,
                    }),
            );
        }
        if assets.is_empty() {
            return Ok(None);
        }
        let today = today_in_china();
        let since = today
            .checked_sub_months(Months::new(NOTICE_MONTHS))
            .unwrap_or(today)
            .format("%Y-%m-%d")
            .to_string();
        let cancelled = cancelled_among(conn, &scope, None)?;
        let distributions = recent_entries(conn, &scope, "income_distributed", &since)?
            .into_iter()
            .filter(|entry| !cancelled.contains(&entry.seq))
            .filter_map(|entry| {
                let EntryData::IncomeDistributed(paid) = entry.data else {
                    return None;
                };
                Some(PublicDistribution {
                    asset_code: entry.asset_code,
                    occurred_on: entry.occurred_on,
                    amount: paid.amount.to_string(),
                    lines: paid
                        .lines
                        .unwrap_or_default()
                        .into_iter()
                        .map(|line| PublicDistributionLine {
                            name: line.name,
                            amount: line.amount.to_string(),
                        })
                        .collect(),
                })
            })
            .collect();
        let income = recent_entries(conn, &scope, "income", &since)?
            .into_iter()
            .filter(|entry| !cancelled.contains(&entry.seq))
            .filter_map(|entry| {
                let EntryData::Income(income) = entry.data else {
                    return None;
                };
                Some(PublicIncome {
                    asset_code: entry.asset_code,
                    occurred_on: entry.occurred_on,
                    period: income.period,
                    amount: income.amount.to_string(),
                })
            })
            .collect();
        let head = read_head(conn)?;
        let hash = hash_readable_at(conn, head.seq)?.then_some(head.hash);
        Ok(Some(VillageNotice {
            town,
            village,
            as_of: today.format("%Y-%m-%d").to_string(),
            assets,
            income,
            distributions,
            notices: Vec::new(),
            ledger_head: PublicHead {
                seq: head.seq,
                hash,
            },
        }))
    })
}

/// A ledger entry as the notice reads it.
struct RecentEntry {
    seq: i64,
    asset_code: String,
    occurred_on: String,
    data: EntryData,
}

/// The entries of `kind` in `scope` dated `since` or later, newest first; an entry whose
/// data does not read back is left out (verification names it).
///
/// Fails when the query fails.
fn recent_entries(
    conn: &mut DbConnection,
    scope: &Scope,
    kind: &str,
    since: &str,
) -> QueryResult<Vec<RecentEntry>> {
    let rows: Vec<(i64, String, String, String, String)> = entries_query(scope)
        .filter(ledger_entries::kind.eq(kind))
        .filter(ledger_entries::occurred_on.ge(since))
        .order((
            ledger_entries::occurred_on.desc(),
            ledger_entries::seq.desc(),
        ))
        .select((
            ledger_entries::seq,
            ledger_entries::asset_code,
            ledger_entries::occurred_on,
            ledger_entries::kind,
            ledger_entries::data,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(seq, asset_code, occurred_on, kind, data)| {
            Some(RecentEntry {
                seq,
                asset_code,
                occurred_on,
                data: EntryData::from_stored(&kind, &data).ok()?,
            })
        })
        .collect())
}
