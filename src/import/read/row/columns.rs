//! The fuller 台账 columns of a row, all optional: the amount from each funding channel
//! (which must add up to the project's funds), and an asset's 资产形态, 受益户数/人数,
//! 管护责任人 and 联系电话, 移交日期 and 接收单位, 经营方式 and 经营主体, 资产状态,
//! 建成日期, 坐落位置 and 备注.

use super::Cells;
use crate::domain::{
    shown, AssetCondition, AssetForm, BusinessDate, DateError, MoneyUnit, OperatingMode,
    Vocabulary, Yuan,
};
use crate::import::read::field::Field;
use crate::register::{AssetDetails, FundingSplit};

/// The most a beneficiary count may be: far above any village's population.
const MAX_BENEFICIARIES: u32 = 10_000_000;

impl Cells<'_> {
    /// An optional money cell in `unit`: `Some(None)` when empty, `None` when wrong.
    fn optional_money(&mut self, field: Field, unit: MoneyUnit) -> Option<Option<Yuan>> {
        let Some(text) = self.text(field) else {
            return Some(None);
        };
        match Yuan::parse(text, unit) {
            Ok(amount) => Some(Some(amount)),
            Err(e) => {
                let message = format!("“{text}”{e}（单位：{}）", unit.label());
                self.error(field, e.code(), message);
                None
            }
        }
    }

    /// The amount from each funding channel; when any is given, they must add up to
    /// `funds` (else `funding_sum_mismatch`, naming the difference to the fen).
    pub(super) fn funding(&mut self, funds: Option<Yuan>) -> Option<FundingSplit> {
        let mut split: FundingSplit = [None; 7];
        let mut readable = true;
        for (slot, field) in split.iter_mut().zip(Field::CHANNELS) {
            match self.optional_money(field, self.layout.unit_of(field)) {
                Some(amount) => *slot = amount,
                None => readable = false,
            }
        }
        if !readable {
            return None;
        }
        let (Some(funds), true) = (funds, split.iter().any(Option::is_some)) else {
            return Some(split);
        };
        let sum: i128 = split.iter().flatten().map(|a| i128::from(a.fen())).sum();
        let difference = sum - i128::from(funds.fen());
        if difference == 0 {
            return Some(split);
        }
        let sum_text = i64::try_from(sum).map_or_else(|_| format!("{sum} 分"), shown::yuan);
        let difference_text = i64::try_from(difference.abs())
            .map_or_else(|_| format!("{} 分", difference.abs()), shown::yuan);
        let (more, less) = if difference > 0 {
            ("多", "")
        } else {
            ("", "少")
        };
        let column = self.layout.header_of(Field::ProjectFunds).to_owned();
        let mut error = crate::import::error::RowError::cell(
            self.line,
            &column,
            "funding_sum_mismatch",
            format!(
                "各资金渠道之和为 {sum_text} 元，项目资金为 {} 元，{more}{less}了 {difference_text} 元",
                shown::yuan(funds.fen())
            ),
        );
        error.declared = Some(shown::yuan(funds.fen()));
        error.computed = Some(sum_text);
        self.errors.push(error);
        None
    }

    /// A member of a vocabulary, or `unknown_…` listing the accepted labels.
    fn choice<V: Vocabulary>(&mut self, field: Field, code: &'static str) -> Option<Option<V>> {
        let Some(text) = self.text(field) else {
            return Some(None);
        };
        match V::parse(text) {
            Some(member) => Some(Some(member)),
            None => {
                let labels: Vec<&str> = V::ALL.iter().map(|m| m.label()).collect();
                self.error(
                    field,
                    code,
                    format!(
                        "未知的{}“{text}”，应为 {}",
                        field.chinese(),
                        labels.join("、")
                    ),
                );
                None
            }
        }
    }

    /// A count of people or households: a whole number, 0 or more.
    fn count(&mut self, field: Field) -> Option<Option<u32>> {
        let Some(text) = self.text(field) else {
            return Some(None);
        };
        // A number cell of a workbook reads as `12`; `12.0` would be a typed decimal.
        match text.parse::<u32>() {
            Ok(n) if n <= MAX_BENEFICIARIES => Some(Some(n)),
            _ => {
                self.error(
                    field,
                    "invalid_count",
                    format!(
                        "{}“{text}”无效，应为不小于 0 的整数（最多 {MAX_BENEFICIARIES}）",
                        field.chinese()
                    ),
                );
                None
            }
        }
    }

    /// A telephone number: digits, with `+`, `-`, spaces or brackets, 7 to 15 digits.
    fn phone(&mut self) -> Option<Option<String>> {
        let Some(text) = self.text(Field::Phone) else {
            return Some(None);
        };
        let digits = text.chars().filter(char::is_ascii_digit).count();
        let allowed = text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')'));
        if allowed && (7..=15).contains(&digits) {
            return Some(Some(text.to_owned()));
        }
        // The number itself stays out of the message: readers see phones masked.
        self.error(
            Field::Phone,
            "invalid_phone",
            format!(
                "联系电话（{} 个字符）无效，应为 7 至 15 位数字，可含 + - 空格和括号",
                text.chars().count()
            ),
        );
        None
    }

    /// A date no later than today.
    fn past_date(&mut self, field: Field) -> Option<Option<BusinessDate>> {
        let Some(text) = self.text(field) else {
            return Some(None);
        };
        let message = match BusinessDate::parse(text) {
            Ok(date) if date.naive() <= crate::domain::dates::today_in_china() => {
                return Some(Some(date))
            }
            Ok(_) => format!("{}“{text}”晚于今天", field.chinese()),
            Err(DateError::OutOfRange) => {
                format!("{}“{text}”{}", field.chinese(), DateError::past_range())
            }
            Err(DateError::Malformed) => format!(
                "无法识别的{}“{text}”，应写成 2020-03-05、2020/3/5、2020年3月5日 或 20200305",
                field.chinese()
            ),
        };
        self.error(field, "invalid_date", message);
        None
    }

    /// The asset's 台账 columns.
    pub(super) fn details(&mut self) -> Option<AssetDetails> {
        let asset_form = self.choice::<AssetForm>(Field::AssetForm, "unknown_asset_form");
        let households = self.count(Field::BeneficiaryHouseholds);
        let persons = self.count(Field::BeneficiaryPersons);
        let phone = self.phone();
        let handed_over_on = self.past_date(Field::HandedOverOn);
        let received_by = self.optional(Field::ReceivedBy);
        if matches!(handed_over_on, Some(Some(_))) && received_by.is_none() {
            self.error(
                Field::ReceivedBy,
                "required",
                "填写了“移交日期”时，“接收单位”不能为空".to_owned(),
            );
        }
        let operating_mode =
            self.choice::<OperatingMode>(Field::OperatingMode, "unknown_operating_mode");
        let condition = self.choice::<AssetCondition>(Field::Condition, "unknown_condition");
        let completed_on = self.past_date(Field::CompletedOn);
        Some(AssetDetails {
            asset_form: asset_form?,
            beneficiary_households: households?,
            beneficiary_persons: persons?,
            responsible_person: self.optional(Field::ResponsiblePerson),
            phone: phone?,
            handed_over_on: handed_over_on?,
            received_by,
            operating_mode: operating_mode?,
            operator: self.optional(Field::Operator),
            condition: condition?,
            completed_on: completed_on?,
            location: self.optional(Field::Location),
            remarks: self.optional(Field::Remarks),
        })
    }
}
