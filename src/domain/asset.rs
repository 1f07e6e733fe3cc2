//! The closed vocabularies of an asset: class (资产类别), owner type (所有权人类型) and status.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::vocabulary::{closed_vocabulary, Spelling};

// Read from the Chinese short or long form or the English name. Members in the order
// reports list them.
closed_vocabulary! {
    /// 资产类别: the three classes of poverty-alleviation project assets.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum AssetClass {
        /// 经营性: income-earning assets (photovoltaic stations, greenhouses, cold stores).
        Operating => Spelling::new("operating", "经营性").or(&["经营性", "经营性资产"]),
        /// 公益性: public-welfare assets (water works, roads, pipelines).
        PublicWelfare => Spelling::new("public_welfare", "公益性").or(&["公益性", "公益性资产"]),
        /// 到户类: assets handed to households (livestock, seedlings, small machines).
        Household => Spelling::new("household", "到户类").or(&["到户类", "到户类资产"]),
    }
}

// Read from the Chinese or the English name. Members in the order forms list them.
closed_vocabulary! {
    /// 所有权人类型: who owns an asset.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum OwnerType {
        /// 村集体
        VillageCollective => Spelling::new("village_collective", "村集体").or(&["村集体"]),
        /// 农户
        Household => Spelling::new("household", "农户").or(&["农户"]),
        /// 政府部门
        Government => Spelling::new("government", "政府部门").or(&["政府部门"]),
        /// 企业
        Enterprise => Spelling::new("enterprise", "企业").or(&["企业"]),
        /// 其他
        Other => Spelling::new("other", "其他").or(&["其他"]),
    }
}

// Read from the English name only. Members in the order an asset passes through them.
closed_vocabulary! {
    /// Where an asset stands: 已登记, 已确权 or 已处置.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum AssetStatus {
        /// 已登记: registered, ownership not yet confirmed.
        Registered => Spelling::new("registered", "已登记"),
        /// 已确权: ownership confirmed.
        Confirmed => Spelling::new("confirmed", "已确权"),
        /// 已处置: disposed of; accepts only corrections.
        Disposed => Spelling::new("disposed", "已处置"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Vocabulary;

    #[test]
    fn classes_parse_from_every_spelling_the_spec_names() {
        for (text, class) in [
            ("经营性", AssetClass::Operating),
            ("经营性资产", AssetClass::Operating),
            ("operating", AssetClass::Operating),
            (" 公益性 ", AssetClass::PublicWelfare),
            ("公益性资产", AssetClass::PublicWelfare),
            ("public_welfare", AssetClass::PublicWelfare),
            ("到户类", AssetClass::Household),
            ("到户类资产", AssetClass::Household),
            ("household", AssetClass::Household),
        ] {
            assert_eq!(AssetClass::parse(text), Some(class), "{text}");
        }
        assert_eq!(AssetClass::parse("经营"), None);
    }

    #[test]
    fn owner_types_parse_from_chinese_and_english() {
        assert_eq!(
            OwnerType::parse("村集体"),
            Some(OwnerType::VillageCollective)
        );
        assert_eq!(OwnerType::parse("enterprise"), Some(OwnerType::Enterprise));
        assert_eq!(OwnerType::parse("个人"), None);
    }
}
