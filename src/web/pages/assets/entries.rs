//! The forms that append ledger entries and the timeline's line per entry, both
//! generated from the kinds' descriptions (`ledger::entry::kinds`): labels, inputs,
//! choices shown by their Chinese labels, and a form's values read back into the
//! JSON body the API takes.

use std::collections::HashMap;

use maud::{html, Markup};
use serde_json::{Map, Value};

use crate::auth::Visibility;
use crate::domain::{IdNumber, OwnerType, Vocabulary};
use crate::ledger::entry::field::{Field, Input, OCCURRED_ON};
use crate::ledger::entry::{EntryData, EntryKind, FieldError, ATTACHMENTS};
use crate::ledger::EntryRow;
use crate::web::form_key;
use crate::web::view::{encode, options};

/// A form sent back with errors: its kind, the values it held, what was wrong.
pub(super) struct Attempt {
    /// The `kind` the form named.
    pub(super) kind: String,
    /// Every value it held, by input name.
    pub(super) values: HashMap<String, String>,
    /// What was wrong with them.
    pub(super) errors: Vec<FieldError>,
}

/// What the entry forms hold when shown: a failed attempt's values, or the digest of a
/// document just uploaded.
pub(super) struct Prefill<'a> {
    /// The form sent back with errors.
    pub(super) attempt: Option<Attempt>,
    /// The SHA-256 of a document just uploaded, for every form's 附件.
    pub(super) attached: Option<&'a str>,
}

/// A form that appends one kind of entry.
pub(super) struct EntryForm {
    kind: EntryKind,
    /// Whether it is shown open: the failed attempt was of its kind.
    open: bool,
    /// The attempt's errors that concern no one input.
    general: Vec<String>,
    /// The business date's input, then the kind's own.
    inputs: Vec<FormInput>,
    /// Its one-time key (see [`crate::web::form_key`]).
    pub(super) key: String,
}

/// One input of an entry form, holding its value.
struct FormInput {
    /// Its name in the form: a group's members are `owner_name`, `owner_type` ….
    name: String,
    /// Its label.
    label: String,
    /// How it is entered.
    control: Control,
    /// What it holds.
    value: String,
    /// What was wrong with its value.
    error: Option<String>,
}

/// How an input is entered.
enum Control {
    /// An `input` of this `type`, `required` or not.
    Input { kind: &'static str, required: bool },
    /// A choice among (value, label), an empty choice first.
    Select(Vec<(&'static str, &'static str)>),
    /// Several lines of text, with a hint of what each line holds.
    Textarea { hint: String },
}

/// An input of a kind's form, from the description of its field.
struct Described {
    /// Its name in the form.
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
fn described(
    fields: &[Field],
    name_prefix: &str,
    label_prefix: &str,
    path: &str,
) -> Vec<Described> {
    let mut inputs = Vec::new();
    for field in fields {
        let name = format!("{name_prefix}{}", field.name);
        let label = format!("{label_prefix}{}", field.label);
        let error_field = format!("{path}{}", field.name);
        match field.input {
            Input::Group(members) => {
                let mut grouped = described(
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
            input => inputs.push(Described {
                name,
                label,
                input,
                errors: vec![error_field],
            }),
        }
    }
    inputs
}

/// How an input that takes `input` is entered.
fn control(input: Input) -> Control {
    let field = |kind| Control::Input {
        kind,
        required: false,
    };
    match input {
        Input::Choice(choices) => Control::Select(choices()),
        Input::OwnerType => Control::Select(OwnerType::choices()),
        Input::Date | Input::PastDate | Input::TermDate => field("date"),
        Input::Seq | Input::Count => field("number"),
        Input::Lines(fields) => Control::Textarea {
            hint: fields
                .iter()
                .map(|f| f.label.trim_end_matches("（元）"))
                .collect::<Vec<_>>()
                .join(","),
        },
        Input::Text
        | Input::Money
        | Input::IdNumber
        | Input::ProjectCode
        | Input::Quantity
        | Input::Recipients
        // Groups are expanded into their members by `described`.
        | Input::Group(_) => field("text"),
    }
}

/// The forms that append `kinds`, each generated from its kind's fields; the form of
/// a failed `attempt` holds its values and errors, the others are empty but for the
/// business date, `today`.
pub(super) fn entry_forms(
    kinds: &[EntryKind],
    attempt: Option<&Attempt>,
    today: &str,
    attached: Option<&str>,
) -> Vec<EntryForm> {
    kinds
        .iter()
        .map(|kind| {
            let mine = attempt.filter(|a| a.kind == kind.as_str());
            let value = |name: &str| {
                mine.and_then(|a| a.values.get(name))
                    .cloned()
                    .unwrap_or_default()
            };
            let error = |fields: &[String]| {
                mine.and_then(|a| a.errors.iter().find(|e| fields.contains(&e.field)))
                    .map(|e| e.message.clone())
            };
            // A list's input shows every error of its lines (`lines[2].amount`).
            let list_errors = |field: &str| {
                let messages: Vec<&str> = mine
                    .into_iter()
                    .flat_map(|a| &a.errors)
                    .filter(|e| e.field == field || e.field.starts_with(&format!("{field}[")))
                    .map(|e| e.message.as_str())
                    .collect();
                (!messages.is_empty()).then(|| messages.join("；"))
            };
            let date = FormInput {
                name: OCCURRED_ON.name.to_owned(),
                label: OCCURRED_ON.label.to_owned(),
                control: Control::Input {
                    kind: "date",
                    required: true,
                },
                value: if mine.is_some() {
                    value(OCCURRED_ON.name)
                } else {
                    today.to_owned()
                },
                error: error(&[OCCURRED_ON.name.to_owned()]),
            };
            let own = described(kind.fields(), "", "", "")
                .into_iter()
                .map(|d| FormInput {
                    value: value(&d.name),
                    error: match d.input {
                        Input::Lines(_) => list_errors(&d.name),
                        _ => error(&d.errors),
                    },
                    control: control(d.input),
                    name: d.name,
                    label: d.label,
                });
            // Any entry may cite uploaded documents: a just-uploaded one is filled in.
            let cited = FormInput {
                name: ATTACHMENTS.to_owned(),
                label: "附件（SHA-256，多个以空格分开）".to_owned(),
                control: Control::Input {
                    kind: "text",
                    required: false,
                },
                value: if mine.is_some() {
                    value(ATTACHMENTS)
                } else {
                    attached.unwrap_or_default().to_owned()
                },
                error: list_errors(ATTACHMENTS),
            };
            EntryForm {
                key: form_key::fresh(),
                kind: *kind,
                open: mine.is_some(),
                general: mine
                    .map(|a| {
                        a.errors
                            .iter()
                            .filter(|e| e.field.is_empty() || e.field == "kind")
                            .map(|e| e.message.clone())
                            .collect()
                    })
                    .unwrap_or_default(),
                inputs: std::iter::once(date)
                    .chain(own)
                    .chain(std::iter::once(cited))
                    .collect(),
            }
        })
        .collect()
}

/// The entry forms of the asset `code`, under their heading, after the form that
/// uploads a document for them to cite.
pub(super) fn render_forms(code: &str, forms: &[EntryForm]) -> Markup {
    html! {
        h2 { "记录管护台账" }
        form method="post" action={ "/assets/" (encode(code)) "/attachments" }
            enctype="multipart/form-data" class="card filters" {
            label { "附件（合同、决议、照片等）" input type="file" name="file" required; }
            button type="submit" class="secondary" { "上传附件" }
            span class="muted" { "上传后，其 SHA-256 自动填入下面各表单的“附件”栏。" }
        }
        @for form in forms {
            details class="entry-form" data-kind=(form.kind.as_str()) open[form.open] {
                summary { (form.kind.label()) }
                @for message in &form.general {
                    p class="field-error" { (message) }
                }
                form method="post" action={ "/assets/" (encode(code)) "/entries" } {
                    input type="hidden" name="kind" value=(form.kind.as_str());
                    (form_key::hidden(&form.key))
                    @for input in &form.inputs {
                        (render_input(input))
                    }
                    div { button type="submit" { "记录" (form.kind.label()) } }
                }
            }
        }
    }
}

fn render_input(input: &FormInput) -> Markup {
    let invalid = input.error.is_some().then_some("invalid");
    html! {
        label {
            (input.label)
            @match &input.control {
                Control::Input { kind, required } => {
                    input type=(kind) name=(input.name) value=(input.value) required[*required]
                        class=[invalid];
                }
                Control::Select(choices) => {
                    select name=(input.name) class=[invalid] {
                        option value="" {}
                        (options(choices, Some(&input.value)))
                    }
                }
                Control::Textarea { hint } => {
                    span class="hint" { "每行一户：" (hint) }
                    textarea name=(input.name) rows="4" class=[invalid] { (input.value) }
                }
            }
            @if let Some(message) = &input.error {
                span class="field-error" { (message) }
            }
        }
    }
}

/// Summarises a stored entry in one line of text, with labels for codes; the owner's
/// ID number as `visibility` allows.
pub(super) fn summary(entry: &EntryRow, visibility: Visibility) -> String {
    let show_id = |id: &IdNumber| visibility.id_number(Some(id.as_str())).unwrap_or_default();
    EntryData::from_stored(&entry.kind, &entry.data)
        .map(|data| data.summary(&show_id))
        .unwrap_or_default()
}

/// A form value as JSON: a number where the field takes one and it parses as one.
fn form_value(input: Input, value: &str) -> Value {
    let text = || Value::String(value.to_owned());
    match input {
        Input::Seq => value.parse::<i64>().map_or_else(|_| text(), Value::from),
        Input::Count => value.parse::<u32>().map_or_else(|_| text(), Value::from),
        Input::Recipients => value.parse::<u64>().map_or_else(|_| text(), Value::from),
        Input::Lines(fields) => lines_value(fields, value),
        Input::Text
        | Input::Money
        | Input::Date
        | Input::PastDate
        | Input::TermDate
        | Input::Choice(_)
        | Input::OwnerType
        | Input::IdNumber
        | Input::ProjectCode
        | Input::Quantity
        | Input::Group(_) => text(),
    }
}

/// The lines of a textarea as a list of objects: each non-blank line's cells, split at
/// commas (`,` or `，`), are the fields in order; an empty cell is left out, so that
/// the parser names what is missing by line; cells past the last field are kept under
/// `多余的列`, which the parser names as unknown.
fn lines_value(fields: &[Field], text: &str) -> Value {
    let lines = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let mut object = Map::new();
            let cells: Vec<&str> = line.split([',', '，']).map(str::trim).collect();
            for (i, cell) in cells.iter().enumerate() {
                if cell.is_empty() {
                    continue;
                }
                let key = fields.get(i).map_or("多余的列", |f| f.name);
                object.insert(key.to_owned(), Value::String((*cell).to_owned()));
            }
            Value::Object(object)
        })
        .collect();
    Value::Array(lines)
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
        if name == ATTACHMENTS {
            let digests = value
                .split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；'))
                .filter(|d| !d.is_empty())
                .map(|d| Value::String(d.to_owned()))
                .collect();
            body.insert(name.clone(), Value::Array(digests));
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

#[cfg(test)]
mod tests;
