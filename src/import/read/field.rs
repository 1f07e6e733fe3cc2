//! The register's fields that an import file's columns map to, with their Chinese and
//! English headers, and how a value of each reads in a message.

use crate::domain::{FundingChannel, Vocabulary};
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
    /// 中央衔接资金
    FundsCentral,
    /// 省级衔接资金
    FundsProvincial,
    /// 市县衔接资金
    FundsLocal,
    /// 整合涉农资金
    FundsIntegrated,
    /// 行业部门资金
    FundsSector,
    /// 社会帮扶资金
    FundsSocial,
    /// 其他资金
    FundsOther,
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
    /// 资产形态
    AssetForm,
    /// 受益户数
    BeneficiaryHouseholds,
    /// 受益人数
    BeneficiaryPersons,
    /// 管护责任人
    ResponsiblePerson,
    /// 联系电话
    Phone,
    /// 移交日期
    HandedOverOn,
    /// 接收单位
    ReceivedBy,
    /// 经营方式
    OperatingMode,
    /// 经营主体
    Operator,
    /// 资产状态
    Condition,
    /// 建成日期
    CompletedOn,
    /// 坐落位置
    Location,
    /// 备注
    Remarks,
}

impl Field {
    /// Every field, in the order of the import format.
    pub const ALL: [Field; 40] = [
        Field::ProjectCode,
        Field::ProjectName,
        Field::ProjectYear,
        Field::Town,
        Field::Village,
        Field::ProjectFunds,
        Field::FundingSource,
        Field::Department,
        Field::FundsCentral,
        Field::FundsProvincial,
        Field::FundsLocal,
        Field::FundsIntegrated,
        Field::FundsSector,
        Field::FundsSocial,
        Field::FundsOther,
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
        Field::AssetForm,
        Field::BeneficiaryHouseholds,
        Field::BeneficiaryPersons,
        Field::ResponsiblePerson,
        Field::Phone,
        Field::HandedOverOn,
        Field::ReceivedBy,
        Field::OperatingMode,
        Field::Operator,
        Field::Condition,
        Field::CompletedOn,
        Field::Location,
        Field::Remarks,
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

    /// Whether the field is one of an asset's own columns (资产编号 … 确权证书编号), whose
    /// presence makes a file, or a row, one of assets. The optional 台账 columns after
    /// them (资产形态 … 备注) do not: a file of projects may carry a 备注 column.
    pub fn marks_asset(self) -> bool {
        self.is_asset_field() && self.index() <= Field::CertificateNo.index()
    }

    /// Whether the field is an amount of money that names its unit.
    pub fn is_money(self) -> bool {
        matches!(self, Field::ProjectFunds | Field::AssetValue) || self.channel().is_some()
    }

    /// The funding channel whose amount the field is (中央衔接资金 …), if it is one.
    pub fn channel(self) -> Option<FundingChannel> {
        Some(match self {
            Field::FundsCentral => FundingChannel::Central,
            Field::FundsProvincial => FundingChannel::Provincial,
            Field::FundsLocal => FundingChannel::Local,
            Field::FundsIntegrated => FundingChannel::Integrated,
            Field::FundsSector => FundingChannel::Sector,
            Field::FundsSocial => FundingChannel::Social,
            Field::FundsOther => FundingChannel::Other,
            _ => return None,
        })
    }

    /// The column of each funding channel, in the order of [`FundingChannel::ALL`]: the
    /// seven from 中央衔接资金 in [`Field::ALL`] (the test `channels_are_the_channel_columns`
    /// checks the order).
    pub const CHANNELS: [Field; 7] = match Field::ALL
        .split_at(Field::FundsCentral as usize)
        .1
        .first_chunk::<7>()
    {
        Some(channels) => *channels,
        // Evaluated at compile time: a shorter `ALL` fails the build, not a run.
        None => panic!("Field::ALL lists the seven channel columns from FundsCentral"),
    };

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
            Field::FundsCentral => "中央衔接资金",
            Field::FundsProvincial => "省级衔接资金",
            Field::FundsLocal => "市县衔接资金",
            Field::FundsIntegrated => "整合涉农资金",
            Field::FundsSector => "行业部门资金",
            Field::FundsSocial => "社会帮扶资金",
            Field::FundsOther => "其他资金",
            Field::AssetForm => "资产形态",
            Field::BeneficiaryHouseholds => "受益户数",
            Field::BeneficiaryPersons => "受益人数",
            Field::ResponsiblePerson => "管护责任人",
            Field::Phone => "联系电话",
            Field::HandedOverOn => "移交日期",
            Field::ReceivedBy => "接收单位",
            Field::OperatingMode => "经营方式",
            Field::Operator => "经营主体",
            Field::Condition => "资产状态",
            Field::CompletedOn => "建成日期",
            Field::Location => "坐落位置",
            Field::Remarks => "备注",
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
            Field::FundsCentral => "funds_central",
            Field::FundsProvincial => "funds_provincial",
            Field::FundsLocal => "funds_local",
            Field::FundsIntegrated => "funds_integrated",
            Field::FundsSector => "funds_sector",
            Field::FundsSocial => "funds_social",
            Field::FundsOther => "funds_other",
            Field::AssetForm => "asset_form",
            Field::BeneficiaryHouseholds => "beneficiary_households",
            Field::BeneficiaryPersons => "beneficiary_persons",
            Field::ResponsiblePerson => "responsible_person",
            Field::Phone => "phone",
            Field::HandedOverOn => "handed_over_on",
            Field::ReceivedBy => "received_by",
            Field::OperatingMode => "operating_mode",
            Field::Operator => "operator",
            Field::Condition => "condition",
            Field::CompletedOn => "completed_on",
            Field::Location => "location",
            Field::Remarks => "remarks",
        }
    }

    /// Other Chinese headers of the field, as clerks write them.
    pub fn chinese_aliases(self) -> &'static [&'static str] {
        match self {
            Field::Town => &["镇街", "乡镇", "镇/街道", "镇（街道）", "镇(街道)"],
            Field::Village => &["村", "村名", "行政村"],
            Field::Owner => &["所有权人", "产权归属"],
            Field::ResponsiblePerson => &["管护责任人", "责任人"],
            Field::Phone => &["联系电话", "电话", "联系方式"],
            Field::Location => &["坐落位置", "坐落", "地址"],
            _ => &[],
        }
    }
}

/// An optional text as a person reads it: `（空）` when there is none.
fn shown(value: Option<&str>) -> String {
    value.map_or_else(|| EMPTY.to_owned(), str::to_owned)
}

/// How a field without a value reads in a message.
pub const EMPTY: &str = "（空）";

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
        _ => match field.channel() {
            Some(channel) => shown(
                project.funding[channel.index()]
                    .map(|amount| format!("{amount} 元"))
                    .as_deref(),
            ),
            None => String::new(),
        },
    }
}

/// The asset fields of an asset, each with its value as a person reads it. ID numbers
/// are given whole: whoever shows one decides whether to mask it.
pub fn asset_values(asset: &AssetRecord) -> [(Field, String); 25] {
    let opt = |v: &Option<String>| shown(v.as_deref());
    let label = |v: Option<&'static str>| shown(v);
    let number = |v: Option<u32>| shown(v.map(|n| n.to_string()).as_deref());
    let date = |v: Option<crate::domain::BusinessDate>| shown(v.map(|d| d.to_string()).as_deref());
    let d = &asset.details;
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
        (Field::AssetForm, label(d.asset_form.map(|f| f.label()))),
        (
            Field::BeneficiaryHouseholds,
            number(d.beneficiary_households),
        ),
        (Field::BeneficiaryPersons, number(d.beneficiary_persons)),
        (Field::ResponsiblePerson, opt(&d.responsible_person)),
        (Field::Phone, opt(&d.phone)),
        (Field::HandedOverOn, date(d.handed_over_on)),
        (Field::ReceivedBy, opt(&d.received_by)),
        (
            Field::OperatingMode,
            label(d.operating_mode.map(|m| m.label())),
        ),
        (Field::Operator, opt(&d.operator)),
        (Field::Condition, label(d.condition.map(|c| c.label()))),
        (Field::CompletedOn, date(d.completed_on)),
        (Field::Location, opt(&d.location)),
        (Field::Remarks, opt(&d.remarks)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_are_the_channel_columns() {
        let channels: Vec<_> = Field::CHANNELS.iter().map(|f| f.channel()).collect();
        let expected: Vec<_> = FundingChannel::ALL.iter().copied().map(Some).collect();
        assert_eq!(channels, expected);
    }
}
