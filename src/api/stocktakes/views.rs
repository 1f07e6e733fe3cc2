//! The stock-take's wire types: the bodies it takes and the answers it sends, apart
//! from the campaign's own rows.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::domain::dates::timestamp_now;
use crate::domain::{InspectionResult, Vocabulary};
use crate::stocktake::campaign::Tenure;
use crate::stocktake::checklist::ChecklistItem;
use crate::stocktake::{Campaign, Tally, TallyLine};

/// The body that opens a campaign (serialised again as the request an
/// `Idempotency-Key` answers).
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct NewStocktake {
    /// 盘点名称, e.g. 2026年度资产清查.
    pub name: String,
    /// The year it checks (2000 to next year).
    pub year: i64,
    /// `county`, `town:<镇街>`, `village:<镇街>/<村>` or `department:<部门>`, within the
    /// token's scope; the token's own when absent.
    #[serde(default)]
    pub scope: Option<String>,
}

/// The assets of one result, and their value.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, JsonSchema)]
pub struct ResultCount {
    /// `normal`, `idle`, `damaged`, `missing`, or `unchecked`.
    pub result: &'static str,
    /// 正常, 闲置, 损毁, 缺失 or 未盘点.
    pub label: &'static str,
    /// How many assets.
    pub assets: i64,
    /// Their value, yuan.
    pub value: String,
}

/// The progress of a town and village (or of the whole).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, JsonSchema)]
pub struct ProgressView {
    /// 镇街 (`null` for the whole).
    pub town: Option<String>,
    /// 村 (`""` for assets of no village; `null` for the whole).
    pub village: Option<String>,
    /// Assets to check.
    pub assets: i64,
    /// Checked so far.
    pub checked: i64,
    /// Their value, yuan.
    pub value: String,
    /// 盘亏: the value of the missing assets, yuan.
    pub loss: String,
    /// Counts and values per result, 未盘点 last.
    pub results: Vec<ResultCount>,
}

impl ProgressView {
    /// The view of a tally line; `whole` for the campaign's total.
    pub fn of(line: &TallyLine, whole: bool) -> Self {
        let results = [
            (InspectionResult::Normal, line.normal, line.normal_fen),
            (InspectionResult::Idle, line.idle, line.idle_fen),
            (InspectionResult::Damaged, line.damaged, line.damaged_fen),
            (InspectionResult::Missing, line.missing, line.missing_fen),
        ]
        .into_iter()
        .map(|(result, assets, fen)| ResultCount {
            result: result.as_str(),
            label: result.label(),
            assets,
            value: yuan(fen),
        })
        .chain([ResultCount {
            result: "unchecked",
            label: "未盘点",
            assets: line.unchecked(),
            value: yuan(line.unchecked_fen()),
        }])
        .collect();
        ProgressView {
            town: (!whole).then(|| line.town.clone()),
            village: (!whole).then(|| line.village.clone()),
            assets: line.assets,
            checked: line.checked(),
            value: yuan(line.value_fen),
            loss: yuan(line.missing_fen),
            results,
        }
    }
}

/// An amount of fen as the API writes yuan.
pub fn yuan(fen: i64) -> String {
    crate::domain::money::signed_yuan(fen)
}

/// The campaigns `GET /api/v1/stocktakes` sends: a page (`{items, next_cursor}`, as
/// every list) when the caller pages with `limit` or `cursor`; without either, the
/// newest campaigns alone (at most 1,000), as the list was sent before it was paged.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum StocktakeList {
    /// A page of campaigns, newest first.
    Page(crate::api::views::Page<StocktakeView>),
    /// The newest campaigns, without a cursor.
    Newest(Vec<StocktakeView>),
}

/// A campaign, as sent.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, JsonSchema)]
pub struct StocktakeView {
    /// Its id.
    pub id: String,
    /// 盘点名称.
    pub name: String,
    /// The year it checks.
    pub year: i32,
    /// The scope it covers.
    pub scope: String,
    /// That scope as a person reads it.
    pub scope_label: String,
    /// `open` or `closed`.
    pub status: &'static str,
    /// 进行中 or 已结束.
    pub status_label: &'static str,
    /// When and by whom it was opened and closed.
    #[serde(flatten)]
    pub tenure: Tenure,
    /// Its progress in the caller's scope.
    pub progress: ProgressView,
}

impl StocktakeView {
    /// The view of a campaign with its whole progress.
    pub fn of(campaign: &Campaign, tally: &Tally) -> Self {
        StocktakeView {
            id: campaign.id.clone(),
            name: campaign.name.clone(),
            year: campaign.year,
            scope: campaign.scope.to_string(),
            scope_label: campaign.scope.label(),
            status: campaign.status.as_str(),
            status_label: campaign.status.label(),
            tenure: campaign.tenure.clone(),
            progress: ProgressView::of(&tally.total, true),
        }
    }
}

/// A campaign with its progress by town and village: also its report.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, JsonSchema)]
pub struct StocktakeDetail {
    /// The campaign, with its whole progress.
    pub stocktake: StocktakeView,
    /// By town, then village.
    pub by_village: Vec<ProgressView>,
    /// When this answer was made.
    pub generated_at: String,
}

/// A campaign with its progress by town and village, made now.
pub fn detail(campaign: &Campaign, tally: &Tally) -> StocktakeDetail {
    StocktakeDetail {
        stocktake: StocktakeView::of(campaign, tally),
        by_village: tally
            .lines
            .iter()
            .map(|l| ProgressView::of(l, false))
            .collect(),
        generated_at: timestamp_now(),
    }
}

/// One asset of a checklist, as sent.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, JsonSchema)]
pub struct ChecklistItemView {
    /// 资产编号.
    pub asset_code: String,
    /// 资产名称.
    pub asset_name: String,
    /// 资产类别.
    pub class: String,
    /// 镇街.
    pub town: String,
    /// 村.
    pub village: String,
    /// 所有权人.
    pub owner_name: String,
    /// 管护主体.
    pub custodian: Option<String>,
    /// The value the campaign counts, yuan.
    pub value: String,
    /// The result recorded so far.
    pub result: Option<String>,
    /// The day it was checked.
    pub checked_on: Option<String>,
}

/// A checklist, as sent.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, JsonSchema)]
pub struct ChecklistView {
    /// The campaign.
    pub stocktake_id: String,
    /// The town asked for.
    pub town: Option<String>,
    /// The village asked for.
    pub village: Option<String>,
    /// How many assets.
    pub count: usize,
    /// Their value, yuan.
    pub value: String,
    /// By town, village and code.
    pub items: Vec<ChecklistItemView>,
}

/// The view of one asset of a checklist.
pub fn item_view(item: ChecklistItem) -> ChecklistItemView {
    let ChecklistItem {
        asset_code,
        asset_name,
        class,
        town,
        village,
        owner_name,
        custodian,
        value_fen,
        result,
        checked_on,
    } = item;
    ChecklistItemView {
        asset_code,
        asset_name,
        class,
        town,
        village,
        owner_name,
        custodian,
        value: yuan(value_fen),
        result,
        checked_on,
    }
}

/// One result to record.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ResultBody {
    /// 资产编号.
    pub asset_code: String,
    /// `normal`, `idle`, `damaged` or `missing`.
    pub result: InspectionResult,
    /// The day it was checked (YYYY-MM-DD), not after today.
    pub checked_on: String,
    /// A remark.
    #[serde(default)]
    pub note: Option<String>,
    /// Photos or documents already uploaded (`POST /api/v1/attachments`), by SHA-256:
    /// the inspection entry cites them.
    #[serde(default)]
    pub attachments: Option<Vec<String>>,
}

/// What a recording wrote.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, JsonSchema)]
pub struct ResultsRecorded {
    /// How many results (each an `inspection` entry).
    pub recorded: usize,
    /// The first entry's `seq`.
    pub first_seq: Option<i64>,
    /// The last entry's `seq`.
    pub last_seq: Option<i64>,
}
