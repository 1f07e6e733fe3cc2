//! How a kind of entry describes itself: its label, its rules, and its fields with
//! their labels and inputs. The parser, the web forms and the API document all read
//! these descriptions; none of them knows a kind by name.

use super::personal::PersonalField;

/// What one kind of entry is, beside the shape of its data (which its struct gives).
#[derive(Debug, Clone, Copy)]
pub struct KindSpec {
    /// The name the API and the database carry (`maintenance`).
    pub name: &'static str,
    /// The Chinese label people read (管护/维修).
    pub label: &'static str,
    /// Whether clerks append it; `false` when only an import writes it.
    pub appendable: bool,
    /// Whether it may change an asset's value or take it out of the live assets
    /// (value adjustments, disposals, corrections), which the totals as of a date
    /// must know.
    pub changes_value: bool,
    /// The fields of its data, in the order forms and messages list them.
    pub fields: &'static [Field],
    /// Its personal fields: masked for readers, salted in the hash.
    pub personal: &'static [PersonalField],
}

impl KindSpec {
    /// A kind that clerks append and that leaves the asset's value alone.
    pub const fn new(name: &'static str, label: &'static str, fields: &'static [Field]) -> Self {
        KindSpec {
            name,
            label,
            appendable: true,
            changes_value: false,
            fields,
            personal: &[],
        }
    }

    /// The same kind, holding `personal` fields.
    pub const fn with_personal(self, personal: &'static [PersonalField]) -> Self {
        KindSpec { personal, ..self }
    }

    /// The same kind, written only by an import.
    pub const fn by_import_only(self) -> Self {
        KindSpec {
            appendable: false,
            ..self
        }
    }

    /// The same kind, changing the asset's value or liveness.
    pub const fn changing_value(self) -> Self {
        KindSpec {
            changes_value: true,
            ..self
        }
    }
}

/// One field of an entry's data.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The JSON name.
    pub name: &'static str,
    /// The Chinese label of the form field, also used in messages.
    pub label: &'static str,
    /// How it is entered and checked.
    pub input: Input,
    /// Whether it must be given.
    pub required: bool,
}

impl Field {
    /// A field that must be given.
    pub const fn required(name: &'static str, label: &'static str, input: Input) -> Field {
        Field {
            name,
            label,
            input,
            required: true,
        }
    }

    /// A field that may be left out.
    pub const fn optional(name: &'static str, label: &'static str, input: Input) -> Field {
        Field {
            name,
            label,
            input,
            required: false,
        }
    }
}

/// How a field is entered and checked, and what it holds once parsed.
#[derive(Debug, Clone, Copy)]
pub enum Input {
    /// Free text, trimmed, at most 1,000 characters.
    Text,
    /// An amount of yuan written as a string (`"1,200.5"`), kept as `"1200.50"`.
    Money,
    /// A date `YYYY-MM-DD`.
    Date,
    /// A date `YYYY-MM-DD` that is not after today.
    PastDate,
    /// A date `YYYY-MM-DD` that ends a term (a contract's last day): years ahead are
    /// fine, up to 2099-12-31; not before 1949-10-01.
    TermDate,
    /// One code of a closed vocabulary, chosen by its label: its members as codes and
    /// labels (`InspectionResult::choices`).
    Choice(fn() -> Vec<(&'static str, &'static str)>),
    /// An owner type, by its code or its Chinese name.
    OwnerType,
    /// An owner's identifier.
    IdNumber,
    /// A project code.
    ProjectCode,
    /// An exact quantity.
    Quantity,
    /// The `seq` of another entry: a positive integer.
    Seq,
    /// A count of people or households: a whole number, 0 or more.
    Count,
    /// Who received a distribution: a count of households, a text, or a list of names.
    Recipients,
    /// An object with fields of its own.
    Group(&'static [Field]),
    /// A list of objects with these fields (a distribution's household lines); a form
    /// takes them as lines of text, one object a line, its fields separated by commas.
    Lines(&'static [Field]),
}

/// `occurred_on`, which every entry carries beside its data.
pub const OCCURRED_ON: Field = Field::required("occurred_on", "业务日期", Input::PastDate);

/// The personal field of an owner: its ID number.
pub const OWNER_PERSONAL: &[PersonalField] = &[PersonalField::id_number("owner.id_number")];

/// The fields of an owner (所有权人), in `registered` and `ownership_transferred`.
pub const OWNER_FIELDS: &[Field] = &[
    Field::required("name", "名称", Input::Text),
    Field::required("type", "类型", Input::OwnerType),
    Field::optional("id_number", "证件号", Input::IdNumber),
];
