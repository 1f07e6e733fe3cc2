//! `income_distributed` (收益分配) and its household lines (分户明细).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::domain::{BusinessDate, IdNumber, Recipients, Yuan};
use crate::ledger::entry::field::{Field, Input, KindSpec};
use crate::ledger::entry::personal::PersonalField;

/// `income_distributed` (收益分配); all distributions may not exceed all income.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct IncomeDistributed {
    /// How much was paid out.
    pub amount: Yuan,
    /// The period the income was earned in.
    pub period: String,
    /// Who received it.
    pub recipients: Recipients,
    /// When the distribution was publicly noticed (公示).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice_date: Option<BusinessDate>,
    /// What each household received, by name; they add up to `amount` exactly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<DistributionLine>>,
    /// The approvals it went through, when it waited for them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approvals: Option<Vec<super::Approval>>,
}
impl IncomeDistributed {
    const FIELDS: &'static [Field] = &[
        Field::required("amount", "分配金额（元）", Input::Money),
        Field::required("period", "收益期间", Input::Text),
        Field::required("recipients", "受益户数或名单", Input::Recipients),
        Field::optional("notice_date", "公示日期", Input::Date),
        Field::optional("lines", "分户明细", Input::Lines(DistributionLine::FIELDS)),
    ];
    pub(super) const SPEC: KindSpec = KindSpec::new("income_distributed", "收益分配", Self::FIELDS)
        .with_personal(&[PersonalField::id_number("lines[].id_number")]);

    /// The sum of the household lines, when there are lines.
    ///
    /// `Err` when the sum overflows.
    pub fn lines_total(&self) -> Option<Result<Yuan, ()>> {
        let lines = self.lines.as_ref()?;
        Some(
            lines
                .iter()
                .try_fold(Yuan::ZERO, |sum, line| sum.checked_add(line.amount))
                .ok_or(()),
        )
    }
}

/// One household's share of a distribution (分户明细).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DistributionLine {
    /// The head of the household, by name.
    pub name: String,
    /// Their ID number (GB 11643), when recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_number: Option<IdNumber>,
    /// What they received.
    pub amount: Yuan,
    /// When it was paid, when not on the entry's date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paid_on: Option<BusinessDate>,
}
impl DistributionLine {
    /// The fields of one line, as forms and messages list them.
    pub const FIELDS: &'static [Field] = &[
        Field::required("name", "姓名", Input::Text),
        Field::optional("id_number", "身份证号", Input::IdNumber),
        Field::required("amount", "金额（元）", Input::Money),
        Field::optional("paid_on", "发放日期", Input::PastDate),
    ];
}
