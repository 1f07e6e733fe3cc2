//! A stock-take's results sent as a JSON list, read row by row into what a filled-in
//! checklist gives: each by its index, with what cannot be read of it.

use serde_json::error::Category;
use serde_json::{json, Value};

use crate::api::error::ApiError;
use crate::request::strict_json;
use crate::stocktake::results::{Origin, ResultInput, ShapeError};

/// The results of a JSON list, each by its index.
///
/// Fails with the rule `invalid_body` when the body is not a JSON list.
pub(super) fn json_results(bytes: &[u8]) -> Result<Vec<ResultInput>, ApiError> {
    let not_a_list = || {
        ApiError::from(crate::stocktake::campaign::rule(
            "invalid_body",
            "results",
            "请求体应为 JSON 数组：[{asset_code, result, checked_on, note?, attachments?}]"
                .to_owned(),
        ))
    };
    let value: Value = strict_json::from_slice(bytes).map_err(|e| match e.classify() {
        // Read whole, but an object names a key twice: which value was meant is not
        // ours to guess, as for an entry.
        Category::Data => ApiError::Unprocessable {
            code: "malformed_json",
            detail: format!("请求体第 {} 行第 {} 列：{e}", e.line(), e.column()),
            errors: json!([{"field": "", "code": "malformed_json", "message": e.to_string()}]),
        },
        _ => not_a_list(),
    })?;
    let Value::Array(list) = value else {
        return Err(not_a_list());
    };
    let field = |item: &Value, name: &str| match item.get(name) {
        Some(Value::String(text)) => Some(text.clone()),
        _ => None,
    };
    Ok(list
        .iter()
        .enumerate()
        .map(|(index, item)| ResultInput {
            origin: Some(Origin::Index(index)),
            asset_code: field(item, "asset_code"),
            result: field(item, "result"),
            checked_on: field(item, "checked_on"),
            note: field(item, "note"),
            attachments: item.get("attachments").cloned(),
            refused: shape_errors(item),
        })
        .collect())
}

/// The fields of a JSON result, as [`json_results`] reads them.
const RESULT_FIELDS: [&str; 5] = ["asset_code", "result", "checked_on", "note", "attachments"];

/// What a JSON result holds that cannot be read, as the ledger refuses it of an entry:
/// a field it does not have (`notes` for `note` would lose the note), or a text field
/// whose value is not a string (a number is no asset code, an object no note).
fn shape_errors(item: &Value) -> Vec<ShapeError> {
    let Value::Object(fields) = item else {
        return Vec::new();
    };
    let mut errors = Vec::new();
    for (name, value) in fields {
        if !RESULT_FIELDS.contains(&name.as_str()) {
            errors.push(ShapeError {
                field: name.clone(),
                code: "unknown_field",
                message: format!(
                    "盘点结果没有字段 {}（可用字段：{}）",
                    name.escape_debug(),
                    RESULT_FIELDS.join("、")
                ),
            });
        } else if name != "attachments" && !matches!(value, Value::String(_) | Value::Null) {
            errors.push(ShapeError {
                field: name.clone(),
                code: "invalid_type",
                message: format!("字段 {name} 应为字符串，收到 {value}"),
            });
        }
    }
    errors
}
