//! Wire types: what the API sends for projects, assets and ledger entries, built from
//! database rows field by field (so a new column forces a decision here).

use serde::Serialize;
use serde_json::Value;

use crate::auth::Visibility;
use crate::domain::money::signed_yuan;
use crate::domain::{FundingChannel, Vocabulary};
use crate::ledger::disclosure::hash_readable;
use crate::ledger::entry::personal::{carries_personal, mask_for_readers};
use crate::ledger::projection::AssetState;
use crate::ledger::EntryRow;
use crate::observe::access::Disclosure;
use crate::paging::{CursorKey, Page as ListPage};
use crate::register::store::{AssetRow, ProjectRow};
use crate::register::AssetDetails;

fn money(fen: i64) -> String {
    signed_yuan(fen)
}

/// An owner as sent.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct OwnerView {
    /// 所有权人.
    pub name: String,
    /// village_collective, household, government, enterprise or other.
    #[serde(rename = "type")]
    pub owner_type: String,
    /// 证件号, masked for readers.
    pub id_number: Option<String>,
}

impl OwnerView {
    /// An owner as `visibility` lets the caller see the ID number.
    fn new(
        name: String,
        owner_type: String,
        id_number: Option<&str>,
        visibility: Visibility,
    ) -> Self {
        OwnerView {
            name,
            owner_type,
            id_number: visibility.id_number(id_number),
        }
    }
}

/// The last entry of an asset's history.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct LedgerHeadView {
    /// Its seq.
    pub seq: i64,
    /// Its hash; `null` for readers when the entry was hashed by the first encoding,
    /// whose hash commits to personal fields unsalted.
    pub hash: Option<String>,
}

/// An asset as sent.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct AssetView {
    /// UUID.
    pub id: String,
    /// 资产编号.
    pub code: String,
    /// 项目编号.
    pub project_code: String,
    /// 资产名称.
    pub name: String,
    /// operating, public_welfare or household.
    pub class: String,
    /// 数量.
    pub quantity: Option<String>,
    /// 计量单位.
    pub unit: Option<String>,
    /// 资产价值, yuan.
    pub value: String,
    /// 所有权人.
    pub owner: OwnerView,
    /// 管护主体.
    pub custodian: Option<String>,
    /// registered, confirmed or disposed.
    pub status: String,
    /// 确权日期.
    pub confirmed_on: Option<String>,
    /// 确权证书编号.
    pub certificate_no: Option<String>,
    /// 镇/街道.
    pub town: String,
    /// 村.
    pub village: Option<String>,
    /// Income recorded, yuan.
    pub income: String,
    /// Income distributed, yuan.
    pub income_distributed: String,
    /// The import batch that registered it.
    pub batch_id: String,
    /// When it was registered (server time).
    pub registered_at: String,
    /// The business date of its registration (its `registered` entry).
    pub registered_on: String,
    /// Its latest ledger entry (on the single-asset endpoint).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ledger_head: Option<LedgerHeadView>,
    /// The date the state is given as of, when asked with `as_of`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
    /// The fuller 台账 columns (资产形态 … 备注), each left out when not recorded; the
    /// phone masked for readers.
    #[serde(flatten)]
    pub details: AssetDetails,
}

impl AssetView {
    /// The asset's current state.
    pub fn new(row: AssetRow, visibility: Visibility) -> Self {
        let AssetRow {
            id,
            code,
            project_code,
            name,
            class,
            quantity,
            unit,
            value_fen,
            owner_name,
            owner_type,
            owner_id_number,
            custodian,
            status,
            confirmed_on,
            certificate_no,
            town,
            village,
            batch_id,
            last_seq: _,
            created_at,
            income_fen,
            distributed_fen,
            registered_on,
            has_value_events: _,
            code_key: _,
            condition: _,
            operating_mode: _,
            details: details_json,
            project_year: _,
            project_department: _,
        } = row;
        // The column holds what an import wrote; one that does not read back is shown
        // as none (verification names the asset).
        let mut details: AssetDetails = details_json
            .as_deref()
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or_default();
        details.phone = visibility.phone(details.phone.as_deref());
        AssetView {
            id,
            code,
            project_code,
            name,
            class,
            quantity,
            unit,
            value: money(value_fen),
            owner: OwnerView::new(
                owner_name,
                owner_type,
                owner_id_number.as_deref(),
                visibility,
            ),
            custodian,
            status,
            confirmed_on,
            certificate_no,
            town,
            village,
            income: money(income_fen),
            income_distributed: money(distributed_fen),
            batch_id,
            registered_at: created_at,
            registered_on,
            ledger_head: None,
            as_of: None,
            details,
        }
    }

    /// Notes on `disclosure` the personal data this view shows as `visibility` lets
    /// the caller see it (the owner's ID number, the 联系电话).
    pub fn disclose(&self, disclosure: &Disclosure, visibility: Visibility) {
        if self.owner.id_number.is_some() || self.details.phone.is_some() {
            disclosure.asset(visibility, &self.code);
        }
    }

    /// The asset as of a date: its static fields, and the state folded from the ledger.
    pub fn as_of(row: AssetRow, state: AssetState, day: &str, visibility: Visibility) -> Self {
        let mut view = AssetView::new(row, visibility);
        view.owner = OwnerView::new(
            state.owner_name,
            state.owner_type,
            state.owner_id_number.as_deref(),
            visibility,
        );
        view.custodian = state.custodian;
        view.status = state.status.as_str().to_owned();
        view.confirmed_on = state.confirmed_on;
        view.certificate_no = state.certificate_no;
        view.value = state.value.to_string();
        view.income = state.income.to_string();
        view.income_distributed = state.distributed.to_string();
        view.as_of = Some(day.to_owned());
        view
    }
}

/// A ledger entry as sent.
#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct EntryView {
    /// Global position.
    pub seq: i64,
    /// The asset's UUID.
    pub asset_id: String,
    /// The asset's code.
    pub asset_code: String,
    /// What happened.
    pub kind: String,
    /// Business date.
    pub occurred_on: String,
    /// Server time.
    pub recorded_at: String,
    /// The token name that wrote it.
    pub actor: String,
    /// Kind-specific data (personal fields — ID and phone numbers — masked for readers).
    #[schemars(schema_with = "crate::ledger::entry::data_schema")]
    pub data: Value,
    /// The import batch that made it.
    pub batch_id: Option<String>,
    /// The previous entry's hash; `null` for readers when the previous entry was
    /// hashed by the first encoding (its hash commits to personal fields unsalted).
    pub prev_hash: Option<String>,
    /// This entry's hash; `null` for readers when this entry was hashed by the first
    /// encoding.
    pub hash: Option<String>,
    /// The version of the canonical encoding that hashed it: 1 (before 2026-12),
    /// 2 (personal fields salted).
    pub encoding: i32,
}

impl EntryView {
    /// Notes on `disclosure` the personal data this entry shows as `visibility` lets
    /// the caller see it (ID and phone numbers of its data).
    pub fn disclose(&self, disclosure: &Disclosure, visibility: Visibility) {
        if carries_personal(&self.kind, &self.data) {
            disclosure.asset(visibility, &self.asset_code);
        }
    }

    /// The entry as sent; `prev_readable` says whether a reader may see its
    /// `prev_hash` (`ledger::disclosure`).
    pub fn new(row: EntryRow, visibility: Visibility, prev_readable: bool) -> Self {
        let EntryRow {
            seq,
            asset_id,
            asset_code,
            kind,
            occurred_on,
            recorded_at,
            actor,
            data,
            batch_id,
            prev_hash,
            hash,
            encoding,
            salt: _,
            asset_town: _,
            asset_department: _,
        } = row;
        let mut data: Value = serde_json::from_str(&data).unwrap_or(Value::String(data));
        let whole = visibility == Visibility::Whole;
        if !whole {
            mask_for_readers(&kind, &mut data);
        }
        let hash = (whole || hash_readable(encoding)).then_some(hash);
        let prev_hash = (whole || prev_readable).then_some(prev_hash);
        EntryView {
            seq,
            asset_id,
            asset_code,
            kind,
            occurred_on,
            recorded_at,
            actor,
            data,
            batch_id,
            prev_hash,
            hash,
            encoding,
        }
    }
}

/// A project as sent.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct ProjectView {
    /// 项目编号.
    pub code: String,
    /// 项目名称.
    pub name: String,
    /// 项目年度.
    pub year: i32,
    /// 镇/街道.
    pub town: String,
    /// 村.
    pub village: Option<String>,
    /// 项目资金, yuan.
    pub funds: String,
    /// 资金来源.
    pub funding_source: Option<String>,
    /// 行业主管部门.
    pub department: Option<String>,
    /// The amount from each funding channel, yuan (`central`, `provincial`, `local`,
    /// `integrated`, `sector`, `social`, `other`); empty when the funds are not split.
    pub funding: std::collections::BTreeMap<String, String>,
    /// The import batch that registered it.
    pub batch_id: String,
    /// When it was registered.
    pub registered_at: String,
    /// Its assets (on the single-project endpoint).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assets: Option<Vec<AssetView>>,
}

impl ProjectView {
    /// The project as sent, without its assets.
    pub fn new(row: ProjectRow) -> Self {
        let ProjectRow {
            code,
            name,
            year,
            town,
            village,
            funds_fen,
            funding_source,
            batch_id,
            created_at,
            code_key: _,
            department,
            funds_central_fen,
            funds_provincial_fen,
            funds_local_fen,
            funds_integrated_fen,
            funds_sector_fen,
            funds_social_fen,
            funds_other_fen,
        } = row;
        let split = [
            funds_central_fen,
            funds_provincial_fen,
            funds_local_fen,
            funds_integrated_fen,
            funds_sector_fen,
            funds_social_fen,
            funds_other_fen,
        ];
        let funding = FundingChannel::ALL
            .iter()
            .zip(split)
            .filter_map(|(channel, fen)| Some((channel.as_str().to_owned(), money(fen?))))
            .collect();
        ProjectView {
            code,
            name,
            year,
            town,
            village,
            funds: money(funds_fen),
            funding_source,
            department,
            funding,
            batch_id,
            registered_at: created_at,
            assets: None,
        }
    }
}

/// A page of a list.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[schemars(rename = "{T}Page")]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

impl<T, K: CursorKey> From<ListPage<T, K>> for Page<T> {
    fn from(page: ListPage<T, K>) -> Self {
        Page {
            items: page.items,
            next_cursor: page.next.map(|cursor| cursor.to_string()),
        }
    }
}
