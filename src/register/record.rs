//! A project and an asset as the register holds them, whatever they were read from.

use crate::domain::{
    AssetClass, AssetCode, AssetStatus, BusinessDate, IdNumber, OwnerType, ProjectCode, Quantity,
    Year, Yuan,
};

/// 项目: one project's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectRecord {
    /// 项目编号
    pub code: ProjectCode,
    /// 项目名称
    pub name: String,
    /// 项目年度
    pub year: Year,
    /// 镇/街道
    pub town: String,
    /// 村
    pub village: Option<String>,
    /// 项目资金
    pub funds: Yuan,
    /// 资金来源
    pub funding_source: Option<String>,
    /// 行业主管部门
    pub department: Option<String>,
}

/// 所有权人: who owns an asset. As ledger entries carry it: `{name, type, id_number}`,
/// with `id_number` written as `null` when not recorded.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Owner {
    /// Name of the person, collective or body.
    pub name: String,
    /// What kind of owner it is.
    #[serde(rename = "type")]
    pub owner_type: OwnerType,
    /// 证件号, if recorded.
    pub id_number: Option<IdNumber>,
}

/// 资产: one asset's fields as registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetRecord {
    /// 资产编号
    pub code: AssetCode,
    /// The project that formed it.
    pub project_code: ProjectCode,
    /// 资产名称
    pub name: String,
    /// 资产类别
    pub class: AssetClass,
    /// 数量
    pub quantity: Option<Quantity>,
    /// 计量单位
    pub unit: Option<String>,
    /// 资产价值
    pub value: Yuan,
    /// 所有权人
    pub owner: Owner,
    /// 管护主体
    pub custodian: Option<String>,
    /// 已登记 or 已确权 (an import never registers a disposed asset).
    pub status: AssetStatus,
    /// 确权日期
    pub confirmed_on: Option<BusinessDate>,
    /// 确权证书编号
    pub certificate_no: Option<String>,
    /// 镇/街道, from the project.
    pub town: String,
    /// 村, from the project.
    pub village: Option<String>,
}
