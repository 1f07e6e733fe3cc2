//! The closed vocabularies of an asset: class (资产类别), owner type (所有权人类型) and status.

use std::fmt;

/// 资产类别: the three classes of poverty-alleviation project assets.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum AssetClass {
    /// 经营性: income-earning assets (photovoltaic stations, greenhouses, cold stores).
    Operating,
    /// 公益性: public-welfare assets (water works, roads, pipelines).
    PublicWelfare,
    /// 到户类: assets handed to households (livestock, seedlings, small machines).
    Household,
}

impl AssetClass {
    /// All classes, in the order reports list them.
    pub const ALL: [AssetClass; 3] = [
        AssetClass::Operating,
        AssetClass::PublicWelfare,
        AssetClass::Household,
    ];

    /// Parses the Chinese short or long form or the English name.
    ///
    /// Fails (`None`) for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "经营性" | "经营性资产" | "operating" => Some(AssetClass::Operating),
            "公益性" | "公益性资产" | "public_welfare" => Some(AssetClass::PublicWelfare),
            "到户类" | "到户类资产" | "household" => Some(AssetClass::Household),
            _ => None,
        }
    }

    /// The English name used in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            AssetClass::Operating => "operating",
            AssetClass::PublicWelfare => "public_welfare",
            AssetClass::Household => "household",
        }
    }

    /// The Chinese name staff read.
    pub fn label(self) -> &'static str {
        match self {
            AssetClass::Operating => "经营性",
            AssetClass::PublicWelfare => "公益性",
            AssetClass::Household => "到户类",
        }
    }

    /// Every member as its code and label, in order, for a choice in a form.
    pub fn choices() -> Vec<(&'static str, &'static str)> {
        Self::ALL.iter().map(|c| (c.as_str(), c.label())).collect()
    }
}

impl fmt::Display for AssetClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// 所有权人类型: who owns an asset.
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
pub enum OwnerType {
    /// 村集体
    VillageCollective,
    /// 农户
    Household,
    /// 政府部门
    Government,
    /// 企业
    Enterprise,
    /// 其他
    Other,
}

impl OwnerType {
    /// All owner types, in the order forms list them.
    pub const ALL: [OwnerType; 5] = [
        OwnerType::VillageCollective,
        OwnerType::Household,
        OwnerType::Government,
        OwnerType::Enterprise,
        OwnerType::Other,
    ];

    /// Parses the Chinese or English name.
    ///
    /// Fails (`None`) for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "村集体" | "village_collective" => Some(OwnerType::VillageCollective),
            "农户" | "household" => Some(OwnerType::Household),
            "政府部门" | "government" => Some(OwnerType::Government),
            "企业" | "enterprise" => Some(OwnerType::Enterprise),
            "其他" | "other" => Some(OwnerType::Other),
            _ => None,
        }
    }

    /// The English name used in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            OwnerType::VillageCollective => "village_collective",
            OwnerType::Household => "household",
            OwnerType::Government => "government",
            OwnerType::Enterprise => "enterprise",
            OwnerType::Other => "other",
        }
    }

    /// The Chinese name staff read.
    pub fn label(self) -> &'static str {
        match self {
            OwnerType::VillageCollective => "村集体",
            OwnerType::Household => "农户",
            OwnerType::Government => "政府部门",
            OwnerType::Enterprise => "企业",
            OwnerType::Other => "其他",
        }
    }

    /// Every member as its code and label, in order, for a choice in a form.
    pub fn choices() -> Vec<(&'static str, &'static str)> {
        Self::ALL.iter().map(|t| (t.as_str(), t.label())).collect()
    }
}

impl fmt::Display for OwnerType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an asset stands: 已登记, 已确权 or 已处置.
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
pub enum AssetStatus {
    /// 已登记: registered, ownership not yet confirmed.
    Registered,
    /// 已确权: ownership confirmed.
    Confirmed,
    /// 已处置: disposed of; accepts only corrections.
    Disposed,
}

impl AssetStatus {
    /// All statuses, in the order an asset passes through them.
    pub const ALL: [AssetStatus; 3] = [
        AssetStatus::Registered,
        AssetStatus::Confirmed,
        AssetStatus::Disposed,
    ];

    /// Parses the English name.
    ///
    /// Fails (`None`) for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "registered" => Some(AssetStatus::Registered),
            "confirmed" => Some(AssetStatus::Confirmed),
            "disposed" => Some(AssetStatus::Disposed),
            _ => None,
        }
    }

    /// The English name used in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            AssetStatus::Registered => "registered",
            AssetStatus::Confirmed => "confirmed",
            AssetStatus::Disposed => "disposed",
        }
    }

    /// The Chinese name staff read.
    pub fn label(self) -> &'static str {
        match self {
            AssetStatus::Registered => "已登记",
            AssetStatus::Confirmed => "已确权",
            AssetStatus::Disposed => "已处置",
        }
    }

    /// Every member as its code and label, in order, for a choice in a form.
    pub fn choices() -> Vec<(&'static str, &'static str)> {
        Self::ALL.iter().map(|s| (s.as_str(), s.label())).collect()
    }
}

impl fmt::Display for AssetStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
