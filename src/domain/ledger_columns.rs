//! The closed vocabularies of the fuller 台账 columns: 资产形态 (asset form), 经营方式
//! (operating mode), 资产状态 (condition), and the seven funding channels (资金渠道) a
//! project's funds may be split into.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::vocabulary::{Spelling, Vocabulary};

/// 资产形态: what kind of thing the asset is on the books.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssetForm {
    /// 固定资产: buildings, machines, roads.
    Fixed,
    /// 生物资产: livestock, orchards.
    Biological,
    /// 权益资产: shares held in an enterprise or cooperative.
    Equity,
}

/// Read from the Chinese or the English name.
impl Vocabulary for AssetForm {
    /// In the order the spec lists them.
    const ALL: &'static [Self] = &[AssetForm::Fixed, AssetForm::Biological, AssetForm::Equity];

    fn spelling(self) -> Spelling {
        match self {
            AssetForm::Fixed => Spelling::new("fixed", "固定资产").or(&["固定资产"]),
            AssetForm::Biological => Spelling::new("biological", "生物资产").or(&["生物资产"]),
            AssetForm::Equity => Spelling::new("equity", "权益资产").or(&["权益资产"]),
        }
    }
}

/// 经营方式: how the asset is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OperatingMode {
    /// 自营: run by the owner itself.
    #[serde(rename = "self")]
    SelfRun,
    /// 承包.
    Contract,
    /// 租赁.
    Lease,
    /// 入股.
    Equity,
    /// 托管.
    Trust,
}

/// Read from the Chinese or the English name.
impl Vocabulary for OperatingMode {
    /// In the order the spec lists them.
    const ALL: &'static [Self] = &[
        OperatingMode::SelfRun,
        OperatingMode::Contract,
        OperatingMode::Lease,
        OperatingMode::Equity,
        OperatingMode::Trust,
    ];

    fn spelling(self) -> Spelling {
        match self {
            OperatingMode::SelfRun => Spelling::new("self", "自营").or(&["自营"]),
            OperatingMode::Contract => Spelling::new("contract", "承包").or(&["承包"]),
            OperatingMode::Lease => Spelling::new("lease", "租赁").or(&["租赁"]),
            OperatingMode::Equity => Spelling::new("equity", "入股").or(&["入股"]),
            OperatingMode::Trust => Spelling::new("trust", "托管").or(&["托管"]),
        }
    }
}

/// 资产状态: the asset's physical condition as the register keeps it (disposal only
/// goes through the ledger).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssetCondition {
    /// 正常.
    Normal,
    /// 闲置.
    Idle,
    /// 损毁.
    Damaged,
}

/// Read from the Chinese or the English name.
impl Vocabulary for AssetCondition {
    /// In the order the spec lists them.
    const ALL: &'static [Self] = &[
        AssetCondition::Normal,
        AssetCondition::Idle,
        AssetCondition::Damaged,
    ];

    fn spelling(self) -> Spelling {
        match self {
            AssetCondition::Normal => Spelling::new("normal", "正常").or(&["正常"]),
            AssetCondition::Idle => Spelling::new("idle", "闲置").or(&["闲置"]),
            AssetCondition::Damaged => Spelling::new("damaged", "损毁").or(&["损毁"]),
        }
    }
}

/// 资金渠道: one of the seven channels a project's funds come through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FundingChannel {
    /// 中央衔接资金.
    Central,
    /// 省级衔接资金.
    Provincial,
    /// 市县衔接资金.
    Local,
    /// 整合涉农资金.
    Integrated,
    /// 行业部门资金.
    Sector,
    /// 社会帮扶资金.
    Social,
    /// 其他资金.
    Other,
}

/// Read from the English name (`central`) or the column name (`funds_central`, 中央衔接资金).
impl Vocabulary for FundingChannel {
    /// In the order the spec lists them.
    const ALL: &'static [Self] = &[
        FundingChannel::Central,
        FundingChannel::Provincial,
        FundingChannel::Local,
        FundingChannel::Integrated,
        FundingChannel::Sector,
        FundingChannel::Social,
        FundingChannel::Other,
    ];

    fn spelling(self) -> Spelling {
        match self {
            FundingChannel::Central => {
                Spelling::new("central", "中央衔接资金").or(&["funds_central", "中央衔接资金"])
            }
            FundingChannel::Provincial => Spelling::new("provincial", "省级衔接资金")
                .or(&["funds_provincial", "省级衔接资金"]),
            FundingChannel::Local => {
                Spelling::new("local", "市县衔接资金").or(&["funds_local", "市县衔接资金"])
            }
            FundingChannel::Integrated => Spelling::new("integrated", "整合涉农资金")
                .or(&["funds_integrated", "整合涉农资金"]),
            FundingChannel::Sector => {
                Spelling::new("sector", "行业部门资金").or(&["funds_sector", "行业部门资金"])
            }
            FundingChannel::Social => {
                Spelling::new("social", "社会帮扶资金").or(&["funds_social", "社会帮扶资金"])
            }
            FundingChannel::Other => {
                Spelling::new("other", "其他资金").or(&["funds_other", "其他资金"])
            }
        }
    }
}

impl FundingChannel {
    /// Position in [`Vocabulary::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_member_reads_from_its_chinese_label_and_english_code() {
        for form in AssetForm::ALL {
            assert_eq!(AssetForm::parse(form.label()), Some(*form));
            assert_eq!(AssetForm::parse(form.as_str()), Some(*form));
        }
        for mode in OperatingMode::ALL {
            assert_eq!(OperatingMode::parse(mode.label()), Some(*mode));
            assert_eq!(
                serde_json::to_value(mode).expect("a code"),
                serde_json::json!(mode.as_str())
            );
        }
        for condition in AssetCondition::ALL {
            assert_eq!(AssetCondition::parse(condition.label()), Some(*condition));
        }
        assert_eq!(
            FundingChannel::parse("funds_social"),
            Some(FundingChannel::Social)
        );
        assert_eq!(AssetCondition::parse("缺失"), None);
    }
}
