//! A village's checklist (盘点表): the campaign's assets of one town (and village) in
//! the caller's scope, with what they hold and the result recorded so far; and the same
//! list as an Excel workbook that the village fills in (盘点结果, 盘点日期, 备注) and
//! uploads back as results.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use rust_xlsxwriter::{DataValidation, Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use super::campaign::{member_sql, Campaign, StocktakeError};
use crate::domain::{shown, AssetClass, InspectionResult, Scope, Vocabulary};
use crate::register::scope::literal;

/// One asset to check.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct ChecklistItem {
    /// 资产编号.
    #[diesel(sql_type = Text)]
    pub asset_code: String,
    /// 资产名称.
    #[diesel(sql_type = Text)]
    pub asset_name: String,
    /// 资产类别 (code).
    #[diesel(sql_type = Text)]
    pub class: String,
    /// 镇街.
    #[diesel(sql_type = Text)]
    pub town: String,
    /// 村 (empty for none).
    #[diesel(sql_type = Text)]
    pub village: String,
    /// 所有权人.
    #[diesel(sql_type = Text)]
    pub owner_name: String,
    /// 管护主体.
    #[diesel(sql_type = Nullable<Text>)]
    pub custodian: Option<String>,
    /// The value the campaign counts (at opening, frozen at closing), in fen.
    #[diesel(sql_type = BigInt)]
    pub value_fen: i64,
    /// The result recorded so far (code).
    #[diesel(sql_type = Nullable<Text>)]
    pub result: Option<String>,
    /// The day it was checked.
    #[diesel(sql_type = Nullable<Text>)]
    pub checked_on: Option<String>,
}

impl ChecklistItem {
    /// The result as a person reads it; empty while unchecked.
    pub fn result_label(&self) -> &'static str {
        self.result
            .as_deref()
            .and_then(InspectionResult::parse)
            .map_or("", InspectionResult::label)
    }

    /// The class as a person reads it.
    pub fn class_label(&self) -> &'static str {
        AssetClass::parse(&self.class).map_or("其他", AssetClass::label)
    }
}

/// Which part of a campaign a checklist covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    /// 镇街; every town when absent.
    pub town: Option<String>,
    /// 村 (`""` for assets of no village); every village when absent.
    pub village: Option<String>,
}

/// How the assets of no village are named where a village would be.
pub const NO_VILLAGE: &str = "（不属于任何村）";

/// `village` as a person reads it: [`NO_VILLAGE`] for the assets of none.
pub fn village_label(village: &str) -> &str {
    if village.is_empty() {
        NO_VILLAGE
    } else {
        village
    }
}

impl Place {
    /// 马嵬街道李村, 马嵬街道（不属于任何村）, 马嵬街道, or 全部.
    pub fn label(&self) -> String {
        match (&self.town, &self.village) {
            (Some(town), Some(village)) => format!("{town}{}", village_label(village)),
            (Some(town), None) => town.clone(),
            (None, Some(village)) => village_label(village).to_owned(),
            (None, None) => "全部".to_owned(),
        }
    }
}

/// The campaign's assets at `place` that `scope` sees, by town, village and code.
///
/// Fails when the query fails.
pub fn checklist(
    conn: &mut crate::db::DbConnection,
    scope: &Scope,
    campaign: &Campaign,
    place: &Place,
) -> Result<Vec<ChecklistItem>, StocktakeError> {
    let mut conditions = vec![
        format!("sa.stocktake_id = {}", literal(&campaign.id)),
        member_sql(scope, "sa"),
    ];
    if let Some(town) = &place.town {
        conditions.push(format!("sa.town = {}", literal(town)));
    }
    if let Some(village) = &place.village {
        conditions.push(format!("sa.village = {}", literal(village)));
    }
    Ok(diesel::sql_query(format!(
        "SELECT sa.asset_code AS asset_code, a.name AS asset_name, a.class AS class, \
         sa.town AS town, sa.village AS village, a.owner_name AS owner_name, \
         a.custodian AS custodian, sa.value_fen AS value_fen, sa.result AS result, \
         sa.checked_on AS checked_on \
         FROM stocktake_assets sa JOIN assets a ON a.id = sa.asset_id WHERE {} \
         ORDER BY sa.town, sa.village, sa.asset_code",
        conditions.join(" AND ")
    ))
    .load(conn)?)
}

/// The checklist workbook's columns; the village fills in the last three.
const HEADER: [&str; 11] = [
    "资产编号",
    "资产名称",
    "资产类别",
    "镇街",
    "村",
    "所有权人",
    "管护主体",
    "资产价值（元）",
    "已记录结果",
    "盘点结果",
    "盘点日期",
];

/// The column of 备注, after [`HEADER`].
const NOTE_HEADER: &str = "备注";

/// The row of the header (0-based): under the title and the campaign's line.
const HEADER_ROW: u32 = 2;

/// Writes the checklist as an Excel workbook: a title, the campaign and place with the
/// time it was printed (China time), a frozen header, one row per asset (codes as
/// text, values as 元 with separators), and the columns 盘点结果 (a list of 正常, 闲置,
/// 损毁, 缺失), 盘点日期 and 备注 left empty to fill in.
///
/// Fails when the workbook cannot be written.
pub fn write_xlsx(
    campaign: &Campaign,
    place: &Place,
    items: &[ChecklistItem],
    printed_at: &str,
) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("盘点表")?;
    let bold = Format::new().set_bold();
    let title = Format::new()
        .set_bold()
        .set_font_size(14)
        .set_align(FormatAlign::Center);
    let header = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color("#DDEBF7");
    let text = Format::new().set_num_format("@");
    let fill = Format::new()
        .set_num_format("@")
        .set_background_color("#FFF2CC")
        .set_border(FormatBorder::Thin);
    let last = u16::try_from(HEADER.len()).unwrap_or(u16::MAX);
    sheet.merge_range(
        0,
        0,
        0,
        last,
        &format!("{}（{}年度）资产清查盘点表", campaign.name, campaign.year),
        &title,
    )?;
    sheet.write_string_with_format(
        1,
        0,
        format!(
            "盘点范围：{}　清单：{}　打印时间：{}（北京时间）　资产价值单位：元",
            campaign.scope.label(),
            place.label(),
            shown::china_time(printed_at)
        ),
        &bold,
    )?;
    for (column, name) in (0u16..).zip(HEADER.iter().chain([&NOTE_HEADER])) {
        sheet.write_string_with_format(HEADER_ROW, column, *name, &header)?;
        let width = match column {
            0 | 1 | 5 | 6 => 20.0,
            12.. => 30.0,
            _ => 12.0,
        };
        sheet.set_column_width(column, width)?;
    }
    sheet.set_freeze_panes(HEADER_ROW + 1, 0)?;
    let mut row = HEADER_ROW;
    for item in items {
        row += 1;
        let cells = [
            item.asset_code.as_str(),
            item.asset_name.as_str(),
            item.class_label(),
            item.town.as_str(),
            item.village.as_str(),
            item.owner_name.as_str(),
            item.custodian.as_deref().unwrap_or(""),
        ];
        for (column, value) in (0u16..).zip(cells) {
            sheet.write_string_with_format(row, column, value, &text)?;
        }
        sheet.write_string_with_format(row, 7, shown::yuan(item.value_fen), &text)?;
        let recorded = match (&item.checked_on, item.result_label()) {
            (Some(day), label) if !label.is_empty() => format!("{label}（{day}）"),
            _ => String::new(),
        };
        sheet.write_string_with_format(row, 8, recorded, &text)?;
        for column in 9..=last {
            sheet.write_blank(row, column, &fill)?;
        }
    }
    if row > HEADER_ROW {
        let choices: Vec<&str> = InspectionResult::ALL.iter().map(|r| r.label()).collect();
        let validation = DataValidation::new()
            .allow_list_strings(&choices)?
            .set_error_message("请选择 正常、闲置、损毁 或 缺失")?;
        sheet.add_data_validation(HEADER_ROW + 1, 9, row, 9, &validation)?;
    }
    row += 2;
    sheet.write_string_with_format(
        row,
        0,
        "盘点人（签字）：______________　　村集体负责人（签字）：______________　　镇街复核人（签字）：______________",
        &bold,
    )?;
    workbook.save_to_buffer()
}

/// Up to `limit` of the campaign's assets that `scope` sees whose code or name holds
/// `text` (codes compared as people read them), by code.
///
/// Fails when the query fails.
pub fn search(
    conn: &mut crate::db::DbConnection,
    scope: &Scope,
    campaign: &Campaign,
    text: &str,
    limit: u32,
) -> Result<Vec<ChecklistItem>, StocktakeError> {
    let pattern = |t: &str| {
        let escaped = t
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        format!("%{escaped}%")
    };
    let text = text.trim();
    // The name search's rule of letter case (`led` finds “LED路灯”), as in the lists.
    let name = crate::db::name_search::holds_sql(conn, "a.name", &pattern(text));
    Ok(diesel::sql_query(format!(
        "SELECT sa.asset_code AS asset_code, a.name AS asset_name, a.class AS class, \
         sa.town AS town, sa.village AS village, a.owner_name AS owner_name, \
         a.custodian AS custodian, sa.value_fen AS value_fen, sa.result AS result, \
         sa.checked_on AS checked_on \
         FROM stocktake_assets sa JOIN assets a ON a.id = sa.asset_id \
         WHERE sa.stocktake_id = {id} AND {in_scope} \
         AND (a.code_key LIKE {code} ESCAPE '\\' OR {name}) \
         ORDER BY sa.asset_code LIMIT {limit}",
        id = literal(&campaign.id),
        in_scope = member_sql(scope, "sa"),
        code = literal(&pattern(&crate::domain::codes::code_key(text))),
    ))
    .load(conn)?)
}
