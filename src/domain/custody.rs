//! The vocabularies of custody entries: what an inspection found (巡查结果), how an
//! asset was disposed of (处置方式), and who received a distribution of income.

use std::fmt;

/// 巡查结果: what an inspection found.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum InspectionResult {
    /// 正常: in use and in order.
    Normal,
    /// 闲置: in order but not used.
    Idle,
    /// 损毁: damaged or destroyed in part.
    Damaged,
    /// 缺失: not found.
    Missing,
}

impl InspectionResult {
    /// Every result, in the order forms list them.
    pub const ALL: [InspectionResult; 4] = [
        InspectionResult::Normal,
        InspectionResult::Idle,
        InspectionResult::Damaged,
        InspectionResult::Missing,
    ];

    /// Parses the English name.
    ///
    /// Fails (`None`) for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text.trim())
    }

    /// The English name used in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            InspectionResult::Normal => "normal",
            InspectionResult::Idle => "idle",
            InspectionResult::Damaged => "damaged",
            InspectionResult::Missing => "missing",
        }
    }

    /// The Chinese name staff read.
    pub fn label(self) -> &'static str {
        match self {
            InspectionResult::Normal => "正常",
            InspectionResult::Idle => "闲置",
            InspectionResult::Damaged => "损毁",
            InspectionResult::Missing => "缺失",
        }
    }

    /// Every member as its code and label, in order, for a choice in a form.
    pub fn choices() -> Vec<(&'static str, &'static str)> {
        Self::ALL.iter().map(|r| (r.as_str(), r.label())).collect()
    }
}

/// 处置方式: how an asset left the register.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DisposalMethod {
    /// 拍卖: sold at auction.
    Auction,
    /// 转让: transferred to another owner for a price.
    Transfer,
    /// 转为其他资产: turned into, or merged with, another asset.
    Conversion,
    /// 灭失: destroyed or lost (flood, fire, death of livestock).
    Loss,
    /// 报废: scrapped at the end of its use.
    Scrap,
}

impl DisposalMethod {
    /// Every method, in the order forms list them.
    pub const ALL: [DisposalMethod; 5] = [
        DisposalMethod::Auction,
        DisposalMethod::Transfer,
        DisposalMethod::Conversion,
        DisposalMethod::Loss,
        DisposalMethod::Scrap,
    ];

    /// Parses the English name.
    ///
    /// Fails (`None`) for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == text.trim())
    }

    /// The English name used in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            DisposalMethod::Auction => "auction",
            DisposalMethod::Transfer => "transfer",
            DisposalMethod::Conversion => "conversion",
            DisposalMethod::Loss => "loss",
            DisposalMethod::Scrap => "scrap",
        }
    }

    /// The Chinese name staff read.
    pub fn label(self) -> &'static str {
        match self {
            DisposalMethod::Auction => "拍卖",
            DisposalMethod::Transfer => "转让",
            DisposalMethod::Conversion => "转为其他资产",
            DisposalMethod::Loss => "灭失",
            DisposalMethod::Scrap => "报废",
        }
    }

    /// Every member as its code and label, in order, for a choice in a form.
    pub fn choices() -> Vec<(&'static str, &'static str)> {
        Self::ALL.iter().map(|m| (m.as_str(), m.label())).collect()
    }
}

impl fmt::Display for InspectionResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for DisposalMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who received a distribution of income.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
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
    use crate::domain::{AssetClass, AssetStatus, OwnerType};

    /// Serde writes and reads each member by its code, and each has a label.
    fn agree<T>(
        members: &[T],
        choices: Vec<(&'static str, &'static str)>,
        code: fn(T) -> &'static str,
    ) where
        T: Copy + PartialEq + std::fmt::Debug + serde::Serialize + serde::de::DeserializeOwned,
    {
        assert_eq!(members.len(), choices.len());
        for (member, (choice, label)) in members.iter().zip(choices) {
            assert_eq!(code(*member), choice);
            assert_eq!(
                serde_json::to_value(member).ok(),
                Some(serde_json::Value::from(choice))
            );
            let back: Option<T> = serde_json::from_value(serde_json::Value::from(choice)).ok();
            assert_eq!(back.as_ref(), Some(member));
            assert!(!label.is_empty());
        }
    }

    #[test]
    fn every_vocabulary_writes_and_reads_its_codes() {
        agree(&AssetClass::ALL, AssetClass::choices(), AssetClass::as_str);
        agree(&OwnerType::ALL, OwnerType::choices(), OwnerType::as_str);
        agree(
            &AssetStatus::ALL,
            AssetStatus::choices(),
            AssetStatus::as_str,
        );
        agree(
            &InspectionResult::ALL,
            InspectionResult::choices(),
            InspectionResult::as_str,
        );
        agree(
            &DisposalMethod::ALL,
            DisposalMethod::choices(),
            DisposalMethod::as_str,
        );
        assert_eq!(InspectionResult::Idle.label(), "闲置");
        assert_eq!(DisposalMethod::Loss.label(), "灭失");
    }

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
