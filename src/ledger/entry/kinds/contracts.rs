//! The operating contract kinds: `contract_signed` (签订经营合同) and `contract_ended`
//! (终止经营合同).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::domain::{BusinessDate, ContractMode, Vocabulary, Yuan};
use crate::ledger::entry::field::{Field, Input, KindSpec};

/// `contract_signed` (签订经营合同): the asset is run by someone else, who owes
/// `annual_amount` a contract year (rent or guaranteed dividend).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ContractSigned {
    /// How: contract, lease, equity or trust.
    pub mode: ContractMode,
    /// Who runs it.
    pub counterparty: String,
    /// The first day of the contract.
    pub starts_on: BusinessDate,
    /// The last day of the contract.
    pub ends_on: BusinessDate,
    /// What is owed each contract year.
    pub annual_amount: Yuan,
    /// The contract's number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_no: Option<String>,
}
impl ContractSigned {
    const FIELDS: &'static [Field] = &[
        Field::required("mode", "经营方式", Input::Choice(ContractMode::choices)),
        Field::required("counterparty", "经营主体", Input::Text),
        Field::required("starts_on", "合同起始日", Input::Date),
        Field::required("ends_on", "合同到期日", Input::TermDate),
        Field::required("annual_amount", "年租金或保底收益（元）", Input::Money),
        Field::optional("document_no", "合同编号", Input::Text),
    ];
    pub(super) const SPEC: KindSpec =
        KindSpec::new("contract_signed", "签订经营合同", Self::FIELDS);
}

/// `contract_ended` (终止经营合同): the asset's current contract ends on this entry's
/// date, before its term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ContractEnded {
    /// Why.
    pub reason: String,
}
impl ContractEnded {
    const FIELDS: &'static [Field] = &[Field::required("reason", "终止原因", Input::Text)];
    pub(super) const SPEC: KindSpec = KindSpec::new("contract_ended", "终止经营合同", Self::FIELDS);
}
