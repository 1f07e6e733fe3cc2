//! The closed vocabularies of the fuller 台账 columns: 资产形态 (asset form), 经营方式
//! (operating mode), 资产状态 (condition), and the seven funding channels (资金渠道) a
//! project's funds may be split into.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::vocabulary::{closed_vocabulary, Spelling};

// Read from the Chinese or the English name. Members in the order the spec lists them.
closed_vocabulary! {
    /// 资产形态: what kind of thing the asset is on the books.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum AssetForm {
        /// 固定资产: buildings, machines, roads.
        Fixed => Spelling::new("fixed", "固定资产").or(&["固定资产"]),
        /// 生物资产: livestock, orchards.
        Biological => Spelling::new("biological", "生物资产").or(&["生物资产"]),
        /// 权益资产: shares held in an enterprise or cooperative.
        Equity => Spelling::new("equity", "权益资产").or(&["权益资产"]),
    }
}

// Read from the Chinese or the English name. Members in the order the spec lists them.
closed_vocabulary! {
    /// 经营方式: how the asset is run.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum OperatingMode {
        /// 自营: run by the owner itself.
        #[serde(rename = "self")]
        SelfRun => Spelling::new("self", "自营").or(&["自营"]),
        /// 承包.
        Contract => Spelling::new("contract", "承包").or(&["承包"]),
        /// 租赁.
        Lease => Spelling::new("lease", "租赁").or(&["租赁"]),
        /// 入股.
        Equity => Spelling::new("equity", "入股").or(&["入股"]),
        /// 托管.
        Trust => Spelling::new("trust", "托管").or(&["托管"]),
    }
}

// Read from the Chinese or the English name. Members in the order the spec lists them.
closed_vocabulary! {
    /// 资产状态: the asset's physical condition as the register keeps it (disposal only
    /// goes through the ledger).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum AssetCondition {
        /// 正常.
        Normal => Spelling::new("normal", "正常").or(&["正常"]),
        /// 闲置.
        Idle => Spelling::new("idle", "闲置").or(&["闲置"]),
        /// 损毁.
        Damaged => Spelling::new("damaged", "损毁").or(&["损毁"]),
    }
}

// Read from the English name (`central`) or the column name (`funds_central`, 中央衔接资金).
// Members in the order the spec lists them.
closed_vocabulary! {
    /// 资金渠道: one of the seven channels a project's funds come through.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum FundingChannel {
        /// 中央衔接资金.
        Central => Spelling::new("central", "中央衔接资金").or(&["funds_central", "中央衔接资金"]),
        /// 省级衔接资金.
        Provincial => Spelling::new("provincial", "省级衔接资金").or(&["funds_provincial", "省级衔接资金"]),
        /// 市县衔接资金.
        Local => Spelling::new("local", "市县衔接资金").or(&["funds_local", "市县衔接资金"]),
        /// 整合涉农资金.
        Integrated => Spelling::new("integrated", "整合涉农资金").or(&["funds_integrated", "整合涉农资金"]),
        /// 行业部门资金.
        Sector => Spelling::new("sector", "行业部门资金").or(&["funds_sector", "行业部门资金"]),
        /// 社会帮扶资金.
        Social => Spelling::new("social", "社会帮扶资金").or(&["funds_social", "社会帮扶资金"]),
        /// 其他资金.
        Other => Spelling::new("other", "其他资金").or(&["funds_other", "其他资金"]),
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
    use crate::domain::Vocabulary;

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
