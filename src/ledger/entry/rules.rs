//! The rules that tie several fields of one entry's data together (a contract's period,
//! a distribution's household lines against its amount), checked after each field has
//! been read on its own.

use super::{EntryData, FieldError};
use crate::domain::shown;

/// The rules that tie several fields of a kind's data together: a distribution's
/// household lines add up to its amount to the fen.
pub(super) fn whole_data_errors(data: &EntryData) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let EntryData::ContractSigned(signed) = data {
        if signed.ends_on <= signed.starts_on {
            let message = format!(
                "合同到期日 {} 应晚于起始日 {}",
                signed.ends_on, signed.starts_on
            );
            errors.push(FieldError::new("ends_on", "invalid_period", message));
        }
    }
    if let EntryData::IncomeDistributed(paid) = data {
        match paid.lines_total() {
            None => {}
            Some(Err(())) => errors.push(FieldError::new(
                "lines",
                "amount_too_large",
                "分户明细金额之和超出可记录的范围",
            )),
            Some(Ok(total)) if total != paid.amount => {
                let (sum, amount) = (total.fen(), paid.amount.fen());
                let difference = shown::yuan(sum.abs_diff(amount).try_into().unwrap_or(i64::MAX));
                let more = if sum > amount { "多" } else { "少" };
                let message = format!(
                    "分户明细合计 {} 元，分配金额 {} 元，明细{more} {difference} 元",
                    shown::yuan(sum),
                    shown::yuan(amount)
                );
                errors.push(FieldError::new(
                    "lines",
                    "distribution_lines_mismatch",
                    message,
                ));
            }
            Some(Ok(_)) => {}
        }
    }
    errors
}
