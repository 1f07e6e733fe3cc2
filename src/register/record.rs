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
}

/// 所有权人: who owns an asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    /// Name of the person, collective or body.
    pub name: String,
    /// What kind of owner it is.
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

impl AssetRecord {
    /// The asset's fields as the `registered` ledger entry carries them.
    pub fn to_ledger_data(&self) -> serde_json::Value {
        serde_json::json!({
            "project_code": self.project_code.as_str(),
            "name": self.name,
            "class": self.class.as_str(),
            "quantity": self.quantity.as_ref().map(ToString::to_string),
            "unit": self.unit,
            "value": self.value.to_string(),
            "owner": {
                "name": self.owner.name,
                "type": self.owner.owner_type.as_str(),
                "id_number": self.owner.id_number.as_ref().map(IdNumber::as_str),
            },
            "custodian": self.custodian,
            "status": self.status.as_str(),
            "confirmed_on": self.confirmed_on.map(|d| d.to_string()),
            "certificate_no": self.certificate_no,
            "town": self.town,
            "village": self.village,
        })
    }
}
