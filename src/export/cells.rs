//! The 台账's columns (the import format, amounts in 元) and each register row's cells,
//! typed, so that the CSV and the Excel export write the same row each its own way.

use super::{excel_text, neutralise, ExportError};
use crate::domain::{AssetClass, OwnerType, Vocabulary, Yuan};
use crate::register::store::{AssetRow, ProjectRow};

/// The header of an export: the import format, amounts in 元. The CSV and the Excel
/// export both write these columns, the first [`PROJECT_COLUMNS`] of them the project's.
pub const HEADER: [&str; 40] = [
    "项目编号",
    "项目名称",
    "项目年度",
    "镇街",
    "村",
    "项目资金(元)",
    "资金来源",
    "行业主管部门",
    "中央衔接资金(元)",
    "省级衔接资金(元)",
    "市县衔接资金(元)",
    "整合涉农资金(元)",
    "行业部门资金(元)",
    "社会帮扶资金(元)",
    "其他资金(元)",
    "资产编号",
    "资产名称",
    "资产类别",
    "数量",
    "计量单位",
    "资产价值(元)",
    "所有权人",
    "所有权人类型",
    "所有权人证件号",
    "管护主体",
    "确权日期",
    "确权证书编号",
    "资产形态",
    "受益户数",
    "受益人数",
    "管护责任人",
    "联系电话",
    "移交日期",
    "接收单位",
    "经营方式",
    "经营主体",
    "资产状态",
    "建成日期",
    "坐落位置",
    "备注",
];

/// How many of the [`HEADER`]'s columns, from the left, are the project's.
pub const PROJECT_COLUMNS: usize = 15;

/// Where 项目资金 and 资产价值 stand in the [`HEADER`].
pub(super) const FUNDS_COLUMN: usize = 5;
pub(super) const VALUE_COLUMN: usize = 20;
/// Where the first funding channel (中央衔接资金) stands; the other six follow it.
pub(super) const CHANNELS_COLUMN: usize = 8;
/// Where 受益户数 and 受益人数 stand.
pub(super) const BENEFICIARY_COLUMNS: [usize; 2] = [28, 29];

/// One cell of an exported register row, typed, so that each format writes it its way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Cell {
    /// Text as stored (names, places, labels, dates).
    Text(String),
    /// A code or certificate number: text, however many digits it has.
    Code(String),
    /// An owner's ID number: text that must keep all 18 digits.
    IdNumber(String),
    /// An amount.
    Money(Yuan),
    /// The project year.
    Year(i32),
    /// 数量, exact decimal text.
    Quantity(String),
}

impl Cell {
    /// The cell as the CSV export writes it.
    pub(super) fn csv(&self) -> String {
        match self {
            Cell::Text(text) | Cell::Code(text) => neutralise(text),
            Cell::IdNumber(text) => excel_text(text),
            Cell::Money(yuan) => yuan.to_string(),
            Cell::Year(year) => year.to_string(),
            Cell::Quantity(text) => text.clone(),
        }
    }
}

fn money(fen: i64) -> Result<Cell, ExportError> {
    Yuan::from_fen(fen)
        .map(Cell::Money)
        .ok_or_else(|| ExportError::Corrupt(format!("negative amount {fen}")))
}

fn text(value: &Option<String>) -> Cell {
    Cell::Text(value.clone().unwrap_or_default())
}

pub(super) fn project_cells(project: &ProjectRow) -> Result<[Cell; PROJECT_COLUMNS], ExportError> {
    Ok([
        Cell::Code(project.code.clone()),
        Cell::Text(project.name.clone()),
        Cell::Year(project.year),
        Cell::Text(project.town.clone()),
        text(&project.village),
        money(project.funds_fen)?,
        text(&project.funding_source),
        text(&project.department),
        optional_money(project.funds_central_fen)?,
        optional_money(project.funds_provincial_fen)?,
        optional_money(project.funds_local_fen)?,
        optional_money(project.funds_integrated_fen)?,
        optional_money(project.funds_sector_fen)?,
        optional_money(project.funds_social_fen)?,
        optional_money(project.funds_other_fen)?,
    ])
}

fn optional_money(fen: Option<i64>) -> Result<Cell, ExportError> {
    match fen {
        Some(fen) => money(fen),
        None => Ok(Cell::Text(String::new())),
    }
}

pub(super) fn asset_cells(
    asset: &AssetRow,
) -> Result<[Cell; HEADER.len() - PROJECT_COLUMNS], ExportError> {
    let class =
        AssetClass::parse(&asset.class).ok_or_else(|| ExportError::Corrupt(asset.class.clone()))?;
    let owner_type = OwnerType::parse(&asset.owner_type)
        .ok_or_else(|| ExportError::Corrupt(asset.owner_type.clone()))?;
    let d = &asset
        .details()
        .map_err(|e| ExportError::Corrupt(e.to_string()))?;
    Ok([
        Cell::Code(asset.code.clone()),
        Cell::Text(asset.name.clone()),
        Cell::Text(class.label().to_owned()),
        Cell::Quantity(asset.quantity.clone().unwrap_or_default()),
        text(&asset.unit),
        money(asset.value_fen)?,
        Cell::Text(asset.owner_name.clone()),
        Cell::Text(owner_type.label().to_owned()),
        Cell::IdNumber(asset.owner_id_number.clone().unwrap_or_default()),
        text(&asset.custodian),
        text(&asset.confirmed_on),
        Cell::Code(asset.certificate_no.clone().unwrap_or_default()),
        label(d.asset_form.map(|f| f.label())),
        count(d.beneficiary_households),
        count(d.beneficiary_persons),
        text(&d.responsible_person),
        Cell::Code(d.phone.clone().unwrap_or_default()),
        Cell::Text(d.handed_over_on.map(|d| d.to_string()).unwrap_or_default()),
        text(&d.received_by),
        label(d.operating_mode.map(|m| m.label())),
        text(&d.operator),
        label(d.condition.map(|c| c.label())),
        Cell::Text(d.completed_on.map(|d| d.to_string()).unwrap_or_default()),
        text(&d.location),
        text(&d.remarks),
    ])
}

fn label(label: Option<&str>) -> Cell {
    Cell::Text(label.unwrap_or_default().to_owned())
}

fn count(count: Option<u32>) -> Cell {
    Cell::Quantity(count.map(|n| n.to_string()).unwrap_or_default())
}
