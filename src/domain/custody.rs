//! The vocabularies of custody entries: what an inspection found (巡查结果), how an
//! asset was disposed of (处置方式), and who received a distribution of income.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::vocabulary::{closed_vocabulary, Spelling};

// Read from the English name only. Members in the order forms list them.
closed_vocabulary! {
    /// 巡查结果: what an inspection found.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum InspectionResult {
        /// 正常: in use and in order.
        Normal => Spelling::new("normal", "正常"),
        /// 闲置: in order but not used.
        Idle => Spelling::new("idle", "闲置"),
        /// 损毁: damaged or destroyed in part.
        Damaged => Spelling::new("damaged", "损毁"),
        /// 缺失: not found.
        Missing => Spelling::new("missing", "缺失"),
    }
}

// Read from the English name only. Members in the order forms list them.
closed_vocabulary! {
    /// 处置方式: how an asset left the register.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum DisposalMethod {
        /// 拍卖: sold at auction.
        Auction => Spelling::new("auction", "拍卖"),
        /// 转让: transferred to another owner for a price.
        Transfer => Spelling::new("transfer", "转让"),
        /// 转为其他资产: turned into, or merged with, another asset.
        Conversion => Spelling::new("conversion", "转为其他资产"),
        /// 灭失: destroyed or lost (flood, fire, death of livestock).
        Loss => Spelling::new("loss", "灭失"),
        /// 报废: scrapped at the end of its use.
        Scrap => Spelling::new("scrap", "报废"),
    }
}

// Read from the English name only. Members in the order forms list them.
closed_vocabulary! {
    /// 经营方式 of an operating contract: how someone else runs the asset and pays for it.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum ContractMode {
        /// 承包: run by a contractor for a fee.
        Contract => Spelling::new("contract", "承包"),
        /// 租赁: leased for rent.
        Lease => Spelling::new("lease", "租赁"),
        /// 入股: put into an enterprise for a guaranteed dividend.
        Equity => Spelling::new("equity", "入股"),
        /// 托管: run by a trustee.
        Trust => Spelling::new("trust", "托管"),
    }
}

/// Who received a distribution of income.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Recipients {
    /// 受益户数: how many households.
    Count(u64),
    /// A description (全村脱贫户).
    Text(String),
    /// 受益人名单: their names.
    Names(Vec<String>),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Vocabulary;

    #[test]
    fn results_and_methods_parse_their_codes_only() {
        assert_eq!(
            InspectionResult::parse(" idle "),
            Some(InspectionResult::Idle)
        );
        assert_eq!(InspectionResult::parse("闲置"), None);
        assert_eq!(DisposalMethod::parse("scrap"), Some(DisposalMethod::Scrap));
        assert_eq!(DisposalMethod::parse("sale"), None);
    }
}
