//! The register as an Excel workbook laid out as a finance bureau prints its 台账: a title
//! row, `单位：元` and `截至 YYYY-MM-DD`, a frozen header, each project's cells merged
//! down its asset rows, amounts as numbers formatted `#,##0.00`, codes and ID numbers as
//! text cells, and a 合计 row. The columns are the CSV export's ([`super::HEADER`]); the
//! importer reads the workbook back to the same register.
//!
//! The sheet is written in rust_xlsxwriter's constant-memory mode: each row goes to a
//! temp file once it is complete, and only one project's assets are held at a time (to
//! know how far its cells merge down). rust_xlsxwriter still keeps a small record of
//! every merged cell until the workbook is saved.

use std::io::Write;

use chrono::NaiveDate;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet};

use super::cells::{
    asset_cells, project_cells, Cell, BENEFICIARY_COLUMNS, CHANNELS_COLUMN, FUNDS_COLUMN, HEADER,
    PROJECT_COLUMNS, VALUE_COLUMN,
};
use super::{each_register_row, ExportError, Exported, Order};
use crate::db::DbConnection;
use crate::domain::{Scope, Yuan};
use crate::register::query::AssetFilter;
use crate::register::store::{AssetRow, ProjectRow};

/// The title of the sheet.
const TITLE: &str = "扶贫项目资产台账";

/// Rows above the header: the title, then the unit and the date.
const HEADER_ROW: u32 = 2;

/// The formats of the sheet's cells.
struct Formats {
    title: Format,
    header: Format,
    text: Format,
    /// Codes and ID numbers: text format, so that Excel keeps them as typed.
    code: Format,
    money: Format,
    number: Format,
    total: Format,
    total_money: Format,
}

impl Formats {
    fn new() -> Self {
        let cell = Format::new()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter);
        Formats {
            title: Format::new()
                .set_bold()
                .set_font_size(16)
                .set_align(FormatAlign::Center),
            header: cell
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center),
            text: cell.clone(),
            code: cell.clone().set_num_format("@"),
            money: cell.clone().set_num_format("#,##0.00"),
            number: cell.clone(),
            total: cell.clone().set_bold().set_align(FormatAlign::Center),
            total_money: cell.set_bold().set_num_format("#,##0.00"),
        }
    }
}

/// The rows written so far, what they add up to, and the project whose rows are still
/// to be written.
struct Sheet<'a> {
    sheet: &'a mut Worksheet,
    formats: Formats,
    /// The next row to write.
    row: u32,
    /// Register rows written.
    written: u64,
    funds_fen: i64,
    value_fen: i64,
    /// Each funding channel's sum, when some project gives it.
    channels_fen: [Option<i64>; 7],
    /// 受益户数 and 受益人数 summed, when some asset gives them.
    beneficiaries: [Option<i64>; 2],
    /// The project being gathered and its assets.
    pending: Option<(ProjectRow, Vec<AssetRow>)>,
}

impl Sheet<'_> {
    /// Adds a register row: gathers the assets of one project, and writes the project
    /// gathered before when another begins.
    fn add(&mut self, project: &ProjectRow, asset: Option<&AssetRow>) -> Result<(), ExportError> {
        match &mut self.pending {
            Some((pending, assets)) if pending.code == project.code && asset.is_some() => {
                assets.extend(asset.cloned());
            }
            _ => {
                self.flush()?;
                self.pending = Some((project.clone(), asset.into_iter().cloned().collect()));
            }
        }
        Ok(())
    }

    /// Writes the project gathered (if any): its cells once, merged down its asset rows.
    fn flush(&mut self) -> Result<(), ExportError> {
        let Some((project, assets)) = self.pending.take() else {
            return Ok(());
        };
        let first = self.row;
        let rows = u32::try_from(assets.len().max(1))
            .map_err(|_| ExportError::Corrupt(format!("project {} too large", project.code)))?;
        let last = first + rows - 1;
        for (column, cell) in (0u16..).zip(project_cells(&project)?.iter()) {
            if last > first {
                self.sheet
                    .merge_range(first, column, last, column, "", &self.formats.text)?;
            }
            self.write(first, column, cell)?;
        }
        for (row, asset) in (first..).zip(&assets) {
            let cells = asset_cells(asset)?;
            for (column, cell) in (0u16..).skip(PROJECT_COLUMNS).zip(cells.iter()) {
                self.write(row, column, cell)?;
            }
            self.value_fen = checked_add(self.value_fen, asset.value_fen)?;
            let details = asset
                .details()
                .map_err(|e| ExportError::Corrupt(e.to_string()))?;
            let counts = [details.beneficiary_households, details.beneficiary_persons];
            for (sum, count) in self.beneficiaries.iter_mut().zip(counts) {
                if let Some(count) = count {
                    *sum = Some(checked_add(sum.unwrap_or(0), i64::from(count))?);
                }
            }
        }
        self.funds_fen = checked_add(self.funds_fen, project.funds_fen)?;
        for (sum, fen) in self.channels_fen.iter_mut().zip(project.funding_fen()) {
            if let Some(fen) = fen {
                *sum = Some(checked_add(sum.unwrap_or(0), fen)?);
            }
        }
        self.written += u64::from(rows);
        self.row = last + 1;
        Ok(())
    }

    /// Writes one typed cell.
    fn write(&mut self, row: u32, column: u16, cell: &Cell) -> Result<(), ExportError> {
        let f = &self.formats;
        match cell {
            Cell::Text(text) => self
                .sheet
                .write_string_with_format(row, column, text, &f.text),
            Cell::Code(text) | Cell::IdNumber(text) => self
                .sheet
                .write_string_with_format(row, column, text, &f.code),
            Cell::Money(yuan) => {
                self.sheet
                    .write_number_with_format(row, column, number_of(*yuan)?, &f.money)
            }
            Cell::Year(year) => {
                self.sheet
                    .write_number_with_format(row, column, f64::from(*year), &f.number)
            }
            Cell::Quantity(text) => match exact_number(text) {
                Some(number) => self
                    .sheet
                    .write_number_with_format(row, column, number, &f.number),
                None => self
                    .sheet
                    .write_string_with_format(row, column, text, &f.text),
            },
        }?;
        Ok(())
    }
}

fn checked_add(sum: i64, fen: i64) -> Result<i64, ExportError> {
    sum.checked_add(fen)
        .ok_or_else(|| ExportError::Corrupt("the amounts overflow".to_owned()))
}

/// An amount as the number a spreadsheet cell holds: the double nearest to its decimal,
/// whose shortest decimal form (what the importer reads) is that decimal again, as for
/// any amount below 2⁵³ fen.
fn number_of(yuan: Yuan) -> Result<f64, ExportError> {
    yuan.to_string()
        .parse()
        .map_err(|_| ExportError::Corrupt(format!("amount {yuan}")))
}

/// A 数量 as a number when a double holds it exactly as written (its shortest decimal
/// form is the same decimal), else `None` (it stays text).
fn exact_number(text: &str) -> Option<f64> {
    let decimal: rust_decimal::Decimal = text.parse().ok()?;
    let number: f64 = text.parse().ok()?;
    let back: rust_decimal::Decimal = number.to_string().parse().ok()?;
    (back == decimal).then_some(number)
}

/// Writes the register's rows in `scope` matching `filter` (the rows of the CSV export,
/// [`super::write_register`], grouped by project) as an .xlsx to `out`, dated `today`;
/// returns how many register rows it wrote (the 合计 row not counted).
///
/// Fails when the database fails, a stored value is invalid or the workbook cannot be
/// written.
pub fn write_register_xlsx<W: Write + Send>(
    conn: &mut DbConnection,
    scope: &Scope,
    filter: &AssetFilter,
    today: NaiveDate,
    out: W,
) -> Result<Exported, ExportError> {
    let mut workbook = Workbook::new();
    let worksheet = workbook.add_worksheet_with_constant_memory()?;
    worksheet.set_name("台账")?;
    let last_column = u16::try_from(HEADER.len() - 1).unwrap_or(u16::MAX);
    let formats = Formats::new();
    for column in 0..=last_column {
        // Codes, names and ID numbers wide; the rest narrow.
        let width = if matches!(column, 0 | 1 | 15 | 16 | 23) {
            20.0
        } else {
            12.0
        };
        worksheet.set_column_width(column, width)?;
    }
    worksheet.merge_range(0, 0, 0, last_column, TITLE, &formats.title)?;
    worksheet.write_string(1, 0, "单位：元")?;
    worksheet.write_string(1, last_column, format!("截至 {today}"))?;
    for (column, header) in (0u16..).zip(HEADER) {
        worksheet.write_string_with_format(HEADER_ROW, column, header, &formats.header)?;
    }
    worksheet.set_freeze_panes(HEADER_ROW + 1, 0)?;
    let mut sheet = Sheet {
        sheet: worksheet,
        formats,
        row: HEADER_ROW + 1,
        written: 0,
        funds_fen: 0,
        value_fen: 0,
        channels_fen: [None; 7],
        beneficiaries: [None; 2],
        pending: None,
    };
    let mut exported = Exported::default();
    each_register_row(conn, scope, filter, Order::Project, |project, asset| {
        exported.count(asset);
        sheet.add(project, asset)
    })?;
    sheet.flush()?;
    let total = sheet.row;
    let (funds, value) = (money_of(sheet.funds_fen)?, money_of(sheet.value_fen)?);
    let written = sheet.written;
    let channels = sheet.channels_fen;
    let beneficiaries = sheet.beneficiaries;
    let formats = &sheet.formats;
    let worksheet = sheet.sheet;
    worksheet.write_string_with_format(total, 0, "合计", &formats.total)?;
    for column in 1..=last_column {
        let at = usize::from(column);
        if at == FUNDS_COLUMN {
            worksheet.write_number_with_format(total, column, funds, &formats.total_money)?;
        } else if at == VALUE_COLUMN {
            worksheet.write_number_with_format(total, column, value, &formats.total_money)?;
        } else if let Some(Some(fen)) = at
            .checked_sub(CHANNELS_COLUMN)
            .and_then(|channel| channels.get(channel))
        {
            let sum = money_of(*fen)?;
            worksheet.write_number_with_format(total, column, sum, &formats.total_money)?;
        } else if let Some(Some(count)) = BENEFICIARY_COLUMNS
            .iter()
            .position(|c| *c == at)
            .map(|i| beneficiaries[i])
        {
            let count = u32::try_from(count)
                .map(f64::from)
                .map_err(|_| ExportError::Corrupt(format!("beneficiaries {count}")))?;
            worksheet.write_number_with_format(total, column, count, &formats.total)?;
        } else {
            worksheet.write_blank(total, column, &formats.text)?;
        }
    }
    workbook.save_to_writer(out)?;
    debug_assert_eq!(written, exported.rows);
    Ok(exported)
}

fn money_of(fen: i64) -> Result<f64, ExportError> {
    let yuan =
        Yuan::from_fen(fen).ok_or_else(|| ExportError::Corrupt(format!("negative sum {fen}")))?;
    number_of(yuan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_are_numbers_only_when_a_double_holds_them_exactly() {
        assert_eq!(exact_number("12"), Some(12.0));
        assert_eq!(exact_number("0.5"), Some(0.5));
        assert_eq!(exact_number("1.10"), Some(1.1));
        assert_eq!(exact_number("12345678901234567890.123"), None);
        assert_eq!(exact_number(""), None);
        assert_eq!(exact_number("三"), None);
    }

    #[test]
    fn amounts_become_the_double_whose_shortest_form_is_their_decimal() {
        for fen in [0, 1, 10, 99, 12_329_800, 123_456_789_012_345] {
            let yuan = Yuan::from_fen(fen).expect("non-negative");
            let number = number_of(yuan).expect("number");
            let back: rust_decimal::Decimal = number.to_string().parse().expect("decimal");
            let exact: rust_decimal::Decimal = yuan.to_string().parse().expect("decimal");
            assert_eq!(back, exact, "{fen}");
        }
    }
}
