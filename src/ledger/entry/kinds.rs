//! Every kind of ledger entry in one place: its name and Chinese label, the typed data
//! it carries (serde writes it as stored and hashed, schemars describes it), its form
//! fields, and the line the custody timeline shows for it.
//!
//! Each kind declares its personal fields (`with_personal`): ID numbers and phone
//! numbers, by path (`lines[].id_number` reaches into every element of a list), which
//! readers see masked and the chain hashes only as salted commitments.
//!
//! A new kind is a variant of [`EntryKind`] and of [`EntryData`], a struct with its
//! [`KindSpec`] below (or, for a family of kinds, in a file of `kinds/`: the
//! distribution with its household lines, the operating contracts, the value changes and the end), its line in
//! [`EntryData::summary`], an arm in `projection::fold` and its round-trip test; the
//! parser, the web forms, the timeline and the OpenAPI document follow.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::field::{Field, Input, KindSpec, OWNER_FIELDS, OWNER_PERSONAL};
use super::personal::PersonalField;
use crate::domain::{
    shown, AssetClass, AssetCondition, AssetForm, AssetStatus, BusinessDate, IdNumber,
    InspectionResult, OperatingMode, ProjectCode, Quantity, Vocabulary, Yuan,
};
use crate::register::record::{AssetDetails, Owner};

mod contracts;
mod distribution;
mod value;

pub use contracts::{ContractEnded, ContractSigned};
pub use distribution::{DistributionLine, IncomeDistributed};
pub use value::{Correction, Disposed, ValueAdjusted};

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// 登记: the asset's initial fields, written by an import.
    Registered,
    /// 确权.
    OwnershipConfirmed,
    /// 移交.
    HandedOver,
    /// 管护主体变更.
    CustodianChanged,
    /// 管护/维修.
    Maintenance,
    /// 巡查.
    Inspection,
    /// 产权转移.
    OwnershipTransferred,
    /// 经营收益.
    Income,
    /// 收益分配.
    IncomeDistributed,
    /// 价值调整.
    ValueAdjusted,
    /// 处置.
    Disposed,
    /// 更正: reverses an earlier entry's effect.
    Correction,
    /// 签订经营合同.
    ContractSigned,
    /// 终止经营合同.
    ContractEnded,
}

impl EntryKind {
    /// Every kind, in the order the spec lists them.
    pub const ALL: &'static [EntryKind] = &[
        EntryKind::Registered,
        EntryKind::OwnershipConfirmed,
        EntryKind::HandedOver,
        EntryKind::CustodianChanged,
        EntryKind::Maintenance,
        EntryKind::Inspection,
        EntryKind::OwnershipTransferred,
        EntryKind::Income,
        EntryKind::IncomeDistributed,
        EntryKind::ValueAdjusted,
        EntryKind::Disposed,
        EntryKind::Correction,
        EntryKind::ContractSigned,
        EntryKind::ContractEnded,
    ];

    /// The kind's description: name, label, rules and fields.
    pub fn spec(self) -> &'static KindSpec {
        match self {
            EntryKind::Registered => &Registered::SPEC,
            EntryKind::OwnershipConfirmed => &OwnershipConfirmed::SPEC,
            EntryKind::HandedOver => &HandedOver::SPEC,
            EntryKind::CustodianChanged => &CustodianChanged::SPEC,
            EntryKind::Maintenance => &Maintenance::SPEC,
            EntryKind::Inspection => &Inspection::SPEC,
            EntryKind::OwnershipTransferred => &OwnershipTransferred::SPEC,
            EntryKind::Income => &Income::SPEC,
            EntryKind::IncomeDistributed => &IncomeDistributed::SPEC,
            EntryKind::ValueAdjusted => &ValueAdjusted::SPEC,
            EntryKind::Disposed => &Disposed::SPEC,
            EntryKind::Correction => &Correction::SPEC,
            EntryKind::ContractSigned => &ContractSigned::SPEC,
            EntryKind::ContractEnded => &ContractEnded::SPEC,
        }
    }
}

/// An entry's data, typed by its kind. Serde writes it as `{kind: data}`; the data
/// alone (see [`EntryData::to_value`]) is what an entry stores and its hash covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntryData {
    /// 登记.
    Registered(Box<Registered>),
    /// 确权.
    OwnershipConfirmed(OwnershipConfirmed),
    /// 移交.
    HandedOver(HandedOver),
    /// 管护主体变更.
    CustodianChanged(CustodianChanged),
    /// 管护/维修.
    Maintenance(Maintenance),
    /// 巡查.
    Inspection(Inspection),
    /// 产权转移.
    OwnershipTransferred(OwnershipTransferred),
    /// 经营收益.
    Income(Income),
    /// 收益分配.
    IncomeDistributed(IncomeDistributed),
    /// 价值调整.
    ValueAdjusted(ValueAdjusted),
    /// 处置.
    Disposed(Disposed),
    /// 更正.
    Correction(Correction),
    /// 签订经营合同.
    ContractSigned(ContractSigned),
    /// 终止经营合同.
    ContractEnded(ContractEnded),
}

impl EntryData {
    /// The kind of entry this data belongs to.
    pub fn kind(&self) -> EntryKind {
        match self {
            EntryData::Registered(_) => EntryKind::Registered,
            EntryData::OwnershipConfirmed(_) => EntryKind::OwnershipConfirmed,
            EntryData::HandedOver(_) => EntryKind::HandedOver,
            EntryData::CustodianChanged(_) => EntryKind::CustodianChanged,
            EntryData::Maintenance(_) => EntryKind::Maintenance,
            EntryData::Inspection(_) => EntryKind::Inspection,
            EntryData::OwnershipTransferred(_) => EntryKind::OwnershipTransferred,
            EntryData::Income(_) => EntryKind::Income,
            EntryData::IncomeDistributed(_) => EntryKind::IncomeDistributed,
            EntryData::ValueAdjusted(_) => EntryKind::ValueAdjusted,
            EntryData::Disposed(_) => EntryKind::Disposed,
            EntryData::Correction(_) => EntryKind::Correction,
            EntryData::ContractSigned(_) => EntryKind::ContractSigned,
            EntryData::ContractEnded(_) => EntryKind::ContractEnded,
        }
    }

    /// The entry in one line of plain text, with labels rather than codes and amounts as a
    /// person reads them; `id` shows an
    /// owner's ID number (whole or masked).
    pub fn summary(&self, id: &dyn Fn(&IdNumber) -> String) -> String {
        let yuan = |amount: Yuan| shown::yuan(amount.fen());
        match self {
            EntryData::Registered(d) => {
                format!("登记：价值 {} 元，所有权人 {}", yuan(d.value), d.owner.name)
            }
            EntryData::OwnershipConfirmed(d) => format!("{}，{}", d.confirmed_on, d.certificate_no),
            EntryData::HandedOver(d) => format!("{} → {}（{}）", d.from, d.to, d.document_no),
            EntryData::CustodianChanged(d) => format!("管护主体：{}", d.custodian),
            EntryData::Maintenance(d) => {
                let cost = d.cost.map(|c| format!("，费用 {} 元", yuan(c)));
                format!("{}{}", d.description, cost.unwrap_or_default())
            }
            EntryData::Inspection(d) => {
                let note = d.note.as_ref().map(|n| format!("，{n}"));
                format!("结果：{}{}", d.result.label(), note.unwrap_or_default())
            }
            EntryData::OwnershipTransferred(d) => {
                let id = d
                    .owner
                    .id_number
                    .as_ref()
                    .map(|i| format!("，证件号 {}", id(i)));
                let (name, kind) = (&d.owner.name, d.owner.owner_type.label());
                format!("新所有权人：{name}（{kind}）{}", id.unwrap_or_default())
            }
            EntryData::Income(d) => format!("{} 元（{}）", yuan(d.amount), d.period),
            EntryData::IncomeDistributed(d) => {
                let lines = d
                    .lines
                    .as_ref()
                    .map(|l| format!("，分户明细 {} 户", l.len()));
                format!(
                    "{} 元（{}）{}",
                    yuan(d.amount),
                    d.period,
                    lines.unwrap_or_default()
                )
            }
            EntryData::ValueAdjusted(d) => format!("价值调整为 {} 元：{}", yuan(d.value), d.reason),
            EntryData::Disposed(d) => format!("方式：{}，批文 {}", d.method.label(), d.approval_no),
            EntryData::Correction(d) => format!("更正第 {} 条：{}", d.corrects, d.reason),
            EntryData::ContractSigned(d) => {
                let document = d.document_no.as_ref().map(|n| format!("，合同编号 {n}"));
                format!(
                    "{}给 {}，{} 至 {}，每年 {} 元{}",
                    d.mode.label(),
                    d.counterparty,
                    d.starts_on,
                    d.ends_on,
                    yuan(d.annual_amount),
                    document.unwrap_or_default()
                )
            }
            EntryData::ContractEnded(d) => format!("合同终止：{}", d.reason),
        }
    }
}

/// One approval an entry went through (`data.approvals`, inside its hashed data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Approval {
    /// The level: `town` or `county`.
    pub level: String,
    /// The approver, by token name.
    pub by: String,
    /// When, RFC 3339.
    pub at: String,
}

impl EntryData {
    /// Writes `approvals` into the data of a kind that records them (disposal,
    /// distribution, ownership transfer, and a correction of one of these); `false`
    /// for any other kind.
    pub fn set_approvals(&mut self, approvals: Vec<Approval>) -> bool {
        match self {
            EntryData::Disposed(d) => d.approvals = Some(approvals),
            EntryData::IncomeDistributed(d) => d.approvals = Some(approvals),
            EntryData::OwnershipTransferred(d) => d.approvals = Some(approvals),
            EntryData::Correction(d) => d.approvals = Some(approvals),
            _ => return false,
        }
        true
    }
}

/// `registered`: the asset's fields as an import registered them (absent values as
/// `null`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Registered {
    /// The project that formed it.
    pub project_code: ProjectCode,
    /// Its name.
    pub name: String,
    /// Its class.
    pub class: AssetClass,
    /// How many units.
    pub quantity: Option<Quantity>,
    /// The unit counted.
    pub unit: Option<String>,
    /// Its value.
    pub value: Yuan,
    /// Who owns it.
    pub owner: Owner,
    /// Who looks after it.
    pub custodian: Option<String>,
    /// `registered`, or `confirmed` when the import gave a 确权日期.
    pub status: AssetStatus,
    /// When ownership was confirmed.
    pub confirmed_on: Option<BusinessDate>,
    /// The ownership certificate.
    pub certificate_no: Option<String>,
    /// Its town, from the project.
    pub town: String,
    /// Its village, from the project.
    pub village: Option<String>,
    /// The fuller 台账 columns, each left out when absent (so that an entry written
    /// before they existed hashes as it did).
    #[serde(flatten)]
    pub details: AssetDetails,
}

/// The personal fields of a `registered` entry: the owner's ID number and the
/// responsible person's telephone.
const REGISTERED_PERSONAL: &[PersonalField] = &[
    PersonalField::id_number("owner.id_number"),
    PersonalField::phone("phone"),
];

impl Registered {
    const FIELDS: &'static [Field] = &[
        Field::required("project_code", "项目编号", Input::ProjectCode),
        Field::required("name", "资产名称", Input::Text),
        Field::required("class", "资产类别", Input::Choice(AssetClass::choices)),
        Field::optional("quantity", "数量", Input::Quantity),
        Field::optional("unit", "计量单位", Input::Text),
        Field::required("value", "资产价值（元）", Input::Money),
        Field::required("owner", "所有权人", Input::Group(OWNER_FIELDS)),
        Field::optional("custodian", "管护主体", Input::Text),
        Field::required("status", "状态", Input::Choice(AssetStatus::choices)),
        Field::optional("confirmed_on", "确权日期", Input::Date),
        Field::optional("certificate_no", "确权证书编号", Input::Text),
        Field::required("town", "镇街", Input::Text),
        Field::optional("village", "村", Input::Text),
        Field::optional("asset_form", "资产形态", Input::Choice(AssetForm::choices)),
        Field::optional("beneficiary_households", "受益户数", Input::Count),
        Field::optional("beneficiary_persons", "受益人数", Input::Count),
        Field::optional("responsible_person", "管护责任人", Input::Text),
        Field::optional("phone", "联系电话", Input::Text),
        Field::optional("handed_over_on", "移交日期", Input::PastDate),
        Field::optional("received_by", "接收单位", Input::Text),
        Field::optional(
            "operating_mode",
            "经营方式",
            Input::Choice(OperatingMode::choices),
        ),
        Field::optional("operator", "经营主体", Input::Text),
        Field::optional(
            "condition",
            "资产状态",
            Input::Choice(AssetCondition::choices),
        ),
        Field::optional("completed_on", "建成日期", Input::PastDate),
        Field::optional("location", "坐落位置", Input::Text),
        Field::optional("remarks", "备注", Input::Text),
    ];
    const SPEC: KindSpec = KindSpec::new("registered", "登记", Self::FIELDS)
        .by_import_only()
        .with_personal(REGISTERED_PERSONAL);
}

/// `ownership_confirmed` (确权).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct OwnershipConfirmed {
    /// When ownership was confirmed.
    pub confirmed_on: BusinessDate,
    /// The ownership certificate.
    pub certificate_no: String,
}
impl OwnershipConfirmed {
    const FIELDS: &'static [Field] = &[
        Field::required("confirmed_on", "确权日期", Input::PastDate),
        Field::required("certificate_no", "确权证书编号", Input::Text),
    ];
    const SPEC: KindSpec = KindSpec::new("ownership_confirmed", "确权", Self::FIELDS);
}

/// `handed_over` (移交): a finished project handed to whoever looks after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct HandedOver {
    /// Who handed it over.
    pub from: String,
    /// Who received it: the new custodian.
    pub to: String,
    /// The hand-over document; for a hand-over an import recorded from a 台账's
    /// 移交日期, the import batch (`导入批次 …`).
    pub document_no: String,
}
impl HandedOver {
    const FIELDS: &'static [Field] = &[
        Field::required("from", "移交方", Input::Text),
        Field::required("to", "接收方", Input::Text),
        Field::required("document_no", "移交文书号", Input::Text),
    ];
    const SPEC: KindSpec = KindSpec::new("handed_over", "移交", Self::FIELDS);
}

/// `custodian_changed` (管护主体变更).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CustodianChanged {
    /// The new custodian.
    pub custodian: String,
    /// The person responsible.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub responsible_person: Option<String>,
    /// Their telephone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}
impl CustodianChanged {
    const FIELDS: &'static [Field] = &[
        Field::required("custodian", "新管护主体", Input::Text),
        Field::optional("responsible_person", "责任人", Input::Text),
        Field::optional("phone", "电话", Input::Text),
    ];
    const SPEC: KindSpec = KindSpec::new("custodian_changed", "管护主体变更", Self::FIELDS)
        .with_personal(&[PersonalField::phone("phone")]);
}

/// `maintenance` (管护/维修).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Maintenance {
    /// What was done.
    pub description: String,
    /// What it cost.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<Yuan>,
    /// Who did it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub performed_by: Option<String>,
}
impl Maintenance {
    const FIELDS: &'static [Field] = &[
        Field::required("description", "内容", Input::Text),
        Field::optional("cost", "费用（元）", Input::Money),
        Field::optional("performed_by", "实施单位", Input::Text),
    ];
    const SPEC: KindSpec = KindSpec::new("maintenance", "管护/维修", Self::FIELDS);
}

/// `inspection` (巡查).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Inspection {
    /// What the inspection found.
    pub result: InspectionResult,
    /// A remark.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}
impl Inspection {
    const FIELDS: &'static [Field] = &[
        Field::required("result", "结果", Input::Choice(InspectionResult::choices)),
        Field::optional("note", "说明", Input::Text),
    ];
    const SPEC: KindSpec = KindSpec::new("inspection", "巡查", Self::FIELDS);
}

/// `ownership_transferred` (产权转移).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct OwnershipTransferred {
    /// The new owner.
    pub owner: Owner,
    /// The transfer document.
    pub document_no: String,
    /// The approvals it went through, when it waited for them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approvals: Option<Vec<Approval>>,
}
impl OwnershipTransferred {
    const FIELDS: &'static [Field] = &[
        Field::required("owner", "新所有权人", Input::Group(OWNER_FIELDS)),
        Field::required("document_no", "文书号", Input::Text),
    ];
    const SPEC: KindSpec = KindSpec::new("ownership_transferred", "产权转移", Self::FIELDS)
        .with_personal(OWNER_PERSONAL);
}

/// `income` (经营收益).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Income {
    /// How much the asset earned.
    pub amount: Yuan,
    /// Over which period (`2021`, `2021年上半年`).
    pub period: String,
}
impl Income {
    const FIELDS: &'static [Field] = &[
        Field::required("amount", "收益金额（元）", Input::Money),
        Field::required("period", "收益期间", Input::Text),
    ];
    const SPEC: KindSpec = KindSpec::new("income", "经营收益", Self::FIELDS);
}
