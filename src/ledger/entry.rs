//! The vocabulary of ledger entries: the kinds, their typed data as stored and hashed,
//! and the parsing of a request to append one, with an error for every field that is
//! missing, ill-typed or unknown.

pub mod field;
pub mod kinds;
mod parse;
pub mod personal;
mod rules;
mod schema;

use serde_json::{Map, Value};

use self::field::Field;
use crate::domain::BusinessDate;
use crate::register::record::AssetRecord;

pub use self::kinds::{EntryData, EntryKind};
pub use self::parse::{parse_entry, parse_kept_entry};
pub use self::schema::{data_schema, request_schema};

impl EntryKind {
    /// The kind's name.
    pub fn as_str(self) -> &'static str {
        self.spec().name
    }

    /// Parses a kind's name; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        EntryKind::ALL.iter().copied().find(|k| k.as_str() == text)
    }

    /// The Chinese label people read.
    pub fn label(self) -> &'static str {
        self.spec().label
    }

    /// The fields its data may carry, beside `kind` and `occurred_on`.
    pub fn fields(self) -> &'static [Field] {
        self.spec().fields
    }

    /// Whether clerks append it (the API and the forms accept it).
    pub fn appendable(self) -> bool {
        self.spec().appendable
    }

    /// Whether it may change an asset's value or take it out of the live assets.
    pub fn changes_value(self) -> bool {
        self.spec().changes_value
    }
}

/// Stored data that does not fit its kind.
#[derive(Debug, thiserror::Error)]
pub enum StoredDataError {
    /// No kind has this name.
    #[error("unknown entry kind {0:?}")]
    UnknownKind(String),
    /// The data is not the kind's data.
    #[error("data does not fit its kind: {0}")]
    Data(#[from] serde_json::Error),
}

impl EntryData {
    /// The data as an entry stores it: a JSON object whose keys are sorted, so that it
    /// prints as the compact text the entry's hash covers.
    pub fn to_value(&self) -> Value {
        // Infallible: every field serialises to a string, a number, an array or an
        // object with string keys.
        let tagged = serde_json::to_value(self).expect("entry data serialises to JSON");
        match tagged {
            Value::Object(tagged) => tagged
                .into_iter()
                .next()
                .map_or(Value::Null, |(_, data)| data),
            other => other,
        }
    }

    /// The stored text: compact JSON with sorted keys.
    pub fn to_stored(&self) -> String {
        self.to_value().to_string()
    }

    /// Reads the data an entry of `kind` stored.
    ///
    /// Fails when the kind is unknown or the data does not fit it.
    pub fn from_stored(kind: &str, data: &str) -> Result<Self, StoredDataError> {
        let kind =
            EntryKind::parse(kind).ok_or_else(|| StoredDataError::UnknownKind(kind.into()))?;
        // Serde reads `{kind: data}` straight into the kind's struct.
        let tagged = format!("{{\"{}\":{data}}}", kind.as_str());
        Ok(serde_json::from_str(&tagged)?)
    }

    /// Builds the data of `kind` from its fields, as the parser normalised them.
    ///
    /// Fails when they do not fit the kind.
    pub(crate) fn from_fields(
        kind: EntryKind,
        fields: Map<String, Value>,
    ) -> serde_json::Result<Self> {
        let mut tagged = Map::new();
        tagged.insert(kind.as_str().to_owned(), Value::Object(fields));
        serde_json::from_value(Value::Object(tagged))
    }
}

impl From<&AssetRecord> for kinds::Registered {
    /// The data of the `registered` entry an import writes for a new asset.
    fn from(asset: &AssetRecord) -> Self {
        let AssetRecord {
            code: _,
            project_code,
            name,
            class,
            quantity,
            unit,
            value,
            owner,
            custodian,
            status,
            confirmed_on,
            certificate_no,
            town,
            village,
            details,
        } = asset;
        kinds::Registered {
            project_code: project_code.clone(),
            name: name.clone(),
            class: *class,
            quantity: quantity.clone(),
            unit: unit.clone(),
            value: *value,
            owner: owner.clone(),
            custodian: custodian.clone(),
            status: *status,
            confirmed_on: *confirmed_on,
            certificate_no: certificate_no.clone(),
            town: town.clone(),
            village: village.clone(),
            details: details.clone(),
        }
    }
}

/// A field of a request body that is wrong.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct FieldError {
    /// The field's name (`owner.name` for a nested one).
    pub field: String,
    /// Machine-readable code.
    pub code: &'static str,
    /// What is wrong, in Chinese.
    pub message: String,
}

impl FieldError {
    /// An error about `field`.
    pub fn new(field: &str, code: &'static str, message: impl Into<String>) -> Self {
        FieldError {
            field: field.to_owned(),
            code,
            message: message.into(),
        }
    }
}

/// The field of any entry that cites stored files.
pub const ATTACHMENTS: &str = "attachments";

/// A request to append an entry, parsed and checked on its own (the checks against
/// the asset's history come when it is appended).
#[derive(Debug, Clone, PartialEq)]
pub struct EntryRequest {
    /// When it happened.
    pub occurred_on: BusinessDate,
    /// What happened: the kind's data.
    pub data: EntryData,
    /// The stored files it cites (`attachments`: SHA-256 digests, lowercase, each once).
    pub attachments: Vec<String>,
}

impl EntryRequest {
    /// The data as the entry stores (and hashes) it: the kind's data, with
    /// `attachments` when it cites any.
    pub fn stored_data(&self) -> Value {
        let mut data = self.data.to_value();
        if let (Value::Object(object), false) = (&mut data, self.attachments.is_empty()) {
            object.insert(
                ATTACHMENTS.to_owned(),
                Value::Array(
                    self.attachments
                        .iter()
                        .cloned()
                        .map(Value::String)
                        .collect(),
                ),
            );
        }
        data
    }

    /// What the entry records.
    pub fn kind(&self) -> EntryKind {
        self.data.kind()
    }

    /// The `seq` a correction names.
    pub fn corrects(&self) -> Option<i64> {
        if let EntryData::Correction(correction) = &self.data {
            Some(correction.corrects)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod round_trip;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn codes(body: Value) -> Vec<(String, &'static str)> {
        parse_entry(&body)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect()
    }

    #[test]
    fn a_maintenance_entry_is_normalised() {
        let parsed = parse_entry(
            &json!({"kind": "maintenance", "occurred_on": "2021-05-01", "description": " 更换水泵 ", "cost": "1,200.5"}),
        );
        assert_eq!(
            parsed.map(|p| (p.kind(), p.occurred_on.to_string(), p.data.to_value())),
            Ok((
                EntryKind::Maintenance,
                "2021-05-01".to_owned(),
                json!({"description": "更换水泵", "cost": "1200.50"})
            ))
        );
    }

    #[test]
    fn every_bad_field_is_named() {
        assert_eq!(
            codes(json!({"kind": "repair", "occurred_on": "2021-05-01"})),
            [("kind".to_owned(), "unknown_kind")]
        );
        assert_eq!(
            codes(json!({"kind": "income", "occurred_on": "2021-13-01", "amount": 12.5})),
            [
                ("occurred_on".to_owned(), "invalid_date"),
                ("amount".to_owned(), "invalid_type"),
                ("period".to_owned(), "required")
            ]
        );
        assert_eq!(
            codes(
                json!({"kind": "income", "occurred_on": "2099-01-01", "amount": "-1", "period": "2021"})
            ),
            [
                ("occurred_on".to_owned(), "future_date"),
                ("amount".to_owned(), "negative_amount")
            ]
        );
        assert_eq!(
            codes(
                json!({"kind": "inspection", "occurred_on": "2021-01-01", "result": "broken", "colour": "red"})
            ),
            [
                ("colour".to_owned(), "unknown_field"),
                ("result".to_owned(), "invalid_value")
            ]
        );
        assert_eq!(
            codes(
                json!({"kind": "ownership_transferred", "occurred_on": "2021-01-01", "owner": {"name": "张三", "type": "person"}, "document_no": "X"})
            ),
            [("owner.type".to_owned(), "unknown_owner_type")]
        );
        assert_eq!(codes(json!([1, 2])), [("".to_owned(), "invalid_type")]);
    }

    fn distribution(lines: Value) -> Value {
        json!({"kind": "income_distributed", "occurred_on": "2022-01-05", "amount": "3000.00", "period": "2021", "recipients": 2, "lines": lines})
    }

    #[test]
    fn household_lines_must_add_up_to_the_amount() {
        let short = parse_entry(&distribution(
            json!([{"name": "张三", "amount": "1000.00"}, {"name": "李四", "amount": "1999.99"}]),
        ));
        assert_eq!(
            short,
            Err(vec![FieldError::new(
                "lines",
                "distribution_lines_mismatch",
                "分户明细合计 2,999.99 元，分配金额 3,000.00 元，明细少 0.01 元"
            )])
        );
        let over = parse_entry(&distribution(
            json!([{"name": "张三", "amount": "3000.10"}]),
        ));
        assert_eq!(
            over.err().map(|e| e[0].message.clone()),
            Some("分户明细合计 3,000.10 元，分配金额 3,000.00 元，明细多 0.10 元".to_owned())
        );
    }

    #[test]
    fn a_bad_household_line_is_named_by_its_number() {
        let errors = parse_entry(&distribution(json!([
            {"name": "张三", "amount": "1000.00", "id_number": "110105194912310021"},
            {"amount": "x"},
            "王五"
        ])))
        .err()
        .unwrap_or_default();
        let named: Vec<(&str, &str, &str)> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.code, e.message.as_str()))
            .collect();
        assert_eq!(
            named,
            [
                (
                    "lines[0].id_number",
                    "invalid_id_number",
                    "分户明细第 1 行：身份证号“110105194912310021”无效：身份证号校验位错误（按 GB 11643 应为 X）"
                ),
                ("lines[1].name", "required", "分户明细第 2 行：缺少必填字段 lines[1].name"),
                (
                    "lines[1].amount",
                    "invalid_number",
                    "分户明细第 2 行：金额 lines[1].amount“x”不是有效的数字（单位：元）"
                ),
                ("lines[2]", "invalid_type", "分户明细第 3 行应为对象"),
            ]
        );
    }
}
