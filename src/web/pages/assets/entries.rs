//! The forms that append ledger entries and the timeline's line per entry, both
//! generated from the kinds' descriptions (`ledger::entry::kinds`): labels, inputs,
//! choices shown by their Chinese labels, and a form's values read back into the
//! JSON body the API takes.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::escape;
use crate::auth::Visibility;
use crate::domain::{IdNumber, OwnerType, Vocabulary};
use crate::ledger::entry::field::{Field, Input, OCCURRED_ON};
use crate::ledger::entry::{EntryData, EntryKind, FieldError};
use crate::ledger::EntryRow;
use crate::web::view::encode;

/// One input of an entry form.
struct FormInput {
    /// Its name in the form: a group's members are `owner_name`, `owner_type` ….
    name: String,
    /// Its label.
    label: String,
    /// What it takes.
    input: Input,
    /// The fields of the errors shown beside it (`owner.name`; `owner` too for the
    /// first member of a group).
    errors: Vec<String>,
}

/// The inputs of a form for `fields`, from their descriptions; a group's members
/// become inputs of their own, prefixed by the group's name and label.
fn form_inputs(
    fields: &[Field],
    name_prefix: &str,
    label_prefix: &str,
    path: &str,
) -> Vec<FormInput> {
    let mut inputs = Vec::new();
    for field in fields {
        let name = format!("{name_prefix}{}", field.name);
        let label = format!("{label_prefix}{}", field.label);
        let error_field = format!("{path}{}", field.name);
        match field.input {
            Input::Group(members) => {
                let mut grouped = form_inputs(
                    members,
                    &format!("{name}_"),
                    &label,
                    &format!("{error_field}."),
                );
                if let Some(first) = grouped.first_mut() {
                    first.errors.push(error_field);
                }
                inputs.append(&mut grouped);
            }
            input => inputs.push(FormInput {
                name,
                label,
                input,
                errors: vec![error_field],
            }),
        }
    }
    inputs
}

fn select(name: &str, value: &str, choices: &[(&str, &str)], class: &str) -> String {
    let options: String = choices
        .iter()
        .map(|(v, label)| {
            format!(
                "<option value=\"{v}\"{}>{label}</option>",
                if *v == value { " selected" } else { "" }
            )
        })
        .collect();
    format!("<select name=\"{name}\"{class}><option value=\"\"></option>{options}</select>")
}

/// The control of one input, holding `current`.
fn control(input: &FormInput, current: &str, invalid: &str) -> String {
    let name = &input.name;
    let field = |kind: &str| {
        format!(
            "<input type=\"{kind}\" name=\"{name}\" value=\"{}\"{invalid}>",
            escape(current)
        )
    };
    match input.input {
        Input::Choice(choices) => select(name, current, &choices(), invalid),
        Input::OwnerType => select(name, current, &OwnerType::choices(), invalid),
        Input::Date | Input::PastDate => field("date"),
        Input::Seq => field("number"),
        Input::Text
        | Input::Money
        | Input::IdNumber
        | Input::ProjectCode
        | Input::Quantity
        | Input::Recipients => field("text"),
        // Groups are expanded into their members by `form_inputs`.
        Input::Group(_) => String::new(),
    }
}

/// The forms that append entries, with the values and errors of a failed attempt.
pub(super) fn entry_forms(
    code: &str,
    kinds: &[EntryKind],
    failed: Option<(&str, &HashMap<String, String>, &[FieldError])>,
) -> String {
    let today = crate::domain::dates::today_in_china().to_string();
    let mut out = String::from("<h2>记录管护台账</h2>");
    for kind in kinds {
        let mine = failed.filter(|(k, _, _)| *k == kind.as_str());
        let value = |name: &str| {
            mine.and_then(|(_, values, _)| values.get(name))
                .cloned()
                .unwrap_or_default()
        };
        let error = |fields: &[String]| -> Option<String> {
            mine.and_then(|(_, _, errors)| {
                errors
                    .iter()
                    .find(|e| fields.contains(&e.field))
                    .map(|e| e.message.clone())
            })
        };
        let mut inputs = String::new();
        let occurred = if mine.is_some() {
            value(OCCURRED_ON.name)
        } else {
            today.clone()
        };
        let date_error = error(&[OCCURRED_ON.name.to_owned()]);
        inputs.push_str(&format!(
            "<label>{}<input type=\"date\" name=\"{}\" value=\"{}\" required{}>{}</label>",
            OCCURRED_ON.label,
            OCCURRED_ON.name,
            escape(&occurred),
            if date_error.is_some() {
                " class=\"invalid\""
            } else {
                ""
            },
            date_error
                .map(|m| format!("<span class=\"field-error\">{}</span>", escape(&m)))
                .unwrap_or_default()
        ));
        for input in form_inputs(kind.fields(), "", "", "") {
            let message = error(&input.errors);
            let invalid = if message.is_some() {
                " class=\"invalid\""
            } else {
                ""
            };
            inputs.push_str(&format!(
                "<label>{}{}{}</label>",
                input.label,
                control(&input, &value(&input.name), invalid),
                message
                    .map(|m| format!("<span class=\"field-error\">{}</span>", escape(&m)))
                    .unwrap_or_default()
            ));
        }
        let general: Vec<String> = mine
            .map(|(_, _, errors)| {
                errors
                    .iter()
                    .filter(|e| e.field.is_empty() || e.field == "kind")
                    .map(|e| format!("<p class=\"field-error\">{}</p>", escape(&e.message)))
                    .collect()
            })
            .unwrap_or_default();
        out.push_str(&format!(
            "<details class=\"entry-form\" data-kind=\"{kind}\"{open}><summary>{label}</summary>{general}\
             <form method=\"post\" action=\"/assets/{code}/entries\"><input type=\"hidden\" name=\"kind\" value=\"{kind}\">{inputs}\
             <div><button type=\"submit\">记录{label}</button></div></form></details>",
            kind = kind.as_str(),
            open = if mine.is_some() { " open" } else { "" },
            label = kind.label(),
            general = general.join(""),
            code = encode(code),
        ));
    }
    out
}

/// Summarises a stored entry in one line of escaped text, with labels for codes.
pub(super) fn summary(entry: &EntryRow, visibility: Visibility) -> String {
    let show_id = |id: &IdNumber| visibility.id_number(Some(id.as_str())).unwrap_or_default();
    EntryData::from_stored(&entry.kind, &entry.data)
        .map(|data| escape(&data.summary(&show_id)))
        .unwrap_or_default()
}

/// A form value as JSON: a number where the field takes one and it parses as one.
fn form_value(input: Input, value: &str) -> Value {
    let text = || Value::String(value.to_owned());
    match input {
        Input::Seq => value.parse::<i64>().map_or_else(|_| text(), Value::from),
        Input::Recipients => value.parse::<u64>().map_or_else(|_| text(), Value::from),
        Input::Text
        | Input::Money
        | Input::Date
        | Input::PastDate
        | Input::Choice(_)
        | Input::OwnerType
        | Input::IdNumber
        | Input::ProjectCode
        | Input::Quantity
        | Input::Group(_) => text(),
    }
}

/// Builds the JSON body of an entry from a form, by the fields of the kind it names:
/// a group's members (`owner_name`) go into their object (`owner.name`).
pub(super) fn body_of(form: &HashMap<String, String>) -> Value {
    let fields = form
        .get("kind")
        .and_then(|k| EntryKind::parse(k.trim()))
        .map_or(&[][..], EntryKind::fields);
    let mut body = Map::new();
    for (name, value) in form {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        let member = fields.iter().find_map(|field| match field.input {
            Input::Group(members) => {
                let rest = name.strip_prefix(field.name)?.strip_prefix('_')?;
                members
                    .iter()
                    .find(|m| m.name == rest)
                    .map(|m| (field.name, m))
            }
            _ => None,
        });
        if let Some((group, member)) = member {
            let object = body
                .entry(group.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(object) = object {
                object.insert(member.name.to_owned(), form_value(member.input, value));
            }
            continue;
        }
        let input = fields
            .iter()
            .find(|f| f.name == name)
            .map_or(Input::Text, |f| f.input);
        body.insert(name.clone(), form_value(input, value));
    }
    Value::Object(body)
}
