//! Finding the header row below any title rows, and mapping its columns (Chinese or
//! English, with aliases and money units) to the register's fields.

use super::field::Field;
use crate::domain::MoneyUnit;
use crate::import::error::{RowError, Warning};

/// How many rows from the top may hold the header.
pub const HEADER_SEARCH_ROWS: usize = 10;

/// A header cell understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderCell {
    /// A known field; money fields carry the unit the header names, if any.
    Known(Field, Option<MoneyUnit>),
    /// A money column whose header names a unit the importer does not know.
    UnknownUnit(Field),
    /// A column the importer does not use.
    Unknown,
}

/// Trims spaces (including the ideographic space) and a stray byte-order mark, drops
/// the `'` that an export puts before a cell beginning with `= + - @` (so Excel does
/// not run it as a formula), and reads the text formula `="…"` that an export writes for
/// an ID number (so Excel keeps its 18 digits, `export`) as the text inside.
pub fn clean(cell: &str) -> &str {
    let trimmed =
        cell.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}' || c == '\u{feff}');
    match trimmed.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => match trimmed
            .strip_prefix("=\"")
            .and_then(|rest| rest.strip_suffix('"'))
        {
            Some(text) if !text.contains('"') => text,
            _ => trimmed,
        },
    }
}

/// Understands one header cell: `项目资金(万元)`, `项目资金（元）`, `项目资金`,
/// `project_funds_wan`, `乡镇`, `owner` …
pub fn classify(cell: &str) -> HeaderCell {
    let text = clean(cell)
        .replace(['（', '〔', '['], "(")
        .replace(['）', '〕', ']'], ")");
    let lower = text.to_ascii_lowercase();
    for field in Field::ALL {
        if field.is_money() {
            let english = field.english();
            if lower == english {
                return HeaderCell::Known(field, None);
            }
            if let Some(suffix) = lower
                .strip_prefix(english)
                .and_then(|s| s.strip_prefix('_'))
            {
                return match MoneyUnit::from_label(suffix) {
                    Some(unit) => HeaderCell::Known(field, Some(unit)),
                    None => HeaderCell::UnknownUnit(field),
                };
            }
            let chinese = field.chinese();
            if text == chinese {
                return HeaderCell::Known(field, None);
            }
            if let Some(rest) = text.strip_prefix(chinese) {
                let unit = rest
                    .trim()
                    .strip_prefix('(')
                    .and_then(|r| r.strip_suffix(')'));
                return match unit.and_then(MoneyUnit::from_label) {
                    Some(unit) => HeaderCell::Known(field, Some(unit)),
                    None => HeaderCell::UnknownUnit(field),
                };
            }
            continue;
        }
        if lower == field.english()
            || text == field.chinese()
            || field.chinese_aliases().contains(&text.as_str())
        {
            return HeaderCell::Known(field, None);
        }
    }
    HeaderCell::Unknown
}

/// Whether a row is the header: it has a cell that is 项目编号 or project_code.
pub fn is_header_row<'a>(cells: impl IntoIterator<Item = &'a str>) -> bool {
    cells
        .into_iter()
        .any(|cell| classify(cell) == HeaderCell::Known(Field::ProjectCode, None))
}

/// The unit a title row such as `单位：万元` or `金额单位:元` declares, if any.
pub fn unit_line<'a>(cells: impl IntoIterator<Item = &'a str>) -> Option<MoneyUnit> {
    cells.into_iter().find_map(|cell| {
        let text = clean(cell);
        let position = text.find("单位")?;
        let rest = text[position + "单位".len()..].trim_start_matches([':', '：', ' ']);
        MoneyUnit::from_label(rest.trim_end_matches([')', '）']))
    })
}

/// The unit a header cell names by itself or in brackets at its end: `万元`, `(元)`,
/// `金额（万元）`, `单位：万元`.
fn unit_in(cell: &str) -> Option<MoneyUnit> {
    let text = clean(cell)
        .replace(['（', '〔', '['], "(")
        .replace(['）', '〕', ']'], ")");
    let inner = match text.strip_suffix(')') {
        Some(rest) => &rest[rest.rfind('(')? + 1..],
        None => text.as_str(),
    };
    let inner = inner.trim();
    let inner = match inner.find("单位") {
        Some(at) => inner[at + "单位".len()..].trim_start_matches([':', '：', ' ']),
        None => inner,
    };
    MoneyUnit::from_label(inner)
}

/// Whether `below` is a row of sub-headers under the header row `top`: the cell under
/// 项目编号 is empty or repeats it (a merged cell), some cell says something the cell
/// above does not, and no such cell is a number (a data row carries amounts).
pub fn is_sub_header(top: &[&str], below: &[&str]) -> bool {
    let Some(code_at) = top
        .iter()
        .position(|cell| classify(cell) == HeaderCell::Known(Field::ProjectCode, None))
    else {
        return false;
    };
    let under_code = below.get(code_at).map_or("", |c| clean(c));
    if !under_code.is_empty() && under_code != clean(top[code_at]) {
        return false;
    }
    let mut differs = false;
    for (at, cell) in below.iter().enumerate() {
        let text = clean(cell);
        if text.is_empty() || top.get(at).is_some_and(|above| clean(above) == text) {
            continue;
        }
        if crate::domain::number::parse_plain(text).is_ok() {
            return false;
        }
        differs = true;
    }
    differs
}

/// One header per column from a group row `top` over a sub-header row `below`: a
/// sub-header names its column (`资金来源` over `中央衔接资金` is 中央衔接资金), a cell
/// with nothing below keeps its own name, and a column's unit may sit in either row —
/// a bare unit below (`资产价值` over `万元`) or a unit in the group above
/// (`金额（万元）` over `项目资金`).
pub fn combine_two_rows(top: &[&str], below: &[&str]) -> Vec<String> {
    let width = top.len().max(below.len());
    let mut group = "";
    (0..width)
        .map(|at| {
            let above = top.get(at).map_or("", |c| clean(c));
            let sub = below.get(at).map_or("", |c| clean(c));
            // A merged group saved as CSV leaves the cells right of its first empty.
            if !above.is_empty() {
                group = above;
            }
            let above = if above.is_empty() && !sub.is_empty() {
                group
            } else {
                above
            };
            if sub.is_empty() || sub == above {
                return above.to_owned();
            }
            if let Some(unit) = unit_in(sub).filter(|_| classify(sub) == HeaderCell::Unknown) {
                return format!("{}({})", above, unit.label());
            }
            match (classify(sub), unit_in(above)) {
                (HeaderCell::Known(field, None), Some(unit)) if field.is_money() => {
                    format!("{sub}({})", unit.label())
                }
                _ => sub.to_owned(),
            }
        })
        .collect()
}

/// The header cells of `header` with the units a group row `above` it names: where
/// 项目编号 sits in the lower of two header rows, the upper one is read only for units
/// (`金额（万元）` over `项目资金` and `资产价值`; a group saved as CSV spans the empty
/// cells right of it). A header cell that names its own unit keeps it.
pub fn units_from_above(above: &[&str], header: &[&str]) -> Vec<String> {
    let mut group = "";
    header
        .iter()
        .enumerate()
        .map(|(at, cell)| {
            let over = above.get(at).map_or("", |c| clean(c));
            if !over.is_empty() {
                group = over;
            }
            let text = clean(cell);
            match (classify(text), unit_in(group)) {
                (HeaderCell::Known(field, None), Some(unit)) if field.is_money() => {
                    format!("{text}({})", unit.label())
                }
                _ => (*cell).to_owned(),
            }
        })
        .collect()
}

/// The most columns a header may have: far above any real 台账 (the import knows some
/// twenty columns), low enough that the warnings about unknown ones stay small.
pub const MAX_COLUMNS: usize = 256;

/// The columns of a file: where each field is, in which unit its money is written,
/// and which columns are left out.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Physical line of the header row.
    pub header_line: u64,
    /// Header text of each column, as in the file (trimmed).
    pub headers: Vec<String>,
    positions: [Option<usize>; Field::ALL.len()],
    /// Unit of 项目资金.
    pub funds_unit: MoneyUnit,
    /// Unit of 资产价值.
    pub value_unit: MoneyUnit,
    /// Unit of each funding channel's column, in the order of [`Field::CHANNELS`].
    channel_units: [MoneyUnit; 7],
    /// Whether the file has asset columns at all.
    pub has_asset_columns: bool,
    /// Columns left out.
    pub warnings: Vec<Warning>,
    /// Whether errors name their cell (`H14`): the rows are a workbook sheet's.
    pub names_cells: bool,
}

impl Layout {
    /// Builds the layout from the header row at `header_line`, given the unit a title
    /// row declared.
    ///
    /// Fails with `too_many_columns` (past [`MAX_COLUMNS`]), `missing_column`,
    /// `ambiguous_unit` or `duplicate_column` errors.
    pub fn from_header(
        header_line: u64,
        cells: &[&str],
        declared_unit: Option<MoneyUnit>,
    ) -> Result<Self, Vec<RowError>> {
        if cells.len() > MAX_COLUMNS {
            return Err(vec![RowError::file(
                Some(header_line),
                None,
                "too_many_columns",
                format!(
                    "表头有 {} 列，超过上限 {MAX_COLUMNS} 列；请删去多余的列后重新导入",
                    cells.len()
                ),
            )]);
        }
        let mut positions = [None; Field::ALL.len()];
        let mut units: [Option<MoneyUnit>; Field::ALL.len()] = [None; Field::ALL.len()];
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        // A header cell is kept as column names of errors and warnings: control characters
        // (a NUL cannot even be stored in PostgreSQL) are replaced.
        let headers: Vec<String> = cells
            .iter()
            .map(|c| {
                clean(c)
                    .chars()
                    .map(|ch| if ch.is_control() { '\u{fffd}' } else { ch })
                    .collect()
            })
            .collect();
        for (position, text) in headers.iter().enumerate() {
            match classify(text) {
                HeaderCell::Known(field, unit) => {
                    if positions[field.index()].is_some() {
                        errors.push(RowError::file(
                            Some(header_line),
                            Some(text.clone()),
                            "duplicate_column",
                            format!("表头中“{}”列出现了不止一次", field.chinese()),
                        ));
                        continue;
                    }
                    positions[field.index()] = Some(position);
                    units[field.index()] = unit;
                }
                HeaderCell::UnknownUnit(_) => errors.push(RowError::file(
                    Some(header_line),
                    Some(text.clone()),
                    "ambiguous_unit",
                    format!("无法识别列“{text}”的金额单位，应为 万元 或 元"),
                )),
                HeaderCell::Unknown if text.is_empty() => {}
                HeaderCell::Unknown => warnings.push(Warning {
                    line: header_line,
                    column: text.clone(),
                    code: "unknown_column",
                    message: format!("未识别的列“{text}”，其内容不会导入"),
                }),
            }
        }
        let has_asset_columns = Field::ALL
            .iter()
            .any(|f| f.marks_asset() && positions[f.index()].is_some());
        let required = Field::REQUIRED.iter().chain(if has_asset_columns {
            Field::REQUIRED_FOR_ASSETS.iter()
        } else {
            [].iter()
        });
        for field in required {
            if positions[field.index()].is_none() {
                errors.push(RowError::file(
                    Some(header_line),
                    Some(field.chinese().to_owned()),
                    "missing_column",
                    format!("缺少必需的列“{}”（{}）", field.chinese(), field.english()),
                ));
            }
        }
        let mut money_unit = |field: Field| {
            let unit = units[field.index()].or(declared_unit);
            match (positions[field.index()], unit) {
                (Some(position), None) => {
                    errors.push(RowError::file(
                        Some(header_line),
                        Some(headers[position].clone()),
                        "ambiguous_unit",
                        format!(
                            "列“{}”未注明金额单位，表头上方也没有“单位：万元”或“单位：元”行；请写成“{}(万元)”或“{}(元)”",
                            headers[position],
                            field.chinese(),
                            field.chinese()
                        ),
                    ));
                    MoneyUnit::Yuan
                }
                (_, unit) => unit.unwrap_or(MoneyUnit::Yuan),
            }
        };
        let funds_unit = money_unit(Field::ProjectFunds);
        let value_unit = money_unit(Field::AssetValue);
        let channel_units = Field::CHANNELS.map(&mut money_unit);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Layout {
            header_line,
            headers,
            positions,
            funds_unit,
            value_unit,
            channel_units,
            has_asset_columns,
            warnings,
            names_cells: false,
        })
    }

    /// The unit of a money column (项目资金, 资产价值 or a funding channel); 元 for any
    /// other.
    pub fn unit_of(&self, field: Field) -> MoneyUnit {
        match (field, field.channel()) {
            (Field::ProjectFunds, _) => self.funds_unit,
            (Field::AssetValue, _) => self.value_unit,
            (_, Some(channel)) => self.channel_units[channel.index()],
            _ => MoneyUnit::Yuan,
        }
    }

    /// The column position of `field`, if the file has it.
    pub fn position(&self, field: Field) -> Option<usize> {
        self.positions[field.index()]
    }

    /// The header text of `field` as the file writes it, else its Chinese name.
    pub fn header_of(&self, field: Field) -> &str {
        self.position(field)
            .map_or(field.chinese(), |p| self.headers[p].as_str())
    }

    /// The cell (`H14`) of the column with header text `column` on `line`, in a
    /// workbook's sheet.
    pub fn cell_of(&self, line: u64, column: &str) -> Option<String> {
        if !self.names_cells {
            return None;
        }
        let at = self.headers.iter().position(|h| h == column)?;
        Some(format!("{}{line}", super::sheet::column_letters(at)))
    }

    /// How many columns the header has.
    pub fn width(&self) -> usize {
        self.headers.len()
    }
}

#[cfg(test)]
mod tests;
