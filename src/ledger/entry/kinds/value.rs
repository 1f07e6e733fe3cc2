//! The kinds that change an asset's value or end its story: `value_adjusted` (价值调整),
//! `disposed` (处置) and `correction` (更正).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Approval;
use crate::domain::{DisposalMethod, Vocabulary, Yuan};
use crate::ledger::entry::field::{Field, Input, KindSpec};

/// `value_adjusted` (价值调整).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ValueAdjusted {
    /// The asset's value from now on.
    pub value: Yuan,
    /// Why.
    pub reason: String,
}
impl ValueAdjusted {
    const FIELDS: &'static [Field] = &[
        Field::required("value", "调整后价值（元）", Input::Money),
        Field::required("reason", "原因", Input::Text),
    ];
    pub(super) const SPEC: KindSpec =
        KindSpec::new("value_adjusted", "价值调整", Self::FIELDS).changing_value();
}

/// `disposed` (处置): the asset leaves the register; only corrections follow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Disposed {
    /// How.
    pub method: DisposalMethod,
    /// The approval.
    pub approval_no: String,
    /// What it brought in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proceeds: Option<Yuan>,
    /// The approvals it went through, when it waited for them (written by the last
    /// approval, never sent by a clerk).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approvals: Option<Vec<Approval>>,
}
impl Disposed {
    const FIELDS: &'static [Field] = &[
        Field::required("method", "处置方式", Input::Choice(DisposalMethod::choices)),
        Field::required("approval_no", "批准文号", Input::Text),
        Field::optional("proceeds", "处置收入（元）", Input::Money),
    ];
    pub(super) const SPEC: KindSpec =
        KindSpec::new("disposed", "处置", Self::FIELDS).changing_value();
}

/// `correction` (更正): cancels an earlier entry's effect; the entry stays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Correction {
    /// The `seq` of the entry it cancels.
    pub corrects: i64,
    /// Why.
    pub reason: String,
    /// The approvals it went through, when the entry it corrects is of a kind that
    /// waits for them (written by the last approval, never sent by a clerk).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approvals: Option<Vec<Approval>>,
}
impl Correction {
    const FIELDS: &'static [Field] = &[
        Field::required("corrects", "被更正条目的 seq", Input::Seq),
        Field::required("reason", "更正原因", Input::Text),
    ];
    pub(super) const SPEC: KindSpec =
        KindSpec::new("correction", "更正", Self::FIELDS).changing_value();
}
