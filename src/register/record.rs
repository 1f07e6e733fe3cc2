//! A project and an asset as the register holds them, whatever they were read from.

use crate::domain::{
    AssetClass, AssetCode, AssetCondition, AssetForm, AssetStatus, BusinessDate, IdNumber,
    OperatingMode, OwnerType, ProjectCode, Quantity, Year, Yuan,
};

/// 资金渠道: the amount from each funding channel, in the order of
/// [`FundingChannel::ALL`](crate::domain::FundingChannel); all `None` when the project's
/// funds are not split.
pub type FundingSplit = [Option<Yuan>; 7];

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
    /// The amount from each funding channel (中央衔接资金 …); when any is given they add
    /// up to `funds`.
    pub funding: FundingSplit,
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
    /// The fuller 台账 columns.
    pub details: AssetDetails,
}

/// The optional columns of a fuller 台账 (资产形态, 受益户数 … 备注). As the `registered`
/// entry and the assets table's `details` column carry them: absent values are left
/// out, so that an entry written before these columns existed hashes as it did.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct AssetDetails {
    /// 资产形态.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset_form: Option<AssetForm>,
    /// 受益户数.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beneficiary_households: Option<u32>,
    /// 受益人数.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beneficiary_persons: Option<u32>,
    /// 管护责任人.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responsible_person: Option<String>,
    /// 联系电话: masked for readers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// 移交日期: the import appends a `handed_over` entry on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handed_over_on: Option<BusinessDate>,
    /// 接收单位.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_by: Option<String>,
    /// 经营方式.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operating_mode: Option<OperatingMode>,
    /// 经营主体.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    /// 资产状态.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<AssetCondition>,
    /// 建成日期.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_on: Option<BusinessDate>,
    /// 坐落位置.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// 备注.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remarks: Option<String>,
}

impl AssetDetails {
    /// Whether no column is filled.
    pub fn is_empty(&self) -> bool {
        *self == AssetDetails::default()
    }
}
