//! The JSON schemas of entries, derived from the typed data and the kinds'
//! descriptions: the body that appends one (one object per appendable kind, `kind` a
//! const, the data's fields beside it) and the `data` of a stored one.

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{json, Map, Value};

use super::field::OCCURRED_ON;
use super::{EntryData, EntryKind};
use crate::domain::BusinessDate;

/// One kind's part of [`EntryData`]'s schema, `{kind: data}`: the kind, and the
/// schema of its data with the properties and required fields of the struct it
/// references.
pub(super) struct Variant {
    /// The kind.
    pub(super) kind: EntryKind,
    /// The schema of its data (a `$ref` to its struct).
    data: Value,
    /// The struct's properties.
    pub(super) properties: Map<String, Value>,
    /// The struct's required properties.
    pub(super) required: Vec<Value>,
}

/// Each kind's part of [`EntryData`]'s schema, in the enum's order.
pub(super) fn variants(generator: &mut SchemaGenerator) -> Vec<Variant> {
    let tagged = EntryData::json_schema(generator);
    let branches: Vec<Value> = tagged
        .get("oneOf")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let definitions = generator.definitions();
    branches
        .into_iter()
        .filter_map(|branch| {
            let (name, data) = branch.get("properties")?.as_object()?.iter().next()?;
            let kind = EntryKind::parse(name)?;
            let referenced = data
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.rsplit('/').next())
                .and_then(|name| definitions.get(name))
                .unwrap_or(data);
            let field = |key: &str| referenced.get(key).cloned();
            Some(Variant {
                kind,
                properties: field("properties")
                    .and_then(|p| p.as_object().cloned())
                    .unwrap_or_default(),
                required: field("required")
                    .and_then(|r| r.as_array().cloned())
                    .unwrap_or_default(),
                data: data.clone(),
            })
        })
        .collect()
}

/// The body that appends an entry, `{kind, occurred_on, ...data}`: one object per kind
/// clerks may append, with the fields of its data titled by their Chinese labels.
pub fn request_schema(generator: &mut SchemaGenerator) -> Schema {
    let occurred_on = generator.subschema_for::<BusinessDate>().to_value();
    let objects: Vec<Value> = variants(generator)
        .into_iter()
        .filter(|variant| variant.kind.appendable())
        .map(|variant| {
            let kind = variant.kind;
            let mut properties = Map::new();
            properties.insert(
                "kind".to_owned(),
                json!({"type": "string", "const": kind.as_str()}),
            );
            properties.insert(
                OCCURRED_ON.name.to_owned(),
                titled(occurred_on.clone(), OCCURRED_ON.label),
            );
            for (name, schema) in variant.properties {
                let label = kind
                    .fields()
                    .iter()
                    .find(|f| f.name == name)
                    .map(|f| f.label);
                let schema = match label {
                    Some(label) => titled(schema, label),
                    None => schema,
                };
                properties.insert(name, schema);
            }
            // Any entry may cite stored documents by their SHA-256.
            properties.insert(
                super::ATTACHMENTS.to_owned(),
                json!({"type": "array", "title": "附件",
                       "items": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"}}),
            );
            let mut required = vec![json!("kind"), json!(OCCURRED_ON.name)];
            required.extend(variant.required);
            json!({
                "type": "object",
                "title": kind.as_str(),
                "description": kind.label(),
                "properties": properties,
                "required": required,
                "additionalProperties": false
            })
        })
        .collect();
    schemars::json_schema!({"oneOf": objects})
}

/// The `data` of a stored entry: the data of one of the kinds.
pub fn data_schema(generator: &mut SchemaGenerator) -> Schema {
    let shapes: Vec<Value> = variants(generator).into_iter().map(|v| v.data).collect();
    schemars::json_schema!({
        "description": "The kind's data (owner ID numbers masked for readers)",
        "anyOf": shapes
    })
}

fn titled(mut schema: Value, title: &str) -> Value {
    if let Value::Object(object) = &mut schema {
        object.insert("title".to_owned(), Value::from(title));
    }
    schema
}
