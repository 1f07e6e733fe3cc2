//! The register as an .xlsx, for the Excel import's figures beside the CSV's.

use std::path::Path;

/// The most rows the .xlsx import is measured at (the sheet is streamed; writing the
/// workbook for the bench is what takes time).
pub const XLSX_MAX_ROWS: usize = 300_000;

/// Writes the CSV register at `csv` as an .xlsx at `xlsx`: one sheet, the header, then
/// each row with its years, amounts and quantities as number cells, as a county keeps it.
pub fn write_xlsx(csv: &Path, xlsx: &Path) {
    let numeric = [
        "project_year",
        "project_funds_yuan",
        "quantity",
        "asset_value_yuan",
    ];
    let mut reader = csv::Reader::from_path(csv).expect("province csv");
    let headers = reader.headers().expect("header").clone();
    let numbers: Vec<bool> = headers.iter().map(|h| numeric.contains(&h)).collect();
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook
        .add_worksheet_with_constant_memory()
        .expect("worksheet");
    for (col, header) in headers.iter().enumerate() {
        let col = u16::try_from(col).expect("column");
        sheet.write_string(0, col, header).expect("header cell");
    }
    for (row, record) in reader.records().enumerate() {
        let record = record.expect("row");
        let row = u32::try_from(row + 1).expect("row number");
        for (col, cell) in record.iter().enumerate() {
            let at = u16::try_from(col).expect("column");
            match cell.parse::<f64>() {
                Ok(number) if numbers[col] => sheet.write_number(row, at, number),
                _ if cell.is_empty() => continue,
                _ => sheet.write_string(row, at, cell),
            }
            .expect("cell");
        }
    }
    workbook.save(xlsx).expect("save xlsx");
}
