//! One data row of an import file, parsed into a project and, when it has one, an asset.

mod columns;

use super::field::Field;
use super::header::{clean, Layout};
use crate::domain::codes::CodeError;
use crate::domain::text::is_bidi_control;
use crate::domain::{
    AssetClass, AssetCode, AssetStatus, BusinessDate, DateError, IdNumber, MoneyUnit, OwnerType,
    ProjectCode, Quantity, Vocabulary, Year, Yuan,
};
use crate::import::error::RowError;
use crate::register::{AssetRecord, Owner, ProjectRecord};

/// The longest field the importer accepts, in characters.
pub const MAX_FIELD_CHARS: usize = 1000;

/// A row that passed every check of its own.
#[derive(Debug, Clone)]
pub struct ParsedRow {
    /// Physical line where the row starts.
    pub line: u64,
    /// The project columns.
    pub project: ProjectRecord,
    /// The asset columns, unless they are all empty.
    pub asset: Option<AssetRecord>,
}

/// `text` in Unicode NFC: a name written with a decomposed `é` is stored as the
/// composed one, so that two spellings of one name are one name.
fn nfc(text: &str) -> String {
    if unicode_normalization::is_nfc(text) {
        text.to_owned()
    } else {
        unicode_normalization::UnicodeNormalization::nfc(text).collect()
    }
}

/// Whether every cell of a row is empty (Excel writes such rows below a table).
pub fn is_blank(cells: &[&str]) -> bool {
    cells.iter().all(|c| clean(c).is_empty())
}

/// Reads the cells of one row.
struct Cells<'a> {
    layout: &'a Layout,
    cells: &'a [&'a str],
    line: u64,
    errors: Vec<RowError>,
}

impl<'a> Cells<'a> {
    /// The trimmed text of `field`, `None` when the column is absent or the cell empty.
    fn text(&self, field: Field) -> Option<&'a str> {
        let cell = self.cells.get(self.layout.position(field)?)?;
        let text = clean(cell);
        (!text.is_empty()).then_some(text)
    }

    fn error(&mut self, field: Field, code: &'static str, message: String) {
        let column = self.layout.header_of(field).to_owned();
        self.errors
            .push(RowError::cell(self.line, &column, code, message));
    }

    /// The text of a field that must be present, in NFC.
    fn required(&mut self, field: Field) -> Option<String> {
        match self.text(field) {
            Some(text) => Some(nfc(text)),
            None => {
                self.error(
                    field,
                    "required",
                    format!("“{}”为必填项，不能为空", field.chinese()),
                );
                None
            }
        }
    }

    /// The text of a field that may be absent, in NFC.
    fn optional(&self, field: Field) -> Option<String> {
        self.text(field).map(nfc)
    }

    /// A 镇街 or 村 (the text of `place`, `None` when empty) refused when it holds a
    /// `/`: a village's scope and its group key are written `<镇街>/<村>`, so
    /// 甲/乙 with 丙 and 甲 with 乙/丙 would read as one place, and each village's
    /// token would count the other's assets in its totals.
    fn place(&mut self, field: Field, text: Option<String>) -> Option<String> {
        let text = text?;
        if text.contains('/') {
            self.error(
                field,
                "invalid_character",
                format!(
                    "“{}”不能含有“/”（“{text}”）：范围和按村汇总都以“镇街/村”书写，含“/”的名称会与别处混同",
                    field.chinese()
                ),
            );
        }
        Some(text)
    }

    fn code<T>(&mut self, field: Field, parse: fn(&str) -> Result<T, CodeError>) -> Option<T> {
        let text = self.required(field)?;
        match parse(&text) {
            Ok(code) => Some(code),
            Err(CodeError::Empty) => None,
            Err(CodeError::TooLong) => {
                self.error(
                    field,
                    "field_too_long",
                    format!(
                        "“{}”最长 64 个字符，此处为 {} 个",
                        field.chinese(),
                        text.chars().count()
                    ),
                );
                None
            }
            Err(CodeError::Invisible) => {
                self.error(
                    field,
                    "invalid_code",
                    format!(
                        "“{}”含有控制字符或不可见字符（如零宽空格、字节顺序标记、双向控制符），请删去后重新导入",
                        field.chinese()
                    ),
                );
                None
            }
        }
    }

    fn money(&mut self, field: Field, unit: MoneyUnit) -> Option<Yuan> {
        let text = self.required(field)?;
        match Yuan::parse(&text, unit) {
            Ok(amount) => Some(amount),
            Err(e) => {
                self.error(
                    field,
                    e.code(),
                    format!("“{text}”{e}（单位：{}）", unit.label()),
                );
                None
            }
        }
    }

    fn year(&mut self) -> Option<Year> {
        let text = self.required(Field::ProjectYear)?;
        let year = Year::parse(&text);
        if year.is_none() {
            self.error(
                Field::ProjectYear,
                "invalid_year",
                format!(
                    "项目年度“{text}”无效，应为 {} 至 {} 之间的年份",
                    Year::FIRST,
                    Year::last_accepted()
                ),
            );
        }
        year
    }
}

/// Parses one data row by `layout`.
///
/// Fails with every error the row has: wrong length, over-long fields, missing or
/// malformed values.
pub fn parse_row(layout: &Layout, line: u64, cells: &[&str]) -> Result<ParsedRow, Vec<RowError>> {
    let surplus = cells
        .iter()
        .skip(layout.width())
        .any(|c| !clean(c).is_empty());
    if cells.len() < layout.width() || surplus {
        return Err(vec![RowError::row(
            line,
            "bad_row_length",
            format!("本行有 {} 列，表头有 {} 列", cells.len(), layout.width()),
        )]);
    }
    let mut row = Cells {
        layout,
        cells,
        line,
        errors: Vec::new(),
    };
    for (position, cell) in cells.iter().enumerate().take(layout.width()) {
        if cell.contains('\0') {
            let column = layout.headers[position].clone();
            row.errors.push(RowError::cell(
                line,
                &column,
                "invalid_character",
                "含有空字符（NUL），多为文件损坏或另存格式不对".to_owned(),
            ));
            continue;
        }
        let is_code = [Field::ProjectCode, Field::AssetCode]
            .into_iter()
            .any(|code| layout.position(code) == Some(position));
        if let Some(c) = cell
            .chars()
            .find(|&c| is_bidi_control(c))
            .filter(|_| !is_code)
        {
            // A name or place holding one shows otherwise than it is stored (a code
            // holding one is `invalid_code`, as any invisible character in a code).
            let column = layout.headers[position].clone();
            row.errors.push(RowError::cell(
                line,
                &column,
                "invalid_character",
                format!(
                    "含有双向控制符（U+{:04X}），会使内容显示得与所存不同",
                    u32::from(c)
                ),
            ));
            continue;
        }
        let length = cell.chars().count();
        if length > MAX_FIELD_CHARS {
            let column = layout.headers[position].clone();
            row.errors.push(RowError::cell(
                line,
                &column,
                "field_too_long",
                format!("字段长度为 {length} 个字符，超过上限 {MAX_FIELD_CHARS}"),
            ));
        }
    }
    if !row.errors.is_empty() {
        return Err(row.errors);
    }

    let project = parse_project(&mut row);
    let has_asset = Field::ALL
        .iter()
        .any(|f| f.marks_asset() && row.text(*f).is_some());
    let asset = if has_asset {
        parse_asset(&mut row, project.as_ref()).map(Some)
    } else {
        Some(None)
    };
    match (project, asset) {
        (Some(project), Some(asset)) if row.errors.is_empty() => Ok(ParsedRow {
            line,
            project,
            asset,
        }),
        _ => Err(row.errors),
    }
}

fn parse_project(row: &mut Cells<'_>) -> Option<ProjectRecord> {
    let code = row.code(Field::ProjectCode, ProjectCode::parse);
    let name = row.required(Field::ProjectName);
    let year = row.year();
    let town = row.required(Field::Town);
    let town = row.place(Field::Town, town);
    let village = row.optional(Field::Village);
    let village = row.place(Field::Village, village);
    let funds = row.money(Field::ProjectFunds, row.layout.funds_unit);
    let funding = row.funding(funds);
    Some(ProjectRecord {
        code: code?,
        name: name?,
        year: year?,
        town: town?,
        village,
        funds: funds?,
        funding_source: row.optional(Field::FundingSource),
        department: row.optional(Field::Department),
        funding: funding?,
    })
}

fn parse_asset(row: &mut Cells<'_>, project: Option<&ProjectRecord>) -> Option<AssetRecord> {
    let code = row.code(Field::AssetCode, AssetCode::parse);
    let name = row.required(Field::AssetName);
    let class = row.required(Field::AssetClass).and_then(|text| {
        let class = AssetClass::parse(&text);
        if class.is_none() {
            row.error(
                Field::AssetClass,
                "unknown_asset_class",
                format!("未知的资产类别“{text}”，应为 经营性、公益性 或 到户类"),
            );
        }
        class
    });
    let quantity = match row.text(Field::Quantity) {
        Some(text) => match Quantity::parse(text) {
            Ok(q) => Some(Some(q)),
            Err(e) => {
                row.error(Field::Quantity, e.code(), format!("数量“{text}”{e}"));
                None
            }
        },
        None => Some(None),
    };
    let value = row.money(Field::AssetValue, row.layout.value_unit);
    let owner_name = row.required(Field::Owner);
    let owner_type = match row.text(Field::OwnerType) {
        Some(text) => {
            let parsed = OwnerType::parse(text);
            if parsed.is_none() {
                row.error(
                    Field::OwnerType,
                    "unknown_owner_type",
                    format!(
                        "未知的所有权人类型“{text}”，应为 村集体、农户、政府部门、企业 或 其他"
                    ),
                );
            }
            parsed
        }
        // A household asset belongs to a household unless the file says otherwise.
        None if class == Some(AssetClass::Household) => Some(OwnerType::Household),
        None => Some(OwnerType::Other),
    };
    let id_number = match row.text(Field::OwnerIdNumber) {
        Some(text) => match IdNumber::parse(text) {
            Ok(id) => Some(Some(id)),
            Err(e) => {
                row.error(
                    Field::OwnerIdNumber,
                    "invalid_id_number",
                    // The value itself stays out of the message: messages are kept with
                    // the batch, and readers may only see ID numbers masked.
                    format!("证件号（{} 位）无效：{e}", text.chars().count()),
                );
                None
            }
        },
        None => Some(None),
    };
    let confirmed_on = match row.text(Field::ConfirmedOn) {
        Some(text) => match BusinessDate::parse(text) {
            // It dates the asset's `registered` entry, a business date: not in the future.
            Ok(date) if date.naive() > crate::domain::dates::today_in_china() => {
                row.error(
                    Field::ConfirmedOn,
                    "invalid_date",
                    format!("确权日期“{text}”晚于今天"),
                );
                None
            }
            Ok(date) => Some(Some(date)),
            Err(DateError::OutOfRange) => {
                row.error(
                    Field::ConfirmedOn,
                    "invalid_date",
                    format!("确权日期“{text}”{}", DateError::past_range()),
                );
                None
            }
            Err(DateError::Malformed) => {
                row.error(
                    Field::ConfirmedOn,
                    "invalid_date",
                    format!("无法识别的日期“{text}”，应写成 2020-03-05、2020/3/5、2020年3月5日 或 20200305"),
                );
                None
            }
        },
        None => Some(None),
    };
    let details = row.details();
    let project = project?;
    let confirmed_on = confirmed_on?;
    let details = details?;
    // An asset handed over is looked after by whoever received it, unless the file
    // names its custodian.
    let custodian = row.optional(Field::Custodian).or_else(|| {
        details
            .received_by
            .clone()
            .filter(|_| details.handed_over_on.is_some())
    });
    Some(AssetRecord {
        code: code?,
        project_code: project.code.clone(),
        name: name?,
        class: class?,
        quantity: quantity?,
        unit: row.optional(Field::Unit),
        value: value?,
        owner: Owner {
            name: owner_name?,
            owner_type: owner_type?,
            id_number: id_number?,
        },
        custodian,
        status: if confirmed_on.is_some() {
            AssetStatus::Confirmed
        } else {
            AssetStatus::Registered
        },
        confirmed_on,
        certificate_no: row.optional(Field::CertificateNo),
        town: project.town.clone(),
        village: project.village.clone(),
        details,
    })
}
