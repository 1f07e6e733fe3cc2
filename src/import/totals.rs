//! Totals rows (合计, 总计, 小计): not register rows, but figures to check. Each money or
//! count cell a totals row fills must equal the sum of the register rows it covers —
//! 合计 and 总计 all rows above, 小计 those since the previous 小计 — counting a project's
//! funds once; else the row error `total_row_mismatch` with both figures, to the fen.

use rust_decimal::Decimal;

use super::error::RowError;
use super::read::field::Field;
use super::read::header::{clean, Layout};
use super::read::row::ParsedRow;
use crate::domain::shown;
use crate::domain::{Quantity, Yuan};

/// Which rows a totals row covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TotalKind {
    /// 合计: every register row above it.
    Total,
    /// 总计: every register row above it.
    GrandTotal,
    /// 小计: the register rows since the previous 小计.
    Subtotal,
}

impl TotalKind {
    /// The word the row starts with.
    pub fn label(self) -> &'static str {
        match self {
            TotalKind::Total => "合计",
            TotalKind::GrandTotal => "总计",
            TotalKind::Subtotal => "小计",
        }
    }
}

/// The kind of totals row `cells` is: its first non-empty cell, spaces ignored, is
/// 合计, 总计 or 小计.
pub fn kind_of(cells: &[&str]) -> Option<TotalKind> {
    let first = cells.iter().map(|c| clean(c)).find(|c| !c.is_empty())?;
    // Most rows are register rows: tell them apart before building anything.
    if !first.ends_with('计') {
        return None;
    }
    let word: String = first
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
        .collect();
    match word.as_str() {
        "合计" => Some(TotalKind::Total),
        "总计" => Some(TotalKind::GrandTotal),
        "小计" => Some(TotalKind::Subtotal),
        _ => None,
    }
}

/// A figure a totals row declares.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Figure {
    Money(Yuan),
    Count(Decimal),
}

/// A totals row as read: what it covers and the figures it fills.
#[derive(Debug, Clone)]
pub struct DeclaredTotals {
    kind: TotalKind,
    line: u64,
    figures: Vec<(Field, Figure)>,
}

/// The money and count columns a totals row may fill, besides the funding channels'
/// ([`Field::CHANNELS`]).
const SUMMED: [Field; 5] = [
    Field::ProjectFunds,
    Field::AssetValue,
    Field::Quantity,
    Field::BeneficiaryHouseholds,
    Field::BeneficiaryPersons,
];

/// Reads the figures of the totals row `cells` at `line`, in the units of `layout`.
///
/// Fails with the number errors of its cells, as a register row's would be.
pub fn declared(
    layout: &Layout,
    kind: TotalKind,
    line: u64,
    cells: &[&str],
) -> Result<DeclaredTotals, Vec<RowError>> {
    let mut figures = Vec::new();
    let mut errors = Vec::new();
    for field in SUMMED.into_iter().chain(Field::CHANNELS) {
        let Some(text) = layout
            .position(field)
            .and_then(|at| cells.get(at))
            .map(|c| clean(c))
            .filter(|c| !c.is_empty())
        else {
            continue;
        };
        let figure = match field {
            _ if field.is_money() => {
                let unit = layout.unit_of(field);
                Yuan::parse(text, unit).map(Figure::Money).map_err(|e| {
                    (
                        e.code(),
                        format!("{}行的“{text}”{e}（单位：{}）", kind.label(), unit.label()),
                    )
                })
            }
            _ => Quantity::parse(text)
                .map(|q| Figure::Count(q.value()))
                .map_err(|e| {
                    (
                        e.code(),
                        format!("{}行的{}“{text}”{e}", kind.label(), field.chinese()),
                    )
                }),
        };
        match figure {
            Ok(figure) => figures.push((field, figure)),
            Err((code, message)) => {
                errors.push(RowError::cell(line, layout.header_of(field), code, message))
            }
        }
    }
    if errors.is_empty() {
        Ok(DeclaredTotals {
            kind,
            line,
            figures,
        })
    } else {
        Err(errors)
    }
}

/// Sums over a run of register rows.
#[derive(Debug, Default, Clone)]
struct Sums {
    funds: i128,
    value: i128,
    channels: [i128; 7],
    households: i128,
    persons: i128,
    quantity: Option<Decimal>,
    /// Whether every row covered was read without error: a sum over rows that failed
    /// would not say anything (the file is rejected for those rows anyway).
    incomplete: bool,
}

impl Sums {
    fn add(&mut self, row: &ParsedRow, first_of_project: bool) {
        if first_of_project {
            self.funds += i128::from(row.project.funds.fen());
            for (sum, amount) in self.channels.iter_mut().zip(row.project.funding) {
                *sum += i128::from(amount.map_or(0, Yuan::fen));
            }
        }
        if let Some(asset) = &row.asset {
            self.value += i128::from(asset.value.fen());
            self.households += i128::from(asset.details.beneficiary_households.unwrap_or(0));
            self.persons += i128::from(asset.details.beneficiary_persons.unwrap_or(0));
            if let Some(quantity) = &asset.quantity {
                self.quantity = self
                    .quantity
                    .unwrap_or_default()
                    .checked_add(quantity.value());
                if self.quantity.is_none() {
                    self.incomplete = true;
                }
            }
        }
    }
}

/// The sums the totals rows are checked against, kept as the register rows pass.
#[derive(Debug, Default)]
pub struct RunningTotals {
    all: Sums,
    section: Sums,
}

impl RunningTotals {
    /// Counts a register row that passed its checks; `first_of_project` when no row
    /// before it named its project (its funds count once).
    pub fn add(&mut self, row: &ParsedRow, first_of_project: bool) {
        self.all.add(row, first_of_project);
        self.section.add(row, first_of_project);
    }

    /// Notes a register row that failed: the totals over it are not checked.
    pub fn skip(&mut self) {
        self.all.incomplete = true;
        self.section.incomplete = true;
    }

    /// Checks a totals row against the rows it covers; `Ok(true)` when it fills a
    /// figure and every one adds up, `Ok(false)` when there was nothing to check.
    ///
    /// Fails with `total_row_mismatch` for each figure that does not add up.
    pub fn check(
        &mut self,
        layout: &Layout,
        declared: &DeclaredTotals,
    ) -> Result<bool, Vec<RowError>> {
        let sums = match declared.kind {
            TotalKind::Total | TotalKind::GrandTotal => self.all.clone(),
            TotalKind::Subtotal => std::mem::take(&mut self.section),
        };
        if sums.incomplete || declared.figures.is_empty() {
            return Ok(false);
        }
        let label = declared.kind.label();
        let mut errors = Vec::new();
        for (field, figure) in &declared.figures {
            let (declared_text, computed_text) = match figure {
                Figure::Money(amount) => {
                    let computed = match (field, field.channel()) {
                        (Field::ProjectFunds, _) => sums.funds,
                        (_, Some(channel)) => sums.channels[channel.index()],
                        _ => sums.value,
                    };
                    if i128::from(amount.fen()) == computed {
                        continue;
                    }
                    let computed_text = i64::try_from(computed)
                        .map_or_else(|_| format!("{computed} 分"), shown::yuan);
                    (shown::yuan(amount.fen()), computed_text)
                }
                Figure::Count(count) => {
                    let computed = match field {
                        Field::BeneficiaryHouseholds => {
                            Decimal::from_i128_with_scale(sums.households, 0)
                        }
                        Field::BeneficiaryPersons => Decimal::from_i128_with_scale(sums.persons, 0),
                        _ => sums.quantity.unwrap_or_default(),
                    };
                    if *count == computed {
                        continue;
                    }
                    (
                        count.normalize().to_string(),
                        computed.normalize().to_string(),
                    )
                }
            };
            let unit = if matches!(figure, Figure::Money(_)) {
                " 元"
            } else {
                ""
            };
            let covered = match declared.kind {
                TotalKind::Subtotal => "上一小计行以来各行",
                TotalKind::Total | TotalKind::GrandTotal => "以上各行",
            };
            let mut error = RowError::cell(
                declared.line,
                layout.header_of(*field),
                "total_row_mismatch",
                format!(
                    "{label}行的“{}”为 {declared_text}{unit}，{covered}之和为 {computed_text}{unit}（同一项目的资金只计一次）",
                    field.chinese()
                ),
            );
            error.declared = Some(declared_text);
            error.computed = Some(computed_text);
            errors.push(error);
        }
        if errors.is_empty() {
            Ok(true)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_rows_are_told_by_their_first_cell() {
        assert_eq!(kind_of(&["", " 合 计 ", "1"]), Some(TotalKind::Total));
        assert_eq!(kind_of(&["总计"]), Some(TotalKind::GrandTotal));
        assert_eq!(
            kind_of(&["", "", "小\u{3000}计"]),
            Some(TotalKind::Subtotal)
        );
        assert_eq!(kind_of(&["XP-001", "合计"]), None);
        assert_eq!(kind_of(&["", ""]), None);
    }
}
