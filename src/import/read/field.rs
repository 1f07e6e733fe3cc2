//! The register's fields that an import file's columns map to, with their Chinese and
//! English headers, and how a value of each reads in a message.

use crate::domain::Vocabulary;
use crate::register::{AssetRecord, ProjectRecord};

/// A column the importer understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// 项目编号
    ProjectCode,
    /// 项目名称
    ProjectName,
    /// 项目年度
    ProjectYear,
    /// 镇街
    Town,
    /// 村
    Village,
    /// 项目资金
    ProjectFunds,
    /// 资金来源
    FundingSource,
    /// 行业主管部门
    Department,
    /// 资产编号
    AssetCode,
    /// 资产名称
    AssetName,
    /// 资产类别
    AssetClass,
    /// 数量
    Quantity,
    /// 计量单位
    Unit,
    /// 资产价值
    AssetValue,
    /// 所有权人
    Owner,
    /// 所有权人类型
    OwnerType,
    /// 所有权人证件号
    OwnerIdNumber,
    /// 管护主体
    Custodian,
    /// 确权日期
    ConfirmedOn,
    /// 确权证书编号
    CertificateNo,
}

impl Field {
    /// Every field, in the order of the import format.
    pub const ALL: [Field; 20] = [
        Field::ProjectCode,
        Field::ProjectName,
        Field::ProjectYear,
        Field::Town,
        Field::Village,
        Field::ProjectFunds,
        Field::FundingSource,
        Field::Department,
        Field::AssetCode,
        Field::AssetName,
        Field::AssetClass,
        Field::Quantity,
        Field::Unit,
        Field::AssetValue,
        Field::Owner,
        Field::OwnerType,
        Field::OwnerIdNumber,
        Field::Custodian,
        Field::ConfirmedOn,
        Field::CertificateNo,
    ];

    /// The fields every file must have.
    pub const REQUIRED: [Field; 5] = [
        Field::ProjectCode,
        Field::ProjectName,
        Field::ProjectYear,
        Field::Town,
        Field::ProjectFunds,
    ];

    /// The fields a file with any asset column must have.
    pub const REQUIRED_FOR_ASSETS: [Field; 5] = [
        Field::AssetCode,
        Field::AssetName,
        Field::AssetClass,
        Field::AssetValue,
        Field::Owner,
    ];

    /// The project's fields besides its code, which every row of a project repeats: those
    /// between the code and the first asset field.
    pub fn project_details() -> &'static [Field] {
        &Field::ALL[Field::ProjectName.index()..Field::AssetCode.index()]
    }

    /// Position in [`Field::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Whether the field belongs to the asset part of a row.
    pub fn is_asset_field(self) -> bool {
        self.index() >= Field::AssetCode.index()
    }

    /// Whether the field is an amount of money that names its unit.
    pub fn is_money(self) -> bool {
        matches!(self, Field::ProjectFunds | Field::AssetValue)
    }

    /// The Chinese header, as errors name a column the file lacks.
    pub fn chinese(self) -> &'static str {
        match self {
            Field::ProjectCode => "项目编号",
            Field::ProjectName => "项目名称",
            Field::ProjectYear => "项目年度",
            Field::Town => "镇街",
            Field::Village => "村",
            Field::ProjectFunds => "项目资金",
            Field::FundingSource => "资金来源",
            Field::Department => "行业主管部门",
            Field::AssetCode => "资产编号",
            Field::AssetName => "资产名称",
            Field::AssetClass => "资产类别",
            Field::Quantity => "数量",
            Field::Unit => "计量单位",
            Field::AssetValue => "资产价值",
            Field::Owner => "所有权人",
            Field::OwnerType => "所有权人类型",
            Field::OwnerIdNumber => "所有权人证件号",
            Field::Custodian => "管护主体",
            Field::ConfirmedOn => "确权日期",
            Field::CertificateNo => "确权证书编号",
        }
    }

    /// The English header (money columns without their unit suffix).
    pub fn english(self) -> &'static str {
        match self {
            Field::ProjectCode => "project_code",
            Field::ProjectName => "project_name",
            Field::ProjectYear => "project_year",
            Field::Town => "town",
            Field::Village => "village",
            Field::ProjectFunds => "project_funds",
            Field::FundingSource => "funding_source",
            Field::Department => "department",
            Field::AssetCode => "asset_code",
            Field::AssetName => "asset_name",
            Field::AssetClass => "asset_class",
            Field::Quantity => "quantity",
            Field::Unit => "unit",
            Field::AssetValue => "asset_value",
            Field::Owner => "owner",
            Field::OwnerType => "owner_type",
            Field::OwnerIdNumber => "owner_id_number",
            Field::Custodian => "custodian",
            Field::ConfirmedOn => "confirmed_on",
            Field::CertificateNo => "certificate_no",
        }
    }

    /// Other Chinese headers of the field, as clerks write them.
    pub fn chinese_aliases(self) -> &'static [&'static str] {
        match self {
            Field::Town => &["镇街", "乡镇", "镇/街道", "镇（街道）", "镇(街道)"],
            Field::Village => &["村", "村名", "行政村"],
            Field::Owner => &["所有权人", "产权归属"],
            _ => &[],
        }
    }
}

/// An optional text as a person reads it: `（空）` when there is none.
fn shown(value: Option<&str>) -> String {
    value.map_or_else(|| "（空）".to_owned(), str::to_owned)
}

/// The value of a project field as a person reads it (empty for an asset field).
pub fn project_value(project: &ProjectRecord, field: Field) -> String {
    match field {
        Field::ProjectName => project.name.clone(),
        Field::ProjectYear => project.year.to_string(),
        Field::Town => project.town.clone(),
        Field::Village => shown(project.village.as_deref()),
        Field::ProjectFunds => format!("{} 元", project.funds),
        Field::FundingSource => shown(project.funding_source.as_deref()),
        Field::Department => shown(project.department.as_deref()),
        _ => String::new(),
    }
}

/// The asset fields of an asset, each with its value as a person reads it. ID numbers
/// are given whole: whoever shows one decides whether to mask it.
pub fn asset_values(asset: &AssetRecord) -> [(Field, String); 12] {
    let opt = |v: &Option<String>| shown(v.as_deref());
    [
        (Field::ProjectCode, asset.project_code.to_string()),
        (Field::AssetName, asset.name.clone()),
        (Field::AssetClass, asset.class.label().to_owned()),
        (
            Field::Quantity,
            shown(asset.quantity.as_ref().map(ToString::to_string).as_deref()),
        ),
        (Field::Unit, opt(&asset.unit)),
        (Field::AssetValue, format!("{} 元", asset.value)),
        (Field::Owner, asset.owner.name.clone()),
        (Field::OwnerType, asset.owner.owner_type.label().to_owned()),
        (
            Field::OwnerIdNumber,
            shown(asset.owner.id_number.as_ref().map(|i| i.as_str())),
        ),
        (Field::Custodian, opt(&asset.custodian)),
        (
            Field::ConfirmedOn,
            shown(asset.confirmed_on.map(|d| d.to_string()).as_deref()),
        ),
        (Field::CertificateNo, opt(&asset.certificate_no)),
    ]
}
